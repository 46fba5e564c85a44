"""Calendar periods: ISO weeks labelled by their Monday, months, years, the automatic choice."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from searchengine.errors import UsageError
from searchengine.models import Period
from searchengine.query import periods


def number(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def labels(days: list[str], by: Period) -> list[str]:
    numbers = np.array([number(dt.date.fromisoformat(d)) for d in days], dtype=np.int64)
    return [periods.label(int(k), by) for k in periods.keys(numbers, by)]


def test_weeks_are_iso_weeks_labelled_by_their_monday() -> None:
    # 2021-01-01 is a Friday of ISO week 2020-W53; 2022-01-01 a Saturday of 2021-W52.
    assert labels(
        ["2021-01-01", "2021-01-03", "2021-01-04", "2021-01-10", "2021-12-31", "2022-01-01"],
        "week",
    ) == ["2020-12-28", "2020-12-28", "2021-01-04", "2021-01-04", "2021-12-27", "2021-12-27"]


def test_days_months_and_years() -> None:
    days = ["1969-12-31", "2020-02-29", "2021-09-30"]
    assert labels(days, "day") == days
    assert labels(days, "month") == ["1969-12", "2020-02", "2021-09"]
    assert labels(days, "year") == ["1969", "2020", "2021"]


@given(st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_every_period_holds_its_day_and_starts_where_python_says(day: dt.date) -> None:
    monday = day - dt.timedelta(days=day.weekday())
    assert day.isocalendar()[:2] == monday.isocalendar()[:2]
    expected = {
        "day": day,
        "week": monday,
        "month": day.replace(day=1),
        "year": dt.date(day.year, 1, 1),
    }
    for by, first in expected.items():
        key = periods.key_of(day, by)  # type: ignore[arg-type]
        assert periods.start(key, by) == first  # type: ignore[arg-type]
        assert periods.parse_label(periods.label(key, by), by) == key  # type: ignore[arg-type]


def test_between_steps_a_period_at_a_time() -> None:
    first = periods.key_of(dt.date(2021, 12, 27), "week")
    last = periods.key_of(dt.date(2022, 1, 12), "week")
    assert [periods.label(k, "week") for k in periods.between(first, last, "week")] == [
        "2021-12-27",
        "2022-01-03",
        "2022-01-10",
    ]
    first, last = (
        periods.key_of(dt.date(2021, 11, 5), "month"),
        periods.key_of(dt.date(2022, 2, 1), "month"),
    )
    assert [periods.label(k, "month") for k in periods.between(first, last, "month")] == [
        "2021-11",
        "2021-12",
        "2022-01",
        "2022-02",
    ]


@pytest.mark.parametrize(
    ("first", "last", "by"),
    [
        ("2021-09-01", "2021-09-01", "day"),
        ("2021-09-01", "2021-10-02", "day"),  # 31 days
        ("2021-09-01", "2021-10-03", "week"),
        ("2021-01-01", "2021-07-03", "week"),  # 183 days
        ("2021-01-01", "2021-07-04", "month"),
        ("2019-01-01", "2023-12-31", "month"),  # 60 months
        ("2019-01-01", "2024-01-01", "year"),
    ],
)
def test_the_automatic_period_follows_the_span(first: str, last: str, by: str) -> None:
    assert periods.automatic(dt.date.fromisoformat(first), dt.date.fromisoformat(last)) == by


def test_check_by_names_the_periods_there_are() -> None:
    assert periods.check_by(" Week ") == "week"
    with pytest.raises(UsageError, match=r"'fortnight' is not a period; use one of day, week"):
        periods.check_by("fortnight")
