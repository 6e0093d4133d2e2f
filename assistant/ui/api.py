"""The chat's one API endpoint, ``/ask``: a question, an optional history and filters in; the Answer out.

``parse_history`` checks the history a client sends; ``ask_api`` answers (testable without a server);
``ask_endpoint`` is the function ``create_app`` registers, whose docstring Gradio shows as the API's help and,
with ``chat --mcp``, as the MCP tool's description and parameters (``require_mcp`` checks that extra first).
gradio and mcp are imported only inside functions.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from assistant.errors import AssistantError, BadQuestion, ConfigError
from assistant.retrieval import make_filter

if TYPE_CHECKING:
    from assistant.core import Assistant


MCP_INSTALL = "pip install 'article-assistant[mcp]'"


def require_mcp() -> None:
    """Fail in one line before serving: a quiet Gradio serves the chat without MCP when ``mcp`` is missing."""
    try:
        import mcp  # noqa: F401
    except ImportError as e:
        raise ConfigError(f"--mcp needs the mcp package — run: {MCP_INSTALL}") from e


def one_line(error: Exception) -> str:
    """The first line of an error's message (the whole message, for this project's errors)."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def parse_history(history: str | list | None) -> list[dict]:
    """Chat history given to the API: a JSON list (or list) of ``{"role", "content"}`` objects."""
    if history is None or (isinstance(history, str) and not history.strip()):
        return []
    try:
        turns = json.loads(history) if isinstance(history, str) else history
    except json.JSONDecodeError as e:
        raise BadQuestion(f"history is not valid JSON ({e.msg}) — pass a list of role/content objects") from e
    ok = isinstance(turns, list) and all(
        isinstance(t, dict) and t.get("role") in {"user", "assistant"} and isinstance(t.get("content"), str)
        for t in turns
    )
    if not ok:
        raise BadQuestion('history must be a list of {"role": "user"|"assistant", "content": "..."} objects')
    return [{"role": t["role"], "content": t["content"]} for t in turns]


def ask_api(
    assistant: Assistant, question: str, history: str = "", n_sources: int = 0, *filters: str
) -> dict:
    """The ``/ask`` endpoint: the Answer as a dict (``text``, ``refused``, ``citations``...).

    ``filters`` are ``make_filter``'s, in its order: date_from, date_to, outlet, source (blank means any).
    """
    turns = parse_history(history)
    where = make_filter(*(f or "" for f in filters))
    return assistant.answer(question, turns, n_sources=int(n_sources or 0) or None, where=where).to_dict()


def ask_endpoint(assistant: Assistant):
    """The ``/ask`` function for ``gr.api``: ``ask_api`` with errors as ``gr.Error``."""
    import gradio as gr

    def ask(
        question: str,
        history: str = "",
        n_sources: int = 0,
        date_from: str = "",
        date_to: str = "",
        outlet: str = "",
        source: str = "",
    ) -> dict:
        """Answer a question about the indexed news articles with exact quotes, or refuse if they do not say.

        Args:
            question: the question, e.g. "What did Biden let Ukraine do?"
            history: earlier turns, a JSON list of {"role": "user"|"assistant", "content": str}; blank: none
            n_sources: the most sources the answer may cite; 0 means the default
            date_from: only articles dated on or after this day (YYYY-MM-DD); blank means any
            date_to: only articles dated on or before this day (YYYY-MM-DD); blank means any
            outlet: only articles from this outlet, e.g. "Island Post"; blank means any
            source: only this article, by its indexed path, e.g. seeds/000_5b9ea04de76b7050.txt; blank: any
        Returns:
            the Answer as a dict: text with [n] markers, refused (set when the articles do not say), citations
            each citation has n, source, start, end, quote, sha256, title, date, paragraph, outlet, url
            the source file's text[start:end] is exactly quote; sha256 is of the file's bytes when answered
        """
        try:
            return ask_api(assistant, question, history, n_sources, date_from, date_to, outlet, source)
        except AssistantError as e:
            raise gr.Error(one_line(e)) from e

    return ask
