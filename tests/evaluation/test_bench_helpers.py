"""Bench inputs and report are deterministic and honest: seeded corpus, planted facts, tables from JSON."""

import json
import subprocess
import sys

from evaluation.benchdata import PLANTED, articles, corpus, latency_questions
from evaluation.benchreport import markdown
from tests.conftest import load_dev


def test_corpus_is_seeded_and_holds_every_planted_fact_once():
    texts, where = corpus(500)
    again, _ = corpus(500)
    assert texts == again
    assert len(texts) == 500 and len(where) == len(PLANTED)
    for fact, slot in where.items():
        assert texts[slot].startswith(PLANTED[fact][0])
        assert sum(PLANTED[fact][0] in t for t in texts) == 1
    assert corpus(500, seed=99)[0] != texts


def test_latency_questions_are_many_and_distinct():
    questions = latency_questions(load_dev())
    assert len(questions) >= 200
    assert len(set(questions)) == len(questions)


def test_articles_have_a_date_header_and_paragraphs():
    text = next(articles(1, paragraphs=4))
    assert text.startswith("date 2024-")
    assert text.count("\n\n") == 3


def test_markdown_is_built_from_the_json_and_marks_missed_targets():
    data = {
        "machine": {"date": "d", "cpus": 2, "load_avg_at_start": [1.0, 1.0, 1.0]},
        "warm": {
            "questions": 250,
            "answer_refused": 3,
            **{
                k: {"p50_ms": 20.0, "p99_ms": 70.0, "mean_ms": 30.0} for k in ("embed", "retrieval", "answer")
            },
        },
        "ingest": {
            "articles": 3,
            "passages": 10,
            "sentences": 20,
            "texts_embedded": 30,
            "raw_encode_s": 1.0,
            "build_index_s": 1.25,
            "raw_passages_per_s": 10.0,
            "build_passages_per_s": 8.0,
            "ratio": 0.8,
        },
    }
    md = markdown(data, "docs/bench")
    assert "p50 <= 25 ms (met), p99 <= 60 ms (**missed**)" in md
    assert "Ratio build / raw: **80%** (target >= 90%: **missed**)" in md
    assert "## Scale" not in md


def test_eval_and_bench_modules_import_nothing_heavy():
    code = (
        "import sys, assistant.cli, evaluation.evaluate, evaluation.bench, evaluation.benchreport, "
        "evaluation.baselines, evaluation.benchscale, evaluation.metrics, evaluation.cli, "
        "evaluation.benchplots; "
        "print([m for m in ('torch', 'chromadb', 'sentence_transformers', 'matplotlib', 'rich', 'bm25s') "
        "if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.replace("'", '"')) == []


def test_the_notes_state_what_the_json_records_and_the_targets(monkeypatch):
    from evaluation import benchreport

    stats = {"p50_ms": 10.0, "p99_ms": 20.0, "mean_ms": 12.0}
    row = {"planted_hit@3": 0.5, "planted": 11, "planted_hybrid_hit@3": 1.0, "queries": 13, "k": 5}
    row.update(templates=9, planted_facts=11, sentences_per_passage=[2, 4], fused_from=7, passages=1000)
    row.update(build_s=2.0, build_passages_per_s=500.0, insert_s=0.5, disk_mb=1.0, peak_rss_mb=2.0)
    row.update({k: 1.0 for k in ("query_p50_ms", "query_p99_ms", "search_p50_ms", "search_p99_ms")})
    data = {
        "eval": [{"name": "ours", "summary": {}}],
        "eval_method": {
            "max_quote": 123,
            "chunk_recipes": [{"chunk_size": 9, "chunk_overlap": 1, "k": 2}],
            "bm25_k": 6,
        },
        "warm": {"questions": 7, "answer_refused": 0, "embed": stats, "retrieval": stats, "answer": stats},
        "scale": [row],
        "load": {"sessions": 1, "questions_per_session": 1, "answers": 1, "refused": 0, "citations": 1},
    }
    data["warm"]["sources"] = {"dev": 3, "article": 4, "off_topic": 1, "forms": 2}
    data["load"].update(errors=[], inexact=[], throughput_per_s=1.0, p50_ms=1.0, p95_ms=1.0, p99_ms=1.0)
    data["load"].update(date="d", concurrency=6)
    monkeypatch.setitem(benchreport.TARGETS, "answer_p50_ms", 33.0)
    md = markdown(data, "docs/bench")
    assert "its quote is at most 123 characters" in md
    assert "(`RecursiveCharacterTextSplitter` 9/1," in md and "dense top-2" in md and "sentences, top-6" in md
    assert "p50 <= 33 ms (met)" in md
    assert "the dev set's 3 and 4 hand-written ones about the article (1 of them off-topic), each in 2" in md
    assert "Chroma top-5 (13 queries: 11 planted questions and 2 cut from random passages)" in md
    assert "from 9 templates" in md and "a passage is 2 to 4 sentences. 11 hand-written facts" in md
    assert "hybrid hit@5 fuses it (top 7)" in md and "(6 requests run at once)" in md


def test_an_older_json_without_the_method_leaves_its_numbers_out():
    stats = {"p50_ms": 10.0, "p99_ms": 20.0, "mean_ms": 12.0}
    data = {
        "warm": {"questions": 7, "answer_refused": 0, "embed": stats, "retrieval": stats, "answer": stats}
    }
    md = markdown(data, "docs/bench")
    assert "Questions: the dev set's and hand-written ones about the article, in several forms" in md
