"""Index lifecycle with the real model and a persistent Chroma in a temp dir."""

import shutil
import uuid
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.errors import IndexMismatch, SeedsNotFound
from assistant.settings import Settings
from index.build import build_index
from index.store import open_index
from tests.conftest import CHROMA_URL, SEED

pytestmark = pytest.mark.slow

A = "date 2024-05-01 Alpha News\n\nThe mayor of Springfield opened a new bridge on Monday. Crowds cheered.\n"
B = "Beta Report\n\nA storm hit the coast of Norland. Ferries were cancelled for two days.\n"


def _ids(store):
    return {kind: set(getattr(store, kind).get()["ids"]) for kind in ("sentences", "passages", "docs")}


def test_build_then_query_cites_exact_offsets(project, embedder):
    (project.seeds_dir / "a.txt").write_text(A, encoding="utf-8")
    (project.seeds_dir / "b.md").write_text(B, encoding="utf-8")
    report = build_index(project, embedder, progress=False)
    assert sorted(report.added) == ["seeds/a.txt", "seeds/b.md"] and not report.errors
    answer = Assistant(project, embedder=embedder).answer("What did the mayor of Springfield open?")
    assert not answer.refused
    c = answer.citations[0]
    assert c.source == "seeds/a.txt" and "bridge" in c.quote
    assert (project.root / c.source).read_text(encoding="utf-8")[c.start : c.end] == c.quote
    assert c.date == "2024-05-01" and c.title == "Alpha News"


def test_reindex_unchanged_does_no_writes(project, embedder):
    (project.seeds_dir / "a.txt").write_text(A, encoding="utf-8")
    build_index(project, embedder, progress=False)
    before = _ids(open_index(project, embedder))
    report = build_index(project, embedder, progress=False)
    assert report.added == [] and report.unchanged == ["seeds/a.txt"] and report.sentences == 0
    assert _ids(open_index(project, embedder)) == before


def test_changed_file_replaces_its_passages(project, embedder):
    path = project.seeds_dir / "a.txt"
    path.write_text(A, encoding="utf-8")
    build_index(project, embedder, progress=False)
    old = _ids(open_index(project, embedder))
    path.write_text(A.replace("bridge", "library"), encoding="utf-8")
    report = build_index(project, embedder, progress=False)
    assert report.added == ["seeds/a.txt"]
    store = open_index(project, embedder)
    new = _ids(store)
    assert not (old["sentences"] & new["sentences"]), "old sentences must be gone"
    texts = store.sentences.get()["documents"]
    assert any("library" in t for t in texts) and not any("bridge" in t for t in texts)
    assert len(new["docs"]) == 1


def test_deleted_file_is_removed(project, embedder):
    (project.seeds_dir / "a.txt").write_text(A, encoding="utf-8")
    (project.seeds_dir / "b.txt").write_text(B, encoding="utf-8")
    build_index(project, embedder, progress=False)
    (project.seeds_dir / "b.txt").unlink()
    report = build_index(project, embedder, progress=False)
    assert report.removed == ["seeds/b.txt"]
    store = open_index(project, embedder)
    sources = {m["source"] for m in store.sentences.get(include=["metadatas"])["metadatas"]}
    assert sources == {"seeds/a.txt"}


def test_bad_files_are_reported_and_others_still_indexed(project, embedder):
    (project.seeds_dir / "good.txt").write_text(A, encoding="utf-8")
    (project.seeds_dir / "latin1.txt").write_bytes("Caf\xe9 au lait.".encode("latin-1"))
    (project.seeds_dir / "empty.txt").write_text("  \n", encoding="utf-8")
    (project.seeds_dir / "blob.txt").write_bytes(b"\x00\x01\x02binary")
    (project.seeds_dir / "notes.pdf").write_bytes(b"%PDF")
    report = build_index(project, embedder, progress=False)
    assert report.added == ["seeds/good.txt"]
    messages = " | ".join(str(e) for e in report.errors)
    assert "latin1.txt is not UTF-8" in messages
    assert "empty.txt has no article text" in messages
    assert "blob.txt is a binary file" in messages
    assert any(s.endswith("notes.pdf") for s in report.skipped)
    assert all("\n" not in str(e) for e in report.errors)


def test_missing_seeds_dir_is_a_clear_error(project, embedder):
    with pytest.raises(SeedsNotFound, match="does not exist"):
        build_index(project.with_(seeds_dir=project.root / "nope"), embedder, progress=False)


def test_index_built_with_other_parameters_is_refused(project, embedder):
    (project.seeds_dir / "a.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    build_index(project, embedder, progress=False)
    with pytest.raises(IndexMismatch, match="index --rebuild"):
        open_index(project.with_(chunk_size=123), embedder)
    report = build_index(project.with_(chunk_size=123), embedder, rebuild=True, progress=False)
    assert report.added == ["seeds/a.txt"]


def test_an_index_in_an_older_format_is_rebuilt_by_the_next_build(project, embedder):
    from index.store import get_collection, pointer_name

    (project.seeds_dir / "a.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    build_index(project, embedder, progress=False)
    client = open_index(project, embedder).client
    pointer = get_collection(client, pointer_name(project))
    pointer.modify(metadata={**pointer.metadata, "splitter": "sentence-passages-0"})  # an older release's
    with pytest.raises(IndexMismatch, match="index --rebuild"):
        open_index(project, embedder, client=client)  # serving it is refused, as before
    report = build_index(project, embedder, client=client, progress=False)
    assert report.added == ["seeds/a.txt"]  # built again, not refused
    assert open_index(project, embedder, client=client).count()["sentences"] > 0


def test_answer_builds_a_missing_index_on_first_use(project, embedder):
    (project.seeds_dir / "a.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    assert not project.index_dir.exists()
    answer = Assistant(project, embedder=embedder).answer("Who was first to report the decision?")
    assert "Politico" in answer.text
    assert open_index(project, embedder).count()["docs"] == 1


def test_html_with_absolute_dirs_writes_nothing_into_the_seeds_folder(tmp_path, embedder):
    """Absolute ASSISTANT_SEEDS_DIR and ASSISTANT_INDEX_DIR: the extracted text goes under the index."""
    seeds, index_dir = tmp_path / "articles", tmp_path / "idx"
    seeds.mkdir()
    shutil.copy(Path(__file__).parent.parent / "fixtures" / "newsroom" / "harbour.html", seeds / "page.html")
    env = {"ASSISTANT_SEEDS_DIR": str(seeds), "ASSISTANT_INDEX_DIR": str(index_dir)}
    settings = Settings.from_env(env, chroma_url=CHROMA_URL, collection=f"t{uuid.uuid4().hex[:10]}")
    assert settings.seeds_dir.is_absolute() and settings.index_dir.is_absolute()

    first = build_index(settings, embedder, progress=False)
    assert sorted(p.name for p in seeds.rglob("*")) == ["page.html"]
    [source] = first.added
    assert Path(source).resolve().is_relative_to((index_dir / "extracted").resolve())
    assert "eleven weeks" in Path(source).read_text(encoding="utf-8")

    again = build_index(settings, embedder, progress=False)
    assert again.duplicates == [] and again.errors == [] and again.added == []
    assert again.unchanged == [source]
    assert sorted(p.name for p in seeds.rglob("*")) == ["page.html"]
