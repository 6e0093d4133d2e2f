"""Fit the scorer (``assistant/weights/scorer.json``) on the question sets in ``eval/``, cross-validated.

    python -m evaluation.fit_scorer            # fit, print the cross-validated numbers, write the weights
    python -m evaluation.fit_scorer --check    # fit, compare with the stored weights; exit 1 if they differ

Data: every question of every set (``../shared/eval/dev.jsonl``, news; ``../shared/eval/squad2-rhine``, 498
questions people wrote about a Wikipedia article). For each question the retriever proposes candidate
sentences with their features (``assistant.features``); a candidate is labelled right when it contains a
gold answer's offsets (``spans``), or overlaps a gold substring where a set gives no offsets.

Two logistic regressions, both judged on held-out folds, never on the rows they were fitted to: the ranker's
by scikit-learn; the answerability model's by scipy, each weight kept on the side of zero that
``assistant.features.ANSWERABILITY_SIGNS`` names. Folds are grouped by the paragraph that holds the answer, so
a fold's questions are about text the model did not see. The *ranker* orders candidates. The *answerability*
model is fitted on the ranker's out-of-fold rankings (what the ranker really does on unseen questions) with
the label "the question is answerable"; the refusal threshold is the highest that refuses at most
``MAX_ANSWERABLE_REFUSED`` of the answerable questions of *every* set on the held-out folds; the hedge
threshold the highest (at least even odds) under which at most ``MAX_ANSWERABLE_HEDGED`` of them fall,
averaged over the sets. A leave-one-set-out report fits the answerability model and both thresholds on all
sets but one and applies them to that one. Baselines inside the same candidates (BM25 alone, dense alone,
reciprocal rank fusion) are scored on the same folds, and the refusal trade-off of ours is set beside that of
thresholding the best BM25 score or the best cosine.

This module fits and reports; it is not imported at run time (``assistant.scorer`` reads its output).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETS = (
    "../shared/eval/dev.jsonl",
    "eval/news-extra/questions.jsonl",
    "../shared/eval/squad2-rhine/questions.jsonl",  # external: beside the checkout (evalsets.shared_set)
    "eval/off-topic.jsonl",
    "eval/bbc-reader/questions.jsonl",  # reader questions written blind over 25 BBC stories (set.json)
    "../shared/eval/news-chat/questions.jsonl",
)
OUT = ROOT / "assistant" / "weights" / "scorer.json"
FOLDS = 5
MAX_ANSWERABLE_REFUSED = 0.03  # on held-out folds, in every set (the reader sets' target: at most 3%)
RANKER_SET_POWER = 0.5  # each set's candidates weigh as sqrt(its size): Rhine's 498 do not drown 13 dev ones
# The answerability model is a calibrated probability that the articles answer the question: below even odds
# at least, the reply does not claim an answer but shows the closest passages. A hedge quotes the same
# passages an answer would (the reader's "answered right" and hit@k count it), so the band is widened to the
# highest threshold under which at most MAX_ANSWERABLE_HEDGED of the answerable questions fall on held-out
# folds (refused or hedged, averaged over the sets): on reader sets an unanswerable question is mostly close
# to the article's topic and its score overlaps the answerable ones', so a wider band is what turns more of
# them into hedges, at the cost of answerable questions said "not directly" answered.
HEDGE_BELOW = 0.5
MAX_ANSWERABLE_HEDGED = 0.1
# Related passages: a runner-up is shown apart from the answer when at least this likely to answer itself;
# the highest floor that keeps held-out hit@3 within RELATED_HIT_LOSS of showing every runner-up (mean over
# the sets), so that one-fact answers carry fewer quotes without losing answers.
RELATED_HIT_LOSS = 0.01
RELATED_FLOOR_GRID = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
JOIN = 0.5  # assistant.compose.JOIN_PROBABILITY: runners-up at least this likely join the answer
RELATED_GRID = (0.0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5)
RELATED_SQUAD_LOSS = 0.01  # "Rhine ... keep hit@1 and hit@3 within 0.01" (issue 16)
TYPED_GRID = tuple(i / 4 for i in range(13))  # 0 to 3 log-odds; 0 never moves the best
ANSWERABILITY_SET_POWER = 1.0  # each set weighs the same: news and encyclopedia refuse for different reasons
C = 1.0  # logistic regression's inverse regularisation strength (scikit-learn's default)
CHECKED = ("sets", "ranker", "answerability", "thresholds")  # what --check compares; cv is printed
# --check: how far a refit may land from the stored weights. Two fits on one machine agree to the last digit
# when it is idle, but under heavy load the candidate pools shift a little (float reductions in the encoder
# and the vector store run on however many threads are free) and standardised coefficients moved by up to
# 0.025 (seen in a CI run beside another fit). A changed feature moves them far more, or changes the names.
TOLERANCE = 0.05


@dataclass
class Question:
    set: str
    id: str
    answerable: bool
    group: str
    rows: list[list[float]] = field(default_factory=list)  # candidate features
    labels: list[int] = field(default_factory=list)
    dense: list[float] = field(default_factory=list)
    lexical: list[float] = field(default_factory=list)
    info: object = None  # QuestionInfo
    question: str = ""
    texts: list[str] = field(default_factory=list)  # candidate sentences (kept only when asked for)
    speakers: list[str] = field(default_factory=list)  # who said each candidate ("" for narration)
    articles: list[frozenset] = field(default_factory=list)  # every stem of each candidate's article
    attached: list[bool | None] = field(default_factory=list)  # spans.number_attached of each candidate
    reader: bool = False  # from a reader set (its rows have a ``kind``)


def _label(hit, row: dict, gold: list[tuple[str, int, int]]) -> int:
    if row.get("spans"):
        return int(any(hit.source == s and hit.start <= a and b <= hit.end for s, a, b in gold))
    return int(any(hit.source == s and hit.start < b and a < hit.end for s, a, b in gold))


def _gold(row: dict, texts: dict[str, str]) -> list[tuple[str, int, int]]:
    if row.get("spans"):
        return [(row["source"], int(a), int(b)) for a, b in row["spans"]]
    found = []
    for needle in row.get("gold", []):
        for source, text in texts.items():
            at = text.find(needle)
            while needle and at >= 0:
                found.append((source, at, at + len(needle)))
                at = text.find(needle, at + 1)
    return found


def _group(set_name: str, row: dict, gold, texts: dict[str, str]) -> str:
    """Questions about the same paragraph share a fold; unanswerable ones are spread by their id."""
    if gold:
        source, start, _ = gold[0]
        return f"{set_name}:{source}:{texts.get(source, '')[:start].count(chr(10))}"
    return f"{set_name}:u{int(hashlib.sha256(row['id'].encode()).hexdigest(), 16) % 97}"


def collect(
    set_path: str, embedder, index_dir: Path = ROOT / ".index", texts: bool = False
) -> list[Question]:
    """Candidates, features and labels for every question of one set (its own index, built if needed)."""
    from assistant.answering.spans import number_attached
    from assistant.followup import retrieval_query
    from assistant.retrieval import HybridRetriever
    from assistant.settings import Settings
    from evaluation.evalsets import load_set, set_assistant
    from evaluation.evaluate import source_texts

    base = Settings(root=ROOT, seeds_dir=ROOT / "seeds", index_dir=index_dir)
    bot = set_assistant(ROOT / set_path, base, embedder=embedder)
    retriever = HybridRetriever(bot.store, bot.embedder, scorer=False)
    sources = source_texts(bot.settings)
    name = Path(set_path).parent.name if Path(set_path).name == "questions.jsonl" else Path(set_path).stem
    questions, stems = [], {}
    for row in load_set(ROOT / set_path):
        if row.get("kind") == "article":  # routed to the article-level answers, never ranked
            continue
        history = [{"role": "user", "content": q} for q in row["history_questions"]]
        where = {"source": row["source"]} if row.get("open_article") else None
        query = retrieval_query(row["question"], history)
        hits, info = retriever.candidates(query, where)
        gold = _gold(row, sources)
        q = Question(name, row["id"], bool(row["answerable"]), _group(name, row, gold, sources), info=info)
        q.question = row["question"]
        q.reader = "kind" in row
        for hit in hits:
            q.rows.append(hit.features)
            q.labels.append(_label(hit, row, gold) if row["answerable"] else 0)
            q.dense.append(hit.dense)
            q.lexical.append(hit.lexical)
            q.speakers.append(hit.speaker)
            q.attached.append(number_attached(query, hit))
            if hit.source not in stems:
                stems[hit.source] = retriever.article_stems(hit.source)
            q.articles.append(stems[hit.source])
            if texts:
                q.texts.append(hit.text)
        questions.append(q)
    return questions


def _fit(x, y, weights=None, signs: Sequence[int] | None = None) -> dict:
    """Logistic regression on standardised features; the weights file's form of it.

    With ``signs`` (one per feature: +1, -1, or 0 for free) each weight stays on its side of zero. That
    fit minimises the same objective as scikit-learn's (weighted log-loss plus an L2 penalty of ``1/C``)
    under bounds, with scipy's L-BFGS-B.
    """
    import numpy as np

    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z, target = (x - mean) / scale, np.asarray(y, dtype=np.float64)
    if signs is None:
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=C, max_iter=5000)
        model.fit(z, target, sample_weight=weights)
        coef, intercept = model.coef_[0], float(model.intercept_[0])
    else:
        coef, intercept = _fit_signed(z, target, weights, signs)
    return {
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in coef],
        "intercept": round(float(intercept), 6),
    }


def _fit_signed(z, y, weights, signs: Sequence[int]):
    """``(coef, intercept)`` of the L2-penalised logistic regression whose weights keep ``signs``."""
    import numpy as np
    from scipy.optimize import minimize

    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)

    def loss(p):
        logits = z @ p[1:] + p[0]
        error = w * (1.0 / (1.0 + np.exp(-logits)) - y)
        value = (w * (np.logaddexp(0.0, logits) - y * logits)).sum() + 0.5 * (p[1:] @ p[1:]) / C
        return value, np.concatenate([[error.sum()], z.T @ error + p[1:] / C])

    side = {1: (0.0, None), -1: (None, 0.0), 0: (None, None)}
    bounds = [(None, None), *(side[int(s)] for s in signs)]
    found = minimize(loss, np.zeros(z.shape[1] + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    return found.x[1:], float(found.x[0])


def _signs() -> list[int]:
    from assistant.features import ANSWERABILITY_FEATURES, ANSWERABILITY_SIGNS

    return [ANSWERABILITY_SIGNS[f] for f in ANSWERABILITY_FEATURES]


def _logits(model: dict, rows) -> list[float]:
    import numpy as np

    if not len(rows):
        return []
    x = (np.asarray(rows, dtype=np.float64) - model["mean"]) / model["scale"]
    return (x @ np.asarray(model["coef"]) + model["intercept"]).tolist()


def _folds(questions: list[Question]) -> list[int]:
    """A fold per question, by group, balanced greedily by size (deterministic)."""
    sizes: dict[str, int] = {}
    for q in questions:
        sizes[q.group] = sizes.get(q.group, 0) + 1
    load, fold_of = [0] * FOLDS, {}
    for group in sorted(sizes, key=lambda g: (-sizes[g], g)):
        f = min(range(FOLDS), key=lambda i: (load[i], i))
        fold_of[group], load[f] = f, load[f] + sizes[group]
    return [fold_of[q.group] for q in questions]


def _set_weights(questions: list[Question], power: float) -> list[float]:
    """A weight per question so that each set weighs ``size ** (1 - power)``: small sets are not drowned."""
    sizes: dict[str, int] = {}
    for q in questions:
        sizes[q.set] = sizes.get(q.set, 0) + 1
    raw = [sizes[q.set] ** -power for q in questions]
    mean = sum(raw) / len(raw)
    return [w / mean for w in raw]


def _ranker_data(questions: list[Question]):
    x, y, w = [], [], []
    for q, weight in zip(questions, _set_weights(questions, RANKER_SET_POWER), strict=True):
        if q.answerable and any(q.labels):
            x.extend(q.rows)
            y.extend(q.labels)
            w.extend([weight] * len(q.rows))
    return x, y, w


def _answerability_rows(questions, scores_per_q):
    """Each question's answerability features from a ranking, and its label (it is answerable)."""
    from assistant.features import answerability_features

    rows = []
    for q, scores in zip(questions, scores_per_q, strict=True):
        order = sorted(range(len(scores)), key=lambda i: -scores[i])
        rows.append(
            answerability_features(
                q.info,
                [scores[i] for i in order],
                [q.rows[i] for i in order],
                q.articles[order[0]] if order else frozenset(),
                [q.speakers[i] for i in order],
                q.attached[order[0]] if order else None,
            )
        )
    return rows, [int(q.answerable) for q in questions]


def _rank_of_first_right(scores: list[float], labels: list[int]) -> int:
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    return next((r for r, i in enumerate(order, start=1) if labels[i]), 0)


def _rrf(q: Question) -> list[float]:
    """The candidates' reciprocal rank fusion of their cosine and BM25 rankings (positive scores only)."""
    from assistant.retrieval import rrf

    rankings = {
        name: sorted((i for i in range(len(values)) if values[i] > 0), key=lambda i: -values[i])
        for name, values in (("dense", q.dense), ("lexical", q.lexical))
    }
    fused = rrf(rankings)
    return [fused.get(i, 0.0) for i in range(len(q.rows))]


def cross_validate(questions: list[Question]) -> tuple[list[list[float]], list[float]]:
    """Out-of-fold ranker scores and answerability probabilities (each fold fitted on the others)."""
    folds = _folds(questions)
    scores: list[list[float]] = [[] for _ in questions]
    for f in range(FOLDS):
        model = _fit(*_ranker_data([q for q, k in zip(questions, folds, strict=True) if k != f]))
        for i, k in enumerate(folds):
            if k == f:
                scores[i] = _logits(model, questions[i].rows)
    rows, labels = _answerability_rows(questions, scores)
    weights = _set_weights(questions, ANSWERABILITY_SET_POWER)
    probs = [0.0] * len(questions)
    for f in range(FOLDS):
        idx = [i for i, k in enumerate(folds) if k != f]
        model = _fit([rows[i] for i in idx], [labels[i] for i in idx], [weights[i] for i in idx], _signs())
        for i, k in enumerate(folds):
            if k == f:
                probs[i] = 1 / (1 + math.exp(-_logits(model, [rows[i]])[0]))
    return scores, probs


def _by_set(questions: list[Question]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, q in enumerate(questions):
        out.setdefault(q.set, []).append(i)
    return out


def refuse_threshold(
    questions: list[Question], probs: list[float], most: float = MAX_ANSWERABLE_REFUSED, worst: bool = False
) -> float:
    """The highest threshold under which at most ``most`` of the answerable questions fall, averaged over
    the sets (so that a small news set counts as much as a large encyclopedic one), or in every set
    (``worst``)."""
    answerable = {
        s: [probs[i] for i in idx if questions[i].answerable] for s, idx in _by_set(questions).items()
    }
    answerable = {s: ps for s, ps in answerable.items() if ps}  # a set may hold only unanswerable ones
    best = 0.0
    for t in sorted({round(p, 4) for p in probs}):
        shares = [sum(p < t for p in ps) / len(ps) for ps in answerable.values()]
        share = max(shares) if worst else sum(shares) / len(shares)
        if share > most:
            break
        best = t
    return best


def _shown(q: Question, s: list[float], ratio: float, floor: float = 0.0) -> list[int]:
    """The candidates a reply cites among the top three: the best, and each runner-up that joins the
    answer (JOIN) or is at least ``max(floor, ratio * best)`` likely to answer."""
    order = sorted(range(len(s)), key=lambda j: -s[j])[:3]
    p = [1 / (1 + math.exp(-s[j])) for j in order]
    least = max(floor, ratio * p[0])
    return [order[0]] + [j for j, pj in zip(order[1:], p[1:], strict=True) if pj >= JOIN or pj >= least]


def related_ratio(questions: list[Question], scores) -> float:
    """The ratio (of a runner-up's probability to the best's) that shows a runner-up only when it adds:
    the one of RELATED_GRID with the best held-out trade of hit@3 (the answer among the quotes) against
    citation precision (the quotes that answer), their F1 averaged over the sets, among the ratios that
    keep SQuAD's hit@3 within RELATED_SQUAD_LOSS of showing every runner-up (the issue's bound on it)."""

    def per_set(ratio: float) -> dict[str, tuple[float, float]]:
        out = {}
        for name, idx in _by_set(questions).items():
            rows = [(questions[i], scores[i]) for i in idx if questions[i].answerable and scores[i]]
            if not rows:
                continue
            cited = [[q.labels[j] for j in _shown(q, s, ratio)] for q, s in rows]
            hit = sum(any(c) for c in cited) / len(cited)
            out[name] = (hit, sum(sum(c) / len(c) for c in cited) / len(cited))
        return out

    def f1(sets: dict[str, tuple[float, float]]) -> float:
        return sum(2 * h * p / (h + p) if h + p else 0.0 for h, p in sets.values()) / len(sets)

    measured = {r: per_set(r) for r in dict.fromkeys((0.0, *RELATED_GRID))}
    allowed = _keeping_squad(RELATED_GRID, measured, lambda hit_precision: hit_precision[0])
    return max(allowed, key=lambda r: (f1(measured[r]), -r))


def _keeping_squad(grid, measured: dict, value=lambda v: v) -> list:
    """The settings of ``grid`` whose ``value`` of ``measured[setting][set]`` stays within
    RELATED_SQUAD_LOSS of the setting 0 (the feature off) on every SQuAD set (the issue's bound)."""
    off = measured[0.0]
    squad = [name for name in off if "squad" in name]
    return [
        g for g in grid if all(value(measured[g][n]) >= value(off[n]) - RELATED_SQUAD_LOSS for n in squad)
    ]


def typed_margin(questions: list[Question], scores) -> float:
    """How far (log-odds) a sentence holding the kind of answer asked for may trail a best sentence without
    one and still be quoted first (``assistant.scorer.typed_first``): the one of TYPED_GRID with the best
    held-out hit@1, averaged over the sets, among those keeping SQuAD's within RELATED_SQUAD_LOSS of never
    moving the best; the smaller on a tie."""
    from assistant.features import CANDIDATE_FEATURES
    from assistant.scorer import TYPED_WITHIN, typed_first

    at = CANDIDATE_FEATURES.index("typed_answer")

    def hit1(margin: float) -> dict[str, float]:
        out = {}
        for name, idx in _by_set(questions).items():
            first = []
            for q, s in ((questions[i], scores[i]) for i in idx if questions[i].answerable and scores[i]):
                order = sorted(range(len(s)), key=lambda j: -s[j])[:TYPED_WITHIN]
                lead = typed_first([s[j] for j in order], [bool(q.rows[j][at]) for j in order], margin)
                first.append(q.labels[order[lead]])
            if first:
                out[name] = sum(first) / len(first)
        return out

    measured = {m: hit1(m) for m in TYPED_GRID}
    allowed = _keeping_squad(TYPED_GRID, measured)
    return max(allowed, key=lambda m: (round(sum(measured[m].values()) / len(measured[m]), 6), -m))


def related_floor(questions: list[Question], scores, ratio: float) -> float:
    """The probability a runner-up needs to be shown: the highest of RELATED_FLOOR_GRID whose held-out hit@3
    (mean over the sets) is within RELATED_HIT_LOSS of showing them all."""

    def hit3(floor: float) -> float:
        per_set = []
        for idx in _by_set(questions).values():
            rows = [
                float(any(questions[i].labels[j] for j in _shown(questions[i], scores[i], ratio, floor)))
                for i in idx
                if questions[i].answerable and scores[i]
            ]
            if rows:
                per_set.append(sum(rows) / len(rows))
        return sum(per_set) / len(per_set)

    everything = hit3(0.0)
    return max(f for f in RELATED_FLOOR_GRID if hit3(f) >= everything - RELATED_HIT_LOSS)


def report(questions, scores, probs, refuse_below: float, hedge_below: float) -> dict:
    """Per set, on held-out folds: hit@1/hit@3 of ours (a refused question is a miss) and of the other
    rankings over the same candidates; refusals and hedges."""
    out = {}
    for name, idx in _by_set(questions).items():
        ans = [i for i in idx if questions[i].answerable]
        una = [i for i in idx if not questions[i].answerable]
        row = {"questions": len(idx), "answerable": len(ans)}
        row["hedged"] = round(sum(refuse_below <= probs[i] < hedge_below for i in idx) / len(idx), 4)
        row["unanswerable_refused"] = (
            round(sum(probs[i] < refuse_below for i in una) / len(una), 4) if una else None
        )
        row["unanswerable_refused_or_hedged"] = (
            round(sum(probs[i] < hedge_below for i in una) / len(una), 4) if una else None
        )
        out[name] = row
        if not ans:
            continue
        rankers = {
            "ours": lambda i: scores[i],
            "bm25": lambda i: questions[i].lexical,
            "dense": lambda i: questions[i].dense,
            "rrf": lambda i: _rrf(questions[i]),
        }
        for label, get in rankers.items():
            ranks = [_rank_of_first_right(get(i), questions[i].labels) for i in ans]
            refused = [label == "ours" and probs[i] < refuse_below for i in ans]
            for k in (1, 3):
                hit = sum(0 < r <= k and not x for r, x in zip(ranks, refused, strict=True))
                row[f"{label}_hit@{k}"] = round(hit / len(ans), 4)
        row["candidate_recall"] = round(sum(any(questions[i].labels) for i in ans) / len(ans), 4)
        row["answerable_refused"] = round(sum(probs[i] < refuse_below for i in ans) / len(ans), 4)
        row["answerable_hedged"] = round(
            sum(refuse_below <= probs[i] < hedge_below for i in ans) / len(ans), 4
        )
    return out


def leave_one_set_out(questions: list[Question], scores) -> dict:
    """Per set, answerability and both thresholds fitted on the *other* sets only (their rows from the
    out-of-fold rankings), then applied to this one: how a set written unlike any fitted on would fare."""
    rows, labels = _answerability_rows(questions, scores)
    out = {}
    for name, idx in _by_set(questions).items():
        rest = [i for i in range(len(questions)) if questions[i].set != name]
        others = [questions[i] for i in rest]
        weights = _set_weights(others, ANSWERABILITY_SET_POWER)
        model = _fit([rows[i] for i in rest], [labels[i] for i in rest], weights, _signs())
        prob = {
            i: 1 / (1 + math.exp(-z)) for i, z in zip(range(len(rows)), _logits(model, rows), strict=True)
        }
        fitted = [prob[i] for i in rest]
        refuse = refuse_threshold(others, fitted, worst=True)
        hedge = max(refuse, HEDGE_BELOW, refuse_threshold(others, fitted, MAX_ANSWERABLE_HEDGED))
        ans = [prob[i] for i in idx if questions[i].answerable]
        una = [prob[i] for i in idx if not questions[i].answerable]
        out[name] = {
            "refuse_below": refuse,
            "hedge_below": hedge,
            "answerable_refused": round(sum(p < refuse for p in ans) / len(ans), 4) if ans else None,
            "answerable_hedged": round(sum(refuse <= p < hedge for p in ans) / len(ans), 4) if ans else None,
            "unanswerable_refused": round(sum(p < refuse for p in una) / len(una), 4) if una else None,
            "unanswerable_refused_or_hedged": round(sum(p < hedge for p in una) / len(una), 4)
            if una
            else None,
        }
    return out


def tradeoff(questions: list[Question], probs: list[float]) -> dict[str, list[dict]]:
    """Per set and refusal score (ours; the best BM25 score; the best cosine), the share of answerable
    questions answered against the share of unanswerable ones refused, as the threshold moves."""
    signals = {
        "ours": probs,
        "bm25-sentences": [max(q.lexical, default=0.0) for q in questions],
        "dense": [max(q.dense, default=0.0) for q in questions],
    }
    out: dict[str, list[dict]] = {}
    for name, idx in _by_set(questions).items():
        for signal, values in signals.items():
            ans = [values[i] for i in idx if questions[i].answerable]
            una = [values[i] for i in idx if not questions[i].answerable]
            if not una or not ans:
                continue
            points = []
            for t in sorted(set(ans + una)):
                points.append(
                    {
                        "answered": round(sum(v >= t for v in ans) / len(ans), 4),
                        "refused": round(sum(v < t for v in una) / len(una), 4),
                    }
                )
            out[f"{name}/{signal}"] = _thin(points)
    return out


def _thin(points: list[dict], n: int = 40) -> list[dict]:
    step = max(1, len(points) // n)
    return points[::step] + points[-1:]


def fit(embedder=None, index_dir: Path = ROOT / ".index") -> dict:
    """Collect, cross-validate, fit on everything; the weights file's content."""
    from assistant.features import ANSWERABILITY_FEATURES, CANDIDATE_FEATURES
    from index.embeddings import SentenceTransformerEmbeddings

    embedder = embedder or SentenceTransformerEmbeddings()
    questions = [q for s in SETS for q in collect(s, embedder, index_dir)]
    scores, probs = cross_validate(questions)
    refuse_below = refuse_threshold(questions, probs, worst=True)
    hedge_below = max(refuse_below, HEDGE_BELOW, refuse_threshold(questions, probs, MAX_ANSWERABLE_HEDGED))
    ratio = related_ratio(questions, scores)
    floor = related_floor(questions, scores, ratio)
    margin = typed_margin(questions, scores)
    a_rows, a_labels = _answerability_rows(questions, scores)  # out-of-fold rankings, as in use
    a_weights = _set_weights(questions, ANSWERABILITY_SET_POWER)
    return {
        "about": "Written by evaluation/fit_scorer.py; do not edit. Numbers under 'cv': held-out folds.",
        "sets": list(SETS),
        "ranker": {"features": list(CANDIDATE_FEATURES), **_fit(*_ranker_data(questions))},
        "answerability": {
            "features": list(ANSWERABILITY_FEATURES),
            **_fit(a_rows, a_labels, a_weights, _signs()),
        },
        "thresholds": {
            "refuse_below": refuse_below,
            "hedge_below": hedge_below,
            "related_ratio": ratio,
            "related_floor": floor,
            "typed_margin": margin,
        },
        "cv": {"folds": FOLDS, **report(questions, scores, probs, refuse_below, hedge_below)},
        "leave_one_set_out": leave_one_set_out(questions, scores),
        "tradeoff": tradeoff(questions, probs),
    }


def differences(stored: dict, fresh: dict, path: str = "") -> list[str]:
    """Where two weight files differ by more than TOLERANCE (numbers: absolute up to 1, relative above) or at
    all (anything else)."""
    if isinstance(stored, dict) and isinstance(fresh, dict):
        keys = sorted(set(stored) | set(fresh))
        return [d for k in keys for d in differences(stored.get(k), fresh.get(k), f"{path}.{k}")]
    if isinstance(stored, list) and isinstance(fresh, list) and len(stored) == len(fresh):
        return [
            d
            for i, (a, b) in enumerate(zip(stored, fresh, strict=True))
            for d in differences(a, b, f"{path}[{i}]")
        ]
    if isinstance(stored, (int, float)) and isinstance(fresh, (int, float)) and not isinstance(stored, bool):
        close = abs(stored - fresh) <= TOLERANCE * max(1.0, abs(stored), abs(fresh))
        return [] if close else [f"{path}: stored {stored}, fitted {fresh}"]
    return [] if stored == fresh else [f"{path}: stored {stored!r}, fitted {fresh!r}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.fit_scorer", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="compare with the stored weights; do not write")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--index-dir", type=Path, default=ROOT / ".index", help="where the sets' indexes go")
    args = parser.parse_args(argv)
    fresh = fit(index_dir=args.index_dir)
    print(json.dumps(fresh["cv"], indent=2))
    print(json.dumps({"leave_one_set_out": fresh["leave_one_set_out"]}, indent=2), file=sys.stderr)
    if args.check:
        stored = json.loads(args.out.read_text(encoding="utf-8"))
        diff = differences({k: stored.get(k) for k in CHECKED}, {k: fresh[k] for k in CHECKED})
        for line in diff[:20]:
            print(f"differs: {line}", file=sys.stderr)
        return 1 if diff else 0
    args.out.write_text(json.dumps(fresh, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
