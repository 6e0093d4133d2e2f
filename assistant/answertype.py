"""What kind of answer a question asks for, read from its question words, and whether a sentence has one.

``answer_type`` says what a question asks for: a person, an org, a place, a time, a number, a thing (another
what/which question) or nothing short (why, how, yes-no). The short-answer picker
(``assistant.answering.spans``) takes a span of that type; ranking uses ``expected`` and ``has`` to prefer,
among sentences close in meaning, the one that holds the kind of thing asked for: "When did Putin warn...?"
should quote the sentence with "Earlier this week", not only the warning.

>>> answer_type("What city can Ukraine defend?"), answer_type("Who first reported it?"), answer_type("Why?")
('place', 'person', None)

This module reads the question only: it finds nothing in a sentence beyond ``has``'s patterns.
"""

from __future__ import annotations

import re

from assistant.text import STOPWORDS, stem, words

# "what/which <up to three words> <noun>": the noun says the type ("What is the largest city ...").
_NOUNS = {
    "person": "person people man woman men women leader official minister president king queen emperor "
    "author writer poet painter scientist player spokesman spokeswoman spokesperson founder general "
    "politician",
    "org": "company companies outlet newspaper paper agency party station network firm organisation "
    "organization group bank team university college broadcaster channel magazine publication union",
    "place": "city cities country countries town towns region regions state states place places village "
    "continent island islands capital province area areas nation nations lake sea river mountain",
    "time": "day date year years month week time century decade era period season",
    "number": "number percentage percent share amount proportion total population size length height width "
    "depth distance speed temperature volume cost price budget salary fee",
}
NOUN_TYPE = {stem(w): kind for kind, nouns in _NOUNS.items() for w in nouns.split()}
_WH_NOUN = re.compile(
    r"\b(?:what|which|whose)\s+(?:(?:is|was|are|were|the|a|an|of|kind|type|sort)\s+){0,3}"
    r"((?:[a-z-]+\s+){0,2}[a-z-]+)",
    re.I,
)
# Checked in this order: "how long ago" asks for a time, "how long" for a number.
_FIXED = (
    (
        "time",
        re.compile(
            r"^\W*(since\s+)?when\b|\bhow\s+long\s+ago\b|\bwhat\s+(year|day|date|month|century|decade)\b",
            re.I,
        ),
    ),
    ("number", re.compile(r"\bhow\s+(many|much|long|old|far|big|large|tall|high|wide|deep|often)\b", re.I)),
    ("place", re.compile(r"^\W*where\b|,\s*where\b|\bwhere\s*\?\s*$", re.I)),
    (
        "person",
        re.compile(r"^\W*(who|whom|whose)\b|\b(by|to|with|for|from)\s+whom\b|\bwho\s*\?\s*$|,\s*who\b", re.I),
    ),
)
_NONE = re.compile(r"^\W*(why|how|is|are|was|were|do|does|did|can|could|should|will|would|has|have)\b", re.I)
_WHAT = re.compile(r"\b(what|which)\b", re.I)
_VAGUE = frozenset("name names term kind type sort part one other".split())
_LEGACY = {"org": "person", "thing": None}  # ``expected``'s four kinds


_WHAT_DID = re.compile(r"^\W*what\s+(did|does|do|will|would|can|could|should|has|have|had)\b", re.I)


def answer_type(question: str) -> str | None:
    """What the question asks for: "person", "org", "place", "time", "number", "thing" (another what/which
    question) or None (why, how, yes-no and anything else)."""
    for kind, pattern in _FIXED:
        if pattern.search(question):
            return kind
    for m in _WH_NOUN.finditer(question):
        for word in words(m.group(1)):
            if (kind := NOUN_TYPE.get(stem(word))) is not None:
                return kind
    if _NONE.search(question) and not _WHAT.search(question):
        return None
    if _WHAT_DID.search(question):  # "What did Biden decide?": an act or a statement, not a thing to name
        return None
    return "thing" if _WHAT.search(question) else None


def wh_noun(question: str) -> str:
    """The stem of the noun a what/which question names ("What is the alpine valley ..." -> "valley",
    "What is the name of the longest bridge ..." -> "bridge"), or ""."""
    m = _WH_NOUN.search(question)
    run: list[str] = []
    for word in words(question[m.start(1) :]) if m else []:
        if word in STOPWORDS or word in _VAGUE:
            if run:
                break
            continue
        run.append(word)
    return stem(run[-1]) if run else ""


_NUMBER = re.compile(
    r"\b(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|"
    r"thousands?|millions?|billions?|half|several)\b",
    re.I,
)
_TIME = re.compile(
    r"\b(yesterday|today|tomorrow|tonight|earlier|later|last|next|this (week|month|year|morning)|"
    r"(mon|tues|wednes|thurs|fri|satur|sun)day|january|february|march|april|may|june|july|august|"
    r"september|october|november|december|week|month|year|\d{4})\b",
    re.I,
)
_PLACE = re.compile(r"\b(in|at|to|from|near|visit to|during a visit to)\s+[A-Z][a-z]+")
_PERSON = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+\b")


def expected(question: str) -> str | None:
    """The kind of answer asked for among "number", "time", "place" and "person" (an org counts as a
    person), or None."""
    kind = answer_type(question)
    return _LEGACY.get(kind, kind)


def has(kind: str | None, text: str) -> bool:
    """True when ``text`` holds something of ``kind`` (always True for no kind)."""
    if kind is None:
        return True
    pattern = {"number": _NUMBER, "time": _TIME, "place": _PLACE, "person": _PERSON}[kind]
    return pattern.search(text) is not None
