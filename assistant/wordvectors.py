"""Vectors of single words, for matching a question's words to a sentence's by meaning (authorize ~ go-ahead).

The embedding model applied to one word gives a static word vector. The retriever embeds every content
word of the indexed sentences once when it loads the index, and a question's unseen words on first sight
(one batched call; remembered). ``alignment`` then scores how well each question word is met by some word
of a sentence, the IDF-weighted mean of the best cosines: a soft overlap that exact stems miss.

This module holds vectors and computes similarities; which words count and how they are weighted is the
caller's (``assistant.features``, ``assistant.retrieval``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from langchain_core.embeddings import Embeddings


class WordVectors:
    """A growing table of word vectors from one embedder."""

    def __init__(self, embedder: Embeddings) -> None:
        self.embedder = embedder
        self._row: dict[str, int] = {}
        self._chunks: list[np.ndarray] = []
        self._matrix: np.ndarray | None = None
        self._lock = threading.Lock()

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
            for i in keep:
                self._row[missing[i]] = len(self._row)
            self._chunks.append(vectors[keep])
            self._matrix = None

    def matrix(self, words: Sequence[str]) -> np.ndarray:
        """The vectors of ``words`` (embedding any unseen ones first), one row each."""
        import numpy as np

        self.add(words)
        with self._lock:
            if self._matrix is None:
                self._matrix = np.concatenate(self._chunks) if self._chunks else np.zeros((0, 1), np.float32)
                self._chunks = [self._matrix]
            matrix = self._matrix
        return matrix[[self._row[w] for w in words]] if words else matrix[:0]


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
