"""The answer to a question routed to an article-level intent: find the article it means, then answer.

"This article" is the picked one (``where["source"]``), or the only one indexed, or the one the question's
other words name ("tl;dr of the ba story": the article that best matches "ba"). With several articles and
no word to choose by, the reply gives each article's opening sentence and says how to pick one.
In an LLM answer mode the model is given the sentences the extractive answer would quote (the lede, the
summary, the attribution lines) and its reply is verified as any other; the date is always quoted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.answering import article
from assistant.answering.route import Routed
from assistant.models import Answer
from assistant.text import tokens

if TYPE_CHECKING:
    from assistant.answerers import Answerer
    from assistant.core import Assistant
    from assistant.retrieval import Hit

_GENERATED = ("about", "summary", "credit")  # intents an LLM answerer may phrase itself


def which_article(bot: Assistant, routed: Routed, where: dict | None) -> tuple[str, list[Hit], Hit | None]:
    """``(source, [], None)`` for the article the question means (with the sentence its words found, when
    they chose it among several), or ``("", ledes, None)`` when it could be any."""
    retriever = bot.retriever
    if where and where.get("source"):
        return where["source"], [], None
    ledes = retriever.ledes(where, limit=10**9)
    if len(ledes) == 1:
        return ledes[0].source, [], None
    known = [w for w in routed.rest if any(t in retriever.vocabulary for t in tokens(w))]
    if known and ledes:
        hits = retriever.search(" ".join(known), k=1, where=where)
        if hits:
            return hits[0].source, [], hits[0]
    return "", ledes, None


def article_answer(
    bot: Assistant, question: str, routed: Routed, where: dict | None, answerer: Answerer
) -> Iterator[str | Answer]:
    """The reply to an article-level question (``routed.intent``), streamed, then the ``Answer``."""
    source, ledes, matched = which_article(bot, routed, where)
    if not source:
        pieces = article.overview(question, routed.intent, ledes, len(ledes))
    else:
        chosen = not (where and where.get("source")) and len(bot.retriever.sources) > 1  # by its words
        pieces = _one(bot, question, routed.intent, source, chosen, matched)
    final = None
    for piece in pieces:
        if isinstance(piece, Answer):
            final = piece
        elif answerer.name == "extractive" or routed.intent not in _GENERATED:
            yield piece
    assert final is not None
    final.retrieval_query = question
    final.confidence = 0.0 if final.refused else 1.0
    if answerer.name != "extractive" and routed.intent in _GENERATED and final.citations:
        yield from _generated(bot, question, routed.intent, final, answerer)
        return
    if answerer.name != "extractive":
        if routed.intent in _GENERATED:
            yield final.text  # held back for the model, which had nothing to work from
        final.notice = "The article's own words answer this: showing quotes from the article."
    yield final


def _one(
    bot: Assistant,
    question: str,
    intent: str,
    source: str,
    chosen: bool = False,
    matched: Hit | None = None,
) -> Iterator[str | Answer]:
    """The answer for one article; ``chosen``: picked by the question's words among several (``matched``,
    the sentence they found)."""
    from assistant.answering.summary import SummaryParams, pick

    sentences, vectors = bot.retriever.article(source)
    if intent in ("about", "summary"):
        rows = [i for i, h in enumerate(sentences) if not h.headline]
        top = next((i for i, h in enumerate(sentences) if h.headline), None)
        params = SummaryParams.load()
        texts = [sentences[i].text for i in rows]
        context = {  # what the fitted salience reads beside the sentences: the headline line
            "model": params.model,
            "power": params.power,
            "headline": sentences[top].text if top is not None else "",
            "headline_vector": vectors[top] if top is not None else None,
        }
        if intent == "summary":
            length = params.length(len(rows))
            chosen = pick(texts, vectors[rows], length, params.weight, lede=params.lede, **context)
            return article.summary(question, sentences, chosen)
        follow = (
            pick(texts, vectors[rows], 2, params.weight, **context)[1:]  # the lede, then the most salient
            if rows and len(texts[0]) < article.SHORT_LEDE
            else []
        )
        return article.about(question, sentences, follow[0] if follow else None)
    if intent == "credit":
        return article.credit(question, sentences)
    if intent == "quoted":
        return article.quoted(question, sentences, matched=matched)
    if intent == "headline":
        return article.headline(question, sentences, with_lede=chosen, matched=matched)
    meta = next((m for m in bot.articles() if m.get("source") == source), {})
    text = (Path(bot.settings.root) / source).read_text(encoding="utf-8")
    return article.date(question, sentences, text, int(meta.get("body_start", 0) or 0))


def _generated(bot: Assistant, question: str, intent: str, extractive: Answer, answerer: Answerer):
    """An LLM's reply from the sentences the extractive answer quotes (it falls back to that answer)."""
    sentences, _ = bot.retriever.article(extractive.citations[0].source)
    cited = extractive.citations
    hits = [h for h in sentences if any(h.start <= c.start and c.end <= h.end for c in cited)]
    for piece in answerer.stream(question, hits, len(hits)):
        if isinstance(piece, Answer):
            piece.kind, piece.retrieval_query, piece.confidence = intent, question, 1.0
        yield piece
