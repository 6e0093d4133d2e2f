"""The Gradio web chat: ``create_app(assistant)`` builds it without serving, ``launch(settings)`` serves it.

A thin adapter over ``Assistant.stream``: ``respond`` is a plain generator (testable without a server) that
streams the reply and then shows the answer with its sources; ``ui_render`` makes all HTML, escaping every
user and article string. ``ask`` is the documented API endpoint. gradio is imported only inside functions,
so ``import assistant`` and ``article-assistant --help`` stay light. No retrieval or composing happens here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from assistant.core import ANSWER_MODES, Assistant, clean_question
from assistant.errors import AssistantError, BadQuestion
from assistant.models import Answer
from assistant.retrieval import make_filter
from assistant.ui_auth import auth_for
from assistant.ui_render import (
    CSS,
    answer_html,
    error_html,
    header_html,
    pending_html,
    question_html,
)

if TYPE_CHECKING:
    import gradio as gr

    from assistant.settings import Settings

EXAMPLES = (
    "What did Biden allow Ukraine to do?",
    "Who first reported the decision?",
    "Where was Putin when he talked about escalation?",
)
SHOWN_CHARS = 300  # how much of a rejected over-long question the chat repeats back
CONCURRENCY = 8


def _one_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def articles(assistant: Assistant) -> list[dict]:
    """Metadata (title, date, source...) of the indexed articles, ordered by source."""
    got = assistant.store.docs.get(include=["metadatas"])
    return sorted((m for m in got.get("metadatas") or [] if m), key=lambda m: str(m.get("source", "")))


def outlets(metas: list[dict]) -> list[str]:
    """The outlets named by the indexed articles, sorted: the choices of the outlet filter."""
    return sorted({str(m["outlet"]).strip() for m in metas if str(m.get("outlet") or "").strip()})


def respond(
    assistant: Assistant,
    message: str,
    chat: list[dict] | None,
    turns: list[dict] | None,
    n_sources: float | None = None,
    mode: str | None = None,
    date_from: str = "",
    date_to: str = "",
    outlet: str = "",
) -> Iterator[tuple[str, list[dict], list[dict]]]:
    """Yield ``(textbox, chat, turns)`` as the reply streams in.

    ``chat`` holds the displayed (HTML) messages; ``turns`` the plain user/assistant texts that follow-ups
    are resolved against. Empty input changes nothing; a bad question, a bad filter or a failure shows one
    line. ``date_from``/``date_to`` (YYYY-MM-DD) and ``outlet`` narrow the articles; blank means any.
    """
    chat, turns = list(chat or []), list(turns or [])
    if not isinstance(message, str) or not message.strip():
        yield "", list(chat), list(turns)
        return
    try:
        question = clean_question(message, assistant.settings.max_question_chars)
    except BadQuestion as e:
        shown = " ".join(message.split())
        shown = shown[:SHOWN_CHARS] + ("…" if len(shown) > SHOWN_CHARS else "")
        chat += [_msg("user", question_html(shown)), _msg("assistant", error_html(_one_line(e)))]
        yield message, list(chat), list(turns)  # keep the text in the box, so it can be shortened
        return
    chat += [_msg("user", question_html(question)), _msg("assistant", pending_html(""))]
    yield "", list(chat), list(turns)
    uid = f"aa-src-{len(turns) // 2 + 1}"
    text, final = "", None
    try:
        where = make_filter(date_from or "", date_to or "", outlet or "")
        n = int(n_sources or 0) or None
        stream = assistant.stream(question, turns, n_sources=n, mode=mode or None, where=where)
        for piece in stream:
            if isinstance(piece, Answer):
                final = piece
            else:
                text += piece
                chat[-1] = _msg("assistant", pending_html(text))
                yield "", list(chat), list(turns)
    except AssistantError as e:
        chat[-1] = _msg("assistant", error_html(_one_line(e)))
        yield "", list(chat), list(turns)
        return
    assert final is not None  # Assistant.stream always ends with an Answer
    chat[-1] = _msg("assistant", answer_html(final, assistant.settings.root, uid))
    turns += [_msg("user", question), _msg("assistant", final.text)]
    yield "", list(chat), list(turns)


def _msg(role: str, content: str) -> dict:
    return {"role": role, "content": content}


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
) -> dict:
    """The ``/ask`` endpoint: the Answer as a dict (``text``, ``refused``, ``citations``...)."""
    turns = parse_history(history)
    where = make_filter(date_from or "", date_to or "", outlet or "")
    return assistant.answer(question, turns, n_sources=int(n_sources or 0) or None, where=where).to_dict()


def create_app(assistant: Assistant) -> gr.Blocks:
    """Build the chat app (not served). Style it with ``launch_options()`` when launching it yourself."""
    import gradio as gr

    settings = assistant.settings
    metas = articles(assistant)  # read once: the header and the outlet choices

    def chat_fn(message, chat, turns, n_sources, mode, date_from, date_to, outlet):
        yield from respond(assistant, message, chat, turns, n_sources, mode, date_from, date_to, outlet)

    def ask(
        question: str,
        history: str = "",
        n_sources: int = 0,
        date_from: str = "",
        date_to: str = "",
        outlet: str = "",
    ) -> dict:
        """Answer a question about the articles.

        `history` is an optional JSON list of {"role": "user"|"assistant", "content": str} turns;
        `n_sources` 0 means the default. `date_from`/`date_to` (YYYY-MM-DD) and `outlet` keep only the
        articles that match; blank means any. Returns the Answer as a dict: text, refused, citations
        (n, source, start, end, quote, title, date, paragraph, outlet, url) and more.
        """
        try:
            return ask_api(assistant, question, history, n_sources, date_from, date_to, outlet)
        except AssistantError as e:
            raise gr.Error(_one_line(e)) from e

    with gr.Blocks(title="Article assistant", analytics_enabled=False) as app:
        gr.HTML(header_html(metas))
        chatbot = gr.Chatbot(
            elem_id="aa-chat",
            show_label=False,
            height=520,
            sanitize_html=True,
            allow_tags=False,
            latex_delimiters=[],
            feedback_options=None,
            buttons=["copy"],
            placeholder="Ask a question about the article. Every answer quotes it.",
        )
        with gr.Row():
            box = gr.Textbox(
                elem_id="aa-question",
                show_label=False,
                placeholder="Ask about the article and press Enter",
                scale=8,
                autofocus=True,
                lines=1,
                max_lines=4,
            )
            send = gr.Button("Ask", variant="primary", scale=1, min_width=80)
        with gr.Row():
            example_buttons = [gr.Button(q, size="sm", variant="secondary") for q in EXAMPLES]
            clear = gr.Button("Clear conversation", size="sm", variant="secondary", elem_id="aa-clear")
        with gr.Accordion("Settings", open=False):
            n_sources = gr.Slider(1, 5, step=1, value=settings.n_sources, label="Number of sources")
            modes = list(ANSWER_MODES)
            mode = gr.Dropdown(modes, value=settings.llm if settings.llm in modes else modes[0], label="Mode")
            with gr.Row():
                date_from = gr.Textbox(label="Date from", placeholder="YYYY-MM-DD", max_lines=1)
                date_to = gr.Textbox(label="Date to", placeholder="YYYY-MM-DD", max_lines=1)
                outlet = gr.Dropdown(
                    [("any", "")] + [(o, o) for o in outlets(metas)], value="", label="Outlet"
                )
        turns = gr.State([])

        filters = [date_from, date_to, outlet]
        inputs, outputs = [box, chatbot, turns, n_sources, mode, *filters], [box, chatbot, turns]
        quiet = {"api_visibility": "private", "show_progress": "hidden"}
        box.submit(chat_fn, inputs, outputs, **quiet)
        send.click(chat_fn, inputs, outputs, **quiet)
        for button, question in zip(example_buttons, EXAMPLES, strict=True):
            button.click(lambda q=question: q, None, box, queue=False, **quiet).then(
                chat_fn, inputs, outputs, **quiet
            )
        clear.click(lambda: ("", [], []), None, outputs, queue=False, **quiet)
        chatbot.clear(lambda: [], None, turns, queue=False, **quiet)  # the chat's own trash button
        gr.api(ask, api_name="ask")
    app.queue(default_concurrency_limit=CONCURRENCY)  # several readers at once, not Gradio's one
    return app


def launch_options() -> dict:
    """Theme and CSS (Gradio 6 takes them at launch); system fonts, so the page fetches no web fonts."""
    import gradio as gr

    theme = gr.themes.Default(
        font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]
    )
    return {"theme": theme, "css": CSS}


def launch(
    settings: Settings, host: str = "127.0.0.1", port: int = 7860, env: Mapping[str, str] | None = None
) -> None:
    """Build the default Assistant (and the index if needed), then serve the chat until interrupted.

    An entry point: reads ``ASSISTANT_AUTH``/``ASSISTANT_AUTH_FILE`` from ``env`` (default ``os.environ``)
    and refuses, before loading anything, to serve a non-loopback ``host`` without them.
    """
    auth = auth_for(host, os.environ if env is None else env)
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    assistant = Assistant(settings).warm()
    app = create_app(assistant)
    try:
        _, url, _ = app.launch(
            server_name=host,
            server_port=port,
            auth=auth,
            share=False,  # never a public share link; and no allowed_paths: Gradio serves no local files
            inbrowser=False,
            prevent_thread_lock=True,
            quiet=True,
            ssr_mode=False,
            mcp_server=False,
            footer_links=["api"],
            **launch_options(),
        )
    except OSError as e:
        raise AssistantError(f"cannot serve on {host}:{port} ({e}) — choose another with --port") from e
    print(f"article-assistant: chat at {url or f'http://{host}:{port}/'}", flush=True)
    try:
        app.block_thread()
    finally:
        app.close()
