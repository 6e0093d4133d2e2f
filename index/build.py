"""Build or update the index: load -> split -> embed -> store, doing no work for unchanged articles.

Ids are content hashes, so the same article always yields the same ids. A document's record in the docs
collection is written after all its sentences and passages and removed before them, so an interrupted
build leaves at worst parts without a record, which the next build deletes and writes again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from langchain_core.documents import Document

from assistant.errors import ArticleError
from index.loader import load_articles
from index.splitter import SentencePassageSplitter
from index.store import IndexStore, open_index

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from assistant.settings import Settings

log = logging.getLogger(__name__)
BATCH_SENTENCES = 512
DOC_FIELDS = ("source", "hash", "title", "date", "url", "outlet", "author", "body_start")


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[ArticleError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    sentences: int = 0
    passages: int = 0

    def summary(self) -> str:
        return (
            f"indexed {len(self.added)} new or changed, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed ({self.passages} passages, {self.sentences} sentences); "
            f"{len(self.errors)} errors, {len(self.skipped)} skipped"
        )


def _id(kind: str, doc_hash: str, source: str, start: int, end: int) -> str:
    key = hashlib.sha256(f"{doc_hash}\0{source}".encode()).hexdigest()[:16]
    return f"{kind}:{key}:{start}-{end}"


def split_document(doc: Document, splitter: SentencePassageSplitter) -> tuple[list[Document], list[Document]]:
    """The passage and sentence Documents of one article, each with exact offsets and its id."""
    meta = doc.metadata
    base = {k: meta.get(k, "") for k in ("source", "title", "date", "outlet", "url")}
    base["doc_hash"] = meta["hash"]
    passages, sentences = [], []
    for chunk in splitter.split_documents([doc]):
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
            sentences.append(
                Document(
                    id=_id("s", meta["hash"], meta["source"], s, e),
                    page_content=doc.page_content[s:e],
                    metadata={**base, "start": s, "end": e, "paragraph": m["paragraph"], "passage_id": pid},
                )
            )
    return passages, sentences


def _delete_source(store: IndexStore, source: str) -> None:
    for part in (store.sentences, store.passages):
        part._collection.delete(where={"source": source})


def _write(store: IndexStore, batch: list[tuple[Document, list[Document], list[Document]]]) -> None:
    """Write a batch: all sentences and passages first, then the docs' records that mark them complete."""
    sentences = [s for _, _, ss in batch for s in ss]
    passages = [p for _, ps, _ in batch for p in ps]
    if sentences:
        store.sentences.add_documents(sentences, ids=[d.id for d in sentences])
    if passages:
        store.passages.add_documents(passages, ids=[d.id for d in passages])
    records = [
        Document(
            id=_id("d", doc.metadata["hash"], doc.metadata["source"], 0, 0),
            page_content=doc.metadata["title"],
            metadata={k: doc.metadata.get(k, "") for k in DOC_FIELDS} | {"passages": len(ps)},
        )
        for doc, ps, _ in batch
    ]
    store.docs.add_documents(records, ids=[d.id for d in records])


def _progress(total: int, enabled: bool):
    if enabled and total > 1:
        try:
            from tqdm import tqdm

            return tqdm(total=total, unit="article", desc="indexing", file=sys.stderr)
        except ImportError:
            pass
    return None


def build_index(
    settings: Settings,
    embedder: Embeddings,
    client=None,
    rebuild: bool = False,
    progress: bool = True,
) -> BuildReport:
    """Bring the index in line with the seeds directory and report what changed."""
    loaded = load_articles(settings.seeds_dir, settings.root)
    report = BuildReport(errors=loaded.errors, skipped=loaded.skipped)
    store = open_index(settings, embedder, client=client, create=True, rebuild=rebuild)
    existing = {m["source"]: m["hash"] for m in store.docs.get(include=["metadatas"])["metadatas"]}
    on_disk = {d.metadata["source"] for d in loaded.documents}
    failed = {str(e) for e in loaded.errors}

    for source in sorted(set(existing) - on_disk):
        _delete_source(store, source)
        store.docs._collection.delete(where={"source": source})
        report.removed.append(source)
        if any(source in f for f in failed):
            log.warning("removed %s from the index: the file can no longer be read", source)

    todo = []
    for doc in loaded.documents:
        source = doc.metadata["source"]
        if existing.get(source) == doc.metadata["hash"]:
            report.unchanged.append(source)
        else:
            todo.append(doc)

    splitter = SentencePassageSplitter(chunk_size=settings.chunk_size)
    bar = _progress(len(todo), progress)
    batch: list[tuple[Document, list[Document], list[Document]]] = []
    pending = 0
    for doc in todo:
        source = doc.metadata["source"]
        store.docs._collection.delete(where={"source": source})
        _delete_source(store, source)
        passages, sentences = split_document(doc, splitter)
        batch.append((doc, passages, sentences))
        pending += len(sentences)
        report.passages += len(passages)
        report.sentences += len(sentences)
        report.added.append(source)
        if pending >= BATCH_SENTENCES:
            _write(store, batch)
            if bar:
                bar.update(len(batch))
            batch, pending = [], 0
    if batch:
        _write(store, batch)
        if bar:
            bar.update(len(batch))
    if bar:
        bar.close()
    return report


def iter_sources(store: IndexStore) -> Iterable[str]:
    return sorted({m["source"] for m in store.docs.get(include=["metadatas"])["metadatas"]})
