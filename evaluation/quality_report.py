"""Write the "Answer quality" section of BENCHMARKS.md and its refusal trade-off plot, from measured JSON.

    article-assistant eval --baselines --json bench-out/eval-all.json      # every question set
    article-assistant bench --only warm --out bench-out/warm --markdown bench-out/warm/BENCH.md
    python -m evaluation.quality_report [--eval bench-out/eval-all.json] [--warm bench-out/warm/bench.json]

Inputs: the eval JSON (ours and every baseline on each set), the fitted scorer's cross-validated numbers and
trade-off curves (``assistant/weights/scorer.json``), the query-likelihood experiment
(``evaluation/results/ql_rerank.json``) and, when given, a warm-latency bench. Every number in the section
comes from those files; the section sits between two marker comments and the rest of BENCHMARKS.md is left
as it is.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evaluation.benchreport import _table
from evaluation.fit_scorer import OUT as WEIGHTS
from evaluation.fit_scorer import ROOT
from evaluation.metrics import MAX_QUOTE

START, END = "<!-- quality:start -->", "<!-- quality:end -->"
QL = ROOT / "evaluation" / "results" / "ql_rerank.json"
PLOT = ROOT / "docs" / "bench" / "refusal_tradeoff.png"
COLUMNS = ("hit@1", "hit@3", "mrr", "exactness", "answerable_refused", "unanswerable_refused", "hedged")


def _f(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def eval_section(data: dict) -> list[str]:
    lines = ["### Every question set, ours and every baseline (`article-assistant eval --baselines`)", ""]
    for s in data["sets"]:
        lines += [
            f"**{s['name']}** (`{s['path']}`, {s['pipelines'][0]['summary']['questions']} questions)",
            "",
        ]
        rows = [[p["name"], *(_f(p["summary"].get(c)) for c in COLUMNS)] for p in s["pipelines"]]
        lines += [*_table(["pipeline", *COLUMNS], rows), ""]
    lines += [
        "A citation counts when it contains a gold answer's offsets (`spans`, where the set gives them) or "
        f"overlaps a gold substring, and is at most {MAX_QUOTE} characters. A refused answerable question "
        "misses. "
        "`hedged`: the reply said the article does not answer directly and listed the closest quotes. These "
        "numbers are in-sample for ours: the scorer was fitted on these sets (held-out numbers below).",
        "",
    ]
    return lines


def cv_section(weights: dict) -> list[str]:
    cv = {k: v for k, v in weights["cv"].items() if isinstance(v, dict)}
    header = ["set", "ours hit@1", "ours hit@3", "bm25 hit@1", "bm25 hit@3", "dense hit@1", "rrf hit@1"]
    header += ["answerable refused", "unanswerable refused", "hedged"]
    keys = ["ours_hit@1", "ours_hit@3", "bm25_hit@1", "bm25_hit@3", "dense_hit@1", "rrf_hit@1"]
    keys += ["answerable_refused", "unanswerable_refused", "hedged"]
    rows = [[name, *(_f(row.get(k)) for k in keys)] for name, row in cv.items()]
    t = weights["thresholds"]
    return [
        f"### Held-out folds ({weights['cv']['folds']}-fold, grouped by the answer's paragraph; "
        "`python -m evaluation.fit_scorer`)",
        "",
        *_table(header, rows),
        "",
        f"Rankings compared over the same candidates; a refused answerable question is a miss for ours. "
        f"Thresholds fitted: refuse below {t['refuse_below']}, hedge below {t['hedge_below']}, show a "
        f"runner-up at {t['related_ratio']} of the best's probability or more.",
        "",
    ]


def ql_section(ql: dict) -> list[str]:
    header = ["set", "answerable", "ranker hit@1", "LM alone (top 5)", "ranker + 4 x LM (top 5)"]
    rows = [
        [
            name,
            str(r["answerable"]),
            _f(r["ranker_hit@1"]),
            _f(r["ql_alone_top5_hit@1"]),
            _f(r["mix_top5_a4.0_hit@1"]),
        ]
        for name, r in ql["sets"].items()
    ]
    return [
        "### Query-likelihood re-ranking with the local model (measured, not shipped)",
        "",
        *_table(header, rows),
        "",
        ql["about"],
        "",
    ]


def _load(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def warm_section(warm: dict) -> list[str]:
    w = warm["warm"]
    rows = [
        [step, _f(w[step]["p50_ms"]), _f(w[step]["p99_ms"])]
        for step in ("embed", "propose", "retrieval", "answer")
    ]
    return [
        f"### Warm latency on the seed ({w['questions']} questions; `bench --only warm`)",
        "",
        *_table(["step", "p50 ms", "p99 ms"], rows),
        "",
        f"`propose` is the query embedding and the three candidate rankings; `retrieval` adds features and "
        f"the fitted scorer: {w['scorer_p50_ms']:.1f} ms at p50. Load average at the end: "
        f"{_load(warm.get('load_after', {}).get('warm'))}.",
        "",
    ]


def plot(weights: dict, out: Path = PLOT) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curves = weights["tradeoff"]
    sets = sorted({k.split("/")[0] for k in curves})
    fig, axes = plt.subplots(1, len(sets), figsize=(5 * len(sets), 4), squeeze=False)
    for ax, name in zip(axes[0], sets, strict=True):
        for key, points in curves.items():
            if key.startswith(f"{name}/"):
                ax.plot(
                    [p["answered"] for p in points], [p["refused"] for p in points], label=key.split("/")[1]
                )
        ax.set_title(f"{name} (held-out folds)")
        ax.set_xlabel("answerable questions answered")
        ax.set_ylabel("unanswerable questions refused")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def section(eval_data: dict, weights: dict, ql: dict, warm: dict | None) -> str:
    lines = [START, "## Answer quality (issue 10): every question set, held-out folds, refusal trade-off", ""]
    lines += eval_section(eval_data) + cv_section(weights)
    lines += [
        "### Refusal trade-off (held-out folds)",
        "",
        f"![refusal trade-off]({PLOT.relative_to(ROOT).as_posix()})",
        "",
        "Each curve moves one refusal threshold: ours on the fitted answerability probability, the baselines "
        "on their best BM25 score or best cosine. Right and up is better.",
        "",
    ]
    lines += ql_section(ql)
    if warm:
        lines += warm_section(warm)
    return "\n".join([*lines, END])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.quality_report", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--eval", type=Path, default=ROOT / "bench-out" / "eval-all.json")
    parser.add_argument("--warm", type=Path, default=None)
    parser.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    weights = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    text = section(
        json.loads(args.eval.read_text(encoding="utf-8")),
        weights,
        json.loads(QL.read_text(encoding="utf-8")),
        json.loads(args.warm.read_text(encoding="utf-8")) if args.warm else None,
    )
    plot(weights)
    md = args.markdown.read_text(encoding="utf-8")
    if START in md:
        md = md[: md.index(START)] + text + md[md.index(END) + len(END) :]
    else:
        head, sep, rest = md.partition("\n## ")
        md = f"{head}\n{text}\n\n## {rest}" if sep else f"{md}\n\n{text}\n"
    args.markdown.write_text(md, encoding="utf-8")
    print(f"wrote the quality section of {args.markdown} and {PLOT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
