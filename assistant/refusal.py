"""Decide whether the retrieved sentences answer the question at all, or say the article does not.

Three signals, calibrated on the development questions (see README, "How refusal works"):
a name or number in the question that no indexed sentence contains; a best sentence that is not close in
meaning; a weak best sentence that shares none of the question's other content words. A "how many"
question whose candidate sentences hold no number is refused too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant import answertype
from assistant.retrieval import Hit
from assistant.text import proper_nouns, stem, tokens

MIN_DENSE = 0.30  # below this the best sentence is unrelated (dev: unanswerable <= 0.38, answerable >= 0.50)
WEAK_DENSE = 0.50  # below this, the top sentences must also share a content word beyond the names


@dataclass(frozen=True)
class Verdict:
    refused: bool
    reason: str = ""


def known(word: str, vocabulary: set[str]) -> bool:
    """True when ``word`` or an inflection of it (Ukrainian ~ Ukraine, Russians ~ Russia) is indexed."""
    if word in vocabulary or stem(word) in vocabulary:
        return True
    prefix = word[: max(4, len(word) - 3)]
    return len(prefix) >= 4 and any(v.startswith(prefix) for v in vocabulary)


def judge(question: str, query: str, hits: Sequence[Hit], vocabulary: set[str]) -> Verdict:
    """Refuse unless the hits plausibly answer ``question`` (``query`` is it with follow-up context)."""
    if not hits:
        return Verdict(True, "nothing is indexed")
    missing = [raw for w, raw in proper_nouns(question) if not known(w, vocabulary)]
    if missing:
        return Verdict(True, f"the articles do not mention {', '.join(missing)}")
    best = max(h.dense for h in hits)
    if best < MIN_DENSE:
        return Verdict(True, f"no passage is close to the question (best similarity {best:.2f})")
    if best < WEAK_DENSE:
        names = {stem(w) for w, _ in proper_nouns(query)}
        content = {t for t in tokens(query)} - names
        covered = {t for h in hits[:3] for t in tokens(h.text)}
        if content and not content & covered:
            return Verdict(True, f"no passage shares the question's words (best similarity {best:.2f})")
    if answertype.expected(question) == "number" and not any(answertype.has("number", h.text) for h in hits):
        return Verdict(True, "the question asks for a number and no passage gives one")
    return Verdict(False)
