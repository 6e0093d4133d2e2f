"""Unit tests run without the model: the fixtures that load it fail here, naming where such a test belongs."""

from __future__ import annotations

import pytest

MOVE = "unit tests must not load the model — put this test in tests/integration"


@pytest.fixture(scope="session")
def embedder():
    pytest.fail(MOVE)


@pytest.fixture(scope="session")
def seed_assistant():
    pytest.fail(MOVE)
