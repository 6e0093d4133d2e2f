"""Article-level answers, the routing rule, summaries and lists, on an article written for these tests."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answering import article
from assistant.answering.route import Routed, Router, decide, strip_unknown
from assistant.answering.summary import SummaryParams, pick
from assistant.compose import select
from assistant.models import Answer
from assistant.retrieval import Hit
from assistant.text import tokens

TEXT = (
    "Harbour ferry fares to rise\n\n"
    "Ferry fares across the harbour will rise by 10% in March, the island council said on Monday.\n\n"
    "The council told the Island Post that fuel costs had doubled. "
    "Fares were last raised in 2019, according to council records.\n\n"
    "Reuters contributed to this report."
)


def sentences(text: str = TEXT, date: str = "", headline: bool = True) -> list[Hit]:
    """The article's sentences as the index would give them (one per line or per '. ')."""
    out, start = [], 0
    for paragraph, para in enumerate(text.split("\n\n"), start=1):
        at = text.index(para, start)
        for piece in para.replace(". ", ".\x00").split("\x00"):
            s = text.index(piece, at)
            out.append(Hit(f"s{len(out)}", piece, "a.txt", s, s + len(piece), paragraph, "t", date, "p"))
            at = s + len(piece)
        start = at
    if headline:
        out[0].headline = True
    return out


def final(pieces) -> Answer:
    got = list(pieces)
    assert isinstance(got[-1], Answer) and all(isinstance(p, str) for p in got[:-1])
    return got[-1]


def exact(answer: Answer, text: str = TEXT) -> None:
    for c in [*answer.citations, *([answer.short] if answer.short else [])]:
        assert text[c.start : c.end] == c.quote


def test_about_quotes_the_lede_not_the_headline():
    a = final(article.about("what's this about?", sentences()))
    assert a.kind == "about" and not a.refused
    assert a.citations[0].quote.startswith("Ferry fares across the harbour")
    assert all(c.quote != "Harbour ferry fares to rise" for c in a.citations)
    exact(a)


def test_headline_is_line_one_and_an_article_without_one_says_so():
    a = final(article.headline("headline?", sentences()))
    assert a.citations[0].quote == "Harbour ferry fares to rise" and not a.hedged and len(a.citations) == 1
    chosen = final(article.headline("which story is about ferries?", sentences(), with_lede=True))
    assert [c.quote[:11] for c in chosen.citations] == ["Harbour fer", "Ferry fares"]  # title, then lede
    fuel = next(h for h in sentences() if "fuel" in h.text)
    found = final(article.headline("which story has fuel costs?", sentences(), with_lede=True, matched=fuel))
    assert [c.quote[:11] for c in found.citations] == ["Harbour fer", "Ferry fares", "The council"]
    lede = sentences()[1]  # the words found the lede itself: it is not quoted twice
    again = final(article.headline("which story is on fares?", sentences(), with_lede=True, matched=lede))
    assert len(again.citations) == 2
    exact(found)
    b = final(article.headline("headline?", sentences(headline=False)[1:]))
    assert b.hedged and "no headline" in b.text
    exact(a)
    exact(b)


def test_credit_lines_in_article_order_and_explicit_credit_is_not_a_hedge():
    a = final(article.credit("who reported this?", sentences()))
    quotes = [c.quote for c in a.citations]
    assert "Reuters contributed to this report." in quotes
    assert [c.start for c in a.citations] == sorted(c.start for c in a.citations)
    assert not a.hedged
    text = "Plain title\n\nThe mayor told the Island Post that the pier will close.\n\nIt shuts in May."
    b = final(article.credit("who wrote this?", sentences(text)))
    assert b.hedged and "no byline" in b.text
    assert b.citations[0].quote.startswith("The mayor told the Island Post")
    exact(b, text)


def test_credit_refuses_when_nothing_is_attributed():
    text = "Title\n\nThe pier will close.\n\nIt shuts in May."
    a = final(article.credit("who is the source?", sentences(text)))
    assert a.refused and not a.citations


QUOTES = (
    "Pier to close\n\n"
    "The old pier will close in May, the council said.\n\n"
    "Harbour master Ann Lewis said the timbers were rotten. "
    '"As Tom Price said, it is finished," Ms Lewis added.\n\n'
    "Builder Sam Ortiz thinks repairs would cost too much. A plaque honours John Hale, who built it.\n\n"
    '"We will miss it," said local fisherman Joe Banks.'
)


def quoted_sentences() -> list[Hit]:
    """QUOTES' sentences with the people spaCy would tag (offsets into QUOTES), as the index stores them."""
    import json

    out = sentences(QUOTES)
    for h in out:
        names = [
            n
            for n in ("Ann Lewis", "Tom Price", "Lewis", "Sam Ortiz", "John Hale", "Joe Banks")
            if n in h.text
        ]
        spans = []
        for n in names:
            at = h.text.find(n)
            while at >= 0:
                spans.append([h.start + at, h.start + at + len(n), "PERSON"])
                at = h.text.find(n, at + len(n))
        h.entities = json.dumps(spans)
    return out


def test_quoted_lists_each_person_named_next_to_a_verb_of_saying_once_in_article_order():
    a = final(article.quoted("who is quoted?", quoted_sentences()))
    assert a.kind == "quoted" and not a.refused
    assert [c.quote[:12] for c in a.citations] == ["Harbour mast", "Builder Sam ", '"We will mis']
    # "Mr/Ms Lewis added" is the Ann Lewis already listed; Tom Price is only named inside her quote;
    # John Hale is named, not quoted
    assert "3 people" in a.text
    exact(a, QUOTES)
    b = final(article.quoted("who is quoted?", sentences("Title\n\nThe pier will close, the council said.")))
    assert b.refused and not b.citations
    # "which story quotes John Hale?": the sentence the question's words found is listed too, in its place
    hale = next(h for h in quoted_sentences() if "John Hale" in h.text)
    c = final(article.quoted("which story quotes john hale?", quoted_sentences(), matched=hale))
    assert [c.quote[:12] for c in c.citations] == [
        "Harbour mast",
        "Builder Sam ",
        "A plaque hon",
        '"We will mis',
    ]
    assert "3 people, with the sentence the question's words found" in c.text
    exact(c, QUOTES)


def test_date_cites_the_date_line_and_undated_articles_say_so():
    text = " date 2024-05-30 Ferry fares will rise.\n\nThey rise in March."
    hits = [
        Hit("s0", "Ferry fares will rise.", "a.txt", 17, 39, 1, "t", "2024-05-30", "p"),
        Hit("s1", "They rise in March.", "a.txt", 41, 60, 2, "t", "2024-05-30", "p"),
    ]
    a = final(article.date("when was this published?", hits, text, 17))
    assert (
        a.short is not None
        and a.short.quote == "2024-05-30"
        and text[a.short.start : a.short.end] == "2024-05-30"
    )
    assert "May 30, 2024" in a.text and a.kind == "date"
    b = final(article.date("when was this published?", sentences(), TEXT, 0))
    assert b.refused and "no date" in b.text and not b.citations


def test_summary_cites_the_picked_sentences_in_article_order():
    hits = sentences()
    a = final(article.summary("summarize", hits, [3, 0, 1]))
    body = [h for h in hits if not h.headline]
    assert [c.quote for c in a.citations] == [body[0].text, body[1].text, body[3].text]
    exact(a)


def test_pick_keeps_the_lede_prefers_central_sentences_and_skips_repeats():
    texts = [
        "Ferry fares will rise.",
        "Harbour ferry fares rise by 10% in March.",
        "Harbour ferry fares rise by 10% in March, the council said.",
        "Gulls nest on the pier.",
        "The council said fuel costs for the harbour ferry doubled.",
    ]
    v = np.array([[1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1], [0.6, 0.8, 0]], dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    chosen = pick(texts, v, 3, weight=0.5)
    assert chosen[0] == 0 and chosen == sorted(chosen)
    assert not {1, 2} <= set(chosen)  # twins are never both said
    assert pick(texts, v, 2, weight=1.0) == [0, 2]  # by centrality alone: the sentence sharing most words
    assert 3 not in pick(
        texts, v, 3, weight=1.0
    )  # the one sharing no words with the story is the least central
    assert pick(texts[:2], v[:2], 5, weight=0.5) == [0, 1]  # never more than the article has


@pytest.mark.parametrize("n,expected", [(1, 1), (3, 3), (8, 3), (16, 4), (40, 5)])
def test_summary_length_grows_with_the_article_within_bounds(n, expected):
    assert SummaryParams(weight=0.7, share=0.25).length(n) == expected


def test_decide_needs_the_margin_and_the_floor():
    scores = {"about": 0.8, "date": 0.5, "none": 0.6}
    assert decide("what's this about?", scores, 0.1, 0.5).intent == "about"
    assert decide("what's this about?", scores, 0.3, 0.5).intent == ""  # not far enough from "none"
    assert decide("what's this about?", scores, 0.1, 0.9).intent == ""  # not near enough at all
    got = decide("tl;dr of the ferry story", scores, 0.1, 0.5, {"about": frozenset({"tl", "dr"})})
    assert isinstance(got, Routed) and got.rest == ("ferry",)


def test_words_of_asking_come_from_the_article_level_examples_only():
    article = [
        ("who wrote the story?", "credit"),
        ("who wrote the story", "credit"),
        ("who wrote the story here", "credit"),
    ]
    about_ferries = [(f"why did the ferry {v}?", "none") for v in ("stop", "sail", "sink", "leave")]
    router = Router(embedder=None, examples=article + about_ferries, margin=0.0, floor=0.0)
    assert {"story", "who", "wrote"} <= router.known and "ferry" not in router.known
    stripped = strip_unknown("who wrote the ferry story?", router.known, set(tokens("ferry")))
    assert stripped == "who wrote the story?"  # "ferry" names the article, though the "none" examples use it


def test_select_lists_supporting_sentences_in_article_order_and_drops_weak_runners_up():
    hits = sentences()[1:]
    for h, score in zip(hits, [3.0, -4.0, 2.0, -1.0], strict=True):
        h.score = score
    ranked = sorted(hits, key=lambda h: -h.score)
    answer, related = select(ranked, 4, related_floor=0.2)
    assert [h.id for h in answer] == ["s1", "s3"]  # both likely to answer: in the article's order
    assert [h.id for h in related] == ["s4"]  # p = 0.27 >= 0.2; s2 (p = 0.02) is not shown


def test_a_passive_verbs_agent_answers_who_did_it():
    from assistant.answering.spans import short_answer

    text = "Biden's decision was first reported by Politico."
    entities = f'[[0, 5, "PERSON"], [{text.index("Politico")}, {text.index("Politico") + 8}, "ORG"]]'
    hit = Hit("s", text, "a.txt", 0, len(text), 1, "t", "", "p", entities=entities)
    s, e, _ = short_answer("Who was first to report the decision?", hit, 0, len(text))
    assert text[s:e] == "Politico"
    s, e, _ = short_answer("Whose decision was it?", hit, 0, len(text))
    assert text[s:e] == "Biden"
