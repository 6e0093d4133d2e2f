"""The extractive answerer: replies in the article's own sentences, each followed by its ``[n]`` marker.

It needs no language model and cannot state anything the article does not: every sentence of its reply is
a verbatim quote. It picks the best sentence and adds the runners-up only when they are nearly as close.
An LLM answerer (``assistant.generate``) can replace it; both take the same ``Hit``s and return an Answer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assistant import answertype
from assistant.models import Answer, Citation
from assistant.retrieval import Hit
from assistant.speech import asks_who_said
from index.news import long_date, relative_phrase

MARGIN = 0.12  # a runner-up joins the answer when its similarity is within this of the best
MIN_EXTRA = 0.35

REFUSAL = "The article does not say."


def citation(n: int, hit: Hit) -> Citation:
    return Citation(
        n=n,
        source=hit.source,
        start=hit.start,
        end=hit.end,
        quote=hit.text,
        title=hit.title,
        date=hit.date,
        paragraph=hit.paragraph,
        outlet=hit.outlet,
        url=hit.url,
    )


def select(hits: Sequence[Hit], n_sources: int, question: str = "") -> list[Hit]:
    """The best hit, then runners-up close to it in meaning, at most ``n_sources`` in all.

    When the question asks for a kind of thing (a time, a number...), a close runner-up that has one goes
    first if the best hit has none.
    """
    if not hits:
        return []
    best = max(h.dense for h in hits)
    close = [h for h in hits if h.dense >= max(best - MARGIN, MIN_EXTRA)]
    kind = answertype.expected(question)
    # Numbers and times are specific enough to look a little further down the list for.
    wider = [h for h in hits if h.dense >= MIN_EXTRA] if kind in {"number", "time"} else []
    first = next((h for h in [hits[0], *close, *wider] if answertype.has(kind, h.text)), hits[0])
    chosen = [first]
    for hit in hits:
        if hit is first:
            continue
        if len(chosen) >= n_sources:
            break
        if hit.dense >= max(best - MARGIN, MIN_EXTRA):
            chosen.append(hit)
    return chosen


def refusal(question: str, reason: str = "") -> Answer:
    text = REFUSAL if not reason else f"{REFUSAL} ({reason[0].upper()}{reason[1:]}.)"
    return Answer(text=text, refused=True, citations=[], question=question)


class ExtractiveAnswerer:
    """Composes a reply from the selected sentences; streams it sentence by sentence."""

    name = "extractive"

    def stream(
        self, question: str, hits: Sequence[Hit], n_sources: int, history=None
    ) -> Iterator[str | Answer]:
        chosen = select(hits, n_sources, question)
        citations = [citation(n, hit) for n, hit in enumerate(chosen, start=1)]
        parts = []
        lead = f"It was {chosen[0].speaker}: " if asks_who_said(question) and chosen[0].speaker else ""
        for c in citations:
            part = f"{lead if c.n == 1 else ''}{c.quote} [{c.n}]"
            parts.append(part)
            yield part if len(parts) == 1 else " " + part
        if note := time_note(question, chosen[0]):
            parts.append(note)
            yield " " + note
        yield Answer(
            text=" ".join(parts), refused=False, citations=citations, question=question, mode=self.name
        )


def time_note(question: str, hit: Hit) -> str:
    """For "when" questions: what a relative date in the quote means, counted from the article's date."""
    if answertype.expected(question) != "time" or not hit.when_label:
        return ""
    phrase = relative_phrase(hit.text)
    return (
        f"(\u201c{phrase}\u201d is counted from the article's date, {long_date(hit.date)}: {hit.when_label}.)"
    )


def statements_head(speaker: str, count: int) -> str:
    return f"The article attributes {count} statement{'s' if count != 1 else ''} to {speaker}:"


def period_head(date_from: str, date_to: str, count: int) -> str:
    span = long_date(date_from) if date_from == date_to else f"{long_date(date_from)} to {long_date(date_to)}"
    return f"{count} article{'s' if count != 1 else ''} dated {span}, each by its opening sentence:"


def listing(question: str, head: str, hits: Sequence[Hit]) -> Iterator[str | Answer]:
    """A heading, then each hit as a cited line: "What did X say?", "What happened in May 2024?"."""
    citations = [citation(n, hit) for n, hit in enumerate(hits, start=1)]
    yield head
    lines = [head]
    for c in citations:
        line = f"\n- {c.quote} [{c.n}]"
        lines.append(line)
        yield line
    yield Answer(
        text="".join(lines), refused=False, citations=citations, question=question, mode="extractive"
    )
