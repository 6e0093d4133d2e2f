"""Which candidate a reply quotes first: the best-scored, unless a close runner-up holds the kind of answer
the question asks for and the best does not (``assistant.scorer.typed_first``)."""

from __future__ import annotations

from assistant.scorer import TYPED_WITHIN, Scorer, typed_first


def test_the_best_stays_first_when_it_holds_the_kind_of_answer():
    assert typed_first([2.0, 1.9, 1.8], [True, True, False], margin=1.0) == 0


def test_a_close_runner_up_with_the_answer_leads_a_best_without_one():
    assert typed_first([2.0, 1.5, 1.4], [False, False, True], margin=1.0) == 2
    assert typed_first([2.0, 1.5, 1.4], [False, True, True], margin=1.0) == 1  # the nearer of two


def test_a_runner_up_further_than_the_margin_does_not():
    assert typed_first([2.0, 0.5], [False, True], margin=1.0) == 0
    assert typed_first([2.0, 1.9], [False, True], margin=0.0) == 0  # a zero margin never moves the best


def test_only_the_first_few_are_looked_at():
    scores = [2.0] * (TYPED_WITHIN + 1)
    typed = [False] * TYPED_WITHIN + [True]
    assert typed_first(scores, typed, margin=5.0) == 0
    assert typed_first([], [], margin=5.0) == 0


def test_the_shipped_weights_carry_a_fitted_margin():
    margin = Scorer.load().typed_margin
    assert 0.0 <= margin <= 3.0  # within fit_scorer's grid; 0 would mean it never moves the best
