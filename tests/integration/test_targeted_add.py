"""A targeted add (``build_index(..., changed=[file])``, ``Assistant.reindex(changed=...)``, an upload): only
the named files are read, deduplicated, planned and written, the records are those a full build writes, and
what only a full build can decide (a near-copy, a removal) is left to one, with the same outcome."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from assistant import Assistant
from assistant.uploads import UploadError, add, check_file
from index import loader
from index.build import build_index
from index.store import open_index
from tests.conftest import SEED, project_settings
from tests.integration.test_crash_and_server import write_articles

pytestmark = pytest.mark.slow

HARBOUR = (
    "date 2024-06-03 Harbour wall repaired\n\n"
    "The harbour wall of Portsoy was repaired in May at a cost of 310 thousand pounds, the council said.\n\n"
    "Work on the pier will start in September, according to the harbour master, Ruth Forbes.\n"
)
FERRY = (
    "date 2024-06-04 Ferry fares rise\n\n"
    "Ferry fares to Arran rise by 8 percent from July, the operator said.\n"
)


def _records(settings, embedder) -> dict[str, dict]:
    """Every record the index in service holds, by kind and id: text, metadata and vector."""
    store = open_index(settings, embedder)
    out = {}
    for kind in ("sentences", "passages", "docs"):
        got = store.read(kind, ("documents", "metadatas", "embeddings"))
        out[kind] = {i: (d, m, np.asarray(v)) for i, d, m, v in zip(*(got[k] for k in got), strict=True)}
    return out


def _same(a: dict[str, dict], b: dict[str, dict]) -> None:
    for kind in a:
        assert sorted(a[kind]) == sorted(b[kind]), kind
        for i, (text, meta, vector) in a[kind].items():
            assert (text, meta) == b[kind][i][:2], i
            np.testing.assert_allclose(vector, b[kind][i][2], atol=1e-6)


def test_targeted_add_writes_what_a_full_build_writes(tmp_path, embedder):
    projects = []
    for name in ("targeted", "full"):
        settings = project_settings(tmp_path / name)
        write_articles(settings.seeds_dir, 6)
        build_index(settings, embedder, progress=False)
        (settings.seeds_dir / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
        projects.append(settings)
    targeted, full = projects
    report = build_index(targeted, embedder, progress=False, changed=[targeted.seeds_dir / "harbour.txt"])
    assert report.added == ["seeds/harbour.txt"] and not report.unchanged and not report.removed
    assert [a.source for a in report.written] == report.added  # for the serving process, as written
    assert (
        report.summary()
        == "indexed 1 new or changed article (3 passages, 3 sentences); 0 unchanged of those named"
    )
    assert build_index(full, embedder, progress=False).added == ["seeds/harbour.txt"]
    _same(_records(targeted, embedder), _records(full, embedder))

    again = build_index(targeted, embedder, progress=False, changed=[targeted.seeds_dir / "harbour.txt"])
    assert not again.added and again.unchanged == ["seeds/harbour.txt"]


def test_targeted_add_reads_only_the_named_file(project, embedder, monkeypatch):
    write_articles(project.seeds_dir, 6)
    build_index(project, embedder, progress=False)  # this process now holds every article's MinHash
    (project.seeds_dir / "behind_our_back.txt").write_text(FERRY, encoding="utf-8")
    changed = project.seeds_dir / "article_001.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nA late paragraph, added by hand.\n")
    (project.seeds_dir / "harbour.txt").write_text(HARBOUR, encoding="utf-8")

    read = []
    real_read = loader._read_article
    monkeypatch.setattr(
        loader, "_read_article", lambda path, root: read.append(path.name) or real_read(path, root)
    )
    monkeypatch.setattr(loader, "_entries", lambda folder: pytest.fail(f"listed {folder}"))
    report = build_index(project, embedder, progress=False, changed=[project.seeds_dir / "harbour.txt"])
    assert report.added == ["seeds/harbour.txt"]
    assert read == ["harbour.txt"]  # not the file added behind our back, nor the one changed
    monkeypatch.undo()

    store = open_index(project, embedder)
    assert store.size("docs") == 7
    full = build_index(project, embedder, progress=False)  # the way to catch what changed behind our back
    assert sorted(full.added) == ["seeds/article_001.txt", "seeds/behind_our_back.txt"]
    assert store.size("docs") == 8


def test_a_fresh_process_reads_the_folder_for_duplicates_but_indexes_only_the_named(
    project, embedder, monkeypatch
):
    from index import dedupe

    write_articles(project.seeds_dir, 4)
    build_index(project, embedder, progress=False)
    monkeypatch.setattr(dedupe, "_LAST", [])  # as in a fresh process (the CLI's ``index FILE``)
    (project.seeds_dir / "behind_our_back.txt").write_text(FERRY, encoding="utf-8")
    (project.seeds_dir / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    report = build_index(project, embedder, progress=False, changed=[project.seeds_dir / "harbour.txt"])
    assert report.added == ["seeds/harbour.txt"]  # read for the duplicate check, not indexed
    assert open_index(project, embedder).size("docs") == 5


def test_a_near_copy_upload_is_refused_as_before(project, embedder):
    shutil.copy(SEED, project.seeds_dir / SEED.name)
    bot = Assistant(project, embedder=embedder).warm()
    text = SEED.read_text(encoding="utf-8")
    assert bot.reindex(changed=[project.seeds_dir / SEED.name]).unchanged == [f"seeds/{SEED.name}"]
    near = text.replace(" the ", " a ", 1).encode()  # one word changed: a near-identical copy
    with pytest.raises(UploadError) as refused:
        add(bot, check_file("wire-copy.txt", near))
    assert str(refused.value) == (
        f"wire-copy.txt was not indexed (a copy of seeds/{SEED.name}) — fix it and add it again"
    )
    assert not (project.seeds_dir / "uploads" / "wire-copy.txt").exists()
    with pytest.raises(UploadError, match=f"already indexed as seeds/{SEED.name}"):
        add(bot, check_file("exact.txt", text.encode()))
    assert add(bot, check_file("harbour.txt", HARBOUR.encode())) == "seeds/uploads/harbour.txt"
    assert bot.answer("How much did the harbour wall repair cost?").citations[0].source == (
        "seeds/uploads/harbour.txt"
    )
    assert [m["source"] for m in bot.articles()] == [f"seeds/{SEED.name}", "seeds/uploads/harbour.txt"]


def test_an_unreadable_or_removed_named_file_is_reported_as_a_full_build_does(project, embedder):
    write_articles(project.seeds_dir, 3)
    build_index(project, embedder, progress=False)
    bad = project.seeds_dir / "latin1.txt"
    bad.write_bytes("date 2024-06-05 Caf\xe9 closes\n\nThe caf\xe9 closed.\n".encode("latin-1"))
    targeted = build_index(project, embedder, progress=False, changed=[bad])
    assert [str(e) for e in targeted.errors] == [
        str(e) for e in build_index(project, embedder, progress=False).errors
    ]
    assert "is not UTF-8" in str(targeted.errors[0]) and not targeted.added

    gone = project.seeds_dir / "article_002.txt"
    gone.unlink()  # named, and indexed: only a full build may remove it (a copy it hid may come back)
    report = build_index(project, embedder, progress=False, changed=[gone])
    assert report.removed == ["seeds/article_002.txt"]
    assert open_index(project, embedder).size("docs") == 2


def test_the_serving_process_takes_the_records_it_wrote_as_a_fresh_one_reads_them(
    project, embedder, monkeypatch
):
    write_articles(project.seeds_dir, 4)
    bot = Assistant(project, embedder=embedder).warm()
    store = bot.store
    reads = []
    pages = store.pages
    monkeypatch.setattr(store, "pages", lambda kind, *a, **kw: reads.append(kind) or pages(kind, *a, **kw))
    path = project.seeds_dir / "harbour.txt"
    path.write_text(HARBOUR, encoding="utf-8")
    assert bot.reindex(changed=[path]).added == ["seeds/harbour.txt"]
    assert reads == []  # neither its sentences nor its passages read back (a filter scans every record)
    answer = bot.answer("How much did the harbour wall repair cost?")
    assert (
        answer.citations[0].source == "seeds/harbour.txt"
        and "310 thousand pounds" in answer.citations[0].quote
    )

    ours, our_vectors = bot.retriever.article("seeds/harbour.txt")
    theirs, their_vectors = Assistant(project, embedder=embedder).retriever.article("seeds/harbour.txt")
    assert ours == theirs and len(ours) == 3
    np.testing.assert_allclose(our_vectors, their_vectors, atol=1e-6)
    state = bot.retriever._state
    passage = ours[1].passage_id
    np.testing.assert_allclose(
        state.passage_vectors[[state.passage_row[passage]]],
        np.asarray(store.get("passages", [passage], ("embeddings",))["embeddings"]),
        atol=1e-6,
    )


def test_a_follow_that_fails_part_way_is_done_again_by_the_next(project, embedder, monkeypatch):
    write_articles(project.seeds_dir, 3)
    bot = Assistant(project, embedder=embedder).warm()
    (project.seeds_dir / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    build_index(project, embedder, progress=False)  # another process's build: the follow reads it back
    pages = bot.store.pages

    def failing(kind, *a, **kw):
        if kind == "sentences":
            raise RuntimeError("the store went away")
        return pages(kind, *a, **kw)

    monkeypatch.setattr(bot.store, "pages", failing)
    with pytest.raises(RuntimeError):
        bot._follow_rebuilds(force=True)
    monkeypatch.setattr(bot.store, "pages", pages)
    bot._follow_rebuilds(force=True)
    assert "seeds/harbour.txt" in bot.retriever.sources
    assert bot.answer("How much did the harbour wall repair cost?").citations[0].source == "seeds/harbour.txt"
