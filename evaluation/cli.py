"""The ``eval`` and ``bench`` subcommands of ``article-assistant``, added to its parser from outside.

``assistant.cli`` never names this package: it calls every hook in the entry-point group
``article_assistant.commands`` (declared in ``pyproject.toml``), and this module's ``register_commands`` is
one. So the dependency runs one way, evaluation -> assistant, and the runtime installs and runs without it.
Only ``argparse`` is imported here; each command imports its module when it runs, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.settings import Settings

SettingsFromArgs = Callable[[argparse.Namespace], "Settings"]


def register_commands(sub, common: argparse.ArgumentParser, settings: SettingsFromArgs) -> None:
    """Add ``eval`` and ``bench`` to the subparsers ``sub``; ``settings(args)`` builds their Settings."""
    _add_eval_parser(sub, common, settings)
    _add_bench_parser(sub, common, settings)


def _add_eval_parser(sub, common: argparse.ArgumentParser, settings: SettingsFromArgs) -> None:
    def run(args: argparse.Namespace) -> int:
        from evaluation.evaluate import main

        return main(args, settings(args))

    p = sub.add_parser("eval", parents=[common], help="measure answers against question sets, side by side")
    p.add_argument(
        "--set",
        dest="eval_set",
        action="append",
        metavar="FILE",
        help="question set in JSONL; repeatable, replaces the defaults (../shared/eval/dev.jsonl, "
        "eval/bbc-reader, and ../shared/eval/news-chat and squad2-rhine when present)",
    )
    p.add_argument("--json", dest="json_out", help="write the report as JSON to this file")
    p.add_argument("--baselines", action="store_true", help="also run every baseline on each set")
    p.add_argument("--per-question", action="store_true", help="also print each question's scores")
    p.add_argument(
        "--summaries",
        action="store_true",
        help="instead of question sets: summaries of BBC stories (../shared/eval/bbc) scored by ROUGE "
        "beside Lead-k and TextRank",
    )
    p.add_argument("--limit", type=int, metavar="N", help="with --summaries: how many stories (default 60)")
    p.add_argument(
        "--min",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="fail when any set's own result is below this threshold",
    )
    p.set_defaults(func=run)


def _add_bench_parser(sub, common: argparse.ArgumentParser, settings: SettingsFromArgs) -> None:
    def run(args: argparse.Namespace) -> int:
        from evaluation.bench import main

        return main(args, settings(args))

    p = sub.add_parser("bench", parents=[common], help="measure speed, cold start, ingest and scale")
    p.add_argument("--quick", action="store_true", help="skip the 100k-passage corpus")
    p.add_argument("--out", default="bench-out", help="directory for JSON and plots")
    p.add_argument(
        "--only", help="comma-separated phases: eval,warm,cold,ingest,scale (merged into the JSON)"
    )
    p.add_argument("--sizes", help="scale corpus sizes, default 1000,10000,100000")
    p.add_argument("--markdown", help="where to write the report (default BENCHMARKS.md in the project root)")
    p.add_argument("--report-only", action="store_true", help="only rewrite the report from OUT/bench.json")
    p.set_defaults(func=run)
