"""The dev questions through the public ``answer`` path of a real Assistant (real model, real Chroma)."""

import pytest

from tests.conftest import load_dev

pytestmark = pytest.mark.slow


def _ask(assistant, row):
    history = []
    for earlier in row["history_questions"]:
        reply = assistant.answer(earlier, history)
        history += [{"role": "user", "content": earlier}, {"role": "assistant", "content": reply.text}]
    return assistant.answer(row["question"], history)


@pytest.mark.parametrize("row", load_dev(), ids=lambda r: r["id"])
def test_dev_question(seed_assistant, seed_project, row):
    answer = _ask(seed_assistant, row)
    if not row["answerable"]:
        assert answer.refused, f"should refuse, answered: {answer.text}"
        assert answer.citations == []
        return
    assert not answer.refused, f"refused an answerable question: {answer.text}"
    assert answer.citations, "an answer must cite"
    for c in answer.citations:
        assert (seed_project / c.source).read_text(encoding="utf-8")[c.start : c.end] == c.quote
        assert len(c.quote) <= 400
        assert f"[{c.n}]" in answer.text
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    top3 = answer.citations[:3]
    assert any(g in c.quote for c in top3 for g in row["gold"]), [c.quote for c in top3]
    haystack = (answer.text + " " + " ".join(c.quote for c in answer.citations)).lower()
    assert any(k.lower() in haystack for k in row["keywords"])
