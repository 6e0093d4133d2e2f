"""``article-assistant eval``: run question sets through the assistant (and baselines), score them, compare.

A question set is JSON Lines, one object per line: ``id``, ``question``, ``history_questions`` (asked
first, in order, as the conversation before ``question``), ``gold`` (substrings of the source that answer
it), ``keywords`` (any one should appear in the reply or its quotes) and ``answerable``; optionally
``source`` (the article, relative to the set's folder) and ``spans`` (``[start, end]`` offsets of the
answers in it). With no ``--set`` the command runs ``eval/dev.jsonl`` and the SQuAD 2.0 Rhine set; each set
is answered from its own index when it brings its own articles (see ``evaluation.evalsets``), and every
pipeline (ours and, with ``--baselines``, each baseline) runs on that set's index. Scoring lives in
``evaluation.metrics``; this module runs pipelines, prints tables (rich) and writes JSON.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from evaluation.evalsets import (
    DEFAULT_SETS,
    EvalSetError,
    check_sources,
    has_own_articles,
    load_set,
    set_name,
)
from evaluation.metrics import (
    QUALITY_KEYS,
    REFUSAL_KEYS,
    failed_thresholds,
    parse_thresholds,
    score_row,
    summarize,
)

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from assistant.core import Assistant
    from assistant.models import Answer
    from assistant.settings import Settings

__all__ = ["DEFAULT_SET", "EvalSetError", "evaluate", "evaluate_set", "load_set", "main"]

DEFAULT_SET = DEFAULT_SETS[0]  # the dev set: ``make test``'s thresholds and ``bench``'s eval phase
TABLE_KEYS = (
    *(k for k in QUALITY_KEYS if k != "refusal_accuracy"),  # = unanswerable_refused, shown with the others
    *REFUSAL_KEYS,
    "latency_p50_ms",
    "latency_p99_ms",
)
SIDE_BY_SIDE_KEYS = ("hit@1", "hit@3", "answerable_refused", "unanswerable_refused")
HEADERS = {"answerable_refused": "ans_refused", "unanswerable_refused": "unans_refused"}


def source_texts(settings: Settings) -> dict[str, str]:
    """Every article's text, keyed by its ``source`` as citations name it."""
    from index.loader import load_articles

    return {
        d.metadata["source"]: d.page_content
        for d in load_articles(settings.seeds_dir, settings.root).documents
    }


def forget_queries(embedder) -> None:
    """Empty the embedder's query cache, so each pipeline pays for its own query embeddings."""
    cached = getattr(type(embedder), "_embed_query_cached", None)
    if cached is not None and hasattr(cached, "cache_clear"):
        cached.cache_clear()


def run_pipeline(
    name: str,
    ask: Callable[[str, list[dict]], Answer],
    rows: Sequence[dict],
    texts: dict[str, str],
    *,
    confidence: bool = True,
) -> dict:
    """Ask every row (its history questions first) and score the final answers.

    ``confidence=False`` for a pipeline that does not judge its answers (the baselines): their ``Answer``
    carries the field's default, not a judgement, so ``hedged`` is left empty rather than 0.
    """
    scored, latencies = [], []
    for row in rows:
        history: list[dict] = []
        for earlier in row["history_questions"]:
            reply = ask(earlier, history)
            history += [{"role": "user", "content": earlier}, {"role": "assistant", "content": reply.text}]
        t0 = time.perf_counter()
        answer = ask(row["question"], history)
        latencies.append((time.perf_counter() - t0) * 1000)
        sure = answer.confidence if confidence else None
        hedged = answer.hedged if confidence else None
        scores = score_row(row, answer.text, answer.refused, answer.citations, texts, sure, hedged)
        scores.update(
            question=row["question"],
            latency_ms=round(latencies[-1], 2),
            top_quotes=[c.quote[:160] for c in answer.citations[:3]],
            top_citations=[[c.source, c.start, c.end] for c in answer.citations[:3]],
        )
        scored.append(scores)
    return {"name": name, "summary": summarize(scored, latencies), "questions": scored}


def evaluate(
    settings: Settings,
    rows: Sequence[dict],
    *,
    assistant: Assistant | None = None,
    baselines: bool = False,
    mode: str | None = None,
) -> list[dict]:
    """Results for the assistant and, with ``baselines``, for the baselines on the same index and embedder.

    With ``assistant`` given, its settings say which index and articles the rows are answered and scored on.
    """
    from assistant.core import Assistant

    bot = assistant or Assistant(settings)
    settings = bot.settings
    bot.warm()
    texts = source_texts(settings)
    forget_queries(bot.embedder)
    results = [run_pipeline("ours", lambda q, h: bot.answer(q, h, mode=mode), rows, texts)]
    if baselines:
        from evaluation.baselines import build_baselines
        from index.loader import load_articles

        documents = load_articles(settings.seeds_dir, settings.root).documents
        for baseline in build_baselines(documents, bot.store, bot.embedder):
            forget_queries(bot.embedder)
            results.append(run_pipeline(baseline.name, baseline.answer, rows, texts, confidence=False))
    return results


def evaluate_set(
    path: Path,
    base: Settings,
    *,
    rows: Sequence[dict] | None = None,
    embedder: Embeddings | None = None,
    baselines: bool = False,
    mode: str | None = None,
) -> dict:
    """One set's results, ``{"name", "path", "pipelines"}``, each pipeline on the set's own index."""
    from evaluation.evalsets import set_assistant

    rows = load_set(path) if rows is None else rows
    bot = set_assistant(path, base, embedder, rows=rows)
    pipelines = evaluate(bot.settings, rows, assistant=bot, baselines=baselines, mode=mode)
    return {"name": set_name(path), "path": str(path), "pipelines": pipelines}


def fmt(value, key: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key.startswith("latency") or key == "latency_ms":
        return f"{value:.1f}"
    if isinstance(value, float):
        return f"{value:.3f}" if value != int(value) else f"{value:.2f}"
    return str(value)


def _header(key: str) -> str:
    return HEADERS.get(key, key.replace("latency_", "").replace("_accuracy", "_acc"))


def per_question_table(result: dict):
    """The per-question rich table of one pipeline."""
    from rich.table import Table

    per = Table(title=f"Per question ({result['name']})")
    for col in ("id", "question", "refused", "rank", "hit@3", "precision", "exactness", "keyword", "ms"):
        per.add_column(col, overflow="fold")
    for q in result["questions"]:
        per.add_row(
            q["id"],
            q["question"][:60],
            fmt(q["refused"]),
            str(q["rank"]) if q["answerable"] else "–",
            fmt(q["hit@3"]),
            fmt(q["precision"]),
            fmt(q["exactness"]),
            fmt(q["keyword_match"]),
            fmt(q["latency_ms"], "latency_ms"),
        )
    return per


def print_report(results: Sequence[dict], file=None, *, title: str = "Overall", per_question: bool = False):
    """The overall table (one row per pipeline); with ``per_question``, the first pipeline's questions."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=file or sys.stdout, width=200)
    if per_question:
        for r in results[:1]:
            console.print(per_question_table(r))
    overall = Table(title=title, show_lines=False)
    overall.add_column("pipeline")
    for key in TABLE_KEYS:
        overall.add_column(_header(key), justify="right")
    for r in results:
        overall.add_row(r["name"], *(fmt(r["summary"][k], k) for k in TABLE_KEYS))
    console.print(overall)
    missing = [q["id"] for r in results[:1] for q in r["questions"] if not q["gold_found"]]
    if missing:
        console.print(f"[yellow]warning: gold not found in the set's articles for: {', '.join(missing)}[/]")


def side_by_side(sets: Sequence[dict]) -> list[dict]:
    """One row per pipeline, ``{"pipeline", "<set>": {key: value}}``, pipelines in the order first seen."""
    names = list(dict.fromkeys(p["name"] for s in sets for p in s["pipelines"]))
    rows = []
    for name in names:
        row: dict = {"pipeline": name}
        for s in sets:
            summary = next((p["summary"] for p in s["pipelines"] if p["name"] == name), {})
            row[s["name"]] = {k: summary.get(k) for k in SIDE_BY_SIDE_KEYS}
        rows.append(row)
    return rows


def print_side_by_side(sets: Sequence[dict], file=None) -> None:
    """Pipelines down, set x (hit@1, hit@3, answerable_refused, unanswerable_refused) across."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Side by side", show_lines=False)
    table.add_column("pipeline")
    for s in sets:
        for key in SIDE_BY_SIDE_KEYS:
            table.add_column(f"{s['name']}\n{_header(key)}", justify="right")
    for row in side_by_side(sets):
        table.add_row(row["pipeline"], *(fmt(row[s["name"]][k], k) for s in sets for k in SIDE_BY_SIDE_KEYS))
    Console(file=file or sys.stdout, width=200).print(table)


def read_sets(paths: Sequence[Path]) -> list[tuple[Path, list[dict]]]:
    """Every set read and checked (rows, source files) before any model loads; EvalSetError otherwise."""
    sets = []
    for path in paths:
        rows = load_set(path)
        if has_own_articles(rows):
            check_sources(path, rows)
        sets.append((path, rows))
    return sets


def main(args, settings: Settings) -> int:
    try:
        thresholds = parse_thresholds(args.min)
    except ValueError as e:
        raise EvalSetError(str(e)) from None
    paths = [Path(p) for p in args.eval_set] if args.eval_set else [settings.root / p for p in DEFAULT_SETS]
    sets_rows = read_sets(paths)
    from index.embeddings import SentenceTransformerEmbeddings

    embedder = SentenceTransformerEmbeddings(settings.embed_model)  # one model for every set
    mode, failures, sets = getattr(args, "llm", None), [], []
    for path, rows in sets_rows:
        print(f"eval: {set_name(path)} ({path}, {len(rows)} questions)", file=sys.stderr)
        result = evaluate_set(
            path, settings, rows=rows, embedder=embedder, baselines=args.baselines, mode=mode
        )
        sets.append(result)
        print_report(
            result["pipelines"],
            title=f"{result['name']}: overall",
            per_question=getattr(args, "per_question", False),
        )
        ours = result["pipelines"][0]["summary"]
        failures += [f"{result['name']}: {line}" for line in failed_thresholds(ours, thresholds)]
    print_side_by_side(sets)
    if args.json_out:
        out = Path(args.json_out)
        out.parent.mkdir(parents=True, exist_ok=True)
        report = {"sets": sets, "side_by_side": side_by_side(sets)}
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    for line in failures:
        print(f"eval failed: {line}", file=sys.stderr)
    return 1 if failures else 0
