"""Near-duplicate detection through the smallest shingle hashes, with sketches kept between builds."""

from __future__ import annotations

import hashlib
import random

from langchain_core.documents import Document

from index.dedupe import dedupe


def _doc(source: str, text: str) -> Document:
    digest = hashlib.sha256(text.encode()).hexdigest()
    return Document(page_content=text, metadata={"source": source, "hash": digest, "body_start": 0})


def _story(seed: int, words: int = 300) -> str:
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(2000)]
    return " ".join(rng.choice(vocabulary) for _ in range(words)) + "."


def test_a_copy_with_one_word_changed_is_dropped_and_other_stories_are_kept():
    original = _story(1)
    copy = original.replace(original.split()[150], "changed", 1)
    docs = [_doc("a.txt", original), _doc("b.txt", _story(2)), _doc("c.txt", copy), _doc("d.txt", _story(3))]
    kept, decisions = dedupe(docs)
    assert [d.metadata["source"] for d in kept] == ["a.txt", "b.txt", "d.txt"]
    assert decisions == [("c.txt", "a.txt", "near-identical copy")]


def test_many_near_copies_are_each_found_and_a_rewritten_one_is_kept():
    stories = [_story(i) for i in range(40)]
    docs = [_doc(f"s{i:02d}.txt", text) for i, text in enumerate(stories)]
    for i in range(
        0, 40, 4
    ):  # a wire copy of every fourth story: its last 20 words rewritten (Jaccard ~0.88)
        words = stories[i].split()
        docs.append(_doc(f"wire{i:02d}.txt", " ".join(words[:-20] + ["x"] * 20)))
    kept, decisions = dedupe(docs)
    assert len(kept) == 40 and len(decisions) == 10
    assert all(
        d == (f"wire{i:02d}.txt", f"s{i:02d}.txt", "near-identical copy")
        for d, i in zip(decisions, range(0, 40, 4), strict=True)
    )
    assert dedupe(docs) == (kept, decisions)  # the second build reads the kept sketches: the same answer

    rewritten = _doc("wire00.txt", _story(99))  # the same file, now another story: a new hash, a new sketch
    kept, decisions = dedupe([*docs[:40], rewritten])
    assert len(kept) == 41 and decisions == []


def _fresh(docs: list[Document]):
    """What a process that never deduped before decides."""
    from index import dedupe as module

    module._LAST.clear()
    return dedupe(docs)


def test_adding_stories_extends_the_last_decisions_as_a_full_pass_would():
    from index import dedupe as module

    stories = [_doc(f"s{i:02d}.txt", _story(i)) for i in range(30)]
    words = stories[5].page_content.split()
    copy = _doc("a_copy.txt", " ".join(words[:-10] + ["x"] * 10))  # sorts first: it is kept, s05 dropped
    update = Document(
        page_content=_story(77),
        metadata={"source": "u.txt", "hash": "u", "body_start": 0, "title": "Harbour", "date": "2024-06-02"},
    )
    first = Document(
        page_content=_story(78),
        metadata={"source": "t.txt", "hash": "t", "body_start": 0, "title": "Harbour", "date": "2024-06-01"},
    )
    base = [*stories, first]
    cases = {
        "a new story": [*base, _doc("s99.txt", _story(99))],
        "a near copy of a kept story, sorting before it": [copy, *base],
        "an update of a kept story": [*base, update],
        "a story removed": base[1:],
    }
    for case, docs in cases.items():
        expected = _fresh(docs)
        assert bool(expected[1]) == (
            case in {"a near copy of a kept story, sorting before it", "an update of a kept story"}
        ), case
        _fresh(base)  # the state the next call extends, or finds it cannot
        assert dedupe(docs) == expected, case
    _fresh(base)
    assert dedupe(cases["a new story"]) == _fresh(cases["a new story"])
    assert module._LAST  # the extended state is kept for the next call


def test_dedupe_added_agrees_with_a_full_pass_or_declines():
    """An added article is decided from the last pass's state when it is new and distinct (the full pass
    keeps it too); a near-copy, an identical copy, another folder's state or a changed article is left to
    a full pass (None), which then decides it as it always did."""
    from index.dedupe import dedupe_added

    base = [_doc(f"s{i}.txt", _story(i)) for i in range(20)]
    dedupe(base, scope="seeds")
    fresh = _doc("new.txt", _story(99))
    assert dedupe_added([fresh], scope="elsewhere") is None  # another folder's articles: not these
    assert dedupe_added([fresh], scope="seeds") == ([fresh], [])
    kept, decisions = dedupe([*base, fresh], scope="seeds")  # the full pass agrees (and extends the state)
    assert fresh in kept and not decisions

    near = _doc("wire.txt", _story(3).replace(_story(3).split()[100], "changed", 1))
    assert dedupe_added([near], scope="seeds") is None
    kept, decisions = dedupe([*base, fresh, near], scope="seeds")
    assert decisions == [("wire.txt", "s3.txt", "near-identical copy")]
    assert dedupe_added([_doc("again.txt", _story(5))], scope="seeds") is None  # identical to s5.txt
    dedupe(base, scope="seeds")
    assert dedupe_added([_doc("s4.txt", _story(4) + " An update.")], scope="seeds") is None  # changed
