"""Retrieval of sentences: candidates from three rankings, ordered by a scorer fitted on question sets.

Three rankings propose candidates: dense (Chroma) on sentences, dense on their passages (the context a lone
"he said" sentence lacks) and BM25 over sentence stems, with the question's names widened by their aliases
(Washington ~ U.S.). Each candidate then gets the features of ``assistant.features`` (its cosine and its
neighbours', BM25, overlaps, answer kind...) and the fitted ``assistant.scorer`` orders them. The result is
a ``Ranking``: ``Hit`` sentences best first, and the probability that the best one answers the question.

This module does not decide whether to answer or how to phrase it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.features import (
    CANDIDATE_FEATURES,
    QuestionInfo,
    SentenceInfo,
    answerability_features,
    candidate_features,
    with_gaps,
)
from assistant.scorer import TYPED_WITHIN
from assistant.table import SentenceTable
from assistant.text import tokens, words
from assistant.wordvectors import WordVectors, alignment
from index.dates import LAST, date_ord

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np
    from langchain_core.embeddings import Embeddings

    from assistant.scorer import Scorer
    from index.store import IndexStore

RRF_K = 60
FULL_SORT = 100_000  # rows up to which the lexical ranking sorts every score; beyond, only the best few
DENSE_CANDIDATES = 30  # sentences proposed by each of the dense and lexical rankings
PASSAGE_CANDIDATES = 10  # passages whose sentences are all proposed


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
    entities: str = ""  # JSON [[start, end, label], ...]: spaCy's entities, offsets into the source file
    headline: bool = False  # the article's headline line: its title, never offered as another answer
    dense: float = 0.0  # cosine similarity of the sentence to the query
    passage_dense: float = 0.0  # cosine similarity of its passage
    lexical: float = 0.0  # BM25
    score: float = 0.0  # the fitted scorer's log-odds that this sentence answers the question
    ranks: dict[str, int] = field(default_factory=dict)
    features: list[float] = field(default_factory=list)  # assistant.features.CANDIDATE_FEATURES


@dataclass
class Ranking:
    """Candidate sentences, best first, and what the scorer makes of the best one."""

    hits: list[Hit]
    question: QuestionInfo
    confidence: float = 1.0  # probability that the best hit answers the question
    features: tuple[float, ...] = ()  # the ANSWERABILITY_FEATURES the confidence was computed from


Filter = dict  # {"date_from": "YYYY-MM-DD", "date_to": "YYYY-MM-DD", "outlet": str, "source": str}
FILTER_KEYS = ("date_from", "date_to", "outlet", "source")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def make_filter(date_from: str = "", date_to: str = "", outlet: str = "", source: str = "") -> Filter | None:
    """The ``where`` filter from front-end fields (blank means any), validated; None when all are blank.

    ``source`` is one article's path as the index records it (``seeds/000_5b9ea04de76b7050.txt``); whether
    the index holds it is checked by ``Assistant.check_where``, which knows the index.
    """
    fields = {"date_from": date_from, "date_to": date_to, "outlet": outlet, "source": source}
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
    if where.get("source") and not isinstance(where["source"], str):
        raise BadQuestion('the source filter must be an article path, e.g. "seeds/000_5b9ea04de76b7050.txt"')


def chroma_filter(where: Filter | None) -> dict | None:
    """The Chroma metadata filter for article filters (dates compare as YYYYMMDD numbers)."""
    if not where:
        return None
    _check(where)
    clauses = []
    if where.get("date_from"):
        clauses.append({"date_ord": {"$gte": date_ord(where["date_from"])}})
    if where.get("date_to"):
        clauses.append({"date_ord": {"$lte": date_ord(where["date_to"])}})
    if where.get("outlet"):
        clauses.append({"outlet": where["outlet"]})
    if where.get("source"):  # stored on sentences, passages and article records alike
        clauses.append({"source": where["source"]})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def matcher(where: Filter | None):
    """The same filter as a predicate on hits, for the lexical ranking."""
    chroma_filter(where)  # validates
    where = where or {}
    lo = date_ord(where["date_from"]) if where.get("date_from") else 0
    hi = date_ord(where["date_to"]) if where.get("date_to") else LAST
    outlet, source = where.get("outlet"), where.get("source")
    return lambda h: (
        lo <= h.date_ord <= hi and (not outlet or h.outlet == outlet) and (not source or h.source == source)
    )


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
    """Retrieves sentences from an ``IndexStore``; lexical index and sentence features are built on first use.

    ``scorer`` orders candidates in ``rank`` (default: the fitted weights shipped in ``assistant/weights``);
    the fitting script passes ``scorer=False`` and calls ``candidates`` for unscored candidates.
    """

    def __init__(
        self,
        store: IndexStore,
        embedder: Embeddings,
        scorer: Scorer | None | bool = None,
        words_cache: Path | None = None,
        snapshots: Path | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self._scorer = scorer
        self._lock = threading.Lock()
        self._follow_lock = threading.Lock()
        self._loaded = False
        self._state = SentenceTable()
        self._live: dict[str, str] = {}  # source -> hash of the article versions loaded
        self._revision = -1
        self.words = WordVectors(embedder, words_cache)
        self.snapshots = snapshots  # a folder for the serving snapshot (``assistant.snapshot``), or None
        self._unsaved = 0  # rows loaded since the snapshot was written
        self._saver: threading.Thread | None = None

    @property
    def scorer(self) -> Scorer | None:
        if self._scorer is None:
            from assistant.scorer import Scorer

            self._scorer = Scorer.load()
        return self._scorer or None

    SNAPSHOT_FROM = 5000  # sentences: below this a load from the store is quick and no snapshot is kept

    def refresh(self) -> None:
        """(Re)load the served sentences, their vectors and features, and the BM25 index.

        From the serving snapshot when there is one (then only what changed since is read from the store);
        for a large archive without one, the snapshot is first written from the store; else from the
        store, a page at a time. Only the sentences of committed article versions (``index.store``) load.
        """
        from assistant import snapshot
        from index.store import live_articles

        found = snapshot.load(self._snapshot_path()) if self.snapshots else None
        if found is None and self.snapshots and self.store.size("sentences") >= self.SNAPSHOT_FROM:
            # A large archive is written to columns from the store, a page at a time, and then mapped: this
            # process never holds every sentence as an object. The words' vectors are made once, here.
            words = snapshot.save_from_store(self._snapshot_path(), self.store, live_articles(self.store))
            self.words.add(sorted(words))
            self.words.save()
            found = snapshot.load(self._snapshot_path())
        if found is not None:
            with self._lock:
                self._state, self._live, self._revision = found.table, found.live, -1
                self._loaded, self._unsaved = True, 0
            with self._follow_lock:
                self._follow(live_articles)  # the articles changed since the snapshot was written
            # The words' vectors were kept when the snapshot was made; a word new since is embedded when a
            # question first needs it (``WordVectors.matrix``), not here for every sentence.
            return
        revision = self.store.revision
        live = live_articles(self.store)
        hits, vectors = self._read("sentences", live)
        passages, passage_vectors = self._read("passages", live)
        order = sorted(range(len(hits)), key=lambda i: (hits[i].source, hits[i].start))
        state = SentenceTable().extended(
            [hits[i] for i in order],
            _matrix([vectors[i] for i in order]),
            [p.id for p in passages],
            _matrix(passage_vectors),
        )
        self.words.add([w for info in state.infos for w in info.words])
        self.words.save()
        with self._lock:
            self._state, self._live, self._revision = state, live, revision
            self._loaded, self._unsaved = True, state.n
        self._save_snapshot()

    def _snapshot_path(self) -> Path:
        from assistant import snapshot

        return snapshot.path_for(self.snapshots, self.store.params)

    def _save_snapshot(self) -> None:
        """Write the snapshot in the background when it is worth it: the table is large and more than a
        twentieth of its rows were loaded since the last one."""
        state, live = self._state, self._live
        if not self.snapshots or state.n < self.SNAPSHOT_FROM or self._unsaved <= state.n // 20:
            return
        from assistant import snapshot

        self._unsaved = 0
        live = dict(live)  # a copy: a follow changes the loaded one in place
        self._saver = threading.Thread(
            target=snapshot.save, args=(self._snapshot_path(), state, live), name="snapshot", daemon=True
        )
        self._saver.start()

    def saved(self) -> None:
        """Wait until the snapshot being written, if any, is on disk."""
        if self._saver is not None:
            self._saver.join()

    @property
    def revision(self) -> int:
        """The store's revision the loaded rows are as of (-1 before the first load or follow)."""
        return self._revision

    def follow(self, written: Sequence = ()) -> bool:
        """Apply the in-place changes made since the last load: only the articles added, replaced or removed
        are read. ``written``: records this process just wrote (``index.build.ArticleRecords``), taken as they
        are for the article versions they hold instead of being read back. True when anything changed."""
        from index.store import live_articles

        self._ensure()
        with self._follow_lock:  # one change at a time: each extends the table the last one made
            return self._follow(live_articles, written)

    def _follow(self, live_articles, written: Sequence = ()) -> bool:
        revision = self.store.revision
        if revision == self._revision:
            return False
        live, changed, gone, updates = self._changes(live_articles)
        wanted = set(changed)
        known = {a.source: a for a in written if a.source in wanted and live.get(a.source) == a.hash}
        hits, vectors, passages, passage_vectors = _taken(known.values())
        changed = [s for s in changed if s not in known]  # a filter on ``source`` scans the collection
        for i in range(0, len(changed), 50):
            where = {"source": {"$in": changed[i : i + 50]}}
            found, found_vectors = self._read("sentences", live, where)
            hits += found
            vectors += found_vectors
            found, found_vectors = self._read("passages", live, where)
            passages += found
            passage_vectors += found_vectors
        order = sorted(range(len(hits)), key=lambda i: (hits[i].source, hits[i].start))
        state = self._state.without(gone).extended(
            [hits[i] for i in order],
            _matrix([vectors[i] for i in order]),
            [p.id for p in passages],
            _matrix(passage_vectors),
        )
        self.words.add([w for r in range(self._state.n, state.n) for w in state.infos[r].words])
        self.words.save()
        if updates is not None:  # the loaded versions, changed in place now that the change is applied
            live = self._live  # only this method reads it, under ``_follow_lock`` (a snapshot takes a copy)
            for source, digest in updates.items():
                if digest is None:
                    live.pop(source, None)
                else:
                    live[source] = digest
        with self._lock:
            self._state, self._live, self._revision = state, live, revision
            self._unsaved += len(hits) + len(gone)
        self._save_snapshot()
        return True

    def _changes(self, live_articles) -> tuple[Mapping[str, str], list[str], set[str], dict | None]:
        """``(live, changed, gone, updates)`` since the last load: the article versions served now, the
        articles to read (added or replaced), those whose loaded version is no longer served, and what to
        change in the loaded ``{source: hash}`` once the change is applied. Only the articles the change log
        names are looked at (``live`` is then the loaded mapping under ``updates``, None for an article gone:
        no copy of every article's entry); all of them when the log does not reach back (``updates`` None,
        ``live`` read whole)."""
        from collections import ChainMap

        from index.store import articles_of, changed_since

        touched = changed_since(self.store, self._revision) if self._revision >= 0 else None
        if touched is None:
            live = live_articles(self.store)
            changed = sorted(s for s, h in live.items() if self._live.get(s) != h)
            return live, changed, {s for s, h in self._live.items() if live.get(s) != h}, None
        now, loaded = articles_of(self.store, touched), self._live
        changed = sorted(s for s, h in now.items() if loaded.get(s) != h)
        gone = {s for s in touched if s in loaded and loaded[s] != now.get(s)}
        updates = {s: now.get(s) for s in touched}
        return ChainMap(updates, loaded), changed, gone, updates

    def _read(self, kind: str, live: Mapping[str, str], where: dict | None = None) -> tuple[list[Hit], list]:
        """The records of one kind (matching ``where``) that belong to served article versions."""
        hits, vectors = [], []
        for got in self.store.pages(kind, ("documents", "metadatas", "embeddings"), where):
            for sid, text, m, v in zip(
                got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
            ):
                if live.get(m.get("source")) == m.get("doc_hash"):
                    hits.append(_hit(sid, text, m))
                    vectors.append(v)
        return hits, vectors

    # The loaded rows, read through the current state (swapped whole by refresh and follow).
    _sentences = property(lambda self: self._state.sentences)
    _ids = property(lambda self: self._state.ids)
    _row = property(lambda self: self._state.row)
    _infos = property(lambda self: self._state.infos)
    _neighbours = property(lambda self: self._state.neighbours)
    _vectors = property(lambda self: self._state.vectors)
    _by_source = property(lambda self: self._state.by_source)
    _by_passage = property(lambda self: self._state.by_passage)
    _passage_row = property(lambda self: self._state.passage_row)
    _passage_vectors = property(lambda self: self._state.passage_vectors)
    _corpus = property(lambda self: self._state.corpus)
    _vocabulary = property(lambda self: self._state.vocabulary)

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
        return len(self._row)

    @property
    def speakers(self) -> frozenset[str]:
        """Everyone the indexed articles quote or paraphrase, as the articles call them."""
        self._ensure()
        return self._state.speakers

    def sentences(self) -> list[Hit]:
        """Every indexed sentence, in article order (by source, then offset)."""
        self._ensure()
        state = self._state
        return [
            state.sentences[state.ids[r]]
            for source in sorted(state.by_source)
            for r in state.by_source[source]
        ]

    def statements(self, speaker: str, where: Filter | None = None) -> list[Hit]:
        """The sentences attributed to ``speaker``, in article order."""
        self._ensure()
        keep, state = matcher(where), self._state
        found = [state.sentences[state.ids[r]] for r in state.speaker_rows(speaker)]
        return [Hit(**{**h.__dict__, "ranks": {}}) for h in found if keep(h)]

    def ledes(self, where: Filter | None = None, limit: int = 10) -> list[Hit]:
        """The first sentence of each article that passes ``where``, oldest article first."""
        self._ensure()
        keep, first, state = matcher(where), {}, self._state
        for source, rows in state.by_source.items():
            hit = next((h for r in rows[:2] if not (h := state.sentences[state.ids[r]]).headline), None)
            if hit is not None and keep(hit):
                first[source] = hit
        found = sorted(first.values(), key=lambda h: (h.date_ord, h.source))[:limit]
        return [Hit(**{**h.__dict__, "ranks": {}}) for h in found]

    def article(self, source: str) -> tuple[list[Hit], np.ndarray]:
        """One article's sentences in order (its headline line first, if it has one) and their vectors."""
        self._ensure()
        rows = self._by_source.get(source, [])
        hits = [Hit(**{**self._sentences[self._ids[r]].__dict__, "ranks": {}}) for r in rows]
        return hits, self._vectors[rows] if rows else self._vectors[:0]

    def article_stems(self, source: str) -> frozenset[str]:
        """Every stem of one article's sentences: what the article says at all, for answerability."""
        state = self._state
        return frozenset().union(*(state.infos[r].token_set for r in state.by_source.get(source, [])))

    @property
    def sources(self) -> list[str]:
        """Every indexed article's source, sorted."""
        self._ensure()
        return sorted(self._by_source)

    def _lexical(self, terms: list[str], k: int, keep) -> list[tuple[str, float]]:
        state = self._state
        terms = [t for t in terms if t in state.vocabulary]
        if not terms or not state.row:
            return []
        scores = state.bm25_scores(terms)
        found = []
        for i in _best_first(scores, k):
            if scores[i] <= 0 or len(found) >= k:
                break
            hit = state.sentences.get(state.ids[i])  # None: an article removed since the index loaded
            if hit is not None and keep(hit):
                found.append((state.ids[i], float(scores[i])))
        return found

    def _dense(self, kind: str, vector: list[float], k: int, where: Filter | None) -> list[tuple[str, float]]:
        """The ``k`` records of one kind nearest ``vector``: Chroma's approximate search, merged with an exact
        search of the rows appended since the table was loaded. Chroma 1.5 can leave a record it has just
        written out of its HNSW graph after deletes (chroma-core/chroma#7758) or not yet merged into it; the
        rows appended are few, so searching them here costs a small matrix product and an added article is
        found from its first question."""
        import numpy as np

        held = len(self._row) if kind == "sentences" else len(self._passage_row)  # as loaded
        n = min(k, held)
        if n == 0:
            return []
        found = {sid: 1.0 - d for sid, d in self.store.nearest(kind, vector, n, chroma_filter(where))}
        state, keep = self._state, matcher(where)
        rows, passages = state.recent()
        if kind == "sentences":
            recent = [(r, sid) for r in rows if (h := state.sentences.get(sid := state.ids[r])) and keep(h)]
            matrix = state.vectors
        else:
            recent = [
                (r, p)
                for p, r in passages
                if (ids := state.by_passage.get(p)) and keep(state.sentences[ids[0]])
            ]
            matrix = state.passage_vectors
        if recent:
            cosines = matrix[[r for r, _ in recent]] @ np.asarray(vector, dtype=np.float32)
            for (_, sid), cos in zip(recent, cosines.tolist(), strict=True):
                found[sid] = max(found.get(sid, -1.0), cos)
        return sorted(found.items(), key=lambda x: -x[1])[:n]

    def propose(self, query: str, where: Filter | None = None) -> tuple[dict[str, list], QuestionInfo, list]:
        """The three rankings' proposals, ``{name: [(sentence id, score), ...]}``, with the question's
        analysis and vector: everything before features are computed."""
        self._ensure()
        question = QuestionInfo.of(query, self._corpus)
        vector = self.embedder.embed_query(query)
        aliases = [t for forms in question.names for f in forms[1:] for t in f.split()]
        passages = self._dense("passages", vector, PASSAGE_CANDIDATES, where)
        proposals = {
            "dense": self._dense("sentences", vector, DENSE_CANDIDATES, where),
            "passage": [(sid, score) for pid, score in passages for sid in self._by_passage.get(pid, [])],
            "lexical": self._lexical([*tokens(query), *aliases], DENSE_CANDIDATES, matcher(where)),
        }
        return proposals, question, vector

    def candidates(self, query: str, where: Filter | None = None) -> tuple[list[Hit], QuestionInfo]:
        """Every sentence one of the three rankings proposes, unordered, each with its features."""
        import numpy as np

        proposals, question, vector = self.propose(query, where)
        q = np.asarray(vector, dtype=np.float32)
        rankings = {name: [sid for sid, _ in found] for name, found in proposals.items()}
        lexical = proposals["lexical"]
        pool = [
            sid
            for sid in dict.fromkeys(x for r in rankings.values() for x in r)
            if sid in self._row and not self._sentences[sid].headline  # a title is no answer
        ]
        if not pool:
            return [], question
        rows = [self._row[sid] for sid in pool]
        measured = self._measure(question, q, rows, dict(lexical))
        typed = typed_answers(query)
        hits = []
        for sid, row, scores in zip(pool, rows, measured, strict=True):
            base = self._sentences[sid]
            hit = Hit(**{**base.__dict__, "ranks": {}})
            hit.ranks = {name: r.index(sid) + 1 for name, r in rankings.items() if sid in r}
            hit.dense, hit.lexical, hit.passage_dense = scores["cos"], scores["bm25"], scores["cos_passage"]
            scores["lexical_rank"] = hit.ranks.get("lexical", 0)
            scores["dense_rank"] = hit.ranks.get("dense", 0)
            scores["typed_answer"] = typed(base)
            hit.features = candidate_features(question, self._infos[row], self._around(row), scores)
            hits.append(hit)
        with_gaps([h.features for h in hits])
        return hits, question

    def _measure(self, question: QuestionInfo, q, rows: list[int], lexical: dict[str, float]) -> list[dict]:
        """Per candidate row: cosines (own, passage, neighbours, window), word alignment, BM25."""
        import numpy as np

        cosines = self._vectors[rows] @ q
        best_cos, best_bm25 = float(cosines.max()), max(lexical.values(), default=0.0)
        near = {r: self._neighbours[r] for r in rows}
        pool_words = list(dict.fromkeys(w for r in rows for n in (r, *near[r]) for w in self._infos[n].words))
        column = {w: i for i, w in enumerate(pool_words)}
        similarity = self.words.matrix(list(question.words)) @ self.words.matrix(pool_words).T
        weights = np.asarray(question.word_weights, dtype=np.float32)
        out = []
        for row, cos in zip(rows, cosines.tolist(), strict=True):
            own = [column[w] for w in self._infos[row].words]
            window = [column[w] for n in (row, *near[row]) for w in self._infos[n].words]
            p_row = self._passage_row.get(self._sentences[self._ids[row]].passage_id)
            joint = self._vectors[[row, *near[row]]].sum(axis=0)
            align, align_min, precision = alignment(similarity, own, weights)
            out.append(
                {
                    "cos": cos,
                    "best_cos": best_cos,
                    "cos_passage": float(self._passage_vectors[p_row] @ q) if p_row is not None else 0.0,
                    "cos_neighbour": float((self._vectors[near[row]] @ q).max()) if near[row] else 0.0,
                    "cos_window": float(joint @ q / (np.linalg.norm(joint) or 1.0)),
                    "align": align,
                    "align_window": alignment(similarity, window, weights)[0],
                    "align_min": align_min,
                    "align_precision": precision,
                    "bm25": lexical.get(self._ids[row], 0.0),
                    "best_bm25": best_bm25,
                }
            )
        return out

    def _around(self, row: int) -> tuple[SentenceInfo | None, SentenceInfo | None]:
        """The sentences just before and after, when they are in the same paragraph."""
        near = self._neighbours[row]
        return (
            self._infos[row - 1] if row - 1 in near else None,
            self._infos[row + 1] if row + 1 in near else None,
        )

    def rank(self, query: str, k: int = 10, where: Filter | None = None) -> Ranking:
        """The ``k`` best sentences for ``query`` among articles that pass ``where``, and the confidence."""
        from assistant.answering.spans import number_attached

        hits, question = self.candidates(query, where)
        scorer = self.scorer
        for h, score in zip(hits, scorer.rank([h.features for h in hits]), strict=True):
            h.score = score
        hits.sort(key=lambda h: -h.score)
        article = self.article_stems(hits[0].source) if hits else frozenset()
        attached = number_attached(query, hits[0]) if hits else None
        features = answerability_features(
            question,
            [h.score for h in hits],
            [h.features for h in hits],
            article,
            [h.speaker for h in hits],
            attached,
        )
        top = hits[:TYPED_WITHIN]
        if lead := scorer.lead([h.score for h in top], [bool(h.features[TYPED_AT]) for h in top]):
            hits.insert(0, hits.pop(lead))  # after the confidence, which is of the ranking as scored
        return Ranking(hits[:k], question, scorer.confidence(features) if hits else 0.0, tuple(features))

    def search(self, query: str, k: int = 10, where: Filter | None = None) -> list[Hit]:
        """The ``k`` best sentences for ``query``, best first, among articles that pass ``where``."""
        return self.rank(query, k, where).hits


def _best_first(scores: np.ndarray, k: int) -> Iterator[int]:
    """Rows by descending score. Up to ``FULL_SORT`` rows every score is sorted, as it always was (ties fall
    as they did); beyond, the best rows not yet given are taken by partition, a few times ``k`` at a time."""
    import numpy as np

    if len(scores) <= FULL_SORT:
        yield from scores.argsort()[::-1].tolist()
        return
    looked = 0
    while looked < len(scores):
        take = min(len(scores), max(4 * k, 2 * looked))
        top = np.argpartition(-scores, take - 1)[:take] if take < len(scores) else np.arange(len(scores))
        yield from top[np.lexsort((-top, -scores[top]))][looked:].tolist()  # ties: the later row first
        looked = take


def _taken(written) -> tuple[list[Hit], list, list[Hit], list]:
    """``(sentences, their vectors, passages, theirs)`` of records as a build wrote them, as ``_read`` makes
    them of the same records read from the store."""
    out: tuple[list, list, list, list] = ([], [], [], [])
    for article in written:
        for kind, (records, vectors) in (("sentences", out[:2]), ("passages", out[2:])):
            rows = article.rows[kind]
            for rid, text, m, v in zip(
                rows["ids"], rows["documents"], rows["metadatas"], rows["embeddings"], strict=True
            ):
                records.append(_hit(rid, text, m))
                vectors.append(v)
    return out


def _matrix(vectors) -> np.ndarray:
    """Stored embeddings as one float32 matrix, a row each (an empty index gives a 0 x 1 matrix)."""
    import numpy as np

    return (
        np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1) if len(vectors) else np.zeros((0, 1))
    )


def _hit(sid: str, text: str, m: dict) -> Hit:
    return Hit(
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
        entities=m.get("entities", "") or "",
        headline=bool(m.get("headline", False)),
    )


def _sentence_infos(ordered: Sequence[Hit]) -> list[SentenceInfo]:
    """Features of each sentence (in article order), with its position in its article and paragraph."""
    infos = [SentenceInfo.of(h.text) for h in ordered]
    counts: dict[str, int] = {}
    for h in ordered:
        counts[h.source] = counts.get(h.source, 0) + 1
    seen: dict[str, int] = {}
    for i, (h, info) in enumerate(zip(ordered, infos, strict=True)):
        n = seen.get(h.source, 0)
        seen[h.source] = n + 1
        info.position = n / max(1, counts[h.source] - 1)
        info.dated = bool(h.date)
        prev = ordered[i - 1] if i else None
        info.lede = prev is None or (prev.source, prev.paragraph) != (h.source, h.paragraph)
    return infos


TYPED_AT = CANDIDATE_FEATURES.index("typed_answer")


def typed_answers(question: str):
    """A test of a sentence: 1.0 when it holds an entity of the kind the question asks for (a city for
    "what city...", a sum for "how much...") that the question does not already say, else 0.0."""
    from assistant.answering.spans import (
        TIERS,
        answer_type,
        compass_spans,
        number_labels,
        stored_spans,
        tiers_for,
    )

    kind = answer_type(question)
    if kind == "number":
        wanted = set(number_labels(question))  # "how much did it cost?": a sum, not "one of history's"
    elif kind in TIERS and kind != "thing":
        wanted = set(tiers_for(question, kind)[0])
    else:
        wanted = set()
    asked = set(words(question))
    spans = compass_spans if kind == "direction" else stored_spans

    def test(hit: Hit) -> float:
        for s, e, label in spans(hit) if wanted else ():
            if label in wanted and not set(words(hit.text[s - hit.start : e - hit.start])) <= asked:
                return 1.0
        return 0.0

    return test


def _rows_by_source(ordered: Sequence[Hit]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, h in enumerate(ordered):
        out.setdefault(h.source, []).append(i)
    return out


def _neighbours(ordered: Sequence[Hit]) -> list[list[int]]:
    """For each sentence, the rows of the sentences before and after it in the same paragraph."""
    out = []
    for i, h in enumerate(ordered):
        near = [
            j
            for j in (i - 1, i + 1)
            if 0 <= j < len(ordered) and (ordered[j].source, ordered[j].paragraph) == (h.source, h.paragraph)
        ]
        out.append(near)
    return out
