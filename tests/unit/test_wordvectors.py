"""Word vectors grow in place: each word is embedded once, a matrix handed out stays as it was when words
are added after, and the cache folder gives a new process the same rows (merged once it has many chunks)."""

from __future__ import annotations

import numpy as np

from assistant.wordvectors import WordVectors
from tests.unit.fakes import ScriptedEmbeddings


def test_words_added_in_batches_keep_their_vectors_and_earlier_matrices(tmp_path):
    embedder = ScriptedEmbeddings()
    words = WordVectors(embedder, tmp_path / "cache")
    words.add(["harbour", "ferry"])
    before = words.matrix(["harbour", "ferry"])
    whole = words._concatenated()
    for batch in range(40):  # past the first buffer's 1,024 rows: it grows, and more than once
        words.add([f"word{batch}-{i}" for i in range(60)] + ["harbour"])
        words.save()
    assert len(words) == 2 + 40 * 60 and embedder.embedded.count("harbour") == 1
    assert np.array_equal(words.matrix(["harbour", "ferry"]), before)
    assert whole.shape == (2, 8) and np.array_equal(whole, before)  # a view of rows that did not move
    wanted = ["word39-59", "harbour", "word0-0"]
    expected = np.asarray([ScriptedEmbeddings._vector(w) for w in wanted], dtype=np.float32)
    assert np.array_equal(words.matrix(wanted), expected)

    again = WordVectors(ScriptedEmbeddings(), tmp_path / "cache")  # a new process, from the cache
    assert len(again) == len(words) and len(list((tmp_path / "cache").glob("*.json"))) < WordVectors.MERGE_AT
    assert np.array_equal(again.matrix(wanted), expected)
