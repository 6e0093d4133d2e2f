"""The ``article-assistant`` command: index, ask, chat, verify; installed plugins add more (eval, bench).

Only this module (and the UI's launcher) reads the environment. Heavy libraries are imported inside the
commands, so ``--help`` and argument errors return at once. Errors print one line and exit non-zero.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.errors import AssistantError

PLUGIN_GROUP = "article_assistant.commands"  # entry points that add subcommands, see _add_plugin_commands


def _settings(args: argparse.Namespace):
    from assistant.settings import Settings

    return Settings.from_env(
        seeds_dir=getattr(args, "seeds", None),
        index_dir=getattr(args, "index_dir", None),
        embed_model=getattr(args, "model", None),
        chroma_url=getattr(args, "chroma_url", None),
        n_sources=getattr(args, "sources", None),
        llm=getattr(args, "llm", None),
    )


def cmd_index(args: argparse.Namespace) -> int:
    from index.build import build_index
    from index.embeddings import SentenceTransformerEmbeddings

    settings = _settings(args)
    embedder = SentenceTransformerEmbeddings(settings.embed_model)  # builds keep sentence-transformers
    engine = None
    if args.engine == "ray":  # the optional extra: imported only on this path
        from index.distributed import RayEngine

        engine = RayEngine.for_embedder(embedder, address=args.ray_address, workers=args.workers)
    changed = [Path(f) for f in args.files] or None
    report = build_index(settings, embedder, rebuild=args.rebuild, engine=engine, changed=changed)
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    print(report.summary())
    failed = report.errors and not report.added and not report.unchanged
    if not failed:
        prepare_to_serve(settings, embedder, changed=bool(report.added or report.removed))
    return 1 if failed else 0


def prepare_to_serve(settings, embedder, changed: bool = True) -> None:
    """After a build: when it ``changed`` the index, the word vectors and the serving snapshot, computed now
    rather than at the next start (the ONNX query embedder reports the same model name, so what
    sentence-transformers computes here serves it too); then the query model's ONNX export, if stale."""
    from assistant.core import Assistant

    if changed:
        Assistant(settings, embedder=embedder).prepare_serving()
    if settings.query_embedder != "torch":
        _export_query_model(settings, embedder)


def _export_query_model(settings, embedder) -> None:
    """Export the model for torch-free queries (``index.onnx``) when its export is missing or stale; a model
    that cannot be exported is reported in one line and queries keep sentence-transformers."""
    from index.onnx import FOLDER, ExportFailed, ensure_export

    folder = settings.index_dir / FOLDER
    try:
        manifest, made = ensure_export(embedder, folder)
    except ExportFailed as e:
        print(f"warning: {e}", file=sys.stderr)
        return
    if made:
        check = manifest["check"]
        print(
            f"exported the query model to ONNX at {folder}/ (checked: cosine >= {check['min_cosine']:.6f} "
            f"with sentence-transformers on {check['texts']} texts)"
        )


def format_answer(answer, text: bool = True) -> str:
    """The answer and its numbered sources, as the terminal shows them (``text=False``: sources only)."""
    lines = []
    if answer.notice:
        lines.append(f"note: {answer.notice}")
    if text:
        lines.append(answer.text)
    if answer.citations:
        lines.append("")
        lines.append("Sources:")
        for c in answer.citations:
            where = f"{c.source}:{c.start}-{c.end}"
            paragraph = f"paragraph {c.paragraph}" if c.paragraph else ""
            meta = ", ".join(x for x in (c.outlet, c.title, c.date, paragraph) if x)
            lines.append(f"  [{c.n}] \u201c{c.quote}\u201d")
            lines.append(f"      {meta} ({where})")
            if c.url:
                lines.append(f"      {c.url}")
    return "\n".join(lines)


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.core import Assistant, clean_question
    from assistant.models import Answer
    from assistant.retrieval import make_filter

    settings = _settings(args)
    clean_question(args.question, settings.max_question_chars)  # fail fast, before loading anything
    where = make_filter(args.date_from or "", args.date_to or "", args.outlet or "", args.source or "")
    assistant = Assistant(settings)
    if args.json:
        answer = assistant.answer(args.question, where=where)
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    final, shown = None, []
    for piece in assistant.stream(args.question, where=where):
        if isinstance(piece, Answer):
            final = piece
        elif sys.stdout.isatty():  # stream to a terminal as it is composed or generated
            print(piece, end="", flush=True)
            shown.append(piece)
    streamed = "".join(shown)
    if streamed and streamed == final.text and not final.notice:
        print("\n" + format_answer(final, text=False))
    else:
        if streamed:  # what was generated is replaced by what verification kept
            print("\n\nVerified answer:")
        print(format_answer(final))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from assistant.ui.app import launch

    launch(_settings(args), host=args.host, port=args.port, source=args.source or "", mcp=args.mcp)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Re-check a receipt's citations against the files on disk: one line each, exit 1 unless all are ok."""
    from pathlib import Path

    from assistant.receipts import verify_file
    from assistant.settings import Settings

    root = Path(args.root) if args.root else Settings.from_env().root
    checks = verify_file(Path(args.file), root)
    for check in checks:
        print(check.line())
    if not checks:
        print("no citations to check (the answers quote nothing)")
    return 0 if all(c.ok for c in checks) else 1


def _add_chat_and_verify_parsers(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("chat", parents=[common], help="serve the web chat (Gradio)")
    p.add_argument(
        "--host",
        default=os.environ.get("ASSISTANT_HOST", "127.0.0.1"),
        help="address to serve on (default 127.0.0.1); any other needs ASSISTANT_AUTH or ASSISTANT_AUTH_FILE",
    )
    p.add_argument("--port", type=int, default=int(os.environ.get("ASSISTANT_PORT", 7860)))
    p.add_argument("--source", metavar="PATH", help="the article the picker starts on (default: all)")
    p.add_argument(
        "--mcp",
        action="store_true",
        default=os.environ.get("ASSISTANT_MCP", "") == "1",
        help="also serve /ask as an MCP tool at /gradio_api/mcp/ (loopback, no login; env ASSISTANT_MCP=1)",
    )
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser(
        "verify", help="re-check a saved answer or conversation (a receipt) against the articles on disk"
    )
    p.add_argument("file", help="the JSON of 'ask --json', or a conversation downloaded from the chat")
    p.add_argument("--root", help="the directory sources are relative to (env ASSISTANT_ROOT, default .)")
    p.set_defaults(func=cmd_verify)


def _add_plugin_commands(sub, common: argparse.ArgumentParser) -> None:
    """Let installed packages add subcommands (``eval`` and ``bench`` come from ``evaluation`` this way).

    Each entry point in the group ``article_assistant.commands`` names a hook called as
    ``hook(subparsers, common_parser, settings_from_args)``; the runtime imports none of them by name.
    """
    from importlib.metadata import entry_points

    for entry in sorted(entry_points(group=PLUGIN_GROUP), key=lambda e: e.name):
        entry.load()(sub, common, _settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="article-assistant",
        description="Answers questions about news articles, citing the exact words of the source.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--seeds", help="articles directory (env ASSISTANT_SEEDS_DIR, default seeds)")
    common.add_argument("--index-dir", help="index directory (env ASSISTANT_INDEX_DIR, default .index)")
    common.add_argument("--model", help="embedding model name or local path (env ASSISTANT_EMBED_MODEL)")
    common.add_argument(
        "--chroma-url", help="use a Chroma server, e.g. http://127.0.0.1:8000 (env ASSISTANT_CHROMA_URL)"
    )
    common.add_argument(
        "--sources", type=int, help="how many sources an answer may cite (env ASSISTANT_SOURCES)"
    )
    common.add_argument(
        "--llm", help="answer mode: extractive (default), local, openai, ollama (env ASSISTANT_LLM)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("index", parents=[common], help="build or update the index from the seeds directory")
    p.add_argument("--rebuild", action="store_true", help="drop the index and build it again")
    p.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="only these article files, new or changed (default: the whole seeds directory)",
    )
    p.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="where articles are split and embedded: this process (default) or Ray workers "
        "(needs the extra: pip install 'article-assistant[distributed]')",
    )
    p.add_argument(
        "--ray-address",
        metavar="ADDRESS",
        default=os.environ.get("RAY_ADDRESS") or None,
        help="with --engine ray: a running cluster, e.g. ray://head:10001 or auto (env RAY_ADDRESS; "
        "default: a local Ray for the build)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=2,
        help="with --engine ray: worker actors, each with one model on one CPU (default 2)",
    )
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("ask", parents=[common], help="answer one question and print its sources")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the Answer as JSON")
    p.add_argument("--date-from", metavar="YYYY-MM-DD", help="only articles dated on or after this day")
    p.add_argument("--date-to", metavar="YYYY-MM-DD", help="only articles dated on or before this day")
    p.add_argument("--outlet", metavar="NAME", help='only articles from this outlet, e.g. "Island Post"')
    p.add_argument("--source", metavar="PATH", help="only this article, e.g. seeds/000_5b9ea04de76b7050.txt")
    p.set_defaults(func=cmd_ask)

    _add_chat_and_verify_parsers(sub, common)
    _add_plugin_commands(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s: %(message)s"
    )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    try:
        return args.func(args)
    except AssistantError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
