"""``article-assistant eval --summaries [--limit N]``: the assistant's summaries of BBC stories, beside Lead-k
and TextRank at the same length, scored against the reference summaries.

Stories: ``../shared/eval/bbc/articles/<topic>/<NNN>.txt`` that have a reference in
``../shared/eval/bbc/summaries/``; ``sample`` takes ``N`` of them (default 60), the same every run, evenly
spread within each of the five topics. They are copied (never into the project's tree) to
``<index dir>/eval/summaries/seeds/<topic>/<NNN>.txt`` and indexed there, alone. Each story is asked each of
``PROMPTS`` with that story picked (``where={"source": "seeds/<topic>/<NNN>.txt"}``).

Scored for each reply (``evaluation.summary_metrics``): answered (neither refused nor hedged), ROUGE-1/2/L F1
of its cited quotes joined against the reference, reference-sentence recall of its cited spans, and whether
every quote is exact. A refused reply counts as an empty summary. Beside it, in the same run and on the same
sentences (``index.splitter``, the headline left out): Lead-3, TextRank-3, and Lead-k, TextRank-k (word
overlap) and TextRank-MiniLM-k (cosine of the index's own sentence vectors) with ``k`` the number of
sentences that reply cited (3 when it cited none). Skipped with one line when
``../shared/eval/bbc`` is absent. This module runs and reports; the metrics and baselines live apart.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from evaluation.evalreport import fmt
from evaluation.evalsets import SHARED_EVAL, build_set_index, fill_seeds
from evaluation.summary_metrics import Rouge, joined, reference_spans, sentence_recall
from evaluation.textrank import lead, textrank, textrank_cosine

if TYPE_CHECKING:
    from assistant.settings import Settings

PROMPTS = ("Summarize this article.", "What is this article about?", "tl;dr")
TOPICS = ("business", "entertainment", "politics", "sport", "tech")
DEFAULT_LIMIT = 60
FALLBACK_K = 3  # the baselines' length for a reply that cited nothing
SCORE_KEYS = ("answered", "rouge1", "rouge2", "rougeL", "ref_recall", "sentences", "exactness")


def sample(bbc: Path, limit: int = DEFAULT_LIMIT) -> list[str]:
    """``limit`` stories as ``<topic>/<NNN>.txt``, evenly spaced within each topic, topics in turn."""
    pools = {
        t: sorted(
            p.name for p in (bbc / "articles" / t).glob("*.txt") if (bbc / "summaries" / t / p.name).is_file()
        )
        for t in TOPICS
    }
    quota = {t: limit // len(TOPICS) + (i < limit % len(TOPICS)) for i, t in enumerate(TOPICS)}
    chosen = []
    for t in TOPICS:
        pool, q = pools[t], min(quota[t], len(pools[t]))
        chosen += [f"{t}/{pool[int((i + 0.5) * len(pool) / q)]}" for i in range(q)]
    return chosen


def body_spans(text: str) -> list[tuple[int, int]]:
    """The article's sentences as the index splits them, without the headline (a first line on its own)."""
    from index.splitter import sentence_spans

    spans = sentence_spans(text)
    first_break = text.find("\n\n")
    if first_break > 0 and "\n" not in text[:first_break].strip():
        spans = [s for s in spans if s[0] > first_break]
    return spans


def summary_settings(base: Settings) -> Settings:
    """The summaries' own index and seeds: ``<base.index_dir>/eval/summaries`` (its root and index)."""
    folder = base.index_dir / "eval" / "summaries"
    return base.with_(root=folder, seeds_dir=folder / "seeds", index_dir=folder, collection="eval-summaries")


def _score(rouge: Rouge, text: str, spans: Sequence[tuple[int, int]], reference: list, ref_text: str) -> dict:
    return {
        **rouge.f1(joined(text, spans), ref_text),
        "ref_recall": sentence_recall(spans, reference),
        "sentences": len(spans),
    }


def score_story(bot, rouge: Rouge, source: str, text: str, summary: str) -> list[dict]:
    """One row per prompt: ours and every baseline on one story."""
    reference = reference_spans(summary.strip(), text)
    ref_text = joined(text, reference)
    sentences = body_spans(text)
    vectors = bot.embedder.embed_documents([text[s:e] for s, e in sentences])
    rows = []
    for prompt in PROMPTS:
        answer = bot.answer(prompt, [], where={"source": source})
        cited = [] if answer.refused else answer.citations
        spans = sorted({(c.start, c.end) for c in cited if c.source == source})
        k = len(spans) or FALLBACK_K
        ours = _score(rouge, text, spans, reference, ref_text)
        ours["answered"] = not answer.refused and not answer.hedged
        ours["exactness"] = (
            sum(text[c.start : c.end] == c.quote for c in cited) / len(cited) if cited else None
        )
        systems = {
            "ours": ours,
            "lead-3": lead(sentences, 3),
            "textrank-3": textrank(text, sentences, 3),
            "lead-k": lead(sentences, k),
            "textrank-k": textrank(text, sentences, k),
            "textrank-minilm-k": textrank_cosine(vectors, sentences, k),
        }
        scored = {
            name: got if isinstance(got, dict) else _score(rouge, text, got, reference, ref_text)
            for name, got in systems.items()
        }
        rows.append(
            {
                "source": source,
                "prompt": prompt,
                "refused": answer.refused,
                "hedged": answer.hedged,
                "routed": answer.kind,
                "k": k,
                "reference_sentences": len(reference),
                "systems": scored,
            }
        )
    return rows


def _means(rows: Sequence[dict]) -> dict[str, dict]:
    names = list(rows[0]["systems"]) if rows else []
    out = {}
    for name in names:
        out[name] = {}
        for key in SCORE_KEYS:
            vals = [r["systems"][name].get(key) for r in rows]
            vals = [float(v) for v in vals if v is not None]
            out[name][key] = sum(vals) / len(vals) if vals else None
    return out


def run(base: Settings, limit: int = DEFAULT_LIMIT, embedder=None, bbc: Path | None = None) -> dict:
    """Index the sample, ask every prompt of every story, score ours and the baselines; the JSON report."""
    from assistant.core import Assistant

    bbc = bbc or SHARED_EVAL / "bbc"
    chosen = sample(bbc, limit)
    settings = summary_settings(base)
    fill_seeds(settings.seeds_dir, {f"seeds/{s}": bbc / "articles" / s for s in chosen})
    if embedder is None:
        from index.embeddings import SentenceTransformerEmbeddings

        embedder = SentenceTransformerEmbeddings(settings.embed_model)
    client = build_set_index(settings, embedder)
    bot = Assistant(settings, embedder=embedder, client=client).warm()
    rouge = Rouge()
    rows = []
    for story in chosen:
        source = f"seeds/{story}"
        text = (settings.root / source).read_text(encoding="utf-8")  # as the loader reads it
        summary = (bbc / "summaries" / story).read_text(encoding="utf-8")
        rows += score_story(bot, rouge, source, text, summary)
    return {
        "stories": len(chosen),
        "prompts": list(PROMPTS),
        "sample": chosen,
        "overall": _means(rows),
        "per_prompt": {p: _means([r for r in rows if r["prompt"] == p]) for p in PROMPTS},
        "rows": rows,
    }


def print_summaries(report: dict, file=None) -> None:
    """One table: (prompt or all) x system, the scores across."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Summaries of {report['stories']} BBC stories (ROUGE F1 against the reference)")
    table.add_column("prompt")
    table.add_column("system")
    for key in SCORE_KEYS:
        table.add_column(key, justify="right")
    groups = [("all", report["overall"]), *report["per_prompt"].items()]
    for prompt, systems in groups:
        for name, scores in systems.items():
            table.add_row(prompt, name, *(fmt(scores[k], k) for k in SCORE_KEYS))
        table.add_section()
    Console(file=file or sys.stdout, width=200).print(table)


def main(args, settings: Settings) -> int:
    bbc = SHARED_EVAL / "bbc"
    if not (bbc / "articles").is_dir() or not (bbc / "summaries").is_dir():
        print(f"eval: skipping summaries: ../shared/eval/bbc is absent ({bbc})", file=sys.stderr)
        return 0
    limit = getattr(args, "limit", None) or DEFAULT_LIMIT
    print(f"eval: summaries of {limit} BBC stories x {len(PROMPTS)} prompts", file=sys.stderr)
    report = run(settings, limit)
    print_summaries(report)
    if getattr(args, "json_out", None):
        out = Path(args.json_out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"summaries": report}, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0
