"""Index each story once: drop identical and near-identical copies, and keep only the latest update.

Wire copies and republished stories repeat an article with small edits (a new byline, a changed headline);
an updated version carries the same URL or title and a later date. Both are decided on the article body,
never on file names, and every decision is returned so it can be logged and reported.
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections import Counter

from langchain_core.documents import Document

NEAR_DUPLICATE = 0.85  # Jaccard similarity of word 5-shingles
BOTTOM = 16  # the smallest shingle hashes of an article, through which near-copies find each other
SHARED = 8  # of them a kept article must share to be compared exactly (see _twin)
_SEEN: dict[tuple[str, int], tuple[str, set[int], list[int]]] = {}  # see _sketch
_SEEN_AT_MOST = 200_000


def _body(doc: Document) -> str:
    text = doc.page_content[int(doc.metadata.get("body_start", 0)) :]
    return " ".join(re.findall(r"\w+", text.lower()))


def _shingles(body: str, n: int = 5) -> set[int]:
    words = body.split()
    return {hash(" ".join(words[i : i + n])) for i in range(max(1, len(words) - n + 1))}


def _jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _sketch(doc: Document) -> tuple[str, set[int], list[int]]:
    """An article's body digest, its shingles and the ``BOTTOM`` smallest of them. Kept for the life of the
    process by the article's content hash, so a process that indexes again and again (a serving assistant
    adding an upload) shingles each article once, not once per build."""
    key = (doc.metadata.get("hash") or hashlib.sha256(doc.page_content.encode()).hexdigest(), _start(doc))
    found = _SEEN.get(key)
    if found is None:
        if len(_SEEN) >= _SEEN_AT_MOST:
            _SEEN.clear()
        body = _body(doc)
        shingles = _shingles(body)
        found = _SEEN[key] = (
            hashlib.sha256(body.encode()).hexdigest(),
            shingles,
            heapq.nsmallest(BOTTOM, shingles),
        )
    return found


def _start(doc: Document) -> int:
    return int(doc.metadata.get("body_start", 0))


def _twin(
    sketch: set[int],
    bottom: list[int],
    sketches: list[tuple[set[int], Document]],
    postings: dict[int, list[int]],
) -> Document | None:
    """The first kept article whose shingles are near-identical to ``sketch``. Candidates are the kept
    articles that hold at least half (``SHARED``) of this one's ``BOTTOM`` smallest shingle hashes
    (``postings``). Of two articles at Jaccard 0.85, each holds about 0.92 of the other's shingles, so a copy
    holds fewer than 8 of the 16 with probability below one in a million; articles that merely share a
    sentence or a credit line hold one or two and are not compared at all, so an archive whose stories
    repeat boilerplate does not compare every pair. Each candidate is then compared exactly."""
    shared = Counter(i for h in bottom for i in postings.get(h, ()))
    enough = min(SHARED, (len(bottom) + 1) // 2)
    candidates = sorted(i for i, n in shared.items() if n >= enough)
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
    postings: dict[int, list[int]] = {}  # one of the smallest shingles -> the kept sketches with it, in order
    for doc in docs:
        if doc.metadata["source"] in replaced:
            continue
        digest, sketch, bottom = _sketch(doc)
        if digest in seen:
            decisions.append((doc.metadata["source"], seen[digest].metadata["source"], "identical copy"))
            continue
        seen[digest] = doc
        twin = _twin(sketch, bottom, sketches, postings)
        if twin is not None:
            decisions.append((doc.metadata["source"], twin.metadata["source"], "near-identical copy"))
            continue
        for shingle in bottom:
            postings.setdefault(shingle, []).append(len(sketches))
        sketches.append((sketch, doc))
        kept.append(doc)
    return kept, decisions
