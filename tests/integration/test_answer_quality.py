"""Answers people ask for in their own words: the right quote first, names by another name, three outcomes.

Questions here are phrased apart from every question set the scorer was fitted on.
"""

import shutil
from pathlib import Path

import pytest

from assistant import Assistant
from index.build import build_index
from tests.conftest import ROOT, SEED, assert_exact, project_settings

pytestmark = pytest.mark.slow
BERLIN = ROOT / "eval" / "news-extra" / "seeds" / "001_berlin_kharkiv_weapons.txt"


@pytest.mark.xfail(
    strict=True,
    reason="known miss (issue 10): the Politico sentence outscores the lede on cosine and BM25; the lede is "
    "quoted second. Query-likelihood re-ranking fixes it but costs ~1 s per answer (BENCHMARKS.md).",
)
def test_what_biden_authorized_cites_the_lede_first(seed_assistant):
    a = seed_assistant.answer("What did Biden authorize?")
    assert not a.refused
    assert a.citations[0].paragraph == 1 and "go-ahead" in a.citations[0].quote
    assert_exact(a, seed_assistant.settings.root)


def test_what_city_ukraine_may_defend_leads_with_kharkiv(seed_assistant):
    # "Ukraine must be able to defend itself ... Russian territory" scores best and names no city; the lede,
    # close behind, names Kharkiv (ORG to the small spaCy model, a city to GeoNames) and is quoted first.
    a = seed_assistant.answer("What city can Ukraine defend?")
    assert a.short is not None and a.short.quote == "Kharkiv" and a.text.startswith("Kharkiv")
    assert a.citations[0].paragraph == 1 and a.short.n == 1
    assert_exact(a, seed_assistant.settings.root)


def test_short_answers_lead_and_are_exact_spans_of_their_quote(seed_assistant):
    root = seed_assistant.settings.root
    for question, short in (
        ("Who was first to report the decision?", "Politico"),
        ("Where was Putin when he warned of constant escalation?", "Uzbekistan"),
    ):
        a = seed_assistant.answer(question)
        assert a.short is not None and a.short.quote == short, (question, a.text)
        assert a.text.startswith(short)
        cited = a.citations[a.short.n - 1]
        assert cited.start <= a.short.start < a.short.end <= cited.end
        assert (root / a.short.source).read_text(encoding="utf-8")[a.short.start : a.short.end] == short
    assert seed_assistant.answer("What did Biden decide?").short is None  # an act, not a thing to name


def test_article_level_questions_on_the_seed(seed_assistant):
    about = seed_assistant.answer("What is this article about?")
    assert about.kind == "about" and about.citations[0].quote.startswith("President Joe Biden has given")
    date = seed_assistant.answer("When was this published?")
    assert date.kind == "date" and date.short.quote == "2024-05-30" and "May 30, 2024" in date.text
    credit = seed_assistant.answer("Who reported this?")
    assert credit.kind == "credit" and any(
        "Politico" in c.quote or "AFP" in c.quote for c in credit.citations
    )
    summary = seed_assistant.answer("Summarize the article.")
    assert summary.kind == "summary" and 3 <= len(summary.citations) <= 5
    assert [c.start for c in summary.citations] == sorted(c.start for c in summary.citations)
    for a in (about, date, credit, summary):
        assert_exact(a, seed_assistant.settings.root)


def test_washington_is_the_us(seed_assistant):
    a = seed_assistant.answer(
        "Has Washington changed its stance on Ukraine firing long-range missiles into Russia?"
    )
    assert not a.refused and not a.hedged
    assert "has not changed" in a.citations[0].quote
    assert 0.0 <= a.confidence <= 1.0


def test_a_name_no_article_mentions_is_refused_with_the_name(seed_assistant):
    a = seed_assistant.answer("What did the Pentagon spokesperson say?")
    assert a.refused and not a.citations
    assert "Pentagon" in a.text
    assert a.confidence < seed_assistant.retriever.scorer.refuse_below


@pytest.fixture(scope="module")
def two_articles(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("two-articles")
    (root / "seeds").mkdir()
    shutil.copy(SEED, root / "seeds" / SEED.name)
    shutil.copy(BERLIN, root / "seeds" / BERLIN.name)
    settings = project_settings(root)
    build_index(settings, embedder, progress=False)
    return Assistant(settings, embedder=embedder).warm()


def known_miss(case: tuple, why: str):
    """A case the ranker still gets wrong: a strict xfail, so fixing it makes the test say so."""
    return pytest.param(*case, marks=pytest.mark.xfail(strict=True, reason=f"known miss (issue 10): {why}"))


@pytest.mark.parametrize(
    ("question", "source", "expected"),
    [
        ("What is Washington's policy on offensive strikes inside Russia?", SEED.name, "has not changed"),
        known_miss(
            ("What did the Kremlin warn of?", SEED.name, "serious consequences"),
            "Peskov's sentences rank first",
        ),
        known_miss(
            ("What did Berlin allow Ukraine to do?", BERLIN.name, "may use weapons supplied by Germany"),
            "'Berlin ... allowed' elsewhere",
        ),
        ("What did the Moscow leader say about Western instructors?", SEED.name, "mercenaries"),
    ],
)
def test_names_by_another_name_across_two_articles(two_articles, question, source, expected):
    a = two_articles.answer(question)
    assert not a.refused, a.text
    top = a.citations[:2]
    assert any(Path(c.source).name == source and expected in c.quote for c in top), [c.quote for c in top]
    assert_exact(a, two_articles.settings.root)


def test_the_three_outcomes_are_stated_plainly(seed_assistant):
    scorer = seed_assistant.retriever.scorer
    assert 0 < scorer.refuse_below <= scorer.hedge_below < 1
    answered = seed_assistant.answer("Who was first to report the decision?")
    assert not answered.refused and not answered.hedged and answered.confidence >= scorer.hedge_below
    refused = seed_assistant.answer("What is the capital of France?")
    assert refused.refused and refused.text.startswith("The article does not say.")
