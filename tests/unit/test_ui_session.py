"""A conversation saved in the browser comes back after a reload, checked again on the way in."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.models import Answer, Citation
from assistant.ui.session import restore

TEXT = "First paragraph.\n\nOfficials said the bridge cost 40 million dollars.\n"
QUOTE = "Officials said the bridge cost 40 million dollars."


def saved_turns(source: str = "seeds/a.txt") -> list[dict]:
    start = TEXT.index(QUOTE)
    c = Citation(1, source, start, start + len(QUOTE), QUOTE, sha256="ab" * 32, paragraph=2)
    a = Answer(text=f"{QUOTE} [1]", refused=False, citations=[c], question="What did it cost?")
    return [
        {"role": "user", "content": "What did it cost?"},
        {"role": "assistant", "content": a.text, "answer": a.to_dict()},
    ]


def test_saved_turns_are_rendered_again(tmp_path: Path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text(TEXT, encoding="utf-8")
    saved = saved_turns() * 2
    chat, turns = restore(json.loads(json.dumps(saved)), tmp_path, {"seeds/a.txt"})
    assert turns == saved
    assert len(chat) == 4 and chat[0]["content"] == '<div class="aa-question">What did it cost?</div>'
    assert f"<mark>{QUOTE}</mark>" in chat[1]["content"] and 'id="aa-src-1-1"' in chat[1]["content"]
    assert 'id="aa-src-2-1"' in chat[3]["content"]  # numbered as the live chat numbers them


def test_an_answer_citing_an_unindexed_path_is_dropped_unread(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text(TEXT, encoding="utf-8")  # same text: were it read, the paragraph would be shown
    chat, turns = restore(saved_turns("secret.txt"), tmp_path, {"seeds/a.txt"})
    assert chat == [] and turns == []


def test_malformed_saved_values_restore_nothing(tmp_path: Path):
    good = saved_turns()
    bad_start = json.loads(json.dumps(good))
    bad_start[1]["answer"]["citations"][0]["start"] = "0"
    bad_url = json.loads(json.dumps(good))
    bad_url[1]["answer"]["citations"][0]["url"] = {"href": "javascript:alert(1)"}
    no_answer = [good[0], {"role": "assistant", "content": "hi"}]
    for saved in (None, "x", {"turns": good}, [good[1], good[0]], bad_start, bad_url, no_answer, [good[0]]):
        assert restore(saved, tmp_path, {"seeds/a.txt"}) == ([], []), saved
