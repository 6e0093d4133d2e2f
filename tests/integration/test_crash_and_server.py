"""Crash safety (SIGKILL during a build), rebuilds while serving, and a Chroma server that goes away."""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.errors import StoreUnavailable
from assistant.settings import Settings
from index.build import build_index
from index.store import open_index
from tests.conftest import CHROMA_URL, ROOT, SEED, chroma_server, free_port

pytestmark = pytest.mark.slow

CITIES = ["Springfield", "Riverton", "Lakeside", "Fairview", "Kingsport", "Milltown", "Oakridge", "Bayville"]
THINGS = ["bridge", "library", "school", "hospital", "stadium", "museum", "park", "station"]


def write_articles(seeds: Path, n: int, variant: str = "") -> None:
    """``n`` small news-like articles; ``variant`` changes a third of them."""
    rng = random.Random(7)
    seeds.mkdir(parents=True, exist_ok=True)
    quarters = ["North", "South", "East", "West", "Upper", "Lower", "Old", "New"]
    for i in range(n):  # every article a different town, so none is a near-copy of another
        city = f"{quarters[i // len(CITIES) % len(quarters)]} {CITIES[i % len(CITIES)]}"
        thing = THINGS[(i * 3 + i // len(CITIES)) % len(THINGS)]
        extra = variant if i % 3 == 0 else ""
        paragraphs = [
            f"The council of {city} approved a new {thing} on Tuesday, officials said.{extra}",
            f"Construction of the {thing} will cost {rng.randint(2, 90)} million dollars and take "
            f"{rng.randint(1, 5)} years, according to the mayor.",
            f"Residents of {city} have asked for a {thing} since {rng.randint(1990, 2020)}. "
            f"Some of them protested outside the town hall last month.",
            f"The {thing} will open in {rng.choice(['spring', 'summer', 'autumn', 'winter'])} "
            f"{rng.randint(2026, 2030)}, the council said in a statement.",
        ]
        text = f"date 2024-05-{(i % 28) + 1:02d} {city} gets a {thing}\n\n" + "\n\n".join(paragraphs) + "\n"
        (seeds / f"article_{i:03d}.txt").write_text(text, encoding="utf-8")


def snapshot(settings: Settings, embedder) -> dict[str, list[str]]:
    """Sorted ids of every part of the index in service (duplicates would show as repeats)."""
    store = open_index(settings, embedder)
    return {kind: sorted(getattr(store, kind).get()["ids"]) for kind in ("sentences", "passages", "docs")}


def cli(*args: str, cwd: Path, env_extra: dict | None = None, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env_extra or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def settings_for(root: Path, collection: str = "articles") -> Settings:
    return Settings(root=root, seeds_dir=root / "seeds", index_dir=root / ".index", collection=collection)


@pytest.mark.skipif(
    CHROMA_URL is not None, reason="kills the embedded indexer; the server run repeats nothing new"
)
def test_sigkill_during_build_then_rerun_equals_a_clean_build(tmp_path, embedder):
    reference = tmp_path / "reference"
    write_articles(reference / "seeds", 40)
    started = time.monotonic()
    assert cli("index", cwd=reference).wait(timeout=600) == 0
    full = time.monotonic() - started
    clean = snapshot(settings_for(reference), embedder)
    assert len(clean["docs"]) == 40

    changed = tmp_path / "changed"
    write_articles(changed / "seeds", 40, variant=" The vote was close.")
    assert cli("index", cwd=changed).wait(timeout=600) == 0
    clean_changed = snapshot(settings_for(changed), embedder)

    rng = random.Random(11)
    for attempt, fraction in enumerate([0.6, 0.75, 0.88, 0.97]):
        work = tmp_path / f"kill{attempt}"
        if attempt % 2:  # a re-index of changed articles, killed part-way
            write_articles(work / "seeds", 40)
            assert cli("index", cwd=work).wait(timeout=600) == 0
            shutil.rmtree(work / "seeds")
            write_articles(work / "seeds", 40, variant=" The vote was close.")
            expected = clean_changed
        else:  # a first build, killed part-way
            write_articles(work / "seeds", 40)
            expected = clean
        proc = cli("index", cwd=work)
        time.sleep(full * fraction * rng.uniform(0.9, 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        rerun = cli("index", cwd=work)
        assert rerun.wait(timeout=600) == 0, rerun.stderr.read()
        assert snapshot(settings_for(work), embedder) == expected, f"kill at {fraction:.0%} of a build"


def served(settings: Settings, embedder) -> dict[str, dict[str, list[str]]]:
    """What the index serves, by article: the sorted sentence and passage ids of each committed version."""
    from index.store import live_articles

    store = open_index(settings, embedder)
    live = live_articles(store)
    out: dict[str, dict[str, list[str]]] = {source: {"sentences": [], "passages": []} for source in live}
    for kind in ("sentences", "passages"):
        for rid, m in zip(*(lambda g: (g["ids"], g["metadatas"]))(store.read(kind)), strict=True):
            if live.get(m["source"]) == m["doc_hash"]:
                out[m["source"]][kind].append(rid)
    return {source: {kind: sorted(ids) for kind, ids in parts.items()} for source, parts in out.items()}


def _kill_part_way(work: Path, seconds: float, *files: str) -> None:
    proc = cli("index", *files, cwd=work)
    time.sleep(seconds)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.mark.skipif(
    CHROMA_URL is not None, reason="kills the embedded indexer; the server run repeats nothing"
)
@pytest.mark.parametrize("change", ["append", "removal", "named"])
def test_sigkill_during_an_in_place_change_keeps_serving_whole_articles(tmp_path, embedder, change):
    """Articles added to (or removed from) a built index, the indexer killed part-way: the index serves what
    it served, plus (or minus) whole articles only, and the re-run equals a clean build. ``named``: the
    articles appended are indexed as uploads are, by name (``index FILE...``, ``build_index(changed=)``)."""
    files = [f"seeds/article_{i:03d}.txt" for i in range(40, 60)] if change == "named" else []

    def prepare(work: Path) -> None:
        write_articles(work / "seeds", 40)
        assert cli("index", cwd=work).wait(timeout=600) == 0
        if change in ("append", "named"):
            write_articles(work / "more", 60)
            for i in range(40, 60):
                shutil.copy(work / "more" / f"article_{i:03d}.txt", work / "seeds")
        else:
            for i in range(0, 40, 2):
                (work / "seeds" / f"article_{i:03d}.txt").unlink()

    reference = tmp_path / "reference"
    prepare(reference)
    before = served(settings_for(reference), embedder)
    started = time.monotonic()
    proc = cli("index", *files, cwd=reference)
    assert proc.wait(timeout=600) == 0
    change_time = time.monotonic() - started
    if files:  # by name: the 40 articles already indexed were not planned at all
        assert "indexed 20 new or changed articles" in (out := proc.stdout.read()) and "0 unchanged" in out
    after = served(settings_for(reference), embedder)
    clean = snapshot(settings_for(reference), embedder)
    assert len(after) == (20 if change == "removal" else 60)

    for attempt, fraction in enumerate([0.5, 0.7, 0.85, 0.95]):
        work = tmp_path / f"kill{attempt}"
        prepare(work)
        _kill_part_way(work, change_time * fraction, *files)
        now = served(settings_for(work), embedder)
        for source, parts in now.items():  # every article served is whole, as one build or the other has it
            assert parts == before.get(source) or parts == after.get(source), f"{source} half-served"
        kept = set(before) & set(after)
        assert kept <= set(now), "an article that stays was lost"
        app = Assistant(settings_for(work), embedder=embedder)
        answer = app.answer("What did the council of North Riverton approve?")
        assert not answer.refused and "Riverton" in answer.citations[0].quote, answer.text
        rerun = cli("index", *files, cwd=work)
        assert rerun.wait(timeout=600) == 0, rerun.stderr.read()
        assert snapshot(settings_for(work), embedder) == clean, f"kill at {fraction:.0%} of the {change}"


def test_rebuild_while_serving_never_shows_a_half_built_index(project, embedder):
    write_articles(project.seeds_dir, 12)
    shutil.copy(SEED, project.seeds_dir / SEED.name)
    build_index(project, embedder, progress=False)
    serving = Assistant(project, embedder=embedder).warm()
    builder = Assistant(project, embedder=embedder)
    answers = []
    for round_ in range(3):
        write_articles(project.seeds_dir, 12, variant=f" Round {round_}.")
        build_index(project, builder.embedder, progress=False)
        answers.append(serving.answer("Who was first to report the decision?"))
        answers.append(serving.answer("What did the council of Springfield approve?"))
    for a in answers:
        assert not a.refused, a.text
    assert all("Politico" in a.text for a in answers[::2])
    assert serving.store.generation == open_index(project, embedder).generation


def test_two_apps_answer_while_a_third_reindexes_on_one_server(tmp_path):
    root = tmp_path / "project"
    write_articles(root / "seeds", 8)
    shutil.copy(SEED, root / "seeds" / SEED.name)
    stop = tmp_path / "stop"
    script = (
        "import json, os, sys\n"
        "from assistant import answer\n"
        "answer('warm up')\n"
        "print('ready', flush=True)\n"
        "while not os.path.exists(sys.argv[1]):\n"
        "    for q in ('Who was first to report the decision?',\n"
        "              'What did the council of Springfield approve?'):\n"
        "        try:\n"
        "            a = answer(q)\n"
        "            print(json.dumps({'q': q, 'refused': a.refused, 'text': a.text,\n"
        "                'cites': [[c.source, c.start, c.end, c.quote] for c in a.citations]}), flush=True)\n"
        "        except Exception as e:\n"
        "            print(json.dumps({'q': q, 'error': repr(e)}), flush=True)\n"
    )
    with chroma_server(tmp_path / "chroma") as url:
        env = {"ASSISTANT_CHROMA_URL": url}
        assert cli("index", cwd=root, env_extra=env).wait(timeout=600) == 0
        apps = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(stop)],
                cwd=root,
                env={**os.environ, "PYTHONPATH": str(ROOT), **env},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        try:
            for app in apps:  # both apps have loaded the model and answered once
                assert app.stdout.readline().strip() == "ready", app.stderr.read()
            for round_ in range(2):
                write_articles(root / "seeds", 8, variant=f" Round {round_}.")
                indexer = cli("index", cwd=root, env_extra=env)
                assert indexer.wait(timeout=600) == 0, indexer.stderr.read()
            time.sleep(2)  # the apps notice the new generation (checked once a second)
            stop.touch()
            outputs = [app.communicate(timeout=120)[0] for app in apps]
        finally:
            for app in apps:
                app.kill()
        seed_text = SEED.read_text(encoding="utf-8")
        for out in outputs:
            rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
            assert len(rows) >= 10, out[-2000:]
            assert not [r for r in rows if "error" in r]
            assert not [r for r in rows if r["refused"]]
            for r in rows:
                if r["q"].startswith("Who first"):
                    assert "Politico" in r["text"]
                    for _source, start, end, quote in r["cites"]:
                        assert seed_text[start:end] == quote


def test_server_going_away_is_a_clear_error_and_the_app_recovers(tmp_path, embedder):
    root = tmp_path / "project"
    (root / "seeds").mkdir(parents=True)
    shutil.copy(SEED, root / "seeds" / SEED.name)
    port = free_port()
    data = tmp_path / "chroma"
    with chroma_server(data, port) as url:
        settings = settings_for(root).with_(chroma_url=url)
        build_index(settings, embedder, progress=False)
        app = Assistant(settings, embedder=embedder)
        assert "Politico" in app.answer("Who was first to report the decision?").text
    with pytest.raises(StoreUnavailable) as info:
        app.answer("Which agency contributed to the report?")
    assert "cannot reach the Chroma server" in str(info.value) and "\n" not in str(info.value)
    with chroma_server(data, port):
        assert "AFP" in app.answer("Which agency contributed to the report?").text
