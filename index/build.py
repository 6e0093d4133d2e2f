"""Build or update the index: load -> split -> embed -> store, doing no work for unchanged articles.

Ids are content hashes, so the same article always yields the same ids. The first build (and ``--rebuild``)
writes a complete new generation and switches to it atomically. Later builds change the generation in service
in place, article by article, touching only the articles that changed (see ``index.store``):

- an added or changed article's sentences and passages are written first, then its record in ``docs``: the
  record is the commit, so a reader sees all of an article or none of it;
- a removed article's record goes first, then its sentences and passages;
- a journal names the articles under way, so a build killed at any moment leaves the index serving what it
  served (plus any article committed), and the next build removes what the killed one left half-written.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from langchain_core.documents import Document

from index.dates import date_ord
from index.dedupe import dedupe, dedupe_added, holds
from index.entities import entities
from index.errors import ArticleError, StoreUnavailable
from index.loader import HTML, extracted_path, headline_line, load_articles, load_named, relative_source
from index.news import resolve_relative, speakers
from index.splitter import SentencePassageSplitter
from index.store import (
    JOURNAL,
    KINDS,
    IndexStore,
    articles_of,
    bump_revision,
    check_params,
    doc_id,
    drop_generation,
    drop_index,
    generations_present,
    index_params,
    live_articles,
    make_client,
    publish,
    read_pointer,
    stores_for,
)
from index.store import record_id as _id

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_core.embeddings import Embeddings

    from index.settings import IndexSettings

log = logging.getLogger(__name__)
BATCH_SENTENCES = 512
DOC_FIELDS = ("source", "hash", "title", "date", "url", "outlet", "author", "body_start")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[ArticleError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # (dropped, kept, why)
    sentences: int = 0  # split and embedded by this build (new or changed articles only)
    passages: int = 0
    indexed: dict[str, int] = field(default_factory=dict)  # what the index in service holds, by kind
    # A build by name (``changed``) does not count the index (a count visits every record) and keeps the
    # records it wrote, for a serving process to take as they are instead of reading them back.
    written: list[ArticleRecords] = field(default_factory=list)

    def summary(self) -> str:
        """One line a reader cannot misread: what this build did, and what the index holds."""
        held = f"{_count(self.indexed.get('passages', 0), 'passage')}, " + _count(
            self.indexed.get("sentences", 0), "sentence"
        )
        articles = self.indexed.get("docs", len(self.added) + len(self.unchanged))
        if not self.indexed and (self.added or self.unchanged):  # a build by name
            line = (
                f"indexed {_count(len(self.added), 'new or changed article')} "
                f"({_count(self.passages, 'passage')}, {_count(self.sentences, 'sentence')}); "
                f"{len(self.unchanged)} unchanged of those named"
            )
        elif self.added or self.removed:
            line = (
                f"indexed {_count(len(self.added), 'new or changed article')} "
                f"({_count(self.passages, 'passage')}, {_count(self.sentences, 'sentence')}); "
                f"{len(self.unchanged)} unchanged; {len(self.removed)} removed; "
                f"the index holds {_count(articles, 'article')} ({held})"
            )
        elif articles:
            line = f"nothing to do: {_count(articles, 'article')} unchanged ({held} already indexed)"
        else:
            line = "the index holds no articles"
        problems = [
            _count(len(self.errors), "error"),
            f"{len(self.skipped)} skipped",
            f"{len(self.duplicates)} duplicate or superseded "
            f"{'copy' if len(self.duplicates) == 1 else 'copies'} not indexed",
        ]
        counts = (len(self.errors), len(self.skipped), len(self.duplicates))
        shown = [text for text, n in zip(problems, counts, strict=True) if n]
        return "; ".join([line, *shown])


def split_document(doc: Document, splitter: SentencePassageSplitter) -> tuple[list[Document], list[Document]]:
    """The passage and sentence Documents of one article, each with exact offsets and its id; each sentence
    also carries its entities (``index.entities``) and whether it is the headline line."""
    meta = doc.metadata
    base = {k: meta.get(k, "") for k in ("source", "title", "date", "outlet", "url")}
    base["doc_hash"] = meta["hash"]
    base["date_ord"] = date_ord(meta.get("date", ""))
    chunks = splitter.split_documents([doc])
    spans = [tuple(s) for chunk in chunks for s in chunk.metadata["sentences"]]
    texts = [doc.page_content[s:e] for s, e in spans]
    said_by = dict(zip(spans, speakers(texts), strict=True))
    named = dict(zip(spans, entities(texts, [s for s, _ in spans]), strict=True))
    headline = headline_line(doc.page_content, int(meta.get("body_start", 0)))
    passages, sentences = [], []
    for chunk in chunks:
        m = chunk.metadata
        pid = _id("p", meta["hash"], meta["source"], m["start"], m["end"])
        passages.append(
            Document(
                id=pid,
                page_content=chunk.page_content,
                metadata={
                    **base,
                    "start": m["start"],
                    "end": m["end"],
                    "paragraph": m["paragraph"],
                    "sentences": json.dumps(m["sentences"]),
                },
            )
        )
        for s, e in m["sentences"]:
            text = doc.page_content[s:e]
            when = resolve_relative(text, meta.get("date", "")) or ("", "", "")
            sentences.append(
                Document(
                    id=_id("s", meta["hash"], meta["source"], s, e),
                    page_content=text,
                    metadata={
                        **base,
                        "start": s,
                        "end": e,
                        "paragraph": m["paragraph"],
                        "passage_id": pid,
                        "speaker": said_by[(s, e)],
                        "when_start": when[0],
                        "when_end": when[1],
                        "when_label": when[2],
                        # Chroma metadata is scalar: [[start, end, label], ...] as JSON, file offsets.
                        "entities": json.dumps([list(span) for span in named[(s, e)]]),
                        "headline": (s, e) == headline,
                    },
                )
            )
    return passages, sentences


@dataclass
class ArticleRecords:
    """What one article writes, kind by kind: ``{kind: {"ids", "embeddings", "documents", "metadatas"}}``,
    the kinds in write order (its sentences, its passages, then its record in ``docs``, the commit).

    Made where the article is split and embedded (this process, or a worker of ``index.distributed``) and
    written by the build; plain lists, so it pickles as it is.
    """

    source: str
    hash: str
    rows: dict[str, dict[str, list]]

    @property
    def sentences(self) -> int:
        return len(self.rows["sentences"]["ids"])

    @property
    def passages(self) -> int:
        return len(self.rows["passages"]["ids"])


def records(
    batch: list[tuple[Document, list[Document], list[Document]]], embedder: Embeddings
) -> list[ArticleRecords]:
    """The records of a batch of split articles, embedded: what a build writes for them.

    Each distinct text is embedded once, in one encoder call for the whole batch: a one-sentence paragraph is
    both a sentence and a passage. Nothing is read or written; the same batch gives the same records.
    """
    kinds = []
    for doc, passages, sentences in batch:
        record = Document(
            id=doc_id(doc.metadata["source"]),
            page_content=doc.metadata["title"],
            metadata={k: doc.metadata.get(k, "") for k in DOC_FIELDS} | {"passages": len(passages)},
        )
        kinds.append({"sentences": sentences, "passages": passages, "docs": [record]})
    # All sentences first, then passages, then titles: the order the encoder has always been given them.
    texts = (d.page_content for kind in KINDS for by_kind in kinds for d in by_kind[kind])
    unique = list(dict.fromkeys(texts))
    vectors = dict(zip(unique, embedder.embed_documents(unique), strict=True))
    return [
        ArticleRecords(
            source=doc.metadata["source"],
            hash=doc.metadata["hash"],
            rows={
                kind: {
                    "ids": [d.id for d in docs],
                    "embeddings": [vectors[d.page_content] for d in docs],
                    "documents": [d.page_content for d in docs],
                    "metadatas": [d.metadata for d in docs],
                }
                for kind, docs in by_kind.items()
            },
        )
        for (doc, _, _), by_kind in zip(batch, kinds, strict=True)
    ]


def write_records(store: IndexStore, articles: list[ArticleRecords]) -> None:
    """Write a batch of articles' records: all their sentences, all their passages, then their records in
    ``docs``, which go last and mark the articles complete."""
    for kind in KINDS:
        columns = ("ids", "embeddings", "documents", "metadatas")
        merged = {c: [x for a in articles for x in a.rows[kind][c]] for c in columns}
        if merged["ids"]:
            store.add(kind, **merged)


class LocalEngine:
    """Split and embed in this process, batch after batch: the default engine of ``build_index``."""

    def __init__(self, embedder: Embeddings) -> None:
        self.embedder = embedder

    def prepare(self, todo: list[Document], chunk_size: int) -> Iterator[list[ArticleRecords]]:
        for batch in _batches(todo, chunk_size):
            yield records(batch, self.embedder)


class Engine(Protocol):
    """Turns the articles to index into their records, in batches (``LocalEngine``; ``index.distributed``)."""

    def prepare(self, todo: list[Document], chunk_size: int) -> Iterator[list[ArticleRecords]]: ...


def _progress(total: int, enabled: bool):
    if enabled and total > 1:
        try:
            from tqdm import tqdm

            return tqdm(total=total, unit="article", desc="indexing", file=sys.stderr)
        except ImportError:
            pass
    return None


def _committed_docs(
    client: ClientAPI, settings: IndexSettings, embedder: Embeddings, rebuild: bool
) -> IndexStore | None:
    """The generation in service, or None for a first build or a rebuild."""
    if rebuild:
        drop_index(client, settings)
        return None
    pointer = read_pointer(client, settings)
    if pointer is None or "generation" not in pointer:
        return None
    params = index_params(settings, embedder)
    if pointer.get("splitter") != params["splitter"] and all(
        pointer.get(k) == v for k, v in params.items() if k != "splitter"
    ):  # written by an older release: this code cannot serve it, and the articles are all on disk
        log.warning("the index is in an older format (%s): rebuilding it", pointer.get("splitter"))
        drop_index(client, settings)
        return None
    check_params(pointer, params)
    return stores_for(client, settings, embedder, int(pointer["generation"]), pointer)


def _client_for_build(settings: IndexSettings, rebuild: bool) -> ClientAPI:
    """A client to build with; ``rebuild`` moves an unreadable embedded index aside (kept, not deleted)."""
    try:
        return make_client(settings, create=True)
    except StoreUnavailable:
        if not rebuild or settings.chroma_url:
            raise
        aside = settings.index_dir.with_name(f"{settings.index_dir.name}.unreadable-{int(time.time())}")
        settings.index_dir.rename(aside)
        log.warning("moved the unreadable index to %s; building a new one", aside)
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()  # chromadb keeps the failed client for that path
        return make_client(settings, create=True)


def _scope(settings: IndexSettings) -> tuple[str, str, str]:
    """What a build's articles are all the articles of, for ``dedupe_added`` to extend only its own."""
    return tuple(str(p.resolve()) for p in (settings.seeds_dir, settings.root, settings.index_dir))


def _load(settings: IndexSettings) -> tuple[list[Document], BuildReport]:
    """The articles on disk, duplicates dropped, and a report that starts with what could not be read."""
    loaded = load_articles(settings.seeds_dir, settings.root, extracted_dir=settings.index_dir / "extracted")
    report = BuildReport(errors=loaded.errors, skipped=loaded.skipped)
    documents, report.duplicates = dedupe(loaded.documents, _scope(settings))
    for dropped, kept, reason in report.duplicates:
        log.warning("not indexing %s: %s of %s", dropped, reason, kept)
    return documents, report


def _plan(old: IndexStore | None, documents: list[Document], report: BuildReport) -> list[Document]:
    """Compare the articles on disk with those the index holds: record the unchanged and the removed in
    ``report``, and return the new or changed articles, which must be split and embedded."""
    existing = live_articles(old) if old is not None else {}
    on_disk = {d.metadata["source"]: d for d in documents}
    report.removed = sorted(set(existing) - set(on_disk))
    return _new_or_changed(existing, list(on_disk.values()), report)


def _new_or_changed(
    existing: dict[str, str], documents: list[Document], report: BuildReport
) -> list[Document]:
    """Those of ``documents`` whose version ``existing`` (``{source: hash}`` in service) does not hold; the
    others are recorded in ``report`` as unchanged."""
    todo = []
    for doc in documents:
        if existing.get(doc.metadata["source"]) == doc.metadata["hash"]:
            report.unchanged.append(doc.metadata["source"])
        else:
            todo.append(doc)
    return todo


def _new_generation(
    client: ClientAPI, settings: IndexSettings, embedder: Embeddings, old: IndexStore | None, params: dict
) -> IndexStore:
    """An empty generation numbered after every one in the store, once leftovers of killed builds are gone."""
    present = generations_present(client, settings)
    generation = max(present | {old.generation if old else 0}) + 1
    for leftover in present - {old.generation if old else -1}:
        drop_generation(client, settings, leftover)  # half-built by a build that was killed
    return stores_for(client, settings, embedder, generation, params)


def _batches(todo: list[Document], chunk_size: int):
    """The articles split, in batches of about ``BATCH_SENTENCES`` sentences."""
    splitter = SentencePassageSplitter(chunk_size=chunk_size)
    batch: list[tuple[Document, list[Document], list[Document]]] = []
    pending = 0
    for i, doc in enumerate(todo):
        passages, sentences = split_document(doc, splitter)
        batch.append((doc, passages, sentences))
        pending += len(sentences)
        if pending >= BATCH_SENTENCES or i == len(todo) - 1:
            yield batch
            batch, pending = [], 0


def _prepared(
    engine: Engine, todo: list[Document], chunk_size: int, report: BuildReport, progress: bool
) -> Iterator[list[ArticleRecords]]:
    """The engine's batches of records, regrouped to at least ``BATCH_SENTENCES`` sentences (the last may
    hold fewer) so each commit is about as large whatever the engine; the report counts them."""
    bar = _progress(len(todo), progress)
    group: list[ArticleRecords] = []
    pending = 0
    for batch in engine.prepare(todo, chunk_size):
        for article in batch:
            group.append(article)
            pending += article.sentences
            report.passages += article.passages
            report.sentences += article.sentences
            report.added.append(article.source)
        if pending >= BATCH_SENTENCES:
            yield group
            if bar:
                bar.update(len(group))
            group, pending = [], 0
    if group:
        yield group
        if bar:
            bar.update(len(group))
    if bar:
        bar.close()


def _journal(store: IndexStore, entries: list[tuple[str, str]]) -> list[str]:
    """Record the article versions ``(source, hash)`` a change is about to write or remove; their ids."""
    ids = [_id("j", digest, source, 0, 0) for source, digest in entries]
    if ids:
        store.add(
            JOURNAL,
            ids=ids,
            embeddings=[[0.0]] * len(ids),
            documents=[source for source, _ in entries],
            metadatas=[{"source": source, "hash": digest} for source, digest in entries],
        )
    return ids


def _drop_versions(store: IndexStore, versions: list[tuple[str, str]]) -> None:
    """Delete the sentences and passages of these article versions ``(source, hash)``."""
    for source, digest in versions:
        for kind in ("sentences", "passages"):
            store.delete(kind, where={"$and": [{"source": source}, {"doc_hash": digest}]})


def recover(store: IndexStore) -> list[str]:
    """Finish what a killed in-place change left: delete the records of every journaled article version
    that is not the one in service. Returns the articles the journal named (the killed change may have
    committed some of them without counting a revision: the caller announces them)."""
    journal = store.read(JOURNAL, ("metadatas",))
    if not journal["ids"]:
        return []
    named = sorted({m["source"] for m in journal["metadatas"]})
    live = articles_of(store, named)  # not live_articles' cache: the killed change may have committed some
    stale = [(m["source"], m["hash"]) for m in journal["metadatas"] if live.get(m["source"]) != m["hash"]]
    _drop_versions(store, stale)
    store.delete(JOURNAL, ids=journal["ids"])
    log.info("finished an interrupted change: %d article versions removed", len(stale))
    return named


def _change_in_place(
    client: ClientAPI,
    settings: IndexSettings,
    store: IndexStore,
    todo: list[Document],
    report: BuildReport,
    progress: bool,
    engine: Engine,
    live: dict[str, str] | None = None,
    keep: bool = False,
) -> None:
    """Add, replace and remove articles in the generation in service, each visible all at once. ``live`` is
    ``{source: hash}`` in service of at least the articles changed (default: of all, ``live_articles``);
    ``keep``: keep the records written in ``report.written``."""
    live = live if live is not None else live_articles(store)
    for batch in _prepared(engine, todo, settings.chunk_size, report, progress):
        if keep:
            report.written += batch
        replaced = [(a.source, live.get(a.source, "")) for a in batch]
        replaced = [(source, digest) for source, digest in replaced if digest]
        added = [(a.source, a.hash) for a in batch]
        journal = _journal(store, added + replaced)
        write_records(store, batch)  # the articles' records go last: the commit
        bump_revision(client, settings, store, [a.source for a in batch])
        _drop_versions(store, replaced)
        store.delete(JOURNAL, ids=journal)
    for i in range(0, len(report.removed), 100):
        gone = [(source, live[source]) for source in report.removed[i : i + 100]]
        journal = _journal(store, gone)
        store.delete("docs", ids=[doc_id(source) for source, _ in gone])  # the un-commit
        bump_revision(client, settings, store, [source for source, _ in gone])
        _drop_versions(store, gone)
        store.delete(JOURNAL, ids=journal)


def _sources_named(settings: IndexSettings, paths: list[Path]) -> set[str]:
    """The sources the files ``paths`` are indexed as (an HTML page's is its extracted text's)."""
    out = set()
    for path in paths:
        out.add(relative_source(path, settings.root))
        if path.suffix.lower() in HTML:
            try:
                extracted = extracted_path(path, settings.seeds_dir, settings.index_dir / "extracted")
            except (ArticleError, ValueError):
                continue  # not under the seeds directory: load_named reports it
            out.add(relative_source(extracted, settings.root))
    return out


def _add_named(
    client: ClientAPI,
    settings: IndexSettings,
    embedder: Embeddings,
    paths: list[Path],
    progress: bool,
    engine: Engine,
) -> BuildReport | None:
    """Index the new or changed articles among the files ``paths``, reading, deduplicating and planning only
    them: the records and the journal of a full build's in-place change, at a cost that does not grow with
    the archive. The first call of a process reads every article once, for the duplicate check's state.
    None, having changed nothing, when only a full build can decide: no index in service yet, a named
    article removed or no longer readable (a copy it hid may return), or one that is changed, a copy or an
    update of another (see ``dedupe_added``; a near-copy is then refused by the full build, as ever)."""
    old = _committed_docs(client, settings, embedder, rebuild=False)
    if old is None:
        return None
    if touched := recover(old):
        bump_revision(client, settings, old, touched)
    loaded, _missing = load_named(
        paths, settings.seeds_dir, settings.root, extracted_dir=settings.index_dir / "extracted"
    )
    read = {d.metadata["source"] for d in loaded.documents}
    live = articles_of(old, _sources_named(settings, paths) | read)
    if set(live) - read:
        return None  # an indexed article gone, or unreadable now: a full build removes it
    if not holds(_scope(settings)):
        _load(settings)  # once a process: every article's MinHash, to check the named ones against
    decided = dedupe_added(loaded.documents, _scope(settings))
    if decided is None:
        return None
    documents, _ = decided
    report = BuildReport(errors=loaded.errors, skipped=loaded.skipped)
    todo = _new_or_changed(live, documents, report)
    if todo:
        _change_in_place(client, settings, old, todo, report, progress, engine, live=live, keep=True)
    return report


def build_index(
    settings: IndexSettings,
    embedder: Embeddings,
    client: ClientAPI | None = None,
    rebuild: bool = False,
    progress: bool = True,
    engine: Engine | None = None,
    changed: Sequence[Path | str] | None = None,
) -> BuildReport:
    """Bring the index in line with the seeds directory and report what changed.

    Unchanged articles cost nothing. The first build (or a rebuild) writes a new generation and puts it in
    service at once; later builds add, replace and remove articles in place (see the module's docstring).
    ``engine`` splits and embeds the new or changed articles (default: ``LocalEngine(embedder)``, in this
    process); whichever does, this process plans, writes, commits and publishes, so the records are the same.

    ``changed`` names the only files that changed (an upload): then only they are read and planned, and the
    report speaks of them alone; the rest of the folder is not looked at, so a file changed behind the
    build's back waits for the next build without ``changed``. When only a full build can decide (see
    ``_add_named``), this is one.
    """
    engine = engine if engine is not None else LocalEngine(embedder)
    if changed is not None and not rebuild:
        client = client if client is not None else _client_for_build(settings, rebuild)
        named = _add_named(client, settings, embedder, [Path(p) for p in changed], progress, engine)
        if named is not None:
            return named
        log.info("the files named need the whole seeds folder: a full build")
    documents, report = _load(settings)
    client = client if client is not None else _client_for_build(settings, rebuild)
    old = _committed_docs(client, settings, embedder, rebuild)
    if old is not None and (touched := recover(old)):
        bump_revision(client, settings, old, touched)
    todo = _plan(old, documents, report)
    if old is not None:
        if todo or report.removed:
            _change_in_place(client, settings, old, todo, report, progress, engine)
        report.indexed = old.count()
        return report
    params = index_params(settings, embedder)
    new = _new_generation(client, settings, embedder, None, params)
    for batch in _prepared(engine, todo, settings.chunk_size, report, progress):
        write_records(new, batch)
    publish(client, settings, params, new.generation)
    report.indexed = new.count()
    return report
