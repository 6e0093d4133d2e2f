"""The ONNX query embedder against sentence-transformers: the same vectors, the same citations, no torch.

The export is made once per session from the packaged model (as ``article-assistant index`` makes it) into
the seed project's index folder, where a fresh process finds it.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys

import pytest

from tests.conftest import CHROMA_URL, ROOT, SEED, load_dev, store_free

pytestmark = pytest.mark.slow
HEAVY = ("torch", "sentence_transformers", "transformers", "spacy", "langchain_chroma", "langsmith")


@pytest.fixture(scope="session")
def onnx_embedder(embedder, seed_settings):
    from index.onnx import FOLDER, OnnxEmbeddings, ensure_export

    folder = seed_settings.index_dir / FOLDER
    ensure_export(embedder, folder)
    return OnnxEmbeddings(folder, embedder.name)


def varied_texts(n: int = 1000, seed: int = 18) -> list[str]:
    """``n`` distinct texts, the same every run: the seed article's sentences and word windows (one word to
    far past 256 tokens), dev questions, and made-up strings with punctuation, digits, case and scripts."""
    rng = random.Random(seed)
    article = SEED.read_text(encoding="utf-8")
    sentences = [s.strip() for s in re.split(r"(?<=[.!?\"”])\s+", article) if s.strip()]
    words = article.split()
    dev = [q for row in load_dev() for q in (row["question"], *row["history_questions"])]
    extras = [
        "",
        " ",
        "?!",
        "…",
        "Zürich, São Paulo, Kraków",
        "Москва и Киев",
        "北京 上海 东京",
        "مرحبا بالعالم",
        "emoji 🚀🔥 in text",
        "$1,250,000 on 2024-05-30 at 10:45",
        "ALL CAPS HEADLINE",
        "tab\tand\nnewline",
        "  padded  ",
        "e-mail@example.com https://example.com/a?b=c",
    ]
    texts = list(dict.fromkeys([*sentences, *dev, *extras]))
    seen = set(texts)
    lengths = (1, 2, 3, 5, 8, 13, 21, 40, 80, 150, 300, 600)
    while len(texts) < n:
        kind = rng.random()
        size = rng.choices(lengths, weights=(6, 6, 6, 6, 6, 6, 4, 3, 2, 1, 1, 1))[0]  # long ones are slow
        start = rng.randrange(max(1, len(words) - size))
        window = " ".join((words * (1 + size // len(words)))[start : start + size])
        if kind < 0.5:
            text = window
        elif kind < 0.65:
            text = window.upper()
        elif kind < 0.8:
            text = f"{rng.choice(dev)} {rng.choice(['', '?', '!!', '...', ' (really)', ' — why?'])}".strip()
            text = text + " " + " ".join(rng.sample(words, min(len(words), rng.choice((1, 3, 6)))))
        elif kind < 0.9:
            text = "".join(
                rng.choice("abcdefghijklmnopqrstuvwxyzéüß0123456789 .,;:'\"-()") for _ in range(size)
            )
        else:
            text = f"{rng.choice(extras)} {window} {rng.choice(extras)}"
        if text not in seen:
            seen.add(text)
            texts.append(text)
    return texts[:n]


def _cosines(a, b):
    import numpy as np

    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@store_free
def test_the_two_embedders_agree_on_1000_varied_texts(embedder, onnx_embedder):
    texts = varied_texts()
    assert len(texts) == 1000 and len(set(texts)) == 1000
    assert max(len(t.split()) for t in texts) > 300  # some are truncated at 256 tokens
    cos = _cosines(embedder.embed_documents(texts), onnx_embedder.embed_documents(texts))
    worst = int(cos.argmin())
    assert cos.min() >= 0.9999, (cos.min(), texts[worst][:80])
    # one text at a time (no padding), as a question is embedded
    queries = texts[:: len(texts) // 50]
    cos = _cosines(
        [embedder.embed_query(q) for q in queries], [onnx_embedder.embed_query(q) for q in queries]
    )
    assert cos.min() >= 0.9999


@store_free
def test_the_onnx_embedder_reports_the_models_name(embedder, onnx_embedder):
    assert onnx_embedder.name == embedder.name  # what the index, router and word-vector cache are keyed by


def _top_citations(assistant, rows) -> list[list]:
    from evaluation.evaluate import where_for

    out = []
    for row in rows:
        where, history = where_for(row), []
        for earlier in row["history_questions"]:
            reply = assistant.answer(earlier, history, where=where)
            history += [{"role": "user", "content": earlier}, {"role": "assistant", "content": reply.text}]
        answer = assistant.answer(row["question"], history, where=where)
        out.append([row["question"], answer.refused, [(c.source, c.start, c.end) for c in answer.citations]])
    return out


def _onnx_twin(assistant, onnx_embedder, tmp_path):
    """The same index and settings, questions embedded by ONNX, word vectors computed afresh by it."""
    from assistant import Assistant

    twin = Assistant(assistant.settings, embedder=onnx_embedder, client=assistant.store.client)
    twin._words_cache = lambda: tmp_path / "onnx-words"  # not the cache sentence-transformers filled
    return twin


def test_dev_set_cites_the_same_sentences_through_either_embedder(seed_assistant, onnx_embedder, tmp_path):
    rows = load_dev()
    twin = _onnx_twin(seed_assistant, onnx_embedder, tmp_path)
    assert _top_citations(twin, rows) == _top_citations(seed_assistant, rows)


def test_news_chat_cites_the_same_sentences_through_either_embedder(
    embedder, onnx_embedder, seed_settings, tmp_path
):
    from evaluation.evalsets import SetAbsent, load_set, set_assistant, shared_set

    path = shared_set("news-chat")
    try:
        rows = load_set(path)
    except SetAbsent as e:
        pytest.skip(str(e))
    base = seed_settings.with_(index_dir=tmp_path / "index")
    bot = set_assistant(path, base, embedder, rows=rows)
    twin = _onnx_twin(bot, onnx_embedder, tmp_path)
    assert _top_citations(twin, rows) == _top_citations(bot, rows)


def _fresh(code: str, settings, **env) -> subprocess.CompletedProcess:
    e = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ASSISTANT_ROOT": str(settings.root),
        "ASSISTANT_COLLECTION": settings.collection,
        "ASSISTANT_CHROMA_URL": CHROMA_URL or "",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code], cwd=settings.root, env=e, capture_output=True, text=True, timeout=300
    )


CHAT = (
    "from assistant.core import Assistant; from assistant.settings import Settings\n"
    "from assistant.ui.app import create_app\n"
    "bot = Assistant(Settings.from_env()).warm(); create_app(bot)\n"
)


@pytest.mark.parametrize("entry", ["answer", "cli", "chat"])
def test_a_fresh_process_answers_without_torch_or_langchain_chroma(
    seed_assistant, onnx_embedder, seed_settings, entry
):
    question = "Where was Putin when he spoke about escalation?"
    call = {
        "answer": f"from assistant import answer; a = answer({question!r}); cited = len(a.citations)",
        "cli": f"from assistant.cli import main; assert main(['ask', {question!r}]) == 0; cited = 1",
        "chat": f"{CHAT}cited = len(bot.answer({question!r}).citations)",  # the served chat's first answer
    }[entry]
    code = (
        f"import json, sys\n{call}\n"
        f"from assistant.core import default_assistant\n"
        f"print(json.dumps({{'heavy': [m for m in {HEAVY!r} if m in sys.modules], 'cited': cited}}))"
    )
    done = _fresh(code, seed_settings)
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got == {"heavy": [], "cited": got["cited"]} and got["cited"] > 0


def test_torch_is_chosen_when_asked_for(seed_assistant, onnx_embedder, seed_settings):
    code = (
        "import json, sys\nfrom assistant.core import default_assistant\n"
        "bot = default_assistant(); bot.answer('What did Biden let Ukraine do?')\n"
        "print(json.dumps([type(bot.embedder).__name__, 'torch' in sys.modules]))"
    )
    done = _fresh(code, seed_settings, ASSISTANT_QUERY_EMBEDDER="torch")
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == ["SentenceTransformerEmbeddings", True]


@store_free
def test_a_stale_export_is_made_again(embedder, tmp_path):
    """``ensure_export`` keeps a current export, and exports again when the manifest no longer matches."""
    from index.onnx import MANIFEST, ensure_export, read_manifest

    folder = tmp_path / "onnx"
    first, made = ensure_export(embedder, folder)
    assert made and first["check"]["min_cosine"] >= 0.9999
    assert ensure_export(embedder, folder)[1] is False
    manifest = read_manifest(folder)
    name = next(iter(manifest["files"]))
    manifest["files"][name]["sha256"] = "0" * 64  # as if the model's file had changed since the export
    manifest["files"][name]["size"] += 1
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert ensure_export(embedder, folder)[1] is True
