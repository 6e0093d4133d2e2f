"""Uploads and pasted articles: each bad input gets one line, nothing is written outside uploads/."""

from __future__ import annotations

import pytest

from assistant.uploads import MAX_BYTES, UPLOADS, UploadError, check_file, check_pasted, save, slug
from index.loader import parse_article

ARTICLE = b"Bridge reopens\n\nThe city council reopened the bridge on Monday after repairs.\n"
PAGE = (
    b"<html><head><title>Bridge reopens</title><script>alert('x')</script></head><body><article>"
    b"<h1>Bridge reopens</h1><p>The city council reopened the bridge on Monday after eighteen months.</p>"
    b'<img src=x onerror="alert(1)"><p>Trams return in March, the mayor said.</p></article></body></html>'
)


def files_under(path):
    return sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.txt", b"", "is empty"),
        ("blank.md", b"  \n\t\n", "is empty"),
        ("photo.txt", b"GIF89a\x00\x01\x02", "is a binary file"),
        ("big.txt", b"a" * (MAX_BYTES + 1), "the limit is 1 MB"),
        ("latin.txt", "Caf\u00e9 au lait".encode("latin-1"), "is not UTF-8 (byte 3)"),
        ("report.pdf", b"%PDF-1.4 text", "only .txt, .md and .html"),
        ("noext", b"text", "only .txt, .md and .html"),
        ("header.md", b"---\ntitle: Only a title\n---\n\n", "no article text"),
        ("nothing.html", b"<html><body><script>x()</script></body></html>", "no article text"),
    ],
)
def test_bad_upload_is_one_line_and_writes_nothing(tmp_path, name, data, expected):
    with pytest.raises(UploadError) as caught:
        save(check_file(name, data), tmp_path)
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message and " — " in message  # the problem, then the fix
    assert files_under(tmp_path) == []


def test_a_path_in_the_name_is_never_used_as_a_path(tmp_path):
    seeds = tmp_path / "project" / "seeds"
    seeds.mkdir(parents=True)
    for name in ("../../x.txt", "..\\..\\x.txt", "/etc/x.txt", "uploads/../../x.txt"):
        path = save(check_file(name, ARTICLE), seeds)
        assert path.parent == (seeds / UPLOADS).resolve()
    assert files_under(tmp_path) == sorted(
        f"project/seeds/{UPLOADS}/x{n}.txt" for n in ("", "-2", "-3", "-4")
    )


def test_save_never_overwrites(tmp_path):
    first = save(check_file("a.txt", ARTICLE), tmp_path)
    second = save(check_file("a.txt", ARTICLE.replace(b"Monday", b"Tuesday")), tmp_path)
    assert (first.name, second.name) == ("a.txt", "a-2.txt")
    assert b"Monday" in first.read_bytes() and b"Tuesday" in second.read_bytes()


def test_html_is_saved_as_its_text_without_markup_or_script(tmp_path):
    upload = check_file("page.HTML", PAGE)
    path = save(upload, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert path.name == "page.md"
    assert "reopened the bridge on Monday" in text and "Trams return in March" in text
    for markup in ("<", "script", "onerror", "alert"):
        assert markup not in text
    _, meta = parse_article(text)
    assert meta["title"] == "Bridge reopens" and meta["original"] == "page.HTML"


def test_crlf_text_is_saved_with_plain_newlines(tmp_path):
    path = save(check_file("w.txt", ARTICLE.replace(b"\n", b"\r\n")), tmp_path)
    assert path.read_bytes() == ARTICLE


def test_pasted_article_becomes_markdown_with_front_matter(tmp_path):
    path = save(
        check_pasted("  Rain in\nBrno ", "2024-06-01", "Heavy rain flooded three streets.\r\n"), tmp_path
    )
    text = path.read_text(encoding="utf-8")
    assert path.name == "rain-in-brno.md"
    body_start, meta = parse_article(text)
    assert meta == {"title": "Rain in Brno", "date": "2024-06-01"}
    assert text[body_start:] == "Heavy rain flooded three streets.\n"


@pytest.mark.parametrize(
    ("title", "day", "text", "expected"),
    [
        ("", "", "Some text.", "no title"),
        ("T" * 201, "", "Some text.", "over 200"),
        ("Title", "", "   ", "no text"),
        ("Title", "2024-13-01", "Some text.", "is not a date"),
        ("Title", "yesterday", "Some text.", "is not a date"),
    ],
)
def test_bad_paste_is_one_line(title, day, text, expected):
    with pytest.raises(UploadError, match=expected):
        check_pasted(title, day, text)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Report (final).TXT", "report-final"),
        ("..", "article"),
        ("Zürich–news.md", "zurich-news"),
        ("a" * 99, "a" * 60),
    ],
)
def test_slug(name, expected):
    assert slug(name) == expected


def test_an_unwritable_seeds_folder_is_one_line_and_leaves_nothing(tmp_path):
    blocked = tmp_path / "seeds"
    blocked.write_text("a file where the seeds folder should be", encoding="utf-8")
    with pytest.raises(UploadError, match=r"cannot save into .*seeds/uploads .* — make that folder writable"):
        save(check_file("a.txt", ARTICLE), blocked)
    assert files_under(tmp_path) == ["seeds"]


def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    from pathlib import Path

    real_open = Path.open

    class Full:  # a file the disk fills up under
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, text):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "open", lambda self, *a, **k: Full(real_open(self, *a, **k)))
    with pytest.raises(UploadError, match="No space left on device"):
        save(check_file("a.txt", ARTICLE), tmp_path)
    monkeypatch.undo()
    assert files_under(tmp_path) == []
