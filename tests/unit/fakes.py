"""Scripted stand-ins for unit tests: an ``Assistant`` that records what a front end sent it, and an
embedder that needs no model."""

from __future__ import annotations

import hashlib
from pathlib import Path

from langchain_core.embeddings import Embeddings

from assistant.models import Answer, Citation
from assistant.settings import Settings


class RecordingAssistant:
    """Records each call's keyword arguments (``where``, ``n_sources``...) and answers with one citation."""

    def __init__(self, root: Path):
        self.settings = Settings(root=root)
        self.calls: list[dict] = []

    def stream(self, question, history=None, **kwargs):
        self.calls.append(kwargs)
        c = Citation(1, "a.txt", 0, 5, "Words", outlet="Island Post", url="https://island-post.example/x")
        yield "Words [1]"
        yield Answer(text="Words [1]", refused=False, citations=[c], question=question)

    def answer(self, question, history=None, **kwargs):
        return list(self.stream(question, history, **kwargs))[-1]


class ScriptedEmbeddings(Embeddings):
    """A deterministic vector per text (from its SHA-256); ``calls`` holds each call's texts. ``model``
    stands for the loaded model that ``index.distributed``'s workers ask for."""

    name = "scripted"
    model = None

    def __init__(self, *args, **kwargs) -> None:  # any arguments, as it stands in for model classes
        self.calls: list[list[str]] = []

    @property
    def embedded(self) -> list[str]:
        """Every text it was asked to embed, in order."""
        return [t for call in self.calls for t in call]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)

    @staticmethod
    def _vector(text: str) -> list[float]:
        digest = hashlib.sha256(text.encode()).digest()
        return [b / 255 + 0.01 for b in digest[:8]]
