"""Pure scoring functions for ``article-assistant eval``: citations against gold spans, refusals, latency.

A *gold span* is ``(source, start, end)``: where the answer is in a source file. A row that gives
``spans`` (offsets of its answers in its ``source``, as the SQuAD-derived sets do) has exactly those, and a
citation is *relevant* when it is from that source and *contains* one of them: the answer the question was
written about, not another sentence that happens to share a word. A row without ``spans`` has every place a
gold substring occurs in any source, and a citation is relevant when it *overlaps* one. Either way the quote
must be at most ``MAX_QUOTE`` characters: sentence-level credit, so a citation that quotes a whole
1,000-character chunk does not count even when the chunk holds the answer (``span_hit@3`` reports that
laxer view separately).

Refusals are counted both ways: ``answerable_refused`` (answerable questions refused: lower is better) and
``unanswerable_refused`` (the same as ``refusal_accuracy``: higher is better). ``hedged`` is the share of
questions given the closest passages instead of an answer (``Answer.hedged``), over the questions of a
pipeline that judges its answers (None for the baselines).

Short answers are scored by SQuAD's own metric (``squad_scores``): exact match and token F1 of the
normalised texts (lower case, no punctuation, no a/an/the, single spaces), the best over the gold texts.

This module reads no files and runs no model; ``evaluation.evaluate`` feeds it.

>>> gold = locate_gold(["Politico"], {"a.txt": "It was first reported by Politico."})
>>> gold
[('a.txt', 25, 33)]
>>> relevant(Cited("a.txt", 0, 34, "It was first reported by Politico."), gold)
True
>>> relevant(Cited("a.txt", 0, 30, "It was first reported by Polit"), gold, contain=True)
False
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

MAX_QUOTE = 400
GoldSpan = tuple[str, int, int]  # (source, start, end)

# Metric keys a --min threshold may name, and whether bigger is better (latency: smaller is).
QUALITY_KEYS = (
    "hit@1",
    "hit@3",
    "mrr",
    "span_hit@3",
    "precision",
    "exactness",
    "keyword_match",
    "answer_rate",
    "refusal_accuracy",
    "followup_accuracy",
)
# --min may also name these (bigger is better); answerable_refused and hedged are smaller-is-better.
THRESHOLD_KEYS = (
    *QUALITY_KEYS,
    "unanswerable_refused",
    # the reader's keys (evaluation.readers)
    "answered_right",
    "unanswerable_refused_or_hedged",
    "all_gold_recall",
    "date_right",
    "short_exactness",
    "squad_em",
    "squad_f1",
)
REFUSAL_KEYS = ("answerable_refused", "unanswerable_refused", "hedged")


@dataclass(frozen=True)
class Cited:
    """The parts of a citation the metrics look at (``assistant.models.Citation`` has them all)."""

    source: str
    start: int
    end: int
    quote: str


def locate_gold(gold: Iterable[str], texts: Mapping[str, str]) -> list[GoldSpan]:
    """Every occurrence of every gold substring in every source text, as ``(source, start, end)``."""
    spans: list[GoldSpan] = []
    for needle in gold:
        if not needle:
            continue
        for source, text in texts.items():
            at = text.find(needle)
            while at >= 0:
                spans.append((source, at, at + len(needle)))
                at = text.find(needle, at + 1)
    return sorted(set(spans))


def overlaps(c: Cited, span: GoldSpan) -> bool:
    source, start, end = span
    return c.source == source and c.start < end and start < c.end


def contains(c: Cited, span: GoldSpan) -> bool:
    source, start, end = span
    return c.source == source and c.start <= start and end <= c.end


def row_spans(row: Mapping) -> list[GoldSpan]:
    """A row's own gold spans, ``(row["source"], start, end)`` for each of its ``spans``; [] without."""
    source = row.get("source")
    if not row.get("spans") or not isinstance(source, str):
        return []
    return sorted({(source, int(start), int(end)) for start, end in row["spans"]})


def relevant(c: Cited, gold: Sequence[GoldSpan], max_quote: int = MAX_QUOTE, contain: bool = False) -> bool:
    """True when the citation is short enough to count and overlaps (``contain``: contains) a gold span."""
    match = contains if contain else overlaps
    return len(c.quote) <= max_quote and any(match(c, g) for g in gold)


def first_relevant_rank(
    citations: Sequence[Cited], gold: Sequence[GoldSpan], max_quote: int = MAX_QUOTE, contain: bool = False
) -> int:
    """1-based rank of the first relevant citation, 0 when there is none."""
    for rank, c in enumerate(citations, start=1):
        if relevant(c, gold, max_quote, contain):
            return rank
    return 0


def hit_at(k: int, rank: int) -> float:
    return 1.0 if 0 < rank <= k else 0.0


def reciprocal_rank(rank: int) -> float:
    return 1.0 / rank if rank > 0 else 0.0


def precision(
    citations: Sequence[Cited], gold: Sequence[GoldSpan], max_quote: int = MAX_QUOTE, contain: bool = False
) -> float | None:
    """Share of citations that are relevant; None when there are no citations (nothing to judge)."""
    if not citations:
        return None
    return sum(relevant(c, gold, max_quote, contain) for c in citations) / len(citations)


def exact(c: Cited, texts: Mapping[str, str]) -> bool:
    """The citation contract: ``source_text[start:end] == quote``."""
    text = texts.get(c.source)
    return text is not None and text[c.start : c.end] == c.quote


def keyword_match(keywords: Sequence[str], answer_text: str, quotes: Sequence[str]) -> bool | None:
    """Any keyword (case-insensitive) in the reply or its quotes; None when the row has no keywords."""
    if not keywords:
        return None
    haystack = " ".join([answer_text, *quotes]).lower()
    return any(k.lower() in haystack for k in keywords)


_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCTUATION = frozenset(string.punctuation)


def normalize_answer(text: str) -> str:
    """SQuAD's normalisation: lower case, punctuation removed, a/an/the dropped, white space collapsed.

    >>> normalize_answer("The  Rhine's  delta!")
    'rhines delta'
    """
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD's token F1 of one prediction against one gold text (both normalised first)."""
    predicted, wanted = normalize_answer(prediction).split(), normalize_answer(gold).split()
    if not predicted or not wanted:  # SQuAD 2.0: an empty side scores 1 only when both are empty
        return float(predicted == wanted)
    same = sum((Counter(predicted) & Counter(wanted)).values())
    if same == 0:
        return 0.0
    p, r = same / len(predicted), same / len(wanted)
    return 2 * p * r / (p + r)


def squad_scores(prediction: str, golds: Sequence[str]) -> tuple[float, float]:
    """``(exact_match, f1)`` of ``prediction``, each the best over ``golds`` (SQuAD's max over answers).

    >>> squad_scores("the Rhine river", ["Rhine", "Rhine River"])
    (1.0, 1.0)
    >>> squad_scores("in Basel", ["Basel, Switzerland"])
    (0.0, 0.5)
    """
    if not golds:
        return 0.0, 0.0
    em = max(float(normalize_answer(prediction) == normalize_answer(g)) for g in golds)
    return em, max(token_f1(prediction, g) for g in golds)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) with linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def gold_for(row: Mapping, texts: Mapping[str, str]) -> tuple[list[GoldSpan], bool]:
    """A row's gold spans and whether a citation must contain them (``spans`` rows) or only overlap."""
    own = row_spans(row)
    if own:  # offsets outside the text cannot be cited: leave them out, so a bad row shows as gold not found
        return [g for g in own if g[0] in texts and g[2] <= len(texts[g[0]])], True
    return locate_gold(row.get("gold", []), texts), False


def score_row(
    row: Mapping,
    answer_text: str,
    refused: bool,
    citations: Sequence[Cited],
    texts: Mapping[str, str],
    confidence: float | None = None,
    hedged: bool | None = None,
) -> dict:
    """Per-question scores. Retrieval metrics are None for unanswerable rows, refusal None for answerable.

    A refused answer scores rank 0 (a miss) whatever it cites.
    """
    gold, contain = gold_for(row, texts)
    answerable = bool(row.get("answerable", True))
    judged = citations if answerable and not refused else []
    rank = first_relevant_rank(judged, gold, contain=contain)
    lax_rank = first_relevant_rank(judged, gold, max_quote=10**9, contain=contain)
    correct = (not refused and hit_at(3, rank) == 1.0) if answerable else refused
    return {
        "id": row.get("id", ""),
        "answerable": answerable,
        "followup": bool(row.get("history_questions")),
        "refused": refused,
        "citations": len(citations),
        "gold_found": bool(gold) or not answerable,
        "gold_by": "spans" if contain else "text",
        "rank": rank,
        "hit@1": hit_at(1, rank) if answerable else None,
        "hit@3": hit_at(3, rank) if answerable else None,
        "mrr": reciprocal_rank(rank) if answerable else None,
        "span_hit@3": hit_at(3, lax_rank) if answerable else None,
        "precision": precision(citations, gold, contain=contain) if answerable else None,
        "exactness": (sum(exact(c, texts) for c in citations) / len(citations)) if citations else None,
        "exact_citations": sum(exact(c, texts) for c in citations),
        "keyword_match": keyword_match(row.get("keywords", []), answer_text, [c.quote for c in citations])
        if answerable
        else None,
        "answered": (not refused) if answerable else None,
        "refusal_correct": refused if not answerable else None,
        "confidence": confidence,
        "hedged": None if hedged is None else (hedged and not refused),
        "correct": correct,
    }


def _mean(values: Iterable) -> float | None:
    vals = [float(v) for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def summarize(rows: Sequence[dict], latencies_ms: Sequence[float]) -> dict:
    """Overall metrics from ``score_row`` results; exactness is over all citations, not per question."""
    total_citations = sum(r["citations"] for r in rows)
    return {
        "questions": len(rows),
        "hit@1": _mean(r["hit@1"] for r in rows),
        "hit@3": _mean(r["hit@3"] for r in rows),
        "mrr": _mean(r["mrr"] for r in rows),
        "span_hit@3": _mean(r["span_hit@3"] for r in rows),
        "precision": _mean(r["precision"] for r in rows),
        "exactness": (sum(r["exact_citations"] for r in rows) / total_citations) if total_citations else None,
        "keyword_match": _mean(r["keyword_match"] for r in rows),
        "answer_rate": _mean(r["answered"] for r in rows),
        "refusal_accuracy": _mean(r["refusal_correct"] for r in rows),
        "answerable_refused": _mean(None if r["answered"] is None else not r["answered"] for r in rows),
        "unanswerable_refused": _mean(r["refusal_correct"] for r in rows),
        "hedged": _mean(r.get("hedged") for r in rows),
        "followup_accuracy": _mean(r["correct"] for r in rows if r["followup"]),
        "latency_p50_ms": percentile(latencies_ms, 50),
        "latency_p99_ms": percentile(latencies_ms, 99),
    }


def parse_thresholds(items: Sequence[str]) -> dict[str, float]:
    """``["hit@3=1.0", ...]`` to ``{"hit@3": 1.0}``; ValueError naming the bad item and the valid keys."""
    out: dict[str, float] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or key not in THRESHOLD_KEYS:
            keys = ", ".join(THRESHOLD_KEYS)
            raise ValueError(f"bad --min {item!r} — use KEY=VALUE with KEY one of: {keys}")
        try:
            out[key] = float(value)
        except ValueError:
            raise ValueError(f"bad --min {item!r} — the value must be a number, e.g. {key}=0.9") from None
    return out


def failed_thresholds(summary: Mapping, thresholds: Mapping[str, float]) -> list[str]:
    """One line per threshold not met; a metric with no value (e.g. no follow-ups in the set) fails too."""
    failures = []
    for key, minimum in thresholds.items():
        value = summary.get(key)
        if value is None:
            failures.append(f"{key} has no value on this set (no questions it applies to); minimum {minimum}")
        elif value < minimum - 1e-9:
            failures.append(f"{key} = {value:.3f} is below the minimum {minimum}")
    return failures
