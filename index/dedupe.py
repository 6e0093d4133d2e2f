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


def _body(doc: Document) -> str:
    text = doc.page_content[int(doc.metadata.get("body_start", 0)) :]
    return " ".join(re.findall(r"\w+", text.lower()))


def _shingles(body: str, n: int = 5) -> set[int]:
    words = body.split()
    return {hash(" ".join(words[i : i + n])) for i in range(max(1, len(words) - n + 1))}


def _jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _twin(
    sketch: set[int], sketches: list[tuple[set[int], Document]], postings: dict[int, list[int]]
) -> Document | None:
    """The first kept article whose shingles are near-identical to ``sketch``: only those that share enough
    shingles to reach the threshold are compared (Jaccard >= t needs |A & B| >= t * |A|), so the cost is
    the shared shingles, not every pair."""
    shared: dict[int, int] = {}
    for shingle in sketch:
        for i in postings.get(shingle, ()):
            shared[i] = shared.get(i, 0) + 1
    need = NEAR_DUPLICATE * len(sketch)
    for i in sorted(i for i, n in shared.items() if n >= need):
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
    postings: dict[int, list[int]] = {}  # shingle -> the kept sketches that hold it, in order
    for doc in docs:
        if doc.metadata["source"] in replaced:
            continue
        body = _body(doc)
        digest = hashlib.sha256(body.encode()).hexdigest()
        if digest in seen:
            decisions.append((doc.metadata["source"], seen[digest].metadata["source"], "identical copy"))
            continue
        seen[digest] = doc
        sketch = _shingles(body)
        twin = _twin(sketch, sketches, postings)
        if twin is not None:
            decisions.append((doc.metadata["source"], twin.metadata["source"], "near-identical copy"))
            continue
        for shingle in sketch:
            postings.setdefault(shingle, []).append(len(sketches))
        sketches.append((sketch, doc))
        kept.append(doc)
    return kept, decisions
