"""Extractive summary baselines for ``eval --summaries``: Lead-k and TextRank, over the index's own sentences.

TextRank as Mihalcea & Tarau (2004) give it for sentence extraction (``textrank``): a graph whose nodes are
the sentences and whose edge weights are their word overlap, ``|Si ∩ Sj| / (log|Si| + log|Sj|)``, ranked by
weighted PageRank (damping 0.85) computed by power iteration; the ``k`` best sentences are printed in article
order. Words are ``assistant.text.tokens`` (lower case, stop words out), as the rest of the project reads
them. ``textrank_cosine`` is the same ranking over the cosine of sentence vectors (MiniLM's, in the eval).

Both take and return sentence spans ``(start, end)`` into the article's text, so a baseline's summary is
scored exactly as the assistant's cited sentences are. No model, no files; numpy only.

>>> text = "Cats purr. Dogs bark at cats. Cats and dogs play. Fish swim."
>>> spans = [(0, 10), (11, 29), (30, 49), (50, 60)]
>>> [text[s:e] for s, e in lead(spans, 2)]
['Cats purr.', 'Dogs bark at cats.']
>>> [text[s:e] for s, e in textrank(text, spans, 2)]
['Dogs bark at cats.', 'Cats and dogs play.']
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answering.summary import overlap_similarity, pagerank
from assistant.text import tokens

Span = tuple[int, int]


def lead(spans: Sequence[Span], k: int) -> list[Span]:
    """The first ``k`` sentences."""
    return list(spans[: max(k, 0)])


def textrank(text: str, spans: Sequence[Span], k: int) -> list[Span]:
    """The ``k`` most central sentences by TextRank, in article order (ties: the earlier sentence)."""
    import numpy as np

    if k <= 0 or not spans:
        return []
    words = [set(tokens(text[s:e])) for s, e in spans]
    n = len(spans)
    weights = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            weights[i, j] = weights[j, i] = overlap_similarity(words[i], words[j])
    return _top(spans, pagerank(weights), k)


def textrank_cosine(vectors, spans: Sequence[Span], k: int) -> list[Span]:
    """TextRank with the cosine of sentence vectors (e.g. MiniLM's, one row per span) as edge weights,
    negative cosines cut to 0, as LexRank-style variants do."""
    import numpy as np

    if k <= 0 or not spans:
        return []
    v = np.asarray(vectors, dtype=float)
    v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    weights = np.clip(v @ v.T, 0.0, None)
    np.fill_diagonal(weights, 0.0)
    return _top(spans, pagerank(weights), k)


def _top(spans: Sequence[Span], scores, k: int) -> list[Span]:
    best = sorted(range(len(spans)), key=lambda i: (-round(float(scores[i]), 12), i))[:k]
    return [spans[i] for i in sorted(best)]
