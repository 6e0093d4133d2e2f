"""Asking about one article (``where={"source": ...}``) and receipts, on a real index of two articles."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.errors import BadQuestion
from index.build import build_index
from tests.conftest import SEED, assert_exact, project_settings

pytestmark = pytest.mark.slow
BRIDGE = Path(__file__).resolve().parent.parent / "fixtures" / "newsroom" / "bridge.txt"
SEED_SOURCE = f"seeds/{SEED.name}"
QUESTION = "What did officials say?"  # both articles quote officials


@pytest.fixture(scope="module")
def two(tmp_path_factory, embedder) -> Assistant:
    root = tmp_path_factory.mktemp("two-articles")
    (root / "seeds").mkdir()
    shutil.copy(SEED, root / "seeds" / SEED.name)
    shutil.copy(BRIDGE, root / "seeds" / "bridge.txt")
    settings = project_settings(root)
    build_index(settings, embedder, progress=False)
    return Assistant(settings, embedder=embedder).warm()


def _receipts_hold(assistant: Assistant, answer) -> None:
    assert_exact(answer, assistant.settings.root)
    for c in answer.citations:
        assert c.sha256 == hashlib.sha256((assistant.settings.root / c.source).read_bytes()).hexdigest()


def test_where_source_cites_only_that_article(two):
    anywhere = two.answer(QUESTION)
    assert anywhere.citations and not anywhere.refused
    for source, other in ((SEED_SOURCE, "bridge"), ("seeds/bridge.txt", "Ukraine")):
        only = two.answer(QUESTION, where={"source": source})
        assert not only.refused and only.citations
        assert {c.source for c in only.citations} == {source}
        assert other.lower() not in only.text.lower()
        _receipts_hold(two, only)
    by_name = two.answer(QUESTION, where={"source": SEED.name})  # the file name alone will do
    seed_only = two.answer(QUESTION, where={"source": SEED_SOURCE})
    assert [(c.start, c.end) for c in by_name.citations] == [(c.start, c.end) for c in seed_only.citations]
    _receipts_hold(two, anywhere)


def test_statements_and_period_answers_keep_to_the_article(two):
    putin = two.answer("What did Putin say?", where={"source": "seeds/bridge.txt"})
    assert putin.refused  # the bridge article does not quote him
    assert all(c.source == "seeds/bridge.txt" for c in putin.citations)
    may = two.answer("What happened in May 2024?")
    assert {c.source for c in may.citations} == {SEED_SOURCE, "seeds/bridge.txt"}
    bridge_may = two.answer("What happened in May 2024?", where={"source": "bridge.txt"})
    assert [c.source for c in bridge_may.citations] == ["seeds/bridge.txt"]
    _receipts_hold(two, bridge_may)


def test_unknown_source_is_one_line_naming_the_indexed_articles(two):
    with pytest.raises(BadQuestion) as e:
        two.answer(QUESTION, where={"source": "seeds/nope.txt"})
    assert str(e.value) == f"unknown source 'seeds/nope.txt' — use one of: {SEED_SOURCE}, seeds/bridge.txt"


def test_app_picker_lists_the_articles_and_preselects_one(two):
    from assistant.ui.app import create_app
    from assistant.ui.session import STORAGE_KEY

    config = create_app(two, source=SEED.name).get_config_file()
    by_label = {c.get("props", {}).get("label"): c["props"] for c in config["components"]}
    picker = by_label["Article"]
    assert [list(c) for c in picker["choices"]] == [
        ["All articles", ""],
        ["President Joe Biden has given Ukraine the go-ahead to use American weaponry…", SEED_SOURCE],
        ["Springfield opens its new bridge", "seeds/bridge.txt"],
    ]
    assert picker["value"] == SEED_SOURCE
    kinds = {c["type"]: c["props"] for c in config["components"]}
    assert kinds["browserstate"]["storage_key"] == STORAGE_KEY
    assert kinds["downloadbutton"]["elem_id"] == "aa-download"
    with pytest.raises(BadQuestion, match="unknown source 'nope.txt'"):
        create_app(two, source="nope.txt")
