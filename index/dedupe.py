"""Index each story once: drop identical and near-identical copies, and keep only the latest update.

Wire copies and republished stories repeat an article with small edits (a new byline, a changed headline);
an updated version carries the same URL or title and a later date. Both are decided on the article body,
never on file names, and every decision is returned so it can be logged and reported.
"""

from __future__ import annotations

import hashlib
import re

from langchain_core.documents import Document

NEAR_DUPLICATE = 0.85  # Jaccard similarity of word 5-shingles
BANDS, ROWS = 16, 4  # a MinHash signature of 64 values, in 16 bands of 4 (see _twin)
_SEEN: dict[tuple[str, int], tuple[str, set[int], list[bytes]]] = {}  # see _sketch
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


def _bands(shingles: set[int]) -> list[bytes]:
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
    return [bytes([b]) + rows[b].tobytes() for b in range(BANDS)]


def _sketch(doc: Document) -> tuple[str, set[int], list[bytes]]:
    """An article's body digest, its shingles and its signature's band keys. Kept for the life of the
    process by the article's content hash, so a process that indexes again and again (a serving assistant
    adding an upload) shingles each article once, not once per build."""
    key = (doc.metadata.get("hash") or hashlib.sha256(doc.page_content.encode()).hexdigest(), _start(doc))
    found = _SEEN.get(key)
    if found is None:
        if len(_SEEN) >= _SEEN_AT_MOST:
            _SEEN.clear()
        body = _body(doc)
        shingles = _shingles(body)
        found = _SEEN[key] = (hashlib.sha256(body.encode()).hexdigest(), shingles, _bands(shingles))
    return found


def _start(doc: Document) -> int:
    return int(doc.metadata.get("body_start", 0))


def _twin(
    sketch: set[int],
    bands: list[bytes],
    sketches: list[tuple[set[int], Document]],
    postings: dict[bytes, list[int]],
) -> Document | None:
    """The first kept article whose shingles are near-identical to ``sketch``. Candidates are the kept
    articles whose MinHash signature agrees with this one's on a whole band (``postings``; locality-
    sensitive hashing): two articles at Jaccard J agree on one hash with probability J, on a band of 4 with
    J ** 4, so a pair at 0.85 escapes all 16 bands with probability (1 - 0.85 ** 4) ** 16, below one in
    100,000, while two stories that share a sentence or a credit line (J of a few percent) almost never
    meet: an archive whose stories repeat boilerplate does not compare every pair. Each candidate is then
    compared exactly."""
    candidates = sorted({i for band in bands for i in postings.get(band, ())})
    for i in candidates:
        if _jaccard(sketch, sketches[i][0]) >= NEAR_DUPLICATE:
            return sketches[i][1]
    return None


def dedupe(docs: list[Document]) -> tuple[list[Document], list[tuple[str, str, str]]]:
    """``(kept, decisions)``; each decision is ``(dropped source, kept source, reason)``."""
    decisions: list[tuple[str, str, str]] = []
    # Updates first: the same URL or title with a later date replaces the earlier version.
    latest: dict[str, Document] = {}
    for doc in docs:
        keys = [f"url:{doc.metadata['url']}"] if doc.metadata.get("url") else []
        if doc.metadata.get("title") and doc.metadata.get("date"):
            keys.append(f"title:{doc.metadata['title'].strip().lower()}")
        for key in keys:
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
    sketches: list[tuple[set[int], Document]] = []
    postings: dict[bytes, list[int]] = {}  # a band's key -> the kept sketches with it, in order
    for doc in docs:
        if doc.metadata["source"] in replaced:
            continue
        digest, sketch, bands = _sketch(doc)
        if digest in seen:
            decisions.append((doc.metadata["source"], seen[digest].metadata["source"], "identical copy"))
            continue
        seen[digest] = doc
        twin = _twin(sketch, bands, sketches, postings)
        if twin is not None:
            decisions.append((doc.metadata["source"], twin.metadata["source"], "near-identical copy"))
            continue
        for band in bands:
            postings.setdefault(band, []).append(len(sketches))
        sketches.append((sketch, doc))
        kept.append(doc)
    return kept, decisions
