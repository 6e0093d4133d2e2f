"""Shared fixtures: the real packaged MiniLM loaded once per session, and indexes built in temp dirs."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from evaluation.ui_server import free_port, stop_process  # noqa: F401 - the tests' server helpers

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

# Set by .ci/run to run the integration suite against a real Chroma server instead of the embedded store.
CHROMA_URL = os.environ.get("ASSISTANT_TEST_CHROMA_URL") or None
embedded_only = pytest.mark.skipif(CHROMA_URL is not None, reason="checks the embedded store's files on disk")
# For a test that reads no store: the second pass would repeat it as it was.
store_free = pytest.mark.skipif(CHROMA_URL is not None, reason="reads no store; runs in the first pass")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_5b9ea04de76b7050.txt"
# The shared development questions, read where they are (never copied into the project).
DEV_SET = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def assert_exact(answer, root: Path) -> None:
    """Every citation's quote is the source file's text (as ``read_text`` gives it) at its offsets."""
    for c in answer.citations:
        assert (root / c.source).read_text(encoding="utf-8")[c.start : c.end] == c.quote, c


def load_dev() -> list[dict]:
    """The dev set's rows; skips the calling test (or, at import, its module) when ../shared is absent."""
    if not DEV_SET.exists():
        pytest.skip(f"../shared is absent: no {DEV_SET}", allow_module_level=True)
    return [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def embedder():
    from index.embeddings import SentenceTransformerEmbeddings

    return SentenceTransformerEmbeddings()


@pytest.fixture(scope="session")
def seed_project(tmp_path_factory) -> Path:
    """A project root holding a copy of the seeds, so tests never write into the working tree."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "seeds", root / "seeds")
    return root


def project_settings(root: Path):
    """Settings for a project at ``root`` (its ``seeds/`` and ``.index/``), on the Chroma server when the
    suite runs against one, in a collection of its own so tests never share an index."""
    from assistant.settings import Settings

    return Settings(
        root=root,
        seeds_dir=root / "seeds",
        index_dir=root / ".index",
        chroma_url=CHROMA_URL,
        collection=f"t{uuid.uuid4().hex[:10]}",
    )


@pytest.fixture(scope="session")
def seed_settings(seed_project):
    return project_settings(seed_project)


@pytest.fixture(scope="session")
def seed_assistant(seed_settings, embedder):
    """An Assistant over the seed article, built in a temp dir with the real model and a persistent Chroma."""
    from assistant import Assistant
    from index.build import build_index

    build_index(seed_settings, embedder, progress=False)
    return Assistant(seed_settings, embedder=embedder).warm()


@pytest.fixture
def project(tmp_path):
    """An empty project root with a seeds dir, for tests that write their own articles."""
    (tmp_path / "seeds").mkdir()
    return project_settings(tmp_path)


def wait_for_http(url: str, proc: subprocess.Popen | None = None, timeout: float = 60.0) -> None:
    """Poll ``url`` until it answers; fail early if ``proc`` died."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def chroma_server(path: Path, port: int | None = None):
    """A real ``chroma run`` server on a free loopback port; yields its URL and always stops it."""
    port = port or free_port()
    binary = Path(sys.executable).with_name("chroma")
    log = open(path.parent / f"chroma-{port}.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [str(binary), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(proc)
        log.close()
