"""Question sets for ``article-assistant eval``: reading them, and the index each one is answered from.

A set is JSON Lines, one question a row (see ``evaluation.evaluate``). A set whose rows carry ``source`` (a
path relative to the set's folder, e.g. ``seeds/rhine.md``) brings its own articles, ``<set folder>/seeds``,
and is answered from an index of its own, ``<index dir>/eval/<name>`` (Chroma collection ``eval-<name>``),
built on first use and brought up to date when its articles change. Citations name their ``source``
relative to the set's folder, exactly as the rows do. A set without ``source`` (the shared dev set,
``../shared/eval/dev.jsonl``) is answered from the project's own index.

A set whose folder holds a ``set.json`` naming ``"articles"`` (a folder, relative to the set's, e.g.
``"../../../shared/eval/bbc/articles"``) reads its articles from there instead: its seeds folder is
``<index dir>/eval/<name>/seeds/``, filled by copying ``<articles>/<path>`` for each row's ``seeds/<path>``
(and nothing else), and that folder's parent is the root, so citations read ``seeds/<topic>/<NNN>.txt`` as
the rows do. The external sets (SQuAD Rhine, news-chat, the BBC stories) live outside the project, in
``../shared/eval/`` beside the checkout (``shared_set``); when it or a set's articles are absent the set is
skipped (``SetAbsent``), never copied into the project.

Public for the evaluator and for fitting scripts: ``load_set``, ``set_name``, ``set_settings``,
``prepare_set``, ``set_assistant``, ``shared_set``, ``DEV_SET``, ``dev_rows``, ``fill_seeds`` and
``build_set_index``. This module does not score or run questions; it prints only ``dev_rows``' skip line.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import AssistantError, IndexMismatch

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from assistant.core import Assistant
    from assistant.settings import Settings

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent  # the checkout; ../shared sits beside it
SHARED_EVAL = ROOT.parent / "shared" / "eval"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def shared_set(name: str) -> Path:
    """The external set ``../shared/eval/<name>/questions.jsonl``, found from the checkout, there or not."""
    return SHARED_EVAL / name / "questions.jsonl"


# The shared development questions about the seed (no ``source``: answered from the project's own index).
DEV_SET = SHARED_EVAL / "dev.jsonl"

DEFAULT_SETS = (
    DEV_SET,
    Path("eval/bbc-reader/questions.jsonl"),
    shared_set("news-chat"),
    shared_set("squad2-rhine"),
)


class EvalSetError(AssistantError):
    """A question set that cannot be used: unreadable, not JSON Lines, or naming a missing article."""

    exit_code = 2


class SetAbsent(EvalSetError):
    """An external set, or the articles it reads, is not on this machine: the caller skips it (one line)."""


def _check_spans(row: dict, where: str) -> None:
    spans = row.get("spans")
    if spans is None:
        return
    ok = isinstance(spans, list) and all(
        isinstance(s, list) and len(s) == 2 and all(isinstance(x, int) for x in s) and 0 <= s[0] <= s[1]
        for s in spans
    )
    if not ok:
        raise EvalSetError(f"{where} 'spans' must be a list of [start, end] offsets, e.g. [[379, 411]]")
    if spans and not isinstance(row.get("source"), str):
        raise EvalSetError(f"{where} has 'spans' but no 'source' file they point into")


def load_set(path: Path) -> list[dict]:
    """Read a JSONL question set; EvalSetError names the file and line of a bad row (SetAbsent: an
    external set that is not there)."""
    if not path.exists() and path.resolve().is_relative_to(SHARED_EVAL.resolve()):
        raise SetAbsent(f"../shared/eval is absent: no {path}")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise EvalSetError(f"cannot read the question set {path}: {e.strerror} — pass --set FILE") from e
    except UnicodeDecodeError as e:
        raise EvalSetError(f"the question set {path} is not UTF-8 (byte {e.start}) — re-save it") from e
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise EvalSetError(f"{path}:{number} is not JSON ({e.msg})") from e
        if not isinstance(row, dict) or not isinstance(row.get("question"), str):
            raise EvalSetError(f"{path}:{number} needs a 'question' string")
        if "source" in row and not isinstance(row["source"], str):
            raise EvalSetError(f"{path}:{number} 'source' must be a path relative to {path.parent}")
        _check_spans(row, f"{path}:{number}")
        row.setdefault("id", f"q{number}")
        row.setdefault("history_questions", [])
        row.setdefault("gold", [])
        row.setdefault("keywords", [])
        row.setdefault("answerable", True)
        rows.append(row)
    if not rows:
        raise EvalSetError(f"the question set {path} is empty")
    return rows


def dev_rows() -> list[dict]:
    """The dev set's rows, for a benchmark; without ../shared the benchmark stops here with one line."""
    try:
        return load_set(DEV_SET)
    except SetAbsent as e:
        print(f"skipped: {e}", file=sys.stderr)
        raise SystemExit(0) from None


def set_name(set_path: Path) -> str:
    """A short name for a set: the file's stem, or its folder's name for a ``questions.jsonl``.

    >>> set_name(Path("eval/squad2-rhine/questions.jsonl")), set_name(Path("eval/dev.jsonl"))
    ('squad2-rhine', 'dev')
    """
    stem = set_path.stem if set_path.stem != "questions" else set_path.resolve().parent.name
    # Chroma collection names allow letters, digits, '.', '_' and '-', starting and ending alphanumeric.
    return _UNSAFE.sub("-", stem).strip("._-")[:50] or "set"


def has_own_articles(rows: Sequence[dict]) -> bool:
    """True when the set's rows name their ``source``: it is answered from its own index."""
    return any("source" in row for row in rows)


def articles_dir(set_path: Path) -> Path | None:
    """The folder a set reads its articles from (``set.json``'s ``"articles"``); None: it has its own."""
    config = set_path.resolve().parent / "set.json"
    if not config.is_file():
        return None
    try:
        articles = json.loads(config.read_text(encoding="utf-8")).get("articles")
    except (json.JSONDecodeError, AttributeError, UnicodeDecodeError) as e:
        raise EvalSetError(f'{config} is not a JSON object like {{"articles": "path"}}: {e}') from e
    if articles is None:
        return None
    if not isinstance(articles, str):
        raise EvalSetError(f"{config}: 'articles' must be a folder path relative to {config.parent}")
    return (config.parent / articles).resolve()


def _article_files(set_path: Path, rows: Sequence[dict], articles: Path) -> dict[str, Path]:
    """``{row source: file to copy}`` for a set reading ``articles``; EvalSetError for a source not under
    seeds/."""
    files = {}
    for row in rows:
        source = row.get("source")
        if source is None:
            continue
        inner = Path(source).relative_to("seeds") if source.startswith("seeds/") else None
        if inner is None or ".." in inner.parts:
            raise EvalSetError(
                f"{set_path}: question {row['id']} names source {source!r} — a set that reads {articles} "
                "names its articles seeds/<path inside that folder>"
            )
        files[source] = articles / inner
    return files


def check_sources(set_path: Path, rows: Sequence[dict]) -> None:
    """EvalSetError (one line) for a row whose ``source`` is missing or outside ``<set folder>/seeds``; for a
    set that reads its ``articles`` from elsewhere, missing there (SetAbsent when that folder is absent)."""
    articles = articles_dir(set_path)
    if articles is not None:
        if not articles.is_dir():
            raise SetAbsent(f"{articles} is absent: the set reads its articles from there (its set.json)")
        for source, path in _article_files(set_path, rows, articles).items():
            if not path.is_file():
                raise EvalSetError(f"{set_path}: source {source!r} names {path}, which does not exist")
        return
    folder = set_path.resolve().parent
    seeds = folder / "seeds"
    for row in rows:
        source = row.get("source")
        if source is None:
            continue
        path = (folder / source).resolve()
        if not path.is_file():
            raise EvalSetError(
                f"{set_path}: question {row['id']} names source {source!r}, but {path} does not exist — "
                f"put the article in {seeds}/ or fix the row"
            )
        if not path.is_relative_to(seeds):
            raise EvalSetError(
                f"{set_path}: question {row['id']} names source {source!r}, outside {seeds}/ — "
                "a set's articles live in its seeds/ folder"
            )


def set_settings(set_path: Path, base: Settings) -> Settings:
    """Settings that answer a set with its own articles: its folder is the root (so citations' ``source``
    is relative to it, as the rows' is), its ``seeds/`` the articles, and an index apart from the project's
    (``<base.index_dir>/eval/<name>``, collection ``eval-<name>``). Everything else comes from ``base``.

    A set with ``articles`` (see the module's docstring) has its root at ``<base.index_dir>/eval/<name>``,
    where ``set_assistant`` copies them.
    """
    name = set_name(set_path)
    index_dir = base.index_dir / "eval" / name
    folder = index_dir if articles_dir(set_path) is not None else set_path.resolve().parent
    return base.with_(root=folder, seeds_dir=folder / "seeds", index_dir=index_dir, collection=f"eval-{name}")


def fill_seeds(seeds_dir: Path, files: dict[str, Path]) -> None:
    """Make ``seeds_dir`` hold exactly ``files`` (``{"seeds/<path>": file to copy}``), copying only what
    changed, so an index built from it is brought up to date rather than rebuilt."""
    wanted = {seeds_dir / Path(source).relative_to("seeds"): path for source, path in files.items()}
    if seeds_dir.is_dir():
        for old in seeds_dir.rglob("*"):
            if old.is_file() and old not in wanted:
                old.unlink()
    for target, path in wanted.items():
        data = path.read_bytes()
        if not target.is_file() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def prepare_set(set_path: Path, base: Settings, rows: Sequence[dict]) -> Settings:
    """``set_settings`` of a set with its own articles, checked, its seeds folder filled when the set reads
    its articles from elsewhere (``set.json``); SetAbsent when they are not on this machine."""
    check_sources(set_path, rows)
    settings = set_settings(set_path, base)
    if (articles := articles_dir(set_path)) is not None:
        fill_seeds(settings.seeds_dir, _article_files(set_path, rows, articles))
    return settings


def build_set_index(settings: Settings, embedder: Embeddings):
    """Build the set's index when missing, bring it up to date when stale; return the Chroma client."""
    from index.build import build_index
    from index.store import make_client

    client = make_client(settings, create=True)
    try:
        report = build_index(settings, embedder, client=client, progress=False)
    except IndexMismatch:  # built with another model or splitter: the set's index is ours to redo
        log.warning("rebuilding the eval index %s: it was built with other parameters", settings.collection)
        report = build_index(settings, embedder, client=client, rebuild=True, progress=False)
    if report.errors:
        raise EvalSetError(f"{settings.seeds_dir}: {report.errors[0]}")
    if report.added or report.removed:
        log.info("eval index %s: %s", settings.collection, report.summary())
    return client


def set_assistant(
    set_path: Path,
    base: Settings,
    embedder: Embeddings | None = None,
    *,
    rows: Sequence[dict] | None = None,
) -> Assistant:
    """An ``Assistant`` that answers the set at ``set_path`` as ``article-assistant eval`` does.

    A set with ``source`` rows gets ``set_settings(set_path, base)`` and its own index, built or updated
    here; any other set gets ``base`` (the project's index). Pass one ``embedder`` to every call so the
    model loads once; ``rows`` saves reading the set again when the caller has it.
    """
    from assistant.core import Assistant

    rows = load_set(set_path) if rows is None else rows
    if not has_own_articles(rows):
        return Assistant(base, embedder=embedder)
    settings = prepare_set(set_path, base, rows)
    if embedder is None:
        from index.embeddings import SentenceTransformerEmbeddings

        embedder = SentenceTransformerEmbeddings(settings.embed_model)
    client = build_set_index(settings, embedder)
    return Assistant(settings, embedder=embedder, client=client)
