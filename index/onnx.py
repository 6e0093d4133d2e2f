"""The query embedder without torch: the packaged model exported once to ONNX, run by onnxruntime.

``export`` traces the sentence-transformers model itself (its Transformer, mean Pooling and Normalize
modules) with ``torch.onnx.export`` into a folder beside the index, saves the tokenizer as the model uses it,
checks the export against sentence-transformers on texts of every length (cosine at least ``MIN_COSINE``)
and writes ``manifest.json`` last: a folder without one is not an export. The manifest records the model's
files (size, modification time and SHA-256), so a changed model is exported again and a query process only
needs ``stat`` to know its export is current.

``OnnxEmbeddings`` reads such a folder with ``onnxruntime`` and the model's own ``tokenizers`` tokenizer
(whitespace stripped, truncated at the model's ``max_seq_length``, as sentence-transformers does) and
reports the model's ``name``, so an index, the router's vectors and the word-vector cache made with
sentence-transformers serve it unchanged.

``query_embedder`` picks the embedder a query process uses (``auto``, ``onnx`` or ``torch``). This module
imports neither torch nor onnxruntime at import time; it does not build indexes (``index.build`` does,
always with sentence-transformers).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time
import warnings
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from index.errors import IndexMismatch, UserError
from index.settings import DEFAULT_MODEL

if TYPE_CHECKING:
    import numpy as np

    from index.embeddings import SentenceTransformerEmbeddings

log = logging.getLogger(__name__)
MODES = ("auto", "onnx", "torch")
FOLDER = "onnx"  # under the index directory
MANIFEST = "manifest.json"
MIN_COSINE = 0.9999
SKIP_DIRS = {"onnx", "openvino"}  # exports a model folder may ship: never read, never hashed
OPSET = 17
# 2: the weights in a file of their own (``model.onnx.data``), which onnxruntime maps rather than copies: a
# query process peaks about 80 MB lower and opens the model in half the time.
FORMAT = 2
FILES = ("model.onnx", "model.onnx.data", "tokenizer.json")


class ExportFailed(UserError):
    """The model could not be exported to ONNX, or the export does not agree with sentence-transformers."""


def model_files(model_path: Path) -> list[Path]:
    """The files that make the model (weights, configuration, tokenizer), sorted; exports it ships skipped."""
    return sorted(
        p
        for p in model_path.rglob("*")
        if p.is_file() and not SKIP_DIRS & set(p.relative_to(model_path).parts[:-1])
    )


def _stat(path: Path) -> dict:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(model_path: Path) -> dict[str, dict]:
    """``{relative path: {size, mtime_ns, sha256}}`` of every model file."""
    return {
        str(p.relative_to(model_path)): {**_stat(p), "sha256": _sha256(p)} for p in model_files(model_path)
    }


def read_manifest(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def current(folder: Path, name: str, model_path: Path) -> bool:
    """True when ``folder`` holds a checked export of the model at ``model_path`` as its files are now.

    Compares sizes and modification times only (no hashing): cheap enough for every query process.
    """
    manifest = read_manifest(folder)
    if manifest is None or manifest.get("model") != name or manifest.get("source") != str(model_path):
        return False
    if manifest.get("format") != FORMAT or not all((folder / f).is_file() for f in FILES):
        return False
    files = manifest.get("files", {})
    try:
        now = {str(p.relative_to(model_path)): _stat(p) for p in model_files(model_path)}
    except OSError:
        return False
    return set(now) == set(files) and all(
        {k: files[f].get(k) for k in ("size", "mtime_ns")} == now[f] for f in now
    )


def check_texts() -> list[str]:
    """Texts of every kind the check compares: short, long past truncation, punctuation, other scripts."""
    words = "The minister said the talks in Geneva would resume on Tuesday after a week of delays".split()
    return [
        "",
        "Putin",
        "Where was Putin when he spoke about escalation?",
        "What did Biden let Ukraine do?",
        "  leading and trailing spaces  ",
        "Zürich, São Paulo and Kraków — « quotes », 'apostrophes' & 100% (really)!",
        "Москва заявила о переговорах; 北京 表示 同意。",
        " ".join(words * 40),  # far past 256 tokens: truncated
        "\n".join(words[:8]),
    ]


def export(embedder: SentenceTransformerEmbeddings, folder: Path) -> dict:
    """Export ``embedder``'s model to ONNX in ``folder`` and check it; return the manifest written.

    Written into a temporary folder beside ``folder`` and moved into place when checked, so a reader never
    finds a half-written export. Raises ExportFailed when the model is not one this can export (mean
    pooling over a Hugging Face transformer) or when the export disagrees with sentence-transformers.
    """
    import torch
    from sentence_transformers import SentenceTransformer

    from index.embeddings import resolve_model_path

    model_path = resolve_model_path(embedder.name)
    model: SentenceTransformer = embedder.model
    pooling = model[1] if len(model) > 1 else None
    mean = getattr(pooling, "pooling_mode", None) == "mean" or getattr(pooling, "pooling_mode_mean_tokens", 0)
    if not mean or not hasattr(model[0], "auto_model"):
        raise ExportFailed(
            f"the model {embedder.name!r} is not a transformer with mean pooling; queries use torch "
            "(set ASSISTANT_QUERY_EMBEDDER=torch to stop trying)"
        )
    tokenizer = model.tokenizer
    inputs = [
        n for n in ("input_ids", "attention_mask", "token_type_ids") if n in tokenizer.model_input_names
    ]

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors):
            out = self.model(dict(zip(inputs, tensors, strict=True)))["sentence_embedding"]
            return torch.nn.functional.normalize(out, p=2, dim=1)

    tmp = folder.with_name(f".{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    sample = tokenizer(["a short text", "a longer text with a few more words in it"], padding=True)
    args = tuple(torch.tensor(sample[n], dtype=torch.int64) for n in inputs)
    dynamic = {n: {0: "batch", 1: "tokens"} for n in inputs} | {"embedding": {0: "batch"}}
    started = time.perf_counter()
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes on shapes: the check below is what counts
            torch.onnx.export(
                Pooled().eval(),
                args,
                str(tmp / "traced.onnx"),
                input_names=inputs,
                output_names=["embedding"],
                dynamic_axes=dynamic,
                opset_version=OPSET,
                dynamo=False,
            )
    except (RuntimeError, TypeError, ValueError, ImportError) as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ExportFailed(f"cannot export {embedder.name!r} to ONNX ({type(e).__name__}: {e})") from e
    _weights_apart(tmp / "traced.onnx", tmp / "model.onnx")
    tokenizer.backend_tokenizer.save(str(tmp / "tokenizer.json"))
    manifest = {
        "format": FORMAT,
        "model": embedder.name,
        "source": str(model_path),
        "files": fingerprint(model_path),
        "max_seq_length": int(model.max_seq_length),
        "pad_id": int(tokenizer.pad_token_id or 0),
        "pad_token": str(tokenizer.pad_token or "[PAD]"),
        "inputs": inputs,
        "opset": OPSET,
        "torch": torch.__version__,
        "export_s": round(time.perf_counter() - started, 2),
    }
    worst = agreement(embedder, OnnxEmbeddings(tmp, embedder.name, manifest=manifest), check_texts())
    if worst < MIN_COSINE:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ExportFailed(
            f"the ONNX export of {embedder.name!r} disagrees with sentence-transformers (cosine {worst:.6f} "
            f"< {MIN_COSINE}); queries use torch"
        )
    manifest["check"] = {"texts": len(check_texts()), "min_cosine": worst}
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp, folder)
    return manifest


def _weights_apart(traced: Path, target: Path) -> None:
    """The traced graph saved again with its weights in ``<target>.data``, readable by all as the graph is."""
    import onnx

    onnx.save_model(
        onnx.load(str(traced)),
        str(target),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=f"{target.name}.data",
        size_threshold=1024,
    )
    traced.unlink()
    target.with_name(f"{target.name}.data").chmod(0o644)


def agreement(reference: Embeddings, other: Embeddings, texts: list[str]) -> float:
    """The lowest cosine between the two embedders' vectors of the same texts (both normalise)."""
    import numpy as np

    a = np.asarray(reference.embed_documents(texts), dtype=np.float64)
    b = np.asarray(other.embed_documents(texts), dtype=np.float64)
    cos = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return float(cos.min())


def ensure_export(embedder: SentenceTransformerEmbeddings, folder: Path) -> tuple[dict, bool]:
    """The export of ``embedder``'s model in ``folder``, made (or made again) when missing or stale.

    Returns the manifest and whether it was exported now. A model whose files were touched but not changed
    (same SHA-256) keeps its export; only the recorded times are updated.
    """
    from index.embeddings import resolve_model_path

    model_path = resolve_model_path(embedder.name)
    if current(folder, embedder.name, model_path):
        return read_manifest(folder) or {}, False
    manifest = read_manifest(folder)
    if manifest and manifest.get("model") == embedder.name and manifest.get("source") == str(model_path):
        files = fingerprint(model_path)
        same = {f: v["sha256"] for f, v in files.items()} == {
            f: v.get("sha256") for f, v in manifest.get("files", {}).items()
        }
        if same and manifest.get("format") == FORMAT and all((folder / f).is_file() for f in FILES):
            manifest["files"] = files
            (folder / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
            return manifest, False
    return export(embedder, folder), True


class OnnxEmbeddings(Embeddings):
    """Normalised embeddings from an exported model folder (see ``export``); ``name`` is the model's."""

    def __init__(
        self, folder: Path, name: str = DEFAULT_MODEL, batch_size: int = 64, manifest: dict | None = None
    ) -> None:
        self.folder = Path(folder)
        self.name = name
        self.batch_size = batch_size
        self._manifest = manifest
        self._session = None
        self._tokenizer = None
        self._lock = threading.Lock()

    def _load(self):
        if self._session is None:
            with self._lock:
                if self._session is None:
                    import onnxruntime
                    from tokenizers import Tokenizer

                    manifest = self._manifest or read_manifest(self.folder)
                    if manifest is None:
                        raise IndexMismatch(
                            f"no ONNX export at {self.folder}/ — run: article-assistant index"
                        )
                    tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
                    tokenizer.enable_truncation(max_length=int(manifest["max_seq_length"]))
                    tokenizer.enable_padding(pad_id=manifest["pad_id"], pad_token=manifest["pad_token"])
                    options = onnxruntime.SessionOptions()
                    options.log_severity_level = 3
                    options.enable_cpu_mem_arena = False
                    self._inputs = list(manifest["inputs"])
                    self._tokenizer = tokenizer
                    self._session = onnxruntime.InferenceSession(
                        str(self.folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
                    )
        return self._session, self._tokenizer

    def encode(self, texts: list[str]) -> np.ndarray:
        """One normalised float32 row per text; batched by length, as sentence-transformers batches."""
        import numpy as np

        session, tokenizer = self._load()
        texts = [str(t).strip() for t in texts]
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        rows = []
        for i in range(0, len(order), self.batch_size):
            batch = tokenizer.encode_batch([texts[j] for j in order[i : i + self.batch_size]])
            arrays = {
                "input_ids": [e.ids for e in batch],
                "attention_mask": [e.attention_mask for e in batch],
                "token_type_ids": [e.type_ids for e in batch],
            }
            feeds = {n: np.asarray(arrays[n], dtype=np.int64) for n in self._inputs}
            rows.append(session.run(None, feeds)[0])
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        out = np.empty((len(texts), rows[0].shape[1]), dtype=np.float32)
        out[order] = np.concatenate(rows)
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return list(self._embed_query_cached(text))

    @lru_cache(maxsize=1024)  # noqa: B019 - one embedder per process; the cache is the point
    def _embed_query_cached(self, text: str) -> tuple[float, ...]:
        return tuple(self.encode([text])[0].tolist())


def query_embedder(name: str, folder: Path, mode: str = "auto") -> Embeddings:
    """The embedder a query process uses: ``onnx`` (the export in ``folder``, which must be current),
    ``torch`` (sentence-transformers) or ``auto`` (ONNX when its export is current, else torch)."""
    from index.embeddings import SentenceTransformerEmbeddings, resolve_model_path

    if mode not in MODES:
        raise IndexMismatch(
            f"unknown query embedder {mode!r} — set ASSISTANT_QUERY_EMBEDDER to one of: {', '.join(MODES)}"
        )
    if mode == "torch":
        return SentenceTransformerEmbeddings(name)
    if current(folder, name, resolve_model_path(name)):
        return OnnxEmbeddings(folder, name)
    if mode == "onnx":
        raise IndexMismatch(
            f"no current ONNX export of {name!r} at {folder}/ — run: article-assistant index "
            "(or set ASSISTANT_QUERY_EMBEDDER=torch)"
        )
    log.info("no current ONNX export at %s/: queries are embedded with sentence-transformers", folder)
    return SentenceTransformerEmbeddings(name)
