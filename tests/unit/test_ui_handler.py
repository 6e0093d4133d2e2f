"""The chat handler as a plain generator (no server), and the HTML it renders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.models import Answer, Citation
from assistant.ui.app import parse_history, respond
from assistant.ui.render import answer_html, question_html
from tests.unit.fakes import RecordingAssistant

PROBE = "<img src=x onerror=\"document.title='pwned'\"> <script>alert(1)</script>"


def run(assistant, message, chat=None, turns=None, **kwargs) -> list[tuple[str, list, list]]:
    return list(respond(assistant, message, chat, turns, **kwargs))


def tags(html: str) -> set[str]:
    return {t.lower() for t in re.findall(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", html)}


# --- rendering, no model -------------------------------------------------------------------------


def test_question_is_escaped():
    out = question_html(PROBE)
    assert "<img" not in out and "<script" not in out
    assert "&lt;img src=x onerror=&quot;document.title=&#x27;pwned&#x27;&quot;&gt;" in out
    assert tags(out) == {"div"}


def test_answer_marks_the_quote_in_its_paragraph_and_links_markers(tmp_path: Path):
    text = 'date 2024-01-02 First <b>para</b>.\n\nSecond para says "<i>hi</i>" loudly. Then more.\n'
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    quote = 'Second para says "<i>hi</i>" loudly.'
    start = text.index(quote)
    c = Citation(1, "a.txt", start, start + len(quote), quote, title="T <x>", date="2024-01-02", paragraph=2)
    out = answer_html(Answer(text=f"{quote} [1] [7]", refused=False, citations=[c]), tmp_path, "u")
    assert tags(out) <= {"div", "a", "ol", "li", "b", "blockquote", "mark"}
    assert '<a class="aa-ref" href="#u-1">[1]</a>' in out and 'id="u-1"' in out
    assert "[7]" in out and 'href="#u-7"' not in out  # only cited numbers become links
    assert "<mark>Second para says &quot;&lt;i&gt;hi&lt;/i&gt;&quot; loudly.</mark> Then more." in out
    assert "T &lt;x&gt; · 2024-01-02 · paragraph 2" in out  # numbered after the date header


def test_changed_file_shows_the_quote_alone(tmp_path: Path):
    (tmp_path / "a.txt").write_text("Something else entirely now.", encoding="utf-8")
    c = Citation(1, "a.txt", 0, 9, "Old words", paragraph=3)
    out = answer_html(Answer(text="Old words [1]", refused=False, citations=[c]), tmp_path, "u")
    assert "<blockquote><mark>Old words</mark></blockquote>" in out and "paragraph 3" in out


def test_refusal_is_plain():
    out = answer_html(Answer(text="The article does not say.", refused=True), Path("."), "u")
    assert out == '<div class="aa-refusal">The article does not say.</div>'


@pytest.mark.parametrize(
    "history, expected",
    [
        ("", []),
        (None, []),
        ('[{"role": "user", "content": "hi", "x": 1}]', [{"role": "user", "content": "hi"}]),
    ],
)
def test_parse_history(history, expected):
    assert parse_history(history) == expected


@pytest.mark.parametrize("history", ["{not json", '{"role": "user"}', '[{"role": "system", "content": "x"}]'])
def test_parse_history_rejects_bad_input(history):
    from assistant.errors import BadQuestion

    with pytest.raises(BadQuestion, match="history"):
        parse_history(history)


def test_source_shows_outlet_title_date_paragraph_and_a_safe_link(tmp_path: Path):
    c = Citation(
        1,
        "gone.txt",
        0,
        5,
        "Words",
        title="Ferries halt",
        date="2024-03-15",
        paragraph=3,
        outlet="Island Post",
        url="https://island-post.example/cut-off?a=1&b=2",
    )
    out = answer_html(Answer(text="Words [1]", refused=False, citations=[c]), tmp_path, "u")
    assert "Island Post · Ferries halt · 2024-03-15 · paragraph 3 · " in out
    assert (
        '<a class="aa-url" target="_blank" rel="noopener noreferrer nofollow" '
        'href="https://island-post.example/cut-off?a=1&amp;b=2">https://island-post.example/cut-off?a=1&amp;b=2</a>'
    ) in out
    assert "gone.txt" not in out  # readers see the article, not the file or any id


def test_hostile_outlet_and_url_are_text(tmp_path: Path):
    hostile = [
        ("javascript:alert(1)", None),  # not a web address: never a link
        ('https://x.example/"><img/src=x/onerror=alert(1)>', "&quot;&gt;&lt;img/src=x/onerror=alert(1)&gt;"),
        ('https://x.example/ "onmouseover=alert(1)', None),
    ]
    for url, escaped in hostile:
        c = Citation(1, "a.txt", 0, 5, "Words", outlet=PROBE, url=url)
        out = answer_html(Answer(text="Words [1]", refused=False, citations=[c]), tmp_path, "u")
        assert tags(out) <= {"div", "a", "ol", "li", "b", "blockquote", "mark"}
        assert "<img" not in out and "<script" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
        links = re.findall(r'<a [^>]*href="([^"]*)"', out)
        assert all(h.startswith(("#u-", "https://")) for h in links)
        if escaped:
            assert escaped in links[-1]
        else:
            assert not any(h.startswith("https://") for h in links) and "aa-url" not in out


def test_handler_passes_filters_and_drops_blank_ones(tmp_path: Path):
    fake = RecordingAssistant(tmp_path)
    _, chat, _ = run(fake, "Why?", date_from=" 2024-03-01 ", date_to="", outlet="Island Post")[-1]
    assert fake.calls[-1]["where"] == {"date_from": "2024-03-01", "outlet": "Island Post"}
    assert (
        "Island Post" in chat[-1]["content"] and 'href="https://island-post.example/x"' in chat[-1]["content"]
    )
    run(fake, "Why?", date_from="", date_to="", outlet="")
    assert fake.calls[-1]["where"] is None  # blank filters mean any article


@pytest.mark.parametrize(
    "filters, message",
    [
        ({"date_from": "March 1"}, "date from &#x27;March 1&#x27; is not a date — write it as YYYY-MM-DD"),
        ({"date_to": "2024-02-30<b>"}, "date to &#x27;2024-02-30&lt;b&gt;&#x27; is not a date"),
        ({"date_from": "2024-06-01", "date_to": "2024-05-01"}, "is after date to 2024-05-01 — swap them"),
    ],
)
def test_bad_filter_is_one_line_and_asks_nothing(tmp_path: Path, filters, message):
    fake = RecordingAssistant(tmp_path)
    _, chat, turns = run(fake, "Why?", **filters)[-1]
    content = chat[-1]["content"]
    assert content.startswith('<div class="aa-error">') and "\n" not in content and message in content
    assert fake.calls == [] and turns == []


def test_ask_api_passes_filters(tmp_path: Path):
    from assistant.errors import BadQuestion
    from assistant.ui.app import ask_api

    fake = RecordingAssistant(tmp_path)
    result = ask_api(fake, "Why?", "", 0, "", "2024-05-31", "Coastal Times")
    assert fake.calls[-1]["where"] == {"date_to": "2024-05-31", "outlet": "Coastal Times"}
    assert result["citations"][0]["outlet"] == "Island Post" and result["citations"][0]["url"]
    ask_api(fake, "Why?", "", 2)  # the old three-argument call still works
    assert fake.calls[-1] == {"n_sources": 2, "where": None}
    with pytest.raises(BadQuestion, match="not a date"):
        ask_api(fake, "Why?", "", 0, "2024-13-01")


def test_outlet_choices_come_from_the_indexed_articles():
    from assistant.ui.app import outlets

    metas = [
        {"outlet": "Island Post"},
        {"outlet": " Coastal Times"},
        {"outlet": ""},
        {},
        {"outlet": "Island Post"},
    ]
    assert outlets(metas) == ["Coastal Times", "Island Post"]


def test_empty_input_is_ignored():
    chat = [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]
    for message in ("", "   \n\t"):
        # no assistant needed: nothing is asked
        assert run(None, message, chat, [{"role": "user", "content": "x"}]) == [
            ("", chat, [{"role": "user", "content": "x"}])
        ]


def test_importing_the_ui_module_is_light():
    import subprocess
    import sys

    from tests.conftest import ROOT

    heavy = "('gradio', 'torch', 'chromadb')"
    code = f"import sys, assistant.ui.app; print([m for m in {heavy} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- who may connect: the auth decision and what launch() hands Gradio ------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "localhost", "LOCALHOST", "::1", "[::1]"])
def test_loopback_needs_no_password(host):
    from assistant.ui.auth import auth_for

    assert auth_for(host, {}) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.org", ""])
def test_any_other_address_without_a_password_is_refused_in_one_line(host):
    from assistant.errors import AssistantError, ConfigError
    from assistant.ui.auth import auth_for

    with pytest.raises(ConfigError) as e:
        auth_for(host, {"ASSISTANT_AUTH": ""})
    message = str(e.value)
    assert isinstance(e.value, AssistantError) and "\n" not in message
    assert "without a password" in message
    assert "ASSISTANT_AUTH=user:password" in message and "ASSISTANT_AUTH_FILE" in message


def test_password_from_env_is_used_on_any_address():
    from assistant.ui.auth import auth_for

    env = {"ASSISTANT_AUTH": "ann:s3cr:et"}  # the password may hold a colon
    assert auth_for("0.0.0.0", env) == [("ann", "s3cr:et")]
    assert auth_for("127.0.0.1", env) == [("ann", "s3cr:et")]  # asked for, so given on loopback too


def test_password_file_lines(tmp_path):
    from assistant.ui.auth import auth_for

    f = tmp_path / "users"
    f.write_text("# readers\nann:one\n\n  bob:two  \n", encoding="utf-8")
    env = {"ASSISTANT_AUTH_FILE": str(f), "ASSISTANT_AUTH": "cy:three"}
    assert auth_for("10.0.0.5", env) == [("cy", "three"), ("ann", "one"), ("bob", "two")]


@pytest.mark.parametrize(
    "env, match",
    [
        ({"ASSISTANT_AUTH": "justaname"}, "ASSISTANT_AUTH is not user:password"),
        ({"ASSISTANT_AUTH": ":pw"}, "ASSISTANT_AUTH is not user:password"),
        ({"ASSISTANT_AUTH": "ann:"}, "ASSISTANT_AUTH is not user:password"),
        ({"ASSISTANT_AUTH_FILE": "{tmp}/missing"}, "cannot read ASSISTANT_AUTH_FILE"),
        ({"ASSISTANT_AUTH_FILE": "{tmp}/empty"}, "holds no user:password line"),
        ({"ASSISTANT_AUTH_FILE": "{tmp}/bad"}, r"bad line 2 is not user:password"),
    ],
)
def test_malformed_auth_is_refused_without_echoing_it(tmp_path, env, match):
    from assistant.errors import ConfigError
    from assistant.ui.auth import auth_for

    (tmp_path / "empty").write_text("# nobody yet\n", encoding="utf-8")
    (tmp_path / "bad").write_text("ann:one\nbob-hunter2\n", encoding="utf-8")
    env = {k: v.format(tmp=tmp_path) for k, v in env.items()}
    with pytest.raises(ConfigError, match=match) as e:
        auth_for("0.0.0.0", env)
    assert "\n" not in str(e.value) and "hunter2" not in str(e.value) and "justaname" not in str(e.value)


class _FakeApp:
    def __init__(self):
        self.kwargs = None

    def launch(self, **kwargs):
        self.kwargs = kwargs
        return None, "http://x/", None

    def block_thread(self):
        pass

    def close(self):
        pass


def _patch_launch(monkeypatch) -> tuple[_FakeApp, list]:
    import assistant.ui.app as ui

    app, built = _FakeApp(), []

    class FakeAssistant:
        def __init__(self, settings):
            built.append(settings)

        def warm(self):
            return self

    monkeypatch.setattr(ui, "Assistant", FakeAssistant)
    monkeypatch.setattr(ui, "create_app", lambda assistant, source="": app)
    monkeypatch.setattr(ui, "launch_options", lambda: {})
    return app, built


def test_launch_refuses_a_public_address_before_loading_anything(monkeypatch):
    from assistant.errors import ConfigError
    from assistant.settings import Settings
    from assistant.ui.app import launch

    app, built = _patch_launch(monkeypatch)
    with pytest.raises(ConfigError, match="refusing to serve on 0.0.0.0 without a password"):
        launch(Settings(), host="0.0.0.0", port=1, env={})
    assert built == [] and app.kwargs is None


def test_launch_passes_auth_and_serves_no_files(monkeypatch, capsys):
    from assistant.settings import Settings
    from assistant.ui.app import launch

    app, _ = _patch_launch(monkeypatch)
    launch(Settings(), host="0.0.0.0", port=1, env={"ASSISTANT_AUTH": "ann:pw"})
    assert app.kwargs["auth"] == [("ann", "pw")] and app.kwargs["server_name"] == "0.0.0.0"
    assert app.kwargs["share"] is False
    assert not app.kwargs.get("allowed_paths")  # Gradio serves no local files beyond the app's own

    launch(Settings(), env={})
    assert app.kwargs["auth"] is None and app.kwargs["server_name"] == "127.0.0.1"
