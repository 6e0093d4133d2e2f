"""What the chat keeps for a reader: the conversation saved in the browser, and its receipt to download.

The chat's turns (``ui.respond``'s: each assistant turn carries its ``Answer.to_dict()``) are saved in the
browser's localStorage through ``gr.BrowserState`` and come back after a reload; ``restore`` rebuilds the
chat from them. What comes back from a browser is the reader's to change, so it is checked again: an
answer is shown only when its fields have the right types and its citations name indexed articles (no other
path is ever read), and all of it is escaped by ``render``. ``ReceiptFiles`` writes the conversation's
receipt (``assistant.receipts.conversation``) as the file "Download conversation" offers.

This module does not import gradio.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import threading
import time
from collections.abc import Collection, Sequence
from pathlib import Path

from assistant.models import Answer
from assistant.receipts import conversation, is_citation
from assistant.ui.render import answer_html, question_html, sources_id

STORAGE_KEY = "article-assistant-conversation"  # fixed, so a reload (or a restarted app) finds it
RECEIPT_NAME = "article-assistant-conversation.json"
KEEP_SECONDS = 600.0  # a receipt file is needed only until Gradio has copied it into its own cache
_TEXT_FIELDS = ("title", "date", "outlet", "url")


def _answer(data: object, known: Collection[str]) -> Answer | None:
    """The saved answer, when it is well-formed and cites only indexed articles; else None."""
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return None

    def indexed(c: object) -> bool:
        return (
            is_citation(c)
            and c["source"] in known
            and all(isinstance(c.get(k, ""), str) for k in _TEXT_FIELDS)
            and type(c.get("paragraph", 0)) is int
        )

    cited, short = data.get("citations", []), data.get("short")
    ok = isinstance(cited, list) and all(indexed(c) for c in cited) and (short is None or indexed(short))
    others = ("notice", "question", "mode", "retrieval_query", "kind")
    if not ok or not all(isinstance(data.get(k, ""), str) for k in others):
        return None
    try:
        return Answer.from_dict(data)
    except (TypeError, ValueError):
        return None


def restore(saved: object, root: Path, known: Collection[str]) -> tuple[list[dict], list[dict]]:
    """``(chat, turns)`` rebuilt from turns saved in the browser; exchanges that do not check out are
    left out."""
    if not isinstance(saved, list):
        return [], []
    chat: list[dict] = []
    turns: list[dict] = []
    for user, reply in zip(saved[::2], saved[1::2], strict=False):
        question = user.get("content") if isinstance(user, dict) and user.get("role") == "user" else None
        is_reply = isinstance(reply, dict) and reply.get("role") == "assistant"
        answer = _answer(reply.get("answer"), known) if is_reply else None
        if not isinstance(question, str) or answer is None:
            continue
        uid = sources_id(turns)
        chat += [
            {"role": "user", "content": question_html(question)},
            {"role": "assistant", "content": answer_html(answer, root, uid)},
        ]
        turns += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer.text, "answer": answer.to_dict()},
        ]
    return chat, turns


class ReceiptFiles:
    """Writes conversation receipts into a private temporary directory (removed when the process exits),
    pruning files older than ``keep_seconds``."""

    def __init__(self, keep_seconds: float = KEEP_SECONDS) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="aa-receipts-")
        self.keep_seconds = keep_seconds
        self._lock = threading.Lock()

    @property
    def directory(self) -> Path:
        return Path(self._dir.name)

    def write(self, turns: Sequence[dict]) -> str | None:
        """The path of a new receipt file for ``turns``, or None when no question was answered yet."""
        receipt = conversation(turns)
        if not receipt["exchanges"]:
            return None
        body = json.dumps(receipt, ensure_ascii=False, indent=2) + "\n"
        folder = self.directory / hashlib.sha256(body.encode("utf-8")).hexdigest()[:20]
        with self._lock:
            self._prune()
            folder.mkdir(exist_ok=True)
        path = folder / RECEIPT_NAME  # one folder each, so every download keeps this name
        path.write_text(body, encoding="utf-8")
        return str(path)

    def _prune(self) -> None:
        old = time.time() - self.keep_seconds
        for folder in self.directory.iterdir():
            try:
                if folder.stat().st_mtime < old:
                    shutil.rmtree(folder, ignore_errors=True)
            except FileNotFoundError:
                continue
