"""The exceptions the indexer raises; each message names the problem and the fix in one line.

``UserError`` is the base of every error a user can fix, the indexer's and the assistant's alike
(``assistant.errors`` builds on it and re-exports these), so one ``except`` turns any of them into one line.
This module imports nothing, so every package can depend on it.
"""

from __future__ import annotations


class UserError(Exception):
    """Base class: a problem the user can fix, described in one line; the CLI exits with ``exit_code``."""

    exit_code = 1


class SeedsNotFound(UserError):
    pass


class ArticleError(UserError):
    """An article file that cannot be indexed (not UTF-8, binary, empty, unreadable)."""


class IndexNotBuilt(UserError):
    pass


class IndexMismatch(UserError):
    """The index was built with another embedding model or other splitting parameters."""


class StoreUnavailable(UserError):
    """The Chroma store cannot be opened or reached."""


class NlpUnavailable(UserError):
    """spaCy or its English model, which indexing needs for entities, is not installed."""


class EngineUnavailable(UserError):
    """The engine asked for (``index --engine ray``) is not installed or cannot run as configured."""


__all__ = [
    "ArticleError",
    "EngineUnavailable",
    "IndexMismatch",
    "IndexNotBuilt",
    "NlpUnavailable",
    "SeedsNotFound",
    "StoreUnavailable",
    "UserError",
]
