"""An extractive summary as a ranking with a budget: the lede, then the most central sentences not already
said (maximal marginal relevance over MiniLM sentence vectors), returned in article order.

Centrality is a sentence's mean cosine to the article's other sentences (the degree of LexRank's graph);
each next sentence maximises ``weight * centrality - (1 - weight) * (its highest cosine to a chosen one)``.
The length grows with the article, between ``SHORTEST`` and ``LONGEST`` sentences. ``weight`` and
``share`` are fitted on the public BBC summaries (``evaluation/fit_summary.py`` writes
``assistant/weights/summary.json``). This module picks sentences; it does not quote or cite them.

>>> import numpy as np
>>> v = np.eye(4, dtype=np.float32); v[2] = v[1]
>>> pick(v, 3, weight=0.5)  # the lede, then never both of the twin sentences 1 and 2
[0, 1, 3]
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

WEIGHTS = Path(__file__).resolve().parent.parent / "weights" / "summary.json"
SHORTEST, LONGEST = 3, 5


@dataclass(frozen=True)
class SummaryParams:
    weight: float = 0.7  # centrality against redundancy
    share: float = 0.25  # of the article's sentences, within SHORTEST..LONGEST

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> SummaryParams:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError:
            return cls()
        return cls(float(data["weight"]), float(data["share"]))

    def length(self, sentences: int) -> int:
        return max(min(SHORTEST, sentences), min(LONGEST, sentences, round(self.share * sentences)))


def pick(vectors: np.ndarray, k: int, weight: float) -> list[int]:
    """Row indexes of ``k`` sentences (the first always), in article order."""
    import numpy as np

    n = len(vectors)
    if n == 0 or k <= 0:
        return []
    v = np.asarray(vectors, dtype=np.float32)
    sim = v @ v.T
    centrality = (sim.sum(axis=1) - np.diag(sim)) / max(1, n - 1)
    chosen = [0]
    while len(chosen) < min(k, n):
        redundancy = sim[:, chosen].max(axis=1)
        score = weight * centrality - (1 - weight) * redundancy
        score[chosen] = -np.inf
        chosen.append(int(score.argmax()))
    return sorted(chosen)
