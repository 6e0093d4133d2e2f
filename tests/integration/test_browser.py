"""The chat in headless Chromium (Debian's ``chromium``) driven by Playwright: answer, highlight, safety."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evaluation.ui_server import serve
from tests.conftest import ROOT, SEED

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROBE = "<img src=x onerror=\"document.title='pwned'\"> <script>alert('pwned')</script>"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("browser-project")) as url:
        yield url


@pytest.fixture(scope="module")
def two_articles(tmp_path_factory):
    """The chat over the seed and a second article (its URL, its project root)."""
    project = tmp_path_factory.mktemp("browser-two-articles")
    (project / "seeds").mkdir()
    shutil.copy(SEED, project / "seeds" / SEED.name)
    shutil.copy(ROOT / "tests" / "fixtures" / "newsroom" / "bridge.txt", project / "seeds" / "bridge.txt")
    with serve(project) as url:
        yield url, project


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1100, "height": 1100})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(server)
    page.wait_for_function("document.title === 'Article assistant'")
    yield page
    context.close()


def ask(page, question: str, replies: int, timeout: float = 20_000) -> None:
    """Type ``question``, press Enter, and wait (``timeout`` ms) until the ``replies``-th reply is done."""
    box = page.locator("#aa-question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "n => { const bots = document.querySelectorAll('#aa-chat [data-testid=bot]');"
        " return bots.length >= n && !bots[n - 1].querySelector('.aa-pending'); }",
        arg=replies,
        timeout=timeout,
    )


def test_answer_shows_highlighted_source_and_probe_does_not_run(page):
    assert "President Joe Biden" in page.locator(".aa-header h1").inner_text()
    assert "2024-05-30" in page.locator(".aa-header").inner_text()

    ask(page, "Where was Putin when he warned of escalation?", 1)
    reply = page.locator("#aa-chat [data-testid=bot]").nth(0)
    assert "Uzbekistan" in reply.locator(".aa-answer").inner_text()
    marks = reply.locator(".aa-source mark")
    assert marks.count() >= 1
    assert any("Uzbekistan" in marks.nth(i).inner_text() for i in range(marks.count()))
    meta = reply.locator(".aa-source .aa-meta").first.inner_text()
    assert "2024-05-30" in meta and "paragraph" in meta
    href = reply.locator("a.aa-ref").first.get_attribute("href")
    assert href and page.locator(f"[id='{href[1:]}']").count() == 1  # [1] leads to source 1

    ask(page, PROBE, 2)
    page.wait_for_timeout(300)  # give an injected handler time to fire, were there one
    assert page.title() == "Article assistant"
    assert page.dialogs == []
    assert page.locator("#aa-chat img[src='x'], #aa-chat script").count() == 0
    assert PROBE in page.locator("#aa-chat [data-testid=user]").nth(1).inner_text()

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "chat.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 10_000


def test_refusal_example_button_clear_and_long_question(page):
    ask(page, "What is the capital of France?", 1)
    refusal = page.locator("#aa-chat [data-testid=bot]").nth(0)
    assert refusal.locator(".aa-refusal").count() == 1 and refusal.locator("mark").count() == 0
    assert "does not say" in refusal.inner_text().lower()

    page.get_by_role("button", name="Who was first to report the decision?").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#aa-chat [data-testid=bot]')]"
        ".some(b => b.innerText.includes('Politico') && b.querySelector('mark'))",
        timeout=20_000,
    )

    ask(page, "why " * 600, 3)
    assert "the limit is 2,000" in page.locator("#aa-chat .aa-error").inner_text()

    page.locator("#aa-clear").click()
    page.wait_for_function("() => !document.querySelector('#aa-chat [data-testid=bot]')")
    ask(page, "Where did he say that?", 1)  # no history left to lean on after clearing
    assert "Uzbekistan" not in page.locator("#aa-chat [data-testid=bot]").nth(0).inner_text()


def verify(receipt: Path, project: Path) -> subprocess.CompletedProcess:
    """``article-assistant verify`` on a downloaded conversation, as a user would run it."""
    cli = [sys.executable, "-m", "assistant.cli", "verify", str(receipt), "--root", str(project)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(cli, capture_output=True, text=True, env=env, timeout=60)


def bot_count(page) -> int:
    return page.locator("#aa-chat [data-testid=bot]").count()


def test_one_article_download_verify_and_reload(browser, two_articles, tmp_path):
    import json

    from assistant.ui.session import STORAGE_KEY

    url, project = two_articles
    context = browser.new_context(viewport={"width": 1100, "height": 1100}, accept_downloads=True)
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("document.title === 'Article assistant'")
    picker = page.locator("#aa-article input")
    assert picker.input_value() == "All articles"
    picker.click()
    page.get_by_role("option", name="President Joe Biden has given Ukraine").click()
    assert picker.input_value().startswith("President Joe Biden")

    ask(page, "What did officials say?", 1)  # both articles quote officials
    reply = page.locator("#aa-chat [data-testid=bot]").nth(0).inner_text()
    assert "bridge" not in reply.lower() and "Springfield" not in reply

    page.wait_for_function("() => document.querySelector('#aa-download') !== null")
    with page.expect_download() as download:
        page.locator("#aa-download").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    receipt = json.loads(saved.read_text(encoding="utf-8"))
    [exchange] = receipt["exchanges"]
    assert exchange["question"] == "What did officials say?"
    cited = exchange["answer"]["citations"]
    assert cited and {c["source"] for c in cited} == {f"seeds/{SEED.name}"}
    checked_spans = len(cited) + (exchange["answer"].get("short") is not None)  # the short answer too

    checked = verify(saved, project)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = checked.stdout.splitlines()
    assert len(lines) == checked_spans and all(line.startswith("ok [1.") for line in lines)

    page.reload()  # the conversation is kept in the browser
    page.wait_for_function("document.querySelectorAll('#aa-chat [data-testid=bot]').length === 1")
    assert page.locator("#aa-chat [data-testid=bot] mark").count() >= 1
    assert "What did officials say?" in page.locator("#aa-chat [data-testid=user]").nth(0).inner_text()

    key = f"localStorage.getItem('{STORAGE_KEY}')"
    before = page.evaluate(key)
    page.locator("#aa-clear").click()
    page.wait_for_function("() => !document.querySelector('#aa-chat [data-testid=bot]')")
    page.wait_for_function(f"before => {key} !== before", arg=before)  # the cleared turns are saved
    page.reload()
    page.wait_for_function("document.title === 'Article assistant'")
    page.wait_for_timeout(1500)  # a restored conversation would be shown by now
    assert bot_count(page) == 0
    context.close()
