"""The index's change log (``index.store.bump_revision``): a serving process that follows an in-place change
reads the records of the articles it touched, not every article's, and falls back to reading them all when
the log does not reach back to its revision or a killed change was never counted."""

from __future__ import annotations

import shutil

import pytest

from assistant import Assistant
from index import store as store_module
from index.build import _journal, build_index, doc_id
from index.store import live_articles, make_client, open_index
from tests.conftest import SEED

pytestmark = pytest.mark.slow

HARBOUR = (
    "date 2024-06-03 Harbour wall repaired\n\n"
    "The harbour wall of Portsoy was repaired in May at a cost of 310 thousand pounds, the council said.\n"
)
FERRY = (
    "date 2024-06-04 Ferry fares rise\n\n"
    "Ferry fares to Arran rise by 8 percent from July, the operator said.\n"
)


def _doc_reads(store, monkeypatch) -> list[dict | None]:
    """Every read of article records the store is asked for: a paged read by its filter, a lookup by its
    ids (``{"ids": [...]}``)."""
    reads: list[dict | None] = []
    pages, get = store.pages, store.get

    def counted(kind, include=("metadatas",), where=None, **kw):
        if kind == "docs":
            reads.append(where)
        return pages(kind, include, where, **kw)

    def looked_up(kind, ids, include=("metadatas",)):
        if kind == "docs":
            reads.append({"ids": list(ids)})
        return get(kind, ids, include)

    monkeypatch.setattr(store, "pages", counted)
    monkeypatch.setattr(store, "get", looked_up)
    return reads


def test_following_a_change_reads_only_the_articles_it_touched(project, embedder, monkeypatch):
    shutil.copy(SEED, project.seeds_dir / SEED.name)
    bot = Assistant(project, embedder=embedder).warm()
    store = bot.store
    assert store.token  # a build names itself, so caches of another index are never taken for its own
    reads = _doc_reads(store, monkeypatch)
    (project.seeds_dir / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    build_index(project, embedder, progress=False)  # another process's build, as the CLI's would be
    bot._follow_rebuilds(force=True)
    assert reads == [{"ids": [doc_id("seeds/harbour.txt")]}]
    answer = bot.answer("How much did the harbour wall repair cost?")
    assert answer.citations[0].source == "seeds/harbour.txt"

    (project.seeds_dir / "harbour.txt").unlink()
    build_index(project, embedder, progress=False)
    bot._follow_rebuilds(force=True)
    assert reads[1:] == [{"ids": [doc_id("seeds/harbour.txt")]}]
    assert "seeds/harbour.txt" not in bot.retriever.sources

    monkeypatch.setattr(store_module, "CHANGES_KEPT", 1)  # the log keeps one revision: two are too many
    behind = dict(store_module._LIVE)  # what this process knew before the two changes below
    for name, text in (("harbour.txt", HARBOUR), ("ferry.txt", FERRY)):
        (project.seeds_dir / name).write_text(text, encoding="utf-8")
        build_index(project, embedder, progress=False)
    store_module._LIVE.update(behind)  # the builds ran here and brought it up to date: a server would not
    bot._follow_rebuilds(force=True)
    assert reads[2:] == [None]  # every article's record, read once
    assert {"seeds/harbour.txt", "seeds/ferry.txt"} <= set(bot.retriever.sources)


def test_a_killed_change_is_counted_by_the_next_build(project, embedder):
    shutil.copy(SEED, project.seeds_dir / SEED.name)
    build_index(project, embedder, progress=False)
    client = make_client(project)
    store = open_index(project, embedder, client=client)
    live = live_articles(store)  # cached for this revision
    # What a change killed between its commit and its revision leaves: a journal, and an article's record
    # written that no revision announced.
    _journal(store, [("seeds/harbour.txt", "0" * 64)])
    store.add(
        "docs",
        ids=[doc_id("seeds/harbour.txt")],
        embeddings=[[0.0] * 384],
        documents=["Harbour wall repaired"],
        metadatas=[{"source": "seeds/harbour.txt", "hash": "0" * 64}],
    )
    assert live_articles(store) == live  # nothing announced it: the cache stands
    build_index(project, embedder, progress=False)  # recovers, and announces what the journal named
    again = open_index(project, embedder, client=client)
    assert again.changes[0] == [store.revision + 1, ["seeds/harbour.txt"]]  # the recovery, counted
    assert again.revision == store.revision + 2  # then the article went: it is not on disk
    assert live_articles(again) == live  # followed from the cache through the log
