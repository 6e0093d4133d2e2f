"""Baseline pipelines for ``eval --baselines``: what people would build instead, on the same embedder.

- ``chunks-1000``: the LangChain RAG tutorial recipe: ``RecursiveCharacterTextSplitter(chunk_size=1000,
  chunk_overlap=200, add_start_index=True)``, an in-memory Chroma through ``langchain_chroma``, dense
  similarity top-4; each retrieved chunk is a citation (``start_index`` .. ``+ len(chunk)``).
- ``chunks-200``: the same recipe at 200/40.
- ``bm25-sentences``: bm25s alone over our sentences (the index's sentence records), top 3.

Baselines have no refusal logic and no conversation memory: they answer every question from its own words
and refuse only when retrieval returns nothing. ``where={"source": ...}`` (the article picked, as the
assistant takes it) narrows each to that article's chunks or sentences; they read no other key. Their
reply is the retrieved text joined. This module does not score anything; ``evaluation.metrics`` does.
"""

from __future__ import annotations

import itertools
import logging
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.models import Answer, Citation
from assistant.text import tokens

if TYPE_CHECKING:
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings

    from index.store import IndexStore

NOTHING = "No passage was retrieved."
_counter = itertools.count()


def _answer(question: str, cited: list[Citation]) -> Answer:
    if not cited:
        return Answer(text=NOTHING, refused=True, question=question, mode="baseline")
    text = " ".join(f"{c.quote} [{c.n}]" for c in cited)
    return Answer(text=text, refused=False, citations=cited, question=question, mode="baseline")


def _source(where: dict | None) -> str | None:
    """The picked article of a ``where``; the assistant resolves it to its indexed path, and so must we."""
    return (where or {}).get("source") or None


def ephemeral_client():
    """An in-memory Chroma client with telemetry off."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False))


class ChunkBaseline:
    """The LangChain tutorial RAG retriever over whole files, with chunks as citations."""

    def __init__(
        self,
        documents: Sequence[Document],
        embedder: Embeddings,
        chunk_size: int = 1000,
        chunk_overlap: int = 200,
        k: int = 4,
        client=None,
    ) -> None:
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.name = f"chunks-{chunk_size}"
        self.k = k
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=chunk_size, chunk_overlap=chunk_overlap, add_start_index=True
        )
        self.chunks = splitter.split_documents(list(documents))
        self.store = Chroma(
            collection_name=f"baseline-{chunk_size}-{next(_counter)}-{uuid.uuid4().hex[:8]}",
            embedding_function=embedder,
            client=client if client is not None else ephemeral_client(),
        )
        self.store.add_documents(self.chunks)

    def answer(
        self, question: str, history: Sequence[dict] | None = None, where: dict | None = None
    ) -> Answer:
        source = _source(where)
        docs = self.store.similarity_search(question, k=self.k, filter={"source": source} if source else None)
        cited = [
            Citation(
                n=i,
                source=d.metadata["source"],
                start=int(d.metadata["start_index"]),
                end=int(d.metadata["start_index"]) + len(d.page_content),
                quote=d.page_content,
            )
            for i, d in enumerate(docs, start=1)
        ]
        return _answer(question, cited)


class BM25Baseline:
    """bm25s over the index's sentences; the top ``k`` sentences with a positive score are the citations."""

    name = "bm25-sentences"

    def __init__(self, store: IndexStore, k: int = 3) -> None:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        got = store.read("sentences", ("documents", "metadatas"))
        rows = sorted(
            zip(got["documents"], got["metadatas"], strict=True),
            key=lambda r: (r[1]["source"], r[1]["start"]),
        )
        self.sentences = [(text, m["source"], int(m["start"]), int(m["end"])) for text, m in rows]
        corpus = [tokens(text) or ["\x00empty"] for text, *_ in self.sentences]
        self.vocabulary = {t for doc in corpus for t in doc}
        self.bm25 = bm25s.BM25()
        self.bm25.index(corpus, show_progress=False)
        self.k = k
        self._masks: dict = {}

    def _mask(self, source: str):
        """1.0 for the sentences of ``source``, 0.0 for the others (numpy, made once per source)."""
        if source not in self._masks:
            import numpy as np

            self._masks[source] = np.array([s[1] == source for s in self.sentences], dtype=np.float32)
        return self._masks[source]

    def answer(
        self, question: str, history: Sequence[dict] | None = None, where: dict | None = None
    ) -> Answer:
        terms = [t for t in tokens(question) if t in self.vocabulary]
        cited: list[Citation] = []
        if terms:
            scores = self.bm25.get_scores(terms)
            if source := _source(where):  # only that article's sentences can score
                scores = scores * self._mask(source)
            for i in scores.argsort()[::-1][: self.k]:
                if scores[i] <= 0:
                    break
                text, source, start, end = self.sentences[i]
                cited.append(Citation(n=len(cited) + 1, source=source, start=start, end=end, quote=text))
        return _answer(question, cited)


# How each baseline is set up; the bench JSON records these beside the numbers they produced.
CHUNK_RECIPES = (
    {"chunk_size": 1000, "chunk_overlap": 200, "k": 4},
    {"chunk_size": 200, "chunk_overlap": 40, "k": 4},
)
BM25_K = 3


def build_baselines(documents: Sequence[Document], store: IndexStore, embedder: Embeddings) -> list:
    """The three baselines over the same articles, sharing one in-memory Chroma client."""
    client = ephemeral_client()
    chunks = [ChunkBaseline(documents, embedder, **recipe, client=client) for recipe in CHUNK_RECIPES]
    return [*chunks, BM25Baseline(store, k=BM25_K)]
