"""``article-assistant eval``: run a question set through the assistant (and baselines) and score it.

The question set is JSON Lines, one object per line: ``id``, ``question``, ``history_questions`` (asked
first, in order, as the conversation before ``question``), ``gold`` (substrings of the source that answer
it), ``keywords`` (any one should appear in the reply or its quotes) and ``answerable``. Scoring lives in
``assistant.metrics``; this module runs pipelines, prints tables (rich) and writes JSON.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import AssistantError
from assistant.metrics import QUALITY_KEYS, failed_thresholds, parse_thresholds, score_row, summarize

if TYPE_CHECKING:
    from assistant.core import Assistant
    from assistant.models import Answer
    from assistant.settings import Settings

DEFAULT_SET = Path("eval/dev.jsonl")
TABLE_KEYS = (*QUALITY_KEYS, "latency_p50_ms", "latency_p99_ms")


class EvalSetError(AssistantError):
    exit_code = 2


def load_set(path: Path) -> list[dict]:
    """Read a JSONL question set; EvalSetError names the file and line of a bad row."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise EvalSetError(f"cannot read the question set {path}: {e.strerror} — pass --set FILE") from e
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise EvalSetError(f"{path}:{number} is not JSON ({e.msg})") from e
        if not isinstance(row, dict) or not isinstance(row.get("question"), str):
            raise EvalSetError(f"{path}:{number} needs a 'question' string")
        row.setdefault("id", f"q{number}")
        row.setdefault("history_questions", [])
        row.setdefault("gold", [])
        row.setdefault("keywords", [])
        row.setdefault("answerable", True)
        rows.append(row)
    if not rows:
        raise EvalSetError(f"the question set {path} is empty")
    return rows


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
    name: str, ask: Callable[[str, list[dict]], Answer], rows: Sequence[dict], texts: dict[str, str]
) -> dict:
    """Ask every row (its history questions first) and score the final answers."""
    scored, latencies = [], []
    for row in rows:
        history: list[dict] = []
        for earlier in row["history_questions"]:
            reply = ask(earlier, history)
            history += [{"role": "user", "content": earlier}, {"role": "assistant", "content": reply.text}]
        t0 = time.perf_counter()
        answer = ask(row["question"], history)
        latencies.append((time.perf_counter() - t0) * 1000)
        scores = score_row(row, answer.text, answer.refused, answer.citations, texts)
        scores.update(
            question=row["question"],
            latency_ms=round(latencies[-1], 2),
            top_quotes=[c.quote[:160] for c in answer.citations[:3]],
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
    """Results for the assistant and, with ``baselines``, for the baselines on the same embedder."""
    from assistant.core import Assistant

    bot = assistant or Assistant(settings)
    bot.warm()
    texts = source_texts(settings)
    forget_queries(bot.embedder)
    results = [run_pipeline("ours", lambda q, h: bot.answer(q, h, mode=mode), rows, texts)]
    if baselines:
        from assistant.baselines import build_baselines
        from index.loader import load_articles

        documents = load_articles(settings.seeds_dir, settings.root).documents
        for baseline in build_baselines(documents, bot.store, bot.embedder):
            forget_queries(bot.embedder)
            results.append(run_pipeline(baseline.name, baseline.answer, rows, texts))
    return results


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


def print_report(results: Sequence[dict], file=None) -> None:
    """The overall table (one row per pipeline) and the per-question table of the first pipeline."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=file or sys.stdout, width=160)
    overall = Table(title="Overall", show_lines=False)
    overall.add_column("pipeline")
    for key in TABLE_KEYS:
        overall.add_column(key.replace("latency_", "").replace("_accuracy", "_acc"), justify="right")
    for r in results:
        overall.add_row(r["name"], *(fmt(r["summary"][k], k) for k in TABLE_KEYS))
    for r in results[:1]:
        per = Table(title=f"Per question ({r['name']})")
        for col in ("id", "question", "refused", "rank", "hit@3", "precision", "exactness", "keyword", "ms"):
            per.add_column(col, overflow="fold")
        for q in r["questions"]:
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
        console.print(per)
    console.print(overall)
    missing = [q["id"] for r in results[:1] for q in r["questions"] if not q["gold_found"]]
    if missing:
        console.print(f"[yellow]warning: gold text not found in any article for: {', '.join(missing)}[/]")


def main(args, settings: Settings) -> int:
    try:
        thresholds = parse_thresholds(args.min)
    except ValueError as e:
        raise EvalSetError(str(e)) from None
    rows = load_set(Path(args.eval_set) if args.eval_set else settings.root / DEFAULT_SET)
    results = evaluate(settings, rows, baselines=args.baselines, mode=getattr(args, "llm", None))
    print_report(results)
    if args.json_out:
        out = Path(args.json_out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"pipelines": results}, indent=2, ensure_ascii=False), encoding="utf-8")
    failures = failed_thresholds(results[0]["summary"], thresholds)
    for line in failures:
        print(f"eval failed: {line}", file=sys.stderr)
    return 1 if failures else 0
