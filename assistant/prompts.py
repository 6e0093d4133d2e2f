"""Load the prompt texts in ``prompts/`` into LangChain chat prompt templates.

The texts live in files so they can be read and changed without touching code. They ship as the data of
the ``prompts`` package and are found with ``importlib.resources``, in a checkout and in an installed
wheel alike; a ``directory`` argument reads them from elsewhere instead. This module only loads
and fills them; it does not call a model. Passages are numbered ``[n]`` and fenced, so the model sees them
as data.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.prompts import ChatPromptTemplate

PROMPTS_PACKAGE = "prompts"


def read_prompt(name: str, directory: Path | None = None) -> str:
    """The text of ``<name>.txt``: from ``directory`` when given, else from the ``prompts`` package."""
    source = directory if directory is not None else files(PROMPTS_PACKAGE)
    return (source / f"{name}.txt").read_text(encoding="utf-8").strip()


@lru_cache(maxsize=4)
def answer_prompt(directory: Path | None = None) -> ChatPromptTemplate:
    """System rules + the numbered passages and the question; variables ``passages`` and ``question``."""
    from langchain_core.prompts import ChatPromptTemplate

    return ChatPromptTemplate.from_messages(
        [("system", read_prompt("system", directory)), ("human", read_prompt("answer", directory))]
    )


@lru_cache(maxsize=4)
def rewrite_prompt(directory: Path | None = None) -> ChatPromptTemplate:
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
