"""A short run of ``evaluation/load_test.py`` against the real served app: no errors, exact citations."""

from __future__ import annotations

import pytest

from evaluation.load_test import check_citations, run_load
from evaluation.ui_server import serve


def test_inexact_or_escaping_citations_are_caught(tmp_path):
    (tmp_path / "a.txt").write_text("One sentence. Two sentence.", encoding="utf-8")
    good = {"source": "a.txt", "start": 0, "end": 13, "quote": "One sentence."}
    answer = {"citations": [good, {**good, "start": 1}, {**good, "source": "../a.txt"}]}
    bad = check_citations(answer, tmp_path, {})
    assert len(bad) == 2 and "a.txt[1:13]" in bad[0] and "outside the project" in bad[1]


def test_load_is_loopback_only(tmp_path):
    with pytest.raises(SystemExit, match="loopback only"):
        run_load("http://10.1.2.3:7860/", tmp_path, 1, 1)


@pytest.mark.slow
def test_concurrent_sessions_get_exact_answers(tmp_path):
    with serve(tmp_path) as url:
        result = run_load(url, tmp_path, sessions=5, per_session=4, request_timeout=120, deadline=300)
    assert result.errors == [] and result.inexact == []
    assert result.answers == result.requests == 20
    assert result.citations >= result.answers - result.refused > 0  # run_load checks each cites
    assert 0 < result.p50_ms <= result.p99_ms
