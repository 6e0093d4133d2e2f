"""What the fitted scorer looks at: features of a candidate sentence for a question, and of a whole ranking.

Two kinds of feature, both plain numbers:

- *candidate* features (``CANDIDATE_FEATURES``): how close a sentence is to the question in meaning (its own
  cosine, its passage's, its neighbours'), in words (BM25, IDF-weighted overlap of stems, of near-stems such
  as decide ~ decision, of word pairs, of names with their aliases), and in kind (a "when" question and a
  sentence holding a date the question does not already hold);
- *answerability* features (``ANSWERABILITY_FEATURES``): how well the best-ranked sentence covers the
  question, whether the question names things no indexed article mentions at all, and whether the best
  sentences lack what it asks for (a quote of the speaker it names; the thing it counts, in the article).

This module computes; it does not weigh. The weights live in ``assistant/weights/scorer.json``, fitted by
``evaluation/fit_scorer.py`` on the question sets in ``eval/``; ``assistant.scorer`` applies them.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.answertype import wh_noun
from assistant.speech import speaker_asked
from assistant.text import QUESTION_WORDS, STOPWORDS, proper_nouns, stem, tokens, words

# Measured by the retriever and kept as features as they are.
_AS_MEASURED = (
    "cos_passage",
    "cos_neighbour",
    "cos_window",
    "align",
    "align_window",
    "align_min",
    "align_precision",
)
CANDIDATE_FEATURES = (
    "cos",
    "cos_gap",
    *_AS_MEASURED,
    "bm25_share",
    "bm25_log",
    "lexical_rr",
    "dense_rr",
    "overlap",
    "overlap_window",
    "overlap_soft",
    "bigrams",
    "names",
    "names_missing",
    "wants_number_has",
    "wants_time_has",
    "wants_name_has",
    "novel",
    "length",
    "position",
    "lede",
    "proximity",
    "overlap_before",
    "overlap_after",
    "rarest",
    "pronoun_before",
    "news_lede",
    "news_position",
    "typed_answer",
    # the same candidate against the best of its ranking (filled in by ``with_gaps``)
    "overlap_gap",
    "overlap_window_gap",
    "overlap_soft_gap",
    "bigrams_gap",
    "align_gap",
    "align_window_gap",
)
_GAPS = ("overlap", "overlap_window", "overlap_soft", "bigrams", "align", "align_window")
# Scores the retriever measures for each candidate and passes to ``candidate_features``.
SCORES = (
    "cos",
    "best_cos",
    *_AS_MEASURED,
    "bm25",
    "best_bm25",
    "lexical_rank",
    "dense_rank",
    "typed_answer",
)
_PRONOUN = frozenset("it its this these those that they their them he his she her such there".split())
ANSWERABILITY_FEATURES = (
    "top_score",
    "margin",
    "top_cos",
    "top_overlap_window",
    "top_overlap_soft",
    "top_align_min",
    "top3_align_window",
    "unknown_names",
    "unknown_words",
    "typed_missing",
    "speaker_missing",
    "focus_missing",
    "number_unattached",
)
# The direction of each answerability feature: +1 when more of it means more likely answered, -1 when
# less. The fit keeps each weight on its side of zero (``evaluation.fit_scorer``), so that a feature that
# only separates one set's questions by accident cannot turn round (a higher best score meaning "refuse").
ANSWERABILITY_SIGNS = dict(
    zip(ANSWERABILITY_FEATURES, (1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1), strict=True)
)

_YEAR = re.compile(r"\b(1\d{3}|20\d{2})s?\b")
_DIGITS = re.compile(r"\d")
_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred "
    "hundreds thousand thousands million millions billion billions half several dozen dozens percent".split()
)
_TIME_WORDS = frozenset(
    "yesterday today tomorrow tonight earlier later week month year century decade ago monday tuesday "
    "wednesday thursday friday saturday sunday january february march april may june july august "
    "september october november december spring summer autumn winter era period age".split()
)
_WANTS = (
    (
        "number",
        re.compile(
            r"\bhow (many|much|long|far|big|large|high|deep|wide|old)\b|"
            r"\bwhat (number|percentage|percent|share|amount|size|length|proportion)\b",
            re.I,
        ),
    ),
    (
        "time",
        re.compile(
            r"^\s*when\b|\b(what|which) (day|date|time|year|month|week|century|decade|"
            r"period|era)\b|\bhow long ago\b|\bin what year\b",
            re.I,
        ),
    ),
    (
        "name",
        re.compile(
            r"^\s*(who|whom|whose|where)\b|\b(what|which) (\w+ )?(country|city|place|region|"
            r"river|person|leader|agency|outlet|company|organi[sz]ation|name|state|town|lake|"
            r"language|group|party)\b|\bname\b",
            re.I,
        ),
    ),
)
_HOW_MANY = re.compile(r"\bhow\s+(?:many|much)\s+([a-z'-]+)", re.I)
_CAPITAL = re.compile(r"(?<![.!?\"\u201c]\s)\b[A-Z][A-Za-z\u00C0-\u024F'-]+")


def content_words(text: str) -> tuple[str, ...]:
    """Distinct words that carry meaning (no stop words, no single letters), lower case, in order."""
    return _content(words(text))


def _content(ws: list[str]) -> tuple[str, ...]:
    return tuple(w for w in dict.fromkeys(ws) if w not in STOPWORDS and len(w) > 1)


def wants(question: str) -> str | None:
    """The kind of answer the question asks for: "number", "time", "name", or None."""
    for kind, pattern in _WANTS:
        if pattern.search(question):
            return kind
    return None


@lru_cache(maxsize=1)
def aliases() -> dict[str, frozenset[str]]:
    """Names news uses for one another (Washington ~ U.S., the Kremlin ~ Russia), both ways, as stems."""
    raw = json.loads((Path(__file__).parent / "weights" / "aliases.json").read_text(encoding="utf-8"))
    table: dict[str, set[str]] = {}
    for name, others in raw["aliases"].items():
        key = " ".join(tokens(name))
        for other in others:
            alias = " ".join(tokens(other))
            if alias and alias != key:
                table.setdefault(key, set()).add(alias)
                table.setdefault(alias, set()).add(key)
    return {k: frozenset(v) for k, v in table.items()}


def name_forms(name: str) -> list[str]:
    """A question's name as stems, then each alias of it ("washington" -> "us", "united state", ...)."""
    key = " ".join(tokens(name))
    return [key, *sorted(aliases().get(key, ()))] if key else []


@dataclass(slots=True)  # one per served sentence: no __dict__ each
class SentenceInfo:
    """What features need of an indexed sentence, computed once when the index is loaded."""

    tokens: list[str]
    token_set: frozenset[str]
    words: tuple[str, ...]  # distinct content words as written (lower case), for word vectors
    text_lower: str
    numbers: frozenset[str]
    times: frozenset[str]
    capitals: frozenset[str]
    position: float = 0.0  # 0 for an article's first sentence, 1 for its last
    lede: bool = False  # first sentence of its paragraph
    dated: bool = False  # its article has a date: news, whose lede usually carries the main fact
    pronoun: bool = False  # opens with a pronoun ("It is...", "This branch..."): leans on the sentence before

    @property
    def bigrams(self) -> frozenset[tuple[str, str]]:
        """Pairs of adjacent tokens; made when a candidate is scored, not kept for every sentence."""
        return frozenset(zip(self.tokens, self.tokens[1:], strict=False))

    @classmethod
    def of(cls, text: str) -> SentenceInfo:
        ws = words(text)  # once: tokens and content words are read off it as tokens() and content_words() do
        toks = [stem(w) for w in ws if w not in STOPWORDS]
        numbers = {w for w in ws if _DIGITS.search(w) or w in _NUMBER_WORDS}
        times = {w for w in ws if w in _TIME_WORDS or _YEAR.fullmatch(w)}
        capitals = {stem(w.lower().replace("'", "")) for w in _CAPITAL.findall(text)}
        return cls(
            tokens=toks,
            token_set=frozenset(toks),
            words=_content(ws),
            pronoun=bool(ws) and ws[0] in _PRONOUN,
            text_lower=" ".join(toks),
            numbers=frozenset(numbers),
            times=frozenset(times),
            capitals=frozenset(capitals - STOPWORDS - QUESTION_WORDS),
        )


@dataclass
class Corpus:
    """Document frequencies and a prefix index over the indexed sentences, for IDF weights and near-stems."""

    df: dict[str, int] = field(default_factory=dict)
    size: int = 0
    by_prefix: dict[str, set[str]] = field(default_factory=dict)
    text: str = ""  # every sentence's stems, one sentence a line, for finding names of several words
    names: frozenset[str] = (
        frozenset()
    )  # stems the articles write capitalised (mid-sentence) at least half the time
    capital: dict[str, int] = field(default_factory=dict)  # stem -> sentences that write it capitalised
    # Lines added to a non-empty corpus, a block per ``plus``: kept beside ``text``, not copied into it, so
    # an article added to a large archive does not copy every sentence's stems.
    more: tuple[str, ...] = ()

    @classmethod
    def of(cls, infos: Iterable[SentenceInfo]) -> Corpus:
        return cls().plus(infos)

    def plus(self, infos: Iterable[SentenceInfo]) -> Corpus:
        """The statistics with these sentences added (this corpus is left as it was)."""
        df, capital, by_prefix, lines, size = dict(self.df), dict(self.capital), dict(self.by_prefix), [], 0
        for info in infos:
            size += 1
            lines.append(info.text_lower)
            for t in info.token_set:
                if t not in df and len(t) >= 4:
                    by_prefix[t[:4]] = by_prefix.get(t[:4], set()) | {t}
                df[t] = df.get(t, 0) + 1
            for t in info.capitals & info.token_set:
                capital[t] = capital.get(t, 0) + 1
        block = _lines(lines)
        if not self.text and not self.more:
            return self._with(df, capital, by_prefix, self.size + size, block)
        return self._with(df, capital, by_prefix, self.size + size, self.text, (*self.more, block))

    def minus(self, infos: Iterable[SentenceInfo]) -> Corpus:
        """The statistics with these sentences (contiguous, as ``plus`` added them) taken out."""
        df, capital, by_prefix, lines = dict(self.df), dict(self.capital), dict(self.by_prefix), []
        for info in infos:
            lines.append(info.text_lower)
            for t in info.token_set:
                df[t] -= 1
                if not df[t]:
                    del df[t]
                    if len(t) >= 4:
                        by_prefix[t[:4]] = by_prefix[t[:4]] - {t}
                        if not by_prefix[t[:4]]:
                            del by_prefix[t[:4]]
            for t in info.capitals & info.token_set:
                capital[t] -= 1
                if not capital[t]:
                    del capital[t]
        block = _lines(lines)
        parts = [self.text, *self.more]
        for i, part in enumerate(parts):
            at = f"\n{part}".find(f"\n{block}")  # at a line's start: " x \n" also ends " y x \n"
            if at >= 0:
                parts[i] = part[:at] + part[at + len(block) :]
                break
        return self._with(df, capital, by_prefix, self.size - len(lines), parts[0], tuple(parts[1:]))

    @classmethod
    def _with(cls, df, capital, by_prefix, size, text, more: tuple[str, ...] = ()) -> Corpus:
        names = frozenset(t for t, n in capital.items() if 2 * n >= df.get(t, 0))
        return cls(df=df, size=size, by_prefix=by_prefix, text=text, names=names, capital=capital, more=more)

    def idf(self, token: str) -> float:
        return math.log(1 + (self.size + 1) / (self.df.get(token, 0) + 0.5))

    def near(self, token: str) -> set[str]:
        """Indexed stems that share a long prefix with ``token`` (decide ~ decision, German ~ Germany)."""
        if len(token) < 4:
            return set()
        return {
            t
            for t in self.by_prefix.get(token[:4], ())
            if t != token and _common_prefix(t, token) >= max(4, min(len(t), len(token)) - 2)
        }

    def covers(self, token: str) -> bool:
        """True when the stem, or a near-stem not much shorter than it, is indexed: "easyjet" is not
        covered by "easy", nor "microsoftie" by "micro"."""
        if token in self.df:
            return True
        return any(len(t) >= len(token) - 2 for t in self.near(token))

    def knows(self, form: str) -> bool:
        """True when a name (stems) occurs: one word as a stem or near-stem, several as a phrase."""
        parts = form.split()
        if len(parts) == 1:
            return self.covers(form) or bool(self.misspelt(form))
        phrase = f" {form} "
        return phrase in self.text or any(phrase in block for block in self.more)

    def misspelt(self, token: str) -> list[str]:
        """Indexed stems one typo away from a name of 5+ letters (Emmrich ~ Emmerich, Wessel ~ Wesel)."""
        if len(token) < 5:
            return []
        return [
            t for t in self.df if abs(len(t) - len(token)) <= 1 and t[0] == token[0] and _one_edit(t, token)
        ]


def _lines(lines: Iterable[str]) -> str:
    return "".join(f" {line} \n" for line in lines)


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one inserted, deleted, replaced or swapped letter."""
    if a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = _common_prefix(a, b)
    if len(a) == len(b):
        rest_a, rest_b = a[i + 1 :], b[i + 1 :]
        swapped = (
            a[i + 1 : i + 2] == b[i : i + 1] and a[i : i + 1] == b[i + 1 : i + 2] and a[i + 2 :] == b[i + 2 :]
        )
        return rest_a == rest_b or swapped
    return a[i:] == b[i + 1 :]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


@dataclass
class QuestionInfo:
    """The question's stems with IDF weights, near-stems, word pairs, names (with aliases) and kind."""

    tokens: list[str]
    weights: dict[str, float]
    words: tuple[str, ...]  # content words as written, for word vectors
    word_weights: tuple[float, ...]  # the IDF of each word's stem
    near: dict[str, set[str]]
    bigrams: frozenset[tuple[str, str]]
    names: list[list[str]]  # per name: its forms (stems, then aliases)
    wants: str | None
    numbers: frozenset[str]
    times: frozenset[str]
    capitals: frozenset[str]
    unknown_names: int = 0
    unknown_words: float = 0.0  # IDF-weighted share of the question's stems that no sentence has
    unknown_name_words: frozenset[str] = (
        frozenset()
    )  # the names no article mentions, as proper_nouns gives them
    speaker: tuple[str, ...] = ()  # "What did Gordon Brown say...?": ("gordon", "brown")
    focus: str = ""  # the stem of what it asks about: "how many planes..." -> "plane"; "" when none
    focus_near: frozenset[str] = frozenset()  # indexed near-stems of the focus

    @classmethod
    def of(cls, question: str, corpus: Corpus) -> QuestionInfo:
        toks = list(dict.fromkeys(tokens(question)))
        weights = {t: corpus.idf(t) for t in toks}
        named = [(w, forms) for w, raw in proper_nouns(question) if (forms := name_forms(raw))]
        named += _lower_case_names(question, corpus, {w for w, _ in named})
        names = [forms for _, forms in named]
        unknown_named = {w for w, forms in named if not any(corpus.knows(f) for f in forms)}
        total = sum(weights.values()) or 1.0
        near = {t: corpus.near(t) for t in toks}
        unknown = sum(w for t, w in weights.items() if not corpus.covers(t)) / total
        own = SentenceInfo.of(question)
        cwords = content_words(question)
        focus = _focus(question)
        return cls(
            tokens=toks,
            weights=weights,
            words=cwords,
            word_weights=tuple(corpus.idf(stem(w)) for w in cwords),
            near=near,
            bigrams=frozenset(zip(toks, toks[1:], strict=False)),
            names=names,
            wants=wants(question),
            numbers=own.numbers,
            times=own.times,
            capitals=own.capitals | {t for forms in names for f in forms for t in f.split()},
            unknown_names=len(unknown_named),
            unknown_words=unknown,
            unknown_name_words=frozenset(unknown_named),
            speaker=tuple(w for w in words(speaker_asked(question)) if w not in STOPWORDS),
            focus=focus,
            focus_near=frozenset(corpus.near(focus)) if focus else frozenset(),
        )

    def rarest_share(self, present: frozenset[str]) -> float:
        """The IDF of the rarest question stem the sentence has, over the IDF of the question's rarest."""
        if not self.weights:
            return 0.0
        return max((w for t, w in self.weights.items() if t in present), default=0.0) / max(
            self.weights.values()
        )

    def overlap(self, present: Iterable[frozenset[str]], soft: bool = False) -> float:
        """IDF-weighted share of the question's stems found in any of ``present`` (near-stems too if soft)."""
        total = sum(self.weights.values())
        if not total:
            return 0.0
        sets = list(present)
        got = 0.0
        for t, w in self.weights.items():
            if any(t in s for s in sets) or (soft and any(self.near[t] & s for s in sets)):
                got += w
        return got / total


def _focus(question: str) -> str:
    """The stem of the thing a question asks about: the noun after "how many/much", else the noun a
    what/which question names ("What processor...?" -> "processor"); "" when it names none."""
    m = _HOW_MANY.search(question)
    if m and m.group(1).lower() not in STOPWORDS:
        return stem(m.group(1).lower())
    return wh_noun(question)


def _lower_case_names(question: str, corpus: Corpus, seen: set[str]) -> list[tuple[str, list[str]]]:
    """Names a reader typed in lower case ("how old is dohnal"): words the articles write as names."""
    found = []
    for w in dict.fromkeys(words(question)):
        if w in seen or w in STOPWORDS or w in QUESTION_WORDS or stem(w) not in corpus.names:
            continue
        if (forms := name_forms(w.capitalize())) and not any(ch.isupper() for ch in _as_written(question, w)):
            found.append((w, forms))
    return found


def _as_written(question: str, word: str) -> str:
    """The question's own spelling of a normalised word ("" when not found as such)."""
    at = question.lower().find(word)
    return question[at : at + len(word)] if at >= 0 else ""


def _has_name(forms: Sequence[str], info: SentenceInfo) -> bool:
    for form in forms:
        parts = form.split()
        if len(parts) == 1 and parts[0] in info.token_set:
            return True
        if len(parts) > 1 and f" {form} " in f" {info.text_lower} ":
            return True
    return False


def type_match(q: QuestionInfo, info: SentenceInfo) -> tuple[float, float, float]:
    """Whether the sentence holds, beyond what the question already says, the kind of thing it asks for."""
    number = float(q.wants == "number" and bool(info.numbers - q.numbers))
    time = float(q.wants == "time" and bool(info.times - q.times))
    name = float(q.wants == "name" and bool(info.capitals - q.capitals))
    return number, time, name


def candidate_features(
    q: QuestionInfo,
    info: SentenceInfo,
    neighbours: tuple[SentenceInfo | None, SentenceInfo | None],
    scores: dict[str, float],
) -> list[float]:
    """The ``CANDIDATE_FEATURES`` of one sentence, in that order."""
    before, after = neighbours
    window = [info.token_set, *(n.token_set for n in neighbours if n)]
    found = [_has_name(forms, info) for forms in q.names]
    novel = len(info.token_set - set(q.tokens)) / max(1, len(info.token_set))
    m = scores
    before_overlap = q.overlap([before.token_set]) if before else 0.0
    return [
        m["cos"],
        m["cos"] - m["best_cos"],
        m["cos_passage"],
        m["cos_neighbour"],
        m["cos_window"],
        m["align"],
        m["align_window"],
        m["align_min"],
        m["align_precision"],
        m["bm25"] / m["best_bm25"] if m["best_bm25"] > 0 else 0.0,
        math.log1p(m["bm25"]),
        1.0 / m["lexical_rank"] if m["lexical_rank"] else 0.0,
        1.0 / m["dense_rank"] if m["dense_rank"] else 0.0,
        q.overlap([info.token_set]),
        q.overlap(window),
        q.overlap([info.token_set], soft=True),
        len(q.bigrams & info.bigrams) / len(q.bigrams) if q.bigrams else 0.0,
        sum(found) / len(found) if found else 0.0,
        float(len(found) - sum(found)),
        *type_match(q, info),
        novel,
        math.log1p(len(info.tokens)),
        info.position,
        float(info.lede),
        _proximity(q, info),
        before_overlap,
        q.overlap([after.token_set]) if after else 0.0,
        q.rarest_share(info.token_set),
        before_overlap if info.pronoun else 0.0,
        float(info.dated and info.position == 0.0),
        info.position if info.dated else 0.0,
        m["typed_answer"],
        *([0.0] * len(_GAPS)),
    ]


def _proximity(q: QuestionInfo, info: SentenceInfo) -> float:
    """How close together the question's stems sit in the sentence: matched stems / the span they cover."""
    at = [i for i, t in enumerate(info.tokens) if t in q.weights]
    if len(at) < 2:
        return float(len(at))
    return len(set(info.tokens[i] for i in at)) / (at[-1] - at[0] + 1)


def with_gaps(rows: list[list[float]]) -> list[list[float]]:
    """Fill each row's ``*_gap`` features: its value minus the best value among all the candidates."""
    if not rows:
        return rows
    for name in _GAPS:
        src, dst = CANDIDATE_FEATURES.index(name), CANDIDATE_FEATURES.index(f"{name}_gap")
        best = max(r[src] for r in rows)
        for r in rows:
            r[dst] = r[src] - best
    return rows


def answerability_features(
    q: QuestionInfo,
    scores: Sequence[float],
    rows: Sequence[Sequence[float]],
    article: frozenset[str] = frozenset(),
    speakers: Sequence[str] = (),
    attached: bool | None = None,
) -> list[float]:
    """The ``ANSWERABILITY_FEATURES`` of a ranking: ``scores`` best first, ``rows`` their features,
    ``article`` every stem of the best sentence's article, ``speakers`` who said each of the best three
    sentences ("" for narration), ``attached`` whether the best sentence's number of the kind asked for
    lies near the question's words (``spans.number_attached``; None when the question asks for no number).

    Few, each with an obvious direction (more is better, but for the unknown names and words and the
    missing speaker and focus), so that a question unlike any the model was fitted on ("tell me a joke")
    still scores low.
    """
    # "What did X say...?" and none of the best three sentences is X's; "how many planes...?" and the
    # article never says "plane" (nor a near-stem of it)
    said = [s.lower() for s in speakers[:3]]
    speaker_missing = float(bool(q.speaker) and not any(w in s for s in said for w in q.speaker))
    focus_missing = float(bool(q.focus) and q.focus not in article and not (q.focus_near & article))
    if not rows:
        values = dict.fromkeys(ANSWERABILITY_FEATURES, 0.0)
        values.update(
            top_score=-10.0,
            unknown_names=float(q.unknown_names),
            unknown_words=q.unknown_words,
            typed_missing=float(q.wants is not None),
            speaker_missing=float(bool(q.speaker)),
            focus_missing=float(bool(q.focus)),
        )
        return list(values.values())
    top = dict(zip(CANDIDATE_FEATURES, rows[0], strict=True))
    second = scores[1] if len(scores) > 1 else scores[0] - 5.0
    window = CANDIDATE_FEATURES.index("align_window")
    return [
        scores[0],
        scores[0] - second,
        top["cos"],
        top["overlap_window"],
        top["overlap_soft"],  # the share of the question's words (or near forms) the sentence itself has
        top["align_min"],
        max(r[window] for r in rows[:3]),
        float(q.unknown_names),
        q.unknown_words,
        # it asks for a number, a time or a name, and the best sentence holds none it does not already say
        float(q.wants is not None and top["typed_answer"] == 0.0),
        speaker_missing,
        focus_missing,
        # "how many planes...?" and the best sentence's only count is of something else ("six Airbus")
        float(attached is False),
    ]
