"""What kind of answer a question asks for (number, time, place, person) and whether a sentence has one.

Used to prefer, among sentences close in meaning, the one that holds the kind of thing asked for:
"When did Putin warn...?" should quote the sentence with "Earlier this week", not only the warning.
"""

from __future__ import annotations

import re

_TYPES = {
    "number": re.compile(r"\bhow (many|much)\b|\bwhat (number|percentage|share|amount)\b", re.I),
    "time": re.compile(r"^\s*when\b|\bwhat (day|date|time|year|month|week)\b|\bhow long ago\b", re.I),
    "place": re.compile(
        r"^\s*where\b|\bwhat (country|city|place|region)\b|\bin which (country|city)\b", re.I
    ),
    "person": re.compile(r"^\s*who\b|\bwhich (official|person|leader|agency|outlet)\b", re.I),
}
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
    """The kind of answer asked for, or None."""
    for name, pattern in _TYPES.items():
        if pattern.search(question):
            return name
    return None


def has(kind: str | None, text: str) -> bool:
    """True when ``text`` holds something of ``kind`` (always True for no kind)."""
    if kind is None:
        return True
    pattern = {"number": _NUMBER, "time": _TIME, "place": _PLACE, "person": _PERSON}[kind]
    return pattern.search(text) is not None
