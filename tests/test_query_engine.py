"""The query layer on a real index: every query form returns exactly the right articles.

The corpus (``tests/query_corpus.py``) is written so that each feature of the
query language has one precise answer.  Results are compared as sets of the
corpus's short article names (ids are computed independently with
``article_id``), so a failure reads ``{'frontline_exact'} != {...}``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from searchengine.analysis.tokenizer import fold, stem
from searchengine.dates import parse_bound
from searchengine.errors import (
    ArticleNotFoundError,
    BadDateError,
    QuerySyntaxError,
    UsageError,
)
from searchengine.indexer.run import run_index
from searchengine.models import SearchResult, Snippet, article_id
from searchengine.query.engine import Engine
from searchengine.query.request import SearchRequest, SortOrder

from query_corpus import ARTICLES, build_query_corpus, by_name

ALL = frozenset(a.name for a in ARTICLES)
DATED = frozenset(a.name for a in ARTICLES if a.date is not None)
UNDATED = ALL - DATED
META = by_name()
BIG = 100  # more than the corpus holds: one page is every hit

#: Longest snippet text accepted: "about 240 characters" plus the ellipses.
MAX_SNIPPET_CHARS = 245
ELLIPSIS = "\u2026"
_WORD_CHAR = re.compile(r"\w")


@dataclass(frozen=True)
class Corpus:
    index_dir: str
    paths: dict[str, str]
    ids: dict[str, str]  # name -> id
    names: dict[str, str]  # id -> name


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    root: Path = tmp_path_factory.mktemp("query_engine")
    paths = build_query_corpus(root / "corpus")
    index_dir = str(root / "index")
    summary = run_index(index_dir, [str(root / "corpus")])
    assert summary.errors == ()
    assert summary.skipped == ()
    assert summary.articles == len(ARTICLES)
    ids = {name: article_id(path, META[name].record) for name, path in paths.items()}
    assert len(set(ids.values())) == len(ids)
    return Corpus(index_dir, paths, ids, {v: k for k, v in ids.items()})


@pytest.fixture(scope="module")
def engine(indexed: Corpus) -> Iterator[Engine]:
    with Engine(indexed.index_dir) as opened:
        yield opened


def run(engine: Engine, query: str = "", **options: object) -> SearchResult:
    options.setdefault("limit", BIG)
    # These tests are about matching and ranking every article; collapsing
    # near-duplicates (templated test files are some) has its own tests.
    options.setdefault("collapse", False)
    return engine.search(SearchRequest(query=query, **options))  # type: ignore[arg-type]


def names_of(indexed: Corpus, result: SearchResult) -> list[str]:
    """Hit names in order; an id not in the corpus shows up as ``?id``."""
    return [indexed.names.get(h.id, f"?{h.id}") for h in result.hits]


def found(indexed: Corpus, engine: Engine, query: str = "", **options: object) -> set[str]:
    """The names of every article ``query`` matches (checking ``total`` agrees)."""
    result = run(engine, query, **options)
    names = names_of(indexed, result)
    assert len(names) == len(set(names)), f"duplicate hits for {query!r}: {names}"
    assert result.total == len(names), f"total {result.total} but {len(names)} hits for {query!r}"
    return set(names)


def span_texts(snippet: Snippet) -> list[str]:
    return [snippet.text[a:b] for a, b in snippet.highlights]


def bound_from(text: str) -> dt.date:
    return parse_bound(text)[0]


def bound_to(text: str) -> dt.date:
    return parse_bound(text)[1]


def dated_between(low: dt.date | None, high: dt.date | None) -> set[str]:
    return {
        a.name
        for a in ARTICLES
        if a.date is not None
        and (low is None or a.date >= low)
        and (high is None or a.date <= high)
    }


def s(*names: str) -> frozenset[str]:
    return frozenset(names)


# ---------------------------------------------------------------------------
# The corpus is indexed as written
# ---------------------------------------------------------------------------


def test_every_article_is_indexed_with_its_metadata(indexed: Corpus, engine: Engine) -> None:
    result = run(engine, "*")
    assert result.total == len(ARTICLES)
    assert set(names_of(indexed, result)) == ALL
    for hit in result.hits:
        article = META[indexed.names[hit.id]]
        assert hit.path == indexed.paths[article.name]
        assert hit.record == article.record
        assert hit.title == article.title
        assert hit.date == article.date
        assert hit.source == article.source
        assert hit.author == article.author
        assert hit.url == article.url


# ---------------------------------------------------------------------------
# Exact answers, one query form at a time
# ---------------------------------------------------------------------------

GLACIER = s("bool_glacier_ferry", "bool_glacier")
FERRY = s("bool_glacier_ferry", "bool_ferry", "bool_orchard_ferry")
BUSHFIRE = s(
    "bushfire_long", "bushfire_smoke", "bushfire_donors", "bushfire_claims", "jsonl_bushfire"
)
HARVEST_DATED = s(
    "harvest_2020_06_15",
    "harvest_2021_08_31",
    "harvest_2021_09_01",
    "harvest_2021_09_30",
    "harvest_2021_10_01",
    "harvest_2021_12_31",
    "harvest_2022_01_01",
)
HARVEST = HARVEST_DATED | {"harvest_undated"}

QUERY_CASES: list[tuple[str, frozenset[str]]] = [
    # stemming: every form finds every form
    ("attack", s("stem_attack", "stem_attacks", "stem_attacked")),
    ("attacks", s("stem_attack", "stem_attacks", "stem_attacked")),
    ("attacked", s("stem_attack", "stem_attacks", "stem_attacked")),
    ("running", s("stem_running", "stem_run")),
    ("run", s("stem_running", "stem_run")),
    ("news", s("stem_news")),
    ("new", s("stem_new")),
    ("bushfires", BUSHFIRE),
    ("ATTACK", s("stem_attack", "stem_attacks", "stem_attacked")),
    # accent folding, both ways
    ("zurich", s("accent_marked", "accent_plain")),
    ("Zürich", s("accent_marked", "accent_plain")),
    ("cafe", s("accent_marked", "accent_plain")),
    ("café", s("accent_marked", "accent_plain")),
    ("resume", s("accent_marked", "accent_plain")),
    ("RÉSUMÉ", s("accent_marked", "accent_plain")),
    ("zurich café résumé", s("accent_marked", "accent_plain")),
    ('"café near"', s("accent_marked")),
    ("zür*", s("accent_marked", "accent_plain")),
    ("ZÜRICH", s("accent_marked", "accent_plain")),
    # phrase vs words anywhere
    ('"front line"', s("frontline_exact")),
    ("front line", s("frontline_exact", "frontline_apart")),
    ('"line front"', s()),
    ('"Front Line"', s("frontline_exact")),
    ('front -"front line"', s("frontline_apart")),
    ('"year in review: farming"', s("harvest_2021_12_31")),
    ("keeper", s("field_title")),
    ("keeper's", s("field_title")),
    ("keeper\u2019s", s("field_title")),
    ('"al-Zarqin district"', s("hyphen_alzarqin")),
    # punctuation a user types around words is not part of the query
    ("lighthouse,", s("field_title", "field_body")),
    ("Zürich.", s("accent_marked", "accent_plain")),
    ("lighthouse?", s("field_title", "field_body")),
    ("1971", s("stem_news")),
    ("1950s", s("hyphen_well_only")),
    # slop: "peace talks" at 1, 3 and 4 positions apart
    ('"peace talks"', s("peace_adjacent")),
    ('"peace talks"~3', s("peace_adjacent", "peace_dist3")),
    ('"peace talks"~4', s("peace_adjacent", "peace_dist3", "peace_dist4")),
    ("peace talks", s("peace_adjacent", "peace_dist3", "peace_dist4")),
    # stop words are part of phrases
    ('"bank of arvonia"', s("bank_of")),
    ('"bank in arvonia"', s("bank_in")),
    ("bank arvonia", s("bank_of", "bank_in")),
    # AND (default and explicit), OR, NOT, -word, parentheses
    ("glacier ferry", s("bool_glacier_ferry")),
    ("glacier AND ferry", s("bool_glacier_ferry")),
    ("glacier OR ferry", GLACIER | FERRY),
    ("glacier OR orchard", GLACIER | {"bool_orchard_ferry"}),
    ("ferry NOT glacier", s("bool_ferry", "bool_orchard_ferry")),
    ("ferry AND NOT glacier", s("bool_ferry", "bool_orchard_ferry")),
    ("ferry -glacier", s("bool_ferry", "bool_orchard_ferry")),
    ("-glacier ferry", s("bool_ferry", "bool_orchard_ferry")),
    ("ferry -glacier -orchard", s("bool_ferry")),
    ("(glacier OR orchard) AND ferry", s("bool_glacier_ferry", "bool_orchard_ferry")),
    ("(glacier OR orchard) ferry", s("bool_glacier_ferry", "bool_orchard_ferry")),
    ("(glacier OR orchard) -ferry", s("bool_glacier")),
    ("ferry -(glacier OR orchard)", s("bool_ferry")),
    ("ferry NOT (glacier OR orchard)", s("bool_ferry")),
    ("glacier OR (orchard AND ferry)", GLACIER | {"bool_orchard_ferry"}),
    ("-glacier", ALL - GLACIER),
    ("NOT glacier", ALL - GLACIER),
    # a hyphen inside a word is part of the word, not a NOT
    ("well-known", s("hyphen_wellknown")),
    ("well-known bakery", s("hyphen_wellknown")),
    ("bakery -well-known", s("hyphen_known_only")),
    ("-well-known bakery", s("hyphen_known_only")),
    ('"well-known bakery"', s("hyphen_wellknown")),
    ("al-Zarqin", s("hyphen_alzarqin")),
    ("road al-Zarqin", s("hyphen_alzarqin")),
    ("well", s("hyphen_wellknown", "hyphen_well_only")),
    ("known", s("hyphen_wellknown", "hyphen_known_only")),
    # fields; unqualified words search title and body only
    ("title:lighthouse", s("field_title")),
    ("body:lighthouse", s("field_body")),
    ("lighthouse", s("field_title", "field_body")),
    ("title:zürich", s("accent_marked")),
    ("body:zurich", s("accent_marked", "accent_plain")),
    ("title:(lighthouse OR zurich)", s("field_title", "accent_marked")),
    ('body:"front line"', s("frontline_exact")),
    ("title:attack", s("stem_attack")),
    ("title:attack OR body:attack", s("stem_attack", "stem_attacks", "stem_attacked")),
    ("author:renee", s("accent_marked", "accent_plain")),
    ("author:Renée", s("accent_marked", "accent_plain")),
    ('author:"dubois-varga"', s("accent_marked", "accent_plain")),
    ("castellan", s()),
    ("source:weekly", frozenset(a.name for a in ARTICLES if a.source == "Coastal Wire Weekly")),
    (
        "source:coastal",
        frozenset(a.name for a in ARTICLES if (a.source or "").startswith("Coastal")),
    ),
    (
        "source:weekly harvest",
        s("harvest_2021_09_01", "harvest_undated"),
    ),
    ("source:herald lighthouse", s("field_body")),
    (
        'source:"Coastal Wire Weekly"',
        frozenset(a.name for a in ARTICLES if a.source == "Coastal Wire Weekly"),
    ),
    ("harvest -source:weekly", HARVEST - {"harvest_2021_09_01", "harvest_undated"}),
    # prefix and fuzzy
    ("panj*", s("prefix_panjdara", "prefix_panjlor")),
    ("Panj*", s("prefix_panjdara", "prefix_panjlor")),
    ("panjd*", s("prefix_panjdara")),
    ("pandara", s("prefix_pandara")),
    ("pandara~", s("prefix_pandara", "prefix_panjdara")),  # Panjdara is one insertion away
    ("panjdra~", s("prefix_panjdara")),  # Pandara is two edits away
    ("panjdra", s()),
    ("investers~", s("fuzzy_investors")),
    ("INVESTERS~", s("fuzzy_investors")),
    ("Pandara~", s("prefix_pandara", "prefix_panjdara")),
    ("attack*", s("stem_attack", "stem_attacks", "stem_attacked")),
    ("investo*", s("fuzzy_investors")),
    ("investers~1", s("fuzzy_investors")),
    ("invastrs~", s()),  # two edits from "investors"
    ("invastrs~2", s("fuzzy_investors")),
    ("investers", s()),
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
    # the empty query and * match everything
    ("", ALL),
    ("*", ALL),
    ("   ", ALL),
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
# --from / --to and --source
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


SOURCES = {
    name: frozenset(a.name for a in ARTICLES if a.source == name)
    for name in ("Coastal Wire", "Coastal Wire Weekly", "Valley Herald", "Northern Ledger")
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Coastal Wire", SOURCES["Coastal Wire"]),
        ("coastal wire", SOURCES["Coastal Wire"]),
        ("COASTAL WIRE", SOURCES["Coastal Wire"]),
        ("Coastal Wire Weekly", SOURCES["Coastal Wire Weekly"]),
        ("coastal wire weekly", SOURCES["Coastal Wire Weekly"]),
        ("Valley Herald", SOURCES["Valley Herald"]),
        ("Coastal", s()),
        ("Wire", s()),
        ("Coastal Wire Week", s()),
        ("Herald", s()),
    ],
)
def test_source_filter_is_whole_name_any_case(
    indexed: Corpus, engine: Engine, source: str, expected: frozenset[str]
) -> None:
    assert found(indexed, engine, "", source=source) == expected


def test_source_filter_combines_with_query_and_dates(indexed: Corpus, engine: Engine) -> None:
    assert found(indexed, engine, "harvest", source="coastal wire") == s(
        "harvest_2021_08_31", "harvest_2021_12_31"
    )
    assert found(indexed, engine, "harvest", source="Coastal Wire Weekly") == s(
        "harvest_2021_09_01", "harvest_undated"
    )
    assert found(
        indexed, engine, "harvest", source="Coastal Wire Weekly", date_from=bound_from("2000")
    ) == s("harvest_2021_09_01")


def test_source_sets_are_not_trivial() -> None:
    # The filter tests mean something only if both names are in use.
    assert len(SOURCES["Coastal Wire"]) >= 5
    assert len(SOURCES["Coastal Wire Weekly"]) >= 5


# ---------------------------------------------------------------------------
# Order: relevance, title boost, dates, undated last
# ---------------------------------------------------------------------------

HARVEST_NEWEST = [
    "harvest_2022_01_01",
    "harvest_2021_12_31",
    "harvest_2021_10_01",
    "harvest_2021_09_30",
    "harvest_2021_09_01",
    "harvest_2021_08_31",
    "harvest_2020_06_15",
    "harvest_undated",
]
HARVEST_OLDEST = [*reversed(HARVEST_NEWEST[:-1]), "harvest_undated"]


@pytest.mark.parametrize(
    ("sort", "expected"), [("newest", HARVEST_NEWEST), ("oldest", HARVEST_OLDEST)]
)
def test_date_sorts_put_undated_last(
    indexed: Corpus, engine: Engine, sort: SortOrder, expected: list[str]
) -> None:
    result = run(engine, "harvest", sort=sort)
    assert names_of(indexed, result) == expected
    assert all(hit.score is None for hit in result.hits)


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_browsing_everything_by_date(indexed: Corpus, engine: Engine, sort: SortOrder) -> None:
    result = run(engine, "", sort=sort)
    names = names_of(indexed, result)
    dated = sorted(
        (a for a in ARTICLES if a.date is not None),
        key=lambda a: a.date or dt.date.min,
        reverse=sort == "newest",
    )
    assert names[: len(dated)] == [a.name for a in dated]
    assert set(names[len(dated) :]) == UNDATED


def test_browsing_a_period_newest_first(indexed: Corpus, engine: Engine) -> None:
    result = run(
        engine, "*", sort="newest", date_from=bound_from("2021-08"), date_to=bound_to("2021-10")
    )
    assert names_of(indexed, result) == [
        "harvest_2021_10_01",
        "harvest_2021_09_30",
        "harvest_2021_09_01",
        "harvest_2021_08_31",
        "bank_in",
        "bank_of",
    ]


def test_relevance_scores_are_numbers_best_first(indexed: Corpus, engine: Engine) -> None:
    result = run(engine, "bushfire OR harvest OR glacier")
    scores = [hit.score for hit in result.hits]
    assert all(isinstance(score, float) and score > 0 for score in scores)
    numbers = [score for score in scores if score is not None]
    assert numbers == sorted(numbers, reverse=True)


def test_title_match_ranks_above_body_match(indexed: Corpus, engine: Engine) -> None:
    # "lighthouse" is once in field_title's title, once in field_body's body.
    result = run(engine, "lighthouse")
    assert names_of(indexed, result) == ["field_title", "field_body"]
    first, second = result.hits
    assert first.score is not None and second.score is not None
    assert first.score > second.score


# ---------------------------------------------------------------------------
# Pagination and totals
# ---------------------------------------------------------------------------

PAGED_QUERY = "bushfire OR harvest OR glacier"
PAGED_TOTAL = len(BUSHFIRE | HARVEST | GLACIER)


@pytest.mark.parametrize(
    ("query", "sort"),
    [
        (PAGED_QUERY, "relevance"),
        (PAGED_QUERY, "newest"),
        ("", "newest"),
        ("*", "oldest"),
        ("-glacier", "relevance"),
    ],
)
def test_page_one_plus_page_two_is_the_first_ten(
    indexed: Corpus, engine: Engine, query: str, sort: SortOrder
) -> None:
    first = run(engine, query, sort=sort, limit=5, page=1)
    second = run(engine, query, sort=sort, limit=5, page=2)
    ten = run(engine, query, sort=sort, limit=10, page=1)
    assert len(first.hits) == len(second.hits) == 5
    assert [h.id for h in first.hits] + [h.id for h in second.hits] == [h.id for h in ten.hits]
    assert first.total == second.total == ten.total
    assert (first.page, second.page, first.limit) == (1, 2, 5)


@pytest.mark.parametrize(
    ("query", "sort"), [("*", "newest"), ("-glacier", "relevance"), ("", "oldest")]
)
def test_pages_one_and_two_are_the_first_twenty(
    indexed: Corpus, engine: Engine, query: str, sort: SortOrder
) -> None:
    first = run(engine, query, sort=sort, limit=10, page=1)
    second = run(engine, query, sort=sort, limit=10, page=2)
    twenty = run(engine, query, sort=sort, limit=20, page=1)
    assert len(twenty.hits) == 20
    assert [h.id for h in first.hits + second.hits] == [h.id for h in twenty.hits]


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_walking_every_page_gives_every_hit_once(
    indexed: Corpus, engine: Engine, sort: SortOrder
) -> None:
    everything = run(engine, PAGED_QUERY, sort=sort)
    assert everything.total == PAGED_TOTAL
    walked: list[str] = []
    page = 1
    while True:
        result = run(engine, PAGED_QUERY, sort=sort, limit=4, page=page)
        assert result.total == PAGED_TOTAL
        if not result.hits:
            break
        walked.extend(h.id for h in result.hits)
        page += 1
    assert page == -(-PAGED_TOTAL // 4) + 1
    assert walked == [h.id for h in everything.hits]


def test_total_is_exact_when_the_page_is_smaller(indexed: Corpus, engine: Engine) -> None:
    result = run(engine, "harvest", limit=2)
    assert result.total == len(HARVEST)
    assert len(result.hits) == 2
    beyond = run(engine, "harvest", limit=5, page=3)
    assert beyond.total == len(HARVEST)
    assert beyond.hits == ()


# ---------------------------------------------------------------------------
# Suggestions
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("bushfier", "bushfire"),
        ("Bushfier", "Bushfire"),
        ("bushfier date:2021", "bushfire date:2021"),
        ("title:bushfier", "title:bushfire"),
        ("bushfier smoke", "bushfire smoke"),
        ("BUSHFIER", "BUSHFIRE"),
        ("bushfyre", "bushfire"),
        ('"bushfier season"', '"bushfire season"'),
        ("bushfier harvst", "bushfire harvest"),
        ("buhsfier", "bushfire"),  # two swaps: two edits, four without transpositions
    ],
)
def test_misspelled_word_gets_the_users_word_not_the_stem(
    indexed: Corpus, engine: Engine, query: str, suggestion: str
) -> None:
    result = run(engine, query)
    assert result.suggestion == suggestion
    assert "bushfir " not in f"{result.suggestion} "


def test_misspelled_query_finds_nothing_but_its_suggestion_does(
    indexed: Corpus, engine: Engine
) -> None:
    result = run(engine, "bushfier")
    assert result.total == 0
    assert result.suggestion is not None
    assert found(indexed, engine, result.suggestion) == BUSHFIRE


@pytest.mark.parametrize(
    "query",
    [
        "bushfire",
        "bushfires",
        "Bushfire",
        "harvest",
        "attack ferry",
        "glacier",
        "",
        "*",
        "author:castellan",
        "source:weekly",
        'source:"coastal wire"',
        "author:renee",
        'source:"Coastal Wire Weekly"',
        "harvest -source:weekly",
        "panj*",
        "investers~",
    ],
)
def test_no_suggestion_for_words_the_index_holds(engine: Engine, query: str) -> None:
    # Words of the source and author fields are in the index too: "weekly"
    # is not a misspelling of "week" when a source is called "... Weekly".
    assert run(engine, query).suggestion is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("guard", s("stem_attack")),  # the text says "Guards"
        ("walker", s("stem_new")),  # the text says "walkers"
        ("investor", s("fuzzy_investors")),  # the text says "investors"
        ("attacker", s("stem_attack", "stem_attacks", "stem_attacked")),
    ],
)
def test_no_suggestion_for_a_word_found_through_its_stem(
    indexed: Corpus, engine: Engine, query: str, expected: frozenset[str]
) -> None:
    # A correctly spelled word that finds articles (another form of a word
    # the articles use) is not "likely misspelled": no "did you mean".
    assert found(indexed, engine, query) == expected
    assert run(engine, query).suggestion is None


@pytest.mark.parametrize(
    ("query", "must_find", "may_find"),
    [
        ("running*", s("stem_running"), s("stem_run")),
        ("attacked*", s("stem_attacked"), s("stem_attack", "stem_attacks")),
        ("investors*", s("fuzzy_investors"), s()),
        ("bushfires*", s("bushfire_smoke"), BUSHFIRE),
        ("guards*", s("stem_attack"), s()),
    ],
)
def test_prefix_that_is_a_whole_word_of_the_text_finds_it(
    indexed: Corpus, engine: Engine, query: str, must_find: frozenset[str], may_find: frozenset[str]
) -> None:
    # "running*" is the prefix of the word "running" in stem_running: a
    # prefix is matched against the words as written, not against stems.
    result = found(indexed, engine, query)
    assert must_find <= result <= must_find | may_find


# ---------------------------------------------------------------------------
# Lenient parsing and errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"front line', s("frontline_exact", "frontline_apart")),
        ('front line"', s("frontline_exact", "frontline_apart")),
        ("glacier AND", GLACIER),
        ("AND glacier", GLACIER),
        ("glacier OR", GLACIER),
        ("OR glacier", GLACIER),
        ("glacier AND AND ferry", s("bool_glacier_ferry")),
        ("(glacier OR ferry", GLACIER | FERRY),
        ("glacier OR ferry)", GLACIER | FERRY),
        ("glacier)", GLACIER),
        ("((glacier", GLACIER),
        ("glacier NOT", GLACIER),
        ('"peace talks"~', s("peace_adjacent")),
        ('"peace talks', s("peace_adjacent", "peace_dist3", "peace_dist4")),
        ("(glacier OR (orchard AND ferry)", GLACIER | {"bool_orchard_ferry"}),
        ("glacier OR OR ferry", GLACIER | FERRY),
        ("glacier -", GLACIER),
    ],
)
def test_unparsable_queries_are_searched_as_words(
    indexed: Corpus, engine: Engine, query: str, expected: frozenset[str]
) -> None:
    assert found(indexed, engine, query) == expected


@pytest.mark.parametrize("query", ["!!!", "()", "( )", "-", '"', "!!! ()", "((", "AND", "&&"])
def test_nothing_searchable_is_a_query_syntax_error(engine: Engine, query: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        run(engine, query)
    assert isinstance(info.value, UsageError)
    assert info.value.message


@pytest.mark.parametrize(
    "query",
    [
        "harvest date:2021-02-30",
        "harvest date:2021-13",
        "date:2021-00",
        "date:2021-09-31",
        "harvest date:soon",
        "date:[2021-10-01 to 2021-09-01]",
        "date:[2021-09-01 to 2021-09-99]",
        "date:>2021-13",
        "date:21-09",
    ],
)
def test_bad_date_in_query_is_a_bad_date_error(engine: Engine, query: str) -> None:
    with pytest.raises(BadDateError) as info:
        run(engine, query)
    assert isinstance(info.value, UsageError)


@pytest.mark.parametrize(
    "text", ["2021-02-30", "2021-13", "2021-9-31", "21-09", "Sept 2021", "", "2021/09"]
)
def test_bad_date_bound_is_a_bad_date_error_naming_the_forms(text: str) -> None:
    with pytest.raises(BadDateError) as info:
        parse_bound(text, what="--from")
    assert "YYYY-MM-DD" in info.value.message


def test_from_after_to_is_a_usage_error(engine: Engine) -> None:
    with pytest.raises(UsageError):
        run(engine, "harvest", date_from=dt.date(2021, 10, 1), date_to=dt.date(2021, 9, 30))


@pytest.mark.parametrize("options", [{"limit": 0}, {"page": 0}, {"sort": "sideways"}])
def test_bad_request_options_are_usage_errors(engine: Engine, options: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        engine.search(SearchRequest(query="harvest", **options))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Snippets and highlights
# ---------------------------------------------------------------------------


def _stems(*words: str) -> Callable[[str], bool]:
    wanted = {stem(w) for w in words}
    return lambda text: stem(text) in wanted


def _prefix(prefix: str) -> Callable[[str], bool]:
    return lambda text: fold(text).startswith(prefix)


HIGHLIGHT_CASES: list[tuple[str, Callable[[str], bool]]] = [
    ("attack", _stems("attack")),
    ("running", _stems("run")),
    ("zurich café", _stems("zurich", "cafe")),
    ("résumé", _stems("resume")),
    ("front line", _stems("front", "line")),
    ('"front line"', _stems("front", "line")),
    ('"peace talks"~3', _stems("peace", "talks")),
    ('"bank of arvonia"', _stems("bank", "of", "arvonia")),
    ("ferry -glacier", _stems("ferry")),
    ("glacier OR orchard", _stems("glacier", "orchard")),
    ("well-known", _stems("well", "known")),
    ("al-Zarqin", _stems("al", "zarqin")),
    ("panj*", _prefix("panj")),
    ("zür*", _prefix("zur")),
    ("attack*", _prefix("attack")),
    ("pandara~", _stems("pandara", "panjdara")),
    ("investers~", _stems("investors")),
    ("bushfire", _stems("bushfire")),
    ("harvest date:2021-09", _stems("harvest")),
    ("lighthouse", _stems("lighthouse")),
    ("title:lighthouse", lambda text: False),  # no body word is a title: match
    ("", lambda text: False),
]


def _check_snippet_shape(snippet: Snippet, body: str) -> None:
    text = snippet.text
    assert len(text) <= MAX_SNIPPET_CHARS, f"{len(text)} chars: {text!r}"
    assert text.strip() == text and text
    # Highlights: ordered, disjoint, inside the text, each a whole word.
    previous_end = 0
    for a, b in snippet.highlights:
        assert previous_end <= a < b <= len(text), snippet
        assert not (a > 0 and _WORD_CHAR.match(text[a - 1])), f"span starts mid-word: {text!r}"
        assert not (b < len(text) and _WORD_CHAR.match(text[b])), f"span ends mid-word: {text!r}"
        previous_end = b
    # Cut at word boundaries: the passage is a run of whole words of the body.
    inner = text
    starts_cut = inner.startswith(ELLIPSIS)
    ends_cut = inner.endswith(ELLIPSIS)
    inner = inner.removeprefix(ELLIPSIS).removesuffix(ELLIPSIS).strip()
    flat = " ".join(body.split())
    at = flat.find(inner)
    assert at >= 0, f"snippet is not a passage of the body: {text!r}"
    end = at + len(inner)
    assert at == 0 or not (_WORD_CHAR.match(flat[at - 1]) and _WORD_CHAR.match(inner[0])), (
        f"snippet starts mid-word: {text!r}"
    )
    assert end == len(flat) or not (_WORD_CHAR.match(flat[end]) and _WORD_CHAR.match(inner[-1])), (
        f"snippet ends mid-word: {text!r}"
    )
    assert starts_cut == (at > 0), (
        f"ellipsis at the start iff the passage does not open the body: {text!r}"
    )
    assert ends_cut == (end < len(flat)), (
        f"ellipsis at the end iff the passage does not end the body: {text!r}"
    )


@pytest.mark.parametrize(
    ("query", "is_query_word"), HIGHLIGHT_CASES, ids=[q or "<empty>" for q, _ in HIGHLIGHT_CASES]
)
def test_snippets_and_highlights_are_well_formed(
    indexed: Corpus, engine: Engine, query: str, is_query_word: Callable[[str], bool]
) -> None:
    result = run(engine, query)
    assert result.hits
    for hit in result.hits:
        body = engine.show(hit.id).body
        assert 1 <= len(hit.snippets) <= 3, hit
        for snippet in hit.snippets:
            _check_snippet_shape(snippet, body)
            for word in span_texts(snippet):
                assert is_query_word(word), (
                    f"{word!r} highlighted for {query!r} in {snippet.text!r}"
                )


@pytest.mark.parametrize(
    ("query", "name", "words"),
    [
        ("attack", "stem_attacked", ["attacked"]),
        ("attack", "stem_attacks", ["attacks"]),
        ("zurich cafe resume", "accent_marked", ["café", "Zürich", "résumé"]),
        ("zurich cafe resume", "accent_plain", ["Zurich", "resume", "cafe"]),
        ('"front line"', "frontline_exact", ["front", "line"]),
        ('"front line" convoy', "frontline_exact", ["convoy", "front", "line"]),
        ('"front line" OR front', "frontline_exact", ["front", "front", "line"]),
        ('front -"front line"', "frontline_apart", ["front"]),
        ("title:convoy", "frontline_exact", []),
        ("front line", "frontline_exact", ["front", "front", "line"]),
        ("front line", "frontline_apart", ["front", "line"]),
        ('"peace talks"~3', "peace_dist3", ["peace", "talks"]),
        ('"peace talks"~4', "peace_dist4", ["peace", "talks"]),
        ('"bank of arvonia"', "bank_of", ["Bank", "of", "Arvonia"]),
        ("bank arvonia", "bank_in", ["bank", "Arvonia"]),
        ("well-known", "hyphen_wellknown", ["well", "known"]),
        ("al-Zarqin", "hyphen_alzarqin", ["al", "Zarqin"]),
        ("panj*", "prefix_panjdara", ["Panjdara"]),
        ("pandara~", "prefix_panjdara", ["Panjdara"]),
        ("investers~", "fuzzy_investors", ["investors"]),
        ("ferry NOT glacier", "bool_orchard_ferry", ["ferry"]),
        ("glacier OR orchard", "bool_orchard_ferry", ["orchard"]),
        ("body:lighthouse", "field_body", ["lighthouse"]),
    ],
)
def test_exactly_the_matching_words_are_highlighted(
    indexed: Corpus, engine: Engine, query: str, name: str, words: list[str]
) -> None:
    result = run(engine, query)
    hits = {indexed.names.get(h.id): h for h in result.hits}
    assert name in hits
    highlighted = [w for snippet in hits[name].snippets for w in span_texts(snippet)]
    assert highlighted == words


def test_phrase_highlights_only_whole_phrase_occurrences(indexed: Corpus, engine: Engine) -> None:
    # frontline_exact: "Drivers at the front of the convoy waited while the front line held"
    result = run(engine, '"front line"')
    (hit,) = result.hits
    assert indexed.names[hit.id] == "frontline_exact"
    (snippet,) = hit.snippets
    assert snippet.text.count("front") == 2, "the lone 'front' is in the passage"
    assert span_texts(snippet) == ["front", "line"]
    (a, _), (_, d) = snippet.highlights
    assert snippet.text[a:d] == "front line"
    lone = snippet.text.index("front of the convoy")
    assert all(not (x <= lone < y) for x, y in snippet.highlights), (
        "the lone 'front' is not highlighted"
    )


def test_slop_phrase_highlights_the_phrase_words_not_the_gap(
    indexed: Corpus, engine: Engine
) -> None:
    result = run(engine, '"peace talks"~3')
    for hit in result.hits:
        for snippet in hit.snippets:
            assert set(span_texts(snippet)) == {"peace", "talks"}, snippet


def test_long_article_has_at_most_three_separate_snippets(indexed: Corpus, engine: Engine) -> None:
    result = run(engine, "bushfire")
    hits = {indexed.names[h.id]: h for h in result.hits}
    long_hit = hits["bushfire_long"]
    body = engine.show(long_hit.id).body
    assert body.lower().count("bushfire") == 4
    assert len(long_hit.snippets) == 3
    flat = " ".join(body.split())
    places: list[tuple[int, int]] = []
    for snippet in long_hit.snippets:
        inner = snippet.text.removeprefix(ELLIPSIS).removesuffix(ELLIPSIS).strip()
        at = flat.find(inner)
        places.append((at, at + len(inner)))
        assert span_texts(snippet), "every passage shows a match"
        assert all(fold(w) == "bushfire" for w in span_texts(snippet))
    places.sort()
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(places)), "passages overlap"
    for name in BUSHFIRE - {"bushfire_long"}:
        assert len(hits[name].snippets) == 1


def test_snippets_can_be_turned_off(engine: Engine) -> None:
    result = engine.search(SearchRequest(query="bushfire", limit=BIG, snippets=False))
    assert result.total == len(BUSHFIRE)
    assert all(hit.snippets == () for hit in result.hits)


# ---------------------------------------------------------------------------
# show
# ---------------------------------------------------------------------------


def _body_words(body: str, spans: tuple[tuple[int, int], ...]) -> list[str]:
    return [body[a:b] for a, b in spans]


@pytest.mark.parametrize(
    ("name", "query", "words"),
    [
        ("frontline_exact", '"front line"', ["front", "line"]),
        ("frontline_exact", "front line", ["front", "front", "line"]),
        ("frontline_exact", "line", ["line"]),
        ("stem_attacked", "attack", ["attacked"]),
        ("accent_marked", "zurich cafe resume", ["café", "Zürich", "résumé"]),
        ("peace_dist3", '"peace talks"~3', ["peace", "talks"]),
        ("peace_dist3", '"peace talks"', []),
        ("bank_in", '"bank of arvonia"', []),
        ("bool_orchard_ferry", "ferry -glacier", ["ferry"]),
        ("bushfire_long", "bushfire", ["bushfire"] * 4),
        ("bushfire_long", "BUSHFIRES", ["bushfire"] * 4),
        ("hyphen_alzarqin", "al-Zarqin", ["al", "Zarqin"]),
        ("harvest_2021_09_30", "harvest date:2021-09", ["harvest"]),
        ("jsonl_bushfire", "bushfire", ["bushfire"]),
    ],
)
def test_show_highlights_the_query_in_the_whole_body(
    indexed: Corpus, engine: Engine, name: str, query: str, words: list[str]
) -> None:
    view = engine.show(indexed.ids[name], query)
    assert view.query == query
    assert view.hit.id == indexed.ids[name]
    assert [w.lower() for w in _body_words(view.body, view.highlights)] == [
        w.lower() for w in words
    ]
    assert _body_words(view.body, view.highlights) == [
        view.body[a:b] for a, b in sorted(view.highlights)
    ]


def test_show_without_query_has_the_article_and_no_highlights(
    indexed: Corpus, engine: Engine
) -> None:
    for article in (META["bushfire_long"], META["jsonl_undated"], META["undated_plain"]):
        view = engine.show(indexed.ids[article.name])
        assert view.highlights == ()
        assert " ".join(view.body.split()) == " ".join(article.body.split())
        hit = view.hit
        assert (hit.title, hit.date, hit.source, hit.author, hit.url, hit.record) == (
            article.title,
            article.date,
            article.source,
            article.author,
            article.url,
            article.record,
        )
        assert hit.path == indexed.paths[article.name]
        assert view.encoding


def test_show_unknown_id_is_not_found(engine: Engine) -> None:
    with pytest.raises(ArticleNotFoundError):
        engine.show("0000000000000000")


def test_show_with_a_bad_date_query_is_a_bad_date_error(indexed: Corpus, engine: Engine) -> None:
    with pytest.raises(BadDateError):
        engine.show(indexed.ids["harvest_2021_09_30"], "harvest date:2021-13")


# ---------------------------------------------------------------------------
# An open engine follows later index runs
# ---------------------------------------------------------------------------


def _harvest_file(path: Path, day: str) -> None:
    path.write_text(
        f"---\ntitle: Harvest notes {day}\ndate: {day}\nsource: Valley Herald\n---\n\n"
        f"Volunteers logged the harvest on {day} at the Greyford allotments.\n",
        encoding="utf-8",
    )


def test_open_engine_sees_later_runs_without_stale_or_duplicate_hits(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    paths = build_query_corpus(folder)
    index_dir = str(tmp_path / "index")
    run_index(index_dir, [str(folder)])
    expected = {article_id(paths[n], META[n].record) for n in HARVEST}
    with Engine(index_dir) as opened:

        def harvest_ids() -> list[str]:
            result = run(opened, "harvest")
            assert result.total == len(result.hits)
            assert run(opened, "*").total == len(ARTICLES) - len(removed) + len(added)
            return [h.id for h in result.hits]

        added: list[str] = []
        removed: list[str] = []
        assert sorted(harvest_ids()) == sorted(expected)
        # A removed file, a changed file that no longer matches, and new files,
        # one run at a time (several segments, then merges).
        Path(paths["harvest_2021_09_01"]).unlink()
        removed.append(paths["harvest_2021_09_01"])
        changed = Path(paths["harvest_2021_09_30"])
        changed.write_text(
            "---\ntitle: Grape season ends\ndate: 2021-09-30\n---\n\nThe vineyards closed early.\n",
            encoding="utf-8",
        )
        expected -= {
            article_id(paths[n], None) for n in ("harvest_2021_09_01", "harvest_2021_09_30")
        }
        for number in range(1, 6):
            new = folder / f"extra_{number}.txt"
            _harvest_file(new, f"2024-0{number}-10")
            added.append(str(new))
            expected.add(article_id(str(new), None))
            run_index(index_dir, [str(folder)])
            ids = harvest_ids()
            assert len(ids) == len(set(ids)), "duplicate hits after an index run"
            assert set(ids) == expected
        newest = run(opened, "harvest", sort="newest", limit=2)
        assert [h.id for h in newest.hits] == [
            article_id(added[-1], None),
            article_id(added[-2], None),
        ]
