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

ROOT = Path(__file__).resolve().parent.parent
BBC = ROOT.parent / "shared" / "eval" / "bbc" / "articles"
SEED = ROOT / "seeds" / "000_5b9ea04de76b7050.txt"
NEW_ARTICLE = (
    "date 2024-06-0{n} Lighthouse {word} reopens\n\n"
    "The lighthouse of {word} harbour reopened on Monday after a repair that cost {cost} thousand pounds, "
    "the harbour master said.\n\nVisitors can climb its {steps} steps from next week.\n"
)


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
    from assistant.core import Assistant
    from index.build import build_index
    from index.embeddings import SentenceTransformerEmbeddings

    embedder = SentenceTransformerEmbeddings(settings.embed_model)
    t0, cpu0 = time.perf_counter(), time.process_time()
    report = build_index(settings, embedder, progress=True)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    t1 = time.perf_counter()
    if report.added or report.removed:  # what `article-assistant index` does after a build that changed it
        Assistant(settings, embedder=embedder).prepare_serving()
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


def serve(settings, dev: list[dict]) -> dict:
    """In this (fresh) process: start-up, answers, hit@1 on the seed, adding articles. See the docstring."""
    from assistant.core import Assistant
    from evaluation.metrics import percentile

    t0 = time.perf_counter()
    bot = Assistant(settings).warm()
    bot.answer(dev[0]["question"])
    ready = time.perf_counter() - t0
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
    added = []
    for n in range(1, 4):
        word = ["Marlow", "Corran", "Tobermory"][n - 1]
        path = settings.seeds_dir / f"new_{n}.txt"
        t = time.perf_counter()
        path.write_text(NEW_ARTICLE.format(n=n, word=word, cost=100 + n, steps=120 + n), encoding="utf-8")
        bot.reindex()
        answer = bot.answer(f"How much did the repair of the {word} lighthouse cost?")
        added.append(round(time.perf_counter() - t, 2))
        if not answer.citations or answer.citations[0].source != f"seeds/{path.name}":
            added[-1] = None  # not answered from the new article
    return {
        "ready_s": round(ready, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
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
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # the child: one archive's size
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    if not BBC.is_dir():
        print(f"skipped: the BBC stories are not at {BBC} (../shared is absent)", file=sys.stderr)
        return 0
    work = Path(args.work)
    lines = (ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    dev = [json.loads(line) for line in lines if line.strip()]
    if args.serve:
        print(json.dumps(serve(prepare(work, int(args.serve)), dev)))
        return 0
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        settings = prepare(work, n)
        row = {"stories": n, **build(settings)}
        child = subprocess.run(
            [sys.executable, "-m", "evaluation.archive", "--work", str(work), "--serve", str(n)],
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


if __name__ == "__main__":
    sys.exit(main())
