from assistant import answertype
from assistant.followup import is_followup, retrieval_query
from assistant.refusal import known
from assistant.retrieval import rrf
from assistant.text import proper_nouns, tokens


def test_rrf_rewards_items_ranked_well_by_several_rankings():
    fused = rrf({"a": ["x", "y", "z"], "b": ["y", "x"], "c": ["y"]})
    assert max(fused, key=fused.get) == "y"
    assert fused["z"] < fused["x"]
    assert fused["x"] == 1 / 61 + 1 / 62


def test_tokens_drop_stopwords_and_stem():
    assert tokens("What did the officials say about strikes?") == ["official", "strike"]


def test_proper_nouns_skip_the_first_word_and_question_words():
    assert [raw for _, raw in proper_nouns("What did the Pentagon say about Belgorod in 2024?")] == [
        "Pentagon",
        "Belgorod",
        "2024",
    ]
    assert proper_nouns("Ignore the article") == []


def test_known_accepts_inflections_but_not_strangers():
    vocabulary = {"ukraine", "russia", "putin"}
    assert known("ukrainian", vocabulary)
    assert known("russians", vocabulary)
    assert not known("pentagon", vocabulary)


def test_followups_borrow_the_previous_user_turn():
    history = [
        {"role": "user", "content": "What did Putin say about constant escalation?"},
        {"role": "assistant", "content": "..."},
    ]
    assert is_followup("Where did he say that?")
    assert retrieval_query("Where did he say that?", history).startswith("What did Putin say")
    assert (
        retrieval_query("Which agency contributed to the report?", history)
        == "Which agency contributed to the report?"
    )
    assert retrieval_query("Where did he say that?", None) == "Where did he say that?"


def test_answer_types():
    assert answertype.expected("How many missiles were fired?") == "number"
    assert answertype.expected("When did Putin warn?") == "time"
    assert answertype.expected("Where was Putin?") == "place"
    assert answertype.has("time", "Earlier this week, Putin said")
    assert not answertype.has("number", "Putin said nothing")
    assert answertype.has("place", "during a visit to Uzbekistan")
