"""The synthetic archive's parts (``evaluation.bigarchive``): articles that are a function of their number,
and an embedder that gives pool sentences their own vectors and embeds the rest for real."""

from __future__ import annotations

import numpy as np

from evaluation import bigarchive


class CountingEmbedder:
    name = "counting"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed_documents(self, texts):
        self.seen += texts
        return [[1.0, 0.0, 0.0] for _ in texts]

    def embed_query(self, text):
        return [0.0, 1.0, 0.0]


def test_articles_are_a_function_of_their_number_and_grow_by_appending(tmp_path):
    sentences, titles = bigarchive.pool(200), bigarchive.headlines(20)
    assert len(set(sentences)) == 200 and bigarchive.pool(200) == sentences
    first = bigarchive.article(7, sentences, titles)
    assert first == bigarchive.article(7, sentences, titles) != bigarchive.article(8, sentences, titles)
    assert first.startswith("date 2024-") and ", no. 8\n\n" in first  # a headline line, distinct per article
    body = first.split("\n\n", 1)[1]
    assert all(s in sentences for p in body.strip().split("\n\n") for s in bigarchive._SENTENCE_END.split(p))

    seeds = tmp_path / "seeds"
    assert bigarchive.write(seeds, 5, sentences, titles) == 1 + 20 + 5  # the seed, the planted, the bulk
    before = (seeds / "bulk_0000003.txt").read_text(encoding="utf-8")
    assert bigarchive.write(seeds, 8, sentences, titles) == 3  # only the new ones
    assert (seeds / "bulk_0000003.txt").read_text(encoding="utf-8") == before


def test_pool_sentences_keep_their_vectors_and_only_other_texts_are_embedded():
    a, b = "The council met on Monday.", "Shares fell 4 percent."
    va, vb = np.array([0.6, 0.8, 0.0]), np.array([0.0, 0.6, 0.8])
    real = CountingEmbedder()
    pooled = bigarchive.PooledEmbeddings(real, {a: va, b: vb, "Harbour plan": va})
    mean = (va + vb) / np.linalg.norm(va + vb)
    got = pooled.embed_documents([a, f"{a} {b}", "Harbour plan, no. 12", "Something else entirely."])
    assert np.allclose(got[0], va) and np.allclose(got[1], mean) and np.allclose(got[2], va)
    assert got[3] == [1.0, 0.0, 0.0]
    assert real.seen == ["Something else entirely."] and pooled.embedded_for_real == 1
    assert pooled.embed_query("q") == [0.0, 1.0, 0.0]
