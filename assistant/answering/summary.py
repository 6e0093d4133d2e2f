"""An extractive summary as a ranking with a budget: the sentences most likely to be in a reference summary,
not repeating one another, returned in article order.

Salience is a logistic regression over a few features of each sentence (``FEATURES``): its TextRank centrality
(Mihalcea & Tarau 2004: weighted PageRank over the graph of the article's sentences whose edges are their word
overlap, ``|Si & Sj| / (log|Si| + log|Sj|)``), the same over the cosine of their word counts, its place in the
article by each (a summary takes the top few, whatever their scores), how frequent its words are in the
article, its length (and against the article's mean), the article's length, its position, its overlap with the
headline (words and MiniLM cosine), its MiniLM cosine to the article's centroid, and whether it has a number.
Each next sentence maximises ``weight * salience - (1 - weight) * redundancy``, salience the regression's
probability (times the sentence's content words to a fitted ``power``: ROUGE counts words, not sentences) and
redundancy the highest MiniLM cosine to a sentence already taken (maximal marginal relevance). The length
grows with the article, between ``SHORTEST`` and ``LONGEST`` sentences; ``lede`` says whether the first
sentence is always taken. The regression, ``power``, ``weight``, ``share`` and ``lede`` are fitted on the
public BBC summaries (``evaluation/fit_summary.py`` writes ``assistant/weights/summary.json``); without a
regression the salience is TextRank's centrality alone. This module picks sentences; it does not quote or cite
them.

>>> import numpy as np
>>> texts = ["Ferry fares rise.", "Ferry fares rise in March.", "Fuel pushes ferry fares up.", "Gulls nest."]
>>> v = np.eye(4, dtype=np.float32); v[1] = v[0]
>>> pick(texts, v, 2, weight=0.5)  # the lede, then the central sentence that does not repeat it
[0, 2]
>>> features(texts, v, "Ferry fares up").shape == (4, len(FEATURES))
True
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.text import tokens

if TYPE_CHECKING:
    import numpy as np

WEIGHTS = Path(__file__).resolve().parent.parent / "weights" / "summary.json"
SHORTEST, LONGEST = 3, 5
DAMPING = 0.85


FEATURES = (
    "textrank",  # centrality over word overlap, the article's most central 1
    "frequency",  # the sum of its words' counts in the article, the article's highest 1
    "frequency_mean",  # the same per word
    "log_words",
    "lede",  # 1 for the first sentence
    "position",  # 0 for the first sentence, 1 for the last
    "inverse_position",  # 1 / (1 + index)
    "headline_words",  # share of the headline's words it has
    "headline_cosine",  # MiniLM cosine to the headline (0 without one)
    "centroid_cosine",  # MiniLM cosine to the mean of the article's sentence vectors
    "digits",  # 1 when it has a number
    "textrank_cosine",  # centrality over the cosine of word counts, the article's most central 1
    "textrank_rank",  # its place by "textrank", 0 for the most central, 1 for the least
    "cosine_rank",  # its place by "textrank_cosine"
    "relative_words",  # log_words less the article's mean
    "log_sentences",  # the article's length: a long article's summary leaves more out
)


@dataclass(frozen=True)
class SummaryParams:
    weight: float = 0.7  # salience against redundancy
    share: float = 0.25  # of the article's sentences, within SHORTEST..LONGEST
    lede: bool = True  # the first sentence always taken
    model: dict | None = None  # logistic regression over FEATURES: mean, scale, coef, intercept
    power: float = 0.0  # salience times (content words) ** power: a longer sentence says more of the story

    @classmethod
    @lru_cache(maxsize=4)  # read once per process: a summary question pays no file read
    def load(cls, path: Path = WEIGHTS) -> SummaryParams:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError:
            return cls()
        model = data.get("model")
        if model is not None and tuple(model.get("features", ())) != FEATURES:
            model = None  # fitted on other features than these: TextRank alone, until refitted
        lede, power = bool(data.get("lede", True)), float(data.get("power", 0.0))
        return cls(float(data["weight"]), float(data["share"]), lede, model, power)

    def length(self, sentences: int) -> int:
        return max(min(SHORTEST, sentences), min(LONGEST, sentences, round(self.share * sentences)))


def overlap_similarity(a: set[str], b: set[str]) -> float:
    """Mihalcea & Tarau's sentence similarity: shared words over the sum of the log lengths."""
    shared = len(a & b)
    if not shared:
        return 0.0
    norm = math.log(len(a)) + math.log(len(b))
    return shared / norm if norm > 0 else float(shared)  # two one-word sentences: log 1 + log 1 = 0


def pagerank(weights, damping: float = DAMPING, tol: float = 1e-8, max_iter: int = 200):
    """Weighted PageRank of a square, non-negative, symmetric weight matrix, by power iteration.

    A node with no edges gets only the teleport share, ``(1 - damping) / n``, as in the paper's formula.
    """
    import numpy as np

    w = np.asarray(weights, dtype=float)
    n = len(w)
    if n == 0:
        return np.zeros(0)
    out = w.sum(axis=1)
    transition = np.divide(w, out[:, None], out=np.zeros_like(w), where=out[:, None] > 0)
    scores = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        new = (1 - damping) / n + damping * (transition.T @ scores)
        if np.abs(new - scores).sum() < tol:
            return new
        scores = new
    return scores


def centrality(texts: Sequence[str]):
    """Each sentence's TextRank score over word overlap, scaled so the most central is 1."""
    import numpy as np

    bags = [set(tokens(t)) for t in texts]
    n = len(bags)
    weights = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            weights[i, j] = weights[j, i] = overlap_similarity(bags[i], bags[j])
    scores = pagerank(weights)
    return scores / scores.max() if n else scores


def cosine_centrality(texts: Sequence[str]):
    """Each sentence's TextRank score with edges the cosine of the sentences' word counts (Erkan & Radev's
    continuous LexRank without idf), scaled so the most central is 1."""
    from collections import Counter

    import numpy as np

    bags = [Counter(tokens(t)) for t in texts]
    vocab = {w: i for i, w in enumerate(sorted({w for bag in bags for w in bag}))}
    x = np.zeros((len(bags), max(len(vocab), 1)))
    for i, bag in enumerate(bags):
        for w, c in bag.items():
            x[i, vocab[w]] = c
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    weights = x @ x.T
    np.fill_diagonal(weights, 0.0)
    scores = pagerank(weights)
    return scores / scores.max() if len(scores) else scores


def _places(scores):
    """Each score's place, 0 for the highest and 1 for the lowest (ties: the earlier first)."""
    import numpy as np

    n = len(scores)
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    places = np.empty(n)
    places[order] = np.arange(n)
    return places / max(n - 1, 1)


def features(texts: Sequence[str], vectors, headline: str = "", headline_vector=None):
    """One row of ``FEATURES`` per sentence (the body's, without the headline line)."""
    from collections import Counter

    import numpy as np

    n = len(texts)
    if n == 0:
        return np.zeros((0, len(FEATURES)))
    bags = [tokens(t) for t in texts]
    counts = Counter(w for bag in bags for w in bag)
    freq = np.array([sum(counts[w] for w in bag) for bag in bags], dtype=float)
    freq_mean = np.array([f / len(bag) if bag else 0.0 for f, bag in zip(freq, bags, strict=True)])
    v = _unit(vectors)
    centroid = v.mean(axis=0)
    centroid_cos = v @ (centroid / max(float(np.linalg.norm(centroid)), 1e-12))
    head = set(tokens(headline))
    head_words = np.array([len(head & set(bag)) / len(head) if head else 0.0 for bag in bags])
    head_cos = (
        v @ _unit(np.asarray(headline_vector)[None, :])[0] if headline_vector is not None else np.zeros(n)
    )
    index = np.arange(n, dtype=float)
    textrank, cosine = centrality(texts), cosine_centrality(texts)
    log_words = np.log([max(len(bag), 1) for bag in bags])
    return np.column_stack(
        [
            textrank,
            freq / max(freq.max(), 1e-12),
            freq_mean / max(freq_mean.max(), 1e-12),
            log_words,
            index == 0,
            index / max(n - 1, 1),
            1 / (1 + index),
            head_words,
            head_cos,
            centroid_cos,
            [any(c.isdigit() for c in t) for t in texts],
            cosine,
            _places(textrank),
            _places(cosine),
            log_words - log_words.mean(),
            np.full(n, math.log(n)),
        ]
    ).astype(float)


def salience(rows, model: dict, power: float = 0.0):
    """The regression's probability that each sentence is in a reference summary, times its number of
    content words to the ``power``."""
    import numpy as np

    rows = np.asarray(rows, dtype=float)
    x = (rows - model["mean"]) / np.asarray(model["scale"], dtype=float)
    p = 1 / (1 + np.exp(-(x @ np.asarray(model["coef"], dtype=float) + model["intercept"])))
    return p * np.exp(power * rows[:, FEATURES.index("log_words")]) if power else p


def _unit(vectors):
    import numpy as np

    v = np.asarray(vectors, dtype=float)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def pick(
    texts: Sequence[str],
    vectors: np.ndarray,
    k: int,
    weight: float,
    *,
    lede: bool = True,
    model: dict | None = None,
    power: float = 0.0,
    headline: str = "",
    headline_vector=None,
) -> list[int]:
    """Indexes of ``k`` sentences (the first always, with ``lede``), in article order; by ``model``'s
    salience, or by TextRank's centrality without one."""
    if not texts or k <= 0:
        return []
    if model is None:
        relevance = centrality(texts)
    else:
        relevance = salience(features(texts, vectors, headline, headline_vector), model, power)
    return select(relevance, vectors, k, weight, lede)


def select(relevance, vectors, k: int, weight: float, lede: bool = True) -> list[int]:
    """Maximal marginal relevance: ``k`` indexes greedily by ``weight * relevance - (1 - weight) *
    redundancy`` (the first first, with ``lede``), in article order."""
    import numpy as np

    relevance = np.asarray(relevance, dtype=float)
    n = len(relevance)
    v = _unit(vectors)
    sim = v @ v.T
    chosen = [0] if lede and n else []
    while len(chosen) < min(k, n):
        redundancy = sim[:, chosen].max(axis=1) if chosen else np.zeros(n)
        score = weight * relevance - (1 - weight) * redundancy
        score[chosen] = -np.inf
        chosen.append(int(score.argmax()))
    return sorted(chosen)
