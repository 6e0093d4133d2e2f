"""The served sentences as append-only tables: changed article by article, they equal a load at once."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assistant.features import Corpus, SentenceInfo
from assistant.retrieval import Hit
from assistant.table import SentenceTable
from assistant.text import tokens

WORDS = [
    "Kharkiv",
    "Biden",
    "weapons",
    "Russia",
    "strike",
    "council",
    "bridge",
    "the",
    "said",
    "Putin",
    "warned",
]
sentence = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(lambda ws: " ".join(ws) + ".")


def _same(a: Corpus, b: Corpus) -> None:
    assert (a.df, a.size, a.names, a.capital) == (b.df, b.size, b.names, b.capital)
    lines = [sorted("".join((c.text, *c.more)).splitlines()) for c in (a, b)]
    assert lines[0] == lines[1]  # phrases are looked up, not ordered, in the text or the blocks beside it
    assert {k: v for k, v in a.by_prefix.items() if v} == {k: v for k, v in b.by_prefix.items() if v}


@settings(max_examples=60, deadline=None)
@given(st.lists(sentence, max_size=12), st.lists(sentence, min_size=1, max_size=12))
@example(["Kharkiv Kharkiv."] * 2, ["Kharkiv."])  # the removed line is also the end of another line
def test_corpus_plus_and_minus_equal_counting_from_scratch(first, second):
    a, b = [SentenceInfo.of(t) for t in first], [SentenceInfo.of(t) for t in second]
    _same(Corpus.of(a).plus(b), Corpus.of(a + b))
    _same(Corpus.of(a + b).minus(b), Corpus.of(a))
    _same(Corpus.of(b + a).minus(b), Corpus.of(a))  # the removed block need not be the last


def _article(source: str, texts: list[str]) -> tuple[list[Hit], np.ndarray]:
    hits, start = [], 0
    for i, text in enumerate(texts):
        hits.append(
            Hit(
                f"{source}:{i}", text, source, start, start + len(text), i // 2, "", "", f"{source}:p{i // 2}"
            )
        )
        start += len(text) + 1
    rng = np.random.default_rng(len(source))
    return hits, rng.normal(size=(len(texts), 4)).astype(np.float32)


A = [
    "Biden let Ukraine strike inside Russia.",
    "Putin warned of serious consequences.",
    "Kharkiv is near the border.",
]
B = ["The council approved a bridge.", "Residents cheered the bridge.", "It will cost ten million."]


def _load(*articles):
    hits = [h for a in articles for h in a[0]]
    vectors = np.concatenate([a[1] for a in articles])
    passages = list(dict.fromkeys(h.passage_id for h in hits))
    return hits, vectors, passages, np.ones((len(passages), 4), np.float32)


def test_appending_an_article_serves_it_and_leaves_the_old_table_as_it_was():
    a, b = _article("a.txt", A), _article("b.txt", B)
    old = SentenceTable().extended(*_load(a))
    new = old.extended(*_load(b))
    assert old.n == 3 and len(old.vectors) == 3 and "b.txt:0" not in old.row
    assert new.n == 6 and new.by_source["b.txt"] == [3, 4, 5]
    assert np.array_equal(new.vectors[3:], b[1]) and np.array_equal(new.vectors[:3], old.vectors)
    assert new.neighbours[3] == [4] and new.neighbours[5] == []  # paragraphs of two sentences, then one
    _same(new.corpus, Corpus.of([SentenceInfo.of(t) for t in A + B]))
    scores = new.bm25_scores(tokens("bridge"))  # the appended segment answers on its own terms
    assert scores.shape == (6,) and scores[:3].max() == 0 and scores[3:5].min() > 0


def test_removing_an_article_takes_it_out_of_every_lookup():
    a, b = _article("a.txt", A), _article("b.txt", B)
    table = SentenceTable().extended(*_load(a, b)).without(["a.txt"])
    assert set(table.by_source) == {"b.txt"} and set(table.sentences) == {f"b.txt:{i}" for i in range(3)}
    assert all(not k.startswith("a.txt") for k in [*table.row, *table.by_passage, *table.passage_row])
    _same(table.corpus, Corpus.of([SentenceInfo.of(t) for t in B]))
    assert table.without(["nowhere.txt"]) is table


@settings(max_examples=40, deadline=None)
@given(st.lists(sentence, min_size=1, max_size=15), st.lists(st.sampled_from(WORDS), min_size=1, max_size=4))
def test_appended_rows_are_scored_as_bm25s_scores_the_rows_it_indexed(texts, asked):
    from assistant.table import bm25_with

    hits = [
        Hit(f"s{i}", t, "a.txt", i * 100, i * 100 + len(t), i, "", "", f"p{i}") for i, t in enumerate(texts)
    ]
    table = SentenceTable().extended(hits, np.ones((len(hits), 4), np.float32), [], np.zeros((0, 4)))
    terms = [t for w in asked for t in tokens(w)]
    known = [t for t in terms if t in table._main.vocab_dict]
    theirs = table._main.get_scores(known) if known else np.zeros(len(hits))
    ours = bm25_with(table.infos, terms, table.corpus, table._avgdl)
    assert np.allclose(ours, theirs, rtol=1e-5, atol=1e-6)
