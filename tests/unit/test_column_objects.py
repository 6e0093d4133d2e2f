"""Column tables hold no Python object per sentence: opening one of ten times the sentences (in as many
articles) makes about as many objects, and a sentence is made into a ``Hit`` only when it is asked for."""

from __future__ import annotations

import gc

import numpy as np

from assistant.columns import ColumnTable, write
from assistant.retrieval import Hit
from assistant.table import SentenceTable

WORDS = "council bridge harbour ferry budget mayor river station school market".split()


def _table(per_article: int, articles: int = 10) -> SentenceTable:
    hits, rng = [], np.random.default_rng(per_article)
    for a in range(articles):
        start = 0
        for i in range(per_article):
            text = f"The {WORDS[(a + i) % 10]} of town {a} said item {i} {WORDS[i % 10]} was ready."
            hits.append(
                Hit(
                    f"s:{a:04d}:{i:06d}",
                    text,
                    f"a{a}.txt",
                    start,
                    start + len(text),
                    i // 3,
                    f"T{a}",
                    "",
                    f"p:{a}:{i // 3}",
                )
            )
            start += len(text) + 1
    passages = list(dict.fromkeys(h.passage_id for h in hits))
    return SentenceTable().extended(
        hits,
        rng.normal(size=(len(hits), 8)).astype(np.float32),
        passages,
        rng.normal(size=(len(passages), 8)).astype(np.float32),
    )


def _objects_to_open(folder) -> tuple[int, ColumnTable]:
    gc.collect()
    before = len(gc.get_objects())
    table = ColumnTable.open(folder)
    gc.collect()
    return len(gc.get_objects()) - before, table


def test_opening_columns_makes_no_object_per_sentence(tmp_path):
    small, large = _table(20), _table(200)
    live = {f"a{a}.txt": "h" for a in range(10)}
    write(tmp_path / "small", small, live)
    write(tmp_path / "large", large, live)
    few, _ = _objects_to_open(tmp_path / "small")
    many, table = _objects_to_open(tmp_path / "large")
    assert table.n == large.n == 10 * small.n
    # Words of the vocabulary and the articles' rows are objects; sentences are not: 1,800 more sentences
    # may not bring 1,800 more objects.
    assert many - few < 300, (few, many)
    hit = table.sentences["s:0003:000150"]
    assert hit == large.sentences["s:0003:000150"]
    assert table.row["s:0003:000150"] == large.row["s:0003:000150"]
    assert "s:0003:000200" not in table.sentences and table.sentences.get("nope") is None
    assert list(table.by_source["a3.txt"]) == list(large.by_source["a3.txt"])
    assert (table.vectors[list(table.by_source["a3.txt"])] == large.vectors[large.by_source["a3.txt"]]).all()
