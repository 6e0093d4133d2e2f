"""Benchmark of the LLM answer path (printed): local model load time, tokens/s, answer latency p50,
verification overhead per answer, and the share of generated sentences kept vs dropped on the dev set.

Run: ``.venv/bin/python benchmarks/llm_bench.py [--mode local] [--base-url URL]``. It builds the seed index
in a temp dir, so the working tree is not touched. It also prints the support scores the verifier's
thresholds were calibrated on: each dev answer's gold phrase against its own sentence and against the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def dev_rows() -> list[dict]:
    lines = (ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def calibrate(bot) -> None:
    """Support scores of gold phrases against their own source sentence vs the article's other sentences."""
    from assistant.verify import _cosine, lexical_support

    sentences = [h.text for h in bot.retriever._sentences.values()]
    own, other, own_cos, other_cos = [], [], [], []
    for row in dev_rows():
        for gold in row["gold"]:
            for s in sentences:
                lex = lexical_support(gold, s)
                cos = _cosine(bot.embedder.embed_query(gold), bot.embedder.embed_query(s))
                (own if gold in s else other).append(lex)
                (own_cos if gold in s else other_cos).append(cos)
    print("calibration (gold phrase vs sentence):")
    print(f"  lexical own   min {min(own):.2f}  median {statistics.median(own):.2f}")
    print(f"  lexical other max {max(other):.2f}  p95 {sorted(other)[int(0.95 * len(other))]:.2f}")
    print(f"  cosine  own   min {min(own_cos):.2f}  median {statistics.median(own_cos):.2f}")
    print(
        f"  cosine  other max {max(other_cos):.2f}  p95 {sorted(other_cos)[int(0.95 * len(other_cos))]:.2f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", default="local", choices=["local", "openai", "ollama"])
    parser.add_argument("--base-url", help="for openai/ollama")
    args = parser.parse_args()

    from assistant import Assistant
    from assistant.core import CANDIDATES
    from assistant.refusal import judge
    from assistant.settings import Settings
    from assistant.verify import assemble, verify
    from index.build import build_index
    from index.embeddings import SentenceTransformerEmbeddings

    tmp = Path(tempfile.mkdtemp(prefix="llm-bench-"))
    try:
        shutil.copytree(ROOT / "seeds", tmp / "seeds")
        settings = Settings(
            root=tmp,
            seeds_dir=tmp / "seeds",
            index_dir=tmp / ".index",
            llm=args.mode,
            llm_base_url=args.base_url,
        )
        embedder = SentenceTransformerEmbeddings()
        build_index(settings, embedder, progress=False)
        bot = Assistant(settings, embedder=embedder).warm()
        calibrate(bot)

        started = time.perf_counter()
        answerer = bot.answerer_for(args.mode)
        if args.mode == "local":
            answerer.chat_model.engine  # noqa: B018 - loads the model, timed here
        print(f"\n{args.mode} backend load: {time.perf_counter() - started:.2f} s")

        latencies, overheads, chunk_rates = [], [], []
        kept = total = fallbacks = 0
        reasons: Counter[str] = Counter()
        for row in dev_rows():
            history = []
            for earlier in row["history_questions"]:
                history += [{"role": "user", "content": earlier}, {"role": "assistant", "content": "..."}]
            question = row["question"]
            t0 = time.perf_counter()
            query = answerer.rewrite(question, history)
            hits = bot.retriever.search(query, k=CANDIDATES)
            if judge(question, query, hits, bot.retriever.vocabulary).refused:
                continue
            chunks, first = [], None
            for piece in answerer.stream(question, hits, settings.n_sources, history=history):
                if isinstance(piece, str):
                    first = first or time.perf_counter()
                    chunks.append(piece)
                else:
                    answer = piece
            latencies.append(time.perf_counter() - t0)
            if first and len(chunks) > 1:
                chunk_rates.append((len(chunks) - 1) / max(1e-6, time.perf_counter() - first))
            if answer.notice.startswith("The language model was unavailable") or not chunks:
                fallbacks += 1
                continue
            reply = "".join(chunks)
            embedder._embed_query_cached.cache_clear()  # time verification cold, as a new answer sees it
            t1 = time.perf_counter()
            passages = hits[: max(settings.n_sources, answerer.max_passages)]
            verdicts = verify(reply, passages, embedder)
            assemble(verdicts, max_sources=settings.n_sources)
            overheads.append((time.perf_counter() - t1) * 1000)
            kept += sum(v.supported for v in verdicts)
            total += len(verdicts)
            reasons.update(v.reason.split(",")[0].split(" but ")[0] for v in verdicts if not v.supported)
            fallbacks += bool(answer.notice)
            print(
                f"  {row['id']}: {latencies[-1]:.1f} s  {'fallback' if answer.notice else 'verified'}: "
                f"{' '.join(reply.split())[:100]!r}"
            )

        print(f"\nanswers: {len(latencies)} (fallbacks to quotes: {fallbacks})")
        if chunk_rates:
            print(f"tokens/s (streamed chunks, median): {statistics.median(chunk_rates):.1f}")
        if latencies:
            print(f"answer latency p50: {statistics.median(latencies):.2f} s  max {max(latencies):.2f} s")
        if overheads:
            print(
                f"verification overhead per answer: median {statistics.median(overheads):.1f} ms, "
                f"max {max(overheads):.1f} ms (target <= 20 ms)"
            )
        if total:
            print(
                f"generated sentences: {total}; kept {kept} ({kept / total:.0%}), dropped {total - kept} "
                f"({(total - kept) / total:.0%})"
            )
            for reason, n in reasons.most_common():
                print(f"  dropped: {n} x {reason}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
