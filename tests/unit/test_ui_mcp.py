"""``chat --mcp`` refuses in one line, before loading anything, where it would be unsafe or cannot work."""

from __future__ import annotations

import sys

import pytest

from assistant.errors import ConfigError


@pytest.fixture
def nothing_loads(monkeypatch):
    """Fail the test if ``launch`` gets as far as building the Assistant."""
    import assistant.ui.app as ui

    def build(settings):
        raise AssertionError("launch built the Assistant before refusing")

    monkeypatch.setattr(ui, "Assistant", build)


def test_missing_extra_names_the_install(monkeypatch, nothing_loads):
    from assistant.settings import Settings
    from assistant.ui.app import launch

    monkeypatch.setitem(sys.modules, "mcp", None)  # as if not installed: importing it raises ImportError
    with pytest.raises(ConfigError) as e:
        launch(Settings(), env={}, mcp=True)
    assert str(e.value) == "--mcp needs the mcp package — run: pip install 'article-assistant[mcp]'"


@pytest.mark.parametrize(
    ("host", "env"),
    [
        ("0.0.0.0", {"ASSISTANT_AUTH": "ann:pw"}),
        ("192.168.1.5", {}),
        ("127.0.0.1", {"ASSISTANT_AUTH": "a:b"}),
    ],
)
def test_mcp_with_a_login_is_refused(host, env, nothing_loads):
    from assistant.settings import Settings
    from assistant.ui.app import launch

    with pytest.raises(
        ConfigError, match=r"^--mcp cannot be password-protected .* serve it on --host 127.0.0.1"
    ):
        launch(Settings(), host=host, env=env, mcp=True)


def test_loopback_without_a_login_may_serve_mcp():
    from assistant.ui.auth import check_mcp

    check_mcp("127.0.0.1", {})
    check_mcp("localhost", {"ASSISTANT_AUTH": ""})


def test_chat_mcp_flag_and_its_variable(monkeypatch):
    from assistant.cli import build_parser

    monkeypatch.delenv("ASSISTANT_MCP", raising=False)
    assert build_parser().parse_args(["chat", "--mcp"]).mcp is True
    assert build_parser().parse_args(["chat"]).mcp is False
    monkeypatch.setenv("ASSISTANT_MCP", "1")
    assert build_parser().parse_args(["chat"]).mcp is True
