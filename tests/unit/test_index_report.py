"""The index command's summary line and where extracted HTML text goes: pure functions, no model."""

from pathlib import Path

from assistant.errors import ArticleError
from index.build import BuildReport
from index.loader import extracted_path


def test_unchanged_reindex_says_nothing_to_do_with_what_is_indexed():
    report = BuildReport(unchanged=["seeds/a.txt"], indexed={"sentences": 40, "passages": 12, "docs": 1})
    assert report.summary() == (
        "nothing to do: 1 article unchanged (12 passages, 40 sentences already indexed)"
    )
    assert "0 passages" not in report.summary()


def test_build_separates_this_builds_work_from_what_the_index_holds():
    report = BuildReport(
        added=["seeds/b.txt"],
        unchanged=["seeds/a.txt", "seeds/c.txt"],
        removed=["seeds/old.txt"],
        passages=3,
        sentences=1,
        duplicates=[("seeds/d.txt", "seeds/a.txt", "identical copy")],
        indexed={"sentences": 50, "passages": 15, "docs": 3},
    )
    assert report.summary() == (
        "indexed 1 new or changed article (3 passages, 1 sentence); 2 unchanged; 1 removed; "
        "the index holds 3 articles (15 passages, 50 sentences); 1 duplicate or superseded copy not indexed"
    )


def test_problems_are_counted_only_when_there_are_some():
    report = BuildReport(errors=[ArticleError("x")], skipped=["seeds/a.pdf", "seeds/b.doc"])
    assert report.summary() == "the index holds no articles; 1 error; 2 skipped"


def test_html_text_is_extracted_under_the_index_even_with_absolute_dirs(tmp_path):
    seeds, extracted = tmp_path / "articles", tmp_path / "idx" / "extracted"
    page = seeds / "world" / "page.html"
    out = extracted_path(page, seeds, extracted)
    assert out == extracted / "articles" / "world" / "page.html.txt"
    assert not out.is_relative_to(seeds)


def test_html_text_path_with_relative_dirs_keeps_the_seeds_folder_name():
    assert extracted_path(Path("seeds/a.html"), Path("seeds"), Path(".index/extracted")) == Path(
        ".index/extracted/seeds/a.html.txt"
    )
