"""The chat's one API endpoint, ``/ask``: a question, an optional history and filters in; the Answer out.

``parse_history`` checks the history a client sends; ``ask_api`` answers (testable without a server);
``ask_endpoint`` is the function ``create_app`` registers, whose docstring Gradio shows as the API's help.
gradio is imported only inside functions.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from assistant.errors import AssistantError, BadQuestion
from assistant.retrieval import make_filter

if TYPE_CHECKING:
    from assistant.core import Assistant


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
    assistant: Assistant,
    question: str,
    history: str = "",
    n_sources: int = 0,
    date_from: str = "",
    date_to: str = "",
    outlet: str = "",
    source: str = "",
) -> dict:
    """The ``/ask`` endpoint: the Answer as a dict (``text``, ``refused``, ``citations``...)."""
    turns = parse_history(history)
    where = make_filter(date_from or "", date_to or "", outlet or "", source or "")
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
        """Answer a question about the articles.

        `history` is an optional JSON list of {"role": "user"|"assistant", "content": str} turns;
        `n_sources` 0 means the default. `date_from`/`date_to` (YYYY-MM-DD) and `outlet` keep only the
        articles that match, `source` (an indexed article's path, e.g. seeds/000_5b9ea04de76b7050.txt)
        only that one; blank means any. Returns the Answer as a dict: text, refused, citations
        (n, source, start, end, quote, title, date, paragraph, outlet, url, sha256) and more.
        """
        try:
            return ask_api(assistant, question, history, n_sources, date_from, date_to, outlet, source)
        except AssistantError as e:
            raise gr.Error(one_line(e)) from e

    return ask
