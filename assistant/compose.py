"""The extractive answerer: replies in the article's own sentences, each followed by its ``[n]`` marker.

It needs no language model and cannot state anything the article does not: every sentence of its reply is
a verbatim quote. It answers with the best sentence (and any runner-up the scorer also finds more likely
than not to answer), then lists the other candidates it was given as related passages.
An LLM answerer (``assistant.generate``) can replace it; both take the same ``Hit``s and return an Answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace

from assistant import answertype
from assistant.answerers import Answerer
from assistant.models import Answer, Citation
from assistant.retrieval import Hit
from assistant.scorer import sigmoid
from assistant.speech import asks_who_said
from assistant.text import looks_like_instruction, tokens
from index.news import long_date, relative_phrase

# A runner-up sentence joins the answer when the scorer finds it more likely than not to answer too.
JOIN_PROBABILITY = 0.5
RELATED = "Related passages:"

QUOTE_LIMIT = 400  # a quote longer than this is cut to the clauses that meet the question
_CLAUSE = re.compile(r"(?<=[;,:])\s+|\s+(?=\()")

REFUSAL = "The article does not say."
HEDGE = "The article does not answer this directly; the closest passages are:"


def citation(n: int, hit: Hit, question: str = "") -> Citation:
    """Source ``n``: the hit's sentence, or for a sentence over ``QUOTE_LIMIT`` the clauses that meet the
    question (still an exact slice of the source)."""
    a, b = clause_window(hit.text, question) if len(hit.text) > QUOTE_LIMIT else (0, len(hit.text))
    return Citation(
        n=n,
        source=hit.source,
        start=hit.start + a,
        end=hit.start + b,
        quote=hit.text[a:b],
        title=hit.title,
        date=hit.date,
        paragraph=hit.paragraph,
        outlet=hit.outlet,
        url=hit.url,
    )


def clause_window(text: str, question: str, limit: int = QUOTE_LIMIT) -> tuple[int, int]:
    """``(start, end)`` in ``text`` of the run of clauses, at most ``limit`` characters, that holds the most
    of the question's words (the earliest such run on a tie); clauses end at , ; : or before a bracket."""
    cuts = [0, *(m.end() for m in _CLAUSE.finditer(text)), len(text)]
    pieces = [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1)]
    wanted = set(tokens(question))
    # Clauses are cut at white space, so a run's words are the union of its clauses' words.
    found = [wanted & set(tokens(text[a:b])) for a, b in pieces]
    best, best_score = (0, min(len(text), limit)), -1
    for i in range(len(pieces)):
        seen: set[str] = set()
        for j in range(i, len(pieces)):
            start, end = pieces[i][0], pieces[j][1]
            if end - start > limit:
                break
            seen |= found[j]
            score = len(seen)
            if score > best_score:
                best, best_score = (start, end), score
    start, end = best
    while end > start and text[end - 1] in " ,;:":
        end -= 1
    return start, end


def select(hits: Sequence[Hit], n_sources: int, related_floor: float = 0.0) -> tuple[list[Hit], list[Hit]]:
    """``(answer, related)``: the best hit and the runners-up that support it too (more likely than not to
    answer), those in article order when they share its article (the best stays first); then the runners-up
    at least ``related_floor`` likely to answer, shown apart. ``n_sources`` in all at most."""
    if not hits:
        return [], []
    # Text addressed to an assistant is never quoted as an answer (it may be a planted prompt).
    safe = [h for h in hits if not looks_like_instruction(h.text)] or list(hits)
    shown = safe[: max(1, n_sources)]
    answer = [shown[0], *(h for h in shown[1:] if sigmoid(h.score) >= JOIN_PROBABILITY)]
    if len(answer) > 1 and len({h.source for h in answer}) == 1:  # a list: the best, then the article's order
        answer[1:] = sorted(answer[1:], key=lambda h: h.start)
    related = [h for h in shown if h not in answer and sigmoid(h.score) >= related_floor]
    return answer, related


def refusal(question: str, reason: str = "", confidence: float = 0.0) -> Answer:
    text = REFUSAL if not reason else f"{REFUSAL} ({reason[0].upper()}{reason[1:]}.)"
    return Answer(text=text, refused=True, citations=[], question=question, confidence=confidence)


def hedge(
    question: str, hits: Sequence[Hit], n_sources: int, confidence: float, reason: str = ""
) -> Iterator[str | Answer]:
    """No direct answer: say so (and why, when ``reason`` says what the article lacks), then quote the
    closest passages as a list (low ``confidence``)."""
    head = HEDGE if not reason else HEDGE.replace("directly;", f"directly ({reason});")
    for piece in listing(question, head, hits[: max(1, n_sources)]):
        if isinstance(piece, Answer):
            piece.confidence, piece.hedged = confidence, True
        yield piece


class ExtractiveAnswerer(Answerer):
    """Composes a reply from the selected sentences; streams it sentence by sentence."""

    name = "extractive"

    def __init__(self, related_floor: float = 0.0) -> None:
        self.related_floor = related_floor  # see ``select``; the scorer's ``worth_showing`` filters first

    def stream(
        self, question: str, hits: Sequence[Hit], n_sources: int, history: Sequence[dict] | None = None
    ) -> Iterator[str | Answer]:
        chosen, related = select(hits, n_sources, self.related_floor)
        citations = [citation(n, hit, question) for n, hit in enumerate([*chosen, *related], start=1)]
        best = hits[0] if hits and hits[0] in chosen else chosen[0]
        parts = []
        short = None
        if asks_who_said(question) and best.speaker:  # the speaker recorded at index time answers it
            lead = f"It was {best.speaker}: "
        elif short := short_span(question, best, citations[chosen.index(best)]):
            lead = f"{short.quote}. "
        else:
            lead = ""
        for c in citations[: len(chosen)]:
            part = f"{lead if c.n == 1 else ''}{c.quote} [{c.n}]"
            parts.append(part)
            yield part if len(parts) == 1 else " " + part
        if note := time_note(question, [*chosen, *related]):
            parts.append(note)
            yield " " + note
        for i, c in enumerate(citations[len(chosen) :]):
            part = f"{chr(10) * 2 + RELATED if i == 0 else ''}\n- {c.quote} [{c.n}]"
            parts.append(part)
            yield part
        text = "".join(p if i == 0 or p.startswith(chr(10)) else " " + p for i, p in enumerate(parts))
        kind = "list" if len(chosen) > 1 else ""
        yield Answer(
            text=text,
            refused=False,
            citations=citations,
            question=question,
            mode=self.name,
            short=short,
            kind=kind,
        )


def short_span(question: str, hit: Hit, cited: Citation) -> Citation | None:
    """The short answer inside ``cited`` (the quote of ``hit``), as a citation of its own, or None."""
    from assistant.answering.spans import short_answer

    found = short_answer(question, hit, cited.start, cited.end)
    if not found:
        return None
    start, end, _ = found
    if not (cited.start <= start < end <= cited.end):
        return None
    quote = hit.text[start - hit.start : end - hit.start]
    return replace(cited, start=start, end=end, quote=quote)


def time_note(question: str, hits: Sequence[Hit]) -> str:
    """For "when" questions: what a relative date in the first cited quote that has one means, counted from
    the article's date, naming that quote's ``[n]``."""
    if answertype.expected(question) != "time":
        return ""
    n, hit = next(((n, h) for n, h in enumerate(hits, start=1) if h.when_label), (0, None))
    if hit is None:
        return ""
    phrase = relative_phrase(hit.text)
    return (
        f"(\u201c{phrase}\u201d [{n}] is counted from the article's date, {long_date(hit.date)}: "
        f"{hit.when_label}.)"
    )


def statements_head(speaker: str, count: int, topic: str = "") -> str:
    """The heading of a speaker's statements; ``topic`` as the question says it ("about Europe")."""
    about = f" {topic}" if topic else ""
    return f"The article attributes {count} statement{'s' if count != 1 else ''}{about} to {speaker}:"


def period_head(date_from: str, date_to: str, count: int) -> str:
    span = long_date(date_from) if date_from == date_to else f"{long_date(date_from)} to {long_date(date_to)}"
    return f"{count} article{'s' if count != 1 else ''} dated {span}, each by its opening sentence:"


def listing(question: str, head: str, hits: Sequence[Hit]) -> Iterator[str | Answer]:
    """A heading, then each hit as a cited line: "What did X say?", "What happened in May 2024?"."""
    citations = [citation(n, hit, question) for n, hit in enumerate(hits, start=1)]
    yield head
    lines = [head]
    for c in citations:
        line = f"\n- {c.quote} [{c.n}]"
        lines.append(line)
        yield line
    yield Answer(
        text="".join(lines), refused=False, citations=citations, question=question, mode="extractive"
    )
