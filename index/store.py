"""Open the Chroma collections that hold an index: embedded on disk by default, or a Chroma server.

An index named ``N`` is a pointer and generations. The pointer is the metadata of the record-less collection
``N-index``: the embedding model and splitting parameters, and the number of the generation in service.
Generation ``g`` is three collections: ``N-g<g>-sentences`` and ``N-g<g>-passages`` (the retrieval units,
embedded by the application; Chroma only stores them) and ``N-g<g>-docs`` (one record per article), and a
fourth while articles are being added or removed: ``N-g<g>-journal``, the changes under way.

A full build (the first, or ``--rebuild``) writes a whole new generation, then moves the pointer in one
metadata update. So a reader sees either the old index or the new one, never a half-built one, and a build
killed at any point leaves the pointer on a complete generation (the next build deletes the leftovers).

Adding, changing or removing articles changes the generation in service in place (``index.build``): an
article's record in ``docs`` (one per source) is its commit, written after its sentences and passages and
deleted before them, and readers only see sentences whose ``doc_hash`` their article's record names. The
pointer's ``revision`` counts these changes, so a serving process knows when to look again.

Every read is paged and every write batched (``PAGE``, the client's ``max_batch_size``): no request grows with
the archive.

This module does not split or embed; ``index.build`` does.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from index.errors import IndexMismatch, IndexNotBuilt, StoreUnavailable

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

    from index.settings import IndexSettings

# 2: speakers and resolved dates per sentence; 3: spaCy entities and noun chunks, the headline line;
# 4: one article record per source (its id no longer holds the hash): the commit of an in-place change;
# 5: more speakers (an appositive, "described by X as", ", said X", a quotation going on from its speaker);
# 6: CITY spans beside spaCy's own, from GeoNames' cities (index/entities.py)
SPLITTER_VERSION = "sentence-passages-6"
KINDS = ("sentences", "passages", "docs")
JOURNAL = "journal"  # what an in-place change is doing, so the next build can finish or undo it
PAGE = 2000  # records per read: well under SQLite's limit on variables, whatever the archive's size
# A wider HNSW search than Chroma's default (ef 10) keeps recall up in archives of 10k+ passages.
DATA_METADATA = {"hnsw:space": "cosine", "hnsw:search_ef": 100, "hnsw:construction_ef": 128}


def index_params(settings: IndexSettings, embedder: Embeddings) -> dict[str, Any]:
    """What an index must have been built with to be read by these settings."""
    return {
        "embed_model": getattr(embedder, "name", settings.embed_model),
        "chunk_size": settings.chunk_size,
        "splitter": SPLITTER_VERSION,
    }


def make_client(settings: IndexSettings, create: bool = False) -> ClientAPI:
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
        except Exception as e:  # chromadb raises a bare Exception or ValueError when the server is down
            raise unavailable(settings, e) from e
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


def unavailable(settings: IndexSettings, error: Exception) -> StoreUnavailable:
    """The one-line error for a store that cannot be reached or read."""
    reason = " ".join(str(error).split())[:200] or type(error).__name__
    if settings.chroma_url:
        return StoreUnavailable(
            f"cannot reach the Chroma server at {settings.chroma_url} ({reason}) — start it with: "
            "chroma run --path DIR --host 127.0.0.1 --port N"
        )
    return StoreUnavailable(
        f"cannot read the index at {settings.index_dir}/ ({reason}) — run: article-assistant index --rebuild"
    )


@dataclass
class IndexStore:
    """One generation of an index: three LangChain Chroma stores sharing one client.

    The stores (``sentences``, ``passages``, ``docs``) are made on first use: importing ``langchain_chroma``
    costs half a second (its retriever and tracer modules), more than a whole query. LangChain's ``Chroma``
    has no public way to count records or to write embeddings computed beforehand (``add_texts`` embeds
    again), so ``size``, ``add`` and the query path's ``nearest`` go through chromadb's own collections,
    opened by name on the same client: nothing reaches into ``Chroma``.
    """

    client: ClientAPI
    embedder: Embeddings
    params: dict[str, Any]
    generation: int
    names: dict[str, str]  # kind -> collection name
    revision: int = 0  # in-place changes since the generation was built (the pointer's ``revision``)
    token: str = ""  # names this build of the index, for caches (the pointer's ``token``; "" in old ones)
    changes: list = field(default_factory=list)  # [[revision, [source, ...]], ...] of the last changes
    _collections: dict[str, Collection] = field(default_factory=dict, repr=False)
    _stores: dict[str, Chroma] = field(default_factory=dict, repr=False)

    def _store_of(self, kind: str) -> Chroma:
        if kind not in self._stores:
            from langchain_chroma import Chroma

            self._stores[kind] = Chroma(
                collection_name=self.names[kind],
                embedding_function=self.embedder,
                client=self.client,
                collection_metadata=DATA_METADATA,
            )
        return self._stores[kind]

    sentences = property(lambda self: self._store_of("sentences"))
    passages = property(lambda self: self._store_of("passages"))
    docs = property(lambda self: self._store_of("docs"))

    def _collection_of(self, kind: str) -> Collection:
        if kind not in self._collections:  # opened once: each open is a round trip to a Chroma server
            if kind == JOURNAL:
                self._collections[kind] = self.client.get_or_create_collection(
                    self.names[kind], embedding_function=None
                )
            else:
                self._collections[kind] = self.client.get_collection(
                    self.names[kind], embedding_function=None
                )
        return self._collections[kind]

    def size(self, kind: str) -> int:
        """The number of records of one kind (``sentences``, ``passages`` or ``docs``)."""
        return self._collection_of(kind).count()

    def count(self) -> dict[str, int]:
        return {kind: self.size(kind) for kind in KINDS}

    def add(
        self,
        kind: str,
        ids: list[str],
        embeddings: Sequence[Sequence[float]],
        documents: list[str],
        metadatas: list[dict[str, Any]],
    ) -> None:
        """Write (or overwrite) records of one kind with their embeddings as given: nothing is embedded here.

        Written in batches the client accepts; ids are content hashes, so writing a record again is harmless.
        """
        collection = self._collection_of(kind)
        step = max(1, min(PAGE, self.client.get_max_batch_size()))
        for i in range(0, len(ids), step):
            collection.upsert(
                ids=ids[i : i + step],
                embeddings=embeddings[i : i + step],
                documents=documents[i : i + step],
                metadatas=metadatas[i : i + step],
            )

    def nearest(
        self, kind: str, vector: Sequence[float], k: int, where: dict | None = None
    ) -> list[tuple[str, float]]:
        """``(id, cosine distance)`` of the ``k`` records of one kind nearest ``vector`` (that match the
        Chroma filter ``where``), nearest first: what ``Chroma.similarity_search_by_vector_with_relevance_
        scores`` returns, without its Documents."""
        got = self._collection_of(kind).query(
            query_embeddings=[list(vector)], n_results=k, where=where, include=["distances"]
        )
        return list(zip(got["ids"][0], got["distances"][0], strict=True))

    def pages(
        self, kind: str, include: Sequence[str] = ("metadatas",), where: dict | None = None, page: int = PAGE
    ) -> Iterator[dict[str, list]]:
        """Every record of one kind (that matches ``where``), ``page`` at a time, in a stable order."""
        collection = self._collection_of(kind)
        offset = 0
        while True:
            got = collection.get(where=where, include=list(include), limit=page, offset=offset)
            if not got["ids"]:
                return
            yield got
            if len(got["ids"]) < page:
                return
            offset += len(got["ids"])

    def read(
        self, kind: str, include: Sequence[str] = ("metadatas",), where: dict | None = None
    ) -> dict[str, list]:
        """Every record of one kind (that matches ``where``), read page by page into one result."""
        out: dict[str, list] = {"ids": [], **{key: [] for key in include}}
        for got in self.pages(kind, include, where):
            for key in out:
                values = got[key]
                out[key].extend(list(values) if values is not None else [])
        return out

    def get(self, kind: str, ids: Sequence[str], include: Sequence[str] = ("metadatas",)) -> dict[str, list]:
        """The records with these ids (those that exist), read in bounded batches."""
        collection = self._collection_of(kind)
        out: dict[str, list] = {"ids": [], **{key: [] for key in include}}
        ids = list(ids)
        for i in range(0, len(ids), PAGE):
            got = collection.get(ids=ids[i : i + PAGE], include=list(include))
            for key in out:
                values = got[key]
                out[key].extend(list(values) if values is not None else [])
        return out

    def delete(self, kind: str, where: dict | None = None, ids: Sequence[str] | None = None) -> None:
        """Delete the records of one kind that match ``where`` (or have these ids), a page at a time."""
        collection = self._collection_of(kind)
        if ids is not None:
            ids = list(ids)
            for i in range(0, len(ids), PAGE):
                collection.delete(ids=ids[i : i + PAGE])
            return
        while True:
            found = collection.get(where=where, include=[], limit=PAGE)["ids"]
            if not found:
                return
            collection.delete(ids=found)


def record_id(kind: str, doc_hash: str, source: str, start: int, end: int) -> str:
    """A record's id: its kind, its article version and its span (content, not position, names it)."""
    key = hashlib.sha256(f"{doc_hash}\0{source}".encode()).hexdigest()[:16]
    return f"{kind}:{key}:{start}-{end}"


def doc_id(source: str) -> str:
    """The id of an article's record in ``docs``: one per source, so writing it switches versions at once."""
    return record_id("d", "", source, 0, 0)


def pointer_name(settings: IndexSettings) -> str:
    return f"{settings.collection}-index"


def generation_names(settings: IndexSettings, generation: int) -> dict[str, str]:
    return {kind: f"{settings.collection}-g{generation}-{kind}" for kind in (*KINDS, JOURNAL)}


def get_collection(client: ClientAPI, name: str):
    """The collection, or None when it does not exist."""
    from chromadb.errors import NotFoundError

    try:
        return client.get_collection(name)
    except NotFoundError:
        return None
    except ValueError as e:  # older chromadb releases
        if "does not exist" in str(e):
            return None
        raise


def read_pointer(client: ClientAPI, settings: IndexSettings) -> dict[str, Any] | None:
    """The pointer's metadata (parameters and ``generation``), or None when no index was ever built."""
    pointer = get_collection(client, pointer_name(settings))
    return dict(pointer.metadata or {}) if pointer is not None else None


def check_params(pointer: dict[str, Any], params: dict[str, Any]) -> None:
    built = {k: pointer.get(k) for k in params}
    if built != params:
        diff = ", ".join(
            f"{k}={built[k]!r} (settings: {params[k]!r})" for k in params if built[k] != params[k]
        )
        raise IndexMismatch(
            f"the index was built with other parameters: {diff} — run: article-assistant index --rebuild"
        )


def stores_for(
    client: ClientAPI, settings: IndexSettings, embedder: Embeddings, generation: int, params
) -> IndexStore:
    names = generation_names(settings, generation)
    store = IndexStore(
        client=client,
        embedder=embedder,
        params=params,
        generation=generation,
        names=names,
        revision=int(params.get("revision", 0) or 0),
    )
    _pointed(store, params)
    for kind in KINDS:  # as ``Chroma(collection_metadata=...)`` opens them: created when missing
        store._collections[kind] = client.get_or_create_collection(
            names[kind], embedding_function=None, metadata=DATA_METADATA
        )
    return store


def open_index(settings: IndexSettings, embedder: Embeddings, client: ClientAPI | None = None) -> IndexStore:
    """Open the generation in service; raise IndexNotBuilt or IndexMismatch (naming the fix) otherwise."""
    client = client if client is not None else make_client(settings)
    try:
        pointer = read_pointer(client, settings)
    except Exception as e:  # a damaged store or an unreachable server: name it and the fix
        raise unavailable(settings, e) from e
    if pointer is None or "generation" not in pointer:
        where = settings.chroma_url or f"{settings.index_dir}/"
        raise IndexNotBuilt(
            f"no index named {settings.collection!r} at {where} — run: article-assistant index"
        )
    params = index_params(settings, embedder)
    check_params(pointer, params)
    store = stores_for(client, settings, embedder, int(pointer["generation"]), params)
    store.revision = int(pointer.get("revision", 0) or 0)
    _pointed(store, pointer)
    return store


def _pointed(store: IndexStore, pointer: dict[str, Any]) -> None:
    """Take the pointer's build token and change log into ``store``."""
    store.token = str(pointer.get("token", "") or "")
    try:
        store.changes = json.loads(pointer.get("changes") or "[]")
    except (TypeError, ValueError):
        store.changes = []


def generations_present(client: ClientAPI, settings: IndexSettings) -> set[int]:
    """Generations that have at least one collection in the store (in service, stale or half-built)."""
    pattern = re.compile(rf"^{re.escape(settings.collection)}-g(\d+)-(?:{'|'.join((*KINDS, JOURNAL))})$")
    names = [c if isinstance(c, str) else c.name for c in client.list_collections()]
    return {int(m.group(1)) for name in names if (m := pattern.match(name))}


def drop_generation(client: ClientAPI, settings: IndexSettings, generation: int) -> None:
    for name in generation_names(settings, generation).values():
        if get_collection(client, name) is not None:
            client.delete_collection(name)


def publish(
    client: ClientAPI, settings: IndexSettings, params: dict[str, Any], generation: int, revision: int = 0
) -> None:
    """Put ``generation`` (at ``revision``) in service: one metadata update of the pointer collection."""
    pointer = client.get_or_create_collection(pointer_name(settings), embedding_function=None)
    metadata = {**params, "generation": generation, "revision": revision, "token": uuid.uuid4().hex}
    pointer.modify(metadata={**metadata, "changes": "[]"})


def bump_revision(
    client: ClientAPI, settings: IndexSettings, store: IndexStore, sources: Sequence[str] = ()
) -> int:
    """Count one more in-place change of the generation in service, so serving processes look again, and
    log which articles it touched (``sources``), so they read only those (``live_articles``)."""
    pointer = client.get_collection(pointer_name(settings), embedding_function=None)
    metadata = dict(pointer.metadata or {})
    metadata["revision"] = int(metadata.get("revision", 0) or 0) + 1
    metadata["token"] = metadata.get("token") or uuid.uuid4().hex  # an index built before there were tokens
    try:
        changes = json.loads(metadata.get("changes") or "[]")
    except (TypeError, ValueError):
        changes = []
    changes.append([metadata["revision"], sorted(set(sources))])
    while len(changes) > CHANGES_KEPT or (len(changes) > 1 and sum(len(c[1]) for c in changes) > NAMES_KEPT):
        changes.pop(0)  # a process further behind than the log reads every article's record instead
    metadata["changes"] = json.dumps(changes)
    pointer.modify(metadata=metadata)
    store.revision, store.changes, store.token = metadata["revision"], changes, metadata["token"]
    return store.revision


CHANGES_KEPT = 200  # revisions the change log keeps
NAMES_KEPT = 2_000  # and at most this many articles named in it
# ``live_articles`` as last read, by the build token and the docs collection: (revision, {source: hash}).
_LIVE: dict[tuple[str, str], tuple[int, dict[str, str]]] = {}


def changed_since(store: IndexStore, revision: int) -> set[str] | None:
    """The articles the changes after ``revision`` touched; None when the log does not reach back so far."""
    logged = {int(r): sources for r, sources in store.changes}
    wanted = range(revision + 1, store.revision + 1)
    if any(r not in logged for r in wanted):
        return None
    return {s for r in wanted for s in logged[r]}


def live_articles(store: IndexStore) -> dict[str, str]:
    """``{source: hash}`` of every article the generation serves: those whose record in ``docs`` is written.

    A sentence or passage is served only when its ``doc_hash`` is its source's hash here; the others are
    an in-place change under way, or the leftovers of one that was killed. Read whole once per process;
    after that only the records of the articles the change log names are read, so following a change costs
    what the change touched, not the archive.
    """
    key = (store.token, store.names["docs"])
    cached = _LIVE.get(key) if store.token else None
    if cached is not None and cached[0] <= store.revision:
        changed = changed_since(store, cached[0])
        if changed is not None:
            live = dict(cached[1])
            for source in changed:
                live.pop(source, None)
            live.update(articles_of(store, changed))
            _LIVE[key] = (store.revision, live)
            return dict(live)
    live: dict[str, str] = {}
    for got in store.pages("docs", ("metadatas",)):
        _take(live, got["metadatas"])
    if store.token:
        _LIVE[key] = (store.revision, live)
    return dict(live)


def article_records(store: IndexStore, sources) -> list[dict]:
    """The metadata of the records in ``docs`` of those of ``sources`` that are written, read from the store
    (never from a cache) by their ids (``doc_id``): a lookup, where a filter on ``source`` scans them all."""
    names = set(sources)
    got = store.get("docs", [doc_id(source) for source in sorted(names)], ("metadatas",))
    return [m for m in got["metadatas"] if m and m.get("source") in names]


def articles_of(store: IndexStore, sources) -> dict[str, str]:
    """``{source: hash}`` of those of ``sources`` whose record in ``docs`` is written (see
    ``article_records``)."""
    found: dict[str, str] = {}
    _take(found, article_records(store, sources))
    return found


def _take(live: dict[str, str], metadatas: list) -> None:
    for m in metadatas:
        if m and m.get("source"):
            live[str(m["source"])] = str(m.get("hash", ""))


def drop_index(client: ClientAPI, settings: IndexSettings) -> None:
    """Remove every collection of the index (for ``index --rebuild``)."""
    for generation in generations_present(client, settings):
        drop_generation(client, settings, generation)
    if get_collection(client, pointer_name(settings)) is not None:
        client.delete_collection(pointer_name(settings))
