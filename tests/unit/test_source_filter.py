"""The "one article" filter: ``where={"source": ...}`` from the front ends to Chroma and to BM25."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core import resolve_source
from assistant.errors import BadQuestion
from assistant.retrieval import FILTER_KEYS, Hit, chroma_filter, make_filter, matcher
from tests.unit.fakes import RecordingAssistant

SEED = "seeds/000_5b9ea04de76b7050.txt"
KNOWN = [SEED, "seeds/bridge.txt", ".index/extracted/seeds/harbour.html.txt", "seeds/ferries.md"]


def hit(source: str, outlet: str = "", date_ord: int = 20240530) -> Hit:
    return Hit("id", "text", source, 0, 4, 1, "title", "", "p", outlet=outlet, date_ord=date_ord)


def test_source_is_a_filter_key_made_from_a_blank_or_padded_field():
    assert "source" in FILTER_KEYS
    assert make_filter(source=f"  {SEED} ") == {"source": SEED}
    assert make_filter(source="  ") is None
    assert make_filter("2024-05-01", outlet="Island Post", source=SEED) == {
        "date_from": "2024-05-01",
        "outlet": "Island Post",
        "source": SEED,
    }


def test_chroma_filter_narrows_to_the_source():
    assert chroma_filter({"source": SEED}) == {"source": SEED}
    assert chroma_filter({"source": SEED, "outlet": "Island Post"}) == {
        "$and": [{"outlet": "Island Post"}, {"source": SEED}]
    }


def test_matcher_keeps_only_the_source():
    keep = matcher({"source": SEED})
    assert keep(hit(SEED)) and not keep(hit("seeds/bridge.txt"))
    both = matcher({"source": SEED, "date_to": "2024-01-01"})
    assert not both(hit(SEED))  # the seed is dated 2024-05-30: every key must pass
    assert matcher(None)(hit("seeds/bridge.txt"))


def test_a_source_that_is_not_text_is_refused_in_one_line():
    with pytest.raises(BadQuestion, match="the source filter must be an article path") as e:
        chroma_filter({"source": ["seeds/a.txt"]})
    assert "\n" not in str(e.value)
    with pytest.raises(BadQuestion, match="use: date_from, date_to, outlet, source"):
        chroma_filter({"article": SEED})


@pytest.mark.parametrize(
    "wanted, found",
    [
        (SEED, SEED),
        ("000_5b9ea04de76b7050.txt", SEED),
        ("./seeds/bridge.txt", "seeds/bridge.txt"),
        ("seeds\\bridge.txt", "seeds/bridge.txt"),
        ("harbour.html", ".index/extracted/seeds/harbour.html.txt"),  # an HTML article's extracted text
        ("seeds/harbour.html", ".index/extracted/seeds/harbour.html.txt"),
    ],
)
def test_source_resolves_to_one_indexed_article(wanted, found):
    assert resolve_source(wanted, KNOWN) == found


def test_unknown_source_names_the_known_ones_in_one_line():
    with pytest.raises(BadQuestion) as e:
        resolve_source("seeds/nope.txt", KNOWN)
    message = str(e.value)
    assert message == f"unknown source 'seeds/nope.txt' — use one of: {', '.join(KNOWN)}"
    many = [f"seeds/{i:03}.txt" for i in range(25)]
    with pytest.raises(BadQuestion, match=r"use one of: seeds/000.txt, .*seeds/009.txt and 15 more$"):
        resolve_source("x.txt", many)
    with pytest.raises(BadQuestion, match="the index holds no articles"):
        resolve_source("x.txt", [])


def test_a_tail_that_names_several_articles_is_refused():
    with pytest.raises(BadQuestion, match=r"matches 2 articles: a/x.txt, b/x.txt — give more of its path"):
        resolve_source("x.txt", ["a/x.txt", "b/x.txt"])
    assert resolve_source("a/x.txt", ["a/x.txt", "b/x.txt"]) == "a/x.txt"


def test_the_picker_lists_all_articles_then_each_by_title_or_file_name():
    from assistant.ui.app import ALL_ARTICLES, article_choices

    metas = [
        {"source": SEED, "title": "President Joe Biden has given Ukraine the go-ahead"},
        {"source": "seeds/ferries.md", "title": "Ferries halt"},
        {"source": "seeds/ferries_other.md", "title": "Ferries halt"},
        {"source": "seeds/untitled.txt", "title": ""},
    ]
    assert article_choices(metas) == [
        (ALL_ARTICLES, ""),
        ("Ferries halt (ferries.md)", "seeds/ferries.md"),
        ("Ferries halt (ferries_other.md)", "seeds/ferries_other.md"),
        ("President Joe Biden has given Ukraine the go-ahead", SEED),
        ("untitled.txt", "seeds/untitled.txt"),
    ]
    assert article_choices([]) == [(ALL_ARTICLES, "")]


def test_chat_and_api_pass_the_picked_article(tmp_path: Path):
    from assistant.ui.app import ask_api, respond

    fake = RecordingAssistant(tmp_path)
    list(respond(fake, "Why?", [], [], source=SEED))
    assert fake.calls[-1]["where"] == {"source": SEED}
    list(respond(fake, "Why?", [], [], outlet="Island Post", source=""))  # "All articles"
    assert fake.calls[-1]["where"] == {"outlet": "Island Post"}
    ask_api(fake, "Why?", "", 0, "", "", "", "bridge.txt")
    assert fake.calls[-1]["where"] == {"source": "bridge.txt"}  # resolved by the Assistant, not here
