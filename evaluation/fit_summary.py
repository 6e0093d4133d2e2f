"""Fit the summary's two numbers (``assistant/weights/summary.json``) on the public BBC summaries, on folds.

    python -m evaluation.fit_summary [--per-topic 60]    # fit, print held-out numbers, write the weights

``assistant.answering.summary`` takes the lede, then sentences by maximal marginal relevance; ``weight``
trades centrality against redundancy and ``share`` sets the length (a share of the article's sentences,
within 3..5). The reference summaries of ``../shared/eval/bbc/summaries`` are sentences of the article run
together; a reference sentence is an article sentence (the project's splitter) found in it. The objective
is the F1 of the picked sentences against the reference sentences. Folds are the five topics: each is
scored with the numbers chosen on the other four. Lead-k at the same lengths is reported beside it.
This module fits and reports; it is not imported at run time.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BBC = ROOT.parent / "shared" / "eval" / "bbc"
OUT = ROOT / "assistant" / "weights" / "summary.json"
WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
SHARES = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


def stories(per_topic: int) -> list[dict]:
    """The first ``per_topic`` stories of each topic: sentences (body, no headline) and reference flags."""
    from index.loader import parse_article
    from index.splitter import paragraph_spans, sentence_spans

    out = []
    for topic_dir in sorted((BBC / "articles").iterdir()):
        for path in sorted(topic_dir.glob("*.txt"))[:per_topic]:
            text = path.read_text(encoding="utf-8")
            reference = (BBC / "summaries" / topic_dir.name / path.name).read_text(encoding="utf-8")
            start, _ = parse_article(text)
            paragraphs = paragraph_spans(text, start)
            if len(paragraphs) > 1:  # line 1 is the headline
                start = paragraphs[1][0]
            spans = sentence_spans(text, start)
            sentences = [text[a:b] for a, b in spans]
            if len(sentences) < 4:
                continue
            out.append(
                {
                    "topic": topic_dir.name,
                    "sentences": sentences,
                    "reference": [s in reference for s in sentences],
                }
            )
    return out


def f1(picked: list[int], reference: list[bool]) -> float:
    hits = sum(reference[i] for i in picked)
    if not hits:
        return 0.0
    p, r = hits / len(picked), hits / sum(reference)
    return 2 * p * r / (p + r)


def score(data: list[dict], weight: float, share: float) -> float:
    from assistant.answering.summary import SummaryParams, pick

    params = SummaryParams(weight, share)
    return sum(
        f1(pick(d["sentences"], d["vectors"], params.length(len(d["sentences"])), weight), d["reference"])
        for d in data
    ) / len(data)


def lead(data: list[dict], share: float) -> float:
    from assistant.answering.summary import SummaryParams

    params = SummaryParams(0.0, share)
    return sum(f1(list(range(params.length(len(d["sentences"])))), d["reference"]) for d in data) / len(data)


def choose(data: list[dict]) -> tuple[float, float]:
    return max(((w, s) for w in WEIGHTS for s in SHARES), key=lambda ws: (score(data, *ws), -ws[1]))


def main(argv: list[str] | None = None) -> int:
    import numpy as np

    from index.embeddings import SentenceTransformerEmbeddings

    parser = argparse.ArgumentParser(
        prog="python -m evaluation.fit_summary", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--per-topic", type=int, default=60)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if not BBC.is_dir():
        print(f"skipped: {BBC} is absent (the public BBC stories)", file=sys.stderr)
        return 0
    data = stories(args.per_topic)
    embedder = SentenceTransformerEmbeddings()
    for d in data:
        d["vectors"] = np.asarray(embedder.embed_documents(d["sentences"]), dtype=np.float32)
    topics = sorted({d["topic"] for d in data})
    held = {}
    for topic in topics:
        w, s = choose([d for d in data if d["topic"] != topic])
        test = [d for d in data if d["topic"] == topic]
        held[topic] = {
            "weight": w,
            "share": s,
            "f1": round(score(test, w, s), 4),
            "lead_f1": round(lead(test, s), 4),
        }
    weight, share = choose(data)
    result = {
        "about": "Written by evaluation/fit_summary.py; do not edit. 'cv': each topic held out.",
        "weight": weight,
        "share": share,
        "stories": len(data),
        "cv": held,
        "cv_mean_f1": round(sum(h["f1"] for h in held.values()) / len(held), 4),
        "cv_mean_lead_f1": round(sum(h["lead_f1"] for h in held.values()) / len(held), 4),
    }
    print(json.dumps(result, indent=1))
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
