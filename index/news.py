"""News-specific reading of an article: who said each sentence, and what its relative dates mean.

Speakers come from the way news attributes speech: ``"...," Putin said``, ``Putin also said that``,
``according to two U.S. officials``; ``he said`` / ``He added`` go to the last person named as a speaker,
``The officials ... underscored`` to the last group of officials. A person named in full once ("Vladimir
Putin") keeps that name when later called by surname.

Relative dates ("earlier this week", "on Tuesday", "last month", "yesterday") are resolved against the
article's own date, never today's.

>>> speakers(['"It is serious," Putin said.', 'He added that it was late.', 'The sky is blue.'])
['Putin', 'Putin', '']
>>> resolve_relative("Earlier this week, he spoke.", "2024-05-30")
('2024-05-27', '2024-05-30', 'earlier in the week of May 27, 2024')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

VERBS = (
    r"said|says|added|adds|noted|warned|told|underscored|stressed|argued|insisted|explained|wrote|claimed|"
    r"announced|declared|asserted|cautioned|continued|replied|responded|emphasized|emphasised|acknowledged"
)
_TITLES = frozenset(
    (
        "president prime minister foreign defense defence secretary spokesman spokeswoman spokesperson "
        "general chancellor mayor governor senator chief russian ukrainian american u.s. us french german "
        "british mr mrs ms dr former deputy"
    ).split()
)
_NAME = r"(?:[A-Z][\w.'\u2019-]*\s+){0,5}[A-Z][\w'\u2019-]+"
_GROUP_NOUNS = (
    r"officials|sources|officers|diplomats|analysts|experts|lawmakers|people|aides|office|agency|ministry|"
    r"police|service|spokesman|spokeswoman|spokesperson|government|army|military"
)
_GROUP = rf"(?:\w+[\s.]+){{0,4}}?(?:{_GROUP_NOUNS})"
_IS_GROUP = re.compile(rf"\b(?:{_GROUP_NOUNS})$", re.I)
# '"...," said Ms Quist' and '... takes about forty minutes, said Ms Quist.'
_SAID_NAME = re.compile(rf"[,!?][\"\u201d]?\s+(?:{VERBS})\s+(?:[a-z]+\s+){{0,3}}(?P<name>{_NAME})")
# 'Mara Quist, head of the island's ferry union, said the fares...'
_NAME_APPOSITIVE_SAID = re.compile(
    rf"(?:^|[.;]\s+|\bbut\s+)(?P<name>{_NAME}),\s+[^,\"\u201c\u201d]{{3,90}},\s+(?:also\s+)?(?:{VERBS})\b"
)
# 'was described by Holm as "the town's front door"'
_BY_NAME = re.compile(
    rf"\b(?:described|called|hailed|dismissed|branded|labelled|labeled)\s+(?:it\s+)?by\s+(?P<name>{_NAME})\s+as\b"
)
_FULL_NAME = re.compile(r"\b([A-Z][a-z]+) ([A-Z][a-z]{2,})\b")
_NAME_SAID = re.compile(rf"(?P<name>{_NAME})\s+(?:also\s+|later\s+|then\s+)?(?:{VERBS})\b")
_ACCORDING = re.compile(rf"\baccording to (?P<name>{_GROUP}|{_NAME})", re.I)
_PRONOUN = re.compile(rf"\b(?:he|she)\s+(?:also\s+|later\s+)?(?:{VERBS})\b", re.I)
_GROUP_SAID = re.compile(rf"^(?P<name>(?:The|the|Those|Both)\s+{_GROUP})\b.*?\b(?:{VERBS})\b")
_NOT_NAMES = frozenset("the a an in and but this that it earlier later he she they we i".split())


def _clean_name(raw: str) -> str:
    words = raw.split()
    while words and (words[0].lower().rstrip(".") in _TITLES or words[0].lower() in _NOT_NAMES):
        words = words[1:]
    return " ".join(words)


def speakers(sentences: Sequence[str]) -> list[str]:
    """The speaker of each sentence, in order; "" for narration."""
    # surname -> full name, from any "First Last" in the article ("Tom Reyes" makes "Reyes" Tom Reyes).
    people: dict[str, str] = {
        m.group(2): m.group(0)
        for text in sentences
        for m in _FULL_NAME.finditer(text)
        if m.group(1).lower() not in _TITLES and m.group(1).lower() not in _NOT_NAMES
    }
    last_person = last_group = ""
    out: list[str] = []
    quoting = False  # inside a quotation that an earlier sentence opened
    for text in sentences:
        speaker = ""
        for pattern in (_SAID_NAME, _ACCORDING, _NAME_SAID, _NAME_APPOSITIVE_SAID, _BY_NAME):
            m = pattern.search(text)
            if m and (name := _clean_name(m.group("name"))):
                if _IS_GROUP.search(m.group("name")):
                    group = m.group("name").strip()
                    speaker = last_group = group if pattern is _ACCORDING or not last_group else last_group
                    break
                surname = name.split()[-1]
                if len(name.split()) > 1 or surname not in people:
                    people[surname] = name if len(name.split()) > 1 else people.get(surname, name)
                speaker = last_person = people[surname]
                break
        if not speaker and (m := _GROUP_SAID.search(text)):
            group = m.group("name")
            speaker = last_group if last_group and group.split()[-1].lower() in last_group.lower() else group
        if not speaker and _PRONOUN.search(text) and last_person:
            speaker = last_person
        opens = text.lstrip().startswith(_OPENING)
        closes = quoting and any(mark in text for mark in _CLOSING)
        if not speaker and out and out[-1] and (opens or closes):
            speaker = out[-1]  # a quotation follows the last speaker's, or the one they opened ends here
        quoting = _still_open(text, quoting)
        out.append(speaker)
    return out


_OPENING = ('"', "\u201c")
_CLOSING = ('"', "\u201d")


def _still_open(text: str, was_open: bool) -> bool:
    """Whether a quotation is open after ``text``, given whether one was open before it: curly marks say
    which way they go, straight ones each switch, but for the mark that opens a sentence inside an open
    quotation (news re-opens a quotation that goes on in a new paragraph without closing it first)."""
    open_ = was_open
    text = text.lstrip()
    if was_open and text.startswith(_OPENING):
        text = text[1:]
    for ch in text:
        if ch == "\u201c":
            open_ = True
        elif ch == "\u201d":
            open_ = False
        elif ch == '"':
            open_ = not open_
    return open_


_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_RELATIVE = re.compile(
    r"\b(?P<phrase>earlier this week|later this week|this week|last week|earlier this month|this month|"
    r"last month|earlier this year|this year|last year|yesterday|today|tonight|"
    r"(?:on|last|this) (?P<day>monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
    re.I,
)


def _fmt(d: date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def long_date(iso: str) -> str:
    """``2024-05-30`` -> ``May 30, 2024`` (the input unchanged when it is not a date)."""
    try:
        return _fmt(date.fromisoformat(iso))
    except ValueError:
        return iso


def relative_phrase(text: str) -> str:
    """The first relative date phrase in ``text`` ("Earlier this week"), or ""."""
    m = _RELATIVE.search(text)
    return m.group("phrase") if m else ""


def resolve_relative(text: str, article_date: str) -> tuple[str, str, str] | None:
    """``(start, end, label)`` of the first relative date in ``text``, anchored to ``article_date``."""
    m = _RELATIVE.search(text)
    if not m or not article_date:
        return None
    try:
        today = date.fromisoformat(article_date)
    except ValueError:
        return None
    phrase = m.group("phrase").lower()
    monday = today - timedelta(days=today.weekday())
    if m.group("day"):
        back = (today.weekday() - _WEEKDAYS.index(m.group("day").lower())) % 7
        day = today - timedelta(days=back or (7 if phrase.startswith("last") else 0))
        return day.isoformat(), day.isoformat(), f"{day:%A}, {_fmt(day)}"
    if phrase in {"yesterday"}:
        day = today - timedelta(days=1)
        return day.isoformat(), day.isoformat(), _fmt(day)
    if phrase in {"today", "tonight"}:
        return today.isoformat(), today.isoformat(), _fmt(today)
    if phrase.endswith("week"):
        if phrase == "last week":
            start = monday - timedelta(days=7)
            return start.isoformat(), (monday - timedelta(days=1)).isoformat(), f"the week of {_fmt(start)}"
        lead = (
            "earlier in "
            if phrase.startswith("earlier")
            else "later in "
            if phrase.startswith("later")
            else ""
        )
        return monday.isoformat(), today.isoformat(), f"{lead}the week of {_fmt(monday)}"
    first = today.replace(day=1)
    if phrase.endswith("month"):
        if phrase == "last month":
            prev = (first - timedelta(days=1)).replace(day=1)
            return prev.isoformat(), (first - timedelta(days=1)).isoformat(), f"{prev:%B %Y}"
        return (
            first.isoformat(),
            today.isoformat(),
            f"{'earlier in ' if 'earlier' in phrase else ''}{today:%B %Y}",
        )
    if phrase == "last year":
        return f"{today.year - 1}-01-01", f"{today.year - 1}-12-31", str(today.year - 1)
    return (
        f"{today.year}-01-01",
        today.isoformat(),
        f"{'earlier in ' if 'earlier' in phrase else ''}{today.year}",
    )
