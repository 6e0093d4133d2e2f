"""Question sets that read their articles from elsewhere (set.json "articles", as eval/bbc-reader does), the
external sets in ../shared/eval, and their one-line skips. No model: only files."""

import json
from pathlib import Path

import pytest

from assistant.settings import Settings
from evaluation.evalsets import (
    DEFAULT_SETS,
    SHARED_EVAL,
    EvalSetError,
    SetAbsent,
    check_sources,
    fill_seeds,
    load_set,
    prepare_set,
    set_settings,
    shared_set,
)
from tests.conftest import ROOT

STORY = "Ferry halted\n\nThe ferry to Skerry stopped on Tuesday.\n"
AT = STORY.index("Tuesday")


def articles_set(tmp_path: Path, sources=("seeds/business/001.txt",), articles="../bbc/articles") -> Path:
    """A tiny set in ``tmp_path/sets/mine`` reading ``tmp_path/sets/bbc/articles`` (as bbc-reader reads
    ../shared/eval/bbc/articles), with one story in it."""
    folder = tmp_path / "sets" / "mine"
    folder.mkdir(parents=True)
    (folder / "set.json").write_text(json.dumps({"articles": articles}), encoding="utf-8")
    story = tmp_path / "sets" / "bbc" / "articles" / "business" / "001.txt"
    story.parent.mkdir(parents=True)
    story.write_text(STORY, encoding="utf-8")
    (story.parent / "002.txt").write_text("Not asked about\n\nNobody asks.\n", encoding="utf-8")
    rows = [
        {"id": f"b{i}", "question": "Who?", "gold": ["Tuesday"], "source": s, "spans": [[AT, AT + 7]]}
        for i, s in enumerate(sources)
    ]
    path = folder / "questions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def base(tmp_path: Path) -> Settings:
    project = tmp_path / "project"
    return Settings(root=project, seeds_dir=project / "seeds", index_dir=project / ".index")


def test_an_articles_set_is_copied_under_the_eval_index_dir_and_cited_as_the_rows_name_it(tmp_path):
    path = articles_set(tmp_path)
    rows = load_set(path)
    settings = prepare_set(path, base(tmp_path), rows)
    folder = tmp_path / "project" / ".index" / "eval" / "mine"
    assert (settings.root, settings.seeds_dir, settings.index_dir) == (folder, folder / "seeds", folder)
    assert settings.collection == "eval-mine"
    copied = folder / "seeds" / "business" / "001.txt"
    assert copied.read_text(encoding="utf-8") == STORY
    assert not (folder / "seeds" / "business" / "002.txt").exists()  # only the stories the rows name
    assert (settings.root / rows[0]["source"]).read_text(encoding="utf-8")[AT : AT + 7] == "Tuesday"
    assert not (path.parent / "seeds").exists()  # nothing written beside the set


def test_filling_again_drops_stories_no_row_names_and_keeps_unchanged_files(tmp_path):
    path = articles_set(tmp_path)
    settings = prepare_set(path, base(tmp_path), load_set(path))
    stale = settings.seeds_dir / "sport" / "009.txt"
    stale.parent.mkdir()
    stale.write_text("left from an earlier sample", encoding="utf-8")
    kept = settings.seeds_dir / "business" / "001.txt"
    before = kept.stat().st_mtime_ns
    prepare_set(path, base(tmp_path), load_set(path))
    assert not stale.exists() and kept.stat().st_mtime_ns == before


def test_fill_seeds_refreshes_a_changed_copy(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("new text", encoding="utf-8")
    seeds = tmp_path / "seeds"
    (seeds / "t").mkdir(parents=True)
    (seeds / "t" / "a.txt").write_text("old text", encoding="utf-8")
    fill_seeds(seeds, {"seeds/t/a.txt": src})
    assert (seeds / "t" / "a.txt").read_text(encoding="utf-8") == "new text"


def test_absent_articles_folder_is_a_skip_with_one_line(tmp_path):
    path = articles_set(tmp_path, articles="../nowhere")
    with pytest.raises(SetAbsent) as e:
        check_sources(path, load_set(path))
    assert "nowhere is absent" in str(e.value) and "\n" not in str(e.value)


def test_a_missing_story_or_a_source_outside_seeds_is_an_error(tmp_path):
    path = articles_set(tmp_path, sources=("seeds/business/404.txt",))
    with pytest.raises(EvalSetError, match="404.txt.*does not exist") as e:
        check_sources(path, load_set(path))
    assert not isinstance(e.value, SetAbsent)
    other = articles_set(tmp_path / "x", sources=("seeds/../../secret.txt",))
    with pytest.raises(EvalSetError, match="names its articles seeds/"):
        check_sources(other, load_set(other))


def test_a_bad_set_json_names_the_file(tmp_path):
    path = articles_set(tmp_path)
    (path.parent / "set.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(EvalSetError, match="set.json is not a JSON object"):
        set_settings(path, base(tmp_path))


def test_a_set_with_its_own_seeds_keeps_its_folder_as_root(tmp_path):
    folder = tmp_path / "own"
    (folder / "seeds").mkdir(parents=True)
    settings = set_settings(folder / "questions.jsonl", base(tmp_path))
    assert settings.root == folder.resolve() and settings.seeds_dir == folder.resolve() / "seeds"


def test_shared_sets_resolve_beside_the_checkout_and_are_defaults():
    assert ROOT.parent / "shared" / "eval" == SHARED_EVAL
    assert shared_set("squad2-rhine") == ROOT.parent / "shared" / "eval" / "squad2-rhine" / "questions.jsonl"
    assert shared_set("news-chat") in DEFAULT_SETS and shared_set("squad2-rhine") in DEFAULT_SETS
    assert not (ROOT / "eval" / "squad2-rhine").exists()  # the project keeps no copy


def test_an_absent_shared_set_is_a_skip_and_any_other_missing_set_an_error(tmp_path):
    missing = shared_set("no-such-set")
    with pytest.raises(SetAbsent, match=r"^\.\./shared/eval is absent: no "):
        load_set(missing)
    with pytest.raises(EvalSetError, match="cannot read the question set") as e:
        load_set(tmp_path / "nope.jsonl")
    assert not isinstance(e.value, SetAbsent)


def test_the_bbc_reader_set_reads_the_shared_articles():
    path = ROOT / "eval" / "bbc-reader" / "questions.jsonl"
    if not path.is_file():
        pytest.skip("eval/bbc-reader is not written yet")
    if not (SHARED_EVAL / "bbc" / "articles").is_dir():
        pytest.skip("../shared/eval is absent: the BBC articles bbc-reader reads")
    rows = load_set(path)
    check_sources(path, rows)  # every row's story exists in ../shared/eval/bbc/articles
    assert all(r["source"].startswith("seeds/") for r in rows)
