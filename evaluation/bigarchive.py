"""A synthetic archive of up to millions of sentences, built and served through the real pipeline.

Embedding a million sentences with MiniLM takes hours on two cores, so the bulk of this archive is made of
sentences drawn from a *pool*: ``--pool`` distinct sentences from the template grammar of
``evaluation.benchdata``, each embedded once with MiniLM for real. A bulk article is a date, a headline from
a pool of headlines and paragraphs of one to three pool sentences; ``PooledEmbeddings`` gives a pool
sentence its real vector, a passage of pool sentences the normalised mean of theirs (cheap and deterministic:
not what MiniLM would say of the passage), and embeds anything else for real: the twenty planted articles
(``benchdata.PLANTED``, each fact with its question, invented names found nowhere else) and the seed.

Everything else is the product's own: ``build_index`` splits, finds speakers, dates and spaCy's entities,
writes Chroma page by page; ``Assistant`` answers through the whole pipeline. Article ``i`` is a function of
``i`` and the seed alone, so an archive grows by writing articles ``n .. m`` (``write``) and the build adds
only those, in place.

``python -m evaluation.bigarchive build --articles 62500`` writes and indexes under ``--work``;
``... serve`` measures a serving process over it (``--chroma-url`` to serve from a ``chroma run`` server).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import time
from pathlib import Path

import numpy as np

from evaluation import benchdata

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_5b9ea04de76b7050.txt"
WORK = ROOT / ".index" / "bigarchive"
PARAGRAPHS = (6, 10)
_HEADLINE_WORDS = ("plan", "row", "deal", "vote", "warning", "boost", "delay", "review", "win", "cuts")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_NUMBERED = re.compile(r", no\. \d+\Z")  # a bulk headline's number: makes titles distinct, not embedded


def pool(size: int, seed: int = 29) -> list[str]:
    """``size`` distinct template sentences (the same seed gives the same pool)."""
    rng, out = random.Random(seed), {}
    while len(out) < size:
        out.setdefault(benchdata._sentence(rng), None)
    return list(out)


def headlines(size: int = 500, seed: int = 31) -> list[str]:
    rng, out = random.Random(seed), {}
    while len(out) < size:
        place, kind = rng.choice(benchdata._PLACES), rng.choice(benchdata._ORG_TOPIC)
        out.setdefault(f"{place} {kind} {rng.choice(_HEADLINE_WORDS)}", None)
    return list(out)


def article(i: int, sentences: list[str], titles: list[str], seed: int = 37) -> str:
    """Bulk article ``i``: a date header, a headline line and paragraphs of pool sentences."""
    rng = random.Random(seed * 1_000_003 + i)
    day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    paragraphs = [
        " ".join(rng.choice(sentences) for _ in range(rng.randint(*benchdata.SENTENCES_PER_PASSAGE)))
        for _ in range(rng.randint(*PARAGRAPHS))
    ]
    return f"date {day} {rng.choice(titles)}, no. {i + 1}\n\n" + "\n\n".join(paragraphs) + "\n"


def planted(fact: int, sentences: list[str]) -> str:
    """The article of one planted fact: the fact opens it, pool sentences follow."""
    rng = random.Random(1_000 + fact)
    rest = "\n\n".join(rng.choice(sentences) for _ in range(5))
    return (
        f"date 2024-07-{fact + 1:02d} Planted report {fact + 1}\n\n{benchdata.PLANTED[fact][0]}\n\n{rest}\n"
    )


def write(seeds: Path, n: int, sentences: list[str], titles: list[str]) -> int:
    """Make ``seeds`` hold the seed, the planted articles and bulk articles ``0 .. n-1``; returns how many
    files were written now (those already there are left as they are)."""
    seeds.mkdir(parents=True, exist_ok=True)
    wanted = {SEED.name: lambda: SEED.read_text(encoding="utf-8")}
    for fact in range(len(benchdata.PLANTED)):
        wanted[f"planted_{fact:02d}.txt"] = lambda fact=fact: planted(fact, sentences)
    for i in range(n):
        wanted[f"bulk_{i:07d}.txt"] = lambda i=i: article(i, sentences, titles)
    written = 0
    for name, text in wanted.items():
        path = seeds / name
        if not path.exists():
            path.write_text(text(), encoding="utf-8")
            written += 1
    return written


class PooledEmbeddings:
    """MiniLM for real on what is not in the pool; the pool's vectors for its sentences, their normalised
    mean for a text made only of pool sentences (see the module's docstring)."""

    def __init__(self, real, known: dict[str, np.ndarray]) -> None:
        self.real = real
        self.known = known
        self.name = getattr(real, "name", "pooled")
        self.embedded_for_real = 0

    def _pooled(self, text: str) -> np.ndarray | None:
        if (v := self.known.get(_NUMBERED.sub("", text))) is not None:
            return v
        parts = [self.known.get(s) for s in _SENTENCE_END.split(text.strip())]
        if not parts or any(p is None for p in parts):
            return None
        mean = np.mean(parts, axis=0)
        return mean / (np.linalg.norm(mean) or 1.0)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        found = [self._pooled(t) for t in texts]
        missing = [t for t, v in zip(texts, found, strict=True) if v is None]
        if missing:
            self.embedded_for_real += len(missing)
            real = iter(self.real.embed_documents(missing))
            found = [next(real) if v is None else v for v in found]
        return [list(map(float, v)) for v in found]

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)


def pool_vectors(work: Path, texts: list[str], real) -> dict[str, np.ndarray]:
    """The pool's MiniLM vectors, computed once and kept in ``work``."""
    path = work / f"pool-{len(texts)}.npy"
    if path.exists():
        matrix = np.load(path)
    else:
        matrix = np.asarray(real.embed_documents(texts), dtype=np.float32)
        np.save(path, matrix)
    return dict(zip(texts, matrix, strict=True))


def settings_for(work: Path, chroma_url: str | None = None):
    from assistant.settings import Settings

    return Settings(
        root=work,
        seeds_dir=work / "seeds",
        index_dir=work / ".index",
        collection="bigarchive",
        chroma_url=chroma_url,
    )


def build(work: Path, n: int, pool_size: int) -> dict:
    """Write bulk articles up to ``n`` and bring the index up to date with them (in place after the first)."""
    from index.build import build_index
    from index.embeddings import SentenceTransformerEmbeddings

    settings = settings_for(work)
    real = SentenceTransformerEmbeddings(settings.embed_model)
    sentences = pool(pool_size)
    titles = headlines()
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    known = pool_vectors(work, sentences + titles, real)
    pool_s = time.perf_counter() - t0
    written = write(settings.seeds_dir, n, sentences, titles)
    embedder = PooledEmbeddings(real, known)
    t1 = time.perf_counter()
    report = build_index(settings, embedder, progress=True)
    wall = time.perf_counter() - t1
    row = {
        "articles": n + len(benchdata.PLANTED) + 1,
        "written": written,
        "pool": pool_size,
        "pool_embed_s": round(pool_s, 1),
        "build_s": round(wall, 1),
        "added": len(report.added),
        "indexed": report.indexed,
        "embedded_for_real": embedder.embedded_for_real,
    }
    print(json.dumps(row), flush=True)
    return row


def prepare(work: Path) -> dict:
    """What ``article-assistant index`` does after a build that changed the index: the words' vectors and
    the serving snapshot, timed, with this process's peak RSS."""
    from assistant.cli import prepare_to_serve
    from evaluation.archive import peak_rss_mb
    from index.embeddings import SentenceTransformerEmbeddings

    settings = settings_for(work)
    t = time.perf_counter()
    prepare_to_serve(settings, SentenceTransformerEmbeddings(settings.embed_model), changed=True)
    return {"prepare_s": round(time.perf_counter() - t, 1), "prepare_peak_rss_mb": round(peak_rss_mb())}


def serve(work: Path, chroma_url: str | None = None, adds: int = 3) -> dict:
    """In this (fresh) process: start to first answer, peak RSS, ``answer()`` latency over the planted and
    dev questions, planted hit@1, and ``adds`` articles added in place, each timed to its first answer."""
    from assistant.core import Assistant
    from evaluation.archive import add_articles, peak_rss_mb
    from evaluation.evalsets import dev_rows
    from evaluation.metrics import percentile

    settings = settings_for(work, chroma_url)
    planted_qs = [(q, f"seeds/planted_{i:02d}.txt") for i, (_, q) in enumerate(benchdata.PLANTED)]
    t0 = time.perf_counter()
    bot = Assistant(settings).warm()
    bot.answer(planted_qs[0][0])
    ready = time.perf_counter() - t0
    ready_rss = peak_rss_mb()
    questions = planted_qs + [(row["question"], None) for row in dev_rows()]
    latencies, hits, errors = [], 0, 0
    for rep in range(3):
        for question, source in questions:
            t = time.perf_counter()
            try:
                answer = bot.answer(question)
            except Exception:  # noqa: BLE001 - counted: the archive must answer every question
                errors += 1
                continue
            latencies.append((time.perf_counter() - t) * 1000)
            if rep == 0 and source is not None:
                hits += bool(answer.citations) and answer.citations[0].source == source
    serving_rss = peak_rss_mb()
    status = {
        k: round(_status_mb(os.getpid(), k)) for k in ("VmRSS", "RssAnon", "RssFile")
    }  # file pages are the mapped columns: shared, and given back under memory pressure
    added = add_articles(bot, settings, adds)
    for n in range(1, adds + 1):  # the archive as it was, for the next run
        (settings.seeds_dir / f"new_{n}.txt").unlink(missing_ok=True)
    t = time.perf_counter()
    bot.reindex()
    removed = time.perf_counter() - t

    return {
        "chroma": "server" if chroma_url else "embedded",
        "sentences": bot.retriever.size,
        "load_at_end": round(os.getloadavg()[0], 1),
        "ready_s": round(ready, 2),
        "ready_rss_mb": round(ready_rss),
        "serving_rss_mb": round(serving_rss),  # after the answers, before the adds load the build's model
        "serving_now_mb": status,
        "peak_rss_mb": round(peak_rss_mb()),
        "answers": len(latencies),
        "store_errors": errors,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "planted_hit@1": round(hits / len(planted_qs), 3),
        "add_article_s": added,
        "remove_three_s": round(removed, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.bigarchive", description=__doc__.split("\n")[0]
    )
    parser.add_argument("step", choices=("build", "prepare", "serve"))
    parser.add_argument("--articles", type=int, default=1000, help="bulk articles (about 16 sentences each)")
    parser.add_argument("--pool", type=int, default=8000, help="distinct pool sentences, embedded for real")
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--chroma-url", help="serve from this Chroma server (chroma run --path WORK/.index)")
    parser.add_argument(
        "--chroma-server", action="store_true", help="start chroma run here and serve from it"
    )
    parser.add_argument("--adds", type=int, default=3, help="serve: articles added one by one, timed (<= 8)")
    args = parser.parse_args(argv)
    if args.step == "build":
        build(args.work, args.articles, args.pool)
    elif args.step == "prepare":
        print(json.dumps(prepare(args.work)), flush=True)
    elif args.chroma_server:
        print(json.dumps(serve_from_server(args.work)), flush=True)
    else:
        print(json.dumps(serve(args.work, args.chroma_url, args.adds)), flush=True)
    return 0


def _status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def serve_from_server(work: Path) -> dict:
    """``serve`` against a ``chroma run`` server over the same folder, started here on a free loopback port
    and stopped after; the server's own peak RSS is reported beside the serving process's."""
    import socket
    import subprocess
    import sys
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    binary = Path(sys.executable).with_name("chroma")
    log = (work / "chroma-server.log").open("wb")
    server = subprocess.Popen(
        [str(binary), "run", "--path", str(work / ".index"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        t0 = time.perf_counter()
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.perf_counter() - t0 > 300:
                    raise RuntimeError(
                        f"chroma run did not start: see {work / 'chroma-server.log'}"
                    ) from None
                time.sleep(0.5)
        started = time.perf_counter() - t0
        row = serve(work, f"http://127.0.0.1:{port}")
        row["server_start_s"] = round(started, 1)
        row["server_rss_mb"] = round(_status_mb(server.pid, "VmRSS"))
        row["server_peak_rss_mb"] = round(_status_mb(server.pid, "VmHWM"))
        return row
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()


if __name__ == "__main__":
    raise SystemExit(main())
