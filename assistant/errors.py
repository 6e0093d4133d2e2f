"""The few exceptions the assistant raises; each message names the problem and the fix in one line.

The CLI prints ``str(error)`` and exits with ``error.exit_code``; the UI shows the same line. The indexer's
errors (``index.errors``) are re-exported here and share the base ``AssistantError``.
"""

from __future__ import annotations

from index.errors import (
    ArticleError,
    IndexMismatch,
    IndexNotBuilt,
    SeedsNotFound,
    StoreUnavailable,
    UserError,
)

# One base for both packages: ``except AssistantError`` also catches the indexer's errors, which are
# defined below the assistant (``index.errors``) because the indexer must not import the assistant.
AssistantError = UserError


class BadQuestion(AssistantError, ValueError):
    exit_code = 2


class BackendError(AssistantError):
    """A language-model backend is missing, unreachable or failed."""


class ConfigError(AssistantError):
    """The configuration is unsafe or malformed (e.g. a public address without a password)."""


class ReceiptError(AssistantError):
    """A file given to ``article-assistant verify`` is unreadable or not a receipt."""


__all__ = [
    "ArticleError",
    "AssistantError",
    "BackendError",
    "BadQuestion",
    "ConfigError",
    "IndexMismatch",
    "IndexNotBuilt",
    "ReceiptError",
    "SeedsNotFound",
    "StoreUnavailable",
]
