import pytest

from assistant.dates import only_period, question_period, without_period


@pytest.mark.parametrize(
    "question, period",
    [
        ("What happened in late May 2024?", ("2024-05-21", "2024-05-31")),
        ("What happened in early February 2024?", ("2024-02-01", "2024-02-10")),
        ("Any news from mid-March 2024?", ("2024-03-11", "2024-03-20")),
        ("What was reported in March 2024?", ("2024-03-01", "2024-03-31")),
        ("What did Putin say on May 30, 2024?", ("2024-05-30", "2024-05-30")),
        ("What happened on 2024-03-12?", ("2024-03-12", "2024-03-12")),
        ("What happened in 2023?", ("2023-01-01", "2023-12-31")),
        ("What happened in late February 2023?", ("2023-02-21", "2023-02-28")),
        ("Who was first to report the decision?", None),
        ("How many days were the ferries closed?", None),
    ],
)
def test_question_period(question, period):
    assert question_period(question) == period


def test_only_period_tells_topic_questions_apart():
    assert only_period("What happened in late May 2024?")
    assert only_period("What was in the news in March 2024?")
    assert not only_period("What did Putin say in May 2024?")
    assert without_period("What did Putin say in May 2024?") == "What did Putin say?"
