"""The tables ``article-assistant eval`` prints (rich): per question, overall, per kind, sets side by side.

Reads the result dicts ``evaluation.evaluate`` builds; computes nothing but the side-by-side rows.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from evaluation.metrics import QUALITY_KEYS, REFUSAL_KEYS

# mrr, span_hit@3 and answer_rate (= 1 - answerable_refused) are in the JSON, not in the table
TABLE_KEYS = (
    "answered_right",
    *(k for k in QUALITY_KEYS if k not in ("refusal_accuracy", "mrr", "span_hit@3", "answer_rate")),
    *REFUSAL_KEYS,
    "unanswerable_refused_or_hedged",
    "short_exactness",
    "squad_em",
    "squad_f1",
    "latency_p50_ms",
    "latency_p99_ms",
)
KIND_KEYS = (
    "questions",
    "answered_right",
    "hit@1",
    "hit@3",
    "all_gold_recall",
    "date_right",
    "answerable_refused",
    "unanswerable_refused_or_hedged",
    "hedged",
    "exactness",
    "short_rate",
    "short_exactness",
    "squad_f1",
)
SIDE_BY_SIDE_KEYS = (
    "answered_right",
    "hit@1",
    "hit@3",
    "answerable_refused",
    "unanswerable_refused_or_hedged",
)
HEADERS = {
    "answered_right": "right",
    "answerable_refused": "ans_refused",
    "unanswerable_refused": "unans_refused",
    "unanswerable_refused_or_hedged": "unans_ref|hedge",
    "all_gold_recall": "all_gold",
    "short_exactness": "short_exact",
    "keyword_match": "keyword",
    "followup_accuracy": "followup",
}


def fmt(value, key: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key.startswith("latency") or key == "latency_ms":
        return f"{value:.1f}"
    if isinstance(value, float):
        return f"{value:.3f}" if value != int(value) else f"{value:.2f}"
    return str(value)


def _header(key: str) -> str:
    return HEADERS.get(key, key.replace("latency_", "").replace("_accuracy", "_acc"))


def _console(file=None):
    from rich.console import Console

    return Console(file=file or sys.stdout, width=220)


def per_question_table(result: dict):
    """The per-question rich table of one pipeline."""
    from rich.table import Table

    per = Table(title=f"Per question ({result['name']})")
    columns = ("id", "kind", "question", "refused", "rank", "right", "short", "routed", "exactness", "ms")
    for col in columns:
        per.add_column(col, overflow="fold")
    for q in result["questions"]:
        per.add_row(
            q["id"],
            q.get("kind", ""),
            q["question"][:60],
            fmt(q["refused"]),
            str(q["rank"]) if q["answerable"] else "–",
            fmt(q.get("right")),
            (q.get("short") or [None] * 4)[3] or "–",
            q.get("routed", ""),
            fmt(q["exactness"]),
            fmt(q["latency_ms"], "latency_ms"),
        )
    return per


def routed_text(routed: dict) -> str:
    """``{"about": 5, "": 3}`` as ``about 5, – 3`` (the empty kind is a question about the text)."""
    return ", ".join(f"{kind or '–'} {n}" for kind, n in routed.items())


def per_kind_table(result: dict, title: str):
    """Kind x metrics for one pipeline, with the routed intents (``Answer.kind``) each kind got."""
    from rich.table import Table

    table = Table(title=title)
    table.add_column("kind")
    for key in KIND_KEYS:
        table.add_column(_header(key), justify="right")
    table.add_column("routed", overflow="fold")
    for kind, summary in result["per_kind"].items():
        table.add_row(kind, *(fmt(summary.get(k), k) for k in KIND_KEYS), routed_text(summary["routed"]))
    return table


def print_report(results: Sequence[dict], file=None, *, title: str = "Overall", per_question: bool = False):
    """The overall table (one row per pipeline), each pipeline's per-kind table when the set has kinds;
    with ``per_question``, the first pipeline's questions."""
    from rich.table import Table

    console = _console(file)
    if per_question:
        for r in results[:1]:
            console.print(per_question_table(r))
    for r in results:
        if r.get("per_kind"):
            console.print(per_kind_table(r, f"{title.removesuffix(': overall')}: per kind ({r['name']})"))
    overall = Table(title=title, show_lines=False)
    overall.add_column("pipeline")
    for key in TABLE_KEYS:
        overall.add_column(_header(key), justify="right")
    for r in results:
        overall.add_row(r["name"], *(fmt(r["summary"].get(k), k) for k in TABLE_KEYS))
    console.print(overall)
    missing = [q["id"] for r in results[:1] for q in r["questions"] if not q["gold_found"]]
    if missing:
        console.print(f"[yellow]warning: gold not found in the set's articles for: {', '.join(missing)}[/]")


def side_by_side(sets: Sequence[dict]) -> list[dict]:
    """One row per pipeline, ``{"pipeline", "<set>": {key: value}}``, pipelines in the order first seen."""
    names = list(dict.fromkeys(p["name"] for s in sets for p in s["pipelines"]))
    rows = []
    for name in names:
        row: dict = {"pipeline": name}
        for s in sets:
            summary = next((p["summary"] for p in s["pipelines"] if p["name"] == name), {})
            row[s["name"]] = {k: summary.get(k) for k in SIDE_BY_SIDE_KEYS}
        rows.append(row)
    return rows


def print_side_by_side(sets: Sequence[dict], file=None) -> None:
    """Pipelines down, set x ``SIDE_BY_SIDE_KEYS`` across."""
    from rich.table import Table

    table = Table(title="Side by side", show_lines=False)
    table.add_column("pipeline")
    for s in sets:
        for key in SIDE_BY_SIDE_KEYS:
            table.add_column(f"{s['name']}\n{_header(key)}", justify="right")
    for row in side_by_side(sets):
        table.add_row(row["pipeline"], *(fmt(row[s["name"]][k], k) for s in sets for k in SIDE_BY_SIDE_KEYS))
    _console(file).print(table)
