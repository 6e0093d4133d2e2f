"""Index each story once: drop identical and near-identical copies, and keep only the latest update.

Wire copies and republished stories repeat an article with small edits (a new byline, a changed headline);
an updated version carries the same URL or title and a later date. Both are decided on the article body,
never on file names, and every decision is returned so it can be logged and reported.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from langchain_core.documents import Document

NEAR_DUPLICATE = 0.85  # Jaccard similarity of word 5-shingles
BANDS, ROWS = 16, 4  # a MinHash signature of 64 values, in 16 bands of 4 (see _twin)
_SEEN: dict[tuple[str, int], tuple[str, tuple[bytes, ...]]] = {}  # see _sketch
_SEEN_AT_MOST = 200_000
_MASK64 = (1 << 64) - 1


def _body(doc: Document) -> str:
    text = doc.page_content[int(doc.metadata.get("body_start", 0)) :]
    return " ".join(re.findall(r"\w+", text.lower()))


def _shingles(body: str, n: int = 5) -> set[int]:
    words = body.split()
    return {hash(" ".join(words[i : i + n])) for i in range(max(1, len(words) - n + 1))}


def _jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _hashes():
    """The ``BANDS * ROWS`` hash functions of the signature: multiply-add on 64 bits, fixed odd factors."""
    import numpy as np

    rng = np.random.default_rng(20241203)
    factors = rng.integers(1, 2**63, size=BANDS * ROWS, dtype=np.uint64) | np.uint64(1)
    offsets = rng.integers(0, 2**63, size=BANDS * ROWS, dtype=np.uint64)
    return factors[:, None], offsets[:, None]


_FUNCTIONS = None


def _bands(shingles: set[int]) -> tuple[bytes, ...]:
    """The article's MinHash signature cut into ``BANDS`` keys (each names its band)."""
    import numpy as np

    global _FUNCTIONS
    if _FUNCTIONS is None:
        _FUNCTIONS = _hashes()
    factors, offsets = _FUNCTIONS
    values = np.fromiter((h & _MASK64 for h in shingles), dtype=np.uint64, count=len(shingles))
    with np.errstate(over="ignore"):
        signature = (factors * values[None, :] + offsets).min(axis=1)  # wraps modulo 2**64
    rows = signature.reshape(BANDS, ROWS)
    return tuple(bytes([b]) + rows[b].tobytes() for b in range(BANDS))


def _sketch(doc: Document) -> tuple[str, tuple[bytes, ...]]:
    """An article's body digest and its signature's band keys. Kept for the life of the process by the
    article's content hash, so a process that indexes again and again (a serving assistant adding an upload)
    shingles each article once, not once per build. The shingles themselves are not kept: a candidate pair
    is rare, and its shingles are made again from the text to compare it."""
    key = (doc.metadata.get("hash") or hashlib.sha256(doc.page_content.encode()).hexdigest(), _start(doc))
    found = _SEEN.get(key)
    if found is None:
        if len(_SEEN) >= _SEEN_AT_MOST:
            _SEEN.clear()
        body = _body(doc)
        found = _SEEN[key] = (hashlib.sha256(body.encode()).hexdigest(), _bands(_shingles(body)))
    return found


def _start(doc: Document) -> int:
    return int(doc.metadata.get("body_start", 0))


Postings = dict[bytes, "int | tuple[int, ...]"]  # a band's key -> the kept article(s) with it, in order


def _post(postings: Postings, band: bytes, i: int) -> None:
    """Record that kept article ``i`` has ``band``: an int for the first (most bands are one article's),
    a tuple after, so a large archive's postings are not a million objects for the garbage collector."""
    old = postings.get(band)
    postings[band] = i if old is None else ((old,) if isinstance(old, int) else old) + (i,)


def _posted(postings: Postings, band: bytes) -> tuple[int, ...]:
    found = postings.get(band)
    return () if found is None else (found,) if isinstance(found, int) else found


def _twin(doc: Document, bands: tuple[bytes, ...], kept: list[Document], postings: Postings):
    """The first kept article whose shingles are near-identical to ``doc``'s. Candidates are the kept
    articles whose MinHash signature agrees with this one's on a whole band (``postings``; locality-
    sensitive hashing): two articles at Jaccard J agree on one hash with probability J, on a band of 4 with
    J ** 4, so a pair at 0.85 escapes all 16 bands with probability (1 - 0.85 ** 4) ** 16, below one in
    100,000, while two stories that share a sentence or a credit line (J of a few percent) almost never
    meet: an archive whose stories repeat boilerplate does not compare every pair. Each candidate is then
    compared exactly."""
    candidates = sorted({i for band in bands for i in _posted(postings, band)})
    if not candidates:
        return None
    shingles = _shingles(_body(doc))
    for i in candidates:
        if _jaccard(shingles, _shingles(_body(kept[i]))) >= NEAR_DUPLICATE:
            return kept[i]
    return None


def _update_keys(doc: Document) -> list[str]:
    keys = [f"url:{doc.metadata['url']}"] if doc.metadata.get("url") else []
    if doc.metadata.get("title") and doc.metadata.get("date"):
        keys.append(f"title:{doc.metadata['title'].strip().lower()}")
    return keys


@dataclass
class _State:
    """What the last ``dedupe`` call decided, to extend when the next call only adds articles."""

    versions: set[tuple[str, str]]  # (source, hash) of every article it was given
    kept: list[Document]
    decisions: list[tuple[str, str, str]]
    latest: dict[str, Document]
    seen: dict[str, Document]
    postings: Postings
    scope: object = None  # what the articles were read from (``dedupe``'s ``scope``)
    sources: dict[str, str] = field(default_factory=dict)  # source -> hash, of ``versions``

    def __post_init__(self) -> None:
        if not self.sources:
            self.sources = dict(self.versions)


_LAST: list[_State] = []  # at most one: the last call's


def _extend(state: _State, docs: list[Document], versions: list[tuple[str, str]]) -> bool:
    """Add to ``state`` those of ``docs`` it lacks, when each is a new article (a source it does not hold)
    that is no copy or update of another; False when one is not (``state`` is then stale: drop it)."""
    for doc, version in zip(docs, versions, strict=True):
        if version in state.versions:
            continue
        if version[0] in state.sources or any(key in state.latest for key in _update_keys(doc)):
            return False
        digest, bands = _sketch(doc)
        if digest in state.seen or _twin(doc, bands, state.kept, state.postings) is not None:
            return False
        state.seen[digest] = doc
        for key in _update_keys(doc):
            state.latest[key] = doc
        for band in bands:
            _post(state.postings, band, len(state.kept))
        state.kept.append(doc)
        state.versions.add(version)
        state.sources[version[0]] = version[1]
    return True


def _added(state: _State, docs: list[Document], versions: list[tuple[str, str]]) -> bool:
    """Extend ``state`` with the articles of ``docs`` it lacks, when that is all that changed and none of
    them is a copy or an update of another (then no earlier decision can change). False when a full pass is
    needed; ``state`` is then stale and must not be used again."""
    if not state.versions <= set(versions):
        return False  # an article removed or changed: earlier decisions may change
    return _extend(state, docs, versions)


def _kept_of(state: _State, docs: list[Document], versions: list[tuple[str, str]]) -> list[Document]:
    kept_versions = {(d.metadata["source"], d.metadata.get("hash", "")) for d in state.kept}
    return [d for d, v in zip(docs, versions, strict=True) if v in kept_versions]  # in the given order


def dedupe_added(
    docs: list[Document], scope: object
) -> tuple[list[Document], list[tuple[str, str, str]]] | None:
    """``dedupe``'s answer for a few articles added to those of the last call over the same ``scope``, found
    from that call's decisions (its MinHash postings) in time that does not grow with the archive: each of
    ``docs`` is kept, or was decided already. None when that cannot be known without a full pass (no such
    call in this process, or one of ``docs`` is a changed article, a copy or an update, or was decided one
    when all were): call ``dedupe``."""
    versions = [(d.metadata["source"], d.metadata.get("hash", "")) for d in docs]
    if not holds(scope):
        return None
    state = _LAST[0]
    if not _extend(state, docs, versions):
        _LAST.clear()
        return None
    named = {source for source, _ in versions}
    if any(dropped in named or kept in named for dropped, kept, _ in state.decisions):
        return None  # a copy that won over another: a full build drops the other
    return list(docs), []  # each is kept: an article not kept is named by a decision


def holds(scope: object) -> bool:
    """True when this process's last ``dedupe`` call was over ``scope``'s articles (``dedupe_added`` can
    extend it)."""
    return bool(_LAST) and scope is not None and _LAST[0].scope == scope


def dedupe(docs: list[Document], scope: object = None) -> tuple[list[Document], list[tuple[str, str, str]]]:
    """``(kept, decisions)``; each decision is ``(dropped source, kept source, reason)``.

    A call that only adds new, distinct articles to the last call's extends its decisions (cost: the new
    articles); any other change decides everything again. ``scope`` names where ``docs`` are all the
    articles of (a seeds folder), for ``dedupe_added``."""
    versions = [(d.metadata["source"], d.metadata.get("hash", "")) for d in docs]
    if _LAST and _added(_LAST[0], docs, versions):
        state = _LAST[0]
        state.scope = scope
        return _kept_of(state, docs, versions), list(state.decisions)
    _LAST.clear()
    decisions: list[tuple[str, str, str]] = []
    # Updates first: the same URL or title with a later date replaces the earlier version.
    latest: dict[str, Document] = {}
    for doc in docs:
        for key in _update_keys(doc):
            other = latest.get(key)
            if other is None or other is doc:
                latest[key] = doc
                continue
            if doc.metadata.get("date", "") != other.metadata.get("date", "") and _body(doc) != _body(other):
                old, new = sorted((other, doc), key=lambda d: d.metadata.get("date", ""))
                decision = (old.metadata["source"], new.metadata["source"], "an updated version replaces it")
                if decision not in decisions:
                    decisions.append(decision)
                latest[key] = new
    replaced = {d for d, _, _ in decisions}
    kept: list[Document] = []
    seen: dict[str, Document] = {}
    postings: Postings = {}
    for doc in docs:
        if doc.metadata["source"] in replaced:
            continue
        digest, bands = _sketch(doc)
        if digest in seen:
            decisions.append((doc.metadata["source"], seen[digest].metadata["source"], "identical copy"))
            continue
        seen[digest] = doc
        twin = _twin(doc, bands, kept, postings)
        if twin is not None:
            decisions.append((doc.metadata["source"], twin.metadata["source"], "near-identical copy"))
            continue
        for band in bands:
            _post(postings, band, len(kept))
        kept.append(doc)
    _LAST.append(_State(set(versions), list(kept), list(decisions), latest, seen, postings, scope))
    return kept, decisions
