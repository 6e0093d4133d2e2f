"""Questions about who said what: "What did Putin say?", "What did the officials say about X?", "Who said X?".

Speakers are attributed per sentence at index time (``index.news``). Here a question is matched to a known
speaker, and the candidate sentences are narrowed to that speaker's statements.

>>> asked_speaker("What did Putin say about Europe?", ["Vladimir Putin", "two U.S. officials"])
('Vladimir Putin', True)
>>> asked_speaker("What did the officials say?", ["Vladimir Putin", "two U.S. officials"])
('two U.S. officials', False)
>>> asks_who_said("Who warned of serious consequences?")
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from assistant.text import tokens
from index.news import VERBS

if TYPE_CHECKING:
    from assistant.retrieval import Hit

_WHAT_DID = re.compile(
    rf"^\s*what\s+(?:did|does|has|have|do)\s+(?P<who>.+?)\s+(?:{VERBS}|say|tell|warn|claim|add|argue|state)\b"
    r"(?P<topic>.*)$",
    re.I,
)
_WHAT_WERE = re.compile(
    r"^\s*what\s+(?:were|are)\s+(?P<who>.+?)(?:'s|\u2019s)\s+(?:statements|remarks|comments|words)\b(?P<topic>.*)$",
    re.I,
)
_WHO_SAID = re.compile(rf"^\s*who\s+(?:{VERBS}|is quoted|was quoted|stated|made)\b", re.I)
_SKIP = frozenset("the a an of and us u.s".split())


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z.'-]*", text.lower()) if w not in _SKIP}


def asked_speaker(question: str, known: Iterable[str]) -> tuple[str, bool] | None:
    """``(speaker, has_topic)`` when the question asks what a known speaker said, else None."""
    m = _WHAT_DID.match(question) or _WHAT_WERE.match(question)
    if not m:
        return None
    who = _words(m.group("who"))
    if not who:
        return None
    best, best_overlap = None, 0
    for speaker in known:
        overlap = len(who & _words(speaker))
        if overlap > best_overlap:
            best, best_overlap = speaker, overlap
    if best is None:
        return None
    return best, bool(m.group("topic").strip(" ?.!"))


def speaker_asked(question: str) -> str:
    """Whom a "What did X say...?" question asks about, as the question writes it ("" for other questions);
    known to the articles or not (``asked_speaker`` matches it to the speakers they quote)."""
    m = _WHAT_DID.match(question) or _WHAT_WERE.match(question)
    return m.group("who") if m else ""


def asked_topic(question: str) -> str:
    """What a "What did X say about Y?" question asks about ("about Y"; "" when it names no topic)."""
    m = _WHAT_DID.match(question) or _WHAT_WERE.match(question)
    return m.group("topic").strip(" ?.!") if m else ""


def statements_about(topic: str, statements: Sequence[Hit]) -> list[Hit]:
    """Those of a speaker's ``statements`` that say at least half of the topic's words ("about Europe":
    "In Europe, especially in small countries, ..."), in their order; ``[]`` for no topic words."""
    wanted = set(tokens(topic))
    if not wanted:
        return []
    return [h for h in statements if 2 * len(wanted & set(tokens(h.text))) >= len(wanted)]


def asks_who_said(question: str) -> bool:
    return _WHO_SAID.match(question) is not None
