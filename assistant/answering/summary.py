"""An extractive summary as a ranking with a budget: the lede, then the most central sentences not already
said, returned in article order.

Centrality is TextRank's (Mihalcea & Tarau 2004): weighted PageRank over the graph of the article's
sentences whose edges are their word overlap, ``|Si & Sj| / (log|Si| + log|Sj|)``. Each next sentence
maximises ``weight * centrality - (1 - weight) * redundancy``, centrality scaled to the article's best and
redundancy the highest MiniLM cosine to a sentence already taken (maximal marginal relevance). The length
grows with the article, between ``SHORTEST`` and ``LONGEST`` sentences. ``weight`` and ``share`` are fitted
on the public BBC summaries (``evaluation/fit_summary.py`` writes ``assistant/weights/summary.json``).
This module picks sentences; it does not quote or cite them.

>>> import numpy as np
>>> texts = ["Ferry fares rise.", "Ferry fares rise in March.", "Fuel pushes ferry fares up.", "Gulls nest."]
>>> v = np.eye(4, dtype=np.float32); v[1] = v[0]
>>> pick(texts, v, 2, weight=0.5)  # the lede, then the central sentence that does not repeat it
[0, 2]
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


@dataclass(frozen=True)
class SummaryParams:
    weight: float = 0.7  # centrality against redundancy
    share: float = 0.25  # of the article's sentences, within SHORTEST..LONGEST

    @classmethod
    @lru_cache(maxsize=4)  # read once per process: a summary question pays no file read
    def load(cls, path: Path = WEIGHTS) -> SummaryParams:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError:
            return cls()
        return cls(float(data["weight"]), float(data["share"]))

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


def pick(texts: Sequence[str], vectors: np.ndarray, k: int, weight: float) -> list[int]:
    """Indexes of ``k`` sentences (the first always), in article order."""
    import numpy as np

    n = len(texts)
    if n == 0 or k <= 0:
        return []
    central = centrality(texts)
    v = np.asarray(vectors, dtype=np.float32)
    sim = v @ v.T
    chosen = [0]
    while len(chosen) < min(k, n):
        redundancy = sim[:, chosen].max(axis=1)
        score = weight * central - (1 - weight) * redundancy
        score[chosen] = -np.inf
        chosen.append(int(score.argmax()))
    return sorted(chosen)
