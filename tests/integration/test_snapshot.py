"""The serving snapshot (``assistant.snapshot``): a new process starts from it, reads from the store only the
articles changed since it was written, and ranks as a load from the store does."""

from __future__ import annotations

import shutil
import threading

import pytest

from assistant.retrieval import HybridRetriever
from index.build import build_index
from index.store import open_index
from tests.conftest import SEED, load_dev

pytestmark = pytest.mark.slow

HARBOUR = (
    "date 2024-06-03 Harbour wall repaired\n\n"
    "The harbour wall of Portsoy was repaired in May at a cost of 310 thousand pounds, the council said.\n\n"
    "Fishing boats will use the inner basin again from July.\n"
)


def _saved() -> None:
    for thread in threading.enumerate():
        if thread.name == "snapshot":
            thread.join()


def _counting_reads(store, monkeypatch) -> list[tuple[str, dict | None]]:
    """Record every paged read of sentences and passages the store is asked for."""
    reads: list[tuple[str, dict | None]] = []
    pages = store.pages

    def counted(kind, include=("metadatas",), where=None, **kw):
        if kind in ("sentences", "passages"):
            reads.append((kind, where))
        return pages(kind, include, where, **kw)

    monkeypatch.setattr(store, "pages", counted)
    return reads


def _top(retriever: HybridRetriever, question: str) -> list[str]:
    return [h.id for h in retriever.search(question, k=5)]


def test_a_new_process_starts_from_the_snapshot_and_reads_only_what_changed(project, embedder, monkeypatch):
    monkeypatch.setattr(HybridRetriever, "SNAPSHOT_FROM", 1)  # the seed is small; keep a snapshot anyway
    folder = project.index_dir / "serving"
    shutil.copy(SEED, project.seeds_dir / SEED.name)
    build_index(project, embedder, progress=False)
    HybridRetriever(open_index(project, embedder), embedder, snapshots=folder).refresh()
    _saved()
    assert len(list(folder.glob("columns-*"))) == 1

    (project.seeds_dir / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    build_index(project, embedder, progress=False)  # in place: the snapshot now lacks this article
    store = open_index(project, embedder)
    reads = _counting_reads(store, monkeypatch)
    followed = HybridRetriever(store, embedder, snapshots=folder)
    followed.refresh()
    assert reads and all(where == {"source": {"$in": ["seeds/harbour.txt"]}} for _, where in reads), reads
    assert followed.search("How much did the harbour wall repair cost?", k=1)[0].source == "seeds/harbour.txt"
    _saved()  # the follow added more than a twentieth of the rows: a compacted snapshot replaces the old one

    full = HybridRetriever(open_index(project, embedder), embedder)
    full.refresh()
    store = open_index(project, embedder)
    reads = _counting_reads(store, monkeypatch)
    restarted = HybridRetriever(store, embedder, snapshots=folder)
    restarted.refresh()
    assert reads == []  # nothing changed since the compacted snapshot: no sentence read from the store
    assert restarted.size == full.size == len(full.sentences())
    questions = [row["question"] for row in load_dev()] + ["How much did the harbour wall repair cost?"]
    assert [_top(restarted, q) for q in questions] == [_top(full, q) for q in questions]


def test_an_unreadable_snapshot_is_ignored_and_replaced(project, embedder, monkeypatch):
    monkeypatch.setattr(HybridRetriever, "SNAPSHOT_FROM", 1)
    folder = project.index_dir / "serving"
    shutil.copy(SEED, project.seeds_dir / SEED.name)
    build_index(project, embedder, progress=False)
    store = open_index(project, embedder)
    retriever = HybridRetriever(store, embedder, snapshots=folder)
    folder.mkdir(parents=True)
    retriever._snapshot_path().mkdir()
    (retriever._snapshot_path() / "meta.json").write_text("not json", encoding="utf-8")
    retriever.refresh()
    assert any("Politico" in h.text for h in retriever.search("Who was first to report the decision?", k=3))
    _saved()
    again = HybridRetriever(open_index(project, embedder), embedder, snapshots=folder)
    again.refresh()
    assert again.size == retriever.size
