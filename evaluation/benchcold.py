"""Cold start paired: each query path in fresh processes, side by side in one run (``python -m
evaluation.benchcold``, and the ``cold`` phase of ``article-assistant bench``).

Per round, interleaved so a burst of load from other jobs hits both paths alike: ``ask`` through the ONNX
query embedder and through sentence-transformers (``ASSISTANT_QUERY_EMBEDDER=torch``), each path's import
floor (``import onnxruntime, tokenizers, chromadb`` against ``import torch, sentence_transformers, chromadb,
langchain_chroma``) and ``--help``; medians of the rounds, the peak RSS of each ``ask``, and whether both
printed the same answer. ``chat`` times the served chat from start to first page and to first answer
(``/ask`` over HTTP, as any client calls it); with ``--runtime-python``, also as ``make run`` installs it
(``runtime_chat``: the dev extras add two imports to the chat's start, see ``DEV_ONLY``). ``rhine`` asks
the SQuAD 2.0 Rhine set through both embedders and counts the questions whose top citations differ. Writes
``evaluation/results/cold_paired.json``.

The machine is shared: the load average is recorded with the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from evaluation.bench import _timed_child

if TYPE_CHECKING:
    from assistant.settings import Settings

QUESTION = "Where was Putin when he spoke about escalation?"
FLOORS = {
    "onnx": "import onnxruntime, tokenizers, chromadb",
    "torch": "import torch, sentence_transformers, chromadb, langchain_chroma",
}
ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "evaluation" / "results" / "cold_paired.json"
# This checkout's code, whatever the environment has installed (as ``evaluation.ui_server`` serves it).
CLI = [sys.executable, "-m", "assistant.cli"]


def _env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def _where(settings: Settings, index_dir: Path | None = None) -> list[str]:
    return ["--seeds", str(settings.seeds_dir), "--index-dir", str(index_dir or settings.index_dir)]


def paired(settings: Settings, runs: int = 3) -> dict:
    """Cold ``ask`` through each embedder, each import floor and ``--help``, ``runs`` interleaved rounds."""
    walls: dict[str, list[float]] = {"onnx": [], "torch": [], "help": []}
    rss: dict[str, list[float]] = {"onnx": [], "torch": []}
    floors: dict[str, list[float]] = {"onnx": [], "torch": []}
    outputs: dict[str, set[str]] = {"onnx": set(), "torch": set()}
    for _ in range(runs):
        for path in ("onnx", "torch"):
            env = _env(ASSISTANT_QUERY_EMBEDDER=path)
            asked = _timed_child([*CLI, "ask", QUESTION, *_where(settings)], env)
            if asked.code != 0:
                raise RuntimeError(f"ask through {path} exited {asked.code}")
            walls[path].append(asked.wall_s)
            rss[path].append(asked.peak_rss_mb)
            outputs[path].add(asked.stdout)
            floors[path].append(_timed_child([sys.executable, "-c", FLOORS[path]], _env()).wall_s)
        walls["help"].append(_timed_child([*CLI, "--help"], _env()).wall_s)
    median = {k: statistics.median(v) for k, v in walls.items()}
    return {
        "runs": runs,
        "question": QUESTION,
        "ask_onnx_s": median["onnx"],
        "ask_torch_s": median["torch"],
        "ratio": median["onnx"] / median["torch"],
        "rss_onnx_mb": max(rss["onnx"]),
        "rss_torch_mb": max(rss["torch"]),
        "floor_onnx_s": statistics.median(floors["onnx"]),
        "floor_torch_s": statistics.median(floors["torch"]),
        "help_s": median["help"],
        "same_answer": len(outputs["onnx"] | outputs["torch"]) == 1,
        "floors": FLOORS,
        "all": {"ask_s": walls, "rss_mb": rss, "floor_s": floors},
        "load_avg_after": os.getloadavg(),
    }


def _call(url: str, question: str, timeout: float = 120.0) -> dict:
    """One answer from the served ``/ask`` endpoint through Gradio's HTTP API (post, then read the events)."""
    body = json.dumps({"data": [question, "[]", 0, "", "", "", ""]}).encode()
    request = urllib.request.Request(
        f"{url}gradio_api/call/ask", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as r:
        event = json.loads(r.read())["event_id"]
    with urllib.request.urlopen(f"{url}gradio_api/call/ask/{event}", timeout=timeout) as r:
        lines = r.read().decode("utf-8").splitlines()
    kinds = [line.removeprefix("event: ") for line in lines if line.startswith("event: ")]
    data = [line.removeprefix("data: ") for line in lines if line.startswith("data: ")]
    if "complete" not in kinds:
        raise RuntimeError(f"/ask did not complete: {lines[-3:]}")
    return json.loads(data[kinds.index("complete")])[0]


def chat_first_answer(
    settings: Settings,
    path: str = "onnx",
    timeout: float = 240.0,
    cli: Sequence[str] = CLI,
    index_dir: Path | None = None,
) -> dict:
    """Seconds from starting ``article-assistant chat`` (index built) to its first page and first answer."""
    from evaluation.ui_server import free_port, stop_process

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    cmd = [*cli, "chat", "--port", str(port), *_where(settings, index_dir)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=settings.root,
        env=_env(ASSISTANT_QUERY_EMBEDDER=path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the chat exited ({proc.returncode}) before serving")
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"the chat did not serve within {timeout:.0f} s")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        page = time.perf_counter() - t0
        answer = _call(url, QUESTION)
        first = time.perf_counter() - t0
    finally:
        stop_process(proc)
    return {"path": path, "page_s": page, "first_answer_s": first, "cited": len(answer["citations"])}


def _medians(rounds: list[dict]) -> dict:
    """The median of ``chat_first_answer``'s rounds, and the rounds."""
    return {
        "page_s": statistics.median(r["page_s"] for r in rounds),
        "first_answer_s": statistics.median(r["first_answer_s"] for r in rounds),
        "all": rounds,
    }


def chat(settings: Settings, runs: int = 3) -> dict:
    rounds = [chat_first_answer(settings, path) for _ in range(runs) for path in ("onnx", "torch")]
    out: dict = {"runs": runs}
    for path in ("onnx", "torch"):
        out[path] = _medians([r for r in rounds if r["path"] == path])
    return out


# Installed by the dev extras, not by `make run`: with them, gradio imports mcp when it is imported, and the
# first event it serves imports matplotlib (it switches matplotlib's backend around every event).
DEV_ONLY = ("mcp", "matplotlib")


def runtime_chat(settings: Settings, python: str, runs: int = 3) -> dict:
    """The served chat as ``make run`` installs it: started by ``python``, an interpreter whose environment
    has the runtime only (``pip install -e .``), on an index that interpreter builds in a temporary folder
    (a query model's ONNX export is checked against that environment's own model files)."""
    import tempfile

    cli = [python, "-m", "assistant.cli"]
    probe = f"import importlib.util as u; print(' '.join(m for m in {DEV_ONLY!r} if u.find_spec(m)))"
    extra = subprocess.run(
        [python, "-c", probe], env=_env(), capture_output=True, text=True, check=True
    ).stdout.split()
    with tempfile.TemporaryDirectory(prefix="benchcold-index-") as folder:
        index_dir = Path(folder)
        subprocess.run(
            [*cli, "index", *_where(settings, index_dir)],
            cwd=settings.root,
            env=_env(),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        rounds = [chat_first_answer(settings, cli=cli, index_dir=index_dir) for _ in range(runs)]
    return {"python": python, "dev_only_installed": extra, **_medians(rounds)}


def rhine(settings: Settings) -> dict:
    """The Rhine set through both embedders on one index: questions whose top three citations differ."""
    from evaluation.evalsets import SetAbsent, load_set, set_assistant, shared_set
    from evaluation.evaluate import run_pipeline, source_texts
    from index.embeddings import SentenceTransformerEmbeddings
    from index.onnx import FOLDER, OnnxEmbeddings, ensure_export

    try:
        rows = load_set(shared_set("squad2-rhine"))
    except SetAbsent as e:
        return {"skipped": str(e)}
    torch_embedder = SentenceTransformerEmbeddings(settings.embed_model)
    bot = set_assistant(shared_set("squad2-rhine"), settings, torch_embedder, rows=rows)
    ensure_export(torch_embedder, settings.index_dir / FOLDER)
    onnx_bot = type(bot)(
        bot.settings,
        embedder=OnnxEmbeddings(settings.index_dir / FOLDER, settings.embed_model),
        client=bot.store.client,
    )
    texts = source_texts(bot.settings)
    results = {}
    for name, assistant in (("torch", bot), ("onnx", onnx_bot)):
        ask = lambda q, h, w, a=assistant: a.answer(q, h, where=w)  # noqa: E731
        results[name] = run_pipeline(name, ask, rows, texts)
    pairs = zip(results["torch"]["questions"], results["onnx"]["questions"], strict=True)
    differ = [a["question"] for a, b in pairs if a["top_citations"] != b["top_citations"]]
    return {
        "questions": len(rows),
        "differ": len(differ),
        "examples": differ[:5],
        "hit@3": {k: v["summary"].get("hit@3") for k, v in results.items()},
    }


def table(data: dict) -> str:
    p = data["paired"]
    rows = [
        ("cold ask, ONNX path", f"{p['ask_onnx_s']:.2f} s", f"peak RSS {p['rss_onnx_mb']:.0f} MB"),
        ("cold ask, torch path", f"{p['ask_torch_s']:.2f} s", f"peak RSS {p['rss_torch_mb']:.0f} MB"),
        ("ratio ONNX / torch", f"{p['ratio']:.2f}", "same answer" if p["same_answer"] else "ANSWERS DIFFER"),
        ("import floor, ONNX path", f"{p['floor_onnx_s']:.2f} s", FLOORS["onnx"]),
        ("import floor, torch path", f"{p['floor_torch_s']:.2f} s", FLOORS["torch"]),
        ("--help", f"{p['help_s']:.2f} s", ""),
    ]
    for path in ("onnx", "torch"):
        if c := data.get("chat", {}).get(path):
            rows.append(
                (
                    f"chat start -> page / answer, {path}",
                    f"{c['page_s']:.2f} s / {c['first_answer_s']:.2f} s",
                    "",
                )
            )
    if c := data.get("chat", {}).get("runtime"):
        rows.append(
            (
                "chat start -> page / answer, runtime install",
                f"{c['page_s']:.2f} s / {c['first_answer_s']:.2f} s",
                f"{c['python']} (dev-only packages: {', '.join(c['dev_only_installed']) or 'none'})",
            )
        )
    if r := data.get("rhine"):
        shown = r.get("skipped") or f"{r['differ']} of {r['questions']} questions cite differently"
        shown += f" (measured {r['measured']})" if r.get("measured") else ""
        rows.append(("Rhine set, ONNX vs torch", shown, ""))
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{a:<{width}}  {b:<16}  {c}" for a, b, c in rows)


def main(argv: list[str] | None = None) -> int:
    from assistant.settings import Settings

    parser = argparse.ArgumentParser(
        prog="python -m evaluation.benchcold", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-chat", action="store_true", help="skip the served chat's start")
    parser.add_argument("--no-rhine", action="store_true", help="skip the Rhine set's citations")
    parser.add_argument(
        "--runtime-python",
        help="also time the chat started by this interpreter, from a venv with the runtime only "
        "(what `make run` installs: python -m venv DIR && DIR/bin/pip install -e .)",
    )
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    out = Path(args.out)
    kept = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    data = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpus": os.cpu_count()}
    for part, skipped in (("chat", args.no_chat), ("rhine", args.no_rhine)):  # a skipped part keeps its
        if skipped and part in kept:  # last measurement, marked with that run's date
            data[part] = {**kept[part], "measured": kept[part].get("measured", kept.get("date"))}
    data["load_avg_at_start"] = os.getloadavg()
    data["paired"] = paired(settings, args.runs)
    if not args.no_chat:
        data["chat"] = chat(settings, args.runs)
        if args.runtime_python:
            data["chat"]["runtime"] = runtime_chat(settings, args.runtime_python, args.runs)
    if not args.no_rhine:
        data["rhine"] = rhine(settings)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=2), encoding="utf-8")
    print(table(data))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
