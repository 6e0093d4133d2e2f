"""``article-assistant eval``: run question sets through the assistant (and baselines), score them, compare.

A question set is JSON Lines, one object per line: ``id``, ``question``, ``history_questions`` (asked
first, in order, as the conversation before ``question``), ``gold`` (substrings of the source that answer
it), ``keywords`` (any one should appear in the reply or its quotes) and ``answerable``; optionally
``source`` (the article, relative to the set's folder) and ``spans`` (``[start, end]`` offsets of the
answers in it), and the reader keys ``kind``, ``all_gold`` and ``open_article`` (asked with its ``source``
picked, ``where={"source": ...}``, by every pipeline). With no ``--set`` the command runs
``evalsets.DEFAULT_SETS`` (dev, the BBC reader set, and from ../shared/eval news-chat and SQuAD 2.0 Rhine,
each skipped with one line when absent); each set is answered from its own index when it brings its own
articles (see ``evaluation.evalsets``), and every pipeline (ours and, with ``--baselines``, each baseline)
runs on that set's index. Scoring lives in ``evaluation.metrics`` and ``evaluation.readers``, the tables in
``evaluation.evalreport``; ``--summaries`` runs ``evaluation.summaries`` instead. This module runs pipelines
and writes JSON.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from evaluation.evalreport import print_report, print_side_by_side, side_by_side
from evaluation.evalsets import (
    DEFAULT_SETS,
    EvalSetError,
    SetAbsent,
    check_sources,
    has_own_articles,
    load_set,
    set_name,
)
from evaluation.metrics import failed_thresholds, parse_thresholds, score_row, summarize
from evaluation.readers import group_by_kind, has_kinds, reader_scores, reader_summary

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from assistant.core import Assistant
    from assistant.models import Answer
    from assistant.settings import Settings

__all__ = ["DEFAULT_SET", "EvalSetError", "evaluate", "evaluate_set", "load_set", "main"]

DEFAULT_SET = DEFAULT_SETS[0]  # the dev set: ``make test``'s thresholds and ``bench``'s eval phase
Ask = Callable[[str, list[dict], "dict | None"], "Answer"]  # (question, history, where) -> Answer


def source_texts(settings: Settings) -> dict[str, str]:
    """Every article's text, keyed by its ``source`` as citations name it."""
    return {source: text for source, (text, _) in _articles(settings).items()}


def _articles(settings: Settings) -> dict[str, tuple[str, str]]:
    """``{source: (text, date)}`` of every article (date "" when it carries none)."""
    from index.loader import load_articles

    return {
        d.metadata["source"]: (d.page_content, d.metadata.get("date", ""))
        for d in load_articles(settings.seeds_dir, settings.root).documents
    }


def forget_queries(embedder) -> None:
    """Empty the embedder's query cache, so each pipeline pays for its own query embeddings."""
    cached = getattr(type(embedder), "_embed_query_cached", None)
    if cached is not None and hasattr(cached, "cache_clear"):
        cached.cache_clear()


def where_for(row: dict) -> dict | None:
    """The filter a row is asked with: its own article for an ``open_article`` row (the article picked)."""
    return {"source": row["source"]} if row.get("open_article") and row.get("source") else None


def run_pipeline(
    name: str,
    ask: Ask,
    rows: Sequence[dict],
    texts: dict[str, str],
    *,
    dates: dict[str, str] | None = None,
    confidence: bool = True,
) -> dict:
    """Ask every row (its history questions first, with the same filter) and score the final answers.

    ``ask(question, history, where)``; ``where`` is ``where_for(row)``. ``dates`` (source -> date) judges
    the date rows. ``confidence=False`` for a pipeline that does not judge its answers (the baselines):
    their ``Answer`` carries the field's default, not a judgement, so ``hedged`` is left empty rather than 0.
    """
    scored, latencies = [], []
    for row in rows:
        where = where_for(row)
        history: list[dict] = []
        for earlier in row["history_questions"]:
            reply = ask(earlier, history, where)
            history += [{"role": "user", "content": earlier}, {"role": "assistant", "content": reply.text}]
        t0 = time.perf_counter()
        answer = ask(row["question"], history, where)
        latencies.append((time.perf_counter() - t0) * 1000)
        sure = answer.confidence if confidence else None
        hedged = answer.hedged if confidence else None
        scores = score_row(row, answer.text, answer.refused, answer.citations, texts, sure, hedged)
        scores.update(reader_scores(row, answer, texts, dates or {}, scores["hit@3"], judged=confidence))
        scores.update(
            question=row["question"],
            latency_ms=round(latencies[-1], 2),
            top_quotes=[c.quote[:160] for c in answer.citations[:3]],
            top_citations=[[c.source, c.start, c.end] for c in answer.citations[:3]],
        )
        scored.append(scores)
    result = {"name": name, "summary": _summary(scored, latencies), "questions": scored}
    if has_kinds(rows):
        result["per_kind"] = {
            kind: {"questions": len(group), **_summary(group, [q["latency_ms"] for q in group])}
            for kind, group in group_by_kind(scored).items()
        }
    return result


def _summary(scored: Sequence[dict], latencies: Sequence[float]) -> dict:
    return {**summarize(scored, latencies), **reader_summary(scored)}


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
    articles = _articles(settings)
    texts = {source: text for source, (text, _) in articles.items()}
    dates = {source: date for source, (_, date) in articles.items()}
    forget_queries(bot.embedder)

    def ours(question: str, history: list[dict], where: dict | None) -> Answer:
        return bot.answer(question, history, mode=mode, where=where)

    results = [run_pipeline("ours", ours, rows, texts, dates=dates)]
    if baselines:
        from evaluation.baselines import build_baselines
        from index.loader import load_articles

        documents = load_articles(settings.seeds_dir, settings.root).documents
        for baseline in build_baselines(documents, bot.store, bot.embedder):
            forget_queries(bot.embedder)
            results.append(
                run_pipeline(baseline.name, baseline.answer, rows, texts, dates=dates, confidence=False)
            )
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


def read_sets(paths: Sequence[Path]) -> list[tuple[Path, list[dict]]]:
    """Every set read and checked (rows, source files) before any model loads; EvalSetError otherwise.

    A set that is not on this machine (``SetAbsent``: ../shared, or the articles it reads) is skipped with
    one line on stderr.
    """
    sets = []
    for path in paths:
        try:
            rows = load_set(path)
            if has_own_articles(rows):
                check_sources(path, rows)
        except SetAbsent as e:
            print(f"eval: skipping {set_name(path)}: {e}", file=sys.stderr)
            continue
        sets.append((path, rows))
    return sets


def main(args, settings: Settings) -> int:
    try:
        thresholds = parse_thresholds(args.min)
    except ValueError as e:
        raise EvalSetError(str(e)) from None
    if getattr(args, "summaries", False):
        from evaluation.summaries import main as summaries_main

        return summaries_main(args, settings)
    paths = [Path(p) for p in args.eval_set] if args.eval_set else [settings.root / p for p in DEFAULT_SETS]
    sets_rows = read_sets(paths)
    if not sets_rows:
        raise EvalSetError("no question set to run: every one asked for is absent (see the lines above)")
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
