"""What a serving process loaded, kept on disk so the next one starts from it instead of from the store.

Loading a large archive means reading every sentence and vector from Chroma a page at a time and computing
each sentence's features and the BM25 index: tens of seconds at tens of thousands of sentences. A snapshot is
that work done once: the retriever's ``SentenceTable`` with the article versions it serves (``{source:
hash}``), pickled to one file beside the index. A process that finds one loads it and then follows the store
as it would follow an in-place change: only the articles added, replaced or removed since are read.

A snapshot stays right across in-place changes and rebuilds because a sentence's record is a function of its
article version and the index parameters alone: its id holds the article's hash, and the parameters (model,
chunking, splitter) and this code's own files name the snapshot, so one written under others is never read.
A snapshot is written whole to a temporary file and renamed, so a killed process leaves the old one or the
new one; one that cannot be read is ignored (the store is read instead) and replaced.

The file is a pickle, read only from the index folder the process itself writes; treat that folder like the
index (``SECURITY.md``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import uuid
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from assistant.table import SentenceTable

log = logging.getLogger(__name__)

# The modules whose code decides what a loaded table holds: a change to any of them names new snapshots.
_CODE = ("table.py", "features.py", "retrieval.py", "text.py")


@dataclass
class Snapshot:
    """A loaded table and the article versions it serves."""

    table: SentenceTable
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
    """The snapshot file for an index built with ``params``."""
    return folder / f"table-{_fingerprint(params)}.pickle"


def load(path: Path) -> Snapshot | None:
    """The snapshot at ``path``, or None when there is none or it cannot be read."""
    try:
        with path.open("rb") as f:
            found = pickle.load(f)  # noqa: S301 - our own file, in the index folder (module docstring)
    except FileNotFoundError:
        return None
    except Exception as e:  # noqa: BLE001 - any unreadable snapshot is only a slower start
        log.warning("ignoring the unreadable serving snapshot %s (%s); reading the index", path, e)
        return None
    if not isinstance(found, Snapshot) or not isinstance(found.table, SentenceTable):
        return None
    return found


def save(path: Path, table: SentenceTable, live: dict[str, str]) -> None:
    """Write the snapshot whole (compacted first), replacing the one there; never raises."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as f:
            pickle.dump(Snapshot(table.compacted().trimmed(), dict(live)), f, protocol=5)
        os.replace(tmp, path)
        for old in path.parent.glob("table-*.pickle"):  # snapshots of other parameters or code
            if old != path:
                old.unlink(missing_ok=True)
    except Exception as e:  # noqa: BLE001 - a snapshot not written is only a slower next start
        log.warning("could not write the serving snapshot %s: %s", path, e)
        tmp.unlink(missing_ok=True)
