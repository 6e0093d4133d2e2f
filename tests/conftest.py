"""Shared fixtures: the real packaged MiniLM loaded once per session, and indexes built in temp dirs."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_5b9ea04de76b7050.txt"
DEV_SET = ROOT / "eval" / "dev.jsonl"


def load_dev() -> list[dict]:
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


@pytest.fixture(scope="session")
def seed_settings(seed_project):
    from assistant.settings import Settings

    return Settings(root=seed_project, seeds_dir=seed_project / "seeds", index_dir=seed_project / ".index")


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
    from assistant.settings import Settings

    (tmp_path / "seeds").mkdir()
    return Settings(root=tmp_path, seeds_dir=tmp_path / "seeds", index_dir=tmp_path / ".index")
