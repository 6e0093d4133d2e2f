"""One date-to-number function for what the indexer stores and what the date filters compare against."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.retrieval import Hit, chroma_filter, matcher
from index.dates import LAST, UNKNOWN, date_ord


def _indexer_rule_before(value: str) -> int:  # index.build.date_ord before the two were unified
    digits = value.replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else 0


def _filter_rule_before(value: str) -> int:  # assistant.retrieval._ord before the two were unified
    return int(str(value).replace("-", "")[:8].ljust(8, "0"))


dates = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31))


@given(dates)
def test_valid_dates_give_what_both_old_rules_gave(day):
    value = day.isoformat()
    assert date_ord(value) == _indexer_rule_before(value) == _filter_rule_before(value)
    assert date_ord(value) == day.year * 10000 + day.month * 100 + day.day


@given(dates, dates)
def test_numbers_order_as_the_dates_do(a, b):
    assert (date_ord(a.isoformat()) < date_ord(b.isoformat())) == (a < b)
    assert UNKNOWN < date_ord(a.isoformat()) < LAST


@pytest.mark.parametrize("value", ["", "2024-05", "2024", "May 30, 2024", "2024-5-30", "2024-05-30T10:00"])
def test_anything_but_a_full_date_is_unknown(value):
    assert date_ord(value) == UNKNOWN == _indexer_rule_before(value)


def _hit(stored_date: str) -> Hit:
    return Hit("id", "text", "a.txt", 0, 4, 1, "t", stored_date, "p", date_ord=date_ord(stored_date))


@given(dates, dates, dates)
def test_the_filter_and_the_stored_value_agree_at_every_bound(day, lo, hi):
    lo, hi = min(lo, hi), max(lo, hi)
    where = {"date_from": lo.isoformat(), "date_to": hi.isoformat()}
    clauses = chroma_filter(where)["$and"]
    stored = _hit(day.isoformat()).date_ord
    in_chroma = clauses[0]["date_ord"]["$gte"] <= stored <= clauses[1]["date_ord"]["$lte"]
    assert in_chroma == matcher(where)(_hit(day.isoformat())) == (lo <= day <= hi)


def test_an_undated_article_sorts_before_every_date():
    assert not matcher({"date_from": "1000-01-01"})(_hit(""))
    assert matcher({"date_to": "1000-01-01"})(_hit(""))  # as the Chroma filter ``date_ord <= 10000101``
    assert chroma_filter({"date_to": "1000-01-01"}) == {"date_ord": {"$lte": 10000101}}
