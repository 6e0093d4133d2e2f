"""Scores of an extractive summary against a reference: ROUGE-1/2/L F1 and reference-sentence recall.

The BBC reference summaries (``../shared/eval/bbc/summaries``) are sentences copied from the article and run
together with no space between them. ``reference_spans`` finds them in the article: from each point of the
summary, the longest stretch that occurs in the article, which ends where a sentence of the reference ends
(the article has a space or a line break there, the summary has none). So each reference sentence becomes an
article span ``(start, end)``, and a summary that cites article offsets can be checked against it.

A cited span *covers* a reference sentence when it contains it or overlaps more than half of it;
``sentence_recall`` is the share of reference sentences some cited span covers. ROUGE is Google's
``rouge-score`` package (``rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)``, the
``bench`` extra), over the cited text joined by spaces against the reference sentences joined by spaces.

>>> article = "Title\\n\\nThe cat sat. It was warm. Then it slept."
>>> reference_spans("It was warm.Then it slept.", article)
[(20, 32), (33, 47)]
>>> sentence_recall([(7, 32)], [(20, 32), (33, 47)])
0.5
"""

from __future__ import annotations

from collections.abc import Sequence

Span = tuple[int, int]
MIN_PIECE = 8  # a stretch shorter than this is a stray character run, not a sentence of the reference
ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")


def _longest_prefix_in(summary: str, at: int, article: str) -> tuple[int, int]:
    """``(length, article offset)`` of the longest prefix of ``summary[at:]`` found in ``article``."""
    lo, hi, where = 0, len(summary) - at, -1
    while lo < hi:  # "occurs in the article" is monotone in the prefix's length: binary search it
        mid = (lo + hi + 1) // 2
        found = article.find(summary[at : at + mid])
        if found >= 0:
            lo, where = mid, found
        else:
            hi = mid - 1
    return lo, where


def reference_spans(summary: str, article: str) -> list[Span]:
    """The reference's sentences as article spans, in the reference's order (white space trimmed)."""
    spans, at = [], 0
    while at < len(summary):
        length, where = _longest_prefix_in(summary, at, article)
        if length == 0:
            at += 1
            continue
        start, end = where, where + length
        while start < end and article[start].isspace():
            start += 1
        while end > start and article[end - 1].isspace():
            end -= 1
        if end - start >= MIN_PIECE:
            spans.append((start, end))
        at += length
    return spans


def covers(cited: Span, sentence: Span) -> bool:
    """The cited span contains the sentence, or overlaps more than half of it."""
    (cs, ce), (ss, se) = cited, sentence
    if cs <= ss and se <= ce:
        return True
    return max(0, min(ce, se) - max(cs, ss)) * 2 > se - ss


def sentence_recall(cited: Sequence[Span], reference: Sequence[Span]) -> float | None:
    """Share of reference sentences that some cited span covers; None for an empty reference."""
    if not reference:
        return None
    return sum(any(covers(c, r) for c in cited) for r in reference) / len(reference)


class Rouge:
    """ROUGE-1/2/L F1 with rouge-score's tokenizer and Porter stemmer (one scorer for many calls)."""

    def __init__(self) -> None:
        try:
            from rouge_score import rouge_scorer
        except ImportError as e:
            raise ImportError(
                "ROUGE needs the rouge-score package — install the bench extra: pip install -e '.[bench]'"
            ) from e
        self._scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)

    def f1(self, candidate: str, reference: str) -> dict[str, float]:
        """``{"rouge1": F1, "rouge2": F1, "rougeL": F1}``; all 0 for an empty candidate."""
        scores = self._scorer.score(reference, candidate)  # rouge-score takes (target, prediction)
        return {k: scores[k].fmeasure for k in ROUGE_TYPES}


def joined(text: str, spans: Sequence[Span]) -> str:
    """The spans' text joined by single spaces, in the order given."""
    return " ".join(text[s:e] for s, e in spans)
