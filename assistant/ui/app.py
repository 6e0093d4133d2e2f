"""The Gradio web chat: ``create_app(assistant)`` builds it without serving, ``launch(settings)`` serves it.

A thin adapter over ``Assistant.stream``: ``respond`` is a plain generator (testable without a server) that
streams the reply and then shows the answer with its sources; ``render`` makes all HTML, escaping every
user and article string; ``session`` keeps the conversation in the browser and writes its receipt for
"Download conversation"; ``api`` is the documented ``/ask`` endpoint. gradio is imported only inside
functions, so ``import assistant`` and ``article-assistant --help`` stay light. No retrieval or composing
happens here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from assistant.core import ANSWER_MODES, Assistant, clean_question
from assistant.errors import AssistantError, BadQuestion
from assistant.models import Answer
from assistant.retrieval import make_filter
from assistant.ui.api import MCP_INSTALL, ask_endpoint, require_mcp
from assistant.ui.api import ask_api as ask_api  # re-exported: the API's pieces live in api
from assistant.ui.api import one_line as _one_line
from assistant.ui.api import parse_history as parse_history
from assistant.ui.auth import auth_for, check_mcp
from assistant.ui.render import (
    CSS,
    answer_html,
    error_html,
    header_html,
    pending_html,
    question_html,
    sources_id,
)
from assistant.ui.session import STORAGE_KEY, ReceiptFiles, restore
from assistant.ui.upload_panel import panel, wire
from assistant.uploads import MAX_BYTES

if TYPE_CHECKING:
    import gradio as gr

    from assistant.settings import Settings

EXAMPLES = (
    "What did Biden let Ukraine do?",
    "Who was first to report the decision?",
    "Where was Putin when he warned of escalation?",
)
SHOWN_CHARS = 300  # how much of a rejected over-long question the chat repeats back
CONCURRENCY = 8
UPLOAD_CEILING = 4 * MAX_BYTES


ALL_ARTICLES = "All articles"


def article_choices(metas: list[dict]) -> list[tuple[str, str]]:
    """The article picker's ``(label, source)`` choices: "All articles" (source "") first, then each
    article by title (its file name when it has none; both when two share a title)."""
    labels = [str(m.get("title") or "").strip() or Path(str(m.get("source", ""))).name for m in metas]
    shared = {label for label in labels if labels.count(label) > 1}
    choices = [
        (f"{label} ({Path(str(m['source'])).name})" if label in shared else label, str(m["source"]))
        for label, m in zip(labels, metas, strict=True)
        if m.get("source")
    ]
    return [(ALL_ARTICLES, ""), *sorted(choices, key=lambda c: (c[0].casefold(), c[1]))]


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
    source: str = "",
) -> Iterator[tuple[str, list[dict], list[dict]]]:
    """Yield ``(textbox, chat, turns)`` as the reply streams in.

    ``chat`` holds the displayed (HTML) messages; ``turns`` the plain user/assistant texts that follow-ups
    are resolved against, each assistant turn with its ``answer`` (``Answer.to_dict()``: the receipt).
    Empty input changes nothing; a bad question, a bad filter or a failure shows one line.
    ``date_from``/``date_to`` (YYYY-MM-DD), ``outlet`` and ``source`` (one article) narrow the articles;
    blank means any.
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
    uid = sources_id(turns)
    text, final = "", None
    try:
        where = make_filter(date_from or "", date_to or "", outlet or "", source or "")
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
    turns += [_msg("user", question), {**_msg("assistant", final.text), "answer": final.to_dict()}]
    yield "", list(chat), list(turns)


def _msg(role: str, content: str) -> dict:
    return {"role": role, "content": content}


def _layout(gr, settings: Settings, metas: list[dict], source: str) -> SimpleNamespace:
    """The page's components (inside an open ``gr.Blocks``)."""
    ui = SimpleNamespace()
    ui.header = gr.HTML(header_html(metas))
    ui.article = gr.Dropdown(
        article_choices(metas), value=source, label="Article", elem_id="aa-article", interactive=True
    )
    ui.chatbot = gr.Chatbot(
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
        ui.box = gr.Textbox(
            elem_id="aa-question",
            show_label=False,
            placeholder="Ask about the article and press Enter",
            scale=8,
            autofocus=True,
            lines=1,
            max_lines=4,
        )
        ui.send = gr.Button("Ask", variant="primary", scale=1, min_width=80)
    with gr.Row():
        ui.examples = [gr.Button(q, size="sm", variant="secondary") for q in EXAMPLES]
        ui.clear = gr.Button("Clear conversation", size="sm", variant="secondary", elem_id="aa-clear")
        ui.download = gr.DownloadButton(
            "Download conversation", value=None, size="sm", variant="secondary", elem_id="aa-download"
        )
    with gr.Accordion("Settings", open=False):
        ui.n_sources = gr.Slider(1, 5, step=1, value=settings.n_sources, label="Number of sources")
        modes = list(ANSWER_MODES)
        ui.mode = gr.Dropdown(modes, value=settings.llm if settings.llm in modes else modes[0], label="Mode")
        with gr.Row():
            ui.date_from = gr.Textbox(label="Date from", placeholder="YYYY-MM-DD", max_lines=1)
            ui.date_to = gr.Textbox(label="Date to", placeholder="YYYY-MM-DD", max_lines=1)
            ui.outlet = gr.Dropdown(
                [("any", "")] + [(o, o) for o in outlets(metas)], value="", label="Outlet"
            )
    ui.add = panel(gr)
    ui.turns = gr.State([])
    ui.saved = gr.BrowserState([], storage_key=STORAGE_KEY)  # the turns, kept across reloads
    return ui


def create_app(assistant: Assistant, source: str = "") -> gr.Blocks:
    """Build the chat app (not served); ``source`` preselects one article in the picker (validated).
    Style it with ``launch_options()`` when launching it yourself."""
    import gradio as gr

    metas = assistant.articles()  # read once: the header, the article picker and the outlet choices
    picked = assistant.check_where({"source": source})["source"] if source.strip() else ""
    files = ReceiptFiles()

    def chat_fn(message, chat, turns, n_sources, mode, date_from, date_to, outlet, article):
        yield from respond(
            assistant, message, chat, turns, n_sources, mode, date_from, date_to, outlet, article
        )

    def save(turns):  # after each question: into the browser, and as the file to download
        return turns, files.write(turns or [])

    def load(saved, current):
        known = {str(m.get("source", "")) for m in assistant.articles()}
        chat, turns = restore(saved, assistant.settings.root, known)
        if current or not turns:  # a question beat the page load, or nothing was saved: leave the chat be
            return gr.skip(), gr.skip(), gr.skip()
        return chat, turns, files.write(turns)

    with gr.Blocks(title="Article assistant", analytics_enabled=False) as app:
        ui = _layout(gr, assistant.settings, metas, picked)
        filters = [ui.date_from, ui.date_to, ui.outlet, ui.article]
        inputs = [ui.box, ui.chatbot, ui.turns, ui.n_sources, ui.mode, *filters]
        outputs = [ui.box, ui.chatbot, ui.turns]
        quiet = {"api_visibility": "private", "show_progress": "hidden"}
        asked = [
            ui.box.submit(chat_fn, inputs, outputs, **quiet),
            ui.send.click(chat_fn, inputs, outputs, **quiet),
        ]
        for button, question in zip(ui.examples, EXAMPLES, strict=True):
            typed = button.click(lambda q=question: q, None, ui.box, queue=False, **quiet)
            asked.append(typed.then(chat_fn, inputs, outputs, **quiet))
        for event in asked:
            event.then(save, ui.turns, [ui.saved, ui.download], queue=False, **quiet)
        cleared = [ui.box, ui.chatbot, ui.turns, ui.saved, ui.download]
        ui.clear.click(lambda: ("", [], [], [], None), None, cleared, queue=False, **quiet)
        ui.chatbot.clear(
            lambda: ([], [], None), None, cleared[2:], queue=False, **quiet
        )  # its own trash button
        app.load(load, [ui.saved, ui.turns], [ui.chatbot, ui.turns, ui.download], queue=False, **quiet)
        wire(gr, assistant, ui.add, ui.header, ui.article, header_html, article_choices)
        gr.api(ask_endpoint(assistant), api_name="ask")
    app.queue(default_concurrency_limit=CONCURRENCY)  # several readers at once, not Gradio's one
    return app


def launch_options() -> dict:
    """Theme, CSS and the upload ceiling (Gradio 6 takes them at launch); system fonts, no web fonts."""
    import gradio as gr

    theme = gr.themes.Default(
        font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]
    )
    # Gradio refuses bigger uploads before they reach the disk; up to this size the panel says why in a line.
    return {"theme": theme, "css": CSS, "max_file_size": UPLOAD_CEILING}


def launch(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 7860,
    env: Mapping[str, str] | None = None,
    source: str = "",
    mcp: bool = False,
) -> None:
    """Build the default Assistant (and the index if needed), then serve the chat until interrupted.

    An entry point: reads ``ASSISTANT_AUTH``/``ASSISTANT_AUTH_FILE`` from ``env`` (default ``os.environ``)
    and refuses, before loading anything, to serve a non-loopback ``host`` without them. ``source``
    preselects one article in the picker. ``mcp`` also serves ``/ask`` as an MCP tool (Gradio's MCP server),
    only on loopback without a login, and only with the ``mcp`` extra installed.
    """
    env = os.environ if env is None else env
    if mcp:  # before auth_for, so an off-loopback --mcp is told why rather than to set a password
        check_mcp(host, env)
        require_mcp()
    auth = auth_for(host, env)
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    # Warmed before gradio is imported, not beside it in a thread: two threads importing packages they share
    # (numpy, pydantic, httpx) can each see the other's half-initialised module and fail (CI did, once).
    # Imports hold the GIL, so the overlap bought little: warm-up 2.2 s, then gradio 4.2 s, in turn.
    assistant = Assistant(settings).warm()
    app = create_app(assistant, source=source)
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
            mcp_server=mcp,
            footer_links=["api"],
            **launch_options(),
        )
    except OSError as e:
        raise AssistantError(f"cannot serve on {host}:{port} ({e}) — choose another with --port") from e
    url = url or f"http://{host}:{port}/"
    if mcp and not app.mcp_server:  # Gradio, launched quietly, drops a failed MCP server without a word
        app.close()
        raise AssistantError(f"{app.mcp_error} — serve without --mcp, or reinstall: {MCP_INSTALL}")
    print(f"article-assistant: chat at {url}", flush=True)
    if mcp:
        print(f"article-assistant: MCP at {url}gradio_api/mcp/ (tool: ask)", flush=True)
    try:
        app.block_thread()
    finally:
        app.close()
