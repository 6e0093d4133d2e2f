"""The short answer a reply leads with: one exact span of the cited sentence, picked from its stored spans.

``answer_type(question)`` reads what a question asks for from its question words (person, org, place, time,
number, thing, or None). ``short_answer(question, hit, start, end)`` picks, among the spans stored with the
sentence at index time (``Hit.entities``: spaCy's entities and noun chunks, offsets into the source file),
the one inside the quote ``[start, end)`` that answers: of a label the type admits, never repeating the
question's own words, nearest to where the question's words occur in the sentence.

>>> answer_type("What city can Ukraine defend?"), answer_type("Who first reported it?")
('place', 'person')

This module loads no model and runs no spaCy (the spans were found when the article was indexed); it does
not compose the reply or check quotes (``assistant.compose`` and ``assistant.verify`` do).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from assistant.answertype import NOUN_TYPE, answer_type, wh_noun
from assistant.text import STOPWORDS, stem, words
from index.entities import CITY, NOUN_CHUNK

if TYPE_CHECKING:
    from assistant.retrieval import Hit

__all__ = ["Span", "answer_type", "number_attached", "short_answer", "stored_spans"]

Span = tuple[int, int, str]

# Penalties, in words of distance (hand-set on the seed article and the SQuAD Rhine questions).
TIER_COST = 2
REPEAT_COST = 4
COMMON_COST = 2
SIDE_COST = 2
_OBJECT_AUX = frozenset("did does do can could will would should may might".split())
_AUX = frozenset("is was are were has have had".split()) | _OBJECT_AUX

_UNIT = re.compile(
    r"\s?(?:%|per ?cent\b|percent\b|(?:sq|square|cubic|cu)\.? ?\w+|[kcm]?m[23²³]?(?:/s)?\b|km/h\b|mph\b|"
    r"mi\b|ft\b|kg\b|g\b|t\b|tonnes?\b|tons?\b|metres?\b|meters?\b|kilomet(?:re|er)s?\b|miles?\b|feet\b|"
    r"hectares?\b|ha\b|acres?\b|lit(?:re|er)s?\b|l\b|°[CF]?|degrees?\b|years?\b|BP\b|BC\b|AD\b)"
)
_ERA = re.compile(r"\s?(?:BP|BC|BCE|AD|CE)\b")
_NUMBER_BEFORE = re.compile(r"[~≈]?\d[\d,.]*\s?$")
_APPROXIMATELY = re.compile(r"(?:about|approximately|around|roughly|some|circa|ca\.|c\.|~)\s*", re.I)
_EDGE = "()[]{},;:\"'\u201c\u201d\u2018\u2019 "
_NUMERIC = ("CARDINAL", "QUANTITY", "MONEY", "PERCENT", "DATE", "TIME")
_TIMELY = re.compile(r"\d|\b(period|era|epoch|age|century|millennium|BP|BC|AD)\b", re.I)
_COUNTED = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|hundreds?|thousands?|millions?)\b"
)


DIRECTION = "DIRECTION"
# A compass point or a way along one ("north", "westward", "south-east"), but not the first word of a name
# ("North Sea", "West Germany").
_COMPASS = re.compile(
    r"\b(?:(?:north|south)(?:-?(?:east|west))?|east|west)(?:wards?|erly)?\b(?!\s+(?-i:[A-Z]))", re.I
)


# A question that asks what a thing is called ("What is the bend called?", "the name of the branch") is
# answered by the name a naming word introduces ("... known as the Rhine Valley"): that span outranks the
# rest, as a passive's agent does for "who".
_NAMING_ASKED = re.compile(r"\b(called|known\s+as|named|dubbed|(?:name|term)\s+(?:of|for)\b)", re.I)
_NAMED_AFTER = re.compile(
    r"\b(?:called|known\s+as|named|dubbed|termed|so-called)\s+(?:the\s+)?[\"\u201c\u2018']?$", re.I
)
# A question that asks what a word means ("What does Untersee mean?", "the translation of Het Scheur") is
# answered by the gloss the article puts in quotes or brackets right after that word: 'Untersee ("lower
# lake")'.
_MEANING_ASKED = re.compile(r"\b(mean|means|meant|meaning|translat\w*|english\s+for)\b", re.I)
_GLOSS = re.compile(
    r"\(?\s*[\"\u201c]([^\"\u201c\u201d()]{1,80})[\"\u201d]\s*\)?|\(([^\"\u201c\u201d()]{1,80})\)"
)


# The labels each type admits, best first: each tier down costs TIER_COST; noun chunks come after them all.
TIERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "person": (("PERSON",), ("ORG", "NORP")),
    "org": (("ORG",), ("PERSON", "NORP", "GPE")),
    "place": (("GPE", "LOC", "FAC", CITY), ("ORG", "NORP")),
    "time": (("DATE", "TIME"),),
    "number": (("CARDINAL", "MONEY", "PERCENT", "QUANTITY"),),
    "measure": (("QUANTITY", "DATE", "TIME", "CARDINAL", "MONEY"),),  # how long / old / far / big
    "thing": (("NP", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW", "LANGUAGE", "NORP", "ORG", "GPE", "LOC"),),
    "direction": ((DIRECTION,),),  # found in the sentence when asked (``compass_spans``), not stored
}
# A question that names the kind of place ("what city", "which country") admits no nationality ("Russian");
# one that asks for a city or a town takes a city GeoNames knows ("Kharkiv", an ORG to spaCy) first.
PLACE_NAMED = (("GPE", "LOC", "FAC"), ("ORG",))
CITY_NAMED = ((CITY,), ("GPE", "LOC", "FAC"), ("ORG",))
_CITY_NOUNS = frozenset(stem(w) for w in "city cities town towns capital".split())
_MEASURE = re.compile(r"\bhow\s+(long|old|far|big|large|tall|high|wide|deep)\b", re.I)


def tiers_for(question: str, kind: str) -> tuple[tuple[str, ...], ...]:
    """The labels, best first, that answer ``question`` of answer type ``kind``."""
    if kind == "number" and _MEASURE.search(question):
        return TIERS["measure"]
    if kind == "place" and NOUN_TYPE.get(noun := wh_noun(question)) == "place":
        # "what city...": "Russian" is no city; a place the tagger took for an org may be
        return CITY_NAMED if noun in _CITY_NOUNS else PLACE_NAMED
    return TIERS[kind]


def stored_spans(hit: Hit) -> list[Span]:
    """The spans stored with the hit's sentence (``[]`` for an index built without them)."""
    if not hit.entities:
        return []
    return [(int(s), int(e), str(label)) for s, e, label in json.loads(hit.entities)]


_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\u2019-]*")


def compass_spans(hit: Hit) -> list[Span]:
    """The compass points of the hit's sentence, as spans in source-file offsets."""
    return [(hit.start + m.start(), hit.start + m.end(), DIRECTION) for m in _COMPASS.finditer(hit.text)]


def _stems(text: str) -> set[str]:
    return {stem(w) for w in words(text) if w not in STOPWORDS}


def _positions(text: str, offset: int) -> list[tuple[int, int, str]]:
    """(start, end, stem) of each content word of ``text``, offsets shifted by ``offset``."""
    out = []
    for m in _WORD.finditer(text):
        for w in words(m.group()):
            if w not in STOPWORDS:
                out.append((offset + m.start(), offset + m.end(), stem(w)))
    return out


def short_answer(question: str, hit: Hit, quote_start: int, quote_end: int) -> Span | None:
    """The ``(start, end, label)``, in source-file offsets inside ``[quote_start, quote_end)``, of the stored
    span of ``hit`` that answers ``question``; None when the question asks for no short answer or none fits.

    Never a span the question already says (its words, in order, are in the question). Among the rest, the
    lowest cost: content words from the nearest of the question's words in the sentence (the title's words
    locate nothing), plus penalties for a label the answer type does not prefer (``TIERS``; noun chunks
    after entities), for repeating the question's words, for lying on the wrong side of them (``_side``),
    and, for a thing, for a common noun phrase rather than a name; the first on a tie. A number is widened
    to its unit and trimmed of "about"; no span starts or ends with a bracket, quote or comma.
    """
    kind = answer_type(question)
    if kind is None:
        return None
    if (
        kind == "thing"
        and _MEANING_ASKED.search(question)
        and (found := gloss(question, hit, quote_start, quote_end))
    ):
        return found
    asked = _stems(question)
    said = f" {' '.join(words(question))} "
    head = wh_noun(question)
    naming = bool(_NAMING_ASKED.search(question))
    sentence = _positions(hit.text, hit.start)
    # The title's words are in most of the article's sentences: they locate nothing.
    telling = asked - _stems(hit.title) or asked
    anchors = [i for i, (s, _, w) in enumerate(sentence) if w in telling and quote_start <= s < quote_end]
    tiers = tiers_for(question, kind)
    side = _side(question)
    best = None
    for span in compass_spans(hit) if kind == "direction" else stored_spans(hit):
        s, e, label = _tidy(hit, _widen(hit, span))
        if not (quote_start <= s < e <= quote_end):
            s, e, label = _tidy(hit, span)  # widened past the quote: as stored
        if not (quote_start <= s < e <= quote_end):
            continue
        text = hit.text[s - hit.start : e - hit.start]
        own = _stems(text)
        named = [w for w in words(text) if w not in STOPWORDS]
        if not own or f" {' '.join(named)} " in said:
            continue  # a span never repeats what the question says
        rank = next((i for i, labels in enumerate(tiers) if label in labels), None)
        proper = _proper(hit, s, text)
        if rank is None:
            if label != NOUN_CHUNK or not _may_answer(kind, text):
                continue
            if tiers in (PLACE_NAMED, CITY_NAMED) and not proper:
                continue  # "What city ...?" is answered by a name, never by "targets"
            rank = len(tiers) - (0.5 if proper and kind in ("person", "org", "place") else 0)
        cost = (
            _distance(s, e, sentence, anchors)
            + TIER_COST * rank
            + REPEAT_COST * len((own - {head}) & telling) / len(own)
            + (COMMON_COST if kind == "thing" and not proper else 0)
            + SIDE_COST * _wrong_side(side, s, e, sentence, anchors)
            - (TIER_COST + 1) * _agent(kind, hit, s, sentence, anchors)
            - (TIER_COST + 1) * (naming and bool(_NAMED_AFTER.search(hit.text[: s - hit.start])))
        )
        if best is None or (cost, s) < best[0]:
            best = ((cost, s), (s, e, label))
    return best[1] if best else None


def gloss(question: str, hit: Hit, quote_start: int, quote_end: int) -> Span | None:
    """For "what does X mean?": the quoted or bracketed gloss right after one of the question's own words
    in the sentence ('Obersee ("upper lake")' gives "upper lake"), or None."""
    asked = _stems(question)
    sentence = _positions(hit.text, hit.start)
    for m in _GLOSS.finditer(hit.text):
        group = 1 if m.group(1) is not None else 2
        s, e = hit.start + m.start(group), hit.start + m.end(group)
        opens = hit.start + m.start()
        before = [w for w in sentence if w[1] <= opens]  # the gloss opens on no word character
        if before and before[-1][1] >= opens - 2 and before[-1][2] in asked:
            span = _tidy(hit, (s, e, NOUN_CHUNK))
            if quote_start <= span[0] < span[1] <= quote_end and not (
                _stems(hit.text[span[0] - hit.start : span[1] - hit.start]) <= asked
            ):
                return span
    return None


# "How much did X cost / pay / make?" asks for a sum of money; "how many ...?" for a count.
_MONEY_ASKED = re.compile(
    r"\bhow\s+much\b.*\b(cost|costs|make|made|pay|paid|paying|bid|save|saving|worth|spend|spent|earn|earned|"
    r"raise|raised|fund|price|charge|sell|sold|lose|lost|owe|invest|money|profit|profits|revenue|sum|fee)\b",
    re.I,
)
_HOW_MANY = re.compile(r"\bhow\s+many\b", re.I)
ATTACHED_WITHIN = 8  # content words either side of the number: about a clause


def number_attached(question: str, hit: Hit, within: int = ATTACHED_WITHIN) -> bool | None:
    """For a question that asks for a number (``answertype.expected`` says "number"): whether the sentence
    holds a number of the kind asked for (a count for "how many ...?", a sum of money for "how much did it
    cost?", a measure or an age for "how long / old / far ...?", else any amount) that the question does not
    already say, within ``within`` content words of one of the question's own words. None for any other
    question.

    An article that says "six Airbus aircraft" does not say how many planes an airline has, and "£1,400
    more" is not what a plan costs in total: the number is there, but not of the thing asked about.
    """
    from assistant.answertype import expected

    if expected(question) != "number":
        return None
    labels = number_labels(question)
    asked = _stems(question) - {"many", "much"}
    said = set(words(question))
    sentence = _positions(hit.text, hit.start)
    for s, e, label in stored_spans(hit):
        if label not in labels or set(words(hit.text[s - hit.start : e - hit.start])) <= said:
            continue
        inside = [i for i, (a, b, _) in enumerate(sentence) if b > s and a < e]
        if not inside:
            continue
        near = sentence[max(0, inside[0] - within) : inside[-1] + within + 1]
        if any(w in asked for _, _, w in near):
            return True
    return False


def number_labels(question: str) -> tuple[str, ...]:
    """The labels of the number a number question asks for: a count for "how many ...?", a sum of money
    for "how much did it cost?", a measure or an age for "how long / old / far ...?", else any amount."""
    if _HOW_MANY.search(question):
        return ("CARDINAL", "QUANTITY")
    if _MONEY_ASKED.search(question):
        return ("MONEY",)
    if _MEASURE.search(question):  # "how old is he?": "the 73-year-old" is a date to spaCy
        return TIERS["measure"][0]
    return TIERS["number"][0]


def _side(question: str) -> int:
    """Where in the sentence the answer lies from the question's words: -1 (before) when the question asks
    for the subject of its verb ("What connects ...", "Which river joins ..."), +1 (after) when it asks for
    the object ("What did X do", "What city can Ukraine defend?"), 0 when the form does not say."""
    found = words(question)
    if not found or found[0] not in ("what", "which"):
        return 0
    rest = found[1:3]
    for i, word in enumerate(rest):
        if word in _OBJECT_AUX:
            return 1
        if word in _AUX or word in STOPWORDS:
            return 0
        if word.endswith(("ed", "s")) and (i == 1 or stem(word) not in NOUN_TYPE):
            return -1
    return 0


def _agent(kind: str, hit: Hit, start: int, sentence, anchors: list[int]) -> int:
    """1 for the agent of a passive verb the question names ("Who first reported it?" and "...was first
    reported by Politico": Politico), which outranks a name elsewhere in the sentence; else 0."""
    if kind not in ("person", "org") or not anchors:
        return 0
    if not re.search(r"\bby\s+(the\s+)?$", hit.text[: start - hit.start]):
        return 0
    before = [i for i, (s, _, _) in enumerate(sentence) if s < start]
    return int(bool(before) and before[-1] in anchors)


def _wrong_side(side: int, start: int, end: int, sentence, anchors: list[int]) -> int:
    """1 when the span lies on the other side of the question's words than ``side`` asks, else 0."""
    if not side or not anchors:
        return 0
    where = [(s, e) for s, e, _ in sentence]
    if side < 0:
        return int(start >= where[anchors[0]][1])
    return int(end <= where[anchors[-1]][0])


def _may_answer(kind: str, text: str) -> bool:
    """Whether a noun chunk may answer a question of ``kind`` that no entity of its labels answers."""
    if kind == "time":
        return bool(_TIMELY.search(text))
    if kind == "number":
        return bool(_COUNTED.search(text))
    return True


def _widen(hit: Hit, span: Span) -> Span:
    """A number widened to its unit ("1,000" + " m3/s"), a date to its era ("1st century" + " BC"), a date
    or a quantity to the number before it ("~11,700" + " years ago")."""
    s, e, label = span
    if label not in _NUMERIC:
        return span
    rest = hit.text[e - hit.start :]
    if label == "CARDINAL" and (m := _UNIT.match(rest)):
        e += m.end()
        label = "QUANTITY"
    elif label == "DATE" and (m := _ERA.match(rest)):
        e += m.end()
    if m := _NUMBER_BEFORE.search(hit.text[: s - hit.start]):
        s -= len(m.group())
    return s, e, label


def _tidy(hit: Hit, span: Span) -> Span:
    """The span without brackets, quotes or commas at its edges, nor a leading "about" on a number."""
    s, e, label = span
    text = hit.text[s - hit.start : e - hit.start]
    lead = len(text) - len(text.lstrip(_EDGE))
    if label in _NUMERIC and (m := _APPROXIMATELY.match(text, lead)) and m.end() < len(text):
        lead = m.end()
    trail = len(text) - len(text.rstrip(_EDGE))
    return (s + lead, e - trail, label) if s + lead < e - trail else span


def _proper(hit: Hit, start: int, text: str) -> bool:
    """True for a name: a capitalised word (not only because it opens the sentence) or a number."""
    for m in _WORD.finditer(text):
        word = m.group()
        if word[0].isdigit() or (word[0].isupper() and start + m.start() != hit.start):
            return True
    return False


def _distance(start: int, end: int, sentence: list[tuple[int, int, str]], anchors: list[int]) -> int:
    """Words between the span and the nearest of the question's words in the sentence (0 with none)."""
    if not anchors:
        return 0
    inside = [i for i, (s, _, _) in enumerate(sentence) if start <= s < end]
    if not inside:
        return len(sentence)
    first, last = inside[0], inside[-1]
    return min(first - a if a < first else a - last if a > last else 0 for a in anchors)
