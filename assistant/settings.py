"""Settings: one frozen dataclass, read from the environment only by entry points (``Settings.from_env``)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from index.settings import DEFAULT_MODEL

MAX_QUESTION_CHARS = 2000


@dataclass(frozen=True)
class Settings:
    root: Path = Path(".")
    seeds_dir: Path = Path("seeds")
    index_dir: Path = Path(".index")
    embed_model: str = DEFAULT_MODEL
    collection: str = "articles"
    chroma_url: str | None = None
    n_sources: int = 3
    chunk_size: int = 600
    llm: str = "extractive"
    llm_model: str | None = None
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 60.0
    max_question_chars: int = MAX_QUESTION_CHARS
    query_embedder: str = "auto"  # auto | onnx | torch: what embeds questions (see index.onnx)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> Settings:
        """Build settings from ``ASSISTANT_*`` variables; keyword overrides (CLI flags) win when not None."""
        env = os.environ if env is None else env
        root = Path(env.get("ASSISTANT_ROOT", "."))
        values = {
            "root": root,
            "seeds_dir": root / env.get("ASSISTANT_SEEDS_DIR", "seeds"),
            "index_dir": root / env.get("ASSISTANT_INDEX_DIR", ".index"),
            "embed_model": env.get("ASSISTANT_EMBED_MODEL", DEFAULT_MODEL),
            "collection": env.get("ASSISTANT_COLLECTION", "articles"),
            "chroma_url": env.get("ASSISTANT_CHROMA_URL") or None,
            "n_sources": int(env.get("ASSISTANT_SOURCES", 3)),
            "llm": env.get("ASSISTANT_LLM", "extractive"),
            "llm_model": env.get("ASSISTANT_LLM_MODEL") or None,
            "llm_base_url": env.get("ASSISTANT_LLM_BASE_URL") or None,
            "llm_api_key": env.get("ASSISTANT_LLM_API_KEY") or env.get("OPENAI_API_KEY") or None,
            "llm_timeout": float(env.get("ASSISTANT_LLM_TIMEOUT", 60)),
            "query_embedder": env.get("ASSISTANT_QUERY_EMBEDDER", "auto").strip().lower() or "auto",
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("seeds_dir", "index_dir", "root"):
            values[key] = Path(values[key])
        return cls(**values)

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)
