"""Browser latency of the chat: Enter pressed -> first answer text visible, and -> complete answer.

Serves the real app (``article-assistant chat`` in a temp project holding a copy of seeds/), opens it in
headless Chromium with Playwright, asks extractive questions from the dev set and prints median and p90.
Timing is taken inside the page (``performance.now()``): the Enter keydown, then the first animation frame
after the reply's text, and after its final form (sources shown), appear in the DOM. A benchmark to read,
not a timed test.

    .venv/bin/python -m evaluation.ui_latency [--questions 10] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from evaluation.evalsets import dev_rows
from evaluation.ui_server import serve

TARGET_FIRST_MS, TARGET_DONE_MS = 300, 500
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Installed before each Enter: marks the keydown, then watches the next bot reply.
WATCH = """() => {
  const t = (window.__t = {});
  const n = document.querySelectorAll('#aa-chat [data-testid=bot]').length;
  const stamp = key => requestAnimationFrame(() => { t[key] = t[key] || performance.now(); });
  document.querySelector('#aa-question textarea').addEventListener(
    'keydown', e => { if (e.key === 'Enter') t.start = performance.now(); }, {capture: true, once: true});
  const obs = new MutationObserver(() => {
    const reply = document.querySelectorAll('#aa-chat [data-testid=bot]')[n];
    if (!reply) return;
    const body = reply.querySelector('.aa-answer, .aa-refusal, .aa-error');
    const text = body ? body.innerText.trim() : '';
    if (text && text !== '\u2026' && !t.firstSeen) { t.firstSeen = true; stamp('first'); }
    if (body && !reply.querySelector('.aa-pending') && !t.doneSeen) {
      t.doneSeen = true; stamp('done'); obs.disconnect();
    }
  });
  obs.observe(document.querySelector('#aa-chat'), {subtree: true, childList: true, characterData: true});
}"""


def questions(count: int) -> list[str]:
    picked = [c["question"] for c in dev_rows() if c["answerable"] and not c["history_questions"]]
    return (picked * (count // max(1, len(picked)) + 1))[:count]


def measure(page, question: str) -> tuple[float, float]:
    box = page.locator("#aa-question textarea")
    box.wait_for()
    page.evaluate(WATCH)
    box.fill(question)
    box.press("Enter")
    page.wait_for_function("() => window.__t.done !== undefined", timeout=30_000)
    t = page.evaluate("() => window.__t")
    return t["first"] - t["start"], t["done"] - t["start"]


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1] if len(values) > 1 else values[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp)) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 1000})
        page.goto(url)
        page.wait_for_function("document.title === 'Article assistant'")
        page.locator("#aa-question textarea").wait_for()
        measure(page, "Who was first to report the decision?")  # warm-up, not counted
        firsts, dones = [], []
        for q in questions(args.questions):
            if len(firsts) % 4 == 3:  # keep the page short, as a reader's would be
                page.locator("#aa-clear").click()
                page.wait_for_function("() => !document.querySelector('#aa-chat [data-testid=bot]')")
            first, done = measure(page, q)
            firsts.append(first)
            dones.append(done)
            print(f"{first:7.0f} ms first  {done:7.0f} ms complete  {q}")
        browser.close()
    print(f"\n{len(firsts)} extractive questions, Enter -> visible, in headless Chromium:")
    for name, values, target in (
        ("first text", firsts, TARGET_FIRST_MS),
        ("complete", dones, TARGET_DONE_MS),
    ):
        med, high = statistics.median(values), p90(values)
        verdict = "ok" if high <= target else "over target"
        print(f"  {name:10} median {med:6.0f} ms   p90 {high:6.0f} ms   (target <= {target} ms: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
