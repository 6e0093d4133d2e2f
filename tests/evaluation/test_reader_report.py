"""The BENCHMARKS.md reader section is built from the eval and summaries JSON only, between its markers."""

from evaluation.reader_report import END, START, main, section


def pipeline(name: str, right: float, article: float | None) -> dict:
    summary = {
        "questions": 4,
        "answered_right": right,
        "answerable_refused": 0.25,
        "unanswerable_refused_or_hedged": 1.0,
        "exactness": 1.0,
        "short_exactness": None,
        "squad_em": 0.5,
        "squad_f1": 0.625,
    }
    per_kind = {"article": {"questions": 2, "answered_right": article, "routed": {"about": 2}}}
    return {"name": name, "summary": summary, "per_kind": per_kind}


EVAL = {
    "sets": [
        {"name": "news-chat", "path": "x/questions.jsonl",
         "pipelines": [pipeline("ours", 0.75, 1.0), pipeline("bm25-sentences", 0.5, 0.0)]},
        {"name": "squad2-rhine", "path": "r/questions.jsonl",
         "pipelines": [{"name": "ours", "summary": {"questions": 9, "squad_em": 0.4, "squad_f1": 0.61}}]},
    ]
}  # fmt: skip
SUMMARIES = {
    "stories": 2,
    "prompts": ["tl;dr"],
    "overall": {"ours": {"answered": 1.0, "rouge2": 0.4}, "lead-3": {"rouge2": 0.3}},
    "per_prompt": {"tl;dr": {"ours": {"answered": 1.0, "rouge2": 0.4}}},
}


def test_section_reports_targets_kinds_squad_and_summaries():
    text = section(EVAL, SUMMARIES)
    assert text.startswith(START) and text.endswith(END)
    assert "| ours | 0.750 | 1.000 | 0.250 | 1.000 | 1.000 | – |" in text
    assert "| article | 2 | 1.000 | 0.000 | about 2 |" in text
    assert "| ours | 0.400 | 0.610 |" in text  # Rhine: not a reader set (no per_kind), but its SQuAD scores
    assert "| all prompts | lead-3 | – | – | 0.300 |" in text
    assert text.count("**squad2-rhine**") == 0


def test_main_replaces_only_its_own_section(tmp_path):
    import json

    md = tmp_path / "BENCHMARKS.md"
    md.write_text(
        f"# B\n\nintro\n\n{START}\nstale numbers\n{END}\n\n<!-- quality:start -->\nq\n", encoding="utf-8"
    )
    (tmp_path / "e.json").write_text(json.dumps(EVAL), encoding="utf-8")
    args = [
        "--eval",
        str(tmp_path / "e.json"),
        "--summaries",
        str(tmp_path / "none.json"),
        "--markdown",
        str(md),
    ]
    assert main(args) == 0
    out = md.read_text(encoding="utf-8")
    assert "stale numbers" not in out and out.startswith("# B\n\nintro\n\n" + START) and out.endswith("q\n")
    assert "news-chat" in out and "Summaries of" not in out


def test_summaries_only_rewrites_the_summaries_table_and_keeps_the_reader_sets(tmp_path):
    import json

    md = tmp_path / "BENCHMARKS.md"
    old = section(EVAL, {**SUMMARIES, "stories": 7})
    md.write_text(f"# B\n\n{old}\n\nafter\n", encoding="utf-8")
    (tmp_path / "s.json").write_text(json.dumps({"summaries": SUMMARIES}), encoding="utf-8")
    fitted = {
        "stories": 5,
        "cv_mean": {"summary": {"recall": 0.61, "word_f1": 0.7}, "lead-3": {"recall": 0.27}},
    }
    (tmp_path / "w.json").write_text(json.dumps(fitted), encoding="utf-8")
    args = ["--summaries-only", "--summaries", str(tmp_path / "s.json"), "--markdown", str(md)]
    assert main([*args, "--fitted", str(tmp_path / "w.json")]) == 0
    out = md.read_text(encoding="utf-8")
    assert "Summaries of 7" not in out and "Summaries of 2 BBC stories" in out
    assert "| ours | 0.750 | 1.000 |" in out and out.endswith(f"{END}\n\nafter\n")  # reader sets kept
    assert "| recall | 0.610 | 0.270 |" in out and "5 other BBC stories" in out


def test_summaries_say_which_baseline_ours_is_not_above():
    per_prompt = {
        "tl;dr": {
            "ours": {"rouge2": 0.4, "ref_recall": 0.3},
            "textrank-k": {"rouge2": 0.5, "ref_recall": 0.2},
        },
        "sum": {"ours": {"rouge2": 0.6, "ref_recall": 0.5}, "lead-3": {"rouge2": 0.3, "ref_recall": 0.2}},
    }
    text = section(None, {**SUMMARIES, "per_prompt": per_prompt})
    assert "'tl;dr': ROUGE-2 0.400, recall 0.300, not above textrank-k rouge2 0.500;" in text
    assert "'sum': ROUGE-2 0.600, recall 0.500, target met." in text
