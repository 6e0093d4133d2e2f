"""One scale run, in its own process so its peak RSS is its own: ``python -m evaluation.benchscale --size N``.

Builds a persistent Chroma collection of ``N`` synthetic passages (``evaluation.benchdata.corpus``, twenty
planted facts among them) embedded with the project's embedder, then times queries: the twenty planted
questions plus 80 queries cut from random passages. Writes one JSON object to ``--out``. The collection holds
passages only (no sentence collection): it measures Chroma and the encoder, not the answerer; the hybrid
hit@3 fuses the dense top 30 with BM25 over the same passages.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

from evaluation.benchdata import CORPUS_SHAPE, PLANTED, corpus
from evaluation.metrics import percentile

BATCH = 512
K = 3  # hit@K, and the results each query asks Chroma for
FUSED_FROM = 30  # each ranking's top that reciprocal rank fusion merges, as in the assistant
GENERIC_QUERIES = 80  # queries cut from random passages, besides the planted questions


def disk_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _build(size: int, directory: Path, embedder, texts: list[str], progress: bool):
    """A persistent collection of ``texts`` with the assistant's HNSW settings; it and the build timings."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from tqdm import tqdm

    from index.store import DATA_METADATA

    client = chromadb.PersistentClient(
        path=str(directory), settings=ChromaSettings(anonymized_telemetry=False)
    )
    Chroma(  # created through langchain_chroma, as the assistant's own collections are
        collection_name="scale",
        embedding_function=embedder,
        client=client,
        collection_metadata=DATA_METADATA,  # the assistant's own HNSW settings
    )
    collection = client.get_collection("scale", embedding_function=None)  # we embed, Chroma stores
    encode_s = insert_s = 0.0
    t_build = time.perf_counter()
    bar = tqdm(total=size, unit="passage", desc=f"scale {size:,}", file=sys.stderr, disable=not progress)
    for at in range(0, size, BATCH):
        batch = texts[at : at + BATCH]
        t0 = time.perf_counter()
        vectors = embedder.embed_documents(batch)
        t1 = time.perf_counter()
        collection.add(ids=[f"p{at + i}" for i in range(len(batch))], embeddings=vectors, documents=batch)
        insert_s += time.perf_counter() - t1
        encode_s += t1 - t0
        bar.update(len(batch))
    bar.close()
    return collection, {"build_s": time.perf_counter() - t_build, "encode_s": encode_s, "insert_s": insert_s}


def _queries(texts: list[str], where: dict[int, int]) -> list[tuple[str, int | None]]:
    """The planted questions (with their passage) and ``GENERIC_QUERIES`` cut from random passages."""
    rng = random.Random(5)
    generic = [" ".join(texts[i].split()[:10]) for i in rng.sample(range(len(texts)), GENERIC_QUERIES)]
    return [(q, where.get(fact)) for fact, (_, q) in enumerate(PLANTED)] + [(q, None) for q in generic]


def _search(collection, embedder, texts: list[str], where: dict[int, int]) -> dict:
    """Query latency and planted hit@K, dense alone and fused with BM25 as the assistant's retrieval does."""
    import bm25s

    from assistant.retrieval import rrf
    from assistant.text import tokens

    bm25 = bm25s.BM25()  # the lexical half of the assistant's hybrid retrieval
    bm25.index([tokens(t) or ["\x00"] for t in texts], show_progress=False)
    queries = _queries(texts, where)
    for q, _ in queries[:5]:  # warm the HNSW pages
        collection.query(query_embeddings=[embedder.embed_query("warm " + q)], n_results=K)
    embed_ms, search_ms, total_ms, hits, hybrid_hits = [], [], [], [], []
    for q, slot in queries:
        t0 = time.perf_counter()
        vector = embedder.embed_query(q)
        t1 = time.perf_counter()
        found = collection.query(query_embeddings=[vector], n_results=K, include=[])
        t2 = time.perf_counter()
        embed_ms.append((t1 - t0) * 1000)
        search_ms.append((t2 - t1) * 1000)
        total_ms.append((t2 - t0) * 1000)
        if slot is not None:
            hits.append(f"p{slot}" in found["ids"][0])
            dense = collection.query(query_embeddings=[vector], n_results=FUSED_FROM, include=[])["ids"][0]
            scores = bm25.get_scores([t for t in tokens(q) if t in bm25.vocab_dict])
            lexical = [f"p{i}" for i in scores.argsort()[::-1][:FUSED_FROM] if scores[i] > 0]
            fused = rrf({"dense": dense, "lexical": lexical})
            hybrid_hits.append(f"p{slot}" in sorted(fused, key=fused.get, reverse=True)[:K])
    return {
        "queries": len(queries),
        "query_p50_ms": percentile(total_ms, 50),
        "query_p99_ms": percentile(total_ms, 99),
        "search_p50_ms": percentile(search_ms, 50),
        "search_p99_ms": percentile(search_ms, 99),
        "embed_p50_ms": percentile(embed_ms, 50),
        "planted": len(hits),
        "planted_hit@3": sum(hits) / len(hits) if hits else None,
        "planted_hybrid_hit@3": sum(hybrid_hits) / len(hybrid_hits) if hybrid_hits else None,
    }


def run(size: int, directory: Path, model: str, progress: bool = True) -> dict:
    """Build a ``size``-passage collection in ``directory``, query it, and say how (``k``, corpus shape)."""
    from index.embeddings import SentenceTransformerEmbeddings

    embedder = SentenceTransformerEmbeddings(model)
    embedder.embed_query("load the model before the clock starts")
    texts, where = corpus(size)
    collection, built = _build(size, directory, embedder, texts, progress)
    searched = _search(collection, embedder, texts, where)
    return {
        "passages": size,
        **built,
        "build_passages_per_s": size / built["build_s"],
        **searched,
        "k": K,
        "fused_from": FUSED_FROM,
        **CORPUS_SHAPE,
        "disk_mb": disk_bytes(directory) / 1e6,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.benchscale")
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--dir", type=Path, required=True, help="empty directory for the Chroma store")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model", default="all-MiniLM-L6-v2")
    args = parser.parse_args(argv)
    result = run(args.size, args.dir, args.model)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
