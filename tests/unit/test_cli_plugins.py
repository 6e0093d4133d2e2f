"""Subcommands from outside the runtime: ``eval`` and ``bench`` reach the CLI through an entry-point group."""

from __future__ import annotations

import argparse
import importlib.metadata

import pytest

from assistant.cli import PLUGIN_GROUP, build_parser, main


def test_eval_and_bench_come_from_the_installed_entry_point():
    [entry] = [e for e in importlib.metadata.entry_points(group=PLUGIN_GROUP) if e.name == "evaluation"]
    assert entry.value == "evaluation.cli:register_commands"
    args = build_parser().parse_args(["eval", "--set", "a.jsonl", "--set", "b.jsonl", "--min", "hit@3=1.0"])
    assert args.eval_set == ["a.jsonl", "b.jsonl"] and args.min == ["hit@3=1.0"] and not args.baselines
    assert args.func.__module__ == "evaluation.cli"
    args = build_parser().parse_args(["bench", "--quick", "--only", "warm", "--index-dir", "idx"])
    assert args.quick and args.only == "warm" and args.out == "bench-out" and args.index_dir == "idx"


registered: list[argparse.Namespace] = []


def hook(sub, common: argparse.ArgumentParser, settings) -> None:
    """A plugin as the CLI sees one: it adds a subcommand that builds its Settings from the common flags."""

    def run(args: argparse.Namespace) -> int:
        registered.append(settings(args))
        return 7

    sub.add_parser("hello", parents=[common]).set_defaults(func=run)


def test_any_hook_in_the_group_adds_a_subcommand_and_gets_the_settings(monkeypatch, tmp_path):
    fake = importlib.metadata.EntryPoint(name="hello", value=f"{__name__}:hook", group=PLUGIN_GROUP)
    monkeypatch.setattr(
        importlib.metadata, "entry_points", lambda group: [fake] if group == PLUGIN_GROUP else []
    )
    registered.clear()
    assert main(["hello", "--index-dir", str(tmp_path / "idx"), "--sources", "2"]) == 7
    assert registered[0].index_dir == tmp_path / "idx" and registered[0].n_sources == 2
    with pytest.raises(SystemExit):  # without the evaluation hook there is no eval command
        build_parser().parse_args(["eval"])
