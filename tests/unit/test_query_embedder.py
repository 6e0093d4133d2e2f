"""The query-embedder setting and its fallback, on a made-up model folder: nothing here loads a model."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant.settings import Settings
from index.errors import IndexMismatch
from index.onnx import FORMAT, MANIFEST, OnnxEmbeddings, current, ensure_export, fingerprint, query_embedder


@pytest.fixture
def model(tmp_path) -> Path:
    """A folder standing for a model: weights, a config and an export it ships (never read)."""
    folder = tmp_path / "model"
    (folder / "1_Pooling").mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"weights")
    (folder / "config.json").write_text("{}", encoding="utf-8")
    (folder / "1_Pooling" / "config.json").write_text("{}", encoding="utf-8")
    (folder / "onnx").mkdir()
    (folder / "onnx" / "model.onnx").write_bytes(b"shipped, not ours")
    return folder


def fake_export(model: Path, folder: Path) -> Path:
    """What ``index.onnx.export`` leaves behind, with placeholder files."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.onnx").write_bytes(b"graph")
    (folder / "model.onnx.data").write_bytes(b"weights")
    (folder / "tokenizer.json").write_text("{}", encoding="utf-8")
    manifest = {"format": FORMAT, "model": str(model), "source": str(model), "files": fingerprint(model)}
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return folder


class NamedOnly:
    """Stands for SentenceTransformerEmbeddings where only ``name`` is read."""

    def __init__(self, name: str) -> None:
        self.name = name


def test_the_setting_is_read_from_the_environment():
    assert Settings.from_env({}).query_embedder == "auto"
    assert Settings.from_env({"ASSISTANT_QUERY_EMBEDDER": " ONNX "}).query_embedder == "onnx"
    assert Settings.from_env({"ASSISTANT_QUERY_EMBEDDER": "torch"}).query_embedder == "torch"


def test_an_unknown_mode_names_the_choices(model, tmp_path):
    with pytest.raises(IndexMismatch, match="ASSISTANT_QUERY_EMBEDDER to one of: auto, onnx, torch"):
        query_embedder(str(model), tmp_path / "onnx", "gpu")


def test_auto_falls_back_to_torch_without_an_export(model, tmp_path):
    from index.embeddings import SentenceTransformerEmbeddings

    chosen = query_embedder(str(model), tmp_path / "onnx", "auto")
    assert isinstance(chosen, SentenceTransformerEmbeddings) and chosen._model is None  # not loaded yet


def test_onnx_without_an_export_says_how_to_make_one(model, tmp_path):
    with pytest.raises(IndexMismatch, match="run: article-assistant index"):
        query_embedder(str(model), tmp_path / "onnx", "onnx")


def test_a_current_export_is_used_and_reports_the_models_name(model, tmp_path):
    folder = fake_export(model, tmp_path / "onnx")
    assert current(folder, str(model), model)
    for mode in ("auto", "onnx"):
        chosen = query_embedder(str(model), folder, mode)
        assert isinstance(chosen, OnnxEmbeddings) and chosen.name == str(model)
    assert not isinstance(query_embedder(str(model), folder, "torch"), OnnxEmbeddings)


def test_a_changed_model_makes_the_export_stale(model, tmp_path):
    folder = fake_export(model, tmp_path / "onnx")
    (model / "model.safetensors").write_bytes(b"other weights")
    assert not current(folder, str(model), model)
    assert not isinstance(query_embedder(str(model), folder, "auto"), OnnxEmbeddings)
    (model / "onnx" / "model.onnx").write_bytes(b"changed")  # a shipped export is not the model
    fake_export(model, folder)
    (model / "onnx" / "model.onnx").write_bytes(b"changed again")
    assert current(folder, str(model), model)


def test_an_export_for_another_model_or_format_is_not_used(model, tmp_path):
    folder = fake_export(model, tmp_path / "onnx")
    assert not current(folder, "all-MiniLM-L6-v2", model)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    (folder / MANIFEST).write_text(json.dumps({**manifest, "format": FORMAT - 1}), encoding="utf-8")
    assert not current(folder, str(model), model)


def test_a_touched_but_unchanged_model_keeps_its_export(model, tmp_path, monkeypatch):
    import index.onnx

    folder = fake_export(model, tmp_path / "onnx")
    weights = model / "model.safetensors"
    os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns + 10**9))
    assert not current(folder, str(model), model)  # the times differ: a query process must not trust it
    monkeypatch.setattr(index.onnx, "export", lambda *a: pytest.fail("exported an unchanged model"))
    _, made = ensure_export(NamedOnly(str(model)), folder)
    assert made is False and current(folder, str(model), model)


def test_a_changed_model_is_exported_again(model, tmp_path, monkeypatch):
    import index.onnx

    folder = fake_export(model, tmp_path / "onnx")
    (model / "config.json").write_text('{"changed": true}', encoding="utf-8")
    calls = []
    monkeypatch.setattr(index.onnx, "export", lambda embedder, where: calls.append(where) or {"check": {}})
    assert ensure_export(NamedOnly(str(model)), folder)[1] is True and calls == [folder]


def test_builds_keep_sentence_transformers_when_queries_use_onnx(model, tmp_path):
    from assistant.core import Assistant
    from index.embeddings import SentenceTransformerEmbeddings

    onnx = OnnxEmbeddings(tmp_path / "onnx", str(model))
    bot = Assistant(Settings(root=tmp_path, embed_model=str(model)), embedder=onnx)
    assert bot.embedder is onnx
    assert isinstance(bot.build_embedder, SentenceTransformerEmbeddings) and bot.build_embedder.name == str(
        model
    )
    other = NamedOnly(str(model))
    assert Assistant(Settings(root=tmp_path), embedder=other).build_embedder is other
