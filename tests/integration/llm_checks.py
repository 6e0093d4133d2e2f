"""Checks shared by the real-LLM tests: an answer is either verified generated text or a clean fallback."""

from __future__ import annotations

from pathlib import Path

from assistant.models import Answer
from assistant.verify import LEXICAL_MIN, lexical_support, split_claims
from tests.conftest import assert_exact


def assert_verified_or_fallback(answer: Answer, root: Path, mode: str) -> None:
    assert answer.citations, f"no citations: {answer}"
    assert_exact(answer, root)
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    if answer.mode == "extractive":  # the fallback: the notice says why, the text is the article's
        assert answer.notice.endswith("showing quotes from the article."), answer.notice
        assert "\n" not in answer.notice
        return
    assert answer.mode == mode and not answer.notice
    quotes = {c.n: c.quote for c in answer.citations}
    for claim in split_claims(answer.text):
        assert claim.markers, f"uncited sentence shown: {claim.text!r}"
        for n in claim.markers:
            assert n in quotes, f"marker [{n}] names no citation"
            assert lexical_support(claim.text, quotes[n]) >= LEXICAL_MIN, (claim.text, quotes[n])
    assert all(d["reason"] for d in answer.dropped)
