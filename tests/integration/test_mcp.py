"""``article-assistant chat --mcp`` through the ``mcp`` client: the ask tool is listed; its receipts hold."""

from __future__ import annotations

import ast
import asyncio
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evaluation.ui_server import free_port, serve
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
pytest.importorskip("mcp", reason="needs the mcp extra: pip install 'article-assistant[mcp]'")


async def _session(url: str, work):
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async with (
        streamable_http_client(url + "gradio_api/mcp/") as (read, write, _),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        return await work(session)


def _answer(result) -> dict:
    """The Answer dict of a tool result (Gradio sends a dict as its Python literal)."""
    assert not result.isError, result.content
    (content,) = result.content
    return ast.literal_eval(content.text)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mcp-project")


@pytest.fixture(scope="module")
def server(project):
    # ASSISTANT_MCP=1 is --mcp's default from the environment; serve() runs a plain "chat --port N"
    with serve(project, env={"ASSISTANT_MCP": "1"}) as url:
        yield url


@pytest.fixture(scope="module")
def mcp_run(server):
    """Run ``work(session)`` in a fresh MCP session with the module's server."""
    return lambda work: asyncio.run(_session(server, work))


def test_mcp_url_is_printed(server, project):
    line = f"article-assistant: MCP at {server}gradio_api/mcp/ (tool: ask)"
    deadline = time.monotonic() + 10  # printed once launch() returns, which may be after the first request
    while line not in (log := (project / "server.log").read_text(encoding="utf-8")):
        assert time.monotonic() < deadline, log
        time.sleep(0.2)


def test_only_ask_is_listed_with_its_description(mcp_run):
    tools = mcp_run(lambda s: s.list_tools()).tools
    assert [t.name for t in tools] == ["ask"]
    (ask,) = tools
    assert ask.description.startswith("Answer a question about the indexed news articles with exact quotes")
    assert "sha256" in ask.description
    props = ask.inputSchema["properties"]
    assert list(props) == ["question", "history", "n_sources", "date_from", "date_to", "outlet", "source"]
    assert all(p.get("description") for p in props.values())
    assert ask.inputSchema["required"] == ["question"]


def test_answer_citations_are_exact(mcp_run, project):
    result = mcp_run(lambda s: s.call_tool("ask", {"question": "What did Biden let Ukraine do?"}))
    answer = _answer(result)
    assert answer["refused"] is False and answer["citations"]
    for c in answer["citations"]:
        path = project / c["source"]
        assert path.read_text(encoding="utf-8")[c["start"] : c["end"]] == c["quote"]
        assert c["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"[{c['n']}]" in answer["text"]


def test_unanswerable_question_is_refused(mcp_run):
    answer = _answer(mcp_run(lambda s: s.call_tool("ask", {"question": "What is the population of Mars?"})))
    assert answer["refused"] is True and answer["citations"] == []


def test_mcp_off_loopback_is_refused_before_loading(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ASSISTANT_AUTH": "reader:secret"}
    cmd = [
        sys.executable,
        "-m",
        "assistant.cli",
        *"chat --mcp --host 0.0.0.0 --port".split(),
        str(free_port()),
    ]
    out = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.strip().splitlines() == [
        "error: --mcp cannot be password-protected (Gradio's MCP routes skip the login) — serve it on "
        "--host 127.0.0.1 with ASSISTANT_AUTH and ASSISTANT_AUTH_FILE unset"
    ]
