"""An LLM backend that is down or too slow, under concurrent load: every answer falls back with a notice."""

import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from assistant import Assistant
from tests.conftest import free_port

pytestmark = pytest.mark.slow
QUESTIONS = [
    ("Who was first to report the decision?", "Politico"),
    ("Where was Putin when he warned of escalation?", "Uzbekistan"),
    ("Which agency contributed to the report?", "AFP"),
]


class SilentServer:
    """Accepts connections on loopback and never answers: a backend that hangs."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.conns:
            conn.close()


def _load(seed_assistant, seed_project, base_url: str, timeout: float) -> list:
    settings = seed_assistant.settings.with_(llm="openai", llm_base_url=base_url, llm_timeout=timeout)
    bot = Assistant(settings, embedder=seed_assistant.embedder, store=seed_assistant.store)
    with ThreadPoolExecutor(max_workers=12) as pool:
        futures = [pool.submit(bot.answer, q) for _ in range(8) for q, _ in QUESTIONS]
        answers = [f.result(timeout=120) for f in futures]
    for answer, (_, keyword) in zip(answers, QUESTIONS * 8, strict=True):
        assert not answer.refused and keyword in answer.text
        assert answer.notice.startswith("The language model was unavailable")
        assert answer.mode == "extractive"
        for c in answer.citations:
            assert (seed_project / c.source).read_text(encoding="utf-8")[c.start : c.end] == c.quote
    return answers


def test_backend_down_under_load_falls_back(seed_assistant, seed_project):
    answers = _load(seed_assistant, seed_project, f"http://127.0.0.1:{free_port()}/v1", timeout=5)
    assert len(answers) == 24


def test_backend_too_slow_under_load_falls_back(seed_assistant, seed_project):
    server = SilentServer()
    try:
        answers = _load(seed_assistant, seed_project, f"http://127.0.0.1:{server.port}/v1", timeout=1.5)
    finally:
        server.close()
    assert all("Timeout" in a.notice for a in answers), {a.notice for a in answers}
