"""Reader questions in the chat, in headless Chromium (issue 16): "What is this article about?" with the seed
picked answers with its lede, cited [1]; "What city can Ukraine defend?" leads with "Kharkiv", marked inside
its quote in the source panel; the download and a reload keep that short answer."""

from __future__ import annotations

import json
import time

import pytest

from evaluation.ui_server import serve
from tests.conftest import SEED
from tests.integration.test_browser import ARTIFACTS, ask, verify

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LEDE = "President Joe Biden has given Ukraine the go-ahead"
QUESTION, SHORT = "What city can Ukraine defend?", "Kharkiv"
REPLY_MS = 60_000  # the first routed question loads the router's vectors, on a busy 2-core machine


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The chat over the seed alone (its URL, its project root)."""
    project = tmp_path_factory.mktemp("browser-reader")
    with serve(project) as url:
        yield url, project


def reply(page, i: int):
    return page.locator("#aa-chat [data-testid=bot]").nth(i)


def source_of(page, bot, n: int):
    """Source ``n`` of a reply, reached by following its ``[n]`` link."""
    link = bot.locator("a.aa-ref", has_text=f"[{n}]").first
    href = link.get_attribute("href")
    assert href and href.startswith("#")
    target = page.locator(f"[id='{href[1:]}']")
    assert target.count() == 1 and bot.locator(f"[id='{href[1:]}']").count() == 1
    return target


def test_about_shows_the_lede_and_a_who_question_leads_with_its_short_answer(browser, project, tmp_path):
    url, root = project
    context = browser.new_context(viewport={"width": 1100, "height": 1400}, accept_downloads=True)
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("document.title === 'Article assistant'")
    picker = page.locator("#aa-article input")
    picker.click()
    page.get_by_role("option", name="President Joe Biden has given Ukraine").click()
    assert picker.input_value().startswith("President Joe Biden")

    started = time.monotonic()
    ask(page, "What is this article about?", 1, timeout=REPLY_MS)
    print(f"about: {time.monotonic() - started:.1f} s")
    about = reply(page, 0)
    text = about.locator(".aa-answer").inner_text()
    assert LEDE in text and "[1]" in text, text
    quote = source_of(page, about, 1).locator("blockquote > mark")
    assert quote.count() == 1 and LEDE in quote.inner_text()

    started = time.monotonic()
    ask(page, QUESTION, 2, timeout=REPLY_MS)
    print(f"city: {time.monotonic() - started:.1f} s")
    city = reply(page, 1)
    text = city.locator(".aa-answer").inner_text()
    assert text.startswith(SHORT), text
    assert city.locator(".aa-answer strong.aa-short").inner_text() == SHORT
    short = city.locator(".aa-source blockquote > mark > mark.aa-short")
    assert short.count() == 1 and short.inner_text() == SHORT
    holder = city.locator(".aa-source", has=page.locator("mark.aa-short"))
    outer = holder.locator("blockquote > mark").inner_text()
    assert SHORT in outer and len(outer) > len(SHORT)  # the short answer lies inside a longer quote
    n = int(holder.locator(".aa-meta b").inner_text().strip("[]"))
    assert source_of(page, city, n).locator("mark.aa-short").count() == 1

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "chat-reader.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")

    # The downloaded conversation records the short answer, and verify checks it like any quote.
    page.wait_for_function("() => document.querySelector('#aa-download') !== null")
    with page.expect_download() as download:
        page.locator("#aa-download").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    exchanges = json.loads(saved.read_text(encoding="utf-8"))["exchanges"]
    assert [e["question"] for e in exchanges] == [
        "What is this article about?",
        QUESTION,
    ]
    kept = exchanges[1]["answer"]["short"]
    assert kept["quote"] == SHORT and kept["source"] == f"seeds/{SEED.name}" and kept["sha256"]
    checked = verify(saved, root)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert any(line.startswith("ok [2.short] ") for line in checked.stdout.splitlines()), checked.stdout

    page.reload()  # the restored conversation shows the short answer again
    page.wait_for_function("document.querySelectorAll('#aa-chat [data-testid=bot]').length === 2")
    again = reply(page, 1)
    assert again.locator(".aa-source blockquote > mark > mark.aa-short").inner_text() == SHORT
    assert again.locator(".aa-answer strong.aa-short").inner_text() == SHORT
    context.close()
