"""Write the "Reader questions and summaries" section of BENCHMARKS.md (issue 16), from measured JSON.

    article-assistant eval --baselines --json bench-out/eval-all.json      # every default set
    article-assistant eval --summaries --json bench-out/summaries.json
    python -m evaluation.reader_report [--eval bench-out/eval-all.json] [--summaries bench-out/summaries.json]
    python -m evaluation.reader_report --summaries-only      # refresh the summaries table, keep the rest

For each reader set in the eval JSON (a set whose rows have ``kind``): ours and every baseline against the
issue's four targets, then answered-right per kind; SQuAD's exact match and token F1 of the short answer on
the Rhine set; the summaries beside Lead-k and TextRank. Every number comes from those files; the section
sits between two marker comments and the rest of BENCHMARKS.md is left as it is.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evaluation.benchreport import _table
from evaluation.evalsets import ROOT

START, END = "<!-- readers:start -->", "<!-- readers:end -->"
TARGETS = (  # (key, header, target as the issue states it)
    ("answered_right", "answered right", ">= 0.90 and >= BM25 + 0.25"),
    ("article_right", "article-level right", ">= 0.95"),
    ("answerable_refused", "answerable refused", "<= 0.03"),
    ("unanswerable_refused_or_hedged", "unanswerable refused or hedged", ">= 0.90"),
    ("exactness", "citations exact", "1.0"),
    ("short_exactness", "short answers exact", "1.0"),
)
SUMMARY_KEYS = ("answered", "rouge1", "rouge2", "rougeL", "ref_recall", "sentences")


def _f(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def _targets(pipeline: dict) -> dict:
    summary = dict(pipeline["summary"])
    summary["article_right"] = pipeline.get("per_kind", {}).get("article", {}).get("answered_right")
    return summary


def reader_set_section(s: dict) -> list[str]:
    pipes = s["pipelines"]
    rows = [[p["name"], *(_f(_targets(p).get(k)) for k, _, _ in TARGETS)] for p in pipes]
    rows.append(["target", *(t for _, _, t in TARGETS)])
    kinds = list(pipes[0]["per_kind"])
    per_kind = [
        [kind, str(pipes[0]["per_kind"][kind]["questions"])]
        + [_f(p["per_kind"].get(kind, {}).get("answered_right")) for p in pipes]
        + [", ".join(f"{k or '–'} {n}" for k, n in pipes[0]["per_kind"][kind]["routed"].items())]
        for kind in kinds
    ]
    return [
        f"**{s['name']}** (`{s['path']}`, {pipes[0]['summary']['questions']} questions)",
        "",
        *_table(["pipeline", *(h for _, h, _ in TARGETS)], rows),
        "",
        *_table(["kind", "questions", *(f"{p['name']} right" for p in pipes), "ours routed to"], per_kind),
        "",
    ]


def squad_section(s: dict) -> list[str]:
    rows = [
        [p["name"], _f(p["summary"].get("squad_em")), _f(p["summary"].get("squad_f1"))]
        for p in s["pipelines"]
    ]
    rows.append(["target (ours)", ">= 0.45", ">= 0.60"])
    return [
        f"### Short answers on {s['name']} (SQuAD's exact match and token F1, answerable questions)",
        "",
        *_table(["pipeline", "exact match", "token F1"], rows),
        "",
        "Ours is scored on `Answer.short` (the span the reply leads with), or the first quote when there "
        "is none; a baseline on its first quote (for bm25-sentences: the whole top BM25 sentence). "
        "Normalised as SQuAD does (lower case, no punctuation, no a/an/the), the best over the gold texts; "
        "refused: 0.",
        "",
    ]


def summaries_section(report: dict, fitted: dict | None = None) -> list[str]:
    lines = [
        f"### Summaries of {report['stories']} BBC stories (`eval --summaries`; "
        f"{', '.join(repr(p) for p in report['prompts'])}, each with the story picked)",
        "",
    ]
    groups = [("all prompts", report["overall"]), *report["per_prompt"].items()]
    rows = [
        [prompt, name, *(_f(scores.get(k)) for k in SUMMARY_KEYS)]
        for prompt, systems in groups
        for name, scores in systems.items()
    ]
    lines += [*_table(["prompt", "system", *SUMMARY_KEYS], rows), ""]
    lines += [
        "ROUGE F1 (rouge-score, Porter stemmer) of the cited sentences joined, against the reference "
        "sentences; `ref_recall`: share of reference sentences a citation contains or overlaps by more "
        "than half. Lead-k and TextRank-k take as many sentences as ours cited on that story and prompt "
        "(3 when it cited none); the headline is not a candidate. Targets: answered >= 0.95 for every "
        "prompt; ROUGE-2 and reference recall above Lead-3 and TextRank at the same length.",
        "",
    ]
    status = []
    for prompt, systems in report["per_prompt"].items():
        ours = systems.get("ours", {})
        beaten = [
            f"{name} {key} {_f(systems[name].get(key))}"
            for name in ("lead-3", "textrank-3", "textrank-k")
            for key in ("rouge2", "ref_recall")
            if name in systems and (ours.get(key) or 0) <= (systems[name].get(key) or 0)
        ]
        got = f"ROUGE-2 {_f(ours.get('rouge2'))}, recall {_f(ours.get('ref_recall'))}"
        status.append(f"'{prompt}': {got}, " + (f"not above {', '.join(beaten)}" if beaten else "target met"))
    if status:
        lines += ["Targets by prompt: " + "; ".join(status) + ".", ""]
    if fitted and fitted.get("cv_mean"):
        cv = fitted["cv_mean"]
        names = [
            n for n in ("summary", "lead-3", "textrank-3", "textrank-k", "about", "textrank-2") if n in cv
        ]
        lines += [
            f"Held out by topic (`python -m evaluation.fit_summary`: {fitted['stories']} other BBC stories, "
            "each topic scored with the salience fitted on the other four; whole sentences, 'recall' the "
            "share of reference sentences, 'word F1' of the reference's content words):",
            "",
            *_table(
                ["", *names],
                [
                    [metric, *(_f(cv[n].get(key)) for n in names)]
                    for metric, key in (("recall", "recall"), ("word F1", "word_f1"))
                ],
            ),
            "",
        ]
    return lines


def replace_summaries(md: str, summaries: dict, fitted: dict | None = None) -> str:
    """``md`` with only the summaries subsection of the reader section rewritten."""
    start = md.index(START)
    at = md.find("### Summaries of", start)
    end = md.index(END, start)
    at = at if 0 <= at < end else end
    return md[:at] + "\n".join(summaries_section(summaries, fitted)) + "\n" + md[end:]


def section(eval_data: dict | None, summaries: dict | None, fitted: dict | None = None) -> str:
    lines = [START, "## Reader questions and summaries (issue 16)", ""]
    if eval_data:
        lines += ["### Reader sets, ours and every baseline (`article-assistant eval --baselines`)", ""]
        for s in eval_data["sets"]:
            if s["pipelines"][0].get("per_kind"):
                lines += reader_set_section(s)
        for s in eval_data["sets"]:
            if s["name"] == "squad2-rhine":
                lines += squad_section(s)
    if summaries:
        lines += summaries_section(summaries, fitted)
    return "\n".join([*lines, END])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.reader_report", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--eval", type=Path, default=ROOT / "bench-out" / "eval-all.json")
    parser.add_argument("--summaries", type=Path, default=ROOT / "bench-out" / "summaries.json")
    parser.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--fitted", type=Path, default=ROOT / "assistant" / "weights" / "summary.json")
    parser.add_argument(
        "--summaries-only", action="store_true", help="rewrite only the summaries table (no eval JSON needed)"
    )
    args = parser.parse_args(argv)
    fitted = json.loads(args.fitted.read_text(encoding="utf-8")) if args.fitted.is_file() else None
    if args.summaries_only:
        summaries = json.loads(args.summaries.read_text(encoding="utf-8"))["summaries"]
        md = args.markdown.read_text(encoding="utf-8")
        args.markdown.write_text(replace_summaries(md, summaries, fitted), encoding="utf-8")
        print(f"wrote the summaries table of {args.markdown}")
        return 0
    eval_data = json.loads(args.eval.read_text(encoding="utf-8")) if args.eval.is_file() else None
    summaries = None
    if args.summaries.is_file():
        summaries = json.loads(args.summaries.read_text(encoding="utf-8"))["summaries"]
    text = section(eval_data, summaries, fitted)
    md = args.markdown.read_text(encoding="utf-8")
    if START in md:
        md = md[: md.index(START)] + text + md[md.index(END) + len(END) :]
    else:  # before the older quality section, so the newest measurements come first
        at = md.find("<!-- quality:start -->")
        md = f"{md[:at]}{text}\n\n{md[at:]}" if at >= 0 else f"{md}\n\n{text}\n"
    args.markdown.write_text(md, encoding="utf-8")
    print(f"wrote the reader section of {args.markdown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
