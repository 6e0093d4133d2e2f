"""The short answer in the chat's HTML: in bold where the reply leads with it, and marked inside its quote
in the source panel, placed by offsets and escaped like every other string."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.models import Answer, Citation
from assistant.ui.render import answer_html, short_within
from assistant.ui.session import restore

TEXT = (
    "date 2024-05-30\n\nOpening paragraph.\n\n"
    "Biden allowed strikes to help in defending Kharkiv, officials said. Kharkiv is near the border.\n"
)
QUOTE = "Biden allowed strikes to help in defending Kharkiv, officials said."
SOURCE = "seeds/a.txt"


def tags(html: str) -> set[str]:
    return {t.lower() for t in re.findall(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", html)}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text(TEXT, encoding="utf-8")
    return tmp_path


def cite(n: int = 1, quote: str = QUOTE, text: str = TEXT) -> Citation:
    start = text.index(quote)
    return Citation(n, SOURCE, start, start + len(quote), quote, title="T", date="2024-05-30", paragraph=2)


def span(c: Citation, at: int, length: int) -> Citation:
    """The short answer at ``at`` (an offset into the source file) inside citation ``c``."""
    return replace(c, start=at, end=at + length, quote=TEXT[at : at + length] if c.source == SOURCE else "")


def kharkiv() -> tuple[Answer, Citation]:
    c = cite()
    short = span(c, TEXT.index("Kharkiv"), len("Kharkiv"))
    return Answer(text=f"Kharkiv. {QUOTE} [1]", refused=False, citations=[c], short=short), short


def test_the_lead_is_bold_and_the_short_span_is_marked_inside_its_quote(root: Path):
    answer, _ = kharkiv()
    out = answer_html(answer, root, "u")
    assert '<div class="aa-answer"><strong class="aa-short">Kharkiv</strong>. Biden allowed' in out
    assert '<a class="aa-ref" href="#u-1">[1]</a>' in out
    nested = '<mark>Biden allowed strikes to help in defending <mark class="aa-short">Kharkiv</mark>'
    assert nested + ", officials said.</mark> Kharkiv is near the border." in out
    assert out.count('class="aa-short"') == 2
    assert tags(out) <= {"div", "a", "ol", "li", "b", "blockquote", "mark", "strong"}


def test_the_span_is_placed_by_its_offsets_not_found_by_its_words(root: Path):
    quote = "Kharkiv, officials said. Kharkiv is near the border."
    c = cite(quote=quote)
    second = TEXT.index("Kharkiv is")  # the same word twice in the quote: the second one is meant
    answer = Answer(text=f"Kharkiv. {quote} [1]", refused=False, citations=[c], short=span(c, second, 7))
    out = answer_html(answer, root, "u")
    assert '<mark>Kharkiv, officials said. <mark class="aa-short">Kharkiv</mark> is near' in out
    assert short_within(c, answer.short) == (second - c.start, second - c.start + 7)


def test_a_short_span_holding_markup_is_escaped(tmp_path: Path):
    text = "date 2024-05-30\n\nThe code was <script>alert(1)</script> in the page.\n"
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text(text, encoding="utf-8")
    c = cite(quote="The code was <script>alert(1)</script> in the page.", text=text)
    at = text.index("<script>")
    probe = "<script>alert(1)</script>"
    short = replace(c, start=at, end=at + len(probe), quote=probe)
    out = answer_html(
        Answer(text=f"{probe}. {c.quote} [1]", refused=False, citations=[c], short=short), tmp_path, "u"
    )
    assert "<script" not in out
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert f'<strong class="aa-short">{escaped}</strong>' in out
    assert f'<mark>The code was <mark class="aa-short">{escaped}</mark> in the page.</mark>' in out
    assert tags(out) <= {"div", "a", "ol", "li", "b", "blockquote", "mark", "strong"}


def test_only_the_source_that_holds_the_span_marks_it(root: Path):
    first = cite(1, "Opening paragraph.")
    second = cite(2)
    short = span(second, TEXT.index("Kharkiv"), 7)
    answer = Answer(
        text=f"Kharkiv. Opening paragraph. [1] {QUOTE} [2]",
        refused=False,
        citations=[first, second],
        short=short,
    )
    out = answer_html(answer, root, "u")
    one, two = out.split('id="u-2"')
    assert 'mark class="aa-short"' not in one.split('id="u-1"')[1]
    assert '<mark class="aa-short">Kharkiv</mark>' in two


@pytest.mark.parametrize(
    "broken",
    [
        lambda s: replace(s, n=2),  # names a source the answer does not have
        lambda s: replace(s, source="seeds/b.txt"),  # another article than its citation's
        lambda s: replace(s, start=s.start + 1, end=s.end + 1),  # offsets that do not give its quote
        lambda s: replace(s, start=0, end=7, quote=TEXT[0:7]),  # outside its citation's quote
    ],
)
def test_a_short_span_that_is_not_inside_its_quote_is_not_shown(root: Path, broken):
    answer, short = kharkiv()
    answer.short = broken(short)
    out = answer_html(answer, root, "u")
    assert "aa-short" not in out
    assert f"<mark>{QUOTE}</mark>" in out


def test_a_lead_that_words_the_span_otherwise_is_not_bold_but_the_span_is_marked(root: Path):
    c = cite(quote="2024-05-30")  # a date answer: "May 30, 2024." leads, the date line is the span
    answer = Answer(text="May 30, 2024. The date line: 2024-05-30 [1]", refused=False, citations=[c], short=c)
    out = answer_html(answer, root, "u")
    assert "<strong" not in out
    assert '<mark><mark class="aa-short">2024-05-30</mark></mark>' in out


def test_a_restored_conversation_keeps_the_short_answer(root: Path):
    answer, _ = kharkiv()
    saved = [
        {"role": "user", "content": "What city can Ukraine defend?"},
        {"role": "assistant", "content": answer.text, "answer": answer.to_dict()},
    ]
    chat, turns = restore(saved, root, {SOURCE})
    assert turns[1]["answer"]["short"]["quote"] == "Kharkiv"
    assert '<mark class="aa-short">Kharkiv</mark>' in chat[1]["content"]
    assert '<strong class="aa-short">Kharkiv</strong>' in chat[1]["content"]


@pytest.mark.parametrize(
    "short",
    [{"n": 1, "source": "/etc/passwd", "start": 0, "end": 4, "quote": "root", "sha256": ""}, "Kharkiv"],
)
def test_a_saved_short_answer_that_does_not_check_out_drops_its_exchange(root: Path, short):
    answer, _ = kharkiv()
    saved = [
        {"role": "user", "content": "What city can Ukraine defend?"},
        {"role": "assistant", "content": answer.text, "answer": {**answer.to_dict(), "short": short}},
    ]
    assert restore(saved, root, {SOURCE}) == ([], [])
