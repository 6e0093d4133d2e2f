"""The assistant: retrieve -> judge -> compose, behind ``Assistant.stream`` and the module-level ``answer()``.

Everything heavy (the model, the Chroma client, the lexical index) is built on first use and kept, so a
process pays for it once. Front ends (CLI, Gradio) call ``answer`` or ``stream`` and format nothing
themselves beyond layout.
"""

from __future__ import annotations

import logging
import threading
import time
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.answertype import asks_for_several
from assistant.compose import ExtractiveAnswerer, hedge, listing, period_head, refusal, statements_head
from assistant.dates import only_period, question_period, without_period
from assistant.errors import AssistantError, BadQuestion, IndexNotBuilt
from assistant.models import Answer
from assistant.receipts import stamp
from assistant.refusal import judge
from assistant.settings import Settings
from assistant.speech import asked_speaker, asked_topic, statements_about

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_core.embeddings import Embeddings

    from assistant.answerers import Answerer
    from assistant.retrieval import HybridRetriever
    from index.build import BuildReport
    from index.store import IndexStore

log = logging.getLogger(__name__)
CANDIDATES = 8
RECHECK_SECONDS = 1.0
ANSWER_MODES = ("extractive", "local", "openai", "ollama")
NAMED_SOURCES = 10  # how many known sources an "unknown source" error lists


def clean_question(question: object, limit: int) -> str:
    """Normalise a question; raise BadQuestion (one line) when it is empty or too long."""
    if not isinstance(question, str):
        raise BadQuestion(f"the question must be text, not {type(question).__name__}")
    # Lone surrogates cannot be encoded; control characters carry no meaning in a question.
    text = question.encode("utf-8", errors="replace").decode("utf-8")
    text = "".join(" " if unicodedata.category(ch) in {"Cc", "Cf", "Cs"} else ch for ch in text)
    text = " ".join(text.split())
    if not text:
        raise BadQuestion("the question is empty — ask something about the article")
    if len(text) > limit:
        raise BadQuestion(f"the question is {len(text):,} characters; the limit is {limit:,} — shorten it")
    return text


def resolve_source(wanted: str, known: Sequence[str]) -> str:
    """The indexed article ``wanted`` names: its path as indexed, or a unique tail of it
    (``000_5b9ea04de76b7050.txt``, ``seeds/harbour.html`` for its extracted text). Raises BadQuestion,
    naming the known sources, when none or several match."""
    wanted = wanted.strip().replace("\\", "/").removeprefix("./")
    found = [k for k in known if k == wanted] or [
        k for k in known if k.endswith((f"/{wanted}", f"/{wanted}.txt")) or k == f"{wanted}.txt"
    ]
    if len(found) == 1:
        return found[0]
    if found:
        raise BadQuestion(
            f"source {wanted!r} matches {len(found)} articles: {', '.join(found)} — give more of its path"
        )
    if not known:
        raise BadQuestion(f"unknown source {wanted!r} — the index holds no articles")
    more = len(known) - NAMED_SOURCES
    shown = ", ".join(known[:NAMED_SOURCES]) + (f" and {more} more" if more > 0 else "")
    raise BadQuestion(f"unknown source {wanted!r} — use one of: {shown}")


class Assistant:
    """Answers questions from an index. Pass ``store``/``embedder``/``answerer`` to use your own parts."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        store: IndexStore | None = None,
        embedder: Embeddings | None = None,
        answerer: Answerer | None = None,
        client: ClientAPI | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self._build_embedder: Embeddings | None = None
        self._store = store
        self._owns_store = store is None  # follow index rebuilds only for a store we opened ourselves
        self._client = client
        self._retriever: HybridRetriever | None = None
        self._checked_at = time.monotonic()
        self.answerer: Answerer = answerer or ExtractiveAnswerer()
        self._answerers: dict[str, Answerer] = {}
        self._articles: tuple[tuple[int, int], list[dict]] | None = None  # ((generation, revision), records)
        self._router = None
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()

    @property
    def embedder(self) -> Embeddings:
        """What embeds questions: the ONNX export when it is current (``settings.query_embedder``)."""
        if self._embedder is None:
            from index.onnx import FOLDER, query_embedder

            settings = self.settings
            self._embedder = query_embedder(
                settings.embed_model, settings.index_dir / FOLDER, settings.query_embedder
            )
        return self._embedder

    @property
    def build_embedder(self) -> Embeddings:
        """What embeds articles: the query embedder, unless that is the ONNX export (builds keep
        sentence-transformers, loaded only when a build runs)."""
        from index.onnx import OnnxEmbeddings

        if not isinstance(self.embedder, OnnxEmbeddings):
            return self.embedder
        if self._build_embedder is None:
            from index.embeddings import SentenceTransformerEmbeddings

            self._build_embedder = SentenceTransformerEmbeddings(self.settings.embed_model)
        return self._build_embedder

    @property
    def store(self) -> IndexStore:
        if self._store is None:
            from index.store import open_index

            try:
                self._store = open_index(self.settings, self.embedder, client=self._client)
            except IndexNotBuilt:
                from index.build import build_index  # only now: a query never pays for the indexer

                log.warning("no index yet: building it from %s", self.settings.seeds_dir)
                build_index(self.settings, self.build_embedder, client=self._client)
                self._store = open_index(self.settings, self.embedder, client=self._client)
            self._client = self._store.client
        return self._store

    def _follow_rebuilds(self, force: bool = False, written: Sequence = ()) -> None:
        """Switch to a newer index generation when a build has put one in service (checked once a second).
        ``written``: records this process's build just wrote, taken as they are (see ``follow``)."""
        now = time.monotonic()
        if (
            not self._owns_store
            or self._store is None
            or (not force and now - self._checked_at < RECHECK_SECONDS)
        ):
            return
        self._checked_at = now
        from index.store import open_index

        store = open_index(self.settings, self.embedder, client=self._client)
        if store.generation != self._store.generation:
            retriever = self._new_retriever(store)
            with self._lock:
                self._store, self._retriever = store, retriever
            log.info("now serving index generation %d", store.generation)
            return
        if store.revision != self._store.revision:  # articles added or removed in place
            self._store.revision, self._store.changes = store.revision, store.changes
            self._store.token = store.token
        # Asked even when the revision was seen before: a follow that failed part-way (the store went away)
        # left the retriever behind it, and is done again here (a retriever up to date returns at once).
        retriever = self._retriever
        if retriever is not None and retriever.revision != store.revision and retriever.follow(written):
            log.info("now serving revision %d of index generation %d", store.revision, store.generation)

    def _search(self, query: str, where: dict | None = None):
        """Rank, following a rebuild; a store that fails twice is reported in one line."""
        from index.store import unavailable

        for attempt in (1, 2):
            try:
                self._follow_rebuilds(force=attempt == 2)
                retriever = self.retriever
                return retriever, retriever.rank(query, k=CANDIDATES, where=where)
            except AssistantError:
                raise
            except Exception as e:  # the generation was dropped mid-query, or the server went away
                if attempt == 2:
                    raise unavailable(self.settings, e) from e
                log.info("retrieval failed (%s); retrying on the current index", e)

    @property
    def retriever(self) -> HybridRetriever:
        if self._retriever is None:
            with self._lock:
                if self._retriever is None:
                    self._retriever = self._new_retriever(self.store)
        return self._retriever

    def _new_retriever(self, store: IndexStore) -> HybridRetriever:
        """A retriever over ``store``, loaded, keeping its word vectors and snapshot beside the index."""
        from assistant.retrieval import HybridRetriever

        retriever = HybridRetriever(
            store, self.embedder, words_cache=self._words_cache(), snapshots=self._snapshots()
        )
        retriever.refresh()
        return retriever

    def _words_cache(self) -> Path:
        """Where word vectors are kept between processes: beside the index, one folder per model."""
        import hashlib

        name = str(getattr(self.embedder, "name", type(self.embedder).__name__))
        return self.settings.index_dir / "wordvectors" / hashlib.sha256(name.encode()).hexdigest()[:12]

    def _snapshots(self) -> Path:
        """Where the serving snapshot is kept (``assistant.snapshot``): beside the index."""
        return self.settings.index_dir / "serving"

    @property
    def router(self):
        """The fitted intent router (``assistant.answering.route``), over this assistant's embedder."""
        if self._router is None:
            from assistant.answering.route import Router

            self._router = Router.load(self.embedder)
        return self._router

    def answerer_for(self, mode: str | None = None) -> Answerer:
        """The answerer for an answer mode; the extractive one is the default and the fallback."""
        mode = mode or self.settings.llm
        if mode not in ANSWER_MODES:
            raise BadQuestion(f"unknown answer mode {mode!r} — use one of: {', '.join(ANSWER_MODES)}")
        if mode == "extractive" or mode == self.answerer.name:
            return self.answerer
        with self._lock:
            if mode not in self._answerers:  # one per mode: a local model loads once
                from assistant.generate import LLMAnswerer
                from assistant.llm import chat_model

                self._answerers[mode] = LLMAnswerer(chat_model(mode, self.settings), self.embedder, name=mode)
        return self._answerers[mode]

    def articles(self) -> list[dict]:
        """Metadata of the indexed articles (``source``, ``title``, ``date``, ``outlet``...), by source."""
        store = self.store
        cached = self._articles
        if cached is None or cached[0] != (store.generation, store.revision):
            self._articles = cached = ((store.generation, store.revision), _articles_now(store, cached))
        return cached[1]

    def reindex(self, changed: Sequence[Path | str] | None = None) -> BuildReport:
        """Bring the index in line with the seeds folder now (new articles embedded, the rest copied) and
        serve the result at once. One build at a time per Assistant; only for a store it opened itself.

        ``changed``: the only files that changed (an upload, a story just written); then only they are read
        and indexed, at a cost that does not grow with the archive (``build_index``'s ``changed``)."""
        if not self._owns_store:
            raise AssistantError("this assistant serves a store it was given — run: article-assistant index")
        from index.build import build_index

        with self._build_lock:
            self.store  # noqa: B018 (opens, or first builds, the index and its client)
            report = build_index(
                self.settings, self.build_embedder, client=self._client, progress=False, changed=changed
            )
            self._follow_rebuilds(force=True, written=report.written)
        return report

    def check_where(self, where: dict | None) -> dict | None:
        """``where`` validated, its ``source`` resolved to one indexed article (see ``resolve_source``)."""
        from assistant.retrieval import chroma_filter

        chroma_filter(where)  # the other keys and the value's type
        if not where or not where.get("source"):
            return where
        known = [str(m.get("source", "")) for m in self.articles()]
        return {**where, "source": resolve_source(where["source"], known)}

    def prepare_serving(self) -> None:
        """Load the index as a serving process does and keep on disk what that computed (the vectors of the
        articles' words; the serving snapshot, for large archives), so the next process starts from them."""
        self.retriever.saved()

    def warm(self) -> Assistant:
        """Load the model, open the index and run one query, so the first user does not wait."""
        self.retriever.search("warm up", k=1)
        return self

    def stream(
        self,
        question: str,
        history: Sequence[dict] | None = None,
        *,
        n_sources: int | None = None,
        mode: str | None = None,
        where: dict | None = None,
    ) -> Iterator[str | Answer]:
        """Yield pieces of the reply text as they are composed, then the final ``Answer``.

        ``mode`` picks the answerer (see ``ANSWER_MODES``); the default is the settings' ``llm``.
        ``where`` narrows the articles: ``{"date_from": "2024-05-01", "date_to": ..., "outlet": ...}``, or
        ``{"source": "seeds/000_5b9ea04de76b7050.txt"}`` for one article. Every citation of the final
        answer carries the SHA-256 of its source file as it is now (``Citation.sha256``).
        """
        question = clean_question(question, self.settings.max_question_chars)
        where = self.check_where(where)
        for piece in self._compose(question, history, n_sources, mode, where):
            if isinstance(piece, Answer):
                stamp(piece, self.settings.root)
            yield piece

    def _compose(
        self,
        question: str,
        history: Sequence[dict] | None,
        n_sources: int | None,
        mode: str | None,
        where: dict | None,
    ) -> Iterator[str | Answer]:
        """The reply to a cleaned ``question`` among the articles that pass a checked ``where``."""
        n_sources = max(1, n_sources or self.settings.n_sources)
        answerer = self.answerer_for(mode)
        routed = self.router.route(question, self.retriever.vocabulary)
        if routed.intent:  # about the article as a whole: its lede, summary, date, sources or headline
            from assistant.answering.intents import article_answer

            self._follow_rebuilds()
            yield from article_answer(self, question, routed, where, answerer)
            return
        asked = question
        period = question_period(question)
        if period and not (where and (where.get("date_from") or where.get("date_to"))):
            where = {**(where or {}), "date_from": period[0], "date_to": period[1]}  # articles of then
            if only_period(question):  # "What happened in late May 2024?"
                yield from self._period_answer(question, where)
                return
            question = without_period(question)
        query = answerer.rewrite(question, history)  # an LLM answerer may rewrite follow-ups itself
        retriever, ranking = self._search(query, where)
        scorer = retriever.scorer
        decision = judge(ranking, scorer.refuse_below, scorer.hedge_below, question)
        hits = scorer.worth_showing(ranking.hits)
        if decision.refused:
            result = refusal(question, decision.reason, decision.confidence)
            result.retrieval_query = query
            yield result.text
            yield result
            return
        pieces = None
        if spoken := asked_speaker(question, retriever.speakers):  # "What did Putin say (about X)?"
            speaker, has_topic = spoken
            topic = asked_topic(question) if has_topic else ""
            statements = [] if has_topic else retriever.statements(speaker, where)
            heading = ""  # the topic, when the statements are only those that name it
            if has_topic and ranking.hits and _names_the_subject(topic, ranking.hits[0]):
                # "What did Jobs say about the Mac mini?" over the story of the Mac mini: all he said there
                best = ranking.hits[0].source
                statements = [h for h in retriever.statements(speaker, where) if h.source == best]
            elif has_topic and ranking.hits:  # "What did Putin say about Europe?": what he said that names it
                near = {h.source for h in ranking.hits[:3]}
                said = [h for h in retriever.statements(speaker, where) if h.source in near]
                statements, heading = statements_about(topic, said), topic
            if statements:
                pieces = listing(asked, statements_head(speaker, len(statements), heading), statements)
                if answerer.name != "extractive":  # quoted as they are, never generated: say so
                    pieces = _noticed(
                        pieces, "The article's own words answer this: showing quotes from the article."
                    )
            elif not has_topic and not _mentioned(speaker, ranking.hits):  # quoted elsewhere, not here
                result = refusal(question, f"the articles asked about attribute nothing to {speaker}")
                result.retrieval_query, result.confidence = query, decision.confidence
                yield result.text
                yield result
                return
            else:
                hits = [h for h in hits if h.speaker == speaker] or hits
        if pieces is None and hits and asks_for_several(question):
            several = _several(retriever, query, hits[0], where)
            if len(several) > 1:  # "what did the analysts say?": each passage that answers, cited
                hits, n_sources = several, max(n_sources, len(several))
                if answerer.name == "extractive" and decision.outcome == "answer":
                    pieces = _as_list(asked, several)
        if pieces is None and decision.outcome == "hedge":
            pieces = hedge(question, hits, n_sources, decision.confidence, decision.reason)
            if (
                answerer.name != "extractive"
            ):  # a hedge is quoted, never generated: say so, as a fallback does
                pieces = _noticed(
                    pieces, "Not sure the article answers this directly: showing quotes from the article."
                )
        if pieces is None:
            pieces = answerer.stream(question, hits, n_sources, history=history)
        for piece in pieces:
            if isinstance(piece, Answer):
                piece.retrieval_query = query
                piece.confidence = decision.confidence
            yield piece

    def _period_answer(self, question: str, where: dict) -> Iterator[str | Answer]:
        """The opening sentence of each article dated within the question's period."""
        self._follow_rebuilds()
        ledes = self.retriever.ledes(where)
        if not ledes:
            reason = f"no indexed article is dated {where['date_from']} to {where['date_to']}"
            result = refusal(question, reason)
            yield result.text
            yield result
            return
        yield from listing(question, period_head(where["date_from"], where["date_to"], len(ledes)), ledes)

    def answer(self, question: str, history: Sequence[dict] | None = None, **kwargs) -> Answer:
        """The complete answer to ``question`` (with optional chat ``history``)."""
        final = None
        for piece in self.stream(question, history, **kwargs):
            if isinstance(piece, Answer):
                final = piece
        assert final is not None  # stream() always ends with an Answer
        return final


def _by_source(meta: dict) -> str:
    return str(meta.get("source", ""))


def _articles_now(store: IndexStore, cached: tuple[tuple[int, int], list[dict]] | None) -> list[dict]:
    """The articles' records sorted by source: ``cached`` (of an earlier revision of the same generation)
    with the records of the articles the change log names read again, or, when the log does not reach so
    far back, every record."""
    import bisect

    from index.store import article_records, changed_since

    touched = None
    if cached is not None and cached[0][0] == store.generation and cached[0][1] <= store.revision:
        touched = changed_since(store, cached[0][1])
    if touched is None:
        got = store.read("docs", ("metadatas",))
        return sorted((m for m in got["metadatas"] if m), key=_by_source)
    metas = list(cached[1])  # a copy of the pointers: a caller may still hold the list it was given
    for source in touched:
        at = bisect.bisect_left(metas, source, key=_by_source)
        while at < len(metas) and _by_source(metas[at]) == source:
            del metas[at]
    for meta in article_records(store, touched):
        bisect.insort(metas, meta, key=_by_source)
    return metas


# A list answer (``asks_for_several``): the best passage, then the passages of its article that the ranker
# finds at least LIST_FLOOR likely to answer, likeliest first, at most LIST_MAX in all. Hand-set on the 16
# list questions of news-chat and bbc-reader: within the best passage's article their other gold passages
# lie at probabilities from 0.34 down to under 0.01, at ranks 2 to 15; with these values every gold passage
# is cited for 5 of the 16 (3 before).
LIST_MAX = 5
LIST_FLOOR = 0.02
LIST_HEAD = "From the article, the closest passage first:"


def _several(retriever, query: str, best, where: dict | None) -> list:
    """The best hit, then the other passages of its article at least ``LIST_FLOOR`` likely to answer, the
    likeliest first (as a one-passage answer's related passages are: in the article's order, a list of four
    would push the runner-up that answers a question misread as a list out of the first three); ``LIST_MAX``
    in all at most."""
    from assistant.scorer import sigmoid

    within = retriever.rank(query, k=3 * LIST_MAX, where={**(where or {}), "source": best.source}).hits
    more = [h for h in within if h.id != best.id and sigmoid(h.score) >= LIST_FLOOR]
    return [best, *more[: LIST_MAX - 1]]


def _as_list(question: str, hits: list) -> Iterator[str | Answer]:
    """The list reply: the short answer in the best passage when there is one, then each passage cited."""
    from assistant.compose import citation, short_span

    short = short_span(question, hits[0], citation(1, hits[0], question))
    head = f"{short.quote}. {LIST_HEAD}" if short else LIST_HEAD
    for piece in listing(question, head, hits):
        if isinstance(piece, Answer):
            piece.kind, piece.short = "list", short
        yield piece


def _names_the_subject(topic: str, hit) -> bool:
    """True when the topic's words are all in the title of the best sentence's article: asking what someone
    said about what the whole story is about narrows nothing."""
    from assistant.text import tokens

    wanted = set(tokens(topic))
    return bool(wanted) and wanted <= set(tokens(hit.title))


def _mentioned(speaker: str, hits) -> bool:
    """True when one of the hits names ``speaker`` (by the last word of the name, as articles do)."""
    name = speaker.split()[-1].lower() if speaker.split() else ""
    return any(name in h.text.lower() for h in hits)


def _noticed(pieces: Iterator[str | Answer], notice: str) -> Iterator[str | Answer]:
    for piece in pieces:
        if isinstance(piece, Answer):
            piece.notice = notice
        yield piece


_default: Assistant | None = None
_default_lock = threading.Lock()


def default_assistant() -> Assistant:
    """The process-wide assistant built from ``Settings.from_env()`` on first use."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Assistant(Settings.from_env())
    return _default


def answer(question: str, history: Sequence[dict] | None = None, **kwargs) -> Answer:
    """Answer ``question`` about the indexed articles, citing exact quotes; see ``Assistant.answer``."""
    return default_assistant().answer(question, history, **kwargs)
