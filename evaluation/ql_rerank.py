"""Measure query-likelihood re-ranking with the local language model, on held-out folds (an experiment).

    python -m evaluation.ql_rerank [--out evaluation/results/ql_rerank.json]

For each answerable question of the sets with many questions, the fitted ranker's out-of-fold top ``K``
sentences are re-scored by SmolLM2-135M (the ``local`` extra) as ``log P(question | sentence)`` per question
token, the "unsupervised passage re-ranking" signal; the final score is ``ranker + a * (ql - best ql)``.
Prints hit@1 for the ranker alone, the language model alone (within the top ``K``) and the mix for a grid
of ``a``. It costs about a second of CPU per question here, 30 to 50 times the whole ``answer()``, which is
why the shipped pipeline does not use it; this script keeps the measurement reproducible.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evaluation.fit_scorer import ROOT, collect, cross_validate

SETS = ("eval/news-extra/questions.jsonl", "../shared/eval/squad2-rhine/questions.jsonl")
PROMPT = (
    "<|im_start|>user\nRead this passage and write a question about it.\nPassage: {passage}<|im_end|>\n"
    "<|im_start|>assistant\nQuestion:"
)
TOP = (3, 5)
MIX = (0.5, 1.0, 2.0, 4.0, 8.0)


class QueryLikelihood:
    """Mean log-probability of a question's tokens after a passage, under the packaged SmolLM2 GGUF."""

    def __init__(self) -> None:
        from llama_cpp import Llama

        from assistant.llm import default_gguf

        self.llm = Llama(
            model_path=str(default_gguf()), n_ctx=512, logits_all=True, verbose=False, n_threads=1
        )

    def __call__(self, passage: str, question: str) -> float:
        import numpy as np

        head = self.llm.tokenize(PROMPT.format(passage=passage).encode(), add_bos=True, special=True)
        asked = self.llm.tokenize((" " + question).encode(), add_bos=False, special=False)
        self.llm.reset()
        self.llm.eval(head + asked)
        logits = np.asarray(self.llm.scores[len(head) - 1 : len(head) + len(asked) - 1])
        logprobs = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
        return float(np.mean([logprobs[i, t] for i, t in enumerate(asked)]))


def measure(index_dir: Path) -> dict:
    from index.embeddings import SentenceTransformerEmbeddings

    embedder = SentenceTransformerEmbeddings()
    questions = [
        q for s in ("../shared/eval/dev.jsonl", *SETS) for q in collect(s, embedder, index_dir, texts=True)
    ]
    scores, _ = cross_validate(questions)
    ql = QueryLikelihood()
    rows = []
    for q, s in zip(questions, scores, strict=True):
        if not q.answerable or not s or q.set == "dev":
            continue
        top = sorted(range(len(s)), key=lambda i: -s[i])[: max(TOP)]
        rows.append(
            {
                "set": q.set,
                "ranker": [s[i] for i in top],
                "right": [q.labels[i] for i in top],
                "ql": [ql(q.texts[i], q.question) for i in top],
            }
        )
    return {"rows": rows, "summary": summarize(rows)}


def _first(scores: list[float], right: list[int]) -> int:
    return right[max(range(len(scores)), key=lambda i: scores[i])]


def summarize(rows: list[dict]) -> dict:
    out = {}
    for name in dict.fromkeys(r["set"] for r in rows):
        mine = [r for r in rows if r["set"] == name]
        result = {
            "answerable": len(mine),
            "ranker_hit@1": sum(r["right"][0] for r in mine) / len(mine),
            f"ql_alone_top{max(TOP)}_hit@1": sum(_first(r["ql"], r["right"]) for r in mine) / len(mine),
        }
        for k in TOP:
            for a in MIX:
                mixed = 0
                for r in mine:
                    best = max(r["ql"][:k])
                    score = [x + a * (y - best) for x, y in zip(r["ranker"][:k], r["ql"][:k], strict=True)]
                    mixed += _first(score, r["right"][:k])
                result[f"mix_top{k}_a{a}_hit@1"] = mixed / len(mine)
        out[name] = {key: round(v, 4) if isinstance(v, float) else v for key, v in result.items()}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.ql_rerank", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, default=ROOT / "evaluation" / "results" / "ql_rerank.json")
    parser.add_argument("--index-dir", type=Path, default=ROOT / ".index")
    args = parser.parse_args(argv)
    result = measure(args.index_dir)
    print(json.dumps(result["summary"], indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result["summary"], indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
