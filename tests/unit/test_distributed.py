"""The ``ray`` engine without Ray: its CLI options, its one-line error when the extra is missing, and its
worker code (``Prepare``) run in this process, which must give the records the single-process build writes.

An in-memory Chroma and a scripted embedder, as in test_store.py; no Ray is started here (the real Ray job
is tests/integration/test_ray_ingest.py).
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from assistant.cli import build_parser, main
from assistant.settings import Settings
from index import distributed
from index.build import LocalEngine, _batches, build_index, doc_id, records
from index.distributed import INSTALL, Prepare, RayEngine, articles_per_task, from_item, to_item
from index.errors import EngineUnavailable
from index.store import KINDS, open_index
from tests.unit.fakes import ScriptedEmbeddings

ROOT = Path(__file__).resolve().parents[2]
A = "date 2024-05-01 Alpha News\n\nThe mayor of Springfield opened a new bridge on Monday. Crowds cheered.\n"
B = "Beta Report\n\nA storm hit the coast of Norland.\n\nFerries were cancelled for two days.\n"
C = "Gamma Daily\n\nOne sentence only here.\n"


class InProcessWorkers:
    """The ray engine's data path without Ray: articles as dataset rows, ``Prepare`` called on batches of
    them as a worker actor would be, its pickled records unpickled here."""

    def __init__(self, workers: int = 2) -> None:
        self.workers = workers

    def prepare(self, todo, chunk_size):
        actor = Prepare(model="scripted", batch_size=64, chunk_size=chunk_size)
        step = articles_per_task(len(todo), self.workers)
        for i in range(0, len(todo), step):
            rows = [to_item(doc) for doc in todo[i : i + step]]
            batch = {key: [row[key] for row in rows] for key in ("id", "text", "metadata")}
            yield [pickle.loads(blob) for blob in actor(batch)["records"]]


@pytest.fixture
def client():
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))


def _project(root: Path) -> Settings:
    (root / "seeds").mkdir(parents=True)
    for name, text in (("a.txt", A), ("b.txt", B), ("c.txt", C)):
        (root / "seeds" / name).write_text(text, encoding="utf-8")
    return Settings(
        root=root, seeds_dir=root / "seeds", index_dir=root / ".index", collection=f"t{uuid.uuid4().hex[:10]}"
    )


def _everything(settings, embedder, client) -> dict[str, dict[str, tuple]]:
    store = open_index(settings, embedder, client=client)
    out = {}
    for kind in KINDS:
        got = store.read(kind, ("documents", "metadatas", "embeddings"))
        out[kind] = {
            i: (d, m, [round(x, 6) for x in e])
            for i, d, m, e in zip(
                got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
            )
        }
    return out


def test_the_engine_is_local_unless_ray_is_asked_for(monkeypatch):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    parser = build_parser()
    assert parser.parse_args(["index", "--engine", "ray"]).ray_address is None  # a local Ray
    assert parser.parse_args(["index"]).engine == "local"
    args = parser.parse_args(
        ["index", "--engine", "ray", "--ray-address", "ray://head:10001", "--workers", "4"]
    )
    assert (args.engine, args.ray_address, args.workers) == ("ray", "ray://head:10001", 4)
    with pytest.raises(SystemExit):
        parser.parse_args(["index", "--engine", "spark"])


def test_without_ray_the_ray_engine_is_one_line_naming_the_extra(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # ``import ray`` now fails, as without the extra
    with pytest.raises(EngineUnavailable, match=r"needs Ray Data \(ray is not installed\) — run: pip"):
        RayEngine("scripted")
    (tmp_path / "seeds").mkdir()
    seeds, index_dir = str(tmp_path / "seeds"), str(tmp_path / "i")
    code = main(["index", "--engine", "ray", "--seeds", seeds, "--index-dir", index_dir])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and err[0].endswith(f"run: {INSTALL}"), err
    assert not (tmp_path / "i").exists()  # nothing was built


def test_zero_workers_is_a_clear_error():
    with pytest.raises(EngineUnavailable, match="--workers must be at least 1, not 0"):
        RayEngine("scripted", workers=0)


def test_importing_the_engine_imports_no_ray():
    code = "import sys, index.build, index.distributed; print('ray' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_each_worker_call_gets_a_few_articles_and_never_more_than_the_cap():
    assert articles_per_task(31, 2) == 4
    assert articles_per_task(1, 2) == 1
    assert articles_per_task(10_000, 2) == distributed.MAX_ARTICLES_PER_TASK


def test_an_article_survives_the_trip_to_a_worker(tmp_path):
    from index.loader import load_article

    (tmp_path / "a.txt").write_text(A, encoding="utf-8")
    doc = load_article(tmp_path / "a.txt", tmp_path)
    back = from_item(to_item(doc))
    assert (back.id, back.page_content, back.metadata) == (doc.id, doc.page_content, doc.metadata)


def test_records_embed_each_distinct_text_once_and_keep_the_write_order(tmp_path):
    from index.loader import load_article

    (tmp_path / "c.txt").write_text(C, encoding="utf-8")  # a one-sentence paragraph: sentence == passage
    doc = load_article(tmp_path / "c.txt", tmp_path)
    embedder = ScriptedEmbeddings()
    [batch] = list(_batches([doc], 600))
    [article] = records(batch, embedder)
    assert list(article.rows) == list(KINDS)  # sentences, passages, then the commit
    # The headline and the one sentence are each a sentence and a passage; the headline is also the title.
    assert article.rows["sentences"]["documents"] == ["Gamma Daily", "One sentence only here."]
    assert article.rows["passages"]["documents"] == article.rows["sentences"]["documents"]
    assert embedder.calls == [["Gamma Daily", "One sentence only here."]]  # 5 records, 2 texts, 1 call
    assert article.rows["docs"]["ids"] == [doc_id(doc.metadata["source"])]
    assert pickle.loads(pickle.dumps(article)) == article


def test_the_worker_path_writes_the_records_the_local_build_writes(tmp_path, client, monkeypatch):
    monkeypatch.setattr("index.embeddings.SentenceTransformerEmbeddings", ScriptedEmbeddings)
    local, workers = _project(tmp_path / "local"), _project(tmp_path / "workers")
    embedder = ScriptedEmbeddings()
    built = build_index(local, embedder, client=client, progress=False, engine=LocalEngine(embedder))
    spread = build_index(workers, embedder, client=client, progress=False, engine=InProcessWorkers(workers=3))
    assert (spread.sentences, spread.passages, sorted(spread.added)) == (
        built.sentences,
        built.passages,
        sorted(built.added),
    )
    assert spread.indexed == built.indexed and built.indexed["docs"] == 3
    assert _everything(workers, embedder, client) == _everything(local, embedder, client)


def test_the_worker_path_changes_an_index_in_place_as_the_local_build_does(tmp_path, client, monkeypatch):
    monkeypatch.setattr("index.embeddings.SentenceTransformerEmbeddings", ScriptedEmbeddings)
    local, workers = _project(tmp_path / "local"), _project(tmp_path / "workers")
    embedder = ScriptedEmbeddings()
    for settings, engine in ((local, LocalEngine(embedder)), (workers, InProcessWorkers())):
        build_index(settings, embedder, client=client, progress=False, engine=engine)
        (settings.seeds_dir / "b.txt").write_text(B.replace("two days", "three days"), encoding="utf-8")
        (settings.seeds_dir / "c.txt").unlink()
        report = build_index(settings, embedder, client=client, progress=False, engine=engine)
        assert (report.added, report.removed) == (["seeds/b.txt"], ["seeds/c.txt"])
    assert _everything(workers, embedder, client) == _everything(local, embedder, client)
