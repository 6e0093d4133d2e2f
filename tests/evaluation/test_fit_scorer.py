"""The stored scorer weights are what the fitting script produces from the question sets in the repo."""

import json
import subprocess
import sys

import pytest

from evaluation.evalsets import shared_set
from evaluation.fit_scorer import OUT, Question, _fit, differences, refuse_threshold
from tests.conftest import ROOT


def test_differences_sees_a_changed_weight_and_ignores_float_noise():
    stored = {"ranker": {"coef": [0.5, -1.25]}, "thresholds": {"refuse_below": 0.2}}
    noisy = {"ranker": {"coef": [0.52, -1.29]}, "thresholds": {"refuse_below": 0.21}}
    assert differences(stored, noisy) == []
    assert (
        differences(stored, {"ranker": {"coef": [0.5004, -1.25]}, "thresholds": {"refuse_below": 0.2}}) == []
    )
    changed = differences(stored, {"ranker": {"coef": [0.6, -1.25]}, "thresholds": {"refuse_below": 0.2}})
    assert changed == [".ranker.coef[0]: stored 0.5, fitted 0.6"]
    assert differences(stored, {"ranker": {"coef": [0.5]}, "thresholds": {"refuse_below": 0.2}})


def test_refusal_threshold_on_the_mean_or_on_every_set():
    """Set a refuses its answerable questions below 0.2 and 0.6; set b below 0.1, 0.3, 0.5 and 0.7."""
    probs = [0.2, 0.6, 0.1, 0.3, 0.5, 0.7, 0.05]
    sets = ["a", "a", "b", "b", "b", "b", "b"]
    questions = [Question(s, str(i), i < 6, s) for i, s in enumerate(sets)]
    # a threshold of 0.3 refuses half of a's answerable questions and a quarter of b's: a mean of 0.375
    assert refuse_threshold(questions, probs, most=0.4) == 0.3
    assert refuse_threshold(questions, probs, most=0.4, worst=True) == 0.2  # a's half is over 0.4
    assert refuse_threshold(questions, probs, most=0.0) == 0.1  # the unanswerable 0.05 refuses no one


def test_a_signed_fit_keeps_each_weight_on_its_side_and_otherwise_matches_scikit_learn():
    """The label follows the first feature; the second is the first minus noise that leans against the
    label, so a free fit gives it a negative weight. Kept to "more is better", it gets none."""
    import numpy as np

    rng = np.random.default_rng(7)
    first = rng.normal(size=400)
    y = (first + rng.normal(scale=0.5, size=400) > 0).astype(int)
    second = first - 0.8 * y + rng.normal(scale=0.3, size=400)
    x = np.column_stack([first, second]).tolist()
    free = _fit(x, y.tolist())
    assert free["coef"][1] < -0.5
    signed = _fit(x, y.tolist(), signs=[1, 1])
    assert signed["coef"][1] == 0.0 and signed["coef"][0] > 0.5
    unbounded = _fit(x, y.tolist(), signs=[0, 0])  # scipy, no bounds: scikit-learn's optimum
    assert np.allclose(unbounded["coef"], free["coef"], atol=1e-3)
    assert abs(unbounded["intercept"] - free["intercept"]) < 1e-3


def refit_check(module: str, tmp_path) -> dict:
    """Run ``python -m <module> --check`` with every set indexed under ``tmp_path``; assert it exits 0 (the
    stored weights are what it fits) and return the held-out numbers it printed."""
    done = subprocess.run(
        [sys.executable, "-m", module, "--check", "--index-dir", str(tmp_path / "index")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout[: done.stdout.rindex("}") + 1])


@pytest.mark.slow
def test_stored_weights_are_reproduced_by_the_fitting_script(tmp_path):
    """Re-run the whole fit (every set indexed in a temp dir); --check exits 1 on any difference."""
    if not shared_set("squad2-rhine").is_file():
        pytest.skip("../shared/eval is absent: the fit reads squad2-rhine from there")
    cv = refit_check("evaluation.fit_scorer", tmp_path)
    stored = json.loads(OUT.read_text(encoding="utf-8"))
    assert abs(cv["squad2-rhine"]["ours_hit@1"] - stored["cv"]["squad2-rhine"]["ours_hit@1"]) <= 0.02
    # the fitted ranker beats BM25 alone on held-out folds of the human-written set
    assert cv["squad2-rhine"]["ours_hit@1"] > cv["squad2-rhine"]["bm25_hit@1"]
