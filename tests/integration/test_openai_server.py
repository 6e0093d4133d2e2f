"""The ``openai`` backend against a real OpenAI-compatible server on loopback: llama.cpp's, with SmolLM2."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from importlib.util import find_spec

import pytest

from tests.conftest import stop_process
from tests.integration.llm_checks import assert_verified_or_fallback


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    """``python -m llama_cpp.server`` with the SmolLM2 GGUF on a free port; stopped when the module ends."""
    if find_spec("llama_cpp") is None:
        pytest.skip("llama_cpp is not importable — run: pip install 'article-assistant[llm]' (it compiles)")
    from assistant.llm import default_gguf

    port = free_port()
    log = (tmp_path_factory.mktemp("llama") / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(default_gguf())]
        + ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/v1"
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, f"llama.cpp server exited with {proc.returncode}; see {log.name}"
            try:
                urllib.request.urlopen(f"{url}/models", timeout=2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "llama.cpp server did not start within 180 s"
                time.sleep(0.5)
        yield url
    finally:
        stop_process(proc)
        log.close()


def openai_assistant(seed_assistant, base_url: str, timeout: float = 120.0):
    from assistant import Assistant

    settings = seed_assistant.settings.with_(llm="openai", llm_base_url=base_url, llm_timeout=timeout)
    return Assistant(settings, embedder=seed_assistant.embedder)


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    ["Who was first to report the decision?", "Where was Putin when he warned of escalation?"],
)
def test_openai_backend_against_llama_cpp_server(llama_server, seed_assistant, seed_project, question):
    bot = openai_assistant(seed_assistant, llama_server)
    pieces = list(bot.stream(question))
    answer = pieces[-1]
    assert any(isinstance(p, str) and p for p in pieces[:-1])
    assert_verified_or_fallback(answer, seed_project, "openai")
    # A working server must not be reported as unavailable: a fallback here may only be a failed check.
    assert "unavailable" not in answer.notice, answer.notice


@pytest.mark.slow
def test_unreachable_server_falls_back_with_a_notice(seed_assistant, seed_project):
    bot = openai_assistant(seed_assistant, f"http://127.0.0.1:{free_port()}/v1", timeout=5)
    answer = bot.answer("Who was first to report the decision?")
    assert answer.mode == "extractive" and answer.citations
    assert answer.notice.startswith("The language model was unavailable (")
    assert "ConnectionError" in answer.notice  # the cause is named: openai's or langchain-openai's class
    assert_verified_or_fallback(answer, seed_project, "openai")
