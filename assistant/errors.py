"""The few exceptions the assistant raises; each message names the problem and the fix in one line.

The CLI prints ``str(error)`` and exits with ``error.exit_code``; the UI shows the same line.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: a problem the user can fix, described in one line."""

    exit_code = 1


class BadQuestion(AssistantError, ValueError):
    exit_code = 2


class SeedsNotFound(AssistantError):
    pass


class ArticleError(AssistantError):
    """An article file that cannot be indexed (not UTF-8, binary, empty, unreadable)."""


class IndexNotBuilt(AssistantError):
    pass


class IndexMismatch(AssistantError):
    """The index was built with another embedding model or other splitting parameters."""


class StoreUnavailable(AssistantError):
    """The Chroma store cannot be opened or reached."""


class BackendError(AssistantError):
    """A language-model backend is missing, unreachable or failed."""


class ConfigError(AssistantError):
    """The configuration is unsafe or malformed (e.g. a public address without a password)."""


class ReceiptError(AssistantError):
    """A file given to ``article-assistant verify`` is unreadable or not a receipt."""
