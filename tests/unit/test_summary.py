"""The summary's sentence features, fitted salience and selection, on sentences written for these tests."""

from __future__ import annotations

import json

import numpy as np

from assistant.answering.summary import FEATURES, WEIGHTS, SummaryParams, features, pick, salience, select

TEXTS = [
    "The island council will raise harbour ferry fares.",
    "Gulls nest on the pier every spring.",
    "Harbour ferry fares rise by 10% in March, the council said.",
    "The harbour ferry has run since 1921.",
]
HEADLINE = "Harbour ferry fares to rise"


def vectors() -> np.ndarray:
    v = np.array([[1, 0.2, 0], [0, 0, 1], [0.9, 0.4, 0], [0.3, 1, 0]], dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def column(name: str) -> int:
    return FEATURES.index(name)


def one_feature_model(name: str, sign: float = 1.0) -> dict:
    """A regression that reads one feature only."""
    coef = [0.0] * len(FEATURES)
    coef[column(name)] = sign
    return {"features": list(FEATURES), "mean": [0.0] * len(FEATURES), "scale": [1.0] * len(FEATURES),
            "coef": coef, "intercept": 0.0}  # fmt: skip


def test_features_read_position_length_headline_and_numbers():
    x = features(TEXTS, vectors(), HEADLINE, vectors()[2])
    assert x.shape == (4, len(FEATURES))
    assert x[:, column("lede")].tolist() == [1, 0, 0, 0]
    assert x[:, column("position")].tolist() == [0, 1 / 3, 2 / 3, 1]
    assert x[:, column("digits")].tolist() == [0, 0, 1, 1]
    head = x[:, column("headline_words")]
    assert head[2] == 1.0 and head[1] == 0.0  # every headline word, and none
    assert x[:, column("headline_cosine")].argmax() == 2  # the headline's vector was sentence 2's
    for name in ("textrank", "frequency", "frequency_mean"):
        assert x[:, column(name)].max() == 1.0  # scaled to the article's highest
    assert x[1, column("frequency")] == x[:, column("frequency")].min()  # the gulls share no word


def test_features_read_each_centrality_and_its_place_in_the_article():
    x = features(TEXTS, vectors(), HEADLINE)
    for centre, place in (("textrank", "textrank_rank"), ("textrank_cosine", "cosine_rank")):
        assert x[:, column(centre)].max() == 1.0
        best = int(x[:, column(centre)].argmax())
        assert x[best, column(place)] == 0.0 and sorted(x[:, column(place)]) == [0, 1 / 3, 2 / 3, 1]
    assert x[1, column("textrank_cosine")] == x[:, column("textrank_cosine")].min()  # the gulls share no word
    assert abs(x[:, column("relative_words")].mean()) < 1e-12
    assert np.allclose(x[:, column("log_sentences")], np.log(4))


def test_features_without_a_headline_read_zero_for_it():
    x = features(TEXTS, vectors())
    assert not x[:, column("headline_words")].any() and not x[:, column("headline_cosine")].any()
    assert features([], np.zeros((0, 3))).shape == (0, len(FEATURES))


def test_salience_follows_the_regression():
    x = features(TEXTS, vectors(), HEADLINE)
    late = salience(x, one_feature_model("position"))
    assert late.argmax() == 3 and np.all((late > 0) & (late < 1))
    early = salience(x, one_feature_model("position", -1.0))
    assert early.argmax() == 0


def test_pick_takes_the_most_salient_without_forcing_the_lede():
    model = one_feature_model("digits")
    assert pick(TEXTS, vectors(), 2, 1.0, lede=False, model=model) == [2, 3]  # the two with numbers
    assert pick(TEXTS, vectors(), 2, 1.0, lede=True, model=model) == [0, 2]  # the lede, then a number
    assert pick(TEXTS, vectors(), 0, 1.0, model=model) == []


def test_select_skips_a_near_copy_when_redundancy_counts():
    v = np.array([[1, 0], [1, 0], [0, 1]], dtype=np.float32)
    relevance = np.array([0.9, 0.8, 0.5])
    assert select(relevance, v, 2, 1.0, lede=False) == [0, 1]  # salience alone: the twins
    assert select(relevance, v, 2, 0.5, lede=False) == [0, 2]  # the twin repeats what is said


def test_params_load_the_model_and_ignore_one_fitted_on_other_features(tmp_path):
    model = one_feature_model("textrank")
    path = tmp_path / "summary.json"
    path.write_text(
        json.dumps({"weight": 0.9, "share": 0.3, "lede": False, "model": model, "power": 0.25}),
        encoding="utf-8",
    )
    got = SummaryParams.load(path)
    assert (got.weight, got.share, got.lede, got.model, got.power) == (0.9, 0.3, False, model, 0.25)
    stale = tmp_path / "stale.json"
    stale.write_text(json.dumps({"weight": 0.9, "share": 0.3, "model": {**model, "features": ["x"]}}))
    assert SummaryParams.load(stale).model is None and SummaryParams.load(stale).lede


def test_the_shipped_weights_read_these_features():
    stored = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    assert stored["model"]["features"] == list(FEATURES)
    assert len(stored["model"]["coef"]) == len(FEATURES) and isinstance(stored["lede"], bool)
    assert stored["lede"] is True  # a summary opens with the lede (issue 16), never fitted away
    assert SummaryParams.load().model == stored["model"]


def test_power_favours_the_sentence_that_says_more():
    x = features(TEXTS, vectors(), HEADLINE)
    flat = one_feature_model("digits")  # sentences 2 and 3 alike to the regression
    even = salience(x, flat)
    assert even[2] == even[3]
    longer = salience(x, flat, power=0.5)
    assert longer[2] > longer[3]  # sentence 2 has more content words
    assert pick(TEXTS, vectors(), 1, 1.0, lede=False, model=flat, power=0.5) == [2]
