"""Decide from one calibrated answerability score whether to answer, to hedge, or to refuse.

The ranking's ``confidence`` is the fitted probability that its best sentence answers the question
(``assistant.scorer``). Two thresholds, fitted with it, give the reader three plain outcomes:

- ``answer``: confidence at or above ``hedge_below``;
- ``hedge``: "the article does not answer this directly; the closest passages are: ...", with the quotes;
- ``refuse``: below ``refuse_below``; nothing is quoted as an answer.

No single word vetoes an answer here: a name the articles never mention lowers the score through its feature,
and is given as the reason when the score is low.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.retrieval import Ranking


@dataclass(frozen=True)
class Decision:
    """What to do with a question: answer it, hedge, or refuse; and why, when it is not an answer."""

    outcome: str  # "answer", "hedge" or "refuse"
    confidence: float
    reason: str = ""

    @property
    def refused(self) -> bool:
        return self.outcome == "refuse"


def judge(ranking: Ranking, refuse_below: float, hedge_below: float, question: str = "") -> Decision:
    """The outcome for ``ranking`` under the fitted thresholds, with a reason for the reader when it is not
    an answer."""
    if not ranking.hits:
        return Decision("refuse", 0.0, "nothing is indexed that matches")
    confidence = ranking.confidence
    if confidence >= hedge_below:
        return Decision("answer", confidence)
    missing = _unknown_names(question, ranking)
    if missing:
        reason = f"the articles do not mention {', '.join(missing)}"
    else:
        reason = f"no passage clearly answers it (confidence {confidence:.2f})"
    return Decision("refuse" if confidence < refuse_below else "hedge", confidence, reason)


def _unknown_names(question: str, ranking: Ranking) -> list[str]:
    """The question's names that no indexed article mentions, by any alias: the reason a reader can act on."""
    from assistant.text import proper_nouns

    unknown = ranking.question.unknown_name_words
    return [raw for w, raw in proper_nouns(question) if w in unknown]
