"""Articles added from the chat page: checked, saved under ``<seeds>/uploads/``, then indexed at once.

An upload (``.txt``, ``.md``, ``.html``) or a pasted text becomes one new file in the uploads folder. The
client's file name only suggests a slug: it is never used as a path, and a file is never overwritten
(``open(..., "x")``, with ``-2``, ``-3``… on a clash). An HTML page is converted on arrival to the text a
reader is shown (a front-matter header and the page's main text, see ``index.loader.html_article``), so
no markup or script is kept, and the saved file is the one citations point into. Everything the indexer
would refuse is refused here first, in one line, before anything is written.

>>> slug("../../x y.TXT")
'x-y'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import AssistantError
from index.loader import HTML, content_hash, html_article, parse_article, relative_source

if TYPE_CHECKING:
    from assistant.core import Assistant

UPLOADS = "uploads"
MAX_BYTES = 1_000_000
MAX_TITLE_CHARS = 200
SUFFIXES = (".txt", ".md", *HTML)
_SLUG_CHARS = 60
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


class UploadError(AssistantError):
    """An upload or pasted article that cannot be added; nothing was written."""

    exit_code = 2


@dataclass(frozen=True)
class Upload:
    """A checked article, ready to save: its suggested name and its text."""

    name: str
    suffix: str
    text: str


def slug(name: str) -> str:
    """A safe file stem from a client's file name or a title: its last path part, ASCII, lower-case."""
    base = re.split(r"[\\/]", name)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    bare = "".join(c for c in unicodedata.normalize("NFKD", stem) if not unicodedata.combining(c))
    return _NOT_SLUG.sub("-", bare.lower()).strip("-")[:_SLUG_CHARS].strip("-") or "article"


def _suffix(name: str) -> str:
    base = re.split(r"[\\/]", name)[-1]
    return "." + base.rsplit(".", 1)[1].lower() if "." in base.lstrip(".") else ""


def _shown(name: str) -> str:
    return re.split(r"[\\/]", name)[-1][:80] or "the file"


def check_size(shown: str, size: int) -> None:
    if size > MAX_BYTES:
        raise UploadError(
            f"{shown} is {size / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB — trim or split it"
        )


def _decode(shown: str, data: bytes) -> str:
    if not data.strip():
        raise UploadError(f"{shown} is empty — choose a file with the article's text")
    check_size(shown, len(data))
    if b"\x00" in data:
        raise UploadError(f"{shown} is a binary file, not an article — upload .txt, .md or .html text")
    try:
        return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as e:
        raise UploadError(f"{shown} is not UTF-8 (byte {e.start}) — re-save it as UTF-8, then upload") from e


def check_file(name: str, data: bytes) -> Upload:
    """An uploaded file checked and converted (HTML to text); UploadError says what is wrong in one line."""
    shown, suffix = _shown(name), _suffix(name)
    if suffix not in SUFFIXES:
        raise UploadError(f"{shown}: only .txt, .md and .html articles can be added — save it as one")
    text = _decode(shown, data)
    if suffix in HTML:
        text = html_article(text, original=shown)
        if not text:
            raise UploadError(f"{shown} has no article text that could be extracted — check the page")
        suffix = ".md"
    body_start, _ = parse_article(text)
    if not text[body_start:].strip():
        raise UploadError(f"{shown} has a header but no article text — add the text and upload again")
    return Upload(slug(name), suffix, text)


def check_pasted(title: str, day: str, text: str) -> Upload:
    """A pasted article (title, optional ``YYYY-MM-DD`` date, text) as a Markdown file with front matter."""
    title = " ".join(str(title or "").split())
    text = str(text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    day = str(day or "").strip()
    if not title:
        raise UploadError("the pasted article has no title — give it one")
    if len(title) > MAX_TITLE_CHARS:
        raise UploadError(f"the title has {len(title)} characters, over {MAX_TITLE_CHARS} — shorten it")
    if not text:
        raise UploadError("the pasted article has no text — paste the article's text")
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise UploadError(f"the pasted text is over {MAX_BYTES / 1e6:.0f} MB — trim it or split it")
    if day:
        try:
            date.fromisoformat(day)
        except ValueError:
            raise UploadError(f"date {day[:20]!r} is not a date — write YYYY-MM-DD or leave it out") from None
    header = f"title: {title}\n" + (f"date: {day}\n" if day else "")
    return Upload(slug(title), ".md", f"---\n{header}---\n{text}\n")


def duplicate_of(upload: Upload, articles: list[dict]) -> str:
    """The source of an indexed article with exactly this text, or ""."""
    digest = content_hash(upload.text)
    return next((str(m.get("source", "")) for m in articles if m.get("hash") == digest), "")


def save(upload: Upload, seeds_dir: Path) -> Path:
    """Write the article as a new file in ``<seeds_dir>/uploads/`` (created if needed) and return its path.

    The name is the slug plus ``-2``, ``-3``… if taken; an existing file is never overwritten.
    """
    folder = (seeds_dir / UPLOADS).resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for n in range(1, 1000):
            path = folder / f"{upload.name}{'' if n == 1 else f'-{n}'}{upload.suffix}"
            if path.parent != folder:  # cannot happen with a slug; checked so no later change can break it
                raise UploadError(f"{upload.name!r} is not a safe file name — rename the file")
            if _write_new(path, upload.text):
                return path
    except OSError as e:
        raise UploadError(f"cannot save into {folder} ({e.strerror or e}) — make that folder writable") from e
    raise UploadError(f"too many uploads named {upload.name} — rename the file")


def _write_new(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` if no file is there (False if one is); a failed write leaves no file."""
    try:
        f = path.open("x", encoding="utf-8", newline="\n")
    except FileExistsError:
        return False
    try:
        with f:
            f.write(text)
    except BaseException:
        path.unlink(missing_ok=True)  # ours: created by the open above
        raise
    return True


def add(assistant: Assistant, upload: Upload) -> str:
    """Save ``upload`` and index it; return its source (path relative to the root), answerable at once.

    An article already indexed with the same text is not saved again; a file the indexer turns down is
    removed again, so a failed upload leaves nothing behind.
    """
    if known := duplicate_of(upload, assistant.articles()):
        raise UploadError(f"this article is already indexed as {known} — nothing was added")
    settings = assistant.settings
    path = save(upload, settings.seeds_dir)
    source = relative_source(path, settings.root)
    try:
        report = assistant.reindex(changed=[path])  # only this file: the archive is not read again
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if source not in report.added:
        path.unlink(missing_ok=True)
        why = next((str(e) for e in report.errors if path.name in str(e)), "") or next(
            (f"a copy of {kept}" for dropped, kept, _ in report.duplicates if dropped == source), "see log"
        )
        raise UploadError(f"{upload.name}{upload.suffix} was not indexed ({why}) — fix it and add it again")
    return source
