"""Split article text into sentences and passages that keep exact character offsets.

Every span is a pair ``(start, end)`` into the *source file's text* such that ``text[start:end]`` is the
sentence or passage, with no leading or trailing white space. Passages are paragraphs, cut at sentence
boundaries when a paragraph is longer than ``chunk_size``; a passage never splits a sentence.

This module does not read files, embed anything or know about Chroma.

>>> text = 'The U.S. said no. "It is serious." Putin said.'
>>> [text[s:e] for s, e in sentence_spans(text)]
['The U.S. said no.', '"It is serious."', 'Putin said.']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from langchain_core.documents import Document
from langchain_text_splitters import TextSplitter

# Words that end in a period without ending a sentence. Compared lower-cased, without the final period.
ABBREVIATIONS = frozenset(
    (
        "mr mrs ms dr prof sr jr st gen col lt sgt capt cmdr adm gov sen rep rev hon pres jan feb mar apr "
        "jun jul aug sep sept oct nov dec no vs etc inc corp ltd co dept est approx fig a.m p.m e.g i.e "
        "u.s u.k u.n e.u"
    ).split()
)

# A candidate end of sentence: terminal punctuation, then any closing quotes or brackets.
_END = re.compile(r"""[.!?]+['"\u2019\u201d)\]]*""")
# What may open the next sentence: optional opening quote or bracket, then a capital letter or digit.
_NEXT = re.compile(r"""\s+(?=['"\u2018\u201c(\[]*[A-Z0-9])""")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period at ``dot`` closes an abbreviation such as "U.S." or "Gen."."""
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot].lower()
    if not word:
        return False
    if word in ABBREVIATIONS:
        return True
    # Initials: "J." or "U.S" style runs of single letters separated by periods.
    return all(len(part) == 1 for part in word.split(".")) and word[0].isalpha()


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def paragraph_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the non-blank lines (paragraphs) of ``text[start:end]``."""
    end = len(text) if end is None else end
    spans, cursor = [], start
    for m in _PARAGRAPH_BREAK.finditer(text, start, end):
        s, e = _strip(text, cursor, m.start())
        if s < e:
            spans.append((s, e))
        cursor = m.end()
    s, e = _strip(text, cursor, end)
    if s < e:
        spans.append((s, e))
    return spans


def _sentences_in_paragraph(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    cursor = start
    for m in _END.finditer(text, start, end):
        gap = _NEXT.match(text, m.end(), end)
        if gap is None:
            continue
        if text[m.start()] == "." and m.end() - m.start() == 1 and _is_abbreviation(text, m.start()):
            continue
        yield cursor, m.end()
        cursor = gap.end()
    s, e = _strip(text, cursor, end)
    if s < e:
        yield s, e


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text[start:end]``; sentences never cross a line break."""
    return [
        span
        for p_start, p_end in paragraph_spans(text, start, end)
        for span in _sentences_in_paragraph(text, p_start, p_end)
    ]


@dataclass(frozen=True)
class Passage:
    """A retrieval unit: a paragraph (or part of a long one) and the sentences inside it."""

    start: int
    end: int
    paragraph: int  # 1-based paragraph number in the article
    sentences: tuple[tuple[int, int], ...]


def passages(text: str, start: int = 0, end: int | None = None, chunk_size: int = 600) -> list[Passage]:
    """Group sentences into passages: one per paragraph, cut at sentence ends past ``chunk_size``."""
    out: list[Passage] = []
    for number, (p_start, p_end) in enumerate(paragraph_spans(text, start, end), start=1):
        group: list[tuple[int, int]] = []
        for sent in _sentences_in_paragraph(text, p_start, p_end):
            if group and sent[1] - group[0][0] > chunk_size:
                out.append(Passage(group[0][0], group[-1][1], number, tuple(group)))
                group = []
            group.append(sent)
        if group:
            out.append(Passage(group[0][0], group[-1][1], number, tuple(group)))
    return out


class SentencePassageSplitter(TextSplitter):
    """A LangChain splitter whose chunks are sentence-aligned passages with exact ``start``/``end`` offsets.

    ``split_documents`` expects each input document to carry ``metadata["body_start"]``, the offset of the
    article body in ``page_content`` (0 when the whole text is body), and returns one Document per passage
    with ``start``, ``end``, ``paragraph`` and ``sentences`` (a list of ``[start, end]``) in its metadata.
    """

    def __init__(self, chunk_size: int = 600, **kwargs) -> None:
        super().__init__(chunk_size=chunk_size, chunk_overlap=0, **kwargs)

    def split_text(self, text: str) -> list[str]:
        return [text[p.start : p.end] for p in passages(text, chunk_size=self._chunk_size)]

    def split_documents(self, documents: Iterable[Document]) -> list[Document]:
        out = []
        for doc in documents:
            text = doc.page_content
            body_start = int(doc.metadata.get("body_start", 0))
            for p in passages(text, body_start, chunk_size=self._chunk_size):
                meta = {
                    **doc.metadata,
                    "start": p.start,
                    "end": p.end,
                    "paragraph": p.paragraph,
                    "sentences": [list(s) for s in p.sentences],
                }
                out.append(Document(page_content=text[p.start : p.end], metadata=meta))
        return out
