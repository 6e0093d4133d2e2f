"""What kind of answer a question asks for, read from its question words, and whether a sentence has one.

``answer_type`` says what a question asks for: a person, an org, a place, a time, a number, a thing (another
what/which question) or nothing short (why, how, yes-no). The short-answer picker
(``assistant.answering.spans``) takes a span of that type; ranking uses ``expected`` and ``has`` to prefer,
among sentences close in meaning, the one that holds the kind of thing asked for: "When did Putin warn...?"
should quote the sentence with "Earlier this week", not only the warning.

>>> answer_type("What city can Ukraine defend?"), answer_type("Who first reported it?"), answer_type("Why?")
('place', 'person', None)
>>> asks_for_several("What did the analysts say?"), asks_for_several("What flows between Bingen and Bonn?")
(True, False)

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
    ("direction", re.compile(r"\b(what|which)\s+(direction|way)\b", re.I)),
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
# Modal verbs the stop-word list lacks: "Which town must be defended?" names a town, not a "must".
_MODAL = frozenset("must might may shall need needs ought".split())
_LEGACY = {"org": "person", "thing": None, "direction": None}  # ``expected``'s four kinds


_WHAT_DID = re.compile(r"^\W*what\s+(did|does|do|will|would|can|could|should|has|have|had)\b", re.I)
# ... unless it ends on what names a thing: a preposition's object ("What does the canal run parallel
# to?") or a meaning ("What does Untersee mean?")
_OBJECT_ASKED = re.compile(
    r"\b(to|into|with|from|of|for|on|in|by|as|at|through|mean|means|meant|translate|translates)\s*\?*\s*$",
    re.I,
)


def answer_type(question: str) -> str | None:
    """What the question asks for: "person", "org", "place", "time", "number", "direction" ("which way
    ...?"), "thing" (another what/which question) or None (why, how, yes-no and anything else)."""
    for kind, pattern in _FIXED:
        if pattern.search(question):
            return kind
    for m in _WH_NOUN.finditer(question):
        for word in words(m.group(1)):
            if (kind := NOUN_TYPE.get(stem(word))) is not None:
                return kind
    if _NONE.search(question) and not _WHAT.search(question):
        return None
    if _WHAT_DID.search(question) and not _OBJECT_ASKED.search(question):
        return None  # "What did Biden decide?": an act or a statement, not a thing to name
    return "thing" if _WHAT.search(question) else None


def wh_noun(question: str) -> str:
    """The stem of the noun a what/which question names ("What is the alpine valley ..." -> "valley",
    "What is the name of the longest bridge ..." -> "bridge"), or ""."""
    m = _WH_NOUN.search(question)
    run: list[str] = []
    for word in words(question[m.start(1) :]) if m else []:
        if word in STOPWORDS or word in _VAGUE or word in _MODAL:
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


# A question whose answer is several things: "break down the costs", "who else ...", "who's on the board",
# "which countries ...", "what awards have ...", "what are the two problems ...", "what did the critics
# say ...". A plural is a word in -s that is not a possessive nor one of these endings; after "what" it must
# be followed by an auxiliary, since "what flows ..." and "what forms ..." are verbs.
_NOT_PLURAL = re.compile(r"(ss|us|is|ous|series|news|this|its|was|has|does|yes)$", re.I)
_AUXILIARY = frozenset(
    "did do does have has had are were will would can could is was should may might".split()
)
_SEVERAL_CUE = re.compile(
    r"\bbreak(s|ing)?\s+(it\s+|them\s+|that\s+)?down\b|\bbreakdown\b|^\W*(please\s+|can\s+you\s+|could\s+you\s+)?"
    r"(list|itemi[sz]e)\b|\bwho\s+else\b|\bwhat\s+else\b|\bwho(?:'s|\u2019s|\s+is|\s+are|\s+sits?)\s+on\s+the\b",
    re.I,
)
_SAID_BY_SEVERAL = re.compile(
    r"^\W*what\s+(?:did|do|does|have|has)\s+(?:the\s+)?(?:[a-z'-]+\s+)?([a-z'-]+)\s+(?:say|said|think)\b|"
    r"^\W*what\s+(?:are|were)\s+([a-z'-]+)\s+saying\b",
    re.I,
)
_WORD = re.compile(r"[a-z][a-z'\u2019-]*", re.I)


def _plural(word: str) -> bool:
    word = word.lower()
    possessive = word.endswith(("'s", "\u2019s"))
    return len(word) > 3 and word.endswith("s") and not possessive and not _NOT_PLURAL.search(word)


def asks_for_several(question: str) -> bool:
    """True when the question asks for several things, each of which may be its own sentence: a list."""
    if _SEVERAL_CUE.search(question):
        return True
    if m := _SAID_BY_SEVERAL.search(question):
        who = (m.group(1) or m.group(2) or "").lower()
        if _plural(who) or who in ("people", "they", "critics"):
            return True
    ws = [w.lower() for w in _WORD.findall(question)]
    if ws[:1] == ["so"]:
        ws = ws[1:]
    if len(ws) < 3 or ws[0] not in ("what", "which"):
        return False
    if ws[0] == "which":  # "which countries ...", "which other countries ...", "which two firms ..."
        rest = [w for w in ws[1:4] if w not in ("other", "of", "the", "two", "three", "four", "five")]
        return bool(rest) and _plural(rest[0])
    if ws[1] in ("are", "were") and ws[2] == "the":  # "what are the (two) problems ..."
        return any(_plural(w) for w in ws[3:6])
    # "what awards have ...", "what other uk jobs is ...": a plural noun, then an auxiliary
    aux = next((i for i, w in enumerate(ws[1:6], start=1) if w in _AUXILIARY), 0)
    return aux > 1 and _plural(ws[aux - 1])
