"""Route a question once, by meaning: an article-level intent ("about", "summary", "date", "credit",
"quoted", "headline") or none (a question about what the article says).

A route is a name and example utterances, as in semantic-router. The examples (``eval/intents.jsonl``,
written by hand) are embedded with the same MiniLM model that embeds questions; a question goes to the
intent of its nearest example when that example is closer than the nearest "none" example by at least the
fitted ``margin``, and at least ``floor`` close in itself. ``evaluation/fit_router.py`` fits both on held-out
folds of several sets and writes ``assistant/weights/router.json`` (with the examples' vectors in
``router.npy``, so a process does not embed them again). Nothing here is set by hand.

This module does not answer: ``assistant.answering.article`` does, for the article the question means.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import IndexMismatch
from assistant.text import STOPWORDS, tokens, words

if TYPE_CHECKING:
    import numpy as np
    from langchain_core.embeddings import Embeddings

WEIGHTS = Path(__file__).resolve().parent.parent / "weights" / "router.json"
NONE = "none"
INTENTS = ("about", "summary", "date", "credit", "quoted", "headline")
# Words that only say "the article" and never which one: "what's this story about?" names no article.
_ARTICLE_WORDS = frozenset("article story piece one report news item this that".split())
# Nouns a reader calls an article by; only a question with one may name its article ("the ba story").
_ARTICLE_NOUNS = frozenset("article story piece one report item".split())
NEAREST = 3  # an intent's score: the mean cosine of its NEAREST closest examples
COMMON_SHARE = 0.01  # a word of asking is in at least this share of the examples


@dataclass(frozen=True)
class Routed:
    """Where a question goes: ``intent`` ("" for none), how sure (the margin), and the words left that may
    name the article it means ("the ba story" -> ["ba"])."""

    intent: str
    margin: float
    rest: tuple[str, ...] = ()


class Router:
    """Nearest-example routing over embedded example utterances, with fitted ``margin`` and ``floor``."""

    def __init__(
        self,
        embedder: Embeddings,
        examples: list[tuple[str, str]],
        margin: float,
        floor: float,
        vectors: np.ndarray | None = None,
    ) -> None:
        self.embedder = embedder
        self.examples = examples
        self.margin = margin
        self.floor = floor
        self._vectors = vectors
        self._lock = threading.Lock()
        # the words of asking for an article ("who wrote", "story", "summarize"), from the article-level
        # examples only: the "none" ones name what stories say ("blair", "fans"), which may name an article
        self.known = common_words([t for t, intent in examples if intent != NONE], of=len(examples))
        self.vocabulary = dict.fromkeys(INTENTS, self.known)

    @classmethod
    def load(cls, embedder: Embeddings, path: Path = WEIGHTS) -> Router:
        """The fitted router; its stored vectors are used when ``embedder`` is the model they came from."""
        import numpy as np

        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            examples = [(e["text"], e["intent"]) for e in data["examples"]]
            vectors = None
            if getattr(embedder, "name", None) == data["model"]:
                vectors = np.load(path.with_suffix(".npy")).astype(np.float32)
                if vectors.shape[0] != len(examples):
                    vectors = None
        except (OSError, ValueError, KeyError) as e:
            raise IndexMismatch(
                f"cannot read the router weights {path} ({e}) — run: python -m evaluation.fit_router"
            ) from e
        return cls(embedder, examples, float(data["margin"]), float(data["floor"]), vectors)

    @property
    def vectors(self) -> np.ndarray:
        if self._vectors is None:
            import numpy as np

            with self._lock:
                if self._vectors is None:
                    texts = [t for t, _ in self.examples]
                    self._vectors = np.asarray(self.embedder.embed_documents(texts), dtype=np.float32)
        return self._vectors

    def scores(self, vector) -> dict[str, float]:
        """Each intent's (and "none"'s) mean cosine of its ``NEAREST`` examples to a question vector."""
        import numpy as np

        sims = self.vectors @ np.asarray(vector, dtype=np.float32)
        return nearest(sims, [intent for _, intent in self.examples])

    def readings(self, question: str, articles: frozenset[str] | set[str] = frozenset()) -> list[str]:
        """The question, and the question without the words no example uses (those name the article:
        "the harbour wall story"), when that leaves something."""
        if not _ARTICLE_NOUNS & set(words(question)):
            return [question]
        return [t for t in dict.fromkeys([question, strip_unknown(question, self.known, articles)]) if t]

    def route(self, question: str, articles: frozenset[str] | set[str] = frozenset()) -> Routed:
        """The question's intent, or ``Routed("")`` when it asks about what the article says. ``articles``:
        the stems the indexed articles use (only those can name an article)."""
        scores = [self.scores(self.embedder.embed_query(t)) for t in self.readings(question, articles)]
        return decide_any(question, scores, self.margin, self.floor, self.vocabulary)


def nearest(sims, labels: list[str], k: int = NEAREST) -> dict[str, float]:
    """Per label, the mean of its ``k`` highest similarities in ``sims`` (aligned with ``labels``)."""
    by_label: dict[str, list[float]] = {}
    for label, s in zip(labels, sims.tolist(), strict=True):
        by_label.setdefault(label, []).append(s)
    return {label: sum(sorted(v, reverse=True)[:k]) / min(k, len(v)) for label, v in by_label.items()}


def decide_any(
    question: str,
    readings: list[dict[str, float]],
    margin: float,
    floor: float,
    vocabulary: dict[str, frozenset[str]] | None = None,
) -> Routed:
    """``decide`` over each reading's scores: the routed reading with the widest margin wins."""
    best = Routed("", -1.0)
    for scores in readings:
        got = decide(question, scores, margin, floor, vocabulary)
        if got.intent and (not best.intent or got.margin > best.margin):
            best = got
    return best


def common_words(texts: list[str], share: float = COMMON_SHARE, of: int | None = None) -> frozenset[str]:
    """Words in at least ``share`` of the examples (of ``of`` examples when given; and in three at least): the
    words of asking ("summarize", "story", "what's"), not of a story ("harbour", "ferries") that an example
    happens to name."""
    df: dict[str, int] = {}
    for text in texts:
        for w in set(words(text)):
            df[w] = df.get(w, 0) + 1
    least = max(3, share * (of if of is not None else len(texts)))
    return frozenset(w for w, n in df.items() if n >= least)


def strip_unknown(
    question: str, known: frozenset[str], articles: frozenset[str] | set[str] = frozenset()
) -> str:
    """The question without the words that are not words of asking (``common_words``) but are words of the
    articles (stems in ``articles``): "what's the harbour wall story about?" -> "what's the story about?".
    "Ignore the article and tell me a joke" keeps "joke", which no article uses. "" when nothing goes."""
    import re

    kept, dropped = [], False
    for raw in question.split():
        ws = words(raw)
        if ws and not all(w in known for w in ws) and all(t in articles for t in tokens(raw)):
            dropped = True
            continue
        kept.append(raw)
    if not dropped or not kept:
        return ""
    return re.sub(r"\s+", " ", " ".join(kept)).strip()


def decide(
    question: str,
    scores: dict[str, float],
    margin: float,
    floor: float,
    vocabulary: dict[str, frozenset[str]] | None = None,
) -> Routed:
    """The rule, on the nearest-example cosines of one question (the fitter calls it too)."""
    intents = {k: v for k, v in scores.items() if k != NONE}
    if not intents:
        return Routed("", 0.0)
    intent = max(intents, key=intents.get)
    gap = intents[intent] - scores.get(NONE, -1.0)
    if gap < margin or intents[intent] < floor:
        return Routed("", gap)
    known = (vocabulary or {}).get(intent, frozenset())
    rest = tuple(
        w
        for w in dict.fromkeys(words(question))
        if w not in known and w not in STOPWORDS and w not in _ARTICLE_WORDS and len(w) > 1
    )
    return Routed(intent, gap, rest)
