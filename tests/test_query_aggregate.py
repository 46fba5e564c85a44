"""Counts over every result: ``search --json``'s timeline and sources, ``trend``, ``export``.

Real indexes of real files (the seeds, the query corpus, the near-duplicate
corpus), driven through the real commands.  The exact numbers are read off
the corpora's own files; and on every query tried, the four ways of counting
agree with each other and with ``total``: the timeline and the sources add
up to it, a trend series totals it, export writes that many rows, and the
rows of ``export --sort oldest`` counted per period and per source are the
timeline and the sources (a story is counted at its first copy).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from searchengine.cli import cli
from searchengine.dates import day_number
from searchengine.indexer.run import run_index
from searchengine.models import Period
from searchengine.query import periods
from searchengine.query.aggregate import period_counts

import dedup_corpus
from query_corpus import ARTICLES, build_query_corpus, by_name

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
META = by_name()


@dataclass(frozen=True)
class Indexes:
    seeds: str
    queries: str
    dedup: str
    dedup_ids: dict[str, str]


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> Indexes:
    root = tmp_path_factory.mktemp("aggregate")
    seeds = str(root / "seeds-index")
    run_index(seeds, [str(SEEDS)])
    build_query_corpus(root / "queries")
    queries = str(root / "queries-index")
    assert run_index(queries, [str(root / "queries")]).articles == len(ARTICLES)
    ids = dedup_corpus.write_corpus(root / "dedup")
    dedup = str(root / "dedup-index")
    run_index(dedup, [str(root / "dedup")])
    return Indexes(seeds, queries, dedup, ids)


def run(index: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--index", index, *args])
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result.stdout


def document(index: str, *args: str) -> Any:
    return json.loads(run(index, *args, "--json"))


def exported(index: str, *args: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in run(index, "export", *args).splitlines()]


# -- exact numbers ---------------------------------------------------------


def test_seeds_everything_per_day_and_source(indexes: Indexes) -> None:
    found = document(indexes.seeds, "search", "", "--by", "day")
    assert found["total"] == 9
    assert found["timeline"] == {
        "by": "day",
        "counts": {
            "2021-09-06": 1,
            "2021-09-08": 1,
            "2021-09-09": 1,
            "2021-09-10": 1,
            "2021-09-11": 1,
            "2021-09-12": 1,
            "2021-09-13": 1,
            "2021-09-14": 1,
        },
        "undated": 1,
    }
    assert found["sources"] == {
        "counts": {
            "Brightline News Agency": 3,
            "Coastal Wire": 2,
            "Eastbrook Evening News": 1,
            "Lenne Valley Courier": 1,
            "Port Annick Herald": 1,
        },
        "no_source": 1,
    }
    # The same counts as stats, which Whoosh's own facets compute.
    stats = document(indexes.seeds, "stats")
    assert found["sources"]["counts"] == stats["sources"]
    assert stats["undated"] == 1


def test_seeds_trend_by_week_and_share(indexes: Indexes) -> None:
    trend = document(indexes.seeds, "trend", "harbour", "", "--by", "week", "--share")
    assert trend["by"] == "week"
    assert trend["periods"] == ["2021-09-06", "2021-09-13"]
    harbour, everything = trend["series"]
    assert (harbour["query"], harbour["counts"], harbour["undated"], harbour["total"]) == (
        "harbour",
        [4, 2],
        0,
        6,
    )
    assert (everything["counts"], everything["undated"], everything["total"]) == ([6, 2], 1, 9)
    assert trend["articles"] == [6, 2]
    assert harbour["shares"] == [0.666667, 1.0]
    assert everything["shares"] == [1.0, 1.0]


def test_seeds_the_automatic_period_is_the_days_of_a_fortnight(indexes: Indexes) -> None:
    assert document(indexes.seeds, "search", "harbour")["timeline"]["by"] == "day"
    assert document(indexes.seeds, "trend", "harbour")["by"] == "day"


def test_query_corpus_harvest_per_week_crosses_the_new_year(indexes: Indexes) -> None:
    found = document(indexes.queries, "search", "harvest", "--by", "week")
    assert found["total"] == 8
    # 2021-12-31 (Friday) and 2022-01-01 (Saturday) are in the ISO week of Monday 27 December.
    assert found["timeline"] == {
        "by": "week",
        "counts": {"2020-06-15": 1, "2021-08-30": 2, "2021-09-27": 2, "2021-12-27": 2},
        "undated": 1,
    }
    by_year = document(indexes.queries, "search", "harvest", "--by", "year")["timeline"]
    assert by_year["counts"] == {"2020": 1, "2021": 5, "2022": 1}
    expected = Counter(a.source for a in ARTICLES if "harvest" in (a.title + " " + a.body).lower())
    assert sum(expected.values()) == 8
    assert found["sources"]["no_source"] == expected.pop(None, 0)
    assert found["sources"]["counts"] == dict(
        sorted(expected.items(), key=lambda item: (-item[1], item[0]))
    )


def test_date_filters_leave_undated_articles_out(indexes: Indexes) -> None:
    found = document(indexes.queries, "search", "harvest", "--from", "2021-09", "--by", "month")
    assert found["timeline"] == {
        "by": "month",
        "counts": {"2021-09": 2, "2021-10": 1, "2021-12": 1, "2022-01": 1},
        "undated": 0,
    }
    trend = document(
        indexes.queries, "trend", "harvest", "--from", "2021-09", "--to", "2021-12", "--by", "month"
    )
    assert trend["periods"] == ["2021-09", "2021-10", "2021-11", "2021-12"]
    assert trend["series"][0]["counts"] == [2, 1, 0, 1]


def test_near_duplicates_count_once_at_their_first_copy(indexes: Indexes) -> None:
    collapsed = document(indexes.dedup, "search", "ferry", "--by", "day")
    assert (collapsed["total"], collapsed["total_uncollapsed"]) == (3, 6)
    # The story is counted on 1 March under Coastal Wire, its first copy.
    assert collapsed["timeline"]["counts"] == {"2024-02-20": 1, "2024-03-01": 1, "2024-03-10": 1}
    assert collapsed["sources"] == {
        "counts": {"Coastal Wire": 2, "Harbour Post": 1},
        "no_source": 0,
    }
    every = document(indexes.dedup, "search", "ferry", "--by", "day", "--no-collapse")
    assert every["total"] == 6
    assert every["sources"]["counts"] == {
        "Coastal Wire": 2,
        "Harbour Post": 2,
        "Saltmarsh Gazette": 1,
        "Valley Herald": 1,
    }
    assert sum(every["timeline"]["counts"].values()) == 6
    # Sorting lists another copy for the story but counts the same.
    newest = document(indexes.dedup, "search", "ferry", "--sort", "newest", "--by", "day")
    assert newest["timeline"] == collapsed["timeline"]
    assert newest["sources"] == collapsed["sources"]


def test_export_lists_each_story_once_with_its_copies(indexes: Indexes) -> None:
    ids = indexes.dedup_ids
    rows = exported(indexes.dedup, "ferry", "--sort", "newest")
    assert [row["id"] for row in rows] == [ids["fares"], ids["copy_local"], ids["terminal"]]
    assert rows[1]["duplicates"] == [ids["copy_reshaped"], ids["copy_substituted"], ids["wire"]]
    oldest = exported(indexes.dedup, "ferry", "--sort", "oldest")
    assert [row["id"] for row in oldest] == [ids["terminal"], ids["wire"], ids["fares"]]
    assert oldest[1]["duplicates"] == [
        ids["copy_substituted"],
        ids["copy_reshaped"],
        ids["copy_local"],
    ]
    assert len(exported(indexes.dedup, "ferry", "--no-collapse")) == 6


# -- every way of counting agrees --------------------------------------------

AGREEMENT_QUERIES = [
    "",
    "harvest",
    "bushfire",
    "attack",
    '"front line"',
    "glacier OR ferry OR orchard",
    "NOT harvest",
    "source:coastal",
    "date:2021",
    "zzqqxxnothing",
]


def _period(row: dict[str, Any], by: str) -> str | None:
    if row["date"] is None:
        return None
    day = dt.date.fromisoformat(row["date"])
    return periods.label(periods.key_of(day, by), by)  # type: ignore[arg-type]


def _agree(index: str, query: str, by: str, *flags: str) -> None:
    found = document(index, "search", query, "--by", by, "--limit", "1000", *flags)
    total = found["total"]
    timeline, sources = found["timeline"], found["sources"]
    assert sum(timeline["counts"].values()) + timeline["undated"] == total
    assert sum(sources["counts"].values()) + sources["no_source"] == total
    trend = document(index, "trend", query, "--by", by, *flags)
    series = trend["series"][0]
    assert series["total"] == total
    assert series["undated"] == timeline["undated"]
    assert {p: c for p, c in zip(trend["periods"], series["counts"], strict=True) if c} == (
        timeline["counts"]
    )
    rows = exported(index, query, "--sort", "oldest", *flags)
    assert len(rows) == total
    per_period = Counter(_period(row, by) for row in rows)
    assert per_period.pop(None, 0) == timeline["undated"]
    assert dict(per_period) == timeline["counts"]
    per_source = Counter(row["source"] for row in rows)
    assert per_source.pop(None, 0) == sources["no_source"]
    assert dict(per_source) == sources["counts"]
    # The default (relevance) order lists the same results as search's pages.
    listed = [row["id"] for row in exported(index, query, *flags)]
    assert listed == [hit["id"] for hit in found["hits"]]


@pytest.mark.parametrize("query", AGREEMENT_QUERIES)
@pytest.mark.parametrize("by", ["day", "week", "month", "year"])
def test_query_corpus_counts_agree(indexes: Indexes, query: str, by: str) -> None:
    _agree(indexes.queries, query, by)


@pytest.mark.parametrize("query", ["", "ferry", "commuters", "ferry NOT ramp", "bakery OR ferry"])
@pytest.mark.parametrize("flags", [(), ("--no-collapse",)])
def test_near_duplicate_counts_agree(indexes: Indexes, query: str, flags: tuple[str, ...]) -> None:
    for by in ("day", "week", "month"):
        _agree(indexes.dedup, query, by, *flags)


@pytest.mark.parametrize("query", ["", "harbour", "ferry OR flood", '"peace talks"'])
def test_seed_counts_agree(indexes: Indexes, query: str) -> None:
    _agree(indexes.seeds, query, "day")
    _agree(indexes.seeds, query, "week", "--from", "2021-09-08", "--to", "2021-09-13")


# -- counting days by period ------------------------------------------------------


@st.composite
def day_numbers(draw: st.DrawFn) -> list[int]:
    """Day numbers bunched in a few years (counted through a table) or
    spread over centuries (through a sort)."""
    first = draw(st.dates(dt.date(1700, 1, 1), dt.date(2300, 1, 1)))
    reach = draw(st.sampled_from([3, 40, 400, 3000, 150_000]))
    offsets = st.integers(0, reach)
    days = [first + dt.timedelta(days=n) for n in draw(st.lists(offsets, max_size=300))]
    return [day_number(day) for day in days if day.year < 10000]


@settings(max_examples=300)
@given(day_numbers(), st.sampled_from(periods.PERIODS))
def test_period_counts_are_the_distinct_keys_and_their_counts(days: list[int], by: Period) -> None:
    array = np.array(days, dtype=np.int64)
    keys, counts = np.unique(periods.keys(array, by), return_counts=True)
    assert period_counts(array, by) == (keys.tolist(), counts.tolist())
