"""The LLM answerer: a chat model writes the reply from numbered passages, then every sentence is verified.

``LLMAnswerer.stream`` yields the model's tokens as they arrive, then the verified ``Answer``: only the
sentences ``assistant.verify`` could tie to an exact source span, renumbered ``[1]``, ``[2]``... in order.
When the backend fails (unreachable, timeout, error, empty reply) or nothing it wrote is supported, the
reply is the extractive answer with a one-line ``notice`` saying why. For a follow-up question the model
may first rewrite it into a standalone question (``prompts/rewrite.txt``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from assistant.answerers import Answerer
from assistant.compose import ExtractiveAnswerer
from assistant.errors import BackendError
from assistant.followup import is_followup, retrieval_query
from assistant.models import Answer
from assistant.prompts import answer_prompt, format_history, number_passages, rewrite_prompt
from assistant.retrieval import Hit
from assistant.verify import assemble, verify

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models.chat_models import BaseChatModel

log = logging.getLogger(__name__)
MAX_PASSAGES = 4
MAX_REWRITE_CHARS = 300
QUOTES = "showing quotes from the article."


def _text(content) -> str:
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content or [])


class LLMAnswerer(Answerer):
    """Answers with ``chat_model``; ``embedder`` (optional) lets verification accept close paraphrases."""

    def __init__(
        self,
        chat_model: BaseChatModel,
        embedder: Embeddings | None = None,
        *,
        name: str = "local",
        max_passages: int = MAX_PASSAGES,
        rewrite_followups: bool = True,
        fallback: ExtractiveAnswerer | None = None,
    ) -> None:
        self.chat_model = chat_model
        self.embedder = embedder
        self.name = name
        self.max_passages = max_passages
        self.rewrite_followups = rewrite_followups
        self.fallback = fallback or ExtractiveAnswerer()
        self._rewrites: dict[tuple, str] = {}

    def rewrite(self, question: str, history: Sequence[dict] | None) -> str:
        """A standalone version of a follow-up question (the question itself when it needs none)."""
        if not history or not is_followup(question):
            return question
        fallback = retrieval_query(question, history)
        if not self.rewrite_followups:
            return fallback
        key = (question, tuple(str(m.get("content", "")) for m in history if isinstance(m, dict)))
        if key not in self._rewrites:
            messages = rewrite_prompt().format_messages(history=format_history(history), question=question)
            try:
                text = _text(self.chat_model.invoke(messages).content).strip().splitlines()
            except Exception as e:  # noqa: BLE001 - any backend failure means: use the plain follow-up rule
                log.warning(
                    "question rewrite failed (%s: %s); using the history's words", type(e).__name__, e
                )
                text = []
            line = text[0].strip().strip('"') if text else ""
            # A rewrite that answers instead of asking, or rambles, is worse than the simple rule.
            ok = line and len(line) <= MAX_REWRITE_CHARS and "?" in line and "[" not in line
            self._rewrites = {key: line if ok else fallback}  # keep only the latest
        return self._rewrites[key]

    def stream(
        self, question: str, hits: Sequence[Hit], n_sources: int, history: Sequence[dict] | None = None
    ) -> Iterator[str | Answer]:
        passages = list(hits[: max(n_sources, self.max_passages)])
        asked = self.rewrite(question, history) if history else question
        messages = answer_prompt().format_messages(
            passages=number_passages([h.text for h in passages]), question=asked
        )
        pieces: list[str] = []
        try:
            for chunk in self.chat_model.stream(messages):
                piece = _text(chunk.content)
                if piece:
                    pieces.append(piece)
                    yield piece
        except Exception as e:  # noqa: BLE001 - every backend failure falls back; the notice names the cause
            log.info("%s backend failed: %s: %s", self.name, type(e).__name__, e)
            # A BackendError's message names the fix (e.g. the extra to install); others, the error's type.
            cause = str(e) if isinstance(e, BackendError) else type(e).__name__
            notice = f"The language model was unavailable ({cause}); {QUOTES}"
            yield from self._fall_back(question, hits, n_sources, notice, streamed=bool(pieces))
            return
        reply = "".join(pieces).strip()
        if not reply:
            notice = f"The language model returned an empty reply; {QUOTES}"
            yield from self._fall_back(question, hits, n_sources, notice, streamed=False)
            return
        text, citations, dropped = assemble(verify(reply, passages, self.embedder), max_sources=n_sources)
        if not citations:
            notice = (
                f"No sentence of the language model's reply could be verified against the article; {QUOTES}"
            )
            yield from self._fall_back(question, hits, n_sources, notice, streamed=True, dropped=dropped)
            return
        yield Answer(
            text=text, refused=False, citations=citations, question=question, mode=self.name, dropped=dropped
        )

    def _fall_back(
        self, question, hits, n_sources, notice, *, streamed, dropped=()
    ) -> Iterator[str | Answer]:
        for piece in self.fallback.stream(question, hits, n_sources):
            if isinstance(piece, Answer):
                piece.notice, piece.dropped = notice, list(dropped)  # mode stays extractive: it wrote this
                yield piece
            elif not streamed:  # after model tokens, only the final answer replaces what was shown
                yield piece
