"""Load articles from the seeds directory as LangChain Documents, keeping the file's text unchanged.

``page_content`` is the whole file as ``Path.read_text(encoding="utf-8")`` returns it, so offsets into it are
offsets into the file as a reader (and the citation contract) sees it. Metadata headers are not removed
from the text; their length is recorded as ``body_start`` and the splitter starts there.

Supported: ``.txt`` with an optional leading ``date YYYY-MM-DD`` header, ``.md`` with optional YAML-style
front matter (``title:``, ``date:``, ``url:``, ``outlet:``, ``author:``) or a leading ``# Title`` line, and
``.html``, whose main text is extracted (boilerplate dropped) into a text file kept beside the index.
This module does not split, embed or store anything.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.documents import Document

from index.errors import ArticleError, SeedsNotFound

log = logging.getLogger(__name__)

SUPPORTED = (".txt", ".md")
HTML = (".html", ".htm")
_DATE_HEADER = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})\s+")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.DOTALL)
_MD_TITLE = re.compile(r"\A\s*#\s+(.+?)\s*$", re.MULTILINE)
_TITLE_WORDS = 12
_LEADING_SPACE = re.compile(r"\s*")
_BLANK_AFTER = re.compile(r"[ \t]*\n[ \t]*\n")


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    errors: list[ArticleError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def reads_like_headline(line: str) -> bool:
    """True for a line short enough for a headline (120 characters) that does not end a sentence."""
    return bool(line) and len(line) <= 120 and not line.endswith((".", '"', "\u201d"))


def title_from_text(body: str) -> str:
    """A short title: the first line if it reads like a headline, else the first words of the text."""
    first_line = body.strip().split("\n", 1)[0].strip()
    if reads_like_headline(first_line):
        return first_line.lstrip("# ").strip()
    words = first_line.split()
    return " ".join(words[:_TITLE_WORDS]) + ("\u2026" if len(words) > _TITLE_WORDS else "")


def headline_line(text: str, body_start: int) -> tuple[int, int] | None:
    """The span of the body's first line when it is the article's headline, as in BBC stories: a line that
    reads like one (``reads_like_headline``, the rule ``title_from_text`` uses) with a blank line after it."""
    start = _LEADING_SPACE.match(text, body_start).end()
    end = text.find("\n", start)
    line = text[start:end].rstrip() if end != -1 else ""
    if not reads_like_headline(line) or not _BLANK_AFTER.match(text, start + len(line)):
        return None
    return start, start + len(line)


def parse_article(text: str) -> tuple[int, dict[str, str]]:
    """``(body_start, metadata)`` of an article's text: where the body begins, and its header fields."""
    meta: dict[str, str] = {}
    body_start = 0
    if m := _DATE_HEADER.match(text):
        meta["date"] = m.group(1)
        body_start = m.end()
    elif m := _FRONT_MATTER.match(text):
        for line in m.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip() in {"title", "date", "url", "outlet", "author", "original"}:
                meta[key.strip()] = value.strip().strip("'\"")
        body_start = m.end()
    body = text[body_start:]
    if "title" not in meta:
        if m := _MD_TITLE.match(body):
            meta["title"] = m.group(1)
        else:
            meta["title"] = title_from_text(body)
    return body_start, meta


def relative_source(path: Path, root: Path) -> str:
    """A file's source name: its path relative to the project root (absolute when outside it)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def extracted_path(path: Path, seeds_dir: Path, extracted_dir: Path) -> Path:
    """Where the text of the HTML page ``path`` goes: ``<extracted_dir>/<seeds dir name>/<its path>.txt``.

    Named after the page's place inside the seeds directory, never after its absolute path (joining an
    absolute path would put the file back beside the page, in the user's folder).
    """
    seeds_root = seeds_dir.resolve()
    relative = path.resolve().relative_to(seeds_root)
    out = extracted_dir / seeds_root.name / f"{relative.as_posix()}.txt"
    if not out.resolve().is_relative_to(extracted_dir.resolve()):
        raise ArticleError(f"{path} would be extracted outside {extracted_dir} — rename the file")
    return out


def html_article(html: str, original: str = "") -> str:
    """An HTML page as article text: a front-matter header (title, date, outlet, url, ``original``) and
    the page's main text (trafilatura), boilerplate, markup and scripts dropped; "" when it has no text."""
    try:
        import trafilatura
    except ImportError as e:
        raise ArticleError("reading HTML needs trafilatura — run: pip install trafilatura") from e
    text = trafilatura.extract(html, output_format="txt", include_comments=False, include_tables=False)
    if not text or not text.strip():
        return ""
    meta = trafilatura.extract_metadata(html)
    fields = {
        "title": getattr(meta, "title", None),
        "date": getattr(meta, "date", None),
        "outlet": getattr(meta, "sitename", None),
        "url": getattr(meta, "url", None),
        "original": original,
    }
    header = "".join(f"{k}: {' '.join(str(v).split())}\n" for k, v in fields.items() if v)
    body = "\n\n".join(line.strip() for line in text.splitlines() if line.strip())
    return f"---\n{header}---\n{body}\n"


def extract_html(path: Path, root: Path, extracted_dir: Path, seeds_dir: Path) -> Path:
    """Extract an HTML page's main text (``html_article``) into a text file under ``extracted_dir``.

    Citations then point into that text file, the text readers are shown, so offsets stay exact.
    Nothing is written outside ``extracted_dir``.
    """
    html = path.read_text(encoding="utf-8", errors="replace")
    content = html_article(html, original=relative_source(path, root))
    if not content:
        raise ArticleError(f"{path} has no article text that could be extracted — check the page")
    out = extracted_path(path, seeds_dir, extracted_dir)
    if not out.exists() or out.read_text(encoding="utf-8") != content:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(content, encoding="utf-8")
    return out


# Articles read in this process, by path and the file's status: a build reads again only what changed on
# disk, so adding one story to a large archive does not read them all. Bounded; cleared when full.
_READ: dict[tuple[str, str], tuple[tuple[int, ...], Document]] = {}
_READ_AT_MOST = 500_000


def load_article(path: Path, root: Path) -> Document:
    """Read one article file; raise ArticleError naming the file when it cannot be used. A file whose size,
    times and inode are as when this process last read it is not read again (the same Document, which
    callers must not change)."""
    try:
        st = path.stat()
        status = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    except OSError:
        status = ()
    key = (str(path), str(root))
    found = _READ.get(key)
    if status and found is not None and found[0] == status:
        return found[1]
    doc = _read_article(path, root)
    if status:
        if len(_READ) >= _READ_AT_MOST:
            _READ.clear()
        _READ[key] = (status, doc)
    return doc


def _read_article(path: Path, root: Path) -> Document:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ArticleError(f"cannot read {path}: {e.strerror} — check its permissions") from e
    if b"\x00" in raw:
        raise ArticleError(f"{path} is a binary file, not an article — remove it from the seeds directory")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ArticleError(
            f"{path} is not UTF-8 (byte {e.start}) — re-save it as UTF-8, e.g. iconv -t utf-8"
        ) from e
    # read_text applies universal newlines, exactly as a reader checking a citation will.
    text = path.read_text(encoding="utf-8")
    body_start, meta = parse_article(text)
    if not text[body_start:].strip():
        raise ArticleError(f"{path} has no article text — add text or remove the file")
    source = relative_source(path, root)
    metadata = {"source": source, "body_start": body_start, "hash": content_hash(text), "date": "", **meta}
    return Document(page_content=text, metadata=metadata, id=source)


def _child(parent: Path, name: str) -> Path:
    """``parent / name`` for a name read from the folder, without parsing it again (what ``Path.glob``
    itself does on this Python; the public spelling where that helper is gone)."""
    make = getattr(parent, "_make_child_relpath", None)
    return make(name) if make is not None else parent / name


def _entries(folder: Path) -> list[tuple[Path, os.DirEntry]]:
    """Every entry under ``folder`` as ``Path.rglob("*")`` finds them (symbolic links to folders are listed,
    not entered), in ``sorted(rglob(...))``'s order, with the ``DirEntry`` whose type needs no more system
    calls: a large seeds folder is listed in one pass."""
    found: list[tuple[tuple[str, ...], Path, os.DirEntry]] = []
    pending = [(folder, ())]
    while pending:
        parent, parts = pending.pop()
        try:
            with os.scandir(parent) as it:
                entries = list(it)
        except PermissionError:
            continue
        for entry in entries:
            path, key = _child(parent, entry.name), (*parts, entry.name)
            found.append((key, path, entry))
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((path, key))
            except OSError:
                continue
    found.sort(key=lambda f: f[0])
    return [(path, entry) for _, path, entry in found]


def _check_seeds(seeds_dir: Path) -> None:
    if not seeds_dir.is_dir():
        raise SeedsNotFound(
            f"seeds directory {seeds_dir} does not exist — create it and add .txt or .md articles, "
            "or set ASSISTANT_SEEDS_DIR"
        )


def _own_folder(seeds_dir: Path, extracted_dir: Path | None) -> Path | None:
    """The extracted texts' folder when it is inside the seeds directory (its files are not articles)."""
    own = extracted_dir.resolve() if extracted_dir is not None else None
    return own if own is not None and own.is_relative_to(seeds_dir.resolve()) else None


def _take(
    result: LoadResult,
    path: Path,
    is_symlink: bool,
    is_file: bool,
    seeds_dir: Path,
    root: Path,
    extracted_dir: Path | None,
    own: Path | None,
) -> None:
    """Load one entry of the seeds directory into ``result`` (or report why not): the one rule for what is
    an article, whether the whole folder is listed or only named files are."""
    if own is not None and path.resolve().is_relative_to(own):
        return
    if is_symlink and not path.resolve().is_relative_to(seeds_dir.resolve()):
        log.warning("skipping %s: it links outside the seeds directory", path)
        result.skipped.append(str(path))
        return
    if not is_file or path.name.startswith("."):
        return
    is_html = path.suffix.lower() in HTML and extracted_dir is not None
    if path.suffix.lower() not in SUPPORTED and not is_html:
        log.warning("skipping %s: unsupported extension (use .txt, .md or .html)", path)
        result.skipped.append(str(path))
        return
    try:
        if is_html:
            path = extract_html(path, root, extracted_dir, seeds_dir)
        result.documents.append(load_article(path, root))
    except ArticleError as e:
        log.error("%s", e)
        result.errors.append(e)


def load_articles(seeds_dir: Path, root: Path, extracted_dir: Path | None = None) -> LoadResult:
    """Load every supported file under ``seeds_dir``; bad files are reported, not fatal.

    HTML pages are read through ``extract_html`` into ``extracted_dir`` (skipped when it is None).
    """
    _check_seeds(seeds_dir)
    result = LoadResult()
    own = _own_folder(seeds_dir, extracted_dir)
    for path, entry in _entries(seeds_dir):
        _take(result, path, entry.is_symlink(), entry.is_file(), seeds_dir, root, extracted_dir, own)
    return result


def load_named(
    paths: list[Path], seeds_dir: Path, root: Path, extracted_dir: Path | None = None
) -> tuple[LoadResult, list[Path]]:
    """Load only these files of ``seeds_dir``, by the rules ``load_articles`` applies to each entry it lists
    (the same Documents, the same errors and skips), without listing the folder. Returns the result and the
    paths that are not there (or not files); a path outside ``seeds_dir`` is an error of its own."""
    _check_seeds(seeds_dir)
    result, missing = LoadResult(), []
    own = _own_folder(seeds_dir, extracted_dir)
    seeds_root = seeds_dir.resolve()
    for path in sorted(dict.fromkeys(Path(p) for p in paths)):
        if not path.parent.resolve().is_relative_to(seeds_root):
            error = ArticleError(f"{path} is not in the seeds directory {seeds_dir} — move it there")
            log.error("%s", error)
            result.errors.append(error)
            continue
        if not path.exists() and not path.is_symlink():
            missing.append(path)
            continue
        _take(result, path, path.is_symlink(), path.is_file(), seeds_dir, root, extracted_dir, own)
    return result, missing
