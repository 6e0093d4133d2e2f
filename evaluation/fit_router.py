"""Fit the intent router (``assistant/weights/router.json`` and ``router.npy``) on several sets, on folds.

    python -m evaluation.fit_router            # fit, print the held-out numbers, write the weights
    python -m evaluation.fit_router --check    # fit, compare with the stored weights; exit 1 if they differ

The router's examples are ``eval/intents.jsonl`` (utterances written by hand, each with its intent and the
template ``group`` it was written from). The two numbers it needs, ``margin`` (how much nearer the nearest
intent example must be than the nearest "none" example) and ``floor`` (how near it must be at all), are
chosen on a grid to route the most questions right, each set counting the same:

- ``intents``: each utterance against the examples of the *other* groups (leave one group out); right when
  it goes to its own intent.
- the question sets (dev, news-extra, off-topic, and from ``../shared/eval`` news-chat and SQuAD Rhine;
  ``eval/bbc-reader``): a question routed to an intent is right when that intent's answer for the
  question's article cites a gold span (answerable) or refuses or hedges (unanswerable); a question left
  unrouted is right unless its ``kind`` is ``article``.

The held-out numbers come from 5 folds: the grid is chosen on four and scored on the fifth.
This module fits and reports; it is not imported at run time.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INTENTS = ROOT / "eval" / "intents.jsonl"
OUT = ROOT / "assistant" / "weights" / "router.json"
SETS = (
    "../shared/eval/dev.jsonl",
    "eval/news-extra/questions.jsonl",
    "eval/off-topic.jsonl",
    "eval/bbc-reader/questions.jsonl",
    "shared:news-chat/questions.jsonl",
    "shared:squad2-rhine/questions.jsonl",
)
MARGINS = [round(-0.1 + 0.01 * i, 2) for i in range(41)]
FLOORS = [round(0.2 + 0.05 * i, 2) for i in range(13)]
FOLDS = 5


def set_path(name: str) -> Path:
    if name.startswith("shared:"):
        return ROOT.parent / "shared" / "eval" / name.removeprefix("shared:")
    return ROOT / name


def load_examples(path: Path = INTENTS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _intent_rows(examples: list[dict], vectors) -> list[dict]:
    """Each example as a question: its scores over the examples of the *other* groups."""
    import numpy as np

    from assistant.answering.route import nearest

    sims = vectors @ vectors.T
    groups = np.array([e.get("group", e["text"]) for e in examples])
    labels = np.array([e["intent"] for e in examples])
    out = []
    for i, e in enumerate(examples):
        keep = groups != groups[i]
        best = nearest(sims[i][keep], labels[keep].tolist())
        want = "" if e["intent"] == "none" else e["intent"]
        out.append({"set": "intents", "text": e["text"], "scores": [best], "right": {want}})
    return out


def _question_rows(name: str, examples: list[dict], vectors, embedder, index_dir: Path) -> list[dict]:
    """One set's questions with their scores and the intents whose answers would be right for them."""
    from assistant.answering.intents import _one
    from assistant.answering.route import Router
    from assistant.settings import Settings
    from evaluation.evalsets import EvalSetError, load_set, set_assistant
    from evaluation.evaluate import source_texts
    from evaluation.metrics import gold_for, relevant

    path = set_path(name)
    if not path.is_file():
        print(f"skipped {name}: {path} is absent", file=sys.stderr)
        return []
    base = Settings(root=ROOT, seeds_dir=ROOT / "seeds", index_dir=index_dir)
    rows = load_set(path)
    try:
        bot = set_assistant(path, base, embedder=embedder, rows=rows)
    except EvalSetError as e:
        print(f"skipped {name}: {e}", file=sys.stderr)
        return []
    router = Router(embedder, [(e["text"], e["intent"]) for e in examples], 0.0, 0.0, vectors)
    texts = source_texts(bot.settings)
    intents = sorted({e["intent"] for e in examples} - {"none"})
    answers: dict[tuple[str, str], object] = {}
    out = []
    for row in rows:
        readings = [
            router.scores(embedder.embed_query(t))
            for t in router.readings(row["question"], bot.retriever.vocabulary)
        ]
        source = row.get("source") or next(iter(texts))
        gold, contain = gold_for(row, texts)
        right = set() if row.get("kind") == "article" else {""}
        for intent in intents:
            key = (source, intent)
            if key not in answers:
                answers[key] = [
                    p for p in _one(bot, row["question"], intent, source) if not isinstance(p, str)
                ][-1]
            a = answers[key]
            if row.get("answerable", True):
                ok = not a.refused and any(relevant(c, gold, contain=contain) for c in a.citations)
            else:
                ok = a.refused or a.hedged
            if ok:
                right.add(intent)
        out.append(
            {
                "set": path.parent.name if path.name == "questions.jsonl" else path.stem,
                "text": row["question"],
                "scores": readings,
                "right": right,
            }
        )
    return out


def _right(row: dict, margin: float, floor: float) -> bool:
    """Whether the rule with these numbers routes ``row`` to an intent its answer is right for."""
    from assistant.answering.route import decide_any

    return decide_any(row["text"], row["scores"], margin, floor).intent in row["right"]


def _accuracy(rows: list[dict], margin: float, floor: float) -> dict[str, float]:
    by_set: dict[str, list[bool]] = {}
    for r in rows:
        by_set.setdefault(r["set"], []).append(_right(r, margin, floor))
    return {s: sum(v) / len(v) for s, v in by_set.items()}


def choose(rows: list[dict]) -> tuple[float, float, float]:
    """``(margin, floor, mean accuracy over sets)`` of the best grid point (ties: the larger margin)."""
    best = (0.0, 0.0, -1.0)
    for margin in MARGINS:
        for floor in FLOORS:
            acc = _accuracy(rows, margin, floor)
            mean = sum(acc.values()) / len(acc)
            if mean > best[2] + 1e-9 or (abs(mean - best[2]) <= 1e-9 and margin > best[0]):
                best = (margin, floor, mean)
    return best


def cross_validate(rows: list[dict]) -> dict[str, float]:
    """Per set: routing accuracy on held-out folds, the grid chosen on the other folds."""
    fold = [hash_fold(r["text"]) for r in rows]
    right: dict[str, list[bool]] = {}
    for f in range(FOLDS):
        margin, floor, _ = choose([r for r, k in zip(rows, fold, strict=True) if k != f])
        held = [r for r, k in zip(rows, fold, strict=True) if k == f]
        for r in held:
            right.setdefault(r["set"], []).append(_right(r, margin, floor))
    return {s: round(sum(v) / len(v), 4) for s, v in right.items()}


def hash_fold(text: str) -> int:
    import hashlib

    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % FOLDS


def fit(embedder=None, index_dir: Path = ROOT / ".index") -> tuple[dict, object]:
    import numpy as np

    from index.embeddings import SentenceTransformerEmbeddings

    embedder = embedder or SentenceTransformerEmbeddings()
    examples = load_examples()
    vectors = np.asarray(embedder.embed_documents([e["text"] for e in examples]), dtype=np.float32)
    rows = _intent_rows(examples, vectors)
    for name in SETS:
        rows += _question_rows(name, examples, vectors, embedder, index_dir)
    margin, floor, mean = choose(rows)
    data = {
        "about": "Written by evaluation/fit_router.py; do not edit. 'cv': held-out folds.",
        "model": getattr(embedder, "name", ""),
        "margin": margin,
        "floor": floor,
        "fitted_accuracy": {k: round(v, 4) for k, v in _accuracy(rows, margin, floor).items()},
        "cv": cross_validate(rows),
        "examples": [{"text": e["text"], "intent": e["intent"]} for e in examples],
    }
    return data, vectors.astype(np.float16)


def main(argv: list[str] | None = None) -> int:
    import numpy as np

    parser = argparse.ArgumentParser(
        prog="python -m evaluation.fit_router", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="compare with the stored weights; do not write")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--index-dir", type=Path, default=ROOT / ".index", help="where the sets' indexes go")
    args = parser.parse_args(argv)
    data, vectors = fit(index_dir=args.index_dir)
    print(json.dumps({k: data[k] for k in ("margin", "floor", "fitted_accuracy", "cv")}, indent=1))
    if args.check:
        stored = json.loads(args.out.read_text(encoding="utf-8"))
        same = stored["examples"] == data["examples"] and abs(stored["margin"] - data["margin"]) <= 0.02
        same = same and abs(stored["floor"] - data["floor"]) <= 0.05
        if not same:
            print(
                f"differs: stored margin {stored['margin']} floor {stored['floor']}, fitted "
                f"{data['margin']} {data['floor']} (or the examples changed)",
                file=sys.stderr,
            )
        return 0 if same else 1
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    np.save(args.out.with_suffix(".npy"), vectors)
    print(f"wrote {args.out} and {args.out.with_suffix('.npy').name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
