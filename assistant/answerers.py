"""What every answerer is: the contract the extractive answerer and the LLM answerers share.

``Assistant`` retrieves and judges, then hands the hits to an answerer; it relies on nothing but this
Protocol. An answerer has a ``name`` (the answer mode it serves, recorded as ``Answer.mode``), ``stream``s
its reply, and may ``rewrite`` a follow-up question into the query to retrieve with. This module holds the
contract only; the answerers live in ``assistant.compose`` and ``assistant.generate``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

from assistant.followup import retrieval_query

if TYPE_CHECKING:
    from assistant.models import Answer
    from assistant.retrieval import Hit


class Answerer(Protocol):
    """Writes the reply to a question from the hits retrieval found (best first)."""

    name: str

    def stream(
        self, question: str, hits: Sequence[Hit], n_sources: int, history: Sequence[dict] | None = None
    ) -> Iterator[str | Answer]:
        """Pieces of the reply text as they are ready, then the finished ``Answer`` (always last)."""
        ...

    def rewrite(self, question: str, history: Sequence[dict] | None) -> str:
        """The query to retrieve with for ``question`` after ``history``.

        The default (for an answerer that subclasses this Protocol) is the plain rule of
        ``assistant.followup``: a follow-up borrows the words of the user turns it leans on.
        """
        return retrieval_query(question, history)
