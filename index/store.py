"""Open the Chroma collections that hold an index: embedded on disk by default, or a Chroma server.

An index is three collections that share a prefix: ``<name>-sentences`` and ``<name>-passages`` (the
retrieval units, embedded by the application; Chroma only stores them) and ``<name>-docs`` (one record per
article, written last, so a document counts as indexed only once all its parts are in). The docs
collection's metadata records the embedding model and splitting parameters the index was built with.

This module does not split or embed; ``index.build`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from assistant.errors import IndexMismatch, IndexNotBuilt, StoreUnavailable

if TYPE_CHECKING:
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

    from assistant.settings import Settings

SPLITTER_VERSION = "sentence-passages-1"
KINDS = ("sentences", "passages", "docs")


def index_params(settings: Settings, embedder: Embeddings) -> dict[str, Any]:
    """What an index must have been built with to be read by these settings."""
    return {
        "embed_model": getattr(embedder, "name", settings.embed_model),
        "chunk_size": settings.chunk_size,
        "splitter": SPLITTER_VERSION,
        "hnsw:space": "cosine",
    }


def make_client(settings: Settings, create: bool = False):
    """A Chroma client for the settings: HttpClient when ``chroma_url`` is set, else PersistentClient."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        try:
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or 8000,
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as e:  # chromadb raises bare Exception/ValueError when the server is down
            raise StoreUnavailable(
                f"cannot reach the Chroma server at {settings.chroma_url} ({e}) — start it with: "
                "chroma run --path DIR --host 127.0.0.1 --port N"
            ) from e
    path = settings.index_dir
    if not create and not path.exists():
        raise IndexNotBuilt(f"no index at {path}/ — run: article-assistant index")
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as e:  # a corrupted sqlite file surfaces as many different exception types
        raise StoreUnavailable(
            f"the index at {path}/ is unreadable or corrupted ({type(e).__name__}: {e}) — "
            "run: article-assistant index --rebuild"
        ) from e


@dataclass
class IndexStore:
    """The three LangChain Chroma stores of one index, sharing one client."""

    client: Any
    sentences: Chroma
    passages: Chroma
    docs: Chroma
    params: dict[str, Any]

    def collection_names(self) -> list[str]:
        return [store._collection.name for store in (self.sentences, self.passages, self.docs)]

    def count(self) -> dict[str, int]:
        return {kind: getattr(self, kind)._collection.count() for kind in KINDS}


def _existing(client, name: str):
    try:
        return client.get_collection(name)
    except Exception as e:
        # chromadb raises NotFoundError (ValueError before 0.6); anything else is a real store problem.
        if "does not exist" in str(e) or type(e).__name__ in {"NotFoundError", "InvalidCollectionException"}:
            return None
        raise StoreUnavailable(f"cannot read the Chroma store ({type(e).__name__}: {e})") from e


def open_index(
    settings: Settings,
    embedder: Embeddings,
    client=None,
    create: bool = False,
    rebuild: bool = False,
) -> IndexStore:
    """Open (or with ``create``, make) the index; raise IndexMismatch when its parameters differ."""
    from langchain_chroma import Chroma

    client = client if client is not None else make_client(settings, create=create or rebuild)
    params = index_params(settings, embedder)
    names = {kind: f"{settings.collection}-{kind}" for kind in KINDS}
    docs = _existing(client, names["docs"])
    if rebuild:
        for name in names.values():
            if _existing(client, name) is not None:
                client.delete_collection(name)
        docs = None
    if docs is None and not create:
        where = settings.chroma_url or f"{settings.index_dir}/"
        raise IndexNotBuilt(
            f"no index named {settings.collection!r} at {where} — run: article-assistant index"
        )
    if docs is not None:
        built = {k: (docs.metadata or {}).get(k) for k in params}
        if built != params:
            diff = ", ".join(
                f"{k}={built[k]!r} (settings: {params[k]!r})" for k in params if built[k] != params[k]
            )
            raise IndexMismatch(
                f"the index was built with other parameters: {diff} — run: article-assistant index --rebuild"
            )
    stores = {
        kind: Chroma(
            collection_name=name,
            embedding_function=embedder,
            client=client,
            collection_metadata=params,
        )
        for kind, name in names.items()
    }
    return IndexStore(client=client, params=params, **stores)
