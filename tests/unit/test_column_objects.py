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


def test_followed_columns_list_articles_and_speakers_as_the_table_does(tmp_path):
    """After articles are replaced, removed and added (a follow), the columns' article listing, its size
    and the speakers quoted are those of a ``SentenceTable`` changed the same way."""
    from dataclasses import replace

    def quoted(table: SentenceTable) -> SentenceTable:
        hits = [
            replace(table.sentences[i], speaker=f"Speaker {a % 4}" if a % 3 else "")
            for a, i in enumerate(table.ids)
        ]
        ids = list(dict.fromkeys(h.passage_id for h in hits))
        return SentenceTable().extended(
            hits, table.vectors, ids, table.passage_vectors[[table.passage_row[p] for p in ids]]
        )

    memory = quoted(_table(6))
    write(tmp_path / "cols", memory, {f"a{a}.txt": "h" for a in range(10)})
    columns = ColumnTable.open(tmp_path / "cols")
    new = [
        replace(h, source="a0.txt", speaker="Speaker 9")
        for h in (memory.sentences[i] for i in memory.ids[:6])
    ]
    changed = (columns, memory)
    for step in range(2):
        tables = []
        for table in changed:
            table = table.without(["a0.txt", "a3.txt"] if step == 0 else ["a5.txt"])
            if step == 0:  # a0 replaced by a version whose every sentence is Speaker 9's
                table = table.extended(new, memory.vectors[:6], [], memory.passage_vectors[:0])
            tables.append(table)
        changed = tuple(tables)
        ours, theirs = changed
        assert list(ours.by_source) == sorted(theirs.by_source) and len(ours.by_source) == len(
            theirs.by_source
        )
        assert ours.speakers == theirs.speakers
    assert "Speaker 9" in ours.speakers and "a3.txt" not in list(ours.by_source)
    assert columns.speakers == memory.speakers == {f"Speaker {i}" for i in range(4)}
