"""A scripted stand-in for ``Assistant`` in unit tests: it records what a front end sent it."""

from __future__ import annotations

from pathlib import Path

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
