"""A non-editable install works away from the checkout: prompts and ``py.typed`` ship as package data.

The package is built into a wheel from a copy of its sources (nothing is written into the checkout) and
installed, without its dependencies, into a fresh venv; a ``.pth`` file lends that venv the test venv's
dependencies, so no network is needed. Then the installed ``article-assistant`` answers with the local
model from a directory that holds no checkout, so it can only find its prompts in the installed package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def _run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True, **kwargs)


def _sources(to: Path) -> None:
    """A copy of what the wheel is built from: pyproject.toml, the README and the top-level packages."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    tops = {name.split(".")[0] for name in config["tool"]["setuptools"]["packages"]}
    for name in ("pyproject.toml", config["project"]["readme"]):
        shutil.copy2(ROOT / name, to / name)
    for top in sorted(tops):
        shutil.copytree(ROOT / top, to / top, ignore=shutil.ignore_patterns("__pycache__"))


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The ``bin`` directory of a fresh venv holding the installed wheel (removed afterwards)."""
    work = tmp_path_factory.mktemp("packaging")
    src = work / "src"
    src.mkdir()
    _sources(src)
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        work / "dist",
        src,
    )
    venv = work / "venv"
    _run(sys.executable, "-m", "venv", venv)
    wheels = list((work / "dist").glob("article_assistant-*.whl"))
    assert len(wheels) == 1
    _run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheels[0])
    site = _run(venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    # Only now, after pip is done with this venv, lend it the test venv's dependencies.
    (Path(site.stdout.strip()) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    yield venv / "bin"
    shutil.rmtree(work, ignore_errors=True)


def test_the_wheel_ships_the_prompts_and_py_typed(installed):
    code = (
        "import json, assistant, prompts; from importlib.resources import files; "
        "from assistant.prompts import read_prompt; "
        "print(json.dumps({'assistant': assistant.__file__, 'prompts': prompts.__file__, "
        "'typed': files('assistant').joinpath('py.typed').is_file(), 'system': read_prompt('system')}))"
    )
    found = json.loads(_run(installed / "python", "-c", code, cwd=installed).stdout)
    venv = str(installed.parent)
    assert found["assistant"].startswith(venv) and found["prompts"].startswith(venv)
    assert found["typed"]
    assert found["system"] == (ROOT / "prompts" / "system.txt").read_text(encoding="utf-8").strip()


def test_the_installed_command_answers_with_the_local_model_outside_the_checkout(installed, tmp_path):
    pytest.importorskip("llama_cpp")
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    shutil.copytree(ROOT / "seeds", project / "seeds")
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env |= {"ASSISTANT_ROOT": str(project), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    question = "What did Biden let Ukraine do?"
    done = subprocess.run(
        [str(installed / "article-assistant"), "ask", "--llm", "local", "--json", question],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert not answer["refused"] and answer["citations"]
    # The model wrote it (verified), or its reply could not be verified and the quotes stand in; either
    # way the prompts were found: a missing prompt file ends the command with a traceback instead.
    assert answer["mode"] == "local" or "language model" in answer["notice"]
    cited = answer["citations"][0]
    text = (project / cited["source"]).read_text(encoding="utf-8")
    assert text[cited["start"] : cited["end"]] == cited["quote"]
