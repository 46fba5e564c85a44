"""The query parser's own repairs and readings, checked on the parsed queries."""

from __future__ import annotations

import pytest

from searchengine.errors import BadDateError, QuerySyntaxError
from searchengine.index.schema import make_schema
from searchengine.query.parse import parse_query, tidy

SCHEMA = make_schema()


@pytest.mark.parametrize(
    ("typed", "repaired"),
    [
        ('"front line', "front line"),
        ("taliban AND", "taliban"),
        ("AND taliban", "taliban"),
        ("(taliban OR", "taliban"),
        ("a ) b", "a  b"),
        ("a AND OR b", "a  OR b"),
        ("x NOT", "x"),
        ("who owns the lighthouse?", "who owns the lighthouse"),
        ("wom?n", "wom?n"),
        ('"peace talks"~3 (a OR b)', '"peace talks"~3 (a OR b)'),
    ],
)
def test_tidy(typed: str, repaired: str) -> None:
    assert tidy(typed) == repaired


@pytest.mark.parametrize(
    ("typed", "same_as"),
    [
        ("+glacier ferry", "glacier ferry"),
        ("-sport", "* NOT sport"),
        ("x (-y)", "x NOT y"),
        ("al-Qaeda", '"al qaeda"'),
        ("Zürich", "zurich"),
        ("taliban AND", "taliban"),
    ],
)
def test_readings(typed: str, same_as: str) -> None:
    if same_as.startswith("* "):
        assert str(parse_query(typed, SCHEMA)) == "(None:* AND NOT (title:sport OR body:sport))"
    else:
        assert parse_query(typed, SCHEMA) == parse_query(same_as, SCHEMA)


def test_date_clauses_become_day_ranges() -> None:
    assert str(parse_query("date:2021-09", SCHEMA)) == "date:[20210901 TO 20210930]"
    assert str(parse_query("date:>2021", SCHEMA)) == "date:[20220101 TO ]"
    assert str(parse_query("date:<=2021-02", SCHEMA)) == "date:[ TO 20210228]"
    with pytest.raises(BadDateError, match="date:2021-02-30"):
        parse_query("date:2021-02-30", SCHEMA)
    with pytest.raises(BadDateError, match="ends before it starts"):
        parse_query("date:[2022 to 2021]", SCHEMA)


@pytest.mark.parametrize("typed", ["!!!", "()", '""', "-", "AND OR NOT", "x" * 10_001])
def test_nothing_searchable_is_refused(typed: str) -> None:
    with pytest.raises(QuerySyntaxError):
        parse_query(typed, SCHEMA)
