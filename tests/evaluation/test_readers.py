"""Reader-judged scores (evaluation.readers): date rows, list rows, unanswerable rows, the short answer's
exactness and its SQuAD scores, and the per-kind grouping, on worked examples."""

import pytest

from assistant.models import Answer, Citation
from evaluation.metrics import score_row
from evaluation.readers import (
    asks_date,
    date_right,
    dates_in,
    gold_recall,
    group_by_kind,
    names_a_date,
    reader_scores,
    reader_summary,
    says_undated,
    short_exact,
)

TEXT = (
    "Kharkiv strikes allowed\n\nBiden let Ukraine strike near Kharkiv, two U.S. officials said. AFP helped."
)
SOURCE = "seeds/a.txt"
TEXTS = {SOURCE: TEXT}


def citation(sub: str, n: int = 1, after: int = 0) -> Citation:
    start = TEXT.index(sub, after)
    return Citation(n=n, source=SOURCE, start=start, end=start + len(sub), quote=sub)


def span(sub: str, after: int = 0) -> list[int]:
    start = TEXT.index(sub, after)
    return [start, start + len(sub)]


BODY = TEXT.index("Biden")  # after the headline, which also says "Kharkiv"


def row(**kw) -> dict:
    base = {"id": "r", "question": "q?", "history_questions": [], "gold": [], "answerable": True}
    return {**base, "source": SOURCE, **kw}


def scores(r: dict, answer: Answer, dates=None, judged=True) -> dict:
    hit3 = score_row(r, answer.text, answer.refused, answer.citations, TEXTS)["hit@3"]
    return reader_scores(r, answer, TEXTS, dates or {}, hit3, judged=judged)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("It ran on 2024-05-30.", {"2024-05-30"}),
        ("Published 30 May 2024.", {"2024-05-30"}),
        ("Published May 30, 2024.", {"2024-05-30"}),
        ("on the 30th of May 2024", {"2024-05-30"}),
        ("Sept. 3 2024 and 3 Sep 2024", {"2024-09-03"}),
        ("No date: 2024 was a year, 31 Foo 2024 is not a date, 2024-13-01 neither.", set()),
        ("32 May 2024", set()),
    ],
)
def test_dates_in_reads_the_common_forms(text, iso):
    assert dates_in(text) == iso


def test_undated_replies_and_named_dates():
    assert says_undated("The article carries no date.")
    assert says_undated("It is undated.") and says_undated("The story doesn't say when it was published.")
    assert not says_undated("The harbour toll is to rise by £2.")
    assert names_a_date("Published in May 2024.") and not names_a_date("The article is from a newspaper.")


@pytest.mark.parametrize(
    ("question", "kind", "asks"),
    [
        ("when was this published?", "article", True),
        ("date of the harbour article?", "article", True),
        ("when was this written", "article", True),
        ("what date?", None, True),
        ("When was the ferry story published?", None, True),
        ("what date is the ericsson article from?", "article", True),
        ("what's the date on this?", "article", True),
        ("how recent is this", "article", True),
        ("when did the council buy the ferry?", "factoid", False),
        ("what date does the offer close", "factoid", False),
        ("when was this published?", "factoid", False),  # the set's kind wins over the wording
        ("is this old news?", "article", True),  # an article row that speaks of time
        ("what outlet published this?", "article", False),  # who published it, not when
        ("when was the book published?", None, False),  # no kind: must point at the article itself
    ],
)
def test_asks_date_by_wording_within_article_rows(question, kind, asks):
    assert asks_date({"question": question, "kind": kind}) is asks


def test_asks_date_key_overrides_the_wording():
    assert asks_date({"question": "and then?", "asks": "date"})
    assert not asks_date({"question": "when was this published?", "asks": "headline"})


def test_date_right_on_dated_and_undated_articles():
    assert date_right("Published on May 30, 2024 [1].", False, False, ["2024-05-30"])
    assert not date_right("Published on 31 May 2024.", False, False, ["2024-05-30"])
    assert not date_right("2024-05-30", True, False, ["2024-05-30"])  # refused: named nothing as an answer
    # undated: refusing, hedging or saying so is right; naming a date is wrong even beside "no date"
    assert date_right("The article does not say.", True, False, [])
    assert date_right("Closest passages: ...", False, True, [])
    assert date_right("The article carries no date.", False, False, [])
    assert not date_right("It has no dateline but ran on 3 May 2005.", False, False, [])
    assert not date_right("Maternity pay is to rise.", False, False, [])


def test_a_date_row_is_scored_by_the_date_not_by_citations():
    r = row(question="when was this published?", kind="article", answerable=True)
    said = Answer(text="It is dated 12 March 2024.", refused=False, citations=[citation("AFP helped.")])
    got = scores(r, said, dates={SOURCE: "2024-03-12"})
    assert got["date_row"] and got["right"] and got["date_right"]
    undated = row(question="when was this published?", kind="article", answerable=False)
    assert not scores(undated, said, dates={SOURCE: ""})["right"]


def test_all_gold_rows_need_every_gold_cited():
    golds = ["Biden let Ukraine", "AFP helped."]
    r = row(gold=golds, spans=[span(g) for g in golds], all_gold=True, kind="list")
    one = Answer(text="x", refused=False, citations=[citation("Biden let Ukraine strike near Kharkiv")])
    both = Answer(text="x", refused=False, citations=[*one.citations, citation("AFP helped.", 2)])
    got_one, got_both = scores(r, one), scores(r, both)
    assert got_one["all_gold_recall"] == 0.5 and not got_one["right"]
    assert got_both["all_gold_recall"] == 1.0 and got_both["right"]
    refused = Answer(text="x", refused=True, citations=both.citations)
    assert scores(r, refused)["all_gold_recall"] == 0.0  # a refused reply cites nothing


def test_gold_recall_needs_containment_for_span_rows():
    gold = [(SOURCE, *span("Kharkiv, two"))]
    assert gold_recall([citation("Kharkiv")], gold, contain=True) == 0.0
    assert gold_recall([citation("Kharkiv, two U.S.")], gold, contain=True) == 1.0
    assert gold_recall([], [], contain=True) is None


def test_unanswerable_right_when_refused_or_hedged_but_baselines_never_hedge():
    r = row(answerable=False, kind="unanswerable")
    hedge = Answer(text="Closest:", refused=False, hedged=True, citations=[citation("AFP helped.")])
    assert scores(r, hedge)["right"] and scores(r, hedge)["refused_or_hedged"]
    assert not scores(r, hedge, judged=False)["right"]  # a baseline's hedged is the field's default
    assert scores(r, Answer(text="No.", refused=True))["right"]


def test_short_answer_exact_only_inside_its_citation():
    host = citation("Biden let Ukraine strike near Kharkiv, two U.S. officials said.")
    inside = citation("Kharkiv", after=BODY)
    elsewhere = citation("Kharkiv")  # the same word in the headline: exact, but outside citation [1]
    wrong_quote = Citation(n=1, source=SOURCE, start=inside.start, end=inside.end, quote="Kyiv, t")
    other_n = citation("Kharkiv", n=2, after=BODY)
    assert short_exact(inside, [host], TEXTS)
    assert not short_exact(elsewhere, [host], TEXTS)
    assert not short_exact(wrong_quote, [host], TEXTS)
    assert not short_exact(other_n, [host], TEXTS)


def test_squad_scores_use_the_short_answer_else_the_first_quote():
    r = row(gold=["Kharkiv"], spans=[span("Kharkiv", after=BODY)], kind="factoid")
    host = citation("Biden let Ukraine strike near Kharkiv, two U.S. officials said.")
    short = citation("Kharkiv", after=BODY)
    led = scores(r, Answer(text="Kharkiv. ...", refused=False, citations=[host], short=short, kind=""))
    assert (led["squad_em"], led["squad_f1"]) == (1.0, 1.0) and led["short_exact"]
    plain = scores(r, Answer(text="...", refused=False, citations=[host]))
    assert plain["squad_em"] == 0.0 and 0 < plain["squad_f1"] < 0.3 and plain["short_exact"] is None
    assert scores(r, Answer(text="No.", refused=True))["squad_f1"] == 0.0
    offsets_only = {**r, "gold": []}  # gold given as offsets only: the text at them is the gold
    assert (
        scores(offsets_only, Answer(text="K", refused=False, citations=[host], short=short))["squad_em"]
        == 1.0
    )


def test_summary_and_kinds():
    r_fact = row(gold=["AFP helped."], spans=[span("AFP helped.")], kind="factoid")
    r_none = row(answerable=False, kind="unanswerable")
    good = Answer(text="x", refused=False, citations=[citation("AFP helped.")], kind="credit")
    scored = []
    for r, a in ((r_fact, good), (r_none, good), (r_fact, Answer(text="No.", refused=True))):
        s = score_row(r, a.text, a.refused, a.citations, TEXTS)
        s.update(reader_scores(r, a, TEXTS, {}, s["hit@3"]))
        scored.append(s)
    summary = reader_summary(scored)
    assert summary["answered_right"] == pytest.approx(1 / 3)
    assert summary["unanswerable_refused_or_hedged"] == 0.0
    assert summary["squad_em"] == 0.5 and summary["short_exactness"] is None
    assert summary["routed"] == {"credit": 2, "": 1}
    assert list(group_by_kind(scored)) == ["factoid", "unanswerable"]
    assert [len(g) for g in group_by_kind(scored).values()] == [2, 1]
