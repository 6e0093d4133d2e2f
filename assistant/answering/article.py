"""Answers to questions about an article as a whole: what it is about, a summary, its date, its sources,
whom it quotes, its headline; and, with several articles and none meant, each article by its title and
opening sentence.

Every reply quotes the article: the lede, the summary's sentences, the date as the file writes it, the
attribution lines, the headline line. Where the article lacks what is asked (no date line, no headline, no
byline) the reply says so plainly; a hedge quotes what the article does say instead.
This module does not route questions (``assistant.answering.route``) nor rank sentences for a summary
(``assistant.answering.summary``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from assistant.compose import citation, listing, refusal
from assistant.models import Answer, Citation
from assistant.retrieval import Hit
from index.news import long_date

# A lede shorter than this is followed by the next sentence, which carries the story on.
SHORT_LEDE = 160
OVERVIEW_LIMIT = 10

# Attribution lines, strongest first: who reported the story, then whom it quotes its facts from.
_CREDITS = (
    re.compile(
        r"\bcontributed to (this|the) (report|story)|\b(first )?reported by\b|\bwas first reported\b", re.I
    ),
    re.compile(r"\((AP|AFP|Reuters|dpa|PA)\)|\b(news agency|wire service)\b"),
    re.compile(r"\baccording to\b", re.I),
    re.compile(r"\b(told|in an interview with|speaking to|wrote in)\s+(the\s+)?[A-Z]"),
    re.compile(r"\bsaid in a statement\b|\btold reporters\b", re.I),
)
_EXPLICIT = 2  # the first two kinds credit the reporting itself; the others name a source of facts
# A verb of saying or thinking: a person next to one outside quotation marks is quoted ("Mr Strauss said",
# "said HMV manager Clive Smith", "Bob Strauss, from the LA Daily News, thinks").
_SAYING = (
    r"(?:said|says|told|tells|added|adds|explained|warned|argued|insisted|claimed|stressed|admitted|"
    r"maintained|believes|thinks|thought|agreed|agrees|predicted|predicts|suggested|noted|commented|"
    r"revealed|announced|urged|wrote|writes)\b"
)
_SPEAKS_AFTER = re.compile(r"^(?:\s*,[^,]{1,80},|\s*,)?\s*(?:[\w'\u2019-]+\s+){0,2}" + _SAYING, re.I)
_SPOKEN_BEFORE = re.compile(r"\b" + _SAYING + r"\s*,?\s*(?:[\w'\u2019.-]+\s+){0,4}$", re.I)
_QUOTATION = re.compile(r"[\"\u201c][^\"\u201c\u201d]*[\"\u201d]?")
QUOTED_LIMIT = 6


def body(sentences: Sequence[Hit]) -> list[Hit]:
    """The article's sentences without its headline line."""
    return [h for h in sentences if not h.headline]


def _answer(question: str, kind: str, head: str, hits: Sequence[Hit], hedged: bool = False):
    """A heading (may be empty), then each hit quoted and cited, in article order."""
    citations = [citation(n, h, question) for n, h in enumerate(hits, start=1)]
    parts = [head] if head else []
    for c in citations:
        parts.append(f"{c.quote} [{c.n}]")
    text = " ".join(parts[:1]) + "".join(" " + p for p in parts[1:]) if parts else ""
    yield text
    yield Answer(text=text, refused=False, citations=citations, question=question, hedged=hedged, kind=kind)


def about(question: str, sentences: Sequence[Hit], follow: int | None = None) -> Iterator[str | Answer]:
    """The lede, and the body sentence ``follow`` (the one that carries the story on, chosen by
    ``assistant.answering.summary``) when the lede alone is short."""
    text = body(sentences)
    if not text:
        yield from _nothing(question, "about", "the article has no text")
        return
    chosen = text[:1]
    if follow is not None and 0 < follow < len(text) and len(text[0].text) < SHORT_LEDE:
        chosen.append(text[follow])
    yield from _answer(question, "about", "", chosen)


def summary(question: str, sentences: Sequence[Hit], picked: Sequence[int]) -> Iterator[str | Answer]:
    """The summary's sentences (indexes into the body, from ``assistant.answering.summary``), in article
    order, each cited."""
    text = body(sentences)
    if not text:
        yield from _nothing(question, "summary", "the article has no text")
        return
    chosen = [text[i] for i in sorted(set(picked)) if 0 <= i < len(text)]
    yield from _answer(question, "summary", "In short:", chosen)


def headline(
    question: str, sentences: Sequence[Hit], with_lede: bool = False, matched: Hit | None = None
) -> Iterator[str | Answer]:
    """The headline line (and the lede, ``with_lede``, when the question chose this article among several:
    "which story has Steve Jobs in it?", then ``matched``, the sentence that chose it, when that is another);
    an article without one says so and quotes how it opens."""
    top = [h for h in sentences if h.headline]
    if top:
        lede = body(sentences)[:1] * with_lede
        shown = top[:1] + lede
        if with_lede and matched is not None and all(matched.start != h.start for h in shown):
            shown.append(matched)  # the words the reader asked by, quoted where the article has them
        yield from _answer(question, "headline", "", shown)
        return
    text = body(sentences)
    if not text:
        yield from _nothing(question, "headline", "the article has no headline")
        return
    yield from _answer(question, "headline", "The article has no headline line; it opens:", text[:1], True)


def credit(question: str, sentences: Sequence[Hit]) -> Iterator[str | Answer]:
    """The lines that credit the reporting ("first reported by Politico", "AFP contributed to this
    report") or say where its facts come from ("according to two U.S. officials", "told the Sunday
    Times"). With no line of the first kind the reply is a hedge: the article names no byline or outlet."""
    found: dict[int, int] = {}  # sentence index -> strength (lower is stronger)
    text = body(sentences)
    for i, h in enumerate(text):
        for strength, pattern in enumerate(_CREDITS):
            if pattern.search(h.text):
                found[i] = min(found.get(i, strength), strength)
    if not found:
        yield from _nothing(question, "credit", "the article names no reporter, outlet or source")
        return
    best = sorted(found, key=lambda i: (found[i], i))[:3]
    chosen = [text[i] for i in sorted(best)]
    explicit = any(found[i] < _EXPLICIT for i in best)
    head = "" if explicit else "The article has no byline; it attributes its reporting:"
    yield from _answer(question, "credit", head, chosen, hedged=not explicit)


def quoted(question: str, sentences: Sequence[Hit], matched: Hit | None = None) -> Iterator[str | Answer]:
    """Whom the article quotes: for each person it names next to a verb of saying or thinking (outside
    quotation marks), the first such sentence, in article order, each cited. A person is known by surname:
    "Mr Strauss said" is the "Bob Strauss" already listed, and "Mr Bates said" counts once the article has
    named "Ken Bates"; a surname it never gives in full names no one. The names are spaCy's, tagged at
    index time. ``matched``: the sentence the question's own words found when they chose the article
    ("which story quotes Theresa May?"), listed too."""
    from assistant.answering.spans import stored_spans

    seen: set[str] = set()  # surnames already listed
    named: set[str] = set()  # surnames the article has named in full so far ("Ken Bates": "bates")
    chosen = []
    for h in body(sentences):
        outside = _QUOTATION.sub(lambda m: " " * len(m.group()), h.text)  # offsets kept
        people = [(s - h.start, e - h.start) for s, e, label in stored_spans(h) if label == "PERSON"]
        named |= {n[-1].lower() for s, e in people if len(n := h.text[s:e].split()) > 1}
        speakers = {
            n[-1].lower()
            for s, e in people
            if (n := outside[s:e].split())
            and (_SPEAKS_AFTER.search(outside[e:]) or _SPOKEN_BEFORE.search(outside[:s]))
        }
        if (speakers & named) - seen:  # someone named in full, here or before ("Mr Bates said")
            chosen.append(h)
        seen |= speakers
        if len(chosen) == QUOTED_LIMIT:
            break
    count = len(chosen)
    if matched is not None and not matched.headline and all(h.id != matched.id for h in chosen):
        chosen = sorted([*chosen, matched], key=lambda h: h.start)
    if not chosen:
        yield from _nothing(question, "quoted", "the article quotes no one by name")
        return
    whom = "no one by name" if not count else "one person" if count == 1 else f"{count} people"
    more = " or more" if count == QUOTED_LIMIT else ""
    head = f"The article quotes {whom}{more}" + (
        ", with the sentence the question's words found:" if len(chosen) > count else ":"
    )
    for piece in listing(question, head, chosen):
        if isinstance(piece, Answer):
            piece.kind = "quoted"
        yield piece


def date(
    question: str, sentences: Sequence[Hit], source_text: str, body_start: int
) -> Iterator[str | Answer]:
    """The article's date, cited where its date line writes it; an undated article says so."""
    dated = next((h for h in sentences if h.date), None)
    if dated is None:
        yield from _nothing(question, "date", "the article carries no date")
        return
    iso = dated.date
    at = source_text.find(iso, 0, body_start or None)
    if at < 0:
        at = source_text.find(iso)
    if at < 0:  # the date came from elsewhere (an HTML page's metadata): say so, quote nothing
        text = f"The article is dated {long_date(iso)} (from its metadata; its text does not print the date)."
        yield text
        yield Answer(text=text, refused=False, question=question, kind="date", hedged=True)
        return
    c = Citation(
        n=1,
        source=dated.source,
        start=at,
        end=at + len(iso),
        quote=iso,
        title=dated.title,
        date=iso,
        paragraph=0,
        outlet=dated.outlet,
        url=dated.url,
    )
    text = f"{c.quote} [1]: the article is dated {long_date(iso)}."
    yield text
    yield Answer(text=text, refused=False, citations=[c], question=question, kind="date", short=c)


def overview(question: str, kind: str, ledes: Sequence[Hit], total: int) -> Iterator[str | Answer]:
    """Several articles and none picked: each by its opening sentence, and how to ask about one."""
    shown = ledes[:OVERVIEW_LIMIT]
    more = f" (the first {len(shown)} of {total})" if total > len(shown) else ""
    head = (
        f"{total} articles are indexed{more}; pick one in the Article menu, or name it, to ask about it. "
        "Each opens:"
    )
    for piece in listing(question, head, shown):
        if isinstance(piece, Answer):
            piece.kind = kind
        yield piece


def _nothing(question: str, kind: str, reason: str) -> Iterator[str | Answer]:
    result = refusal(question, reason)
    result.kind = kind
    yield result.text
    yield result
