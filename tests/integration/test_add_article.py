"""Adding an article to a running Assistant: saved under uploads/, indexed at once, cited exactly."""

from __future__ import annotations

import shutil

import pytest

from assistant import Assistant
from assistant.ui.upload_panel import add_file, add_pasted
from assistant.uploads import UploadError, add, check_file
from tests.conftest import SEED, assert_exact

pytestmark = pytest.mark.slow

PAGE = (
    "<html><head><title>Sykora bridge reopens</title><script>alert('x')</script></head><body><article>"
    "<h1>Sykora bridge reopens</h1><p>The Ostrava city council reopened the Sykora bridge on Monday after "
    'eighteen months of repairs costing 240 million crowns.</p><img src=x onerror="alert(1)">'
    "<p>The mayor, Jan Dohnal, said trams would return to the bridge in March.</p></article></body></html>"
)


@pytest.fixture
def assistant(project, embedder):
    shutil.copy(SEED, project.seeds_dir / SEED.name)
    return Assistant(project, embedder=embedder).warm()


def files(settings) -> list[str]:
    return sorted(
        p.relative_to(settings.root).as_posix() for p in settings.seeds_dir.rglob("*") if p.is_file()
    )


def test_uploaded_page_is_answerable_at_once_with_exact_quotes(assistant, tmp_path):
    (tmp_path / "bridge.html").write_text(PAGE, encoding="utf-8")
    before = files(assistant.settings)
    status = add_file(assistant, str(tmp_path / "bridge.html"))
    assert "Added “Sykora bridge reopens” as seeds/uploads/bridge.md" in status
    assert files(assistant.settings) == sorted([*before, "seeds/uploads/bridge.md"])

    answer = assistant.answer("How much did the repairs of the Sykora bridge cost?")
    assert not answer.refused
    assert_exact(answer, assistant.settings.root)
    assert answer.citations[0].source == "seeds/uploads/bridge.md"
    assert "240 million crowns" in answer.citations[0].quote

    seed_only = assistant.answer(
        "How much did the repairs of the Sykora bridge cost?", where={"source": f"seeds/{SEED.name}"}
    )
    assert seed_only.refused  # the seed article says nothing about the bridge
    assert all(c.source == f"seeds/{SEED.name}" for c in seed_only.citations)


def test_the_same_text_twice_is_refused_and_not_saved(assistant):
    seed_text = SEED.read_bytes()
    with pytest.raises(UploadError, match=f"already indexed as seeds/{SEED.name}"):
        add(assistant, check_file("copy.txt", seed_text))
    status = add_pasted(assistant, "Rain in Brno", "2024-06-01", "Heavy rain flooded three streets in Brno.")
    assert "Added" in status
    again = add_pasted(assistant, "Rain in Brno", "2024-06-01", "Heavy rain flooded three streets in Brno.")
    assert "already indexed as seeds/uploads/rain-in-brno.md" in again and 'class="aa-error"' in again
    assert files(assistant.settings) == sorted([f"seeds/{SEED.name}", "seeds/uploads/rain-in-brno.md"])
    assert assistant.answer("What flooded in Brno?").citations[0].source == "seeds/uploads/rain-in-brno.md"
