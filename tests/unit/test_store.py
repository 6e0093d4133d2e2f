"""Writing an index through ``IndexStore``, against an in-memory Chroma and a scripted embedder."""

from __future__ import annotations

import uuid

import pytest

from assistant.settings import Settings
from index.build import build_index
from index.store import KINDS, open_index, stores_for
from tests.unit.fakes import ScriptedEmbeddings

A = "date 2024-05-01 Alpha News\n\nThe mayor of Springfield opened a new bridge on Monday. Crowds cheered.\n"
B = "Beta Report\n\nA storm hit the coast of Norland. Ferries were cancelled for two days.\n"


@pytest.fixture
def client():
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))


@pytest.fixture
def settings(tmp_path):
    (tmp_path / "seeds").mkdir()
    return Settings(
        root=tmp_path,
        seeds_dir=tmp_path / "seeds",
        index_dir=tmp_path / ".index",
        collection=f"t{uuid.uuid4().hex[:10]}",
    )


def test_add_writes_the_given_embeddings_without_embedding(client, settings):
    embedder = ScriptedEmbeddings()
    store = stores_for(client, settings, embedder, 1, {})
    store.add("sentences", ids=["s1"], embeddings=[[0.5, 0.25, 1.0]], documents=["Hi."], metadatas=[{"n": 1}])
    got = store.sentences.get(include=["embeddings", "documents", "metadatas"])
    assert got["ids"] == ["s1"] and got["documents"] == ["Hi."] and got["metadatas"] == [{"n": 1}]
    assert got["embeddings"][0].tolist() == [0.5, 0.25, 1.0]
    assert embedder.embedded == []
    assert store.count() == {"sentences": 1, "passages": 0, "docs": 0} and store.size("sentences") == 1


def test_a_change_embeds_only_changed_articles_and_leaves_the_rest_in_place(client, settings):
    embedder = ScriptedEmbeddings()
    (settings.seeds_dir / "a.txt").write_text(A, encoding="utf-8")
    (settings.seeds_dir / "b.txt").write_text(B, encoding="utf-8")
    build_index(settings, embedder, client=client, progress=False)
    first = open_index(settings, embedder, client=client)
    counts = first.count()
    of_a = {"source": "seeds/a.txt"}
    kept = {kind: getattr(first, kind).get(where=of_a, include=["embeddings"]) for kind in KINDS}

    embedder.calls.clear()
    (settings.seeds_dir / "b.txt").write_text(B.replace("storm", "flood"), encoding="utf-8")
    report = build_index(settings, embedder, client=client, progress=False)

    assert report.added == ["seeds/b.txt"] and report.unchanged == ["seeds/a.txt"]
    assert any("flood" in t for t in embedder.embedded)
    assert not any("Springfield" in t or "Alpha" in t for t in embedder.embedded)
    second = open_index(settings, embedder, client=client)
    assert second.generation == first.generation and second.revision == first.revision + 1
    assert second.count() == counts  # the old version of b is gone
    for kind in KINDS:
        now = getattr(second, kind).get(where=of_a, include=["embeddings"])
        assert now["ids"] and sorted(now["ids"]) == sorted(kept[kind]["ids"])
        before = dict(zip(kept[kind]["ids"], kept[kind]["embeddings"], strict=True))
        for i, vector in zip(now["ids"], now["embeddings"], strict=True):
            assert vector == pytest.approx(before[i], rel=1e-6)  # untouched, not re-embedded
