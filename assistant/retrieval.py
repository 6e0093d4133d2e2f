"""Hybrid retrieval of sentences: dense (Chroma) on sentences and on their passages, BM25 on sentences, fused.

Three rankings vote with reciprocal rank fusion: a sentence's own embedding, its passage's embedding (the
context a lone "he said" sentence lacks) and BM25 over sentence words. The result is a list of ``Hit``
sentences, best first, each with the raw scores that refusal and composition look at.

This module does not decide whether to answer or how to phrase it.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.text import tokens

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from index.store import IndexStore

RRF_K = 60
DENSE_CANDIDATES = 30


@dataclass
class Hit:
    """A candidate sentence with its offsets into the source file and its scores."""

    id: str
    text: str
    source: str
    start: int
    end: int
    paragraph: int
    title: str
    date: str
    passage_id: str
    speaker: str = ""  # who said the sentence, as the article calls them ("" for narration)
    when_start: str = ""  # a relative date in the sentence, resolved against the article's date
    when_end: str = ""
    when_label: str = ""
    outlet: str = ""
    url: str = ""
    date_ord: int = 0
    dense: float = 0.0  # cosine similarity of the sentence to the query
    passage_dense: float = 0.0  # cosine similarity of its passage
    lexical: float = 0.0  # BM25
    score: float = 0.0  # fused
    ranks: dict[str, int] = field(default_factory=dict)


Filter = dict  # {"date_from": "YYYY-MM-DD", "date_to": "YYYY-MM-DD", "outlet": str}
FILTER_KEYS = ("date_from", "date_to", "outlet")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _ord(value: str) -> int:
    return int(str(value).replace("-", "")[:8].ljust(8, "0"))


def make_filter(date_from: str = "", date_to: str = "", outlet: str = "") -> Filter | None:
    """The ``where`` filter from front-end fields (blank means any), validated; None when all are blank."""
    fields = {"date_from": date_from, "date_to": date_to, "outlet": outlet}
    where = {k: str(v).strip() for k, v in fields.items() if v is not None and str(v).strip()}
    chroma_filter(where)  # validates
    return where or None


def _is_date(value: object) -> bool:
    from datetime import date

    try:
        return bool(_DATE.fullmatch(value)) and bool(date.fromisoformat(value))
    except (TypeError, ValueError):
        return False


def _check(where: Filter) -> None:
    from assistant.errors import BadQuestion

    unknown = set(where) - set(FILTER_KEYS)
    if unknown:
        raise BadQuestion(f"unknown filter {sorted(unknown)[0]!r} — use: {', '.join(FILTER_KEYS)}")
    for key in ("date_from", "date_to"):
        if where.get(key) and not _is_date(where[key]):
            name = key.replace("_", " ")
            raise BadQuestion(
                f"{name} {where[key]!r} is not a date — write it as YYYY-MM-DD, e.g. 2024-05-30"
            )
    if where.get("date_from") and where.get("date_to") and where["date_from"] > where["date_to"]:
        raise BadQuestion(f"date from {where['date_from']} is after date to {where['date_to']} — swap them")
    if where.get("outlet") and not isinstance(where["outlet"], str):
        raise BadQuestion('the outlet filter must be a name, e.g. "Island Post"')


def chroma_filter(where: Filter | None) -> dict | None:
    """The Chroma metadata filter for article filters (dates compare as YYYYMMDD numbers)."""
    if not where:
        return None
    _check(where)
    clauses = []
    if where.get("date_from"):
        clauses.append({"date_ord": {"$gte": _ord(where["date_from"])}})
    if where.get("date_to"):
        clauses.append({"date_ord": {"$lte": _ord(where["date_to"]) or 99999999}})
    if where.get("outlet"):
        clauses.append({"outlet": where["outlet"]})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def matcher(where: Filter | None):
    """The same filter as a predicate on hits, for the lexical ranking."""
    chroma_filter(where)  # validates
    where = where or {}
    lo = _ord(where["date_from"]) if where.get("date_from") else 0
    hi = _ord(where["date_to"]) if where.get("date_to") else 99999999
    outlet = where.get("outlet")
    return lambda h: lo <= h.date_ord <= hi and (not outlet or h.outlet == outlet)


def rrf(
    rankings: dict[str, Sequence[str]], k: int = RRF_K, weights: dict[str, float] | None = None
) -> dict[str, float]:
    """Reciprocal rank fusion: ``sum(w / (k + rank))`` over the rankings an item appears in (rank from 1)."""
    fused: dict[str, float] = {}
    for name, ranking in rankings.items():
        w = (weights or {}).get(name, 1.0)
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + w / (k + rank)
    return fused


class HybridRetriever:
    """Retrieves sentences from an ``IndexStore``; the lexical index is built on first use."""

    def __init__(self, store: IndexStore, embedder: Embeddings) -> None:
        self.store = store
        self.embedder = embedder
        self._lock = threading.Lock()
        self._loaded = False
        self._sentences: dict[str, Hit] = {}
        self._ids: list[str] = []
        self._vocabulary: set[str] = set()
        self._bm25 = None
        self._by_passage: dict[str, list[str]] = {}

    def refresh(self) -> None:
        """(Re)load sentence records and the BM25 index from the store."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import
        got = self.store.sentences.get(include=["documents", "metadatas"])
        sentences: dict[str, Hit] = {}
        for sid, text, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
            sentences[sid] = Hit(
                id=sid,
                text=text,
                source=m["source"],
                start=int(m["start"]),
                end=int(m["end"]),
                paragraph=int(m.get("paragraph", 0)),
                title=m.get("title", ""),
                date=m.get("date", ""),
                passage_id=m.get("passage_id", ""),
                speaker=m.get("speaker", ""),
                when_start=m.get("when_start", ""),
                when_end=m.get("when_end", ""),
                when_label=m.get("when_label", ""),
                outlet=m.get("outlet", ""),
                url=m.get("url", ""),
                date_ord=int(m.get("date_ord", 0) or 0),
            )
        ids = sorted(sentences, key=lambda i: (sentences[i].source, sentences[i].start))
        corpus = [tokens(sentences[i].text) or ["\x00empty"] for i in ids]
        bm25 = bm25s.BM25()
        if corpus:
            bm25.index(corpus, show_progress=False)
        by_passage: dict[str, list[str]] = {}
        for sid in ids:
            by_passage.setdefault(sentences[sid].passage_id, []).append(sid)
        with self._lock:
            self._sentences, self._ids, self._bm25, self._by_passage = sentences, ids, bm25, by_passage
            self._vocabulary = {t for doc in corpus for t in doc}
            self._loaded = True

    def _ensure(self) -> None:
        if not self._loaded:
            self.refresh()

    @property
    def vocabulary(self) -> set[str]:
        self._ensure()
        return self._vocabulary

    @property
    def size(self) -> int:
        self._ensure()
        return len(self._ids)

    @property
    def speakers(self) -> set[str]:
        """Everyone the indexed articles quote or paraphrase, as the articles call them."""
        self._ensure()
        return {h.speaker for h in self._sentences.values() if h.speaker}

    def statements(self, speaker: str, where: Filter | None = None) -> list[Hit]:
        """The sentences attributed to ``speaker``, in article order."""
        self._ensure()
        keep = matcher(where)
        found = [self._sentences[i] for i in self._ids if self._sentences[i].speaker == speaker]
        return [Hit(**{**h.__dict__, "ranks": {}}) for h in found if keep(h)]

    def ledes(self, where: Filter | None = None, limit: int = 10) -> list[Hit]:
        """The first sentence of each article that passes ``where``, oldest article first."""
        self._ensure()
        keep, first = matcher(where), {}
        for sid in self._ids:  # sorted by source, then offset
            hit = self._sentences[sid]
            if hit.source not in first and keep(hit):
                first[hit.source] = hit
        found = sorted(first.values(), key=lambda h: (h.date_ord, h.source))[:limit]
        return [Hit(**{**h.__dict__, "ranks": {}}) for h in found]

    def _lexical(self, query: str, k: int, keep) -> list[tuple[str, float]]:
        terms = [t for t in tokens(query) if t in self._vocabulary]
        if not terms or not self._ids:
            return []
        scores = self._bm25.get_scores(terms)
        order = scores.argsort()[::-1]
        found = []
        for i in order:
            if scores[i] <= 0 or len(found) >= k:
                break
            if keep(self._sentences[self._ids[i]]):
                found.append((self._ids[i], float(scores[i])))
        return found

    def _dense(self, part, vector: list[float], k: int, where: Filter | None) -> list[tuple[str, float]]:
        n = min(k, part._collection.count())
        if n == 0:
            return []
        found = part.similarity_search_by_vector_with_relevance_scores(
            vector, k=n, filter=chroma_filter(where)
        )
        return [(doc.id, 1.0 - distance) for doc, distance in found]

    def search(self, query: str, k: int = 10, where: Filter | None = None) -> list[Hit]:
        """The ``k`` best sentences for ``query``, best first, among articles that pass ``where``."""
        self._ensure()
        vector = self.embedder.embed_query(query)
        dense = self._dense(self.store.sentences, vector, DENSE_CANDIDATES, where)
        passages = dict(self._dense(self.store.passages, vector, DENSE_CANDIDATES, where))
        lexical = self._lexical(query, DENSE_CANDIDATES, matcher(where))

        passage_ranking = [
            sid
            for pid, _ in sorted(passages.items(), key=lambda x: -x[1])
            for sid in self._by_passage.get(pid, [])
        ]
        rankings = {
            "dense": [sid for sid, _ in dense],
            "passage": passage_ranking,
            "lexical": [sid for sid, _ in lexical],
        }
        fused = rrf(rankings)
        dense_scores, lexical_scores = dict(dense), dict(lexical)
        hits = []
        for sid, score in sorted(fused.items(), key=lambda x: -x[1])[:k]:
            base = self._sentences.get(sid)
            if base is None:  # the store changed since refresh(); the next refresh picks it up
                continue
            hit = Hit(**{**base.__dict__, "ranks": {}})
            hit.dense = dense_scores.get(sid, 0.0)
            hit.passage_dense = passages.get(base.passage_id, 0.0)
            hit.lexical = lexical_scores.get(sid, 0.0)
            hit.score = score
            hit.ranks = {name: r.index(sid) + 1 for name, r in rankings.items() if sid in r}
            hits.append(hit)
        return hits
