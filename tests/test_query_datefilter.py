"""Dates on a real index: ``date:`` clauses in the query and the
``--from``/``--to`` filter, answered by the per-searcher day table."""

from __future__ import annotations

import datetime as dt

import pytest
from whoosh.query import Every

from searchengine.index.schema import make_schema
from searchengine.query.datefilter import DayTable, hoist_date_ranges
from searchengine.query.engine import Engine
from searchengine.query.parse import parse_query

from query_index import (
    GLACIER,
    HARVEST,
    HARVEST_DATED,
    META,
    UNDATED,
    Corpus,
    bound_from,
    bound_to,
    dated_between,
    found,
    s,
)

# ---------------------------------------------------------------------------
# date: clauses in the query
# ---------------------------------------------------------------------------

QUERY_CASES: list[tuple[str, frozenset[str]]] = [
    # dates in the query
    ("harvest date:2021-09", s("harvest_2021_09_01", "harvest_2021_09_30")),
    ("harvest date:[2021-09-01 to 2021-09-30]", s("harvest_2021_09_01", "harvest_2021_09_30")),
    ("harvest date:[2021-09-01 TO 2021-09-30]", s("harvest_2021_09_01", "harvest_2021_09_30")),
    (
        "harvest date:[2021-08-31 to 2021-10-01]",
        s("harvest_2021_08_31", "harvest_2021_09_01", "harvest_2021_09_30", "harvest_2021_10_01"),
    ),
    ("harvest date:[2021-09 to 2021-09]", s("harvest_2021_09_01", "harvest_2021_09_30")),
    ("harvest date:[2021 to 2021]", HARVEST_DATED - {"harvest_2020_06_15", "harvest_2022_01_01"}),
    ("harvest date:>2021", s("harvest_2022_01_01")),
    (
        "harvest date:>=2021-09",
        s(
            "harvest_2021_09_01",
            "harvest_2021_09_30",
            "harvest_2021_10_01",
            "harvest_2021_12_31",
            "harvest_2022_01_01",
        ),
    ),
    ("harvest date:>2021-09", s("harvest_2021_10_01", "harvest_2021_12_31", "harvest_2022_01_01")),
    (
        "harvest date:>2021-09-30",
        s("harvest_2021_10_01", "harvest_2021_12_31", "harvest_2022_01_01"),
    ),
    ("harvest date:<2021", s("harvest_2020_06_15")),
    ("harvest date:<2021-09", s("harvest_2020_06_15", "harvest_2021_08_31")),
    (
        "harvest date:<=2021-09",
        s("harvest_2020_06_15", "harvest_2021_08_31", "harvest_2021_09_01", "harvest_2021_09_30"),
    ),
    ("harvest date:<=2021-08", s("harvest_2020_06_15", "harvest_2021_08_31")),
    ("harvest date:2021-09-30", s("harvest_2021_09_30")),
    ("harvest date:2021", HARVEST_DATED - {"harvest_2020_06_15", "harvest_2022_01_01"}),
    ("date:2021-09", s("harvest_2021_09_01", "harvest_2021_09_30")),
    ("harvest date:>=1900", HARVEST_DATED),  # any date clause leaves the undated out
    ("harvest", HARVEST),
    ("harvest OR glacier date:2020", s("harvest_2020_06_15") | GLACIER),
    ("harvest date:2021-09 date:2021-10", s()),
    (
        'author:"Tobias Wren" harvest',
        frozenset(n for n in HARVEST if META[n].author == "Tobias Wren"),
    ),
    (
        "harvest (date:2021-09 OR date:2022)",
        s("harvest_2021_09_01", "harvest_2021_09_30", "harvest_2022_01_01"),
    ),
]


@pytest.mark.parametrize(
    ("query", "expected"), QUERY_CASES, ids=[q or "<empty>" for q, _ in QUERY_CASES]
)
def test_query_returns_exactly(
    indexed: Corpus, engine: Engine, query: str, expected: frozenset[str]
) -> None:
    assert found(indexed, engine, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("date:>2021", dated_between(dt.date(2022, 1, 1), None)),
        ("date:<2021", dated_between(None, dt.date(2020, 12, 31))),
        ("date:>=2021-09", dated_between(dt.date(2021, 9, 1), None)),
        ("date:<=2021-09", dated_between(None, dt.date(2021, 9, 30))),
        ("date:2021", dated_between(dt.date(2021, 1, 1), dt.date(2021, 12, 31))),
        ("date:2020-02", dated_between(dt.date(2020, 2, 1), dt.date(2020, 2, 29))),
        (
            "date:[2020-01-01 to 2020-12-31]",
            dated_between(dt.date(2020, 1, 1), dt.date(2020, 12, 31)),
        ),
        (
            "date:[2021-12-31 to 2022-01-01]",
            dated_between(dt.date(2021, 12, 31), dt.date(2022, 1, 1)),
        ),
    ],
)
def test_date_clause_alone_browses_the_dated_articles(
    indexed: Corpus, engine: Engine, query: str, expected: set[str]
) -> None:
    assert expected, "the corpus has articles in every tested period"
    assert found(indexed, engine, query) == expected


# ---------------------------------------------------------------------------
# --from / --to
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        ("2021-09", "2021-09", s("harvest_2021_09_01", "harvest_2021_09_30")),
        (
            None,
            "2021-09",
            s(
                "harvest_2020_06_15",
                "harvest_2021_08_31",
                "harvest_2021_09_01",
                "harvest_2021_09_30",
            ),
        ),
        ("2021-09", None, HARVEST_DATED - {"harvest_2020_06_15", "harvest_2021_08_31"}),
        ("2021-10", None, s("harvest_2021_10_01", "harvest_2021_12_31", "harvest_2022_01_01")),
        (None, "2021-08-31", s("harvest_2020_06_15", "harvest_2021_08_31")),
        ("2021-09-30", "2021-10-01", s("harvest_2021_09_30", "harvest_2021_10_01")),
        ("2021-09-30", "2021-09-30", s("harvest_2021_09_30")),
        ("2021", "2021", HARVEST_DATED - {"harvest_2020_06_15", "harvest_2022_01_01"}),
        ("2022", None, s("harvest_2022_01_01")),
        (None, "2020", s("harvest_2020_06_15")),
        ("2021-12", "2022-01", s("harvest_2021_12_31", "harvest_2022_01_01")),
        ("2019", "2030", HARVEST_DATED),
        ("2023", None, s()),
    ],
)
def test_from_to_bounds_are_inclusive_whole_periods(
    indexed: Corpus,
    engine: Engine,
    date_from: str | None,
    date_to: str | None,
    expected: frozenset[str],
) -> None:
    low = bound_from(date_from) if date_from else None
    high = bound_to(date_to) if date_to else None
    assert found(indexed, engine, "harvest", date_from=low, date_to=high) == expected


@pytest.mark.parametrize("query", ["", "*", "harvest OR bushfire OR library OR garden"])
@pytest.mark.parametrize(
    ("date_from", "date_to"), [("1900", None), (None, "2100"), ("1900", "2100")]
)
def test_any_date_filter_leaves_undated_articles_out(
    indexed: Corpus, engine: Engine, query: str, date_from: str | None, date_to: str | None
) -> None:
    low = bound_from(date_from) if date_from else None
    high = bound_to(date_to) if date_to else None
    without = found(indexed, engine, query)
    with_filter = found(indexed, engine, query, date_from=low, date_to=high)
    assert without & UNDATED, "the query itself finds undated articles"
    assert with_filter == without - UNDATED


def test_from_to_match_the_same_as_date_clause(indexed: Corpus, engine: Engine) -> None:
    by_option = found(
        indexed, engine, "", date_from=bound_from("2021-09"), date_to=bound_to("2021-09")
    )
    assert (
        by_option
        == found(indexed, engine, "date:2021-09")
        == s("harvest_2021_09_01", "harvest_2021_09_30")
    )


def test_from_filter_and_date_clause_combine(indexed: Corpus, engine: Engine) -> None:
    assert found(indexed, engine, "harvest date:2021", date_from=bound_from("2021-09-15")) == s(
        "harvest_2021_09_30", "harvest_2021_10_01", "harvest_2021_12_31"
    )


# ---------------------------------------------------------------------------
# Which date clauses become filters
# ---------------------------------------------------------------------------

SCHEMA = make_schema()


@pytest.mark.parametrize(
    ("typed", "rest", "ranges"),
    [
        ("harvest date:2021-09", "harvest", [(20210901, 20210930)]),
        ("date:2021", "*", [(20210101, 20211231)]),
        ("date:>2021 date:<=2022-02", "*", [(20220101, None), (None, 20220228)]),
        ("harvest glacier date:2020", "harvest glacier", [(20200101, 20201231)]),
        # Under OR or NOT a range stays in the query, for Whoosh to evaluate.
        ("harvest OR date:2021", "harvest OR date:2021", []),
        ("harvest -date:2021", "harvest -date:2021", []),
    ],
)
def test_only_ranges_every_hit_must_meet_are_taken_out_of_the_query(
    typed: str, rest: str, ranges: list[tuple[int | None, int | None]]
) -> None:
    query, taken = hoist_date_ranges(parse_query(typed, SCHEMA))
    expected = Every() if rest == "*" else parse_query(rest, SCHEMA)
    assert (query, taken) == (expected, ranges)


# ---------------------------------------------------------------------------
# The day table itself (what the reference path filters with)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high"),
    [
        (None, None),
        (20210901, 20210930),
        (20210930, 20210930),
        (None, 20201231),
        (20220101, None),
        (20300101, None),
        (20210902, 20210929),  # between two dated articles: nothing
    ],
)
def test_day_table_gives_exactly_the_documents_dated_in_the_range(
    indexed: Corpus, engine: Engine, low: int | None, high: int | None
) -> None:
    searcher = engine.current()
    table = DayTable(searcher)
    expected = set()
    for docnum in range(searcher.reader().doc_count_all()):
        day = searcher.stored_fields(docnum).get("date")
        if day and (low is None or day >= low) and (high is None or day <= high):
            expected.add(docnum)
    assert table.between(low, high) == expected
    assert table.days.tolist() == sorted(table.days.tolist())
