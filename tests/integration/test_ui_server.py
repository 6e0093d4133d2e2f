"""The real chat app served by ``article-assistant chat`` in a subprocess, driven through gradio_client."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from evaluation.ui_server import serve
from tests.conftest import load_dev

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ui-project")


@pytest.fixture(scope="module")
def server(project):
    with serve(project) as url:
        yield url


@pytest.fixture(scope="module")
def client(server):
    from gradio_client import Client

    return Client(server, verbose=False)


def ask(client, question: str, history: list[dict] | None = None, n_sources: int = 0) -> dict:
    return client.predict(question, json.dumps(history or []), n_sources, api_name="/ask")


def test_only_ask_is_documented(client):
    api = client.view_api(print_info=False, return_format="dict")
    assert list(api["named_endpoints"]) == ["/ask"]
    assert [p["parameter_name"] for p in api["named_endpoints"]["/ask"]["parameters"]] == [
        "question",
        "history",
        "n_sources",
        "date_from",
        "date_to",
        "outlet",
        "source",
    ]


def test_dev_question_comes_back_with_citations(client, project):
    case = next(c for c in load_dev() if c["answerable"] and not c["history_questions"])
    result = ask(client, case["question"])
    assert result["refused"] is False and result["citations"]
    assert any(k.lower() in result["text"].lower() for k in case["keywords"])
    for c in result["citations"]:
        text = (project / c["source"]).read_text(encoding="utf-8")
        assert text[c["start"] : c["end"]] == c["quote"]
        assert f"[{c['n']}]" in result["text"] and c["date"] == "2024-05-30" and c["paragraph"] >= 1


def test_follow_up_resolves(client):
    first = ask(client, "What did Putin say about constant escalation?")
    history = [
        {"role": "user", "content": "What did Putin say about constant escalation?"},
        {"role": "assistant", "content": first["text"]},
    ]
    follow = ask(client, "Where did he say that?", history)
    assert follow["refused"] is False
    assert "Uzbekistan" in follow["text"]
    assert any("Uzbekistan" in c["quote"] for c in follow["citations"])


def test_overlong_question_gets_the_message(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=r"the question is 2,500 characters; the limit is 2,000 — shorten it"):
        ask(client, "x" * 2500)


def test_bad_history_gets_the_message(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="history is not valid JSON"):
        client.predict("Who was first to report the decision?", "[{oops", 0, api_name="/ask")


def test_server_is_local_and_quiet(server):
    assert server.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(server + "config", timeout=5) as r:
        config = json.load(r)
    assert config.get("analytics_enabled") is False
    assert not config.get("share_url")


def test_uploads_over_the_ceiling_are_refused_before_they_reach_the_disk(server, project):
    import urllib.error

    from assistant.ui.app import UPLOAD_CEILING

    def upload(size: int) -> int:
        body = b"--b\r\nContent-Disposition: form-data; name=files; filename=a.txt\r\n\r\n"
        body += b"a" * size + b"\r\n--b--\r\n"
        headers = {"Content-Type": "multipart/form-data; boundary=b"}
        request = urllib.request.Request(server + "gradio_api/upload", data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    assert (upload(10), upload(UPLOAD_CEILING + 1)) == (200, 413)
    assert not (project / "seeds" / "uploads").exists()  # Gradio's upload alone adds no article


def test_concurrent_requests_all_answer(client):
    questions = ["Who was first to report the decision?", "Where was Putin when he warned of escalation?"] * 3
    jobs = [client.submit(q, "[]", 0, api_name="/ask") for q in questions]
    results = [job.result(timeout=120) for job in jobs]
    for q, r in zip(questions, results, strict=True):
        assert r["question"] == q and not r["refused"]
        assert ("Politico" if "report" in q else "Uzbekistan") in r["text"]


def test_public_address_without_a_password_is_refused(tmp_path):
    import os
    import subprocess
    import sys

    from evaluation.ui_server import free_port
    from tests.conftest import ROOT

    env = {k: v for k, v in os.environ.items() if k not in ("ASSISTANT_AUTH", "ASSISTANT_AUTH_FILE")}
    env["PYTHONPATH"] = str(ROOT)
    cmd = [sys.executable, "-m", "assistant.cli", "chat", "--host", "0.0.0.0", "--port", str(free_port())]
    out = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert out.stdout == ""
    assert out.stderr.strip().splitlines() == [
        "error: refusing to serve on 0.0.0.0 without a password — set ASSISTANT_AUTH=user:password "
        "or ASSISTANT_AUTH_FILE=path, or serve on --host 127.0.0.1"
    ]


def test_password_when_configured_is_required(tmp_path):
    import urllib.error

    from gradio_client import Client

    from evaluation.ui_server import serve

    with serve(tmp_path, env={"ASSISTANT_AUTH": "reader:pa:ss"}) as url:  # loopback, as every test serves
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(url + "config", timeout=5)
        assert e.value.code == 401
        upload = urllib.request.Request(  # adding an article needs the login too
            url + "gradio_api/upload",
            data=b"--b\r\nContent-Disposition: form-data; name=files; filename=a.txt\r\n\r\nA.\r\n--b--\r\n",
            headers={"Content-Type": "multipart/form-data; boundary=b"},
        )
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(upload, timeout=5)
        assert e.value.code == 401
        with pytest.raises(ValueError, match="Could not login"):  # Gradio 6 answers 400 to a wrong password
            Client(url, verbose=False, auth=("reader", "wrong"))
        client = Client(url, verbose=False, auth=("reader", "pa:ss"))
        answer = client.predict("Who was first to report the decision?", "[]", 0, api_name="/ask")
    assert "Politico" in answer["text"]


def test_ask_with_an_outlet_filter_cites_only_that_outlet(tmp_path):
    """A newsroom project (the fixture corpus and the seed) served for real; /ask narrowed to one outlet."""
    import shutil

    from gradio_client import Client
    from gradio_client.exceptions import AppError

    from tests.conftest import ROOT, SEED

    shutil.copytree(ROOT / "tests" / "fixtures" / "newsroom", tmp_path / "seeds")
    shutil.copy(SEED, tmp_path / "seeds" / SEED.name)
    question = "Why did the Norland ferries stop?"
    with serve(tmp_path) as url:
        client = Client(url, verbose=False)
        post = client.predict(question, "[]", 0, "", "", "Island Post", api_name="/ask")
        times = client.predict(question, "[]", 0, outlet="Coastal Times", api_name="/ask")
        with pytest.raises(AppError, match="date to '30 May' is not a date — write it as YYYY-MM-DD"):
            client.predict(question, "[]", 0, "", "30 May", "", api_name="/ask")
    assert post["citations"] and {c["outlet"] for c in post["citations"]} == {"Island Post"}
    assert {c["url"] for c in post["citations"]} == {"https://island-post.example/cut-off"}
    assert times["citations"] and {c["outlet"] for c in times["citations"]} == {"Coastal Times"}
    for c in post["citations"] + times["citations"]:
        assert (tmp_path / c["source"]).read_text(encoding="utf-8")[c["start"] : c["end"]] == c["quote"]


def test_one_article_by_source_and_an_unknown_one(client):
    from gradio_client.exceptions import AppError

    from tests.conftest import SEED

    args = ("Who was first to report the decision?", "[]", 0, "", "", "")
    result = client.predict(*args, SEED.name, api_name="/ask")
    assert result["citations"] and {c["source"] for c in result["citations"]} == {f"seeds/{SEED.name}"}
    assert all(len(c["sha256"]) == 64 for c in result["citations"])
    with pytest.raises(AppError, match=f"unknown source 'nope.txt' — use one of: seeds/{SEED.name}$"):
        client.predict(*args, "nope.txt", api_name="/ask")
