"""What the indexer reads from the settings, as a Protocol: ``assistant.settings.Settings`` satisfies it.

The indexer never reads the environment and never imports the assistant; an entry point builds the
settings and passes them down. This module holds no values besides the default embedding model's name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class IndexSettings(Protocol):
    """The attributes ``index.build`` and ``index.store`` read (read-only, as a frozen dataclass has them)."""

    @property
    def root(self) -> Path: ...

    @property
    def seeds_dir(self) -> Path: ...

    @property
    def index_dir(self) -> Path: ...

    @property
    def embed_model(self) -> str: ...

    @property
    def collection(self) -> str: ...

    @property
    def chroma_url(self) -> str | None: ...

    @property
    def chunk_size(self) -> int: ...
