"""query.ranking orders matches exactly as Whoosh's sorting collector does.

A real index is built from sample articles made to tie: identical texts
(equal scores) on the same day, on different days and undated.  For every
order and every depth, the ranking must list the same document numbers as
Whoosh's own ``search(sortedby=...)``, count the same matches and the same
months.

On the query corpus (``tests/query_index.py``) the orders a reader sees are
checked by name: date sorts with the undated last, and the title boost.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from whoosh import query, sorting

from searchengine.indexer.run import run_index
from searchengine.query.engine import Engine
from searchengine.query.ranking import rank
from searchengine.query.request import SortOrder

from query_corpus import ARTICLES
from query_index import UNDATED, Corpus, bound_from, bound_to, names_of, run

#: (title, body, date or None): sample text written for this test.
TIED = [
    ("Harbour strike", "Dock workers at the harbour began a strike over pay.", "2024-03-05"),
    ("Harbour strike", "Dock workers at the harbour began a strike over pay.", "2024-03-05"),
    ("Harbour strike", "Dock workers at the harbour began a strike over pay.", "2024-03-07"),
    ("Harbour strike", "Dock workers at the harbour began a strike over pay.", None),
    ("Harbour strike", "Dock workers at the harbour began a strike over pay.", "2023-11-30"),
    ("Harbour strike", "Dock workers at the harbour began a strike over pay.", None),
    ("Strike ends", "The harbour strike ended after talks; the harbour reopened.", "2024-04-01"),
    ("Ferry news", "A ferry left the harbour late because of fog.", "2024-03-05"),
    ("Ferry news", "A ferry left the harbour late because of fog.", "2024-03-05"),
    ("Council vote", "The council voted on the budget for schools.", "2024-02-10"),
    ("Council vote", "The council voted on the budget for schools.", None),
    (
        "Storm warning",
        "Forecasters warned of a storm reaching the harbour and the river.",
        "2022-08-19",
    ),
]

WHOOSH_ORDERS: dict[str, Any] = {
    "relevance": [sorting.ScoreFacet(), sorting.FieldFacet("sort_newest", reverse=True)],
    "newest": sorting.FieldFacet("sort_newest", reverse=True),
    "oldest": sorting.FieldFacet("sort_oldest"),
}


@pytest.fixture(scope="module")
def tied(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """An engine on the articles made to tie."""
    root = tmp_path_factory.mktemp("ranking")
    corpus = root / "corpus"
    corpus.mkdir()
    for n, (title, body, date) in enumerate(TIED):
        front = ["---", f"title: {title}"] + ([f"date: {date}"] if date else []) + ["---"]
        (corpus / f"a{n:02d}.md").write_text("\n".join(front) + f"\n{body}\n", encoding="utf-8")
    run_index(str(root / "index"), [str(corpus)])
    with Engine(str(root / "index")) as opened:
        yield opened


def _whoosh(
    searcher: Any, q: Any, order: str, depth: int, allow: set[int] | None
) -> tuple[list[int], int, dict[Any, int]]:
    results = searcher.search(
        q,
        limit=depth,
        sortedby=WHOOSH_ORDERS[order],
        filter=allow,
        groupedby={"month": sorting.FieldFacet("month", maptype=sorting.Count)},
        terms=False,
    )
    months = {k: v for k, v in results.groups("month").items() if k}
    return [hit.docnum for hit in results], len(results), months


QUERIES = [
    query.Or([query.Term("title", "harbour"), query.Term("body", "harbour")]),
    query.Term("body", "strike"),
    query.Or([query.Term("body", "ferri"), query.Term("body", "council")]),
    query.Every(),
]


@pytest.mark.parametrize("order", list(WHOOSH_ORDERS))
@pytest.mark.parametrize("which", range(len(QUERIES)))
def test_every_depth_matches_whoosh(tied: Any, order: str, which: int) -> None:
    searcher = tied.searcher()
    q = QUERIES[which]
    for depth in range(1, len(TIED) + 2):
        expected, total, months = _whoosh(searcher, q, order, depth, None)
        ranking = rank(searcher, q, order, depth=depth)  # type: ignore[arg-type]
        assert [ranking.docnum(i) for i in range(ranking.scored_length())] == expected
        assert len(ranking) == total
        assert {k: v for k, v in ranking.months().items() if k} == months


@pytest.mark.parametrize("order", list(WHOOSH_ORDERS))
def test_filters_and_exclusions(tied: Any, order: str) -> None:
    searcher = tied.searcher()
    march = tied.days().between(20240301, 20240331)
    assert len(march) == 5  # the five articles dated March 2024
    for q in QUERIES:
        expected, total, _ = _whoosh(searcher, q, order, 20, march)
        ranking = rank(searcher, q, order, depth=20, allow=march)  # type: ignore[arg-type]
        assert [ranking.docnum(i) for i in range(ranking.scored_length())] == expected
        assert len(ranking) == total
    excluded = {0, 2}
    q = QUERIES[0]
    ranking = rank(searcher, q, order, depth=20, exclude=excluded)  # type: ignore[arg-type]
    all_of_them = rank(searcher, q, order, depth=20)  # type: ignore[arg-type]
    assert ranking.docs() == all_of_them.docs() - excluded


def test_deeper_extends_the_same_order(tied: Any) -> None:
    searcher = tied.searcher()
    q = QUERIES[0]
    shallow = rank(searcher, q, "relevance", depth=2)
    assert shallow.scored_length() == 2
    deep = shallow.deeper(50)
    full = [deep.docnum(i) for i in range(deep.scored_length())]
    assert full == _whoosh(searcher, q, "relevance", 50, None)[0]
    assert len(full) == len(deep) == 10  # every article with "harbour"
    assert deep[0].score is not None and deep[0].score > 0
    assert rank(searcher, q, "newest", depth=1)[0].score is None


# ---------------------------------------------------------------------------
# Order on the query corpus: relevance, title boost, dates, undated last
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
