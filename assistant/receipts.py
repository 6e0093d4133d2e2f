"""Receipts: each citation with the SHA-256 of its source file at answer time, and re-checking them later.

``stamp`` fills ``Citation.sha256`` (hashes are cached by path, modification time and size, so a warm
answer costs one ``stat`` per source). A receipt is what ``article-assistant ask --json`` prints (one
``Answer``) or what the chat's "Download conversation" saves (``conversation``: each question with its
answer). ``check`` re-reads every cited file and says, per citation, ``ok`` (same bytes, quote at its
offsets), ``changed`` or ``missing``; ``article-assistant verify FILE`` prints that. An answer's short
answer (``Answer.short``) is a span of its own, stamped and checked like any quote.

This module only reads files: it does not open the index or load a model.

>>> Check("1", "seeds/a.txt", 0, 9, "missing", "no such file").line()
'missing [1] seeds/a.txt:0-9 — no such file'
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from assistant.errors import ReceiptError
from assistant.models import Answer

KIND = "article-assistant conversation"
VERSION = 1
CACHE_LIMIT = 4096

_hashes: dict[tuple[str, int, int], str] = {}
_hashes_lock = threading.Lock()


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of the file's bytes (what ``sha256sum`` prints); "" when it cannot be read."""
    try:
        st = path.stat()
    except OSError:
        return ""
    key = (os.path.abspath(path), st.st_mtime_ns, st.st_size)
    with _hashes_lock:
        known = _hashes.get(key)
    if known:
        return known
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""
    with _hashes_lock:
        if len(_hashes) >= CACHE_LIMIT:
            _hashes.clear()
        _hashes[key] = digest
    return digest


def stamp(answer: Answer, root: Path) -> Answer:
    """Give every citation of ``answer``, and its short answer, the SHA-256 of its source file under
    ``root`` now (in place)."""
    answer.citations = [
        c if c.sha256 else replace(c, sha256=file_sha256(root / c.source)) for c in answer.citations
    ]
    if answer.short is not None and not answer.short.sha256:
        answer.short = replace(answer.short, sha256=file_sha256(root / answer.short.source))
    return answer


def conversation(turns: Sequence[dict], saved_at: datetime | None = None) -> dict:
    """The receipt of a chat from its turns: user turns, each followed by an assistant turn whose
    ``answer`` is the ``Answer.to_dict()`` (turns without one, e.g. rejected questions, are skipped)."""
    exchanges = [
        {"question": str(user.get("content", "")), "answer": reply["answer"]}
        for user, reply in zip(turns[::2], turns[1::2], strict=False)
        if isinstance(user, dict) and isinstance(reply, dict) and isinstance(reply.get("answer"), dict)
    ]
    saved_at = saved_at or datetime.now(UTC)
    return {
        "receipt": KIND,
        "version": VERSION,
        "saved_at": saved_at.isoformat(timespec="seconds"),
        "exchanges": exchanges,
    }


@dataclass(frozen=True)
class Check:
    """What re-reading one cited file found: ``status`` is ``ok``, ``changed`` or ``missing``."""

    label: str  # the citation's number, "2.1" for source 1 of a conversation's second answer, "2.short"
    source: str
    start: int
    end: int
    status: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def line(self) -> str:
        where = f"{self.status} [{self.label}] {self.source}:{self.start}-{self.end}"
        return f"{where} — {self.detail}" if self.detail else where


def is_citation(c: object) -> bool:
    """A citation as a receipt records it: n, source, start, end, quote and sha256 of the right types."""

    def whole(x: object) -> bool:
        return isinstance(x, int) and not isinstance(x, bool)

    return (
        isinstance(c, dict)
        and all(isinstance(c.get(k), str) for k in ("source", "quote", "sha256"))
        and all(whole(c.get(k)) for k in ("n", "start", "end"))
    )


def citations_of(data: object) -> list[tuple[str, dict]]:
    """``(label, citation)`` for every citation of a receipt, a conversation or one answer, each answer's
    short answer (if any) labelled ``short``; raises ``ReceiptError`` (the reason, to be completed with the
    file name) for anything else."""
    if isinstance(data, dict) and isinstance(data.get("exchanges"), list):
        answers = [
            (f"{i}.", e.get("answer") if isinstance(e, dict) else None)
            for i, e in enumerate(data["exchanges"], start=1)
        ]
    elif isinstance(data, dict) and "citations" in data:
        answers = [("", data)]
    else:
        raise ReceiptError("it holds neither an answer's citations nor a conversation's exchanges")
    found = []
    for prefix, answer in answers:
        cited = answer.get("citations") if isinstance(answer, dict) else None
        if not isinstance(cited, list) or not all(is_citation(c) for c in cited):
            raise ReceiptError("its citations lack source, start, end, quote or sha256")
        found += [(f"{prefix}{c['n']}", c) for c in cited]
        short = answer.get("short")
        if short is not None and not is_citation(short):
            raise ReceiptError("its short answer lacks source, start, end, quote or sha256")
        if short is not None:
            found.append((f"{prefix}short", short))
    return found


def check_citation(label: str, c: dict, root: Path) -> Check:
    """Re-read the cited file under ``root``: its bytes' SHA-256 and the quote at its offsets."""
    start, end = c["start"], c["end"]
    result = Check(label, c["source"], start, end, "ok")
    try:
        raw = (root / c["source"]).read_bytes()
    except FileNotFoundError:
        return replace(result, status="missing", detail=f"no such file under {root.resolve()}")
    except OSError as e:
        return replace(result, status="missing", detail=f"cannot read it ({e.strerror or e})")
    digest = hashlib.sha256(raw).hexdigest()
    try:  # decoded as Path.read_text does (universal newlines), which is what offsets count
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        text = None
    quoted = text is not None and text[start:end] == c["quote"]
    where = f"the quote is {'still' if quoted else 'no longer'} at {start}-{end}"
    if c["sha256"] and digest != c["sha256"]:
        detail = f"SHA-256 is now {digest[:12]}…, the receipt has {c['sha256'][:12]}…; {where}"
        return replace(result, status="changed", detail=detail)
    if not quoted:
        return replace(result, status="changed", detail=f"the quote is not at {start}-{end}")
    if not c["sha256"]:
        return replace(result, detail="no SHA-256 was recorded (the file was unreadable); the quote matches")
    return result


def check(data: object, root: Path) -> list[Check]:
    """Every citation of a receipt (already parsed JSON) re-checked against the files under ``root``."""
    return [check_citation(label, c, root) for label, c in citations_of(data)]


def verify_file(path: Path, root: Path) -> list[Check]:
    """Read the receipt at ``path`` and check it; ``ReceiptError`` in one line when it is not one."""
    fix = "give the JSON of 'article-assistant ask --json' or a conversation downloaded from the chat"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ReceiptError(f"cannot read {path} ({e.strerror or e}) — {fix}") from e
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ReceiptError(f"{path} is not a receipt (not JSON) — {fix}") from e
    try:
        return check(data, root)
    except ReceiptError as e:
        raise ReceiptError(f"{path} is not a receipt: {e} — {fix}") from e
