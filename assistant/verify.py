"""Check a generated answer sentence by sentence against the passages it cites.

Each sentence of the model's reply must carry at least one ``[n]`` that names a passage it was given, and
must be supported by a sentence of that passage: most of its content words appear there (numbers must,
exactly), or, for a paraphrase, many do and the embedding cosine is high. Supported sentences keep one
citation each, the best-supporting source span with its exact offsets, so ``source[start:end] == quote``
holds for generated answers too. Everything else is dropped with a reason; nothing unverified is shown as
cited. Source text that reads like an instruction to the assistant never counts as support.

This module does not call a model; ``assistant.generate`` does, then hands the reply here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.compose import REFUSAL
from assistant.models import Citation
from assistant.retrieval import Hit
from assistant.text import looks_like_instruction, tokens, words
from index.splitter import sentence_spans

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

# Calibrated with evaluation/llm_bench.py on ../shared/eval/dev.jsonl (see README, "Generated answers").
LEXICAL_OK = 0.7  # share of a sentence's content words found in one source sentence: supported outright
LEXICAL_MIN = 0.4  # below this nothing is supported, however close in meaning
COSINE_OK = 0.7  # between the two, a paraphrase is supported when the embeddings agree this well

NEGATIONS = frozenset(
    "not no never nor neither none nothing without cannot isnt arent wasnt werent hasnt havent hadnt "
    "doesnt dont didnt wont wouldnt cant couldnt shouldnt".split()
)
MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_ONLY_MARKERS = re.compile(r"^(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+\s*[.!?]?$")


@dataclass
class Claim:
    """One sentence of a generated reply: its words without markers, and the passage numbers it cites."""

    text: str
    markers: list[int] = field(default_factory=list)


@dataclass
class Span:
    """A sentence of a hit as exact offsets into the hit's source file."""

    hit: Hit
    start: int
    end: int

    @property
    def quote(self) -> str:
        return self.hit.text[self.start - self.hit.start : self.end - self.hit.start]


@dataclass
class ClaimVerdict:
    """Whether one claim of a reply is supported: by which span, how well, or why it was dropped."""

    claim: Claim
    span: Span | None = None
    score: float = 0.0
    reason: str = ""  # why it was dropped; empty when supported

    @property
    def supported(self) -> bool:
        return self.span is not None and not self.reason


def split_claims(reply: str) -> list[Claim]:
    """The reply's sentences with their markers; a marker standing after a full stop ("... Kharkiv. [1]")
    belongs to the sentence before it."""
    text = " ".join(reply.split())
    claims: list[Claim] = []
    for start, end in sentence_spans(text):
        piece = text[start:end]
        lead = re.match(r"^(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+", piece)
        if lead and claims and (not claims[-1].markers or _ONLY_MARKERS.match(piece)):
            claims[-1].markers += _numbers(lead.group())
            piece = piece[lead.end() :]
        if not piece.strip(" .!?"):
            continue
        claims.append(Claim(text=_clean(MARKER.sub("", piece)), markers=_numbers(piece)))
    return claims


def _numbers(piece: str) -> list[int]:
    return [int(n) for m in MARKER.finditer(piece) for n in re.split(r"\s*[,;]\s*", m.group(1))]


def _clean(text: str) -> str:
    text = re.sub(r"\s+([.,;:!?])", r"\1", text).strip()
    return text if text[-1:] in ".!?\"'\u201d" else text + "."


def candidate_spans(hit: Hit) -> list[Span]:
    """The sentences inside a hit (a hit is usually one sentence already), as exact spans of its source."""
    spans = sentence_spans(hit.text) or [(0, len(hit.text))]
    return [Span(hit, hit.start + s, hit.start + e) for s, e in spans]


def lexical_support(claim: str, source: str) -> float:
    """Share of the claim's content words found in ``source``; 0 when a number in the claim is missing or
    only one of them is negated."""
    claim_tokens, source_tokens = set(tokens(claim)), set(tokens(source))
    if not claim_tokens:
        return 0.0
    claim_words, source_words = set(words(claim)), set(words(source))
    numbers = {w for w in claim_words if any(ch.isdigit() for ch in w)}
    if numbers - source_words:
        return 0.0
    if bool(claim_words & NEGATIONS) != bool(source_words & NEGATIONS):  # "has not changed" vs "changed"
        return 0.0
    return len(claim_tokens & source_tokens) / len(claim_tokens)


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine of two embeddings (their dot product: the embedder normalises its vectors)."""
    return float(sum(x * y for x, y in zip(a, b, strict=True)))


def _best(claim: Claim, spans: Sequence[Span], embedder: Embeddings | None) -> tuple[Span | None, float]:
    """The best-supporting span and its score (lexical share, or cosine for an accepted paraphrase)."""
    scored = sorted(((lexical_support(claim.text, s.quote), s) for s in spans), key=lambda x: -x[0])
    if not scored:
        return None, 0.0
    lexical, span = scored[0]
    if lexical >= LEXICAL_OK:
        return span, lexical
    if embedder is None or lexical < LEXICAL_MIN:
        return None, lexical
    close = [s for lex, s in scored if lex >= LEXICAL_MIN]
    vectors = embedder.embed_documents([claim.text] + [s.quote for s in close])  # one batch: one pass
    best_cos, best_span = max(
        ((cosine(vectors[0], v), s) for v, s in zip(vectors[1:], close, strict=True)), key=lambda x: x[0]
    )
    if best_cos >= COSINE_OK:
        return best_span, best_cos
    return None, lexical


def verify(reply: str, hits: Sequence[Hit], embedder: Embeddings | None = None) -> list[ClaimVerdict]:
    """A verdict for each sentence of ``reply``, whose ``[n]`` refer to ``hits`` (``[1]`` is ``hits[0]``)."""
    usable = {
        n: [s for s in candidate_spans(h) if not looks_like_instruction(s.quote)]
        for n, h in enumerate(hits, start=1)
    }
    verdicts = []
    for claim in split_claims(reply):
        verdict = ClaimVerdict(claim)
        valid = [n for n in dict.fromkeys(claim.markers) if n in usable]
        invented = [n for n in claim.markers if n not in usable]
        if REFUSAL.rstrip(".").lower() in claim.text.lower():
            verdict.reason = "the model said the article does not say"
        elif not claim.markers:
            verdict.reason = "no citation"
        elif not valid:
            shown = ", ".join(f"[{n}]" for n in invented)
            verdict.reason = f"cites {shown}, but only {len(hits)} passages were given"
        else:
            spans = [s for n in valid for s in usable[n]]
            verdict.span, verdict.score = _best(claim, spans, embedder)
            if verdict.span is None:
                verdict.reason = _why_unsupported(claim, valid, hits, usable, embedder)
        verdicts.append(verdict)
    return verdicts


def _why_unsupported(claim, valid, hits, usable, embedder) -> str:
    cited = ", ".join(f"[{n}]" for n in valid)
    for n, spans in usable.items():
        if n not in valid and _best(claim, spans, None)[0] is not None:
            return f"cites {cited}, but its words are from passage [{n}]"
    planted = [s for n in valid for s in candidate_spans(hits[n - 1]) if looks_like_instruction(s.quote)]
    if planted and _best(claim, planted, None)[0] is not None:
        return f"its only support in {cited} reads as an instruction planted in the article"
    return f"not supported by {cited}"


def assemble(
    verdicts: Sequence[ClaimVerdict], max_sources: int | None = None
) -> tuple[str, list[Citation], list[dict]]:
    """The verified reply: kept sentences with renumbered markers, their citations in marker order, and
    the dropped sentences with their reasons. At most ``max_sources`` distinct spans are cited."""
    from assistant.compose import citation

    numbers: dict[tuple[str, int, int], int] = {}
    citations: list[Citation] = []
    parts, dropped = [], []
    for v in verdicts:
        if not v.supported:
            dropped.append({"sentence": v.claim.text, "markers": v.claim.markers, "reason": v.reason})
            continue
        key = (v.span.hit.source, v.span.start, v.span.end)
        if key not in numbers and max_sources is not None and len(numbers) >= max_sources:
            reason = f"would be source {len(numbers) + 1}; the answer cites at most {max_sources}"
            dropped.append({"sentence": v.claim.text, "markers": v.claim.markers, "reason": reason})
            continue
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            c = citation(numbers[key], v.span.hit)
            citations.append(
                Citation(**{**c.__dict__, "start": v.span.start, "end": v.span.end, "quote": v.span.quote})
            )
        parts.append(f"{v.claim.text} [{numbers[key]}]")
    return " ".join(parts), citations, dropped
