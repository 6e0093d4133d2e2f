"""HTML for the web chat: answers with linked ``[n]`` markers, each source's quote marked in its paragraph.

Every string that comes from a user or an article passes through ``html.escape`` here before it is put in
HTML; the tags and classes around it are ours. This module does not call the assistant or import gradio.

>>> question_html('<img src=x onerror="alert(1)">')
'<div class="aa-question">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</div>'
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from assistant.models import Answer, Citation

_MARKER = re.compile(r"\[(\d+)\]")
_WEB_URL = re.compile(r"https?://[^\s]+\Z", re.IGNORECASE)
CSS = """
.aa-header h1 { font-size: 1.35rem; margin: 0 0 .2rem 0; }
.aa-meta { color: var(--body-text-color-subdued); font-size: .85rem; }
.aa-answer { line-height: 1.5; }
.aa-ref { text-decoration: none; font-weight: 600; }
.aa-url { overflow-wrap: anywhere; }
.aa-sources { margin: .6rem 0 0 0; padding: 0; list-style: none; }
.aa-source { border-left: 3px solid var(--color-accent); padding: .2rem 0 .2rem .6rem; margin: .4rem 0; }
.aa-source blockquote { margin: .2rem 0 0 0; font-size: .92rem; }
.aa-source mark { background: #fff0a0; color: inherit; padding: 0 .1em; }
.aa-source mark mark.aa-short { background: #ffc94d; font-weight: 600; padding: 0; }
.aa-answer strong.aa-short { font-weight: 700; }
.aa-refusal { color: var(--body-text-color-subdued); font-style: italic; }
.aa-error { color: var(--error-text-color, #b00020); }
.aa-added { color: var(--body-text-color); }
.aa-pending { opacity: .85; }
"""


def esc(text: object) -> str:
    """``text`` as HTML text: nothing in it can become a tag or an attribute."""
    return html.escape(str(text), quote=True)


def _inline(text: str) -> str:
    return esc(text).replace("\n", "<br>")


def header_html(articles: list[dict]) -> str:
    """The page header: the article's title and date (one line per article when there are several)."""
    if not articles:
        return '<div class="aa-header"><h1>Article assistant</h1><div class="aa-meta">no articles</div></div>'
    first = articles[0]
    parts = [f'<div class="aa-header"><h1>{esc(first.get("title") or first.get("source", ""))}</h1>']
    for meta in articles:
        bits = [meta.get("date", ""), meta.get("outlet", ""), meta.get("source", "")]
        if meta is not first:
            bits.insert(0, meta.get("title", ""))
        parts.append(f'<div class="aa-meta">{esc(" · ".join(b for b in bits if b))}</div>')
    parts.append("</div>")
    return "".join(parts)


def question_html(question: str) -> str:
    return f'<div class="aa-question">{_inline(question)}</div>'


def pending_html(text: str) -> str:
    """A reply still being composed: its text so far, or an ellipsis before the first piece."""
    return f'<div class="aa-answer aa-pending">{_inline(text) if text else "…"}</div>'


def error_html(message: str) -> str:
    return f'<div class="aa-error">{esc(message)}</div>'


def paragraph_context(citation: Citation, root: Path) -> tuple[str, str, str, int] | None:
    """``(before, quote, after, paragraph_no)``: the quote inside its paragraph, or None if unverifiable."""
    from index.loader import parse_article
    from index.splitter import paragraph_spans

    try:
        text = (root / citation.source).read_text(encoding="utf-8")
    except OSError:
        return None
    if text[citation.start : citation.end] != citation.quote:
        return None  # the file changed since indexing: show the quote alone rather than a wrong context
    body_start, _ = parse_article(text)
    for number, (s, e) in enumerate(paragraph_spans(text, body_start), start=1):
        if s <= citation.start and citation.end <= e:
            return text[s : citation.start], citation.quote, text[citation.end : e], number
    return "", citation.quote, "", citation.paragraph


def url_html(url: str) -> str:
    """An article's URL as a link that passes on nothing; a non-web URL (``javascript:``...) as plain text."""
    url = url.strip()
    if not _WEB_URL.match(url):
        return esc(url)
    attrs = 'class="aa-url" target="_blank" rel="noopener noreferrer nofollow"'
    return f'<a {attrs} href="{esc(url)}">{esc(url)}</a>'


def short_within(citation: Citation, short: Citation | None) -> tuple[int, int] | None:
    """Where ``short`` lies inside ``citation``'s quote (offsets into the quote), from the two citations'
    offsets; None when it is another source's, or its offsets do not give its quote there."""
    if short is None or short.n != citation.n or short.source != citation.source:
        return None
    start, end = short.start - citation.start, short.end - citation.start
    if not (0 <= start < end <= len(citation.quote)) or citation.quote[start:end] != short.quote:
        return None
    return start, end


def _quote_html(quote: str, within: tuple[int, int] | None) -> str:
    """The quote in ``<mark>``, its short answer (if any) in a nested ``<mark class="aa-short">``."""
    if within is None:
        return f"<mark>{_inline(quote)}</mark>"
    start, end = within
    inner = f'<mark class="aa-short">{_inline(quote[start:end])}</mark>'
    return f"<mark>{_inline(quote[:start])}{inner}{_inline(quote[end:])}</mark>"


def source_html(citation: Citation, root: Path, uid: str, short: Citation | None = None) -> str:
    """Source ``n``: outlet, title, date, paragraph, URL; then its paragraph with the quote in ``<mark>``
    and, when ``short`` lies inside that quote, the short answer marked within it."""
    context = paragraph_context(citation, root)
    before, quote, after, paragraph = context or ("", citation.quote, "", citation.paragraph)
    where = [citation.outlet, citation.title, citation.date, f"paragraph {paragraph}" if paragraph else ""]
    meta = " · ".join(esc(w) for w in where if w)
    if citation.url.strip():
        meta += f" · {url_html(citation.url)}" if meta else url_html(citation.url)
    return (
        f'<li class="aa-source" id="{uid}-{citation.n}">'
        f'<div class="aa-meta"><b>[{citation.n}]</b> {meta}</div>'
        f"<blockquote>{_inline(before)}{_quote_html(quote, short_within(citation, short))}"
        f"{_inline(after)}</blockquote></li>"
    )


def sources_id(turns: list[dict]) -> str:
    """The id prefix of the sources of the reply that follows ``turns`` (unique within the page)."""
    return f"aa-src-{len(turns) // 2 + 1}"


def answer_html(answer: Answer, root: Path, uid: str) -> str:
    """The final reply: a refusal plainly, otherwise the text with linked markers and its numbered sources;
    a short answer that the text leads with in ``<strong class="aa-short">``."""
    notice = f'<div class="aa-meta">{esc(answer.notice)}</div>' if answer.notice else ""
    if answer.refused or not answer.citations:
        return f'{notice}<div class="aa-refusal">{_inline(answer.text)}</div>'
    cited = {c.n for c in answer.citations}

    def link(m: re.Match) -> str:
        n = int(m.group(1))
        return f'<a class="aa-ref" href="#{uid}-{n}">[{n}]</a>' if n in cited else m.group(0)

    short = answer.short if any(short_within(c, answer.short) for c in answer.citations) else None
    lead = len(short.quote) if short and answer.text.startswith(short.quote) else 0
    body = _MARKER.sub(link, _inline(answer.text[lead:]))
    if lead:
        body = f'<strong class="aa-short">{_MARKER.sub(link, _inline(answer.text[:lead]))}</strong>{body}'
    sources = "".join(source_html(c, root, uid, short) for c in answer.citations)
    return f'{notice}<div class="aa-answer">{body}</div><ol class="aa-sources">{sources}</ol>'
