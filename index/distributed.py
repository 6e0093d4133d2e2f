"""Split and embed on Ray: the engine of ``article-assistant index --engine ray``.

The articles to index become a Ray Data job, ``from_items -> map_batches(Prepare)``: each worker actor loads
one sentence-transformers model (and spaCy) once, in its constructor, and turns batches of articles into
their records with the very ``split_document`` and ``records`` of the single-process build. The records
stream back to this process as they are made, and ``build_index`` writes, commits and publishes them as it
always does: the index is the same whichever engine built it, and each article still appears all at once.

Without an address a local Ray of ``workers`` CPUs is started for the build and stopped after it; with one
(``auto``, ``ray://head:10001``) the job runs on that cluster, whose nodes must have the project installed
(``pip install 'article-assistant[distributed]'``) and the model it names.

Ray is the optional extra ``distributed``, imported only here and only when this engine runs. This module
does not load files, plan, write or publish: ``index.build`` does.
"""

from __future__ import annotations

import json
import logging
import math
import os
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.errors import EngineUnavailable

if TYPE_CHECKING:
    from langchain_core.documents import Document

    from index.build import ArticleRecords

log = logging.getLogger(__name__)
INSTALL = "pip install 'article-assistant[distributed]'"
MAX_ARTICLES_PER_TASK = 16  # about 350 BBC sentences: one encoder call large enough to keep a core busy
# What every worker needs in its environment: no downloads, no telemetry, tokenizers left single-threaded.
WORKER_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "ANONYMIZED_TELEMETRY": "False",
}


def require_ray():
    """The ``ray`` module with Ray Data, or EngineUnavailable naming the extra to install."""
    try:
        import ray
        import ray.data  # noqa: F401 - Ray Data is a separate part of the ``ray`` package
    except ImportError as e:
        raise EngineUnavailable(
            f"--engine ray needs Ray Data ({e.name or 'ray'} is not installed) — run: {INSTALL}"
        ) from e
    return ray


def _local_pythonpath() -> str:
    """This process's import path for the project, first, so a local Ray imports the same ``index``."""
    here = str(Path(__file__).resolve().parent.parent)
    rest = os.environ.get("PYTHONPATH", "")
    return os.pathsep.join([here, rest]) if rest else here


def articles_per_task(articles: int, workers: int) -> int:
    """Articles per worker call: about four calls per worker, so none waits long for the slowest, and at
    most ``MAX_ARTICLES_PER_TASK``."""
    return max(1, min(MAX_ARTICLES_PER_TASK, math.ceil(articles / (4 * max(1, workers)))))


def to_item(doc: Document) -> dict[str, str]:
    """An article as a row of the Ray dataset: its text and its metadata as JSON (plain strings travel)."""
    return {"id": doc.id or "", "text": doc.page_content, "metadata": json.dumps(doc.metadata)}


def from_item(item: dict[str, Any]) -> Document:
    from langchain_core.documents import Document

    return Document(
        id=str(item["id"]) or None, page_content=str(item["text"]), metadata=json.loads(item["metadata"])
    )


class Prepare:
    """A Ray Data actor: one model and one splitter per worker, loaded once, then batch after batch of
    articles turned into their records (pickled ``ArticleRecords``, one per article)."""

    def __init__(self, model: str, batch_size: int, chunk_size: int) -> None:
        from index.embeddings import SentenceTransformerEmbeddings
        from index.entities import pipeline
        from index.splitter import SentencePassageSplitter

        self.embedder = SentenceTransformerEmbeddings(model, batch_size=batch_size)
        self.splitter = SentencePassageSplitter(chunk_size=chunk_size)
        self.embedder.model  # noqa: B018 - loaded now, not inside the first batch
        pipeline()

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[bytes]]:
        from index.build import records, split_document

        docs = [
            from_item({"id": i, "text": t, "metadata": m})
            for i, t, m in zip(batch["id"], batch["text"], batch["metadata"], strict=True)
        ]
        split = [(doc, *split_document(doc, self.splitter)) for doc in docs]
        return {"records": [pickle.dumps(article) for article in records(split, self.embedder)]}


class RayEngine:
    """Splits and embeds the articles on Ray workers; ``build_index(..., engine=RayEngine(...))``.

    ``address``: None starts a local Ray of ``workers`` CPUs for the build (stopped after it); ``auto`` or
    ``ray://host:10001`` uses a running cluster. ``workers``: how many actors, each holding one model and
    using one CPU. ``model`` and ``batch_size`` are the embedder's (``SentenceTransformerEmbeddings``).
    """

    def __init__(
        self, model: str, address: str | None = None, workers: int = 2, batch_size: int = 64
    ) -> None:
        if workers < 1:
            raise EngineUnavailable(f"--workers must be at least 1, not {workers} — e.g. --workers 2")
        require_ray()  # fail now, before anything is loaded, when the extra is missing
        self.model = model
        self.address = address or None
        self.workers = workers
        self.batch_size = batch_size

    @classmethod
    def for_embedder(cls, embedder, address: str | None = None, workers: int = 2) -> RayEngine:
        """The engine whose workers each load the same model as ``embedder`` (its ``name``)."""
        return cls(embedder.name, address, workers, getattr(embedder, "batch_size", 64))

    def _connect(self, ray) -> bool:
        """Join or start Ray; True when this engine started it (and so must stop it)."""
        if ray.is_initialized():
            return False
        env = dict(WORKER_ENV)
        kwargs: dict[str, Any] = {}
        if self.address is None:  # a local Ray runs this checkout's code, whether installed or not
            env["PYTHONPATH"] = _local_pythonpath()
            kwargs = {"num_cpus": self.workers, "include_dashboard": False}
        ray.init(
            address=self.address,
            runtime_env={"env_vars": env},
            log_to_driver=False,
            logging_level=logging.WARNING,
            **kwargs,
        )
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False  # build_index shows one bar of articles
        context.print_on_execution_start = False
        if not log.isEnabledFor(logging.INFO):  # Ray Data's notes on its own progress, unless -v
            logging.getLogger("ray.data").setLevel(logging.WARNING)
            logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)
        return True

    def prepare(self, todo: list[Document], chunk_size: int) -> Iterator[list[ArticleRecords]]:
        """The records of ``todo``, a batch per worker call, in the order the workers finish them."""
        if not todo:
            return
        ray = require_ray()
        started = self._connect(ray)
        try:
            dataset = ray.data.from_items([to_item(doc) for doc in todo]).map_batches(
                Prepare,
                fn_constructor_kwargs={
                    "model": self.model,
                    "batch_size": self.batch_size,
                    "chunk_size": chunk_size,
                },
                batch_size=articles_per_task(len(todo), self.workers),
                compute=ray.data.ActorPoolStrategy(size=self.workers),
                num_cpus=1,
            )
            for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
                yield [pickle.loads(blob) for blob in batch["records"]]
        finally:
            if started:
                ray.shutdown()
