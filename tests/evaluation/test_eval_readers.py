"""``article-assistant eval`` on a reader-style set, end to end: its articles read from a folder outside the
set (set.json "articles"), open_article rows asked with that article picked by every pipeline, date rows
judged by the date in the reply, list rows by every gold cited, and the report per kind."""

import json
from pathlib import Path

import pytest

from tests.evaluation.test_eval import ARTICLE, PIPELINES, run_eval

pytestmark = pytest.mark.slow

UNDATED = """Lighthouse keeper retires

The Skerry lighthouse keeper, Tom Reid, retired after forty years.

He said he would miss the foghorn but not the stairs.
"""


def reader_set(tmp_path: Path) -> Path:
    """Two stories in ``tmp_path/shared/articles/<topic>/``, read by a set in ``tmp_path/sets/readers``."""
    articles = tmp_path / "shared" / "articles"
    (articles / "news").mkdir(parents=True)
    (articles / "news" / "001.md").write_text(ARTICLE, encoding="utf-8")
    (articles / "news" / "002.txt").write_text(UNDATED, encoding="utf-8")
    folder = tmp_path / "sets" / "readers"
    folder.mkdir(parents=True)
    (folder / "set.json").write_text(json.dumps({"articles": "../../shared/articles"}), encoding="utf-8")
    dated, undated = "seeds/news/001.md", "seeds/news/002.txt"

    def at(source: str, *golds: str) -> dict:
        text = (ARTICLE if source == dated else UNDATED).replace("\r\n", "\n")
        return {"gold": list(golds), "spans": [[text.index(g), text.index(g) + len(g)] for g in golds]}

    rows = [
        {"id": "r1", "question": "Who is the harbour master?", **at(dated, "Ailsa Grant"), "kind": "factoid"},
        {"id": "r2", "question": "when was this published?", "gold": [], "kind": "article",
         "open_article": True, "source": dated},
        {"id": "r3", "question": "when was this published?", "gold": [], "answerable": False,
         "kind": "article", "open_article": True, "source": undated},
        {"id": "r4", "question": "what are the travel arrangements?", "kind": "list", "all_gold": True,
         **at(dated, "stopped running on Tuesday", "the Morning Star")},
        {"id": "r5", "question": "who retired?", **at(undated, "Tom Reid"), "kind": "factoid",
         "open_article": True, "source": undated},
        {"id": "r6", "question": "How much is a ferry ticket?", "gold": [], "answerable": False,
         "kind": "unanswerable"},
    ]  # fmt: skip
    for r in rows:
        r.setdefault("source", dated)
    path = folder / "questions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reader_report(tmp_path_factory) -> tuple[dict, str, Path]:
    tmp = tmp_path_factory.mktemp("readers")
    project = tmp / "project"
    (project / "seeds").mkdir(parents=True)
    (project / "seeds" / "x.txt").write_text("Unrelated project article\n\nNothing here.\n", encoding="utf-8")
    path = reader_set(tmp)
    out = tmp / "report.json"
    proc = run_eval(project, "--set", str(path), "--baselines", "--json", str(out), "--per-question")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8")), proc.stdout, project


def test_the_articles_are_copied_under_the_eval_index_and_cited_as_the_rows_name_them(
    reader_report, tmp_path
):
    report, _, project = reader_report
    seeds = project / ".index" / "eval" / "readers" / "seeds"
    assert sorted(p.relative_to(seeds).as_posix() for p in seeds.rglob("*.*")) == [
        "news/001.md",
        "news/002.txt",
    ]
    cited = {c[0] for p in report["sets"][0]["pipelines"] for q in p["questions"] for c in q["top_citations"]}
    assert cited <= {"seeds/news/001.md", "seeds/news/002.txt"} and cited


def test_open_article_rows_are_asked_with_their_article_picked_by_every_pipeline(reader_report):
    report, _, _ = reader_report
    pipelines = report["sets"][0]["pipelines"]
    assert [p["name"] for p in pipelines] == PIPELINES
    for p in pipelines:
        by_id = {q["id"]: q for q in p["questions"]}
        assert by_id["r5"]["open_article"] and not by_id["r1"]["open_article"]
        for rid in ("r3", "r5"):  # asked about the undated story: nothing from the other may be cited
            assert {c[0] for c in by_id[rid]["top_citations"]} <= {"seeds/news/002.txt"}, (p["name"], rid)
        assert {c[0] for c in by_id["r2"]["top_citations"]} <= {"seeds/news/001.md"}


def test_reader_keys_per_kind_and_overall(reader_report):
    report, stdout, _ = reader_report
    for p in report["sets"][0]["pipelines"]:
        summary = p["summary"]
        for key in ("answered_right", "unanswerable_refused_or_hedged", "all_gold_recall", "date_right",
                    "short_exactness", "squad_em", "squad_f1", "routed"):  # fmt: skip
            assert key in summary, key
        assert list(p["per_kind"]) == ["factoid", "article", "list", "unanswerable"]
        assert p["per_kind"]["article"]["questions"] == 2
        by_id = {q["id"]: q for q in p["questions"]}
        assert by_id["r2"]["date_row"] and by_id["r3"]["date_row"] and not by_id["r1"]["date_row"]
        assert by_id["r4"]["all_gold_recall"] in (0.0, 0.5, 1.0)
        assert by_id["r4"]["right"] == (by_id["r4"]["all_gold_recall"] == 1.0)
        # a baseline quotes sentences: right on the dated row only if a quote happens to name the date
        if p["name"] != "ours":
            assert summary["short_exactness"] is None and summary["routed"] == {"": 6}
    ours = report["sets"][0]["pipelines"][0]["summary"]
    assert ours["exactness"] == 1.0
    assert ours["short_exactness"] in (None, 1.0)
    assert "per kind (ours)" in stdout and "per kind (bm25-sentences)" in stdout
    assert report["side_by_side"][0]["readers"]["answered_right"] == ours["answered_right"]
