"""Bad questions fail in ``clean_question``, before anything is loaded: one line each, and no model needed."""

from __future__ import annotations

import pytest

from assistant.core import Assistant, clean_question
from assistant.errors import BadQuestion
from assistant.settings import Settings

LIMIT = Settings().max_question_chars


@pytest.mark.parametrize(
    "question, message",
    [
        ("", "the question is empty"),
        ("   \n\t ", "the question is empty"),
        ("\x00\x01\x02", "the question is empty"),
        ("x" * 100_000, "the question is 100,000 characters; the limit is 2,000"),
        (None, "the question must be text, not NoneType"),
    ],
    ids=["empty", "whitespace", "only-control-chars", "100k-chars", "not-text"],
)
def test_bad_questions_are_one_line_errors(question, message):
    with pytest.raises(BadQuestion) as info:
        clean_question(question, LIMIT)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_control_characters_and_lone_surrogates_are_cleaned_away():
    noisy = "Who was first \x00to report the\x07 decision?\ud800"  # the lone surrogate becomes "?"
    assert clean_question(noisy, LIMIT) == "Who was first to report the decision??"
    assert clean_question("x" * LIMIT, LIMIT) == "x" * LIMIT  # the limit itself is allowed


class Untouchable:
    """A store or embedder that fails the test if the assistant reaches for it."""

    def __getattr__(self, name):
        raise AssertionError(f"touched .{name} before the question was checked")


@pytest.mark.parametrize("question", ["", "\x00\x01", "x" * 100_000])
def test_the_assistant_refuses_a_bad_question_before_touching_the_index_or_the_model(tmp_path, question):
    bot = Assistant(Settings(root=tmp_path), store=Untouchable(), embedder=Untouchable())
    with pytest.raises(BadQuestion):
        bot.answer(question)
