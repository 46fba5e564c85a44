"""The query parser: its own repairs and readings, checked on the parsed
queries; and every form of the query language, searched on the query corpus
(``tests/query_index.py``), returning exactly the right articles."""

from __future__ import annotations

import pytest

from searchengine.errors import BadDateError, QuerySyntaxError, UsageError
from searchengine.index.schema import make_schema
from searchengine.query.engine import Engine
from searchengine.query.parse import parse_query, tidy

from query_corpus import ARTICLES
from query_index import ALL, BUSHFIRE, FERRY, GLACIER, HARVEST, Corpus, found, run, s

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


# ---------------------------------------------------------------------------
# The query language on a real index: every form returns exactly the right articles
# ---------------------------------------------------------------------------

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
