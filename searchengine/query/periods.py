"""Calendar periods that results are counted by: day, ISO week, month, year.

The index keeps each article's date as a day number ``YYYYMMDD`` (0 for
undated).  Each period has an integer key, the same kind for every period of
one ``by``, so counting is one :func:`numpy.unique` over keys and an axis is a
range of keys: a day or a week is the number of days from 1970-01-01 to its
first day, a month ``year * 12 + month - 1``, a year itself.

Weeks are ISO 8601 weeks, Monday to Sunday, labelled by the date of their
Monday: the week of Friday 1 January 2021 is ``2020-12-28``.  A label never
needs a week-numbering year to be read, and sorts as text.
"""

from __future__ import annotations

import datetime as dt
from typing import get_args

import numpy as np
import numpy.typing as npt

from searchengine.errors import UsageError
from searchengine.models import Period

PERIODS: tuple[Period, ...] = get_args(Period)
_EPOCH = dt.date(1970, 1, 1).toordinal()
#: 1970-01-01 was a Thursday: days since then plus 3, modulo 7, is 0 on Mondays.
_MONDAY_SHIFT = 3

Keys = npt.NDArray[np.int64]


def check_by(text: str, *, what: str = "--by") -> Period:
    """``text`` as a period, or :class:`UsageError` naming the ones there are."""
    for period in PERIODS:
        if text.strip().lower() == period:
            return period
    raise UsageError(f"{what} {text!r} is not a period; use one of {', '.join(PERIODS)}")


def _epoch_days(days: Keys) -> Keys:
    months = (days // 10000 - 1970) * 12 + days // 100 % 100 - 1
    first = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return first + days % 100 - 1


def keys(days: Keys, by: Period) -> Keys:
    """The key of the period holding each day number (all dated, not 0)."""
    days = np.asarray(days, dtype=np.int64)
    if by == "year":
        return days // 10000
    if by == "month":
        return days // 10000 * 12 + days // 100 % 100 - 1
    epoch = _epoch_days(days)
    return epoch if by == "day" else epoch - (epoch + _MONDAY_SHIFT) % 7


def key_of(day: dt.date, by: Period) -> int:
    """The key of the period holding ``day``."""
    number = day.year * 10000 + day.month * 100 + day.day
    return int(keys(np.array([number], dtype=np.int64), by)[0])


def start(key: int, by: Period) -> dt.date:
    """The first day of the period ``key``."""
    if by == "year":
        return dt.date(key, 1, 1)
    if by == "month":
        return dt.date(key // 12, key % 12 + 1, 1)
    return dt.date.fromordinal(key + _EPOCH)


def label(key: int, by: Period) -> str:
    """``2021``, ``2021-09``, or the first day ``2021-09-06`` (days and weeks)."""
    if by == "year":
        return f"{key:04d}"
    if by == "month":
        return f"{key // 12:04d}-{key % 12 + 1:02d}"
    return start(key, by).isoformat()


def parse_label(text: str, by: Period) -> int:
    """The key of the period labelled ``text`` (the inverse of :func:`label`)."""
    if by == "year":
        return int(text)
    if by == "month":
        return int(text[:4]) * 12 + int(text[5:7]) - 1
    return dt.date.fromisoformat(text).toordinal() - _EPOCH


def between(first: int, last: int, by: Period) -> list[int]:
    """Every period key from ``first`` to ``last``, both included."""
    return list(range(first, last + 1, 7 if by == "week" else 1))


def automatic(first: dt.date, last: dt.date) -> Period:
    """The period a timeline is drawn by when none is asked for, from the
    span of its dates: days up to a month, weeks up to half a year, months
    up to five years, years beyond; a few dozen points at most either way."""
    span = (last - first).days
    if span <= 31:
        return "day"
    if span <= 183:
        return "week"
    if (last.year - first.year) * 12 + last.month - first.month < 60:
        return "month"
    return "year"
