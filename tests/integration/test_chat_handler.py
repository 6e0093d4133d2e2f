"""The chat handler with the real assistant (the packaged MiniLM over the seed article): what it streams and
renders, history, filters, the number of sources, and the app built from it. The handler's logic without a
model is in ``tests/unit/test_ui_handler.py``."""

from __future__ import annotations

import re

import pytest

from tests.unit.test_ui_handler import PROBE, run

pytestmark = pytest.mark.slow


def test_answer_streams_then_shows_sources(seed_assistant):
    steps = run(seed_assistant, "Who was first to report the decision?")
    box, chat, turns = steps[-1]
    assert box == "" and len(chat) == 2
    assert "aa-pending" in steps[0][1][-1]["content"]  # a placeholder is shown at once
    final = chat[-1]["content"]
    assert "Politico" in final and "<mark>" in final and "paragraph" in final
    assert re.search(r'<a class="aa-ref" href="#aa-src-1-1">\[1\]</a>', final)
    assert 'id="aa-src-1-1"' in final
    quote = re.search(r"<mark>(.*?)</mark>", final).group(1)
    assert "Politico" in quote
    assert turns[0] == {"role": "user", "content": "Who was first to report the decision?"}
    assert turns[1]["role"] == "assistant" and "Politico" in turns[1]["content"]
    assert "<" not in turns[1]["content"]  # history keeps plain text, not HTML


def test_injection_probe_is_shown_as_text(seed_assistant):
    _, chat, _ = run(seed_assistant, PROBE)[-1]
    html = "".join(m["content"] for m in chat)
    assert "<img" not in html and "<script" not in html
    assert "&lt;img src=x onerror=" in html and "&lt;script&gt;" in html


def test_refusal_has_no_sources(seed_assistant):
    _, chat, turns = run(seed_assistant, "What is the capital of France?")[-1]
    final = chat[-1]["content"]
    assert 'class="aa-refusal"' in final and "does not say" in final.lower()
    assert "<mark>" not in final and "aa-sources" not in final
    assert len(turns) == 2


def test_overlong_question_gets_a_message(seed_assistant):
    message = "why " * 600
    steps = run(seed_assistant, message)
    assert len(steps) == 1
    box, chat, turns = steps[0]
    assert box == message  # kept, so it can be shortened
    assert "the limit is 2,000" in chat[-1]["content"] and 'class="aa-error"' in chat[-1]["content"]
    assert len(chat[0]["content"]) < 400 and turns == []


def test_bad_mode_is_one_line(seed_assistant):
    _, chat, turns = run(seed_assistant, "Who was first to report the decision?", mode="bogus<b>")[-1]
    content = chat[-1]["content"]
    assert content.startswith('<div class="aa-error">') and "\n" not in content
    assert "unknown answer mode &#x27;bogus&lt;b&gt;&#x27;" in content  # the mode reached the core, escaped
    assert turns == []


def test_follow_up_uses_history(seed_assistant):
    _, chat, turns = run(seed_assistant, "What did Putin say about constant escalation?")[-1]
    _, chat, turns = run(seed_assistant, "Where did he say that?", chat, turns)[-1]
    assert len(chat) == 4 and len(turns) == 4
    assert "Uzbekistan" in turns[-1]["content"]
    assert 'id="aa-src-2-1"' in chat[-1]["content"]  # ids differ from the first answer's


def test_number_of_sources_is_passed(seed_assistant):
    question = "What did Putin warn about?"  # a list: several sentences answer it
    _, default, _ = run(seed_assistant, question)[-1]
    _, one, _ = run(seed_assistant, question, n_sources=1)[-1]
    assert default[-1]["content"].count('class="aa-source"') > 1
    assert one[-1]["content"].count('class="aa-source"') == 1


def test_app_builds_with_title_and_api(seed_assistant):
    from assistant.ui.app import create_app

    app = create_app(seed_assistant)
    config = app.get_config_file()
    html = " ".join(str(c.get("props", {}).get("value", "")) for c in config["components"])
    assert "President Joe Biden" in html and "2024-05-30" in html
    assert [d["api_name"] for d in config["dependencies"] if d["api_visibility"] == "public"] == ["ask"]
    assert app._queue.default_concurrency_limit > 1
    labels = {c.get("props", {}).get("label"): c for c in config["components"]}
    assert labels["Date from"]["props"]["placeholder"] == "YYYY-MM-DD" and "Date to" in labels
    choices = [list(c) for c in labels["Outlet"]["props"]["choices"]]
    assert choices == [["any", ""]]  # the seed names no outlet, so "any" is the only choice


def test_filters_reach_the_real_assistant(seed_assistant):
    question = "Who was first to report the decision?"
    _, chat, _ = run(seed_assistant, question, date_from="2024-05-01", date_to="2024-05-31")[-1]
    assert "Politico" in chat[-1]["content"] and "<mark>" in chat[-1]["content"]
    _, chat, _ = run(seed_assistant, question, date_to="2024-01-31")[-1]
    assert 'class="aa-refusal"' in chat[-1]["content"]  # the seed (2024-05-30) is filtered out
    _, chat, _ = run(seed_assistant, question, outlet="No Such Outlet")[-1]
    assert 'class="aa-refusal"' in chat[-1]["content"]
