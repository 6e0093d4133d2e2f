"""Decide from one calibrated answerability score whether to answer, to hedge, or to refuse.

The ranking's ``confidence`` is the fitted probability that its best sentence answers the question
(``assistant.scorer``). Two thresholds, fitted with it, give the reader three plain outcomes:

- ``answer``: confidence at or above ``hedge_below``;
- ``hedge``: "the article does not answer this directly; the closest passages are: ...", with the quotes;
- ``refuse``: below ``refuse_below``; nothing is quoted as an answer.

No single word vetoes an answer here: a name the articles never mention lowers the score through its feature,
and is given as the reason when the score is low; so are the thing a "how many ...?" question counts when
the article never mentions it, the speaker a "what did ... say?" question names when no close passage
is theirs, and the number a "how many / how much ...?" question asks for when the best passage's numbers
are of something else. A hedge states that reason before the passages it quotes: what the article
lacks, then what it does say.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.retrieval import Ranking
from assistant.text import words


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
    if question and not words(question):  # emoji or punctuation only: no word any passage could answer
        return Decision("refuse", 0.0, "the question has no words to look for")
    confidence = ranking.confidence
    if confidence >= hedge_below:
        return Decision("answer", confidence)
    missing = _unknown_names(question, ranking)
    lacks = f"the articles do not mention {', '.join(missing)}" if missing else _not_said(question, ranking)
    if confidence >= refuse_below:  # a hedge gives a reason only when it can say what the article lacks
        return Decision("hedge", confidence, lacks)
    return Decision(
        "refuse", confidence, lacks or f"no passage clearly answers it (confidence {confidence:.2f})"
    )


def _unknown_names(question: str, ranking: Ranking) -> list[str]:
    """The question's names that no indexed article mentions, by any alias: the reason a reader can act on."""
    from assistant.text import proper_nouns

    unknown = ranking.question.unknown_name_words
    return [raw for w, raw in proper_nouns(question) if w in unknown]


def _not_said(question: str, ranking: Ranking) -> str:
    """What the article lacks that the question asks for, when the ranking's features say it: the thing a
    "how many ...?" question counts, a quote of the speaker a "what did ... say?" question names, or the
    number asked for."""
    from assistant.features import ANSWERABILITY_FEATURES
    from assistant.text import stem

    values = dict(zip(ANSWERABILITY_FEATURES, ranking.features, strict=False))
    q = ranking.question
    if values.get("focus_missing") and q.focus:
        written = next((w for w in words(question) if stem(w) == q.focus), q.focus)
        return f"the article never mentions {written}"
    if values.get("speaker_missing") and q.speaker:
        return f"none of these passages is something {' '.join(q.speaker)} said"
    if values.get("number_unattached"):  # a number is there, but not of what the question counts
        written = next((w for w in words(question) if q.focus and stem(w) == q.focus), "")
        return f"no passage gives the number of {written}" if written else "no passage gives that number"
    return ""
