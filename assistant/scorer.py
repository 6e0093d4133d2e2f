"""Apply the fitted weights: order candidate sentences, and say how likely the best one answers the question.

Two logistic regressions over standardised features (``assistant.features``): the *ranker* scores each
candidate sentence; the *answerability* model turns the ranking's best candidate into a probability, and
two thresholds on it give the reader's three outcomes (answer, closest passages, refusal). Both models and
the thresholds are read from ``assistant/weights/scorer.json``, which ``evaluation/fit_scorer.py`` writes
with its cross-validated numbers; nothing here is set by hand. Inference is a dot product: numpy only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import IndexMismatch
from assistant.features import ANSWERABILITY_FEATURES, CANDIDATE_FEATURES

WEIGHTS = Path(__file__).parent / "weights" / "scorer.json"
TYPED_WITHIN = 3  # how far down the ranking a sentence holding the kind of answer asked for may come from


@dataclass(frozen=True)
class LinearModel:
    """``intercept + coef . (x - mean) / scale`` over the named features."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    @classmethod
    def from_dict(cls, d: dict, expected: Sequence[str]) -> LinearModel:
        if tuple(d["features"]) != tuple(expected):
            raise IndexMismatch(
                f"the scorer weights were fitted on other features than this code computes ({WEIGHTS}) — "
                "run: python -m evaluation.fit_scorer"
            )
        return cls(
            tuple(d["features"]),
            tuple(d["mean"]),
            tuple(d["scale"]),
            tuple(d["coef"]),
            float(d["intercept"]),
        )

    def logits(self, rows: Sequence[Sequence[float]]) -> list[float]:
        import numpy as np

        if not len(rows):
            return []
        x = (np.asarray(rows, dtype=np.float64) - self.mean) / self.scale
        return (x @ np.asarray(self.coef) + self.intercept).tolist()


def typed_first(scores: Sequence[float], typed: Sequence[bool], margin: float) -> int:
    """Which of the candidates, best first by ``scores`` (log-odds), to quote first: the best, unless it
    holds no answer of the kind the question asks for (``typed``: "What city ...?" and no city in it) and
    one of the next, within TYPED_WITHIN places and ``margin`` of the best, does; then that one."""
    if margin <= 0 or not scores or typed[0]:
        return 0
    for i in range(1, min(TYPED_WITHIN, len(scores))):
        if scores[0] - scores[i] > margin:
            break
        if typed[i]:
            return i
    return 0


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


@dataclass(frozen=True)
class Scorer:
    ranker: LinearModel
    answerability: LinearModel
    refuse_below: float  # confidence under this: the article does not say
    hedge_below: float  # under this (and not refused): the closest passages, marked as not a direct answer
    related_ratio: float  # a runner-up is shown when at least this fraction as likely to answer as the best
    related_floor: float = 0.0  # ...and at least this likely to answer itself
    typed_margin: float = 0.0  # log-odds by which a sentence holding the kind asked for may trail and lead

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Scorer:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise IndexMismatch(
                f"cannot read the scorer weights {path} ({e}) — run: python -m evaluation.fit_scorer"
            ) from e
        return cls(
            ranker=LinearModel.from_dict(data["ranker"], CANDIDATE_FEATURES),
            answerability=LinearModel.from_dict(data["answerability"], ANSWERABILITY_FEATURES),
            refuse_below=float(data["thresholds"]["refuse_below"]),
            hedge_below=float(data["thresholds"]["hedge_below"]),
            related_ratio=float(data["thresholds"]["related_ratio"]),
            related_floor=float(data["thresholds"].get("related_floor", 0.0)),
            typed_margin=float(data["thresholds"].get("typed_margin", 0.0)),
        )

    def rank(self, rows: Sequence[Sequence[float]]) -> list[float]:
        """Log-odds that each candidate answers the question (higher is better)."""
        return self.ranker.logits(rows)

    def lead(self, scores: Sequence[float], typed: Sequence[bool]) -> int:
        """Which of the candidates, best first, to quote first (``typed_first`` with the fitted margin)."""
        return typed_first(scores, typed, self.typed_margin)

    def worth_showing(self, hits: Sequence) -> list:
        """The ranked hits the reader should see: the best, and runners-up not far less likely to answer."""
        if not hits:
            return []
        floor = max(self.related_floor, self.related_ratio * sigmoid(hits[0].score))
        return [hits[0], *(h for h in hits[1:] if sigmoid(h.score) >= floor)]

    def confidence(self, features: Sequence[float]) -> float:
        """Probability (0..1) that the best-ranked sentence answers the question."""
        return sigmoid(self.answerability.logits([features])[0])
