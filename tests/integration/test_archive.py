"""An archive past 40,000 sentences: built, answered from, and changed article by article.

The bulk is embedded with ``HashedWords``, a cheap deterministic embedder (a hashed bag of words), so the test
takes a minute rather than the half hour MiniLM would; everything else is the real build, store and assistant.
In CI the suite runs twice: on the embedded store and against a ``chroma run`` server
(ASSISTANT_TEST_CHROMA_URL).
"""

from __future__ import annotations

import hashlib
import math
import re
import shutil

import pytest
from langchain_core.embeddings import Embeddings

from assistant import Assistant
from index.build import build_index
from index.store import PAGE, open_index
from tests.conftest import SEED, assert_exact

pytestmark = pytest.mark.slow

ARTICLES = 1400
SENTENCES = 30  # per article: 42,000 in all, past SQLite's 32,766 variables that one read of them all needs
DIMENSIONS = 512


class HashedWords(Embeddings):
    """A unit vector per text: each word adds 1 to a dimension its hash picks (deterministic, no model)."""

    name = "hashed-words"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)

    @staticmethod
    def _vector(text: str) -> list[float]:
        v = [0.0] * DIMENSIONS
        for word in re.findall(r"\w+", text.lower()):
            v[int(hashlib.md5(word.encode()).hexdigest()[:8], 16) % DIMENSIONS] += 1.0
        norm = math.sqrt(sum(x * x for x in v)) or 1.0
        return [x / norm for x in v]


def _name(i: int, salt: str) -> str:
    """A made-up word of 7 letters, the same for the same ``(i, salt)``."""
    digest = hashlib.sha1(f"{salt}{i}".encode()).hexdigest()[:7]
    return "".join("bcdfghklmnprstvz"[int(c, 16)] for c in digest)


def write_archive(seeds, n: int) -> None:
    """``n`` articles of ``SENTENCES`` sentences, each about its own made-up town, so none is a near-copy."""
    seeds.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        town = _name(i, "town").capitalize()
        lines = []
        for j in range(SENTENCES):
            thing, person = _name(i * SENTENCES + j, "thing"), _name(i * SENTENCES + j, "person").capitalize()
            lines.append(f"{person} paid {i + j} dollars for the {thing} in {town}.")
        paragraphs = [" ".join(lines[k : k + 5]) for k in range(0, SENTENCES, 5)]
        text = f"date 2024-05-{i % 28 + 1:02d} News from {town}\n\n" + "\n\n".join(paragraphs) + "\n"
        (seeds / f"a{i:05d}.txt").write_text(text, encoding="utf-8")


def test_an_archive_past_40000_sentences_answers_and_changes_one_article_at_a_time(project):
    embedder = HashedWords()
    write_archive(project.seeds_dir, ARTICLES)
    build_index(project, embedder, progress=False)
    store = open_index(project, embedder)
    assert store.size("sentences") >= 40_000 > PAGE

    app = Assistant(project, embedder=embedder)
    person, thing = _name(700 * SENTENCES + 3, "person").capitalize(), _name(700 * SENTENCES + 3, "thing")
    town = _name(700, "town").capitalize()
    # Every sentence says "paid ... dollars for the ... in": the question names all three made-up words, as a
    # reader names what they ask about, so hashed vectors and BM25 have the sentence's own words to go on.
    question = f"How many dollars did {person} pay for the {thing} in {town}?"
    answer = app.answer(question)
    assert not answer.refused and answer.citations, answer.text
    assert answer.citations[0].source == "seeds/a00700.txt" and person in answer.citations[0].quote
    assert_exact(answer, project.root)

    # One article added: only it is embedded and written, and the serving assistant answers from it.
    shutil.copy(SEED, project.seeds_dir / SEED.name)
    report = build_index(project, embedder, progress=False)
    assert report.added == [f"seeds/{SEED.name}"] and len(report.unchanged) == ARTICLES
    assert open_index(project, embedder).generation == store.generation  # changed in place
    app._follow_rebuilds(force=True)
    seeded = app.answer("Who was first to report the decision?")
    assert "Politico" in seeded.text and seeded.citations[0].source == f"seeds/{SEED.name}"
    assert_exact(seeded, project.root)

    # One article removed: its sentences go from the store and from the answers.
    (project.seeds_dir / "a00700.txt").unlink()
    report = build_index(project, embedder, progress=False)
    assert report.removed == ["seeds/a00700.txt"]
    assert not open_index(project, embedder).sentences.get(where={"source": "seeds/a00700.txt"})["ids"]
    app._follow_rebuilds(force=True)
    gone = app.answer(question)
    assert all(c.source != "seeds/a00700.txt" for c in gone.citations), gone.text
