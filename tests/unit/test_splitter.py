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


@settings(max_examples=300, deadline=None)
@given(st.lists(alphabet, max_size=80).map("".join), st.integers(20, 400))
def test_every_span_round_trips_to_its_exact_text(text, chunk_size):
    sents = sentence_spans(text)
    for s, e in sents:
        assert 0 <= s < e <= len(text)
        assert text[s:e] == text[s:e].strip()
    # Sentences are in order and never overlap.
    assert all(a[1] <= b[0] for a, b in zip(sents, sents[1:], strict=False))
    ps = passages(text, chunk_size=chunk_size)
    assert [s for p in ps for s in p.sentences] == sents
    for p in ps:
        assert text[p.start : p.end].strip() == text[p.start : p.end]
        assert p.start == p.sentences[0][0] and p.end == p.sentences[-1][1]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_unicode_text_gives_valid_spans(text):
    for s, e in sentence_spans(text):
        assert text[s:e] and text[s:e] == text[s:e].strip()
