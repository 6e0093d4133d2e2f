import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.loader import parse_article
from index.splitter import SentencePassageSplitter, paragraph_spans, passages, sentence_spans
from tests.conftest import SEED


def texts(spans, text):
    return [text[s:e] for s, e in spans]


def test_abbreviations_do_not_end_sentences():
    text = "Two U.S. officials said so. Mr. Smith disagreed. The U.K. and the U.S. agreed."
    assert texts(sentence_spans(text), text) == [
        "Two U.S. officials said so.",
        "Mr. Smith disagreed.",
        "The U.K. and the U.S. agreed.",
    ]


def test_quote_ending_in_period_inside_quotes_ends_sentence():
    text = 'He spoke of "a global conflict." Then he left. "Serious," Putin said.'
    assert texts(sentence_spans(text), text) == [
        'He spoke of "a global conflict."',
        "Then he left.",
        '"Serious," Putin said.',
    ]


def test_comma_inside_quote_does_not_split():
    text = '"This constant escalation can lead to serious consequences," Putin said during a visit.'
    assert texts(sentence_spans(text), text) == [text]


def test_sentences_never_cross_paragraphs():
    text = "First line without stop\nSecond line. Third one.\n\nFourth"
    assert texts(sentence_spans(text), text) == [
        "First line without stop",
        "Second line.",
        "Third one.",
        "Fourth",
    ]
    assert texts(paragraph_spans(text), text) == [
        "First line without stop",
        "Second line. Third one.",
        "Fourth",
    ]


def test_seed_splits_into_its_twelve_paragraphs_with_the_date_header_left_out():
    text = SEED.read_text(encoding="utf-8")
    body_start, meta = parse_article(text)
    assert meta["date"] == "2024-05-30"
    assert text[body_start:].startswith("President Joe Biden")
    ps = passages(text, body_start)
    assert len(ps) == 12
    assert [p.paragraph for p in ps] == list(range(1, 13))
    assert all(not text[p.start : p.end].startswith(" date") for p in ps)
    sentences = [text[s:e] for p in ps for s, e in p.sentences]
    assert "Biden's decision was first reported by Politico." in sentences
    assert any(s.startswith('"This constant escalation') and s.endswith("Uzbekistan.") for s in sentences)


def test_long_paragraph_is_cut_at_sentence_ends():
    text = " ".join(f"Sentence number {i} is here." for i in range(40))
    ps = passages(text, chunk_size=200)
    assert len(ps) > 1
    assert all(p.end - p.start <= 200 or len(p.sentences) == 1 for p in ps)
    assert [s for p in ps for s in p.sentences] == sentence_spans(text)


def test_langchain_splitter_documents_carry_offsets():
    from langchain_core.documents import Document

    text = SEED.read_text(encoding="utf-8")
    body_start, _ = parse_article(text)
    docs = SentencePassageSplitter().split_documents(
        [Document(page_content=text, metadata={"body_start": body_start})]
    )
    assert docs
    for d in docs:
        assert text[d.metadata["start"] : d.metadata["end"]] == d.page_content
        for s, e in d.metadata["sentences"]:
            assert d.metadata["start"] <= s < e <= d.metadata["end"]


alphabet = st.sampled_from(list("abcXYZ .,!?\"'\n\u201c\u201d()-") + ["U.S.", "Mr.", " date ", "\n\n", "  "])


def assert_sentences_cover_the_text(text: str, sents: list[tuple[int, int]]) -> None:
    """The splitter's promise: sentences in order, never overlapping, never crossing a line break, each the
    stripped text between the previous sentence's end and its own end, and only white space left over."""
    previous = 0
    for s, e in sents:
        assert previous <= s < e <= len(text)
        assert text[previous:e].strip() == text[s:e]  # starts at the first non-blank after the last one
        assert "\n" not in text[s:e]
        previous = e
    assert text[previous:].strip() == ""
    # so every non-blank character is in exactly one sentence, in order
    assert "".join("".join(text[s:e] for s, e in sents).split()) == "".join(text.split())


@settings(max_examples=300, deadline=None)
@given(st.lists(alphabet, max_size=80).map("".join), st.integers(20, 400))
def test_sentences_and_passages_partition_the_text_in_order(text, chunk_size):
    sents = sentence_spans(text)
    assert_sentences_cover_the_text(text, sents)
    ps = passages(text, chunk_size=chunk_size)
    assert [s for p in ps for s in p.sentences] == sents
    assert [p.paragraph for p in ps] == sorted(p.paragraph for p in ps)
    for p in ps:
        assert p.start == p.sentences[0][0] and p.end == p.sentences[-1][1]
        assert p.end - p.start <= chunk_size or len(p.sentences) == 1  # a long passage is one long sentence


def test_the_partition_check_fails_on_a_lost_or_shifted_span():
    text = "One here. Two there.\nThree."
    good = sentence_spans(text)
    assert_sentences_cover_the_text(text, good)
    for bad in (good[:-1], [(good[0][0] + 1, good[0][1]), *good[1:]], [good[1], good[0], good[2]]):
        with pytest.raises(AssertionError):
            assert_sentences_cover_the_text(text, bad)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_unicode_text_gives_valid_spans(text):
    assert_sentences_cover_the_text(text, sentence_spans(text))
