"""Article dates as numbers Chroma can compare: ``2024-05-30`` -> ``20240530``.

Chroma's metadata filters compare numbers, not strings, so every sentence, passage and article record
stores ``date_ord`` and the date filters compare against the same function's output: stored values and
filters cannot disagree. This module does not parse free-form dates (see ``index.news`` for relative ones).

>>> date_ord("2024-05-30")
20240530
>>> date_ord(""), date_ord("May 2024")
(0, 0)
"""

from __future__ import annotations

UNKNOWN = 0  # an undated article sorts before every date: a ``date_from`` filter leaves it out
LAST = 99999999  # after every date: the upper bound of an open-ended range


def date_ord(value: str) -> int:
    """``YYYY-MM-DD`` (or ``YYYYMMDD``) as the number ``YYYYMMDD``; ``UNKNOWN`` for anything else."""
    digits = str(value).replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else UNKNOWN
