"""Dates named in a question ("in late May 2024", "on May 30, 2024", "in 2024") as an article-date filter.

Articles are dated; a question that names a period is about the articles of that period, so the period
becomes a ``where`` filter on article dates. A question that asks for nothing but the period ("What
happened in late May 2024?") is answered with the lead sentence of each article from then.

>>> question_period("What happened in late May 2024?")
('2024-05-21', '2024-05-31')
>>> question_period("What did Putin say on May 30, 2024?")
('2024-05-30', '2024-05-30')
>>> question_period("Who was first to report the decision?") is None
True
"""

from __future__ import annotations

import calendar
import re

from assistant.text import tokens

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY = re.compile(
    rf"\b(?P<month>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b", re.I
)
_ISO = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b")
_PART = r"(?:(?P<part>early|mid|late|end of|beginning of|start of)[-\s]+)?"
_MONTH_YEAR = re.compile(rf"\b{_PART}(?P<month>{_MONTH})\.?\s+(?P<year>(?:19|20)\d\d)\b", re.I)
_YEAR = re.compile(r"\bin\s+(?P<year>(?:19|20)\d\d)\b", re.I)
_PARTS = {"early": (1, 10), "beginning of": (1, 10), "start of": (1, 10), "mid": (11, 20), "late": (21, 31)}
_PARTS["end of"] = (21, 31)
# Words that ask only "what was in the news then", with no topic of their own.
_GENERIC = frozenset(
    tokens("what happened news report reported happen going on events headlines covered story")
)


def _iso(year: int, month: int, day: int) -> str:
    day = min(day, calendar.monthrange(year, month)[1])
    return f"{year:04d}-{month:02d}-{day:02d}"


def question_period(question: str) -> tuple[str, str] | None:
    """``(date_from, date_to)`` for the first period the question names, or None."""
    if m := _DAY.search(question):
        day = _iso(int(m["year"]), _MONTHS[m["month"].lower()], int(m["day"]))
        return day, day
    if (m := _ISO.search(question)) and 1 <= int(m["month"]) <= 12:
        day = _iso(int(m["year"]), int(m["month"]), int(m["day"]))
        return day, day
    if m := _MONTH_YEAR.search(question):
        year, month = int(m["year"]), _MONTHS[m["month"].lower()]
        first, last = _PARTS.get((m["part"] or "").lower(), (1, 31))
        return _iso(year, month, first), _iso(year, month, last)
    if m := _YEAR.search(question):
        return f"{m['year']}-01-01", f"{m['year']}-12-31"
    return None


def without_period(question: str) -> str:
    """The question with its period removed, for retrieval and refusal."""
    for pattern in (_DAY, _ISO, _MONTH_YEAR, _YEAR):
        question = pattern.sub(" ", question)
    question = re.sub(r"\b(in|on|during|from)\s*(?=[?.!]|$)", "", " ".join(question.split()))
    return re.sub(r"\s+([?.!])", r"\1", question).strip()


def only_period(question: str) -> bool:
    """True when the question asks for nothing but its period ("What happened in late May 2024?")."""
    rest = set(tokens(without_period(question)))
    return not (rest - _GENERIC)
