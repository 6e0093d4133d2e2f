"""The served sentences as append-only tables: what the retriever ranks with, changed article by article.

A ``SentenceTable`` holds, a row per sentence, the sentence (``Hit``), its features (``SentenceInfo``), its
neighbours in its paragraph and its vector, plus the passages' vectors, the corpus statistics and BM25. An
article's sentences are contiguous rows in article order. ``extended`` appends articles and ``without`` drops
some; both return a new table and leave the old one as it was, so a question being answered keeps a consistent
view while the index changes. Vectors live in buffers with room to grow, so an append copies only when the
buffer doubles; a removed article's rows stay behind unreachable until the next full load.

BM25 covers the rows loaded at once (``refresh``) with a ``bm25s`` index; the rows appended since are few and
are scored by the same formula under the whole table's statistics (``bm25_with``).

This module does not read the store (``assistant.retrieval`` does) and does not score.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from assistant.features import Corpus, SentenceInfo

if TYPE_CHECKING:
    import numpy as np

    from assistant.retrieval import Hit


class _Buffer:
    """Rows of float32 vectors with room to grow; ``view(n)`` is the first ``n`` rows, never copied."""

    def __init__(self, width: int = 1, capacity: int = 0) -> None:
        import numpy as np

        self.data = np.zeros((capacity, width), dtype=np.float32)

    def view(self, n: int) -> np.ndarray:
        return self.data[:n]

    def append(self, n: int, rows: np.ndarray) -> _Buffer:
        """A buffer whose first ``n`` rows are these and the next are ``rows``: this one when it has room
        (rows past ``n`` are nobody's yet), else a copy twice as large."""
        import numpy as np

        if not len(rows):
            return self
        width = rows.shape[1]
        out = self
        if n == 0 and self.data.shape[1] != width:
            out = _Buffer(width, max(len(rows), 1024))
        elif n + len(rows) > len(self.data):
            out = _Buffer(width, max(2 * len(self.data), n + len(rows)))
            out.data[:n] = self.data[:n]
        out.data[n : n + len(rows)] = np.asarray(rows, dtype=np.float32)
        return out


def _bm25(corpus: list[list[str]]):
    import logging

    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import
    index = bm25s.BM25()
    if corpus:
        index.index([doc or ["\x00empty"] for doc in corpus], show_progress=False)
    return index


K1, B = 1.5, 0.75  # bm25s's defaults, for its "lucene" method


def avgdl(infos: Sequence[SentenceInfo]) -> float:
    """Mean tokens per sentence as bm25s counts them (an empty sentence is one placeholder token)."""
    return sum(max(1, len(i.tokens)) for i in infos) / max(1, len(infos))


def bm25_with(infos: Sequence[SentenceInfo], terms: list[str], corpus: Corpus, mean: float) -> np.ndarray:
    """BM25 of a few sentences for ``terms`` as bm25s's lucene method scores a document, but under the
    statistics of the whole table (``corpus``: its size and document frequencies; ``mean``: its mean length).
    Sentences appended after the BM25 index was built are scored so, not by an index of their own: in an
    index of three sentences every word is common, and an added article's names would weigh nothing."""
    import math

    import numpy as np

    idf = {
        t: math.log(1 + (corpus.size - corpus.df.get(t, 0) + 0.5) / (corpus.df.get(t, 0) + 0.5))
        for t in set(terms)
    }
    out = np.zeros(len(infos), dtype=np.float32)
    for row, info in enumerate(infos):
        if info.token_set.isdisjoint(idf):
            continue
        norm = K1 * ((1 - B) + B * max(1, len(info.tokens)) / mean)
        score = 0.0
        for t in terms:
            if tf := info.tokens.count(t):
                score += idf[t] * tf / (norm + tf)
        out[row] = score
    return out


@dataclass
class SentenceTable:
    """Everything the retriever keeps about the served sentences (see the module's docstring)."""

    ids: list[str] = field(default_factory=list)  # row -> sentence id (removed rows keep theirs)
    sentences: dict[str, Hit] = field(default_factory=dict)  # the served ones only
    row: dict[str, int] = field(default_factory=dict)
    infos: list[SentenceInfo] = field(default_factory=list)
    neighbours: list[list[int]] = field(default_factory=list)
    by_source: dict[str, list[int]] = field(default_factory=dict)
    by_passage: dict[str, list[str]] = field(default_factory=dict)
    passage_row: dict[str, int] = field(default_factory=dict)
    corpus: Corpus = field(default_factory=Corpus)
    vocabulary: frozenset[str] = frozenset()
    _vectors: _Buffer = field(default_factory=_Buffer)
    _passages: _Buffer = field(default_factory=_Buffer)
    _passage_n: int = 0
    _main: Any = None  # BM25 over rows [0, _main_n)
    _main_n: int = 0
    _main_pn: int = 0  # passages loaded at once, with the rows of _main
    _avgdl: float = 1.0  # mean tokens per row of _main, as bm25s counts them

    @classmethod
    def empty(cls, embedder: Any = None) -> SentenceTable:
        return cls()

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def vectors(self) -> np.ndarray:
        return self._vectors.view(self.n)

    @property
    def passage_vectors(self) -> np.ndarray:
        return self._passages.view(self._passage_n)

    def bm25_scores(self, terms: list[str]) -> np.ndarray:
        """BM25 of every row for ``terms`` (0 for rows without them): the rows loaded at once from their
        index, the rows appended since by ``bm25_with`` under the whole table's statistics."""
        import numpy as np

        parts = [np.zeros(0, dtype=np.float32)]
        if self._main_n:
            known = [t for t in terms if t in self._main.vocab_dict]
            main = (
                self._main.get_scores(known).astype(np.float32)
                if known
                else np.zeros(self._main_n, np.float32)
            )
            parts.append(main)
        if self.n > self._main_n:
            rest = self.infos[self._main_n :]
            parts.append(bm25_with(rest, terms, self.corpus, self._avgdl))
        return np.concatenate(parts)

    def recent(self) -> tuple[range, list[tuple[str, int]]]:
        """The rows appended since the first load, and ``(passage id, row)`` of their passages: what the
        retriever searches exactly as well as through Chroma (see ``HybridRetriever._dense``)."""
        rows = range(self._main_n, self.n)
        appended = dict.fromkeys(h.passage_id for r in rows if (h := self.sentences.get(self.ids[r])))
        passages = [(p, r) for p in appended if (r := self.passage_row.get(p, -1)) >= self._main_pn]
        return rows, passages

    @cached_property
    def speakers(self) -> frozenset[str]:
        """Everyone the served sentences quote or paraphrase, as the articles call them."""
        return frozenset(h.speaker for h in self.sentences.values() if h.speaker)

    def speaker_rows(self, speaker: str) -> list[int]:
        """The rows of the sentences attributed to ``speaker``, in article order."""
        return [
            r
            for source in sorted(self.by_source)
            for r in self.by_source[source]
            if self.sentences[self.ids[r]].speaker == speaker
        ]

    def extended(
        self,
        hits: Sequence[Hit],
        vectors: np.ndarray,
        passage_ids: Sequence[str],
        passage_vectors: np.ndarray,
        infos: list[SentenceInfo] | None = None,
    ) -> SentenceTable:
        """A table with these articles' sentences (in article order) and passages appended; ``infos`` are
        their features when already known (else computed)."""
        from assistant.retrieval import _neighbours, _sentence_infos

        if not hits and not passage_ids:
            return self
        n = self.n
        infos = _sentence_infos(hits) if infos is None else infos
        by_source = dict(self.by_source)
        for i, h in enumerate(hits):
            by_source.setdefault(h.source, []).append(n + i)  # a new list per source: new articles only
        by_passage = dict(self.by_passage)
        for h in hits:
            by_passage.setdefault(h.passage_id, []).append(h.id)
        passage_row = dict(self.passage_row)
        for i, pid in enumerate(passage_ids):
            passage_row[pid] = self._passage_n + i
        corpus = self.corpus.plus(infos) if n else Corpus.of(infos)
        table = replace(
            self,
            ids=self.ids + [h.id for h in hits],
            sentences={**self.sentences, **{h.id: h for h in hits}},
            row={**self.row, **{h.id: n + i for i, h in enumerate(hits)}},
            infos=self.infos + infos,
            neighbours=self.neighbours + [[n + j for j in near] for near in _neighbours(hits)],
            by_source=by_source,
            by_passage=by_passage,
            passage_row=passage_row,
            corpus=corpus,
            vocabulary=self.vocabulary | {t for info in infos for t in info.tokens},
            _vectors=self._vectors.append(n, vectors),
            _passages=self._passages.append(self._passage_n, passage_vectors),
            _passage_n=self._passage_n + len(passage_ids),
        )
        if n == 0:  # the first load: one segment
            table._main, table._main_n = _bm25([i.tokens for i in infos]), len(hits)
            table._main_pn, table._avgdl = len(passage_ids), avgdl(infos)
        return table

    def without(self, sources: Iterable[str]) -> SentenceTable:
        """A table that no longer serves these articles (their rows stay, unreachable)."""
        sources = [s for s in sources if s in self.by_source]
        if not sources:
            return self
        rows = [r for s in sources for r in self.by_source[s]]
        gone = {self.ids[r] for r in rows}
        passages = {self.sentences[i].passage_id for i in gone}
        return replace(
            self,
            sentences={k: v for k, v in self.sentences.items() if k not in gone},
            row={k: v for k, v in self.row.items() if k not in gone},
            by_source={k: v for k, v in self.by_source.items() if k not in sources},
            by_passage={k: v for k, v in self.by_passage.items() if k not in passages},
            passage_row={k: v for k, v in self.passage_row.items() if k not in passages},
            corpus=self.corpus.minus([self.infos[r] for r in rows]),
        )
