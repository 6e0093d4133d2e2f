"""Turn a follow-up question into a self-contained retrieval query using the conversation history.

Extractive mode cannot rewrite with a model, so it lends the follow-up the words of the user turns it
leans on: "Where did he say that?" after "What did Putin say about escalation?" is retrieved as both.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.text import ANAPHORA, tokens, words

Message = dict  # {"role": "user" | "assistant", "content": str}


def user_turns(history: Sequence[Message] | None) -> list[str]:
    return [
        str(m.get("content", "")).strip()
        for m in history or []
        if isinstance(m, dict) and m.get("role") == "user" and str(m.get("content", "")).strip()
    ]


def is_followup(question: str) -> bool:
    """A question that points back (he, it, that, there...) or has almost no content words of its own."""
    ws = words(question)
    return any(w in ANAPHORA for w in ws) or len(tokens(question)) <= 1


def retrieval_query(question: str, history: Sequence[Message] | None, max_turns: int = 2) -> str:
    """The question, preceded by the earlier user turns it depends on (most recent last)."""
    turns = user_turns(history)
    if not turns or not is_followup(question):
        return question
    context = []
    for turn in reversed(turns):
        context.insert(0, turn)
        if len(context) >= max_turns or not is_followup(turn):
            break
    return " ".join([*context, question])
