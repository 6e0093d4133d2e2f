from assistant import answertype
from assistant.features import Corpus, SentenceInfo
from assistant.followup import is_followup, retrieval_query
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
    corpus = Corpus.of(SentenceInfo.of(t) for t in ["Ukraine may strike Russia.", "Putin warned the West."])
    assert corpus.knows("ukrainian")
    assert corpus.knows("russian")
    assert not corpus.knows("pentagon")


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


def test_make_filter_drops_blanks_and_checks_dates():
    import pytest

    from assistant.errors import BadQuestion
    from assistant.retrieval import chroma_filter, make_filter

    assert make_filter() is None and make_filter(" ", "", "") is None
    where = make_filter("2024-05-01", "", " Island Post ")
    assert where == {"date_from": "2024-05-01", "outlet": "Island Post"}
    assert chroma_filter(where) == {"$and": [{"date_ord": {"$gte": 20240501}}, {"outlet": "Island Post"}]}
    for bad, match in [
        (("2024-5-1",), "date from '2024-5-1' is not a date — write it as YYYY-MM-DD"),
        (("", "2024-02-30"), "date to '2024-02-30' is not a date"),
        (("yesterday",), "is not a date"),
        (("2024-06-01", "2024-05-01"), "date from 2024-06-01 is after date to 2024-05-01"),
    ]:
        with pytest.raises(BadQuestion, match=match) as e:
            make_filter(*bad)
        assert "\n" not in str(e.value)
    with pytest.raises(BadQuestion, match="is not a date"):  # the API's where= is checked the same way
        chroma_filter({"date_to": "31/05/2024"})
