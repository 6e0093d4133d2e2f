"""The served sentences as columns on disk, memory-mapped: a serving process holds no object per sentence.

``write(folder, table, live)`` stores what a ``SentenceTable`` (or a ``ColumnTable``) serves, row by row in
article order, as NumPy arrays and UTF-8 blobs: the sentences' ids, texts, offsets, paragraphs, passages,
speakers, dates and entities, a row of the article table per article, the sentence and passage vectors, the
BM25 index (``bm25s``'s own files) and the corpus statistics. ``ColumnTable.open(folder)`` maps them back
without reading them: a question reads the pages of its few dozen candidates, and the kernel shares the
pages between processes serving the same index.

A ``ColumnTable`` answers the same questions as the ``SentenceTable`` it was written from (the same rows in
the same order, the same BM25 and corpus statistics, each sentence's features computed from its row when a
question needs them), so the retriever ranks the same. Articles followed after it was written live in an
in-memory ``SentenceTable`` (``delta``) whose rows come after the columns'; articles removed or replaced
since are masked. ``extended`` and ``without`` return a new table and leave this one as it was, as
``SentenceTable``'s do.

This module does not read the store (``assistant.retrieval`` does) and does not score.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.features import Corpus, SentenceInfo, _lines
from assistant.table import SentenceTable, _bm25, bm25_with

if TYPE_CHECKING:
    from assistant.retrieval import Hit

log = logging.getLogger(__name__)

FORMAT = 1
_STRINGS = ("text", "entities", "when_start", "when_end", "when_label")
_INFOS_AT_MOST = 200_000  # sentence features kept per table family (cleared when full)


def _write_strings(folder: Path, name: str, values: Sequence[str]) -> None:
    encoded = [v.encode("utf-8") for v in values]
    at = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=at[1:])
    (folder / f"{name}.bin").write_bytes(b"".join(encoded))
    np.save(folder / f"{name}.at.npy", at)


class _Strings:
    """A column of strings: one UTF-8 blob and the offset of each value, both memory-mapped."""

    def __init__(self, folder: Path, name: str) -> None:
        self.at = np.load(folder / f"{name}.at.npy", mmap_mode="r")
        path = folder / f"{name}.bin"
        self.blob = (
            np.memmap(path, dtype=np.uint8, mode="r") if path.stat().st_size else np.zeros(0, np.uint8)
        )

    def __getitem__(self, i: int) -> str:
        return self.blob[int(self.at[i]) : int(self.at[i + 1])].tobytes().decode("utf-8")

    def __len__(self) -> int:
        return len(self.at) - 1


def _sorted_ids(ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Ids as fixed-width bytes, and the order that sorts them (for lookups by binary search)."""
    column = np.array([i.encode("ascii") for i in ids], dtype=f"S{max((len(i) for i in ids), default=1)}")
    order = np.argsort(column, kind="stable")
    return column, order


class _Writer:
    """Columns written article by article (in source order), then finished with the passages' vectors."""

    def __init__(self, folder: Path, n: int, width: int) -> None:
        folder.mkdir(parents=True)
        self.folder, self.n = folder, n
        self.vectors = np.lib.format.open_memmap(folder / "vectors.npy", "w+", np.float32, (n, width))
        self.at = 0
        self.cols: dict[str, list] = {
            k: []
            for k in ("ids", "start", "end", "paragraph", "passage_of", "speaker_of", "headline", *_STRINGS)
        }
        self.articles: list[dict] = []
        self.first: list[int] = []
        self.count: list[int] = []
        self.article_of: list[int] = []
        self.speakers: dict[str, int] = {}
        self.passages: list[str] = []
        self.passage_first: list[int] = []
        self.tokens: list[list[str]] = []
        self.vocabulary: set[str] = set()
        self.words: set[str] = set()  # every content word, for the word vectors (``WordVectors.add``)
        # The corpus statistics, counted as ``Corpus.plus`` counts them (no sentence's features are kept).
        self.df: dict[str, int] = {}
        self.capital: dict[str, int] = {}
        self.lines: list[str] = []

    def add(self, hits: Sequence[Hit], infos: Sequence[SentenceInfo], vectors: np.ndarray) -> None:
        """One article's sentences in order, their features and vectors."""
        import sys

        if not hits:
            return
        h0 = hits[0]
        self.articles.append(
            {k: getattr(h0, k) for k in ("source", "title", "date", "outlet", "url", "date_ord")}
        )
        self.first.append(self.at)
        self.count.append(len(hits))
        cols = self.cols
        for h, info in zip(hits, infos, strict=True):
            if not self.passages or self.passages[-1] != h.passage_id or h is h0:
                self.passages.append(h.passage_id)
                self.passage_first.append(len(cols["ids"]))
            cols["ids"].append(h.id)
            for k in ("start", "end", "paragraph", "headline", *_STRINGS):
                cols[k].append(getattr(h, k))
            cols["passage_of"].append(len(self.passages) - 1)
            cols["speaker_of"].append(
                self.speakers.setdefault(h.speaker, len(self.speakers)) if h.speaker else -1
            )
            self.article_of.append(len(self.articles) - 1)
            tokens = [sys.intern(t) for t in info.tokens]
            self.tokens.append(tokens)
            self.vocabulary.update(tokens)
            self.words.update(info.words)
        df, capital = self.df, self.capital
        for info in infos:
            self.lines.append(info.text_lower)
            for t in info.token_set:
                df[t] = df.get(t, 0) + 1
            for t in info.capitals & info.token_set:
                capital[t] = capital.get(t, 0) + 1
        self.vectors[self.at : self.at + len(hits)] = np.asarray(vectors, dtype=np.float32).reshape(
            len(hits), -1
        )
        self.at += len(hits)

    def finish(self, passage_vectors, live: dict[str, str]) -> None:
        """Write the rest: ``passage_vectors(ids)`` gives the vectors of a list of passage ids, in order."""
        folder, cols, n = self.folder, self.cols, self.at
        self.vectors.flush()
        del self.vectors
        if n != self.n:
            raise ValueError(f"{n} sentences written, {self.n} announced")
        ids, order = _sorted_ids(cols["ids"])
        pids, porder = _sorted_ids(self.passages)
        width = np.load(folder / "vectors.npy", mmap_mode="r").shape[1]
        pv = np.lib.format.open_memmap(
            folder / "passage_vectors.npy", "w+", np.float32, (len(self.passages), width)
        )
        for i in range(0, len(self.passages), 2000):
            chunk = self.passages[i : i + 2000]
            pv[i : i + len(chunk)] = np.asarray(passage_vectors(chunk), dtype=np.float32).reshape(
                len(chunk), -1
            )
        pv.flush()
        del pv
        arrays = {
            "ids": ids,
            "id_order": order,
            "passage_ids": pids,
            "passage_order": porder,
            "passage_first": np.asarray(self.passage_first + [n], dtype=np.int64),
            "article_of": np.asarray(self.article_of, dtype=np.int32),
            "article_first": np.asarray(self.first, dtype=np.int64),
            "article_count": np.asarray(self.count, dtype=np.int32),
            "start": np.asarray(cols["start"], dtype=np.int64),
            "end": np.asarray(cols["end"], dtype=np.int64),
            "paragraph": np.asarray(cols["paragraph"], dtype=np.int32),
            "passage_of": np.asarray(cols["passage_of"], dtype=np.int32),
            "speaker_of": np.asarray(cols["speaker_of"], dtype=np.int32),
            "headline": np.asarray(cols["headline"], dtype=bool),
        }
        for name, array in arrays.items():
            np.save(folder / f"{name}.npy", array)
        for name in _STRINGS:
            _write_strings(folder, name, cols[name])
        _bm25(self.tokens).save(str(folder / "bm25"), show_progress=False)
        mean = sum(max(1, len(t)) for t in self.tokens) / max(1, len(self.tokens))
        self.tokens = []
        (folder / "corpus.json").write_text(
            json.dumps(
                {
                    "df": self.df,
                    "size": len(self.lines),
                    "capital": self.capital,
                    "text": _lines(self.lines),
                    "vocabulary": sorted(self.vocabulary),
                    "avgdl": mean,
                }
            ),
            encoding="utf-8",
        )
        self.lines = []
        speakers = sorted(self.speakers, key=self.speakers.__getitem__)
        meta = {"format": FORMAT, "n": n, "articles": self.articles, "speakers": speakers, "live": live}
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def write(folder: Path, table: Any, live: dict[str, str]) -> set[str]:
    """Write the served rows of ``table`` (a ``SentenceTable`` or ``ColumnTable``) and the article versions it
    serves (``{source: hash}``) to ``folder``, which must not exist; the caller renames it into place.
    Returns the content words of the sentences written."""
    sources = sorted(table.by_source)
    n = sum(len(table.by_source[s]) for s in sources)
    writer = _Writer(folder, n, table.vectors[[0]].shape[1] if n else 1)
    for source in sources:
        rows = list(table.by_source[source])
        writer.add(
            [table.sentences[table.ids[r]] for r in rows], [table.infos[r] for r in rows], table.vectors[rows]
        )
    writer.finish(lambda pids: table.passage_vectors[[table.passage_row[p] for p in pids]], live)
    return writer.words


def write_store(folder: Path, store: Any, live: dict[str, str]) -> set[str]:
    """Write the sentences of the article versions ``live`` serves straight from the store, a page at a time,
    holding only compact columns (never a ``Hit`` or ``SentenceInfo`` per sentence at once). Returns the
    content words of the sentences written."""
    import tempfile

    from assistant.retrieval import _hit, _sentence_infos

    total = store.size("sentences")
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=".columns-") as tmp:
        keep: dict[str, list] = {k: [] for k in ("id", "text", "meta")}
        sources: dict[str, int] = {}
        source_of, start_of = [], []
        vectors = None
        for got in store.pages("sentences", ("documents", "metadatas", "embeddings")):
            for sid, text, m, v in zip(
                got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
            ):
                if live.get(m.get("source")) != m.get("doc_hash"):
                    continue
                if vectors is None:
                    vectors = np.lib.format.open_memmap(
                        Path(tmp) / "v.npy", "w+", np.float32, (total, len(v))
                    )
                vectors[len(source_of)] = v
                keep["id"].append(sid)
                keep["text"].append(text)
                keep["meta"].append(json.dumps(m, separators=(",", ":")))  # one string, not a dict, per row
                source_of.append(sources.setdefault(m["source"], len(sources)))
                start_of.append(int(m["start"]))
        n = len(source_of)
        names = sorted(sources)
        rank = np.empty(len(names), dtype=np.int64)
        rank[[sources[s] for s in names]] = np.arange(len(names))
        by_source = np.asarray(source_of, dtype=np.int64)
        order = np.lexsort((np.asarray(start_of, dtype=np.int64), rank[by_source])) if n else np.zeros(0, int)
        writer = _Writer(folder, n, vectors.shape[1] if vectors is not None else 1)
        at = 0
        while at < n:
            end = at
            while end < n and by_source[order[end]] == by_source[order[at]]:
                end += 1
            rows = order[at:end]
            hits = [_hit(keep["id"][r], keep["text"][r], json.loads(keep["meta"][r])) for r in rows.tolist()]
            writer.add(hits, _sentence_infos(hits), vectors[rows])
            at = end
        wanted = set(writer.passages)
        passage_row: dict[str, int] = {}
        passage_vectors = np.lib.format.open_memmap(
            Path(tmp) / "p.npy",
            "w+",
            np.float32,
            (max(1, len(wanted)), vectors.shape[1] if vectors is not None else 1),
        )
        for got in store.pages("passages", ("embeddings",)):
            for pid, v in zip(got["ids"], got["embeddings"], strict=True):
                if pid in wanted and pid not in passage_row:
                    passage_vectors[len(passage_row)] = v
                    passage_row[pid] = len(passage_row)
        writer.finish(lambda pids: passage_vectors[[passage_row[p] for p in pids]], live)
    return writer.words


class _Base:
    """The columns of one written table, mapped; shared by every ``ColumnTable`` made from it."""

    def __init__(self, folder: Path) -> None:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"column format {meta.get('format')!r}, not {FORMAT}")
        self.folder = folder
        self.n: int = meta["n"]
        self.articles: list[dict] = meta["articles"]
        self.source_index = {a["source"]: i for i, a in enumerate(self.articles)}
        self.speakers: list[str] = meta["speakers"]
        self.speaker_index = {s: i for i, s in enumerate(self.speakers)}
        self.live: dict[str, str] = meta["live"]
        for name in (
            "ids",
            "id_order",
            "passage_ids",
            "passage_order",
            "passage_first",
            "article_of",
            "article_first",
            "article_count",
            "start",
            "end",
            "paragraph",
            "passage_of",
            "speaker_of",
            "headline",
            "vectors",
            "passage_vectors",
        ):
            setattr(self, name, np.load(folder / f"{name}.npy", mmap_mode="r"))
        self.strings = {name: _Strings(folder, name) for name in _STRINGS}
        self.bm25 = bm25s.BM25.load(str(folder / "bm25"), mmap=True, show_progress=False)
        stats = json.loads((folder / "corpus.json").read_text(encoding="utf-8"))
        by_prefix: dict[str, set[str]] = {}
        for t in stats["df"]:
            if len(t) >= 4:
                by_prefix.setdefault(t[:4], set()).add(t)
        self.corpus = Corpus._with(stats["df"], stats["capital"], by_prefix, stats["size"], stats["text"])
        self.vocabulary = frozenset(stats["vocabulary"])
        self.avgdl: float = stats["avgdl"]
        self.infos: dict[int, SentenceInfo] = {}

    @staticmethod
    def _find(column: np.ndarray, order: np.ndarray, key: str) -> int:
        try:
            wanted = key.encode("ascii")
        except UnicodeEncodeError:
            return -1
        if len(wanted) > column.dtype.itemsize:
            return -1
        at = int(np.searchsorted(column, wanted, sorter=order))
        if at < len(order) and column[order[at]] == wanted:
            return int(order[at])
        return -1

    def row_of(self, sid: str) -> int:
        return self._find(self.ids, self.id_order, sid)

    def passage_of_id(self, pid: str) -> int:
        return self._find(self.passage_ids, self.passage_order, pid)

    def id(self, r: int) -> str:
        return self.ids[r].decode("ascii")

    def hit(self, r: int) -> Hit:
        from assistant.retrieval import Hit

        a = self.articles[int(self.article_of[r])]
        s = self.strings
        speaker = int(self.speaker_of[r])
        return Hit(
            id=self.id(r),
            text=s["text"][r],
            source=a["source"],
            start=int(self.start[r]),
            end=int(self.end[r]),
            paragraph=int(self.paragraph[r]),
            title=a["title"],
            date=a["date"],
            passage_id=self.passage_ids[int(self.passage_of[r])].decode("ascii"),
            speaker=self.speakers[speaker] if speaker >= 0 else "",
            when_start=s["when_start"][r],
            when_end=s["when_end"][r],
            when_label=s["when_label"][r],
            outlet=a["outlet"],
            url=a["url"],
            date_ord=int(a["date_ord"]),
            entities=s["entities"][r],
            headline=bool(self.headline[r]),
        )

    def info(self, r: int) -> SentenceInfo:
        """A sentence's features, as ``retrieval._sentence_infos`` computes them over its article."""
        found = self.infos.get(r)
        if found is None:
            a = int(self.article_of[r])
            first, count = int(self.article_first[a]), int(self.article_count[a])
            found = SentenceInfo.of(self.strings["text"][r])
            found.position = (r - first) / max(1, count - 1)
            found.dated = bool(self.articles[a]["date"])
            found.lede = r == first or int(self.paragraph[r - 1]) != int(self.paragraph[r])
            if len(self.infos) >= _INFOS_AT_MOST:
                self.infos.clear()
            self.infos[r] = found
        return found

    def neighbours(self, r: int) -> list[int]:
        a, p = int(self.article_of[r]), int(self.paragraph[r])
        return [
            j
            for j in (r - 1, r + 1)
            if 0 <= j < self.n and int(self.article_of[j]) == a and int(self.paragraph[j]) == p
        ]

    @cached_property
    def speaker_counts(self) -> np.ndarray:
        """Sentences attributed to each of ``speakers``, by its index."""
        of = np.asarray(self.speaker_of)
        return np.bincount(of[of >= 0], minlength=len(self.speakers)).astype(np.int64)

    @cached_property
    def served_speakers(self) -> frozenset[str]:
        return frozenset(self.speakers[i] for i in np.flatnonzero(self.speaker_counts).tolist())

    def rows(self, source: str) -> range:
        a = self.source_index[source]
        first = int(self.article_first[a])
        return range(first, first + int(self.article_count[a]))


class _Stacked:
    """Rows of the columns' matrix and then the delta's, indexed as one matrix (by a row list or range)."""

    def __init__(self, base: np.ndarray, delta: np.ndarray) -> None:
        self.base, self.delta = base, delta

    def __len__(self) -> int:
        return len(self.base) + len(self.delta)

    def __getitem__(self, rows) -> np.ndarray:
        nb = len(self.base)
        if isinstance(rows, (int, np.integer)):
            return np.asarray(self.base[rows] if rows < nb else self.delta[rows - nb], dtype=np.float32)
        if isinstance(rows, slice):
            rows = range(*rows.indices(len(self)))
        rows = np.asarray(list(rows) if isinstance(rows, range) else rows, dtype=np.int64).reshape(-1)
        width = self.base.shape[1] if nb else self.delta.shape[1]
        out = np.empty((len(rows), width), dtype=np.float32)
        low = rows < nb
        if low.any():
            out[low] = self.base[rows[low]]
        if (~low).any():
            out[~low] = self.delta[rows[~low] - nb]
        return out


class _View(Mapping):
    """A read-only mapping computed from the table, for the retriever's ``table.sentences[...]`` and kin."""

    def __init__(self, get, keys, size) -> None:
        self._get, self._keys, self._size = get, keys, size

    def __getitem__(self, key):
        found = self._get(key)
        if found is None:
            raise KeyError(key)
        return found

    def get(self, key, default=None):
        found = self._get(key)
        return default if found is None else found

    def __contains__(self, key) -> bool:
        return self._get(key) is not None

    def __iter__(self) -> Iterator:
        return self._keys()

    def __len__(self) -> int:
        return self._size()


class _Rows(Sequence):
    def __init__(self, get, size: int) -> None:
        self._get, self._size = get, size

    def __getitem__(self, r):
        if isinstance(r, slice):
            return [self._get(i) for i in range(*r.indices(self._size))]
        if r < 0:
            r += self._size
        if not 0 <= r < self._size:
            raise IndexError(r)
        return self._get(r)

    def __len__(self) -> int:
        return self._size


@dataclass
class ColumnTable:
    """The columns of a written table (``base``), the articles followed since (``delta``, rows after the
    columns') and the columns' articles no longer served (``gone``). See the module's docstring."""

    base: _Base
    delta: SentenceTable = field(default_factory=SentenceTable)
    gone: frozenset[str] = frozenset()
    corpus: Corpus = field(default_factory=Corpus)
    vocabulary: frozenset[str] = frozenset()

    @classmethod
    def open(cls, folder: Path) -> ColumnTable:
        base = _Base(folder)
        return cls(base=base, corpus=base.corpus, vocabulary=base.vocabulary)

    @property
    def live(self) -> dict[str, str]:
        return self.base.live

    @property
    def n(self) -> int:
        return self.base.n + self.delta.n

    # -- rows of the columns that are still served
    @cached_property
    def _served(self) -> np.ndarray:
        mask = np.ones(self.base.n, dtype=bool)
        for source in self.gone:
            rows = self.base.rows(source)
            mask[rows.start : rows.stop] = False
        return mask

    def _base_row(self, sid: str) -> int:
        r = self.base.row_of(sid)
        return r if r >= 0 and (not self.gone or self._served[r]) else -1

    # -- what the retriever reads
    @cached_property
    def ids(self) -> Sequence[str]:
        nb = self.base.n
        return _Rows(lambda r: self.base.id(r) if r < nb else self.delta.ids[r - nb], self.n)

    @cached_property
    def sentences(self) -> Mapping[str, Hit]:
        def get(sid):
            found = self.delta.sentences.get(sid)
            if found is not None:
                return found
            r = self._base_row(sid) if isinstance(sid, str) else -1
            return self.base.hit(r) if r >= 0 else None

        return _View(get, lambda: (self.ids[r] for r in self._served_rows()), self._size)

    @cached_property
    def row(self) -> Mapping[str, int]:
        nb = self.base.n

        def get(sid):
            found = self.delta.row.get(sid)
            if found is not None:
                return found + nb
            r = self._base_row(sid) if isinstance(sid, str) else -1
            return r if r >= 0 else None

        return _View(get, lambda: (self.ids[r] for r in self._served_rows()), self._size)

    def _size(self) -> int:
        return int(self._served.sum()) + len(self.delta.row)

    def _served_rows(self) -> Iterator[int]:
        for source in self.by_source:
            yield from self.by_source[source]

    @cached_property
    def infos(self) -> Sequence[SentenceInfo]:
        nb = self.base.n
        return _Rows(lambda r: self.base.info(r) if r < nb else self.delta.infos[r - nb], self.n)

    @cached_property
    def neighbours(self) -> Sequence[list[int]]:
        nb = self.base.n
        return _Rows(
            lambda r: self.base.neighbours(r) if r < nb else [j + nb for j in self.delta.neighbours[r - nb]],
            self.n,
        )

    @cached_property
    def by_source(self) -> Mapping[str, Sequence[int]]:
        nb = self.base.n

        def get(source):
            rows = self.delta.by_source.get(source)
            if rows is not None:
                return [r + nb for r in rows]
            if source in self.gone or source not in self.base.source_index:
                return None
            return self.base.rows(source)

        # Sorted only when iterated (a listing of every article), not for each table a follow makes. A
        # source of the columns is in the delta only once it is gone from them (replaced), so they add up.
        size = len(self.base.source_index) - len(self.gone) + len(self.delta.by_source)
        return _View(get, lambda: iter(self._sources), lambda: size)

    @cached_property
    def _sources(self) -> list[str]:
        ours = [s for s in self.base.source_index if s not in self.gone]
        return sorted(set(ours) | set(self.delta.by_source))

    @cached_property
    def by_passage(self) -> Mapping[str, list[str]]:
        def get(pid):
            found = self.delta.by_passage.get(pid)
            if found is not None:
                return found
            p = self.base.passage_of_id(pid) if isinstance(pid, str) else -1
            if p < 0:
                return None
            first, end = int(self.base.passage_first[p]), int(self.base.passage_first[p + 1])
            if self.gone and not self._served[first]:
                return None
            return [self.base.id(r) for r in range(first, end)]

        return _View(get, lambda: iter(()), self._passages)

    @cached_property
    def passage_row(self) -> Mapping[str, int]:
        np_base = len(self.base.passage_vectors)

        def get(pid):
            found = self.delta.passage_row.get(pid)
            if found is not None:
                return found + np_base
            p = self.base.passage_of_id(pid) if isinstance(pid, str) else -1
            if p < 0 or (self.gone and not self._served[int(self.base.passage_first[p])]):
                return None
            return p

        return _View(get, lambda: iter(()), self._passages)

    def _passages(self) -> int:
        """How many passages are held (the columns' count includes those of articles gone since)."""
        return len(self.base.passage_vectors) + len(self.delta.passage_row)

    @property
    def vectors(self) -> _Stacked:
        return _Stacked(self.base.vectors, self.delta.vectors)

    @property
    def passage_vectors(self) -> _Stacked:
        return _Stacked(self.base.passage_vectors, self.delta.passage_vectors)

    def bm25_scores(self, terms: list[str]) -> np.ndarray:
        """BM25 of every row for ``terms``: the columns' index, then the delta's rows under the whole table's
        statistics (``table.bm25_with``)."""
        index = self.base.bm25
        known = [t for t in terms if t in index.vocab_dict]
        base = index.get_scores(known).astype(np.float32) if known else np.zeros(self.base.n, np.float32)
        rest = bm25_with(self.delta.infos, terms, self.corpus, self.base.avgdl) if self.delta.n else base[:0]
        return np.concatenate([base, rest])

    def recent(self) -> tuple[range, list[tuple[str, int]]]:
        """The delta's rows and ``(passage id, row)`` of its passages (see ``SentenceTable.recent``)."""
        base = len(self.base.passage_vectors)
        return range(self.base.n, self.n), [(p, base + r) for p, r in self.delta.passage_row.items()]

    @cached_property
    def speakers(self) -> frozenset[str]:
        """Everyone the served sentences quote: the columns' speakers counted once, less the rows of the
        articles gone since (not a pass over every row for each table a follow makes)."""
        counts = self.base.speaker_counts
        if self.gone:
            counts = counts.copy()
            for source in self.gone:
                rows = self.base.rows(source)
                of = np.asarray(self.base.speaker_of[rows.start : rows.stop])
                np.subtract.at(counts, of[of >= 0], 1)
        ours = (
            self.base.served_speakers
            if not self.gone
            else frozenset(self.base.speakers[i] for i in np.flatnonzero(counts).tolist())
        )
        return ours | self.delta.speakers if self.delta.speakers else ours

    def speaker_rows(self, speaker: str) -> list[int]:
        """The rows of the sentences attributed to ``speaker``, in article order."""
        i = self.base.speaker_index.get(speaker)
        ours = [] if i is None else np.flatnonzero((np.asarray(self.base.speaker_of) == i) & self._served)
        theirs = [r + self.base.n for r in self.delta.speaker_rows(speaker)]
        rows = [int(r) for r in ours] + theirs
        return sorted(rows, key=lambda r: (self.sentences[self.ids[r]].source, r))

    # -- changes
    def extended(
        self,
        hits: Sequence[Hit],
        vectors: np.ndarray,
        passage_ids: Sequence[str],
        passage_vectors: np.ndarray,
        infos: list[SentenceInfo] | None = None,
    ) -> ColumnTable:
        from assistant.retrieval import _sentence_infos

        if not hits and not passage_ids:
            return self
        infos = _sentence_infos(hits) if infos is None else infos
        return replace(
            self,
            delta=self.delta.extended(hits, vectors, passage_ids, passage_vectors, infos=infos),
            corpus=self.corpus.plus(infos),
            vocabulary=self.vocabulary | {t for info in infos for t in info.tokens},
        )

    def without(self, sources: Iterable[str]) -> ColumnTable:
        sources = list(sources)
        ours = [s for s in sources if s in self.base.source_index and s not in self.gone]
        theirs = [s for s in sources if s in self.delta.by_source]
        if not ours and not theirs:
            return self
        corpus = self.corpus
        for s in ours:
            corpus = corpus.minus([self.base.info(r) for r in self.base.rows(s)])
        for s in theirs:
            corpus = corpus.minus([self.delta.infos[r] for r in self.delta.by_source[s]])
        return replace(self, delta=self.delta.without(theirs), gone=self.gone | set(ours), corpus=corpus)
