"""spaCy at index time, for real: the entities split_document stores for the seed, and the short answers
picked from them for the issue's questions."""

from __future__ import annotations

import json

import pytest

from assistant.answering.spans import short_answer
from assistant.retrieval import Hit
from index.build import split_document
from index.entities import CITY, is_city
from index.loader import load_article
from index.splitter import SentencePassageSplitter
from tests.conftest import ROOT

SEED = ROOT / "seeds" / "000_5b9ea04de76b7050.txt"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seed_sentences():
    doc = load_article(SEED, ROOT)
    _, sentences = split_document(doc, SentencePassageSplitter())
    return doc.page_content, sentences


def _hit(d) -> Hit:
    m = d.metadata
    return Hit(
        id=d.id,
        text=d.page_content,
        source=m["source"],
        start=m["start"],
        end=m["end"],
        paragraph=m["paragraph"],
        title=m["title"],
        date=m["date"],
        passage_id=m["passage_id"],
        entities=m["entities"],
        headline=m["headline"],
    )


def test_every_stored_span_is_exact_text_of_the_file_inside_its_sentence(seed_sentences):
    text, sentences = seed_sentences
    assert text == SEED.read_text(encoding="utf-8")
    labels = set()
    for d in sentences:
        s0, e0 = d.metadata["start"], d.metadata["end"]
        for start, end, label in json.loads(d.metadata["entities"]):
            assert s0 <= start < end <= e0
            assert text[start:end] == text[start:end].strip() != ""
            labels.add(label)
    assert {"PERSON", "GPE", "NP"} <= labels  # spaCy ran: names, places and noun chunks
    found = {text[s:e] for d in sentences for s, e, _ in json.loads(d.metadata["entities"])}
    assert {"Politico", "Uzbekistan", "Kharkiv", "Vladimir Putin"} <= found


def test_the_seed_has_no_headline_line(seed_sentences):
    _, sentences = seed_sentences
    assert not any(d.metadata["headline"] for d in sentences)  # it opens with a date line and a sentence


def test_a_bbc_style_article_marks_its_first_line_only(tmp_path):
    path = tmp_path / "rail.txt"
    path.write_text(
        "Rail fares to rise by 4.6% in March\n\nFares in England will rise by 4.6% in March, the "
        "Department for Transport said on Tuesday.\n\nUnions called it a betrayal.\n",
        encoding="utf-8",
    )
    _, sentences = split_document(load_article(path, tmp_path), SentencePassageSplitter())
    marked = [d.page_content for d in sentences if d.metadata["headline"]]
    assert marked == ["Rail fares to rise by 4.6% in March"]


@pytest.mark.parametrize(
    ("question", "needle", "answer"),
    [
        ("What city can Ukraine defend?", "defending Kharkiv", "Kharkiv"),
        ("Who first reported Biden's decision?", "first reported", "Politico"),
        ("Where was Putin when he warned of escalation?", "visit to Uzbekistan", "Uzbekistan"),
        ("How many officials spoke about the go-ahead?", "two U.S. officials", "two"),
        ("Who contributed to this report?", "contributed", "AFP"),
    ],
)
def test_short_answers_on_the_seed(seed_sentences, question, needle, answer):
    text, sentences = seed_sentences
    hit = _hit(next(d for d in sentences if needle in d.page_content))
    found = short_answer(question, hit, hit.start, hit.end)
    assert found is not None
    start, end, _ = found
    assert hit.start <= start < end <= hit.end
    assert text[start:end] == answer


def test_kharkiv_is_stored_as_a_city_and_no_country_is(seed_sentences):
    text, sentences = seed_sentences
    stored = [span for d in sentences for span in json.loads(d.metadata["entities"])]
    cities = {text[s:e] for s, e, label in stored if label == CITY}
    assert "Kharkiv" in cities  # tagged ORG by the small model: the city label comes from GeoNames
    assert not cities & {"Russia", "Ukraine", "U.S.", "Europe", "Uzbekistan"}


@pytest.mark.parametrize(
    ("name", "label", "city"),
    [
        ("Kharkiv", "ORG", True),  # a city of a million people the tagger took for an organisation
        ("Kiev", "GPE", True),  # a big city's other name
        ("New York", "GPE", True),  # a state's name, and a city of millions
        ("the Hague", "GPE", True),  # GeoNames calls it "The Hague"
        ("the Kharkiv", "ORG", True),
        ("Toyota", "ORG", False),  # a company, though a city of 400,000 has its name
        ("Georgia", "GPE", False),  # a country and a state
        ("Europe", "LOC", False),
    ],
)
def test_which_names_are_cities(name, label, city):
    assert is_city(name, label) is city


def test_why_and_yes_no_questions_get_no_short_answer(seed_sentences):
    _, sentences = seed_sentences
    hit = _hit(sentences[0])
    assert short_answer("Why did Biden give Ukraine the go-ahead?", hit, hit.start, hit.end) is None
    assert short_answer("Is Ukraine allowed to strike Russia?", hit, hit.start, hit.end) is None


def test_a_full_span_cache_still_returns_the_texts_it_had_seen(monkeypatch):
    from index import entities as module

    seen, new = "Olaf Scholz spoke in Berlin.", "Emmanuel Macron spoke in Paris."
    first = module.entities([seen], [0])
    monkeypatch.setattr(module, "_SEEN_AT_MOST", len(module._SEEN))  # full: the next call clears it
    both = module.entities([seen, new], [0, 100])
    assert both[0] == first[0] and any(label == "GPE" for *_, label in both[1])
