"""Benchmark of the LLM answer path (printed): local model load time, tokens/s, answer latency p50,
verification overhead per answer, and the share of generated sentences kept vs dropped on the dev set.

Run: ``.venv/bin/python -m evaluation.llm_bench [--mode local] [--base-url URL]``. It builds the seed index
in a temp dir, so the working tree is not touched. It also prints the support scores the verifier's
thresholds were calibrated on: each dev answer's gold phrase against its own sentence and against the rest.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from evaluation.evalsets import dev_rows

ROOT = Path(__file__).resolve().parent.parent


def calibrate(bot) -> None:
    """Support scores of gold phrases against their own source sentence vs the article's other sentences."""
    from assistant.verify import cosine, lexical_support

    sentences = [h.text for h in bot.retriever.sentences()]
    own, other, own_cos, other_cos = [], [], [], []
    for row in dev_rows():
        for gold in row["gold"]:
            for s in sentences:
                lex = lexical_support(gold, s)
                cos = cosine(bot.embedder.embed_query(gold), bot.embedder.embed_query(s))
                (own if gold in s else other).append(lex)
                (own_cos if gold in s else other_cos).append(cos)
    print("calibration (gold phrase vs sentence):")
    print(f"  lexical own   min {min(own):.2f}  median {statistics.median(own):.2f}")
    print(f"  lexical other max {max(other):.2f}  p95 {sorted(other)[int(0.95 * len(other))]:.2f}")
    print(f"  cosine  own   min {min(own_cos):.2f}  median {statistics.median(own_cos):.2f}")
    print(
        f"  cosine  other max {max(other_cos):.2f}  p95 {sorted(other_cos)[int(0.95 * len(other_cos))]:.2f}"
    )


@dataclass
class Tally:
    """What the dev-set run measured, summed over its answers."""

    latencies: list[float] = field(default_factory=list)
    overheads: list[float] = field(default_factory=list)
    chunk_rates: list[float] = field(default_factory=list)
    kept: int = 0
    total: int = 0
    fallbacks: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def print(self) -> None:
        print(f"\nanswers: {len(self.latencies)} (fallbacks to quotes: {self.fallbacks})")
        if self.chunk_rates:
            print(f"tokens/s (streamed chunks, median): {statistics.median(self.chunk_rates):.1f}")
        if self.latencies:
            p50, worst = statistics.median(self.latencies), max(self.latencies)
            print(f"answer latency p50: {p50:.2f} s  max {worst:.2f} s")
        if self.overheads:
            print(
                f"verification overhead per answer: median {statistics.median(self.overheads):.1f} ms, "
                f"max {max(self.overheads):.1f} ms (target <= 20 ms)"
            )
        if self.total:
            kept, dropped, total = self.kept, self.total - self.kept, self.total
            print(
                f"generated sentences: {total}; kept {kept} ({kept / total:.0%}), dropped {dropped} "
                f"({dropped / total:.0%})"
            )
            for reason, n in self.reasons.most_common():
                print(f"  dropped: {n} x {reason}")


def _generate(bot, answerer, row: dict, history: list[dict], tally: Tally):
    """Retrieve and generate for one row: the hits, the streamed chunks, the Answer (None when refused)."""
    from assistant.core import CANDIDATES
    from assistant.refusal import judge

    question = row["question"]
    t0 = time.perf_counter()
    query = answerer.rewrite(question, history)
    ranking, scorer = bot.retriever.rank(query, k=CANDIDATES), bot.retriever.scorer
    hits = scorer.worth_showing(ranking.hits)
    if judge(ranking, scorer.refuse_below, scorer.hedge_below, question).refused:
        return hits, [], None
    chunks, first, answer = [], None, None
    for piece in answerer.stream(question, hits, bot.settings.n_sources, history=history):
        if isinstance(piece, str):
            first = first or time.perf_counter()
            chunks.append(piece)
        else:
            answer = piece
    tally.latencies.append(time.perf_counter() - t0)
    if first and len(chunks) > 1:
        tally.chunk_rates.append((len(chunks) - 1) / max(1e-6, time.perf_counter() - first))
    return hits, chunks, answer


def _measure_row(bot, answerer, row: dict, tally: Tally) -> None:
    """Generate one dev answer, then time verifying its reply cold and count what was kept and why not."""
    from assistant.verify import assemble, verify
    from evaluation.evaluate import forget_queries

    history = []
    for earlier in row["history_questions"]:
        history += [{"role": "user", "content": earlier}, {"role": "assistant", "content": "..."}]
    hits, chunks, answer = _generate(bot, answerer, row, history, tally)
    if answer is None:
        return
    if answer.notice.startswith("The language model was unavailable") or not chunks:
        tally.fallbacks += 1
        return
    reply = "".join(chunks)
    forget_queries(bot.embedder)  # time verification cold, as a new answer sees it
    t1 = time.perf_counter()
    n_sources = bot.settings.n_sources
    verdicts = verify(reply, hits[: max(n_sources, answerer.max_passages)], bot.embedder)
    assemble(verdicts, max_sources=n_sources)
    tally.overheads.append((time.perf_counter() - t1) * 1000)
    tally.kept += sum(v.supported for v in verdicts)
    tally.total += len(verdicts)
    tally.reasons.update(v.reason.split(",")[0].split(" but ")[0] for v in verdicts if not v.supported)
    tally.fallbacks += bool(answer.notice)
    print(
        f"  {row['id']}: {tally.latencies[-1]:.1f} s  {'fallback' if answer.notice else 'verified'}: "
        f"{' '.join(reply.split())[:100]!r}"
    )


def _seed_assistant(tmp: Path, mode: str, base_url: str | None):
    """An Assistant over a copy of the seeds in ``tmp``, its index built there."""
    from assistant import Assistant
    from assistant.settings import Settings
    from index.build import build_index
    from index.embeddings import SentenceTransformerEmbeddings

    shutil.copytree(ROOT / "seeds", tmp / "seeds")
    settings = Settings(
        root=tmp, seeds_dir=tmp / "seeds", index_dir=tmp / ".index", llm=mode, llm_base_url=base_url
    )
    embedder = SentenceTransformerEmbeddings()
    build_index(settings, embedder, progress=False)
    return Assistant(settings, embedder=embedder).warm()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", default="local", choices=["local", "openai", "ollama"])
    parser.add_argument("--base-url", help="for openai/ollama")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

    tmp = Path(tempfile.mkdtemp(prefix="llm-bench-"))
    try:
        bot = _seed_assistant(tmp, args.mode, args.base_url)
        calibrate(bot)
        started = time.perf_counter()
        answerer = bot.answerer_for(args.mode)
        if args.mode == "local":
            answerer.chat_model.engine  # noqa: B018 - loads the model, timed here
        print(f"\n{args.mode} backend load: {time.perf_counter() - started:.2f} s")
        tally = Tally()
        for row in dev_rows():
            _measure_row(bot, answerer, row, tally)
        tally.print()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
