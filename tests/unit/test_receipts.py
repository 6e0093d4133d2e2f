"""Receipts: SHA-256 stamps on citations, and ``article-assistant verify`` re-checking them on disk."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.errors import ReceiptError
from assistant.models import Answer, Citation
from assistant.receipts import check, conversation, file_sha256, stamp, verify_file

TEXT = "date 2024-05-30\n\nFirst paragraph.\n\nOfficials said the bridge cost 40 million dollars. More.\n"
QUOTE = "Officials said the bridge cost 40 million dollars."


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text(TEXT, encoding="utf-8")
    return tmp_path


def answer(root: Path, source: str = "seeds/a.txt") -> Answer:
    start = TEXT.index(QUOTE)
    c = Citation(1, source, start, start + len(QUOTE), QUOTE, title="Bridge")
    return stamp(
        Answer(text=f"{QUOTE} [1]", refused=False, citations=[c], question="What did it cost?"), root
    )


def receipt(project: Path, name: str = "r.json", data: dict | None = None) -> Path:
    path = project / name
    path.write_text(json.dumps(data or answer(project).to_dict()), encoding="utf-8")
    return path


def test_stamp_records_the_file_bytes_hash_and_follows_edits(project: Path):
    a = answer(project)
    path = project / "seeds" / "a.txt"
    assert a.citations[0].sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_text(TEXT + "An update.\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a new (path, mtime, size): not the cached hash
    assert file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest() != a.citations[0].sha256
    assert answer(project, "seeds/gone.txt").citations[0].sha256 == ""  # unreadable: no hash


def test_answer_round_trips_through_its_dict(project: Path):
    a = answer(project)
    again = Answer.from_dict({**a.to_dict(), "from_the_future": 1})
    assert again == a and again.citations[0].sha256 == a.citations[0].sha256


def test_check_ok_changed_missing(project: Path):
    data = answer(project).to_dict()
    assert [(c.status, c.label) for c in check(data, project)] == [("ok", "1")]

    path = project / "seeds" / "a.txt"
    path.write_text(TEXT.replace("First", "The first"), encoding="utf-8")  # the quote moves by 4
    [changed] = check(data, project)
    assert changed.status == "changed" and "SHA-256 is now" in changed.detail
    assert "the quote is no longer at" in changed.detail

    path.write_text(TEXT + "Appended.\n", encoding="utf-8")  # the quote stays put, the bytes differ
    [changed] = check(data, project)
    assert changed.status == "changed" and "the quote is still at" in changed.detail

    path.unlink()
    [missing] = check(data, project)
    assert missing.status == "missing" and missing.line().startswith("missing [1] seeds/a.txt:")


def test_a_receipt_whose_quote_was_edited_is_changed(project: Path):
    data = answer(project).to_dict()
    data["citations"][0]["quote"] = "Officials said the bridge was free."
    [c] = check(data, project)
    assert c.status == "changed" and c.detail.startswith("the quote is not at")


def test_conversation_receipt_labels_each_exchange(project: Path):
    a = answer(project)
    turns = [
        {"role": "user", "content": "What did it cost?"},
        {"role": "assistant", "content": a.text, "answer": a.to_dict()},
        {"role": "user", "content": "x" * 3000},  # a rejected question: no answer, no exchange
        {"role": "assistant", "content": "error"},
        {"role": "user", "content": "And?"},
        {"role": "assistant", "content": a.text, "answer": a.to_dict()},
    ]
    data = conversation(turns)
    assert data["receipt"] == "article-assistant conversation" and data["version"] == 1
    assert [e["question"] for e in data["exchanges"]] == ["What did it cost?", "And?"]
    assert [c.label for c in check(data, project)] == ["1.1", "2.1"]


def test_verify_command_prints_a_line_per_citation_and_exits_1_on_failure(project: Path, capsys):
    path = receipt(project)
    assert main(["verify", str(path), "--root", str(project)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"ok [1] seeds/a.txt:{TEXT.index(QUOTE)}-{TEXT.index(QUOTE) + len(QUOTE)}"]

    (project / "seeds" / "a.txt").write_text(TEXT + "Appended.\n", encoding="utf-8")
    assert main(["verify", str(path), "--root", str(project)]) == 1
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith("changed [1] seeds/a.txt:")

    (project / "seeds" / "a.txt").unlink()
    assert main(["verify", str(path), "--root", str(project)]) == 1
    assert capsys.readouterr().out.startswith("missing [1]")


def test_verify_checks_against_the_root_from_the_environment(project: Path, capsys, monkeypatch):
    path = receipt(project)
    monkeypatch.setenv("ASSISTANT_ROOT", str(project))
    assert main(["verify", str(path)]) == 0
    monkeypatch.setenv("ASSISTANT_ROOT", str(project / "seeds"))  # sources are not under this root
    assert main(["verify", str(path)]) == 1
    assert capsys.readouterr().out.splitlines()[-1].startswith("missing [1]")


@pytest.mark.parametrize(
    "content, reason",
    [
        ("not json", "is not a receipt (not JSON)"),
        ('{"text": "hi"}', "holds neither an answer's citations nor a conversation's exchanges"),
        ("[1, 2]", "holds neither"),
        ('{"citations": [{"n": 1, "source": "a.txt", "start": 0, "end": 2, "quote": "hi"}]}', "lack"),
        ('{"exchanges": [{"question": "q"}]}', "its citations lack source, start, end, quote or sha256"),
    ],
)
def test_a_file_that_is_not_a_receipt_is_one_line(project: Path, capsys, content, reason):
    path = project / "x.json"
    path.write_text(content, encoding="utf-8")
    assert main(["verify", str(path), "--root", str(project)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"error: {path} ") and reason in line


def test_unreadable_receipt_is_one_line(project: Path, capsys):
    assert main(["verify", str(project / "nope.json")]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("error: cannot read") and "nope.json" in line


def test_no_citations_is_nothing_to_check(project: Path, capsys):
    path = receipt(project, data=Answer(text="The article does not say.", refused=True).to_dict())
    assert main(["verify", str(path), "--root", str(project)]) == 0
    assert "no citations to check" in capsys.readouterr().out


def test_verify_file_reads_a_downloaded_conversation(project: Path):
    from assistant.ui.session import RECEIPT_NAME, ReceiptFiles

    files = ReceiptFiles()
    assert files.write([]) is None  # nothing answered: nothing to download
    a = answer(project)
    written = Path(
        files.write(
            [
                {"role": "user", "content": "q"},
                {"role": "assistant", "content": a.text, "answer": a.to_dict()},
            ]
        )
    )
    assert written.name == RECEIPT_NAME and written.is_relative_to(files.directory)
    assert [c.status for c in verify_file(written, project)] == ["ok"]


def with_short(root: Path) -> Answer:
    """The bridge answer leading with its short answer, "40 million dollars", inside quote 1."""
    a = answer(root)
    at = TEXT.index("40 million dollars")
    a.short = replace(a.citations[0], start=at, end=at + 18, quote="40 million dollars", sha256="")
    a.text = f"40 million dollars. {a.text}"
    return stamp(a, root)


def test_the_short_answer_is_stamped_and_checked_like_a_quote(project: Path):
    a = with_short(project)
    assert a.short is not None and a.short.sha256 == a.citations[0].sha256 != ""
    data = a.to_dict()
    assert [(c.label, c.status) for c in check(data, project)] == [("1", "ok"), ("short", "ok")]
    turns = [{"role": "user", "content": "q"}, {"role": "assistant", "content": a.text, "answer": data}]
    assert [c.label for c in check(conversation(turns), project)] == ["1.1", "1.short"]

    path = project / "seeds" / "a.txt"
    path.write_text(TEXT.replace("40 million", "90 million"), encoding="utf-8")  # same length, other words
    quote, short = check(data, project)
    assert short.status == "changed" and "the quote is no longer at" in short.detail
    assert short.line().startswith("changed [short] seeds/a.txt:")


def test_a_receipt_whose_short_answer_was_edited_is_changed(project: Path):
    data = with_short(project).to_dict()
    data["short"]["quote"] = "4 dollars"
    quote, short = check(data, project)
    assert quote.ok and short.status == "changed" and short.detail.startswith("the quote is not at")

    del data["short"]["sha256"]
    with pytest.raises(ReceiptError, match="its short answer lacks"):
        check(data, project)
