"""``article-assistant bench``: warm latency, cold start, ingest and scale, as JSON, plots and BENCHMARKS.md.

Phases (``--only`` picks some, merging into an existing ``bench.json``): ``eval`` (the eval table with
baselines), ``warm`` (embedding, retrieval and ``answer()`` latency over 200+ distinct questions), ``cold``
(``--help``, ``ask`` and the torch + sentence-transformers import, each in fresh subprocesses, with peak RSS;
then ``evaluation.benchcold``: ``ask`` through the ONNX and the torch query embedder paired, and the chat's
start to first answer),
``ingest`` (``build_index`` vs raw ``SentenceTransformer.encode`` on the same texts), ``scale`` (one
subprocess per corpus size, see ``evaluation.benchscale``). The JSON is saved after every phase. The machine
is shared, so every figure is a median or a ratio of medians.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from evaluation.metrics import percentile

if TYPE_CHECKING:
    from assistant.core import Assistant
    from assistant.settings import Settings

PHASES = ("eval", "warm", "cold", "ingest", "scale")
ASK_QUESTION = "What did Biden let Ukraine do?"
IMPORT_SNIPPET = (
    "import time; t = time.perf_counter(); import torch, sentence_transformers; "
    "print(time.perf_counter() - t)"
)


def _stats(ms: list[float]) -> dict:
    return {
        "n": len(ms),
        "p50_ms": percentile(ms, 50),
        "p99_ms": percentile(ms, 99),
        "mean_ms": statistics.fmean(ms),
    }


def warm_latency(bot: Assistant, questions: list[str]) -> dict:
    """Per-question latency of the query embedding, retrieval alone and the full answer, each cache-cold."""
    from assistant.core import CANDIDATES
    from evaluation.evaluate import forget_queries

    result = {"questions": len(questions)}
    steps = {
        "embed": lambda q: bot.embedder.embed_query(q),
        "propose": lambda q: bot.retriever.propose(q),
        "retrieval": lambda q: bot.retriever.search(q, k=CANDIDATES),
        "answer": lambda q: bot.answer(q),
    }
    refused = 0
    for name, step in steps.items():
        forget_queries(bot.embedder)
        times = []
        for q in questions:
            t0 = time.perf_counter()
            out = step(q)
            times.append((time.perf_counter() - t0) * 1000)
            if name == "answer":
                refused += out.refused
        result[name] = _stats(times)
    result["answer_refused"] = refused
    # what the fitted scorer adds to retrieval: features of every candidate and the two models
    result["scorer_p50_ms"] = result["retrieval"]["p50_ms"] - result["propose"]["p50_ms"]
    return result


class Child(NamedTuple):
    """What one timed child process cost and printed."""

    wall_s: float
    peak_rss_mb: float
    code: int
    stdout: str


def _timed_child(cmd: list[str], env: dict | None = None) -> Child:
    """Wall seconds, peak RSS (MB), exit code and standard output of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.stdout.close()
    code = os.waitstatus_to_exitcode(status)
    return Child(wall, usage.ru_maxrss / 1024, code, out.decode("utf-8", "replace"))


def _cli() -> list[str]:
    script = Path(sys.executable).parent / "article-assistant"
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant.cli"]


def cold_start(settings: Settings, runs: int = 3) -> dict:
    """``--help``, ``ask`` with an existing index, and the heavy import alone, in fresh processes.

    ``ask`` embeds through the query embedder the environment picks (the ONNX export once ``index`` has
    made it, without torch); ``evaluation.benchcold`` pairs it with the torch path in the same run.
    """
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    where = ["--seeds", str(settings.seeds_dir), "--index-dir", str(settings.index_dir)]
    helps = [_timed_child([*_cli(), "--help"], env).wall_s for _ in range(runs + 4)]
    asks, rss, imports = [], [], []
    for _ in range(runs):  # interleaved, so a burst of load from other jobs hits both alike
        asked = _timed_child([*_cli(), "ask", ASK_QUESTION, *where], env)
        if asked.code != 0:
            raise RuntimeError(f"article-assistant ask exited {asked.code}")
        asks.append(asked.wall_s)
        rss.append(asked.peak_rss_mb)
        imported = _timed_child([sys.executable, "-c", IMPORT_SNIPPET], env)
        imports.append(float(imported.stdout.strip().splitlines()[-1]))
    ask, imp = statistics.median(asks), statistics.median(imports)
    return {
        "runs": runs,
        "help_s": statistics.median(helps),
        "ask_s": ask,
        "import_s": imp,
        "ask_beyond_import_s": statistics.median(a - i for a, i in zip(asks, imports, strict=True)),
        "import_share": imp / ask,
        "ask_peak_rss_mb": max(rss),
        "all": {"help_s": helps, "ask_s": asks, "import_s": imports, "ask_rss_mb": rss},
    }


def ingest(bot: Assistant, articles: int = 30, paragraphs: int = 6, runs: int = 2) -> dict:
    """Passages/s of ``build_index`` (split + embed + Chroma writes) vs raw encode of the texts it embeds."""
    from assistant.settings import Settings
    from evaluation.benchdata import articles as make_articles
    from index.build import build_index, split_document
    from index.loader import load_articles
    from index.splitter import SentencePassageSplitter

    model = bot.build_embedder.model  # sentence-transformers: what a build embeds with
    batch = getattr(bot.build_embedder, "batch_size", 32)
    with tempfile.TemporaryDirectory(prefix="ingest-") as tmp:
        root = Path(tmp)
        (root / "seeds").mkdir()
        for i, text in enumerate(make_articles(articles, paragraphs)):
            (root / "seeds" / f"{i:03d}.txt").write_text(text, encoding="utf-8")
        settings = Settings(root=root, seeds_dir=root / "seeds", index_dir=root / "idx")
        splitter = SentencePassageSplitter(chunk_size=settings.chunk_size)
        sentences, passages, titles = [], [], []
        for doc in load_articles(settings.seeds_dir, root).documents:
            ps, ss = split_document(doc, splitter)
            passages += [p.page_content for p in ps]
            sentences += [s.page_content for s in ss]
            titles.append(doc.metadata["title"])  # each article's record is embedded by its title
        unique = list(dict.fromkeys(sentences + passages + titles))
        raw, built = [], []
        for run in range(runs):
            t0 = time.perf_counter()  # the encoder alone on every distinct text the build must embed
            model.encode(unique, batch_size=batch, normalize_embeddings=True, convert_to_numpy=True)
            raw.append(time.perf_counter() - t0)
            run_settings = settings.with_(index_dir=root / f"idx{run}")
            t0 = time.perf_counter()
            report = build_index(run_settings, bot.build_embedder, progress=False)
            built.append(time.perf_counter() - t0)
            assert report.passages == len(passages)
    raw_s, build_s = statistics.median(raw), statistics.median(built)
    return {
        "articles": articles,
        "passages": len(passages),
        "sentences": len(sentences),
        "texts_embedded": len(unique),
        "raw_encode_s": raw_s,
        "build_index_s": build_s,
        "raw_passages_per_s": len(passages) / raw_s,
        "build_passages_per_s": len(passages) / build_s,
        "ratio": raw_s / build_s,
        "all": {"raw_s": raw, "build_s": built},
    }


def scale(settings: Settings, sizes: list[int]) -> list[dict]:
    """Each size in its own subprocess (own peak RSS), in a temp dir removed afterwards."""
    results = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix=f"scale-{size}-") as tmp:
            out = Path(tmp) / "result.json"
            cmd = [sys.executable, "-m", "evaluation.benchscale", "--size", str(size)]
            cmd += ["--dir", str(Path(tmp) / "chroma"), "--out", str(out), "--model", settings.embed_model]
            subprocess.run(cmd, check=True)
            results.append(json.loads(out.read_text(encoding="utf-8")))
    return results


def machine() -> dict:
    import importlib.metadata as md

    def version(name: str) -> str:
        try:
            return md.version(name)
        except md.PackageNotFoundError:
            return "-"

    return {
        "cpus": os.cpu_count(),
        "load_avg_at_start": os.getloadavg(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": {p: version(p) for p in ("torch", "sentence-transformers", "chromadb", "bm25s")},
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def eval_method() -> dict:
    """How the eval phase scores and what its baselines are, for the report's method note."""
    from evaluation.baselines import BM25_K, CHUNK_RECIPES
    from evaluation.metrics import MAX_QUOTE

    return {"max_quote": MAX_QUOTE, "chunk_recipes": list(CHUNK_RECIPES), "bm25_k": BM25_K}


def _save(data: dict, path: Path, phase: str | None = None) -> None:
    if phase:  # the 1-minute load average as the phase ends: on a shared machine it explains the numbers
        data.setdefault("load_after", {})[phase] = os.getloadavg()[0]
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def main(args, settings: Settings) -> int:
    from assistant.core import Assistant
    from evaluation.benchreport import write_report
    from evaluation.evaluate import DEFAULT_SET, evaluate, load_set

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / "bench.json"
    only = set(args.only.split(",")) if args.only else set(PHASES)
    if args.report_only:
        only = set()
    data = json.loads(json_path.read_text(encoding="utf-8")) if json_path.exists() and len(only) < 5 else {}
    if only:
        data["machine"] = machine()
        data["quick"] = bool(args.quick)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [1000, 10000, 100000]
    if args.quick:
        sizes = [s for s in sizes if s < 100000]
    rows = load_set(settings.root / DEFAULT_SET)
    bot = Assistant(settings).warm() if only & {"eval", "warm", "cold", "ingest"} else None

    if "eval" in only:
        print("bench: eval with baselines", file=sys.stderr)
        results = evaluate(settings, rows, assistant=bot, baselines=True)
        data["eval"] = [{"name": r["name"], "summary": r["summary"]} for r in results]
        data["eval_method"] = eval_method()
        _save(data, json_path, "eval")
    if "warm" in only:
        from evaluation.benchdata import latency_question_counts, latency_questions

        questions = latency_questions(rows)
        print(f"bench: warm latency over {len(questions)} questions", file=sys.stderr)
        data["warm"] = {**warm_latency(bot, questions), "sources": latency_question_counts(rows)}
        _save(data, json_path, "warm")
    if "cold" in only:
        print("bench: cold start (subprocesses)", file=sys.stderr)
        from evaluation.benchcold import chat, paired

        runs = 2 if args.quick else 3
        data["cold"] = cold_start(settings, runs=runs)
        data["cold"]["paired"] = paired(settings, runs)  # the ONNX and the torch query path side by side
        data["cold"]["chat"] = chat(settings, runs)
        _save(data, json_path, "cold")
    if "ingest" in only:
        print("bench: ingest throughput", file=sys.stderr)
        data["ingest"] = ingest(bot, runs=1 if args.quick else 2)
        _save(data, json_path, "ingest")
    if "scale" in only:
        print(f"bench: scale {sizes}", file=sys.stderr)
        data["scale"] = scale(settings, sizes)
        _save(data, json_path, "scale")

    markdown = Path(args.markdown) if args.markdown else settings.root / "BENCHMARKS.md"
    written = write_report(data, out, markdown)
    print(f"bench: wrote {json_path} and {', '.join(str(p) for p in written)}", file=sys.stderr)
    return 0
