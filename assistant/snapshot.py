"""What a serving process loaded, kept on disk so the next one starts from it instead of from the store.

Loading a large archive means reading every sentence and vector from Chroma a page at a time and computing
each sentence's features and the BM25 index: tens of seconds at tens of thousands of sentences. A snapshot is
that work done once: the retriever's table written as columns (``assistant.columns``) with the article
versions it serves (``{source: hash}``), in one folder beside the index. A process that finds one maps it
(nothing is read until a question needs it) and then follows the store as it would follow an in-place
change: only the articles added, replaced or removed since are read.

A snapshot stays right across in-place changes and rebuilds because a sentence's record is a function of its
article version and the index parameters alone: its id holds the article's hash, and the parameters (model,
chunking, splitter) and this code's own files name the snapshot, so one written under others is never read.
A snapshot is written whole to a temporary folder and renamed, so a killed process leaves the old one or the
new one; one that cannot be read is ignored (the store is read instead) and replaced.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from assistant import columns
from assistant.columns import ColumnTable

log = logging.getLogger(__name__)

# The modules whose code decides what a loaded table holds: a change to any of them names new snapshots.
_CODE = ("table.py", "columns.py", "features.py", "retrieval.py", "text.py")


@dataclass
class Snapshot:
    """A loaded table and the article versions it serves."""

    table: ColumnTable
    live: dict[str, str]


def _fingerprint(params: dict[str, Any]) -> str:
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    keep = {k: params.get(k) for k in ("embed_model", "chunk_size", "splitter")}
    digest.update(json.dumps(keep, sort_keys=True).encode())
    for name in _CODE:
        digest.update((here / name).read_bytes())
    digest.update(version("bm25s").encode())
    return digest.hexdigest()[:16]


def path_for(folder: Path, params: dict[str, Any]) -> Path:
    """The snapshot folder for an index built with ``params``."""
    return folder / f"columns-{_fingerprint(params)}"


def load(path: Path) -> Snapshot | None:
    """The snapshot at ``path``, or None when there is none or it cannot be read."""
    if not path.exists():
        return None
    try:
        table = ColumnTable.open(path)
    except Exception as e:  # noqa: BLE001 - any unreadable snapshot is only a slower start
        log.warning("ignoring the unreadable serving snapshot %s (%s); reading the index", path, e)
        return None
    return Snapshot(table, dict(table.live))


def _put(tmp: Path, path: Path) -> None:
    """Move a written snapshot folder into place and delete the snapshots it replaces."""
    if path.exists():  # a folder is not replaced by a rename: move the old one aside first
        old = path.with_name(f".{path.name}.old.{uuid.uuid4().hex}")
        os.replace(path, old)
        shutil.rmtree(old, ignore_errors=True)  # a process mapping its files keeps them until it exits
    os.replace(tmp, path)
    for stale in path.parent.iterdir():  # snapshots of other parameters or code, pickles of old releases
        if stale != path and stale.name.startswith(("columns-", "table-")):
            shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)


def save(path: Path, table: Any, live: dict[str, str]) -> None:
    """Write the snapshot whole, replacing the one there; never raises."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        columns.write(tmp, table, dict(live))
        _put(tmp, path)
    except Exception as e:  # noqa: BLE001 - a snapshot not written is only a slower next start
        log.warning("could not write the serving snapshot %s: %s", path, e)
        shutil.rmtree(tmp, ignore_errors=True)


def save_from_store(path: Path, store: Any, live: dict[str, str]) -> set[str]:
    """Write the snapshot straight from the store (``columns.write_store``), replacing the one there; the
    content words of its sentences, or an empty set when it could not be written (logged, never raised)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        words = columns.write_store(tmp, store, dict(live))
        _put(tmp, path)
        return words
    except Exception as e:  # noqa: BLE001 - without a snapshot the store is read as before
        log.warning("could not write the serving snapshot %s: %s", path, e)
        shutil.rmtree(tmp, ignore_errors=True)
        return set()
