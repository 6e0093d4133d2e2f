"""The cold-start benchmark's served-chat timing, run for real: an index built by the given interpreter in a
folder of its own, the chat started by it on a free loopback port, a first answer over HTTP, then stopped."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.conftest import store_free

pytestmark = [pytest.mark.slow, store_free]


def test_runtime_chat_times_the_chat_its_interpreter_serves(seed_settings):
    from evaluation.benchcold import DEV_ONLY, runtime_chat

    got = runtime_chat(seed_settings, sys.executable, runs=1)
    assert 0 < got["page_s"] <= got["first_answer_s"] == got["all"][0]["first_answer_s"]
    assert got["all"][0]["cited"] >= 1  # the first answer quoted the seed
    # what it reports installed is what this interpreter can import (here the dev extras are)
    assert got["dev_only_installed"] == [m for m in DEV_ONLY if importlib.util.find_spec(m)]
