"""The CLI as a user runs it: a real subprocess, real index in a temp dir."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

CLI = [sys.executable, "-m", "assistant.cli"]


def run(args, cwd, **env):
    e = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(CLI + args, cwd=cwd, env=e, capture_output=True, text=True, timeout=300)


def test_help_imports_nothing_heavy():
    code = (
        "import sys, contextlib, io\n"
        "from assistant.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try: main(['--help'])\n"
        "    except SystemExit: pass\n"
        "names = ('torch', 'chromadb', 'gradio', 'sentence_transformers', 'transformers', 'spacy', 'ray')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_importing_the_package_is_light():
    code = (
        "import sys, assistant, index; "
        "print([m for m in ('torch','chromadb','gradio','spacy') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_empty_question_is_one_line_error(tmp_path):
    result = run(["ask", "   "], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: the question is empty — ask something about the article"


def test_missing_seeds_is_one_line_error(tmp_path):
    result = run(["index"], tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "seeds directory" in lines[0] and "does not exist" in lines[0]


@pytest.mark.slow
def test_index_ask_and_json(tmp_path):
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    built = run(["index"], tmp_path)
    assert built.returncode == 0, built.stderr
    assert "indexed 1 new or changed article (" in built.stdout
    # The build also embedded the article's words for the serving process (kept beside the index).
    assert list((tmp_path / ".index" / "wordvectors").glob("*/*.npy"))
    again = run(["index"], tmp_path)
    assert again.stdout.startswith("nothing to do: 1 article unchanged (")
    assert "sentences already indexed)" in again.stdout and " 0 passages" not in again.stdout
    asked = run(["ask", "Who was first to report the decision?"], tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert (
        "Politico" in asked.stdout
        and "[1]" in asked.stdout
        and "seeds/000_5b9ea04de76b7050.txt:" in asked.stdout
    )
    as_json = run(["ask", "--json", "Where was Putin when he warned of escalation?"], tmp_path)
    data = json.loads(as_json.stdout)
    assert data["refused"] is False
    c = data["citations"][0]
    text = (tmp_path / c["source"]).read_text(encoding="utf-8")
    assert text[c["start"] : c["end"]] == c["quote"] and "Uzbekistan" in c["quote"]


@pytest.mark.slow
def test_index_with_other_model_settings_tells_to_rebuild(tmp_path):
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    assert run(["index"], tmp_path).returncode == 0
    model_dir = tmp_path / "other-model"
    from index.embeddings import resolve_model_path

    shutil.copytree(resolve_model_path("all-MiniLM-L6-v2"), model_dir)
    result = run(["ask", "Who reported it?", "--model", str(model_dir)], tmp_path)
    assert result.returncode == 1
    assert "index --rebuild" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_malformed_date_filter_is_one_line_error(tmp_path):
    result = run(["ask", "Why did the ferries stop?", "--date-from", "2024-3-1"], tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == (
        "error: date from '2024-3-1' is not a date — write it as YYYY-MM-DD, e.g. 2024-05-30"
    )


@pytest.mark.slow
def test_ask_with_filters_cites_only_matching_articles(tmp_path):
    from tests.conftest import SEED

    shutil.copytree(ROOT / "tests" / "fixtures" / "newsroom", tmp_path / "seeds")
    shutil.copy(SEED, tmp_path / "seeds" / SEED.name)
    assert run(["index"], tmp_path).returncode == 0
    question = "Why did the Norland ferries stop?"
    asked = run(["ask", question, "--outlet", "Island Post"], tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert "Island Post, Norland islands cut off as ferries halt, 2024-03-15, paragraph " in asked.stdout
    assert "\n      https://island-post.example/cut-off\n" in asked.stdout + "\n"
    assert "Coastal Times" not in asked.stdout
    as_json = run(["ask", "--json", question, "--date-to", "2024-03-14"], tmp_path)
    cited = json.loads(as_json.stdout)["citations"]
    assert cited and all(c["date"] <= "2024-03-14" for c in cited)
    assert {c["outlet"] for c in cited} == {"Coastal Times"}
    later = run(["ask", "--json", question, "--date-from", "2030-01-01"], tmp_path)
    assert json.loads(later.stdout)["refused"] is True


@pytest.mark.slow
def test_reindex_of_html_with_absolute_dirs_is_nothing_to_do(tmp_path):
    """Absolute seeds and index dirs, run from elsewhere: the seeds folder is left as it was."""
    seeds, cwd = tmp_path / "articles", tmp_path / "elsewhere"
    seeds.mkdir()
    cwd.mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "newsroom" / "harbour.html", seeds / "page.html")
    env = {"ASSISTANT_SEEDS_DIR": str(seeds), "ASSISTANT_INDEX_DIR": str(tmp_path / "idx")}
    built = run(["index"], cwd, **env)
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("indexed 1 new or changed article (")
    again = run(["index"], cwd, **env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("nothing to do: 1 article unchanged (")
    assert "duplicate" not in again.stdout + again.stderr and "identical copy" not in again.stderr
    assert [p.name for p in seeds.iterdir()] == ["page.html"]


@pytest.mark.slow
def test_ask_about_one_article_then_verify_the_receipt(tmp_path):
    import hashlib

    from tests.conftest import SEED

    (tmp_path / "seeds").mkdir()
    article = tmp_path / "seeds" / SEED.name
    shutil.copy(SEED, article)
    shutil.copy(ROOT / "tests" / "fixtures" / "newsroom" / "bridge.txt", tmp_path / "seeds" / "bridge.txt")
    assert run(["index"], tmp_path).returncode == 0
    unknown = run(["ask", "What did officials say?", "--source", "nope.txt"], tmp_path)
    assert unknown.returncode == 2 and unknown.stderr.strip() == (
        f"error: unknown source 'nope.txt' — use one of: seeds/{SEED.name}, seeds/bridge.txt"
    )
    asked = run(["ask", "--json", "What did officials say?", "--source", SEED.name], tmp_path)
    assert asked.returncode == 0, asked.stderr
    asked_json = json.loads(asked.stdout)
    cited = asked_json["citations"]
    checked = len(cited) + (asked_json.get("short") is not None)  # verify checks the short answer too
    digest = hashlib.sha256(article.read_bytes()).hexdigest()
    assert cited and all(c["source"] == f"seeds/{SEED.name}" and c["sha256"] == digest for c in cited)
    receipt = tmp_path / "receipt.json"
    receipt.write_text(asked.stdout, encoding="utf-8")

    ok = run(["verify", str(receipt)], tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    lines = ok.stdout.splitlines()
    assert len(lines) == checked and all(line.startswith("ok [") for line in lines)

    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("Biden", "President Biden", 1), encoding="utf-8")  # an edit upstream
    changed = run(["verify", str(receipt)], tmp_path)
    assert changed.returncode == 1
    lines = changed.stdout.splitlines()
    assert len(lines) == checked and all(line.startswith("changed [") for line in lines)
    assert "SHA-256 is now" in lines[0]
