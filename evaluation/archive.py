"""The archive benchmark: the seed plus real BBC stories by the hundred and the thousand, via ``Assistant``.

``python -m evaluation.archive --sizes 100,1787`` builds (or brings up to date) one index per size under
``--work`` (default ``.index/archive``; the stories are copied there from ``../shared/eval/bbc``, never into
the project), then measures each in a fresh process, so its memory is its own:

- the build: wall seconds and sentences per second (only what the index lacked is built; a fresh
  ``--work`` measures it all), then the seconds ``article-assistant index`` spends after it preparing the
  serving process's start (word vectors and the serving snapshot, ``Assistant.prepare_serving``);
- the serving process: seconds from start to ready (model loaded, index read, one question answered), and
  its peak RSS;
- ``answer()`` over the dev questions asked of the whole archive: p50/p99 and hit@1 of the seed's sentences
  (the seed is the planted article: its questions must find it among the thousands);
- the time from one new article written to its first answer citing it (``Assistant.reindex``, in place), for
  three articles in a row, and whether every one of the dev questions was answered without a store error.

Prints one JSON line per size and writes them to ``--json``. Needs ``../shared``: one line without it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from evaluation.evalsets import dev_rows

ROOT = Path(__file__).resolve().parent.parent
BBC = ROOT.parent / "shared" / "eval" / "bbc" / "articles"
SEED = ROOT / "seeds" / "000_5b9ea04de76b7050.txt"
NEW_ARTICLE = (
    "date 2024-06-0{n} Lighthouse {word} reopens\n\n"
    "The lighthouse of {word} harbour reopened on Monday after a repair that cost {cost} thousand pounds, "
    "the harbour master said.\n\nVisitors can climb its {steps} steps from next week.\n\n"
    "Notice {stamp}.\n"  # so the article is new to the index on every run
)


LIGHTHOUSES = ("Marlow", "Corran", "Tobermory", "Kinnaird", "Stroma", "Rattray", "Noss", "Pladda")


def stories(limit: int) -> list[Path]:
    """The first ``limit`` BBC stories, by topic then number (a stable choice)."""
    return sorted(BBC.glob("*/*.txt"))[:limit]


def prepare(work: Path, n: int):
    """Settings for an archive of the seed and ``n`` stories under ``work/<n>`` (its seeds filled)."""
    from assistant.settings import Settings

    root = work / str(n)
    seeds = root / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    for old in seeds.glob("new_*.txt"):  # the articles a previous run added
        old.unlink()
    wanted = {SEED.name: SEED, **{f"bbc_{p.parent.name}_{p.stem}.txt": p for p in stories(n)}}
    for name, path in wanted.items():
        if not (seeds / name).exists():
            shutil.copyfile(path, seeds / name)
    return Settings(root=root, seeds_dir=seeds, index_dir=root / ".index", collection="archive")


def build(settings) -> dict:
    from assistant.cli import prepare_to_serve
    from index.build import build_index
    from index.embeddings import SentenceTransformerEmbeddings

    embedder = SentenceTransformerEmbeddings(settings.embed_model)
    t0, cpu0 = time.perf_counter(), time.process_time()
    report = build_index(settings, embedder, progress=True)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    t1 = time.perf_counter()
    # What `article-assistant index` does after a build that changed the index, done every time here: code
    # changed since the last run names a new snapshot
    prepare_to_serve(settings, embedder, changed=True)
    return {
        "built_s": round(wall, 1),
        "prepared_s": round(time.perf_counter() - t1, 1),
        "built_cpu_s": round(cpu, 1),
        "sentences_built": report.sentences,
        "sentences_per_s": round(report.sentences / wall, 1) if report.sentences else None,
        "articles": report.indexed.get("docs", 0),
        "sentences": report.indexed.get("sentences", 0),
        "duplicates_dropped": len(report.duplicates),
    }


def peak_rss_mb() -> float:
    """This process's peak RSS: the kernel's high-water mark of its own memory (``VmHWM``). Not
    ``ru_maxrss``, which Linux carries over ``exec`` from the forked copy of the parent (here, the build)."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def add_articles(bot, settings, count: int = 3) -> list[float | None]:
    """``count`` (up to 8) new articles written one after the other (``seeds/new_1.txt`` ...), each timed
    from the file written to an answer citing it (``Assistant.reindex(changed=[file])``, in place, as an
    upload is); None where the answer cited another."""
    added = []
    for n in range(1, count + 1):
        word = LIGHTHOUSES[n - 1]
        path = settings.seeds_dir / f"new_{n}.txt"
        t = time.perf_counter()
        text = NEW_ARTICLE.format(n=n, word=word, cost=100 + n, steps=120 + n, stamp=time.time_ns())
        path.write_text(text, encoding="utf-8")
        bot.reindex(changed=[path])
        answer = bot.answer(f"How much did the repair of the {word} lighthouse cost?")
        added.append(round(time.perf_counter() - t, 2))
        if not answer.citations or answer.citations[0].source != f"seeds/{path.name}":
            added[-1] = None  # not answered from the new article
    return added


def serve(settings, dev: list[dict], from_store: bool = False) -> dict:
    """In this (fresh) process: start-up, answers, hit@1 on the seed, adding articles. See the docstring.

    ``from_store``: start without the serving snapshot (as the first start after an upgrade does), measure
    the start and its memory, and stop there.
    """
    from assistant.core import Assistant
    from evaluation.metrics import percentile

    if from_store:
        Assistant._snapshots = lambda self: None  # this process only: read the store as if none were kept
    t0 = time.perf_counter()
    bot = Assistant(settings).warm()
    bot.answer(dev[0]["question"])
    ready = time.perf_counter() - t0
    ready_rss = peak_rss_mb()
    if from_store:
        return {"ready_from_store_s": round(ready, 2), "peak_rss_from_store_mb": round(ready_rss)}
    seed_text = SEED.read_text(encoding="utf-8")
    latencies, hits, errors = [], 0, 0
    answerable = [r for r in dev if r.get("answerable", True)]
    for _ in range(3):  # the dev questions three times: 39 answers, enough for a p99 of sorts
        for row in dev:
            t = time.perf_counter()
            try:
                answer = bot.answer(row["question"])
            except Exception:  # noqa: BLE001 - counted: the archive must answer every question
                errors += 1
                continue
            latencies.append((time.perf_counter() - t) * 1000)
            if row in answerable and _ == 0 and answer.citations:
                first = answer.citations[0]
                text = seed_text[first.start : first.end] if first.source.endswith(SEED.name) else ""
                hits += any(g in text for g in row["gold"])
    added = add_articles(bot, settings)
    return {
        "load_at_end": round(os.getloadavg()[0], 1),
        "ready_s": round(ready, 2),
        "ready_rss_mb": round(ready_rss),  # serving: before the adds below load the build's model
        "peak_rss_mb": round(peak_rss_mb()),
        "answers": len(latencies),
        "store_errors": errors,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "planted_hit@1": round(hits / len(answerable), 3),
        "add_article_s": added,
        "add_article_median_s": statistics.median([a for a in added if a is not None] or [float("nan")]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.archive")
    parser.add_argument("--sizes", default="100,1787", help="BBC stories per archive, comma-separated")
    parser.add_argument("--work", default=str(ROOT / ".index" / "archive"))
    parser.add_argument("--json", default=str(ROOT / "bench-out" / "archive.json"))
    parser.add_argument(
        "--markdown", help="write the archive section of this file (BENCHMARKS.md) from --json"
    )
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # the child: one archive's size
    parser.add_argument("--from-store", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.markdown:
        rows = json.loads(Path(args.json).read_text(encoding="utf-8"))
        write_section(Path(args.markdown), rows)
        return 0
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    if not BBC.is_dir():
        print(f"skipped: the BBC stories are not at {BBC} (../shared is absent)", file=sys.stderr)
        return 0
    work = Path(args.work)
    dev = dev_rows()
    if args.serve:
        print(json.dumps(serve(prepare(work, int(args.serve)), dev, from_store=args.from_store)))
        return 0
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        settings = prepare(work, n)
        row = {"stories": n, "load_at_start": round(os.getloadavg()[0], 1), **build(settings)}
        for extra in (["--from-store"], []):
            child = subprocess.run(
                [sys.executable, "-m", "evaluation.archive", "--work", str(work), "--serve", str(n), *extra],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            if child.returncode != 0:
                raise RuntimeError(f"the serving process for {n} stories failed: {child.stderr[-2000:]}")
            row.update(json.loads(child.stdout.strip().splitlines()[-1]))
        print(json.dumps(row), flush=True)
        rows.append(row)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


START, END = "<!-- archive:start -->", "<!-- archive:end -->"


def _cell(value, unit: str = "") -> str:
    return "—" if value is None else f"{value:,}{unit}" if isinstance(value, int) else f"{value}{unit}"


def section(rows: list[dict]) -> str:
    """The archive section of BENCHMARKS.md, from the rows ``main`` wrote."""
    lines = [
        START,
        "## A newsroom's archive: the seed plus real BBC stories (`python -m evaluation.archive`)",
        "",
        "| BBC stories | articles indexed (near-copies dropped) | sentences | build | sentences/s "
        "| prepare | ready from snapshot | its RSS | ready from store | its RSS | `answer()` p50 / p99 "
        "| planted hit@1 | add one article, three in a row | peak RSS after adding | store errors |",
        "|" + "---|" * 15,
    ]
    for r in rows:
        lines.append(
            f"| {r['stories']:,} | {r['articles']:,} ({r['duplicates_dropped']}) | {r['sentences']:,} "
            f"| {_cell(r['built_s'], ' s')} | {_cell(r['sentences_per_s'])} "
            f"| {_cell(r.get('prepared_s'), ' s')} "
            f"| {r['ready_s']} s | {_cell(r.get('ready_rss_mb'), ' MB')} "
            f"| {_cell(r.get('ready_from_store_s'), ' s')} "
            f"| {_cell(r.get('peak_rss_from_store_mb'), ' MB')} | {r['p50_ms']} / {r['p99_ms']} ms "
            f"| {r['planted_hit@1']} | {r['add_article_s']} s | {r['peak_rss_mb']:,} MB "
            f"| {r['store_errors']} |"
        )
    loads = "; ".join(
        f"{r['stories']:,} stories: {r.get('load_at_start', '?')}"
        + (f" to {r['load_at_end']}" if r.get("load_at_end") not in (None, "") else "")
        for r in rows
    )
    lines += [
        "",
        "Each archive is the seed and the first N public BBC stories (`../shared/eval/bbc`), embedded with "
        "MiniLM for real. *Build* is `build_index` on a fresh index, *prepare* what `article-assistant "
        "index` then does for the next start (the words' vectors, the serving snapshot). *Ready* is a fresh "
        "process's "
        "start to its first answer (model loaded, index read, one dev question answered), from the serving "
        "snapshot or, as after an upgrade, from the store; its peak RSS includes the model. Latency is over "
        "the 13 dev questions asked three times of the whole archive; planted hit@1 is the share of the "
        "answerable dev questions whose first citation is the seed's gold sentence among the thousands. "
        "*Add one article* is writing a new story and `Assistant.reindex()` until an answer cites it, in "
        f"place. The 2 CPUs were shared with other jobs (1-minute load average: {loads}).",
        END,
    ]
    return "\n".join(lines)


PLOT = ROOT / "docs" / "bench" / "archive_vs_size.png"


def plot(rows: list[dict], out: Path = PLOT) -> Path:
    """Start-up, memory, latency and the time to add an article against the archive's sentences (log x)."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = sorted(rows, key=lambda r: r["sentences"])
    x = [r["sentences"] for r in rows]
    panels = (
        ("ready (s)", [("from snapshot", "ready_s"), ("from store", "ready_from_store_s")], 15),
        ("RSS (MB)", [("serving", "ready_rss_mb"), ("after adding", "peak_rss_mb")], 1200),
        ("answer() (ms)", [("p50", "p50_ms"), ("p99", "p99_ms")], None),
        ("add one article (s)", [("2nd and 3rd", "steady_add_s"), ("1st in a process", "first_add_s")], 3),
    )
    for r in rows:
        adds = r["add_article_s"]
        r["first_add_s"], r["steady_add_s"] = adds[0], statistics.median(adds[1:])
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.4))
    for ax, (title, series, target) in zip(axes, panels, strict=True):
        for label, key in series:
            ax.plot(x, [r.get(key) for r in rows], marker="o", label=label)
        if target:
            ax.axhline(target, color="grey", linestyle="--", linewidth=1, label="target")
        ax.set_xscale("log")
        ax.set_title(title)
        ax.set_xlabel("sentences in the archive")
        ax.legend(fontsize=7)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def write_section(md_path: Path, rows: list[dict]) -> None:
    text = section(rows).replace(END, f"\n![the archive against its size]({PLOT.relative_to(ROOT)})\n{END}")
    plot(rows)
    md = md_path.read_text(encoding="utf-8")
    if START in md:
        md = md[: md.index(START)] + text + md[md.index(END) + len(END) :]
    else:  # first, so the newest measurements come first
        at = md.find("<!-- readers:start -->")
        md = f"{md[:at]}{text}\n\n{md[at:]}" if at >= 0 else f"{md}\n\n{text}\n"
    md_path.write_text(md, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
