"""The bench's PNG plots (matplotlib, Agg): latency vs corpus size, ingest vs the raw encoder, warm latency.

Each plot draws one phase of ``bench.json`` and is skipped when that phase is missing; ``benchreport`` writes
the Markdown that shows them. matplotlib is imported only when plotting (the ``bench`` extra).
"""

from __future__ import annotations

import os
from pathlib import Path


def plots(data: dict, out: Path, targets: dict[str, float]) -> list[Path]:
    """Latency vs corpus size, ingest throughput vs the raw encoder, and warm latency (with the ``answer()``
    ``targets`` as lines); the PNG paths."""
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
        ("warm", "warm_latency", lambda ax, warm: _plot_warm(ax, warm, targets)),
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


def _plot_warm(ax, warm: dict, targets: dict[str, float]) -> None:
    names = ["embed", "retrieval", "answer"]
    xs = range(len(names))
    ax.bar([x - 0.2 for x in xs], [warm[n]["p50_ms"] for n in names], width=0.4, label="p50")
    ax.bar([x + 0.2 for x in xs], [warm[n]["p99_ms"] for n in names], width=0.4, label="p99")
    ax.set_xticks(list(xs), names)
    ax.axhline(targets["answer_p50_ms"], color="grey", ls=":", lw=1)  # the answer() targets
    ax.axhline(targets["answer_p99_ms"], color="grey", ls="--", lw=1)
    ax.set_ylabel("ms")
    ax.set_title(f"Warm latency over {warm['questions']} questions")
    ax.legend()
