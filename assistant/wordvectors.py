"""Vectors of single words, for matching a question's words to a sentence's by meaning (authorize ~ go-ahead).

The embedding model applied to one word gives a static word vector. The retriever embeds every content
word of the indexed sentences once when it loads the index, and a question's unseen words on first sight
(one batched call; remembered). With a ``cache`` folder the vectors are kept on disk between processes
(``save`` writes the words embedded since the last save as one more chunk; chunks are merged when there are
many), so a process starting on a large archive embeds only the words no process has embedded before.
``alignment`` then scores how well each question word is met by some word of a sentence, the IDF-weighted
mean of the best cosines: a soft overlap that exact stems miss.

This module holds vectors and computes similarities; which words count and how they are weighted is the
caller's (``assistant.features``, ``assistant.retrieval``).
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from langchain_core.embeddings import Embeddings


class WordVectors:
    """A growing table of word vectors from one embedder."""

    MERGE_AT = 16  # chunk files in the cache before they are merged into one

    def __init__(self, embedder: Embeddings, cache: Path | None = None) -> None:
        self.embedder = embedder
        self._row: dict[str, int] = {}
        self._words: list[str] = []  # by row
        # Rows [0, _n) of a buffer with room to grow: adding words copies only when it doubles, so a word
        # learnt from an added article does not copy every vector the archive's words have.
        self._data: np.ndarray | None = None
        self._n = 0
        self._lock = threading.Lock()
        self.cache = cache
        self._saved = 0  # rows [0, _saved) are on disk
        if cache is not None:
            self._load(cache)

    def _load(self, cache: Path) -> None:
        import numpy as np

        for words_file in sorted(cache.glob("*.json")):
            try:
                words = json.loads(words_file.read_text(encoding="utf-8"))
                vectors = np.load(words_file.with_suffix(".npy"))
            except (OSError, ValueError):  # a chunk being merged away by another process
                continue
            if len(words) != len(vectors):
                continue
            keep = [i for i, w in enumerate(words) if w not in self._row]
            self._append([words[i] for i in keep], np.asarray(vectors[keep], dtype=np.float32))
        self._saved = len(self._row)

    def _append(self, words: list[str], vectors: np.ndarray) -> None:
        """Give ``words`` the next rows (the caller holds the lock, or is the constructor)."""
        import numpy as np

        if not words:
            return
        if self._data is None or self._n + len(words) > len(self._data):
            width = vectors.shape[1] if self._data is None or not self._n else self._data.shape[1]
            grown = np.zeros((max(2 * self._n, self._n + len(words), 1024), width), dtype=np.float32)
            if self._n:
                grown[: self._n] = self._data[: self._n]
            self._data = grown  # views of the old buffer stay as they were
        self._data[self._n : self._n + len(words)] = vectors
        for w in words:
            self._row[w] = len(self._words)
            self._words.append(w)
        self._n += len(words)

    def save(self) -> None:
        """Write the words embedded since the last save to the cache folder (when there is one)."""

        if self.cache is None:
            return
        with self._lock:
            if self._saved == len(self._row):
                return
            words = self._words[self._saved :]
            matrix = self._concatenated()
            vectors = matrix[self._saved :]
            self._saved = len(self._row)
        self.cache.mkdir(parents=True, exist_ok=True)
        files = sorted(self.cache.glob("*.json"))
        if len(files) >= self.MERGE_AT:  # one chunk for everything this process knows, the old ones go
            words, vectors = self._words[: len(matrix)], matrix
        _write_chunk(self.cache, words, vectors)
        if len(files) >= self.MERGE_AT:
            for old in files:
                for path in (old, old.with_suffix(".npy")):
                    path.unlink(missing_ok=True)

    def __len__(self) -> int:
        return len(self._row)

    def add(self, words: Sequence[str]) -> None:
        """Embed the words not seen yet, in one batch."""
        import numpy as np

        missing = [w for w in dict.fromkeys(words) if w not in self._row]
        if not missing:
            return
        vectors = np.asarray(self.embedder.embed_documents(missing), dtype=np.float32)
        with self._lock:
            keep = [
                i for i, w in enumerate(missing) if w not in self._row
            ]  # another thread may have added some
            self._append([missing[i] for i in keep], vectors[keep])

    def matrix(self, words: Sequence[str]) -> np.ndarray:
        """The vectors of ``words`` (embedding any unseen ones first), one row each."""

        self.add(words)
        with self._lock:
            matrix = self._concatenated()
        return matrix[[self._row[w] for w in words]] if words else matrix[:0]

    def _concatenated(self) -> np.ndarray:
        """Every word's vector, a row each (a view: rows appended later are not in it)."""
        import numpy as np

        return self._data[: self._n] if self._data is not None else np.zeros((0, 1), np.float32)


def _write_chunk(folder: Path, words: list[str], vectors: np.ndarray) -> None:
    """One chunk: ``<name>.npy`` then ``<name>.json``, each written whole under a temporary name first,
    so a reader finds either both files complete or no words file."""
    import numpy as np

    name = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
    tmp = folder / f".{name}.npy.tmp"
    with open(tmp, "wb") as f:
        np.save(f, np.asarray(vectors, dtype=np.float32))
    os.replace(tmp, folder / f"{name}.npy")
    tmp = folder / f".{name}.json.tmp"
    tmp.write_text(json.dumps(words), encoding="utf-8")
    os.replace(tmp, folder / f"{name}.json")


def alignment(
    similarity: np.ndarray, columns: Sequence[int], weights: np.ndarray
) -> tuple[float, float, float]:
    """``(recall, weakest, precision)``: the IDF-weighted mean and the minimum over question words of their
    best similarity among ``columns``, and the mean over those words of their best similarity to a question
    word (how much of the sentence is about the question), as BERTScore does with contextual vectors.

    ``similarity`` is question words x candidate words; ``weights`` one per question word.
    """
    if not len(columns) or not similarity.shape[0]:
        return 0.0, 0.0, 0.0
    part = similarity[:, list(columns)]
    best = part.max(axis=1)
    return float((best * weights).sum() / weights.sum()), float(best.min()), float(part.max(axis=0).mean())
