"""Bring your own article, in headless Chromium: upload a page, ask about it, narrow to one article, and
keep a receipt that checks until the article changes."""

from __future__ import annotations

import json
import shutil

import pytest

from evaluation.ui_server import serve
from tests.conftest import SEED
from tests.integration.test_browser import ask, verify

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGE = """<!doctype html><html><head><title>Sykora bridge reopens</title>
<script>alert('script ran'); fetch('/script-ran');</script></head><body><article>
<h1>Sykora bridge reopens</h1>
<p>The Ostrava city council reopened the Sykora bridge on Monday after eighteen months of repairs
costing 240 million crowns.</p>
<img src="/img-probe" onerror="alert('onerror ran'); fetch('/onerror-ran')">
<p>The mayor, Jan Dohnal, said trams would return to the bridge in March.</p>
</article></body></html>
"""
QUESTION = "How much did the repairs of the Sykora bridge cost?"
PROBES = ("/script-ran", "/onerror-ran", "/img-probe")


def test_upload_ask_narrow_download_and_verify(browser, tmp_path):
    project = tmp_path / "project"
    (project / "seeds").mkdir(parents=True)
    shutil.copy(SEED, project / "seeds" / SEED.name)
    page_file = tmp_path / "bridge.html"
    page_file.write_text(PAGE, encoding="utf-8")
    with serve(project) as url:
        context = browser.new_context(viewport={"width": 1100, "height": 1300}, accept_downloads=True)
        page = context.new_page()
        requests, dialogs = [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url)
        page.wait_for_function("document.title === 'Article assistant'")

        page.locator("#aa-add").get_by_text("Add an article").click()
        page.locator("#aa-upload input[type=file]").set_input_files(str(page_file))
        page.wait_for_function(
            "() => (document.querySelector('#aa-added')?.innerText || '').includes('Added')", timeout=60_000
        )
        assert "seeds/uploads/bridge.md" in page.locator("#aa-added").inner_text()
        saved = project / "seeds" / "uploads" / "bridge.md"
        assert sorted(p.name for p in (project / "seeds").rglob("*") if p.is_file()) == [
            SEED.name,
            "bridge.md",
        ]

        ask(page, QUESTION, 1)
        reply = page.locator("#aa-chat [data-testid=bot]").nth(0)
        marks = reply.locator(".aa-source mark")
        assert any("240 million crowns" in marks.nth(i).inner_text() for i in range(marks.count()))
        assert "Sykora bridge reopens" in reply.locator(".aa-source .aa-meta").first.inner_text()

        page.wait_for_timeout(300)  # give an injected handler time to fire, were there one
        assert dialogs == [] and page.title() == "Article assistant"
        assert not [u for u in requests if u.endswith(PROBES)]
        assert page.locator("#aa-chat script, #aa-chat img, #aa-added img, #aa-added script").count() == 0

        picker = page.locator("#aa-article input")
        picker.click()
        page.get_by_role("option", name="President Joe Biden has given Ukraine").click()
        ask(page, QUESTION, 2)
        narrowed = page.locator("#aa-chat [data-testid=bot]").nth(1).inner_text()
        assert "Sykora" not in narrowed and "bridge.md" not in narrowed

        page.wait_for_timeout(500)  # the download button is refreshed after the reply
        with page.expect_download() as download:
            page.locator("#aa-download").click()
        receipt = tmp_path / download.value.suggested_filename
        download.value.save_as(receipt)
        context.close()

    exchanges = json.loads(receipt.read_text(encoding="utf-8"))["exchanges"]
    assert [e["question"] for e in exchanges] == [QUESTION, QUESTION]
    cited = [c for e in exchanges for c in e["answer"]["citations"]]
    shorts = [e["answer"]["short"] for e in exchanges if e["answer"].get("short") is not None]
    assert any(c["source"] == "seeds/uploads/bridge.md" for c in cited)

    checked = verify(receipt, project)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert len(checked.stdout.splitlines()) == len(cited) + len(shorts)  # verify checks short answers too
    assert all(line.startswith("ok [") for line in checked.stdout.splitlines())

    saved.write_text(
        saved.read_text(encoding="utf-8").replace("240 million", "250 million"), encoding="utf-8"
    )
    checked = verify(receipt, project)
    assert checked.returncode == 1
    assert any(line.startswith("changed [") and "bridge.md" in line for line in checked.stdout.splitlines())
