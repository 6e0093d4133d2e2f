"""``article-assistant eval`` as CI runs it: thresholds met exit 0, a missed one exits non-zero naming it."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DEV_SET, ROOT

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
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    ours = report["pipelines"][0]
    assert ours["name"] == "ours"
    assert ours["summary"]["exactness"] == 1.0
    assert len(ours["questions"]) == len(DEV_SET.read_text(encoding="utf-8").strip().splitlines())
    assert "hit@3" in proc.stdout


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
