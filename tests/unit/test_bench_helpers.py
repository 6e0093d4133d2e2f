"""Bench inputs and report are deterministic and honest: seeded corpus, planted facts, tables from JSON."""

import json
import subprocess
import sys

from assistant.benchdata import PLANTED, articles, corpus, latency_questions
from assistant.benchreport import markdown
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
        "import sys, assistant.cli, assistant.evaluate, assistant.bench, assistant.benchreport, "
        "assistant.baselines, assistant.benchscale, assistant.metrics; "
        "print([m for m in ('torch', 'chromadb', 'sentence_transformers', 'matplotlib', 'rich', 'bm25s') "
        "if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.replace("'", '"')) == []
