"""The chat page's "Add an article" panel: upload a file or paste a text, and ask about it at once.

``add_file`` and ``add_pasted`` are plain functions (testable without a server): each checks and saves the
article through ``assistant.uploads`` and returns one line of HTML saying what happened, escaped like
every other string the page shows. ``panel`` builds the components; ``wire`` connects them and refreshes
the header and the article picker after an article is added.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from assistant.errors import AssistantError
from assistant.ui.api import one_line
from assistant.ui.render import error_html, esc
from assistant.uploads import MAX_BYTES, SUFFIXES, add, check_file, check_pasted, check_size

if TYPE_CHECKING:
    from assistant.core import Assistant


ADDED = '<div class="aa-added">'


def _added_html(assistant: Assistant, source: str) -> str:
    meta = next((m for m in assistant.articles() if m.get("source") == source), {})
    title = str(meta.get("title") or Path(source).name)
    return f"{ADDED}Added “{esc(title)}” as {esc(source)}. Ask about it now.</div>"


def add_file(assistant: Assistant, path: str | None) -> str:
    """Add the uploaded file at ``path`` (Gradio's copy; only its name's suffix and stem are used)."""
    if not path:
        return ""
    name = Path(path).name
    try:
        check_size(name, Path(path).stat().st_size)
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
        return _added_html(assistant, add(assistant, check_file(name, data)))
    except OSError as e:
        return error_html(f"cannot read the upload ({e.strerror}) — upload it again")
    except AssistantError as e:
        return error_html(one_line(e))


def add_pasted(assistant: Assistant, title: str, day: str, text: str) -> str:
    """Add a pasted article (title, optional ``YYYY-MM-DD`` date, text)."""
    try:
        return _added_html(assistant, add(assistant, check_pasted(title, day, text)))
    except AssistantError as e:
        return error_html(one_line(e))


def panel(gr) -> SimpleNamespace:
    """The "Add an article" components (inside an open ``gr.Blocks``)."""
    ui = SimpleNamespace()
    with gr.Accordion("Add an article", open=False, elem_id="aa-add"):
        ui.file = gr.File(
            label=f"Upload an article ({', '.join(SUFFIXES)}; up to {MAX_BYTES // 1_000_000} MB)",
            file_types=list(SUFFIXES),
            type="filepath",
            elem_id="aa-upload",
        )
        gr.Markdown("…or paste one:")
        with gr.Row():
            ui.title = gr.Textbox(label="Title", max_lines=1, elem_id="aa-paste-title", scale=3)
            ui.day = gr.Textbox(
                label="Date (optional)",
                placeholder="YYYY-MM-DD",
                max_lines=1,
                elem_id="aa-paste-date",
                scale=1,
            )
        ui.text = gr.Textbox(label="Text", lines=5, elem_id="aa-paste-text")
        ui.paste = gr.Button("Add pasted article", size="sm", elem_id="aa-paste-add")
        ui.status = gr.HTML(elem_id="aa-added")
    return ui


def wire(gr, assistant: Assistant, ui: SimpleNamespace, header, picker, header_html, choices) -> None:
    """Connect the panel: add the article, then show the new header and article choices."""

    def refreshed(status: str):
        metas = assistant.articles()
        return status, header_html(metas), gr.update(choices=choices(metas))

    def on_file(path):
        return (*refreshed(add_file(assistant, path)), None)

    def on_paste(title, day, text):
        status = add_pasted(assistant, title, day, text)
        keep = ("", "", "") if status.startswith(ADDED) else (gr.skip(), gr.skip(), gr.skip())
        return (*refreshed(status), *keep)

    quiet = {"api_visibility": "private", "show_progress": "minimal", "concurrency_limit": 1}
    ui.file.upload(on_file, ui.file, [ui.status, header, picker, ui.file], **quiet)
    ui.paste.click(
        on_paste, [ui.title, ui.day, ui.text], [ui.status, header, picker, ui.title, ui.day, ui.text], **quiet
    )
