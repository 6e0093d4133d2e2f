"""The eval metrics are pure functions: gold location, sentence-level relevance, span containment, ranks,
refusal shares, thresholds."""

import math

import pytest

from evaluation.metrics import (
    Cited,
    contains,
    failed_thresholds,
    first_relevant_rank,
    keyword_match,
    locate_gold,
    normalize_answer,
    parse_thresholds,
    percentile,
    precision,
    relevant,
    row_spans,
    score_row,
    squad_scores,
    summarize,
    token_f1,
)

TEXT = "Biden allowed strikes. It was first reported by Politico. AFP contributed."
TEXTS = {"a.txt": TEXT}


def cite(sub: str, source: str = "a.txt", text: str = TEXT) -> Cited:
    start = text.index(sub)
    return Cited(source, start, start + len(sub), sub)


def test_locate_gold_finds_every_occurrence_and_skips_missing():
    texts = {"a.txt": "x Politico y Politico", "b.txt": "no"}
    assert locate_gold(["Politico", "absent", ""], texts) == [("a.txt", 2, 10), ("a.txt", 13, 21)]


def test_relevance_needs_overlap_same_source_and_short_quote():
    gold = locate_gold(["Politico"], TEXTS)
    assert relevant(cite("It was first reported by Politico."), gold)
    assert not relevant(cite("Biden allowed strikes."), gold)
    other = Cited("b.txt", 23, 57, "It was first reported by Politico.")
    assert not relevant(other, gold)
    long_quote = Cited("a.txt", 0, len(TEXT), TEXT)
    assert not relevant(long_quote, gold, max_quote=40)
    assert relevant(long_quote, gold, max_quote=400)


def test_touching_spans_do_not_overlap():
    gold = [("a.txt", 10, 20)]
    assert not relevant(Cited("a.txt", 0, 10, "x" * 10), gold)
    assert relevant(Cited("a.txt", 0, 11, "x" * 11), gold)


def test_rank_precision_and_keywords():
    gold = locate_gold(["Politico"], TEXTS)
    cites = [
        cite("Biden allowed strikes."),
        cite("It was first reported by Politico."),
        cite("AFP contributed."),
    ]
    assert first_relevant_rank(cites, gold) == 2
    assert first_relevant_rank([], gold) == 0
    assert precision(cites, gold) == pytest.approx(1 / 3)
    assert precision([], gold) is None
    assert keyword_match(["politico"], "The reply.", ["by Politico"]) is True
    assert keyword_match(["Reuters"], "The reply.", ["by Politico"]) is False
    assert keyword_match([], "x", []) is None


def test_score_row_answerable_and_exactness():
    row = {"id": "q", "gold": ["Politico"], "keywords": ["Politico"], "answerable": True}
    bad = Cited("a.txt", 0, 5, "Bidem")  # offsets do not give the quote
    s = score_row(
        row, "answer", False, [cite("Biden allowed strikes."), bad, cite("first reported by Politico")], TEXTS
    )
    assert (s["rank"], s["hit@1"], s["hit@3"], s["mrr"]) == (3, 0.0, 1.0, pytest.approx(1 / 3))
    assert s["exactness"] == pytest.approx(2 / 3)
    assert s["correct"] is True and s["refusal_correct"] is None


def test_score_row_unanswerable_and_followup_summary():
    refused = score_row({"id": "u", "answerable": False}, "no", True, [], TEXTS)
    answered = score_row(
        {"id": "f", "answerable": False, "history_questions": ["x"]},
        "yes",
        False,
        [cite("AFP contributed.")],
        TEXTS,
    )
    assert refused["correct"] is True and refused["hit@3"] is None
    summary = summarize([refused, answered], [10.0, 30.0])
    assert summary["refusal_accuracy"] == 0.5
    assert summary["followup_accuracy"] == 0.0
    assert summary["hit@3"] is None
    assert summary["exactness"] == 1.0
    assert summary["latency_p50_ms"] == 20.0


def test_percentile_interpolates():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5], 99) == 5
    assert percentile(list(range(101)), 99) == 99
    assert math.isnan(percentile([], 50))


def test_thresholds_parse_and_fail_with_the_metric_name():
    assert parse_thresholds(["hit@3=1.0", "exactness=1"]) == {"hit@3": 1.0, "exactness": 1.0}
    with pytest.raises(ValueError, match="hit@3"):
        parse_thresholds(["nonsense=1"])
    with pytest.raises(ValueError, match="number"):
        parse_thresholds(["hit@3=high"])
    summary = {"hit@3": 0.9, "exactness": 1.0, "followup_accuracy": None}
    failures = failed_thresholds(summary, {"hit@3": 1.0, "exactness": 1.0, "followup_accuracy": 1.0})
    assert len(failures) == 2
    assert failures[0].startswith("hit@3 = 0.900 is below")
    assert "followup_accuracy" in failures[1]


# "Politico" is TEXT[48:56]; the row says so with offsets, as the SQuAD-derived sets do.
SPAN_ROW = {
    "id": "s",
    "gold": ["Politico"],
    "answerable": True,
    "source": "a.txt",
    "spans": [[48, 56]],
}


def test_row_spans_are_the_rows_own_offsets():
    assert TEXT[48:56] == "Politico"
    assert row_spans(SPAN_ROW) == [("a.txt", 48, 56)]
    assert row_spans({"gold": ["Politico"]}) == []
    assert row_spans({"source": "a.txt", "spans": []}) == []


def test_containment_is_not_overlap():
    span = ("a.txt", 48, 56)
    sentence = cite("It was first reported by Politico.")
    assert contains(sentence, span)
    assert contains(Cited("a.txt", 48, 56, "Politico"), span)  # exactly the span
    cut = Cited("a.txt", 23, 52, TEXT[23:52])  # "It was first reported by Poli": overlaps, does not contain
    assert relevant(cut, [span]) and not relevant(cut, [span], contain=True)
    assert not contains(Cited("b.txt", 23, 57, "It was first reported by Politico."), span)


def test_score_row_with_spans_needs_a_citation_that_contains_one():
    overlapping = Cited("a.txt", 50, 74, TEXT[50:74])  # "litico. AFP contributed."
    s = score_row(SPAN_ROW, "x", False, [overlapping, cite("It was first reported by Politico.")], TEXTS)
    assert (s["rank"], s["hit@1"], s["hit@3"], s["gold_by"]) == (2, 0.0, 1.0, "spans")
    assert s["precision"] == 0.5
    # The same text in another source does not count: the row names its source.
    elsewhere = {"a.txt": TEXT, "b.txt": TEXT}
    b = Cited("b.txt", 23, 57, "It was first reported by Politico.")
    assert score_row(SPAN_ROW, "x", False, [b], elsewhere)["rank"] == 0
    # Without spans, the gold text is found in both sources and b counts.
    no_spans = {k: v for k, v in SPAN_ROW.items() if k != "spans"}
    assert score_row(no_spans, "x", False, [b], elsewhere)["rank"] == 1


def test_spans_still_need_a_short_quote():
    whole = Cited("a.txt", 0, len(TEXT), TEXT)
    assert score_row(SPAN_ROW, "x", False, [whole], TEXTS)["hit@3"] == 1.0  # TEXT is 74 chars
    long_text = TEXT + " " + "filler words. " * 40
    row = {**SPAN_ROW}
    long_quote = Cited("a.txt", 0, len(long_text), long_text)
    s = score_row(row, "x", False, [long_quote], {"a.txt": long_text})
    assert len(long_text) > 400
    assert (s["hit@3"], s["span_hit@3"]) == (0.0, 1.0)


def test_spans_outside_the_text_are_gold_not_found():
    row = {**SPAN_ROW, "spans": [[500, 510]]}
    s = score_row(row, "x", False, [cite("It was first reported by Politico.")], TEXTS)
    assert s["gold_found"] is False and s["hit@3"] == 0.0


def test_a_refused_answerable_question_is_a_miss_even_with_citations():
    s = score_row(SPAN_ROW, "no", True, [cite("It was first reported by Politico.")], TEXTS)
    assert (s["rank"], s["hit@1"], s["hit@3"], s["mrr"], s["correct"]) == (0, 0.0, 0.0, 0.0, False)


def test_refusal_shares_and_hedged():
    rows = [
        score_row(SPAN_ROW, "no", True, [], TEXTS, confidence=0.1, hedged=False),  # answerable, refused
        score_row(SPAN_ROW, "ok", False, [cite("It was first reported by Politico.")], TEXTS, 0.3, True),
        score_row(SPAN_ROW, "ok", False, [cite("It was first reported by Politico.")], TEXTS, 0.9, False),
        score_row(
            SPAN_ROW, "ok", False, [cite("It was first reported by Politico.")], TEXTS
        ),  # no confidence
        score_row({"id": "u", "answerable": False}, "no", True, [], TEXTS, 0.2, False),  # refused
        score_row({"id": "v", "answerable": False}, "yes", False, [cite("AFP contributed.")], TEXTS),
    ]
    summary = summarize(rows, [1.0] * len(rows))
    assert summary["answerable_refused"] == 0.25
    assert summary["unanswerable_refused"] == summary["refusal_accuracy"] == 0.5
    assert summary["hedged"] == 0.25  # one of the four answers that report a confidence
    assert summary["hit@1"] == 0.75  # over answerable questions; the refused one is a miss
    assert summarize(rows[3:4], [1.0])["hedged"] is None


def test_unanswerable_refused_can_be_a_threshold():
    assert parse_thresholds(["unanswerable_refused=0.5"]) == {"unanswerable_refused": 0.5}
    with pytest.raises(ValueError, match="bad --min .answerable_refused=0.1."):
        parse_thresholds(["answerable_refused=0.1"])


def test_squad_normalisation_drops_case_punctuation_articles_and_extra_space():
    assert normalize_answer("  The Rhine's   DELTA, near an estuary!") == "rhines delta near estuary"
    assert normalize_answer("Theodore") == "theodore"  # "the" only as a whole word


@pytest.mark.parametrize(
    ("prediction", "golds", "em", "f1"),
    [
        ("the Rhine", ["Rhine"], 1.0, 1.0),
        ("Rhine river", ["Rhine"], 0.0, 2 * 0.5 * 1.0 / 1.5),  # p = 1/2, r = 1/1
        ("in Basel", ["Basel, Switzerland", "Basel"], 0.0, 2 / 3),  # best gold: "Basel" (p 1/2, r 1)
        ("1,233 km", ["1,230 km"], 0.0, 0.5),  # "1233" != "1230": one of two tokens
        ("Lake Constance", ["Mainz"], 0.0, 0.0),
        ("", ["Rhine"], 0.0, 0.0),
        ("a an the", ["the"], 1.0, 1.0),  # both normalise to nothing: SQuAD counts that equal
    ],
)
def test_squad_exact_match_and_f1_worked_examples(prediction, golds, em, f1):
    got_em, got_f1 = squad_scores(prediction, golds)
    assert got_em == em
    assert got_f1 == pytest.approx(f1)


def test_token_f1_counts_repeated_tokens_once_per_occurrence():
    # prediction "rhine rhine delta" vs gold "rhine delta": 2 shared (min counts), p = 2/3, r = 1
    assert token_f1("Rhine Rhine delta", "the Rhine delta") == pytest.approx(0.8)
    assert squad_scores("anything", []) == (0.0, 0.0)


def test_reader_keys_can_be_thresholds():
    assert parse_thresholds(["answered_right=0.9", "squad_f1=0.6"]) == {
        "answered_right": 0.9,
        "squad_f1": 0.6,
    }
