"""``article-assistant eval`` as CI runs it: thresholds met exit 0, a missed one exits non-zero naming it;
several sets side by side, a set with its own articles answered and scored (by span offsets) on its own
index."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evaluation.evalreport import SIDE_BY_SIDE_KEYS
from tests.conftest import DEV_SET, ROOT, embedded_only

pytestmark = pytest.mark.slow
CLI = [sys.executable, "-m", "assistant.cli"]


@pytest.fixture(scope="module")
def eval_project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("evalproject")
    shutil.copytree(ROOT / "seeds", root / "seeds")
    return root


def run_eval(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASSISTANT_ROOT": str(project), "PYTHONPATH": str(ROOT)}
    env.pop("ASSISTANT_INDEX_DIR", None)
    env.pop("ASSISTANT_SEEDS_DIR", None)
    return subprocess.run(
        [*CLI, "eval", *args], cwd=project, env=env, capture_output=True, text=True, timeout=600
    )


def test_dev_set_meets_the_ci_thresholds(eval_project):
    out = eval_project / "eval.json"
    proc = run_eval(
        eval_project,
        "--set",
        str(DEV_SET),
        "--json",
        str(out),
        "--min",
        "hit@3=1.0",
        "--min",
        "refusal_accuracy=1.0",
        "--min",
        "exactness=1.0",
        "--min",
        "followup_accuracy=1.0",
        "--per-question",
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [s["name"] for s in report["sets"]] == ["dev"]
    ours = report["sets"][0]["pipelines"][0]
    assert ours["name"] == "ours"
    assert ours["summary"]["exactness"] == 1.0
    assert len(ours["questions"]) == len(DEV_SET.read_text(encoding="utf-8").strip().splitlines())
    assert "hit@3" in proc.stdout and "Per question (ours)" in proc.stdout


def test_a_missed_threshold_exits_non_zero_and_names_the_metric(eval_project, tmp_path):
    # An off-topic question wrongly marked answerable: the assistant refuses it, so hit@3 drops to 0.
    bad = tmp_path / "bad.jsonl"
    row = {
        "id": "x1",
        "question": "What is the capital of France?",
        "history_questions": [],
        "gold": ["first reported by Politico"],
        "keywords": ["Politico"],
        "answerable": True,
    }
    bad.write_text(json.dumps(row) + "\n", encoding="utf-8")
    proc = run_eval(eval_project, "--set", str(bad), "--min", "hit@3=1.0")
    assert proc.returncode == 1
    assert "hit@3 = 0.000 is below the minimum 1.0" in proc.stderr


def test_an_unknown_threshold_key_is_a_one_line_error(eval_project):
    proc = run_eval(eval_project, "--min", "accuracy=1")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: bad --min 'accuracy=1'")


ARTICLE = """---
title: Ferry to Skerry Island suspended after storm
date: 2024-03-12
outlet: Island Post
---
The ferry between Port Ellen and Skerry Island stopped running on Tuesday after a storm damaged the pier.

The harbour master, Ailsa Grant, said the repairs to the pier would take three weeks.

Islanders will be taken to the mainland by a chartered fishing boat, the Morning Star, twice a day.

The council said the island school would stay open because its teachers live on Skerry.
"""
QUESTIONS = [  # (question, gold answer or None when unanswerable)
    ("Who is the harbour master?", "Ailsa Grant"),
    ("How long will the pier repairs take?", "three weeks"),
    ("Which chartered fishing boat will take islanders to the mainland?", "the Morning Star"),
    ("How much does a ferry ticket to Skerry Island cost?", None),
]
PIPELINES = ["ours", "chunks-1000", "chunks-200", "bm25-sentences"]


def tiny_set(folder: Path) -> Path:
    """A question set with its own article and answer offsets, as ../shared/eval/squad2-rhine is laid out."""
    (folder / "seeds").mkdir(parents=True)
    (folder / "seeds" / "harbour.md").write_text(ARTICLE, encoding="utf-8")
    text = (folder / "seeds" / "harbour.md").read_text(encoding="utf-8")
    lines = []
    for i, (question, gold) in enumerate(QUESTIONS, start=1):
        spans = [[text.index(gold), text.index(gold) + len(gold)]] if gold else []
        row = {"id": f"t{i}", "question": question, "gold": [gold] if gold else [], "answerable": bool(gold)}
        lines.append(json.dumps({**row, "source": "seeds/harbour.md", "spans": spans}))
    path = folder / "questions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_sets_side_by_side_each_on_its_own_index(eval_project, tmp_path, embedder):
    tiny = tiny_set(tmp_path / "tiny")
    out = tmp_path / "all.json"
    proc = run_eval(
        eval_project, "--set", str(DEV_SET), "--set", str(tiny), "--baselines", "--json", str(out)
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [(s["name"], s["path"]) for s in report["sets"]] == [("dev", str(DEV_SET)), ("tiny", str(tiny))]
    for s in report["sets"]:
        assert [p["name"] for p in s["pipelines"]] == PIPELINES
    dev, small = report["sets"]
    assert {q["gold_by"] for q in dev["pipelines"][0]["questions"]} == {"text"}
    assert {q["gold_by"] for q in small["pipelines"][0]["questions"] if q["answerable"]} == {"spans"}
    # Every pipeline answered the tiny set from the tiny set's article, and only from it.
    cited = {c[0] for p in small["pipelines"] for q in p["questions"] for c in q["top_citations"]}
    assert cited == {"seeds/harbour.md"}
    assert all(
        not c[0].endswith("harbour.md")
        for p in dev["pipelines"]
        for q in p["questions"]
        for c in q["top_citations"]
    )
    bm25 = small["pipelines"][-1]["summary"]
    assert bm25["hedged"] is None  # baselines do not judge their answers
    assert (bm25["hit@1"], bm25["answerable_refused"], bm25["unanswerable_refused"]) == (1.0, 0.0, 0.0)
    side = report["side_by_side"]
    assert [row["pipeline"] for row in side] == PIPELINES
    assert side[-1]["tiny"] == {k: bm25[k] for k in SIDE_BY_SIDE_KEYS}
    assert set(side[0]) == {"pipeline", "dev", "tiny"}
    assert "Side by side" in proc.stdout and "tiny: overall" in proc.stdout and "dev: overall" in proc.stdout
    assert "Per question" not in proc.stdout
    assert_indexes_apart(eval_project, tiny, embedder)


def assert_indexes_apart(project: Path, set_path: Path, embedder) -> None:
    """The set's index is its own (under .index/eval/, its own collection); the project's has only seeds/."""
    from assistant.settings import Settings
    from evaluation.evalsets import set_settings
    from index.store import open_index

    base = Settings(root=project, seeds_dir=project / "seeds", index_dir=project / ".index")
    own = set_settings(set_path, base)
    assert own.index_dir == project / ".index" / "eval" / "tiny" and own.collection == "eval-tiny"
    assert own.root == set_path.parent.resolve()

    def sources(settings: Settings) -> set[str]:
        docs = open_index(settings, embedder).docs.get(include=["metadatas"])["metadatas"]
        return {m["source"] for m in docs}

    assert sources(own) == {"seeds/harbour.md"}
    project_sources = sources(base)
    assert project_sources and "seeds/harbour.md" not in project_sources


@embedded_only
def test_the_set_index_is_a_folder_apart(eval_project, tmp_path):
    tiny = tiny_set(tmp_path / "tiny")
    proc = run_eval(eval_project, "--set", str(tiny))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (eval_project / ".index" / "eval" / "tiny" / "chroma.sqlite3").is_file()
    assert not (tmp_path / "tiny" / ".index").exists()


def test_a_row_whose_source_is_missing_is_a_one_line_error(eval_project, tmp_path):
    tiny = tiny_set(tmp_path / "tiny")
    row = {"id": "m1", "question": "Who?", "gold": ["x"], "source": "seeds/missing.md", "spans": [[0, 1]]}
    with tiny.open("a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")
    proc = run_eval(eval_project, "--set", str(tiny))
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert "m1" in proc.stderr and "seeds/missing.md" in proc.stderr and "does not exist" in proc.stderr


def test_a_bad_set_file_is_a_one_line_error(eval_project, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "Who?"}\nnot json\n', encoding="utf-8")
    proc = run_eval(eval_project, "--set", str(DEV_SET), "--set", str(bad))
    assert proc.returncode == 2
    assert proc.stderr == f"error: {bad}:2 is not JSON (Expecting value)\n"
