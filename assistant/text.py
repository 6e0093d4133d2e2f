"""Word-level helpers shared by lexical ranking, refusal and verification: tokens, stems, stopwords.

Deliberately small and dependency-free: a light suffix stemmer, not a linguistic one.

>>> tokens("Ukraine's U.S.-made missiles")
['ukraine', 'us', 'made', 'missile']
"""

from __future__ import annotations

import re
from functools import lru_cache

STOPWORDS = frozenset(
    (
        "a about above after again against all also am an and any are as at be because been before being "
        "below between both but by can could did do does doing down during each few for from further had "
        "has have having he her here hers herself him himself his how i if in into is it its itself just "
        "me more most my myself no nor not now of off on once only or other our ours out over own same "
        "she should so some such than that the their theirs them themselves then there these they this "
        "those through to too under until up very was we were what when where which while who whom why "
        "will with would you your yours yourself tell told say said says according article report "
        "reported news story did does do please give know explain describe"
    ).split()
)
# Words whose presence marks a question as leaning on the conversation before it.
ANAPHORA = frozenset(
    ("he she it they him her them his hers its their theirs that this those these there then").split()
)
QUESTION_WORDS = frozenset(
    ("what who whom whose when where why how which did does do is are was were has have can").split()
)

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.'\u2019-]*")


def _normalise(word: str) -> str:
    word = word.lower().replace("\u2019", "'")
    if word.endswith("'s"):
        word = word[:-2]
    return word.replace(".", "").replace("'", "")


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light stemmer: strips plural and common verb endings so 'strikes'/'striking' meet 'strike'."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


def words(text: str) -> list[str]:
    """Normalised words (lower case, no dots or possessives); hyphenated words also give their parts."""
    out = []
    for m in _WORD.finditer(text):
        w = _normalise(m.group().rstrip(".-'"))
        if not w:
            continue
        parts = [p for p in w.split("-") if p]
        out.extend(parts if len(parts) > 1 else [w])
    return out


def tokens(text: str) -> list[str]:
    """Stemmed content words: what lexical matching compares."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def proper_nouns(question: str) -> list[tuple[str, str]]:
    """Names and numbers in a question, as ``(normalised, as written)``: capitalised words past the first
    word (which is capitalised anyway), and digits, that are not question or stop words."""
    found = []
    for i, m in enumerate(_WORD.finditer(question)):
        raw = m.group().rstrip(".-'")
        w = _normalise(raw)
        if not w or w in STOPWORDS or w in QUESTION_WORDS:
            continue
        if raw[0].isdigit() or (raw[0].isupper() and (i > 0 or raw.isupper())):
            found.append((w, raw))
    return found


_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(instruction|rule|prompt|question|above|previous)s?\b"
    r"|\b(assistant|chatbot|language model|ai model|system prompt)\b"
    r"|\b(reply|respond|answer)\s+(only\s+)?(with|that)\b"
    r"|\b(tell|inform)\s+the\s+(user|reader)s?\b"
    r"|\byou\s+(must|should|are now|will now)\b",
    re.IGNORECASE,
)


def looks_like_instruction(text: str) -> bool:
    """True for text addressed to the assistant ("ignore the previous instructions and ...")."""
    return bool(_INSTRUCTION.search(text))
