from __future__ import annotations

import datetime as dt

import pytest

from searchengine.dates import date_from_filename, filter_bound, parse_bound, parse_date
from searchengine.errors import BadDateError

D = dt.date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-09-05", D(2021, 9, 5)),
        ("2021-09-05T10:00:00", D(2021, 9, 5)),
        ("2021-09-05T10:00:00Z", D(2021, 9, 5)),
        ("2021-09-05T10:00:00.123+02:00", D(2021, 9, 5)),
        # The source's own calendar day, not UTC's (which is already the 6th).
        ("2021-09-05T23:30:00-05:00", D(2021, 9, 5)),
        ("2021-09-05 23:30", D(2021, 9, 5)),
        ("20210905", D(2021, 9, 5)),
        ("Sun, 05 Sep 2021 10:00:00 +0000", D(2021, 9, 5)),
        ("Sun, 05 Sep 2021 23:59:00 -0700", D(2021, 9, 5)),
        ("September 5, 2021", D(2021, 9, 5)),
        ("5 Sep 2021", D(2021, 9, 5)),
        ("Sep 5 2021", D(2021, 9, 5)),
        ("5 September 2021", D(2021, 9, 5)),
        (1630836000, D(2021, 9, 5)),  # Unix seconds
        (1630836000000, D(2021, 9, 5)),  # milliseconds: above 10**11
        ("1630836000", D(2021, 9, 5)),
        ("1630836000000", D(2021, 9, 5)),
        (1630836000.5, D(2021, 9, 5)),
    ],
)
def test_parse_date_reads_every_documented_form(value: object, expected: dt.date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "yesterday",
        "soon",
        "5",
        "Sep 5",
        "2021",
        True,
        [],
        {},
        "2021-13-45",
        "0000-00-00",
        "n/a",
    ],
)
def test_parse_date_says_none_for_what_is_no_date(value: object) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2021-09-05-harbour.txt", D(2021, 9, 5)),
        ("20210905_harbour.txt", D(2021, 9, 5)),
        ("harbour-2021-09-05.md", D(2021, 9, 5)),
        ("harbour.txt", None),
        ("000_d46c3578ca95248f.txt", None),
        ("2021-13-05-x.txt", None),
        ("123456789.txt", None),
    ],
)
def test_date_from_filename(name: str, expected: dt.date | None) -> None:
    assert date_from_filename(name) == expected


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2021", D(2021, 1, 1), D(2021, 12, 31)),
        ("2021-09", D(2021, 9, 1), D(2021, 9, 30)),
        ("2020-02", D(2020, 2, 1), D(2020, 2, 29)),
        ("2021-09-05", D(2021, 9, 5), D(2021, 9, 5)),
        (" 2021-9-5 ", D(2021, 9, 5), D(2021, 9, 5)),
    ],
)
def test_parse_bound_expands_partial_dates(text: str, first: dt.date, last: dt.date) -> None:
    assert parse_bound(text) == (first, last)


@pytest.mark.parametrize("text", ["2021-13", "2021-02-30", "21-09", "Sept 2021", "", "2021/09/05"])
def test_parse_bound_rejects_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(BadDateError, match="YYYY-MM-DD"):
        parse_bound(text)


def test_filter_bound_is_the_first_day_from_and_the_last_day_to() -> None:
    assert filter_bound("2021-09", "from", what="--from") == D(2021, 9, 1)
    assert filter_bound("2021-09", "to", what="--to") == D(2021, 9, 30)
    assert filter_bound(None, "to", what="--to") is None
    with pytest.raises(BadDateError, match=r"^:to '2021-13' is not a real calendar date"):
        filter_bound("2021-13", "to", what=":to")


@pytest.mark.parametrize(
    "text", ["2021-02-30", "2021-13", "2021-9-31", "21-09", "Sept 2021", "", "2021/09"]
)
def test_bad_date_bound_is_a_bad_date_error_naming_the_forms(text: str) -> None:
    with pytest.raises(BadDateError) as info:
        parse_bound(text, what="--from")
    assert "YYYY-MM-DD" in info.value.message
