"""Load the prompt texts in ``prompts/`` into LangChain chat prompt templates.

The texts live in files so they can be read and changed without touching code. This module only loads
and fills them; it does not call a model. Passages are numbered ``[n]`` and fenced, so the model sees them
as data.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.prompts import ChatPromptTemplate

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


def read_prompt(name: str, directory: Path = PROMPTS_DIR) -> str:
    return (directory / f"{name}.txt").read_text(encoding="utf-8").strip()


@lru_cache(maxsize=4)
def answer_prompt(directory: Path = PROMPTS_DIR) -> ChatPromptTemplate:
    """System rules + the numbered passages and the question; variables ``passages`` and ``question``."""
    from langchain_core.prompts import ChatPromptTemplate

    return ChatPromptTemplate.from_messages(
        [("system", read_prompt("system", directory)), ("human", read_prompt("answer", directory))]
    )


@lru_cache(maxsize=4)
def rewrite_prompt(directory: Path = PROMPTS_DIR) -> ChatPromptTemplate:
    """Turn a follow-up into a standalone question; variables ``history`` and ``question``."""
    from langchain_core.prompts import ChatPromptTemplate

    return ChatPromptTemplate.from_messages([("human", read_prompt("rewrite", directory))])


def number_passages(texts: Sequence[str]) -> str:
    """``[1] first`` / ``[2] second`` ..., one per line, with line breaks inside a passage flattened."""
    return "\n".join(f"[{n}] {' '.join(t.split())}" for n, t in enumerate(texts, start=1))


def format_history(history: Sequence[dict], max_turns: int = 4) -> str:
    lines = [
        f"{m.get('role', 'user')}: {' '.join(str(m.get('content', '')).split())}"
        for m in list(history)[-max_turns:]
        if isinstance(m, dict)
    ]
    return "\n".join(lines)
