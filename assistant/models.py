"""The answer contract: ``Answer`` with ``Citation``s whose quotes are exact slices of their source files."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path


@dataclass(frozen=True)
class Citation:
    """Source ``n`` of an answer: ``Path(source).read_text(encoding="utf-8")[start:end] == quote``."""

    n: int
    source: str
    start: int
    end: int
    quote: str
    title: str = ""
    date: str = ""
    paragraph: int = 0
    outlet: str = ""
    url: str = ""
    sha256: str = ""  # of the source file when the answer was made ("" if unreadable): see assistant.receipts

    def verify(self, root: Path = Path(".")) -> bool:
        """True when the quote is exactly the source file's text at ``start:end``."""
        return (root / self.source).read_text(encoding="utf-8")[self.start : self.end] == self.quote


@dataclass
class Answer:
    """A reply with inline ``[n]`` markers; ``refused`` when the articles do not support an answer."""

    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    question: str = ""
    mode: str = "extractive"
    notice: str = ""  # one line shown above the answer, e.g. a fallback from a failed LLM backend
    dropped: list[dict] = field(default_factory=list)  # generated sentences removed by verification, and why
    retrieval_query: str = ""
    confidence: float = 1.0  # probability (0..1) that the articles answer the question (the fitted scorer's)
    hedged: bool = False  # no direct answer: the citations are the closest passages, not an answer
    # The short answer a reply leads with: an exact span inside the quote of citation ``short.n`` (same
    # source, offsets within that citation's), checked like any quote. None when there is none.
    short: Citation | None = None
    # What was asked, as routed: "" (a question about the text), or an article-level intent ("about",
    # "summary", "date", "credit", "headline") or "list".
    kind: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Answer:
        """The Answer that ``to_dict`` gave (unknown keys are ignored)."""
        known = {f.name for f in fields(cls)} - {"citations"}
        cited = {f.name for f in fields(Citation)}
        citations = [
            Citation(**{k: v for k, v in c.items() if k in cited}) for c in data.get("citations", [])
        ]
        short = data.get("short")
        known -= {"short"}
        return cls(
            **{k: v for k, v in data.items() if k in known},
            citations=citations,
            short=Citation(**{k: v for k, v in short.items() if k in cited}) if short else None,
        )
