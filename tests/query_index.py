"""The query corpus, indexed once for the whole session, and ways to ask it.

The corpus (``tests/query_corpus.py``) is written so that each feature of the
query language has one precise answer.  Results are compared as sets of the
corpus's short article names (ids are computed independently with
``article_id``), so a failure reads ``{'frontline_exact'} != {...}``.

Its ``indexed`` and ``engine`` fixtures are registered for every test module
(``conftest.py``); a module with fixtures of those names uses its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from searchengine.dates import parse_bound
from searchengine.indexer.run import run_index
from searchengine.models import SearchResult, Snippet, article_id
from searchengine.query.engine import Engine
from searchengine.query.request import SearchRequest

from query_corpus import ARTICLES, build_query_corpus, by_name

ALL = frozenset(a.name for a in ARTICLES)
DATED = frozenset(a.name for a in ARTICLES if a.date is not None)
UNDATED = ALL - DATED
META = by_name()
BIG = 100  # more than the corpus holds: one page is every hit


@dataclass(frozen=True)
class Corpus:
    index_dir: str
    paths: dict[str, str]
    ids: dict[str, str]  # name -> id
    names: dict[str, str]  # id -> name


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
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


# Answers the query corpus gives, shared by several test modules.

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
