"""Turn ``bench.json`` into PNG plots (matplotlib, Agg) and the ``BENCHMARKS.md`` tables.

Every measured number and every count in the Markdown comes from the JSON (each phase records how it was
run beside its results; a note that an older JSON lacks is left out, not filled in), every target from
``TARGETS``; the words of the method notes are the only text typed in here.
Plots are written under the bench output directory and copied to ``docs/bench/`` next to the Markdown.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from evaluation.metrics import QUALITY_KEYS

# The targets: the cold-start table's target column, the warm and ingest verdicts, the warm plot.
TARGETS = {
    "answer_p50_ms": 25.0,
    "answer_p99_ms": 60.0,
    "help_s": 0.3,
    "ask_beyond_import_s": 1.5,
    "ask_peak_rss_mb": 1024.0,
    "ingest_ratio": 0.9,
}
EVAL_COLUMNS = (*QUALITY_KEYS, "latency_p50_ms")


def _f(value, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _ok(value: float | None, target: float, smaller_is_better: bool = True) -> str:
    if value is None:
        return "–"
    met = value <= target if smaller_is_better else value >= target
    return "met" if met else "**missed**"


def _load(data: dict, phase: str) -> list[str]:
    load = data.get("load_after", {}).get(phase)
    if load is None:
        return []
    cpus = data.get("machine", {}).get("cpus", "?")
    return [f"1-minute load average when this phase ended: {load:.1f} on {cpus} CPUs.", ""]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(r) + " |" for r in rows]


def plots(data: dict, out: Path) -> list[Path]:
    """Latency vs corpus size, ingest throughput vs the raw encoder, and warm latency; the PNG paths."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        import matplotlib
    except ImportError as e:
        from assistant.errors import AssistantError

        raise AssistantError(
            "bench plots need matplotlib — run: pip install 'article-assistant[bench]'"
        ) from e

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    for phase, name, draw in (
        ("scale", "latency_vs_corpus_size", _plot_scale),
        ("ingest", "throughput_vs_raw_encoder", _plot_ingest),
        ("warm", "warm_latency", _plot_warm),
    ):
        if data.get(phase):
            fig, ax = plt.subplots(figsize=(6, 4) if phase == "scale" else (5, 3.5))
            draw(ax, data[phase])
            fig.tight_layout()
            written.append(out / f"{name}.png")
            fig.savefig(written[-1], dpi=110)
            plt.close(fig)
    return written


def _plot_scale(ax, scale: list[dict]) -> None:
    sizes = [s["passages"] for s in scale]
    for key, label, style in (
        ("query_p50_ms", "query p50 (embed + search)", "o-"),
        ("query_p99_ms", "query p99 (embed + search)", "o--"),
        ("search_p50_ms", "Chroma search p50", "s-"),
        ("search_p99_ms", "Chroma search p99", "s--"),
    ):
        ax.plot(sizes, [s[key] for s in scale], style, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("passages in the collection")
    ax.set_ylabel("ms per query")
    ax.set_title("Query latency vs corpus size")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)


def _plot_ingest(ax, ing: dict) -> None:
    bars = ax.bar(["raw encode", "build_index"], [ing["raw_passages_per_s"], ing["build_passages_per_s"]])
    ax.bar_label(bars, fmt="%.1f")
    ax.set_ylabel("passages / s")
    ax.set_title(f"Ingest throughput: build_index = {ing['ratio']:.0%} of raw encode")


def _plot_warm(ax, warm: dict) -> None:
    names = ["embed", "retrieval", "answer"]
    xs = range(len(names))
    ax.bar([x - 0.2 for x in xs], [warm[n]["p50_ms"] for n in names], width=0.4, label="p50")
    ax.bar([x + 0.2 for x in xs], [warm[n]["p99_ms"] for n in names], width=0.4, label="p99")
    ax.set_xticks(list(xs), names)
    ax.axhline(TARGETS["answer_p50_ms"], color="grey", ls=":", lw=1)  # the answer() targets
    ax.axhline(TARGETS["answer_p99_ms"], color="grey", ls="--", lw=1)
    ax.set_ylabel("ms")
    ax.set_title(f"Warm latency over {warm['questions']} questions")
    ax.legend()


def markdown(data: dict, plot_dir: str) -> str:
    """BENCHMARKS.md: one section per phase present in ``data``, then the notes and the plots."""
    lines = header_section(data)
    for phase, section in (
        ("eval", eval_section),
        ("warm", warm_section),
        ("cold", cold_section),
        ("ingest", ingest_section),
        ("scale", scale_section),
        ("load", load_section),
    ):
        if data.get(phase):
            lines += section(data)
    if data.get("notes"):
        lines += ["## Notes", "", *data["notes"], ""]
    return "\n".join(lines + plots_section(plot_dir))


def header_section(data: dict) -> list[str]:
    m = data.get("machine", {})
    return [
        "# Benchmarks",
        "",
        "Generated by `article-assistant bench` from `bench-out/bench.json`; do not edit by hand. "
        f"Measured {m.get('date', '?')} on {m.get('cpus', '?')} CPUs ({m.get('platform', '?')}, Python "
        f"{m.get('python', '?')}, {', '.join(f'{k} {v}' for k, v in m.get('packages', {}).items())}). "
        f"The machine is shared with other jobs (load average at start: "
        f"{', '.join(f'{x:.1f}' for x in m.get('load_avg_at_start', []))}), so figures are medians or "
        "ratios and absolute times vary from run to run.",
        "",
    ]


def eval_section(data: dict) -> list[str]:
    """Ours and the baselines on the dev set; the method note states the settings the JSON records."""
    lines = ["## Quality: ours vs baselines (dev set, `article-assistant eval --baselines`)", ""]
    lines += _load(data, "eval")
    header = ["pipeline", *[c.replace("_accuracy", "_acc").replace("latency_", "") for c in EVAL_COLUMNS]]
    rows = [[r["name"], *(_f(r["summary"].get(c)) for c in EVAL_COLUMNS)] for r in data["eval"]]
    lines += _table(header, rows)
    method = data.get("eval_method", {})
    limit = f"at most {method['max_quote']} characters" if "max_quote" in method else "sentence-sized"
    lines += [
        "",
        f"`hit@k`/`mrr`: a citation counts when its quote is {limit} and overlaps a gold span; "
        "`span_hit@3` drops the length limit (a chunk that merely contains the answer counts). "
        "`precision`: share of citations that count. `exactness`: share of citations with "
        "`source_text[start:end] == quote`. " + _baselines_note(method),
        "",
    ]
    return lines


def _baselines_note(method: dict) -> str:
    recipes, bm25_k = method.get("chunk_recipes"), method.get("bm25_k")
    no_refusal = (
        "Baselines have no refusal and no conversation memory; they refuse only when nothing is retrieved."
    )
    if not recipes or bm25_k is None:
        return no_refusal
    first, *others = recipes
    parts = [
        f"`chunks-{first['chunk_size']}` is the LangChain RAG tutorial recipe "
        f"(`RecursiveCharacterTextSplitter` {first['chunk_size']}/{first['chunk_overlap']}, "
        "`add_start_index=True`, in-memory Chroma, dense "
        f"top-{first['k']}, chunk = citation)",
        *(
            f"`chunks-{r['chunk_size']}` the same at {r['chunk_size']}/{r['chunk_overlap']}, top-{r['k']}"
            for r in others
        ),
        f"`bm25-sentences` is bm25s over our sentences, top-{bm25_k}",
    ]
    return f"Baselines: {'; '.join(parts)}. All use the same MiniLM embedder. {no_refusal}"


def warm_section(data: dict) -> list[str]:
    """Per-step latency over the warm questions, against the ``answer()`` targets."""
    w = data["warm"]
    lines = [f"## Warm latency ({w['questions']} distinct questions, query cache emptied per step)", ""]
    lines += _load(data, "warm")
    embed = w["embed"]["p50_ms"]
    rows = [
        [
            name,
            *(_f(w[name][k], 1) for k in ("p50_ms", "p99_ms", "mean_ms")),
            f"{w[name]['p50_ms'] / embed:.2f}",
        ]
        for name in ("embed", "retrieval", "answer")
    ]
    lines += _table(["step", "p50 ms", "p99 ms", "mean ms", "p50 / embed p50"], rows)
    p50, p99 = TARGETS["answer_p50_ms"], TARGETS["answer_p99_ms"]
    lines += [
        "",
        f"Target for `answer()`: p50 <= {p50:g} ms ({_ok(w['answer']['p50_ms'], p50)}), p99 <= {p99:g} ms "
        f"({_ok(w['answer']['p99_ms'], p99)}). The last column divides by the query embedding's own "
        "p50, which cancels most of the machine's load: it says what `answer()` costs in units of one "
        "MiniLM query embedding. `embed` is the query embedding alone, `retrieval` is "
        "`HybridRetriever.search` (embed + two Chroma queries + BM25 + fusion), `answer` is the whole "
        f"extractive `Assistant.answer` ({w['answer_refused']} of the questions were refused). "
        + _warm_questions_note(w.get("sources")),
        "",
    ]
    return lines


def _warm_questions_note(sources: dict | None) -> str:
    where = "see `evaluation/benchdata.py`."
    if not sources:
        return f"Questions: the dev set's and hand-written ones about the article, in several forms; {where}"
    return (
        f"Questions: the dev set's {sources['dev']} and {sources['article']} hand-written ones about the "
        f"article ({sources['off_topic']} of them off-topic), each in {sources['forms']} surface forms "
        "(as written; lower-case without `?`; `Can you tell me ...`; `According to the article, ...`; "
        f"`Quick question: ...`), {where}"
    )


def cold_section(data: dict) -> list[str]:
    """Fresh-process timings and peak RSS, with each target and whether it was met."""
    c = data["cold"]
    lines = [f"## Cold start (fresh processes, median of {c['runs']}+)", ""]
    lines += _load(data, "cold")

    def target(key: str, value: str, unit: str) -> list[str]:
        return [value, f"<= {TARGETS[key]:g} {unit}", _ok(c[key], TARGETS[key])]

    rows = [
        ["`article-assistant --help` wall", *target("help_s", f"{c['help_s']:.2f} s", "s")],
        ["`article-assistant ask` wall (index exists)", f"{c['ask_s']:.2f} s", "", ""],
        ["`import torch, sentence_transformers`", f"{c['import_s']:.2f} s", "", ""],
        ["ask beyond that import", *target("ask_beyond_import_s", f"{c['ask_beyond_import_s']:.2f} s", "s")],
        ["import share of ask", f"{c['import_share']:.0%}", "", ""],
        ["peak RSS of ask", *target("ask_peak_rss_mb", f"{c['ask_peak_rss_mb']:.0f} MB", "MB")],
    ]
    lines += _table(["measure", "value", "target", ""], rows)
    return lines + ["", "Peak RSS is the child's `ru_maxrss` from `os.wait4`.", ""]


def ingest_section(data: dict) -> list[str]:
    """``build_index`` against the raw encoder on the same texts."""
    i = data["ingest"]
    lines = ["## Ingest throughput", ""]
    lines += _load(data, "ingest")
    rows = [
        ["raw `SentenceTransformer.encode`", _f(i["raw_encode_s"]), _f(i["raw_passages_per_s"], 1)],
        ["`build_index` (split + embed + Chroma)", _f(i["build_index_s"]), _f(i["build_passages_per_s"], 1)],
    ]
    lines += _table(["path", "seconds", "passages/s"], rows)
    target = TARGETS["ingest_ratio"]
    met = _ok(i["ratio"], target, smaller_is_better=False)
    lines += [
        "",
        f"Ratio build / raw: **{i['ratio']:.0%}** (target >= {target:.0%}: {met}). "
        f"{i['articles']} synthetic articles, {i['passages']} passages and {i['sentences']} sentences; both "
        f"paths embed the same {i['texts_embedded']} texts (each distinct sentence, passage and title once) "
        "with the same batch size; median of the runs, interleaved.",
        "",
    ]
    return lines


def scale_section(data: dict) -> list[str]:
    """One persistent collection per corpus size: build, query latency, disk, memory, planted hits."""
    scale = data["scale"]
    lines = ["## Scale (passages in one persistent Chroma collection)", ""]
    lines += _load(data, "scale")
    rows = [
        [
            f"{s['passages']:,}",
            f"{s['build_s']:.0f} s ({s['build_passages_per_s']:.0f}/s)",
            f"{s['insert_s']:.1f} s",
            *(_f(s[k], 1) for k in ("query_p50_ms", "query_p99_ms", "search_p50_ms", "search_p99_ms")),
            f"{s['disk_mb']:.0f} MB",
            f"{s['peak_rss_mb']:.0f} MB",
            f"{s['planted_hit@3']:.2f} ({s['planted']})",
            _f(s.get("planted_hybrid_hit@3"), 2),
        ]
        for s in scale
    ]
    header = ["passages", "build", "of which Chroma insert", "query p50 ms", "query p99 ms"]
    header += ["search p50 ms", "search p99 ms", "disk", "peak RSS", "planted hit@3 (n)", "hybrid hit@3"]
    lines += _table(header, rows)
    query_note, *corpus_note = _scale_notes(scale[-1])
    lines += ["", query_note]
    if 100000 not in {s["passages"] for s in scale}:
        lines += ["", "The 100k corpus was not run for this report (see below)."]
    return lines + corpus_note + [""]


def _scale_notes(s: dict) -> list[str]:
    """The method of a scale run, stated from what its result records (older results record less)."""
    top = f"Chroma top-{s['k']}" if "k" in s else "a Chroma search"
    lines = [
        f"Query = embed the question + {top} ({s['queries']} queries: {s['planted']} planted questions and "
        f"{s['queries'] - s['planted']} cut from random passages); search = the Chroma query alone. Each "
        "size runs in its own process (`python -m evaluation.benchscale`), so peak RSS is that process's, "
        "model included."
    ]
    if "templates" not in s:
        return lines
    k = s["k"]
    low, high = s["sentences_per_passage"]
    return lines + [
        "",
        f"**The corpus is synthetic and says so.** `evaluation/benchdata.py` writes news-like English "
        f"sentences from {s['templates']} templates (officials' statements, council plans, court fines, "
        "weather, shares, police, talks) filled with seeded random people, organisations, places, numbers, "
        f"weekdays and months; a passage is {low} to {high} sentences. {s['planted_facts']} hand-written "
        "facts with invented names (e.g. *Pellworth Zoo announced the birth of twin red pandas ...*) are "
        "planted at seeded random positions, each with a question that paraphrases it (*What animals were "
        f"born at Pellworth Zoo?*); planted hit@{k} is the share of those questions whose passage is in the "
        f"top {k} of the dense search alone; hybrid hit@{k} fuses it (top {s['fused_from']}) with BM25 over "
        "the same passages by reciprocal rank fusion, as the assistant's retrieval does.",
    ]


def load_section(data: dict) -> list[str]:
    """The served app under concurrent sessions, from ``evaluation/load_test.py --json OUT/load.json``."""
    r = data["load"]
    header = ["sessions x questions", "answers", "errors", "inexact citations", "answers/s"]
    header += ["p50 ms", "p95 ms", "p99 ms"]
    row = [
        f"{r['sessions']} x {r['questions_per_session']}",
        f"{r['answers']} ({r['refused']} refused, {r['citations']} citations)",
        str(len(r["errors"])),
        str(len(r["inexact"])),
        _f(r["throughput_per_s"], 1),
        *(_f(r[k], 0) for k in ("p50_ms", "p95_ms", "p99_ms")),
    ]
    at_once = f" ({r['concurrency']} requests run at once)" if "concurrency" in r else ""
    return [
        "## Load test (the served chat, `/ask` through gradio_client)",
        "",
        *_table(header, [row]),
        "",
        f"Measured {r['date']} with `evaluation/load_test.py`: the real app in a subprocess on a loopback "
        "port, each session a gradio_client asking dev-set questions in turn; latency is from submit to "
        f"result, queue wait included{at_once}. Every citation was checked against its source file.",
        "",
    ]


def plots_section(plot_dir: str) -> list[str]:
    pngs = ("latency_vs_corpus_size", "throughput_vs_raw_encoder", "warm_latency")
    return [
        "## Plots",
        "",
        *(f"![{p.replace('_', ' ')}]({plot_dir}/{p}.png)" for p in pngs),
        "",
        "Reproduce: `article-assistant bench` (full) or `make bench` (`--quick`, no 100k corpus).",
        "",
    ]


def write_report(data: dict, out: Path, md_path: Path) -> list[Path]:
    """Plots under ``out``, copies under ``docs/bench`` beside the Markdown, and the Markdown; the paths."""
    if (out / "load.json").exists():  # written by evaluation/load_test.py --json
        data = {**data, "load": json.loads((out / "load.json").read_text(encoding="utf-8"))}
    written = plots(data, out)
    dest = md_path.parent / "docs" / "bench"
    dest.mkdir(parents=True, exist_ok=True)
    copies = [Path(shutil.copy2(p, dest / p.name)) for p in written]
    md_path.write_text(markdown(data, "docs/bench"), encoding="utf-8")
    return [md_path, *copies]
