"""Scores as a reader judges a reply: answered right, a whole list cited, the date named, short answers.

One row is *answered right* when:

- it asks when the article was published (``asks_date``): on a dated article, the reply names that date in any
  common form (2024-05-30, 30 May 2024, May 30, 2024); on an undated one, the reply refuses, hedges, or says
  there is no date and names none;
- it is answerable and has ``all_gold`` (a list): the reply is not refused and cites every gold span;
- it is answerable otherwise: the reply is not refused and one of its first three citations holds a gold span
  (``metrics.score_row``'s hit@3);
- it is not answerable: the reply is refused or hedged.

``Answer.short`` (the span a reply leads with) is exact when it is the source's text at its offsets and lies
inside the quote of citation ``short.n``. Its SQuAD exact match and token F1 are taken against the row's gold
texts (the text at its ``spans`` when it gives only offsets), with the first citation's quote standing in
when there is no short answer.

Pure functions over rows, answers and texts; ``evaluation.evaluate`` feeds them. No files, no model.

>>> sorted(dates_in("Published 30 May 2024; updated May 31, 2024 and 2024-06-01."))
['2024-05-30', '2024-05-31', '2024-06-01']
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from evaluation.metrics import MAX_QUOTE, Cited, GoldSpan, exact, gold_for, relevant, squad_scores

if TYPE_CHECKING:
    from assistant.models import Answer

_MONTHS = {
    m: i
    for i, names in enumerate(
        ("jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
         "aug august", "sep sept september", "oct october", "nov november", "dec december"),
        start=1,
    )
    for m in names.split()
}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DATES = [
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE),
]
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+{_YEAR}\b|\b(?:19|20)\d\d-[01]\d\b", re.IGNORECASE)
# A question about when the article itself appeared, not about when something in it happened. Within a set's
# "article" rows (about, summary, headline, source, date) any word about time marks the date row; a row with
# no kind must also point at the article itself ("this", "it", "the story").
_TIME_WORDS = re.compile(
    r"\b(?:when|wen|whens|what year|which year|date[ds]?|dateline|published|publish|written|writen|posted|"
    r"recent|old news|up to date|current|how old|from 20\d\d)\b|\bwhen's\b",
    re.IGNORECASE,
)
_WHO = re.compile(r"\b(?:who|outlet|paper|newspaper|agency|wire|source|headline|byline|author)\b", re.I)
_THIS = r"(?:(?:this|that|the) (?:[\w']+ ){0,3}?(?:article|story|piece|one|page)|this|it|that)"
_ASKS_DATE = re.compile(
    rf"\bwhen (?:was|is|did) {_THIS} (?:published|written|posted|dated|come out|out|released|from|go up)\b"
    rf"|\bwhat (?:date|day|year) (?:is|was) {_THIS}(?: (?:from|published|written|posted|dated))?\W*$"
    rf"|\bdate(?:line)? (?:of|on) {_THIS}"
    rf"|\b(?:publication|published|release) date\b|\bhow (?:old|recent) is {_THIS}"
    r"|^\W*(?:what(?:'s| is)? (?:the )?)?date\W*$",
    re.IGNORECASE,
)
_UNDATED = re.compile(
    r"\bundated\b|\b(?:no|not|n't|without|lacks?|missing)\b[^.]{0,40}?\b(?:date|dated|dateline)\b|"
    r"\b(?:does not|doesn't|do not|don't) (?:say|give|state|show|carry|mention) when\b",
    re.IGNORECASE,
)
READER_KEYS = (
    "answered_right",
    "unanswerable_refused_or_hedged",
    "all_gold_recall",
    "date_right",
    "short_rate",
    "short_exactness",
    "squad_em",
    "squad_f1",
)


def dates_in(text: str) -> set[str]:
    """Every full date ``text`` names, as ISO ``YYYY-MM-DD`` (impossible days and months left out)."""
    found = set()
    for pattern in _DATES:
        for m in pattern.finditer(text):
            month = m.group("month")
            month_no = int(month) if month.isdigit() else _MONTHS[month.lower()]
            day = int(m.group("day"))
            if 1 <= month_no <= 12 and 1 <= day <= 31:
                found.add(f"{m.group('year')}-{month_no:02d}-{day:02d}")
    return found


def names_a_date(text: str) -> bool:
    """True when ``text`` names a date, or at least a month of a year ("May 2024")."""
    return bool(dates_in(text)) or bool(_MONTH_YEAR.search(text))


def says_undated(text: str) -> bool:
    """True when ``text`` says the article carries no date ("The article is not dated.")."""
    return bool(_UNDATED.search(text))


def asks_date(row: Mapping) -> bool:
    """A row asking when its article was published: ``"asks": "date"``, or ``kind`` "date", or an
    "article" row that speaks of time, or (no kind) a question asking when "this" or "the story" came out."""
    if "asks" in row:
        return row["asks"] == "date"
    kind, question = row.get("kind"), row["question"]
    if kind in ("article", "date"):
        return kind == "date" or (bool(_TIME_WORDS.search(question)) and not _WHO.search(question))
    return kind is None and bool(_ASKS_DATE.search(question))


def date_right(text: str, refused: bool, hedged: bool, dates: Iterable[str]) -> bool:
    """Right on a date row: names one of the article's ``dates``, or (undated) declines and names none."""
    wanted = set(dates)
    if wanted:
        return not refused and bool(wanted & dates_in(text))
    return refused or hedged or (says_undated(text) and not names_a_date(text))


def short_exact(short: Cited, citations: Sequence[Cited], texts: Mapping[str, str]) -> bool:
    """The short answer is its source's text at its offsets and lies inside citation ``short.n``'s quote."""
    host = next((c for c in citations if getattr(c, "n", None) == getattr(short, "n", None)), None)
    inside = host is not None and host.source == short.source
    inside = inside and host.start <= short.start <= short.end <= host.end
    return inside and exact(short, texts)


def gold_recall(citations: Sequence[Cited], gold: Sequence[GoldSpan], contain: bool) -> float | None:
    """Share of gold spans that some citation (short enough to count) holds; None without gold."""
    if not gold:
        return None
    return sum(any(relevant(c, [g], MAX_QUOTE, contain) for c in citations) for g in gold) / len(gold)


def reader_scores(
    row: Mapping,
    answer: Answer,
    texts: Mapping[str, str],
    dates: Mapping[str, str],
    hit3: float | None,
    judged: bool = True,
) -> dict:
    """The reader's scores of one final ``answer`` (``hit3`` from ``score_row``; ``judged``: the pipeline
    decides when to hedge, so ``Answer.hedged`` means something)."""
    answerable = bool(row.get("answerable", True))
    refused, hedged = answer.refused, judged and answer.hedged and not answer.refused
    gold, contain = gold_for(row, texts)
    cited = [] if refused else answer.citations
    recall = gold_recall(cited, gold, contain) if answerable and row.get("all_gold") else None
    is_date = asks_date(row)
    if is_date:
        source = row.get("source")
        wanted = [dates[source]] if source in dates else [] if source else list(dates.values())
        right = date_right(answer.text, refused, hedged, [d for d in wanted if d])
    elif not answerable:
        right = refused or hedged
    elif recall is not None:
        right = recall == 1.0
    else:
        right = not refused and hit3 == 1.0
    short = answer.short
    em = f1 = None
    golds = row.get("gold") or [texts[src][a:b] for src, a, b in gold if contain]  # offsets-only rows
    if answerable and golds:
        said = short.quote if short is not None else (cited[0].quote if cited else "")
        em, f1 = squad_scores(said, golds)
    return {
        "kind": row.get("kind") or "",
        "open_article": bool(row.get("open_article")),
        "date_row": is_date,
        "right": right,
        "date_right": right if is_date else None,
        "all_gold_recall": recall,
        "refused_or_hedged": (refused or hedged) if not answerable else None,
        "short": None if short is None else [short.source, short.start, short.end, short.quote[:80]],
        "short_exact": None if short is None else short_exact(short, answer.citations, texts),
        "routed": answer.kind,
        "squad_em": em,
        "squad_f1": f1,
    }


def _mean(values: Iterable) -> float | None:
    vals = [float(v) for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def reader_summary(rows: Sequence[dict]) -> dict:
    """The reader keys (``READER_KEYS``) and ``routed`` (how often each ``Answer.kind`` came back)."""
    shorts = [r["short_exact"] for r in rows if r["short_exact"] is not None]
    return {
        "answered_right": _mean(r["right"] for r in rows),
        "unanswerable_refused_or_hedged": _mean(r["refused_or_hedged"] for r in rows),
        "all_gold_recall": _mean(r["all_gold_recall"] for r in rows),
        "date_right": _mean(r["date_right"] for r in rows),
        "short_rate": _mean(r["short"] is not None for r in rows if r["answerable"] and not r["refused"]),
        "short_exactness": sum(shorts) / len(shorts) if shorts else None,
        "squad_em": _mean(r["squad_em"] for r in rows),
        "squad_f1": _mean(r["squad_f1"] for r in rows),
        "routed": dict(Counter(r["routed"] for r in rows).most_common()),
    }


def has_kinds(rows: Sequence[dict]) -> bool:
    return any(r.get("kind") for r in rows)


def group_by_kind(rows: Sequence[dict]) -> dict[str, list[dict]]:
    """Scored rows by the set's ``kind`` (in order first seen); rows without one under ``"-"``."""
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r.get("kind") or "-", []).append(r)
    return groups
