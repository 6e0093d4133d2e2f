"""Features of the fitted scorer: near-stems, aliases, answer kinds, overlaps; pure functions, no model."""

import pytest

from assistant.features import (
    ANSWERABILITY_FEATURES,
    CANDIDATE_FEATURES,
    SCORES,
    Corpus,
    QuestionInfo,
    SentenceInfo,
    answerability_features,
    candidate_features,
    name_forms,
    wants,
)
from assistant.text import stem

ARTICLE = [
    "Germany's decision was announced by a government spokesman in Berlin on Friday.",
    "The U.S. policy on long-range missiles has not changed, officials said.",
    "The river is 1,230 km long and flows into the North Sea.",
    "It was first reported by Politico.",
]


@pytest.fixture
def corpus():
    return Corpus.of(SentenceInfo.of(t) for t in ARTICLE)


def _features(q: QuestionInfo, text: str) -> dict[str, float]:
    scores = dict.fromkeys(SCORES, 0.5) | {"best_bm25": 2.0, "lexical_rank": 2, "dense_rank": 0}
    row = candidate_features(q, SentenceInfo.of(text), (None, None), scores)
    assert len(row) == len(CANDIDATE_FEATURES)
    return dict(zip(CANDIDATE_FEATURES, row, strict=True))


def test_near_stems_meet_across_word_forms(corpus):
    assert "decision" in corpus.near("decide")
    assert "germany" in corpus.near("german")
    assert corpus.near("sea") == set()  # too short to guess from a prefix


def test_a_word_that_only_starts_with_an_indexed_one_is_unknown(corpus):
    # "longrange" shares "long"'s four letters, as "easyjet" does "easy"'s: no article says it
    assert corpus.near("longrange") == {"long"}
    assert not corpus.covers("longrange")
    assert corpus.covers("decide") and corpus.covers("river")  # a near-stem about as long, the word itself
    assert QuestionInfo.of("How much did Longrange make?", corpus).unknown_names == 1
    asked = QuestionInfo.of("how much did longrange make?", corpus)
    assert asked.unknown_words > 0.0


def test_aliases_work_both_ways_and_are_not_chained():
    assert "us" in name_forms("Washington")
    assert "washington" in name_forms("U.S.")
    assert "putin" in name_forms("the Kremlin")
    assert "putin" not in name_forms("Moscow")  # Moscow ~ Kremlin ~ Putin is not followed


def test_a_name_known_only_by_its_alias_is_not_unknown(corpus):
    q = QuestionInfo.of("Has Washington changed its stance on long-range missiles?", corpus)
    assert q.unknown_names == 0
    f = _features(q, ARTICLE[1])
    assert f["names"] == 1.0 and f["names_missing"] == 0.0


def test_a_name_no_article_mentions_is_counted(corpus):
    q = QuestionInfo.of("What did the Pentagon spokesperson say?", corpus)
    assert q.unknown_names == 1 and q.unknown_name_words == {"pentagon"}


def test_soft_overlap_counts_decide_for_decision(corpus):
    q = QuestionInfo.of("What did Germany decide?", corpus)
    f = _features(q, ARTICLE[0])
    assert f["overlap_soft"] > f["overlap"] > 0


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How long is the Rhine?", "number"),
        ("In what year was it built?", "time"),
        ("When did Putin speak?", "time"),
        ("Who first reported it?", "name"),
        ("Which river is larger?", "name"),
        ("Why did he warn them?", None),
    ],
)
def test_answer_kind(question, kind):
    assert wants(question) == kind


def test_kind_match_needs_something_new(corpus):
    q = QuestionInfo.of("How long is the river?", corpus)
    assert _features(q, ARTICLE[2])["wants_number_has"] == 1.0
    q = QuestionInfo.of("Which river is 1,230 km long?", corpus)
    assert _features(q, ARTICLE[2])["wants_number_has"] == 0.0  # asks for a name, gives a number


def test_answerability_features_of_an_empty_ranking(corpus):
    q = QuestionInfo.of("What did Zelensky say?", corpus)
    row = answerability_features(q, [], [])
    assert len(row) == len(ANSWERABILITY_FEATURES)
    assert dict(zip(ANSWERABILITY_FEATURES, row, strict=True))["unknown_names"] == 1.0


def _answerability(q: QuestionInfo, article: list[str], speakers: list[str]) -> dict[str, float]:
    """The answerability features of a ranking whose best sentence is ``article[0]``, with its article."""
    rows = [list(_features(q, t).values()) for t in article]
    stems = frozenset().union(*(SentenceInfo.of(t).token_set for t in article))
    row = answerability_features(q, [1.0] * len(rows), rows, stems, speakers)
    return dict(zip(ANSWERABILITY_FEATURES, row, strict=True))


def test_what_a_how_many_question_counts_must_be_in_the_article(corpus):
    q = QuestionInfo.of("how many ferries cross the river each day?", corpus)
    assert q.focus == stem("ferries")
    assert _answerability(q, ARTICLE, [""] * 4)["focus_missing"] == 1.0
    with_ferries = [*ARTICLE, "Three ferries cross it at dawn."]
    assert _answerability(q, with_ferries, [""] * 5)["focus_missing"] == 0.0
    # a what/which question's noun counts as its focus too
    q = QuestionInfo.of("Which decisions did Germany announce?", corpus)
    assert q.focus == stem("decisions") and _answerability(q, ARTICLE, [""] * 4)["focus_missing"] == 0.0


def test_a_speaker_asked_about_must_have_said_one_of_the_best_sentences(corpus):
    q = QuestionInfo.of("what did the government spokesman say about the river?", corpus)
    assert q.speaker == ("government", "spokesman")
    assert _answerability(q, ARTICLE, ["", "officials", "", ""])["speaker_missing"] == 1.0
    assert _answerability(q, ARTICLE, ["a government spokesman", "", "", ""])["speaker_missing"] == 0.0
    plain = QuestionInfo.of("How long is the river?", corpus)
    assert plain.speaker == () and _answerability(plain, ARTICLE, ["", "", "", ""])["speaker_missing"] == 0.0


@pytest.mark.parametrize(
    ("a", "b", "one"),
    [
        ("emmrich", "emmerich", True),
        ("wessel", "wesel", True),
        ("almannic", "alemannic", True),
        ("rhien", "rhine", True),
        ("kharkiv", "kharkov", True),
        ("kharkiv", "kharkiv", False),
        ("berlin", "bern", False),
        ("putin", "pushkin", False),
    ],
)
def test_one_edit(a, b, one):
    from assistant.features import _one_edit

    assert _one_edit(a, b) is one and _one_edit(b, a) is one


def test_a_misspelt_name_is_known(corpus):
    assert QuestionInfo.of("What did Politco report?", corpus).unknown_names == 0
    assert QuestionInfo.of("What did Reuters report?", corpus).unknown_names == 1


def test_a_long_sentence_is_quoted_by_the_clauses_that_meet_the_question():
    from assistant.compose import QUOTE_LIMIT, clause_window

    filler = ", ".join(f"clause number {i} about nothing in particular" for i in range(12))
    text = f"{filler}; the Gaulish name Renos was adapted as Rhenus, {filler}."
    assert len(text) > QUOTE_LIMIT
    a, b = clause_window(text, "What Gaulish name was adapted?")
    assert b - a <= QUOTE_LIMIT
    assert "Gaulish name Renos" in text[a:b]
    assert text[a:b] == text[a:b].strip(" ,;:")


def _ranking(q: QuestionInfo, confidence: float, features: dict[str, float]):
    from assistant.retrieval import Hit, Ranking

    hit = Hit("s1", ARTICLE[2], "seeds/river.md", 0, len(ARTICLE[2]), 0, "River", "", "p1")
    values = tuple(features.get(name, 0.0) for name in ANSWERABILITY_FEATURES)
    return Ranking([hit], q, confidence, values)


def test_a_hedge_says_what_the_article_lacks_and_a_bare_hedge_gives_no_reason(corpus):
    from assistant.compose import hedge
    from assistant.refusal import judge

    question = "how many ferries cross the river?"
    q = QuestionInfo.of(question, corpus)
    hedged = judge(_ranking(q, 0.4, {"focus_missing": 1.0}), 0.3, 0.6, question)
    assert hedged.outcome == "hedge" and hedged.reason == "the article never mentions ferries"
    *_, answer = hedge(question, _ranking(q, 0.4, {}).hits, 3, 0.4, hedged.reason)
    assert answer.hedged and answer.text.startswith(
        "The article does not answer this directly (the article never mentions ferries); the closest"
    )
    assert answer.citations[0].quote == ARTICLE[2]
    assert judge(_ranking(q, 0.4, {}), 0.3, 0.6, question).reason == ""  # close, but nothing to name
    refused = judge(_ranking(q, 0.1, {}), 0.3, 0.6, question)
    assert refused.refused and refused.reason.startswith("no passage clearly answers it")
    said = "what did the government spokesman say about ferries?"
    q = QuestionInfo.of(said, corpus)
    reason = judge(_ranking(q, 0.4, {"speaker_missing": 1.0}), 0.3, 0.6, said).reason
    assert reason == "none of these passages is something government spokesman said"


def test_a_number_of_something_else_counts_against_answering(corpus):
    q = QuestionInfo.of("how many ferries cross the river each day?", corpus)
    rows = [list(_features(q, t).values()) for t in ARTICLE]
    stems = frozenset().union(*(SentenceInfo.of(t).token_set for t in ARTICLE))
    index = ANSWERABILITY_FEATURES.index("number_unattached")
    for attached, flagged in ((False, 1.0), (True, 0.0), (None, 0.0)):
        row = answerability_features(q, [1.0] * len(rows), rows, stems, [""] * len(rows), attached)
        assert row[index] == flagged


def test_a_hedge_for_a_number_of_something_else_names_what_is_counted(corpus):
    from assistant.refusal import judge

    question = "how many ferries cross the river?"
    q = QuestionInfo.of(question, corpus)
    reason = judge(_ranking(q, 0.4, {"number_unattached": 1.0}), 0.3, 0.6, question).reason
    assert reason == "no passage gives the number of ferries"
    asked = "how much did the bridge cost?"
    q = QuestionInfo.of(asked, corpus)
    assert judge(_ranking(q, 0.4, {"number_unattached": 1.0}), 0.3, 0.6, asked).reason == (
        "no passage gives that number"
    )


def test_a_question_without_a_word_is_refused_whatever_its_score(corpus):
    from assistant.refusal import judge

    question = "\U0001f600\U0001f680\U0001f525 ?!"
    decision = judge(_ranking(QuestionInfo.of(question, corpus), 0.9, {}), 0.3, 0.6, question)
    assert decision.refused and decision.reason == "the question has no words to look for"
    said = "ferries?"
    assert not judge(_ranking(QuestionInfo.of(said, corpus), 0.9, {}), 0.3, 0.6, said).refused
