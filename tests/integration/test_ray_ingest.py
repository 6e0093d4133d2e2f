"""``article-assistant index --engine ray``: a local Ray of 2 workers writing to a ``chroma run`` server on
loopback gives the records the single-process build gives, on the first build and on a change in place.

The seed and 30 BBC stories (read from ``../shared/eval/bbc``, copied only into a temp dir) are indexed twice:
by the CLI with the ray engine into the server, and by ``build_index`` in this process into an embedded
store. Every record of every kind must match: ids, texts and metadata (offsets, entities, speakers)
exactly, embeddings within 1e-5 (the workers batch texts differently). Then the server's index answers.

Runs once: the suite's second pass against a Chroma server (ASSISTANT_TEST_CHROMA_URL) skips it, as this
test starts its own server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from importlib.util import find_spec

import numpy as np
import pytest

from assistant import Assistant
from assistant.settings import Settings
from index.build import build_index
from index.store import JOURNAL, KINDS, make_client, open_index, read_pointer
from tests.conftest import CHROMA_URL, ROOT, SEED, assert_exact, chroma_server, load_dev

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMA_URL is not None, reason="starts its own Chroma server; runs in the first pass"),
]

BBC = ROOT.parent / "shared" / "eval" / "bbc" / "articles"
STORIES = 30


@pytest.fixture(scope="module", autouse=True)
def _needs_ray_and_the_stories():
    if find_spec("ray") is None:
        if os.environ.get("CI"):
            pytest.fail(
                "Ray is not installed — run: pip install -e '.[dev]' (the dev extra holds distributed)"
            )
        pytest.skip("Ray is not installed — run: pip install 'article-assistant[distributed]'")
    if not BBC.is_dir():
        pytest.skip("../shared/eval is absent: the BBC stories the Ray ingest test reads")


def _stories(n: int) -> list:
    """``n`` BBC stories spread over the five topics, the same ones every run."""
    every = sorted(BBC.glob("*/*.txt"))
    return every[:: max(1, len(every) // (n * 2))][:n]


def _records(settings: Settings, embedder) -> dict[str, dict[str, tuple]]:
    """Every record of every kind in the index in service: ``{kind: {id: (text, metadata, vector)}}``."""
    store = open_index(settings, embedder)
    out = {}
    for kind in KINDS:
        got = store.read(kind, ("documents", "metadatas", "embeddings"))
        rows = zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True)
        out[kind] = {i: (d, m, np.asarray(e)) for i, d, m, e in rows}
    assert store.read(JOURNAL, ())["ids"] == []  # no change left under way
    return out


def _assert_same(ray_built: dict, local: dict) -> None:
    for kind in KINDS:
        assert sorted(ray_built[kind]) == sorted(local[kind]), kind  # the same ids, so the same offsets
        for i, (text, meta, vector) in local[kind].items():
            got_text, got_meta, got_vector = ray_built[kind][i]
            assert (got_text, got_meta) == (text, meta), i
            assert np.abs(got_vector - vector).max() < 1e-5, i


def _index_with_ray(root, url: str, collection: str) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ASSISTANT_COLLECTION": collection,
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant.cli",
            "index",
            "--engine",
            "ray",
            "--workers",
            "2",
            "--chroma-url",
            url,
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_ray_ingest_into_a_chroma_server_gives_the_records_of_the_single_process_build(
    tmp_path, embedder
):
    root = tmp_path / "project"
    seeds = root / "seeds"
    seeds.mkdir(parents=True)
    shutil.copy(SEED, seeds / SEED.name)
    for path in _stories(STORIES):
        shutil.copy(path, seeds / f"bbc_{path.parent.name}_{path.stem}.txt")
    collection = f"t{uuid.uuid4().hex[:10]}"
    local = Settings(root=root, seeds_dir=seeds, index_dir=tmp_path / "local-index", collection=collection)

    with chroma_server(tmp_path / "chroma") as url:
        served = local.with_(chroma_url=url)
        summary = _index_with_ray(root, url, collection)
        assert summary.startswith(f"indexed {STORIES + 1} new or changed articles"), summary
        build_index(local, embedder, progress=False)
        _assert_same(_records(served, embedder), _records(local, embedder))

        row = load_dev()[0]
        answer = Assistant(served, embedder=embedder).answer(row["question"])
        assert answer.citations and answer.citations[0].source == f"seeds/{SEED.name}", answer
        assert any(gold in answer.text for gold in row["gold"]), answer.text
        assert_exact(answer, root)

        # A change in place: two stories added, one changed, one removed; each engine applies it to its index.
        for path in sorted(BBC.glob("*/*.txt"))[-2:]:
            shutil.copy(path, seeds / f"bbc_new_{path.parent.name}_{path.stem}.txt")
        changed, removed = sorted(seeds.glob("bbc_*.txt"))[:2]
        changed.write_text(changed.read_text(encoding="utf-8") + "\nA closing line was added.\n", "utf-8")
        removed.unlink()
        summary = _index_with_ray(root, url, collection)
        assert summary.startswith("indexed 3 new or changed articles") and "1 removed" in summary, summary
        assert build_index(local, embedder, progress=False).removed == [f"seeds/{removed.name}"]
        _assert_same(_records(served, embedder), _records(local, embedder))
        assert read_pointer(make_client(served), served)["revision"] >= 1
