"""The Answerer contract: what the assistant may rely on from any answerer, and nothing more."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from assistant.answerers import Answerer
from assistant.compose import ExtractiveAnswerer
from assistant.core import Assistant
from assistant.followup import retrieval_query
from assistant.generate import LLMAnswerer
from assistant.models import Answer
from assistant.settings import Settings

HISTORY = [
    {"role": "user", "content": "What did Putin say about escalation?"},
    {"role": "assistant", "content": "He warned of it [1]."},
]


class RecordingAnswerer:
    """An answerer by shape alone (no subclassing): records the rewrite it was asked for."""

    name = "openai"

    def __init__(self) -> None:
        self.rewritten: list[str] = []

    def stream(
        self, question: str, hits: Sequence, n_sources: int, history: Sequence[dict] | None = None
    ) -> Iterator[str | Answer]:
        yield Answer(text="", refused=True, question=question, mode=self.name)

    def rewrite(self, question: str, history: Sequence[dict] | None) -> str:
        self.rewritten.append(question)
        return "REWRITTEN QUERY"


class Searched(Exception):
    """Raised by a stand-in for retrieval, carrying the query it was given."""


def test_both_answerers_implement_the_contract():
    assert Answerer in ExtractiveAnswerer.__mro__ and Answerer in LLMAnswerer.__mro__
    assert ExtractiveAnswerer.rewrite is Answerer.rewrite  # the default rule
    assert LLMAnswerer.rewrite is not Answerer.rewrite  # a model rewrites


def test_the_default_rewrite_is_the_follow_up_rule():
    question = "Where did he say that?"
    assert ExtractiveAnswerer().rewrite(question, HISTORY) == retrieval_query(question, HISTORY)
    assert ExtractiveAnswerer().rewrite(question, HISTORY) != question


def test_the_assistant_retrieves_with_the_answerers_rewrite(tmp_path, monkeypatch):
    answerer = RecordingAnswerer()
    bot = Assistant(Settings(root=tmp_path), answerer=answerer)

    def search(query, where=None):
        raise Searched(query)

    monkeypatch.setattr(bot, "_search", search)
    with pytest.raises(Searched) as found:
        bot.answer("Where did he say that?", HISTORY, mode="openai")
    assert found.value.args == ("REWRITTEN QUERY",) and answerer.rewritten == ["Where did he say that?"]


def test_an_answerer_serves_the_mode_it_is_named_for(tmp_path):
    answerer = RecordingAnswerer()
    bot = Assistant(Settings(root=tmp_path), answerer=answerer)
    assert bot.answerer_for("openai") is answerer and bot.answerer_for("extractive") is answerer
