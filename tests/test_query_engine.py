"""The query layer's front door on a real index: what a search returns, the
source filter, paging and totals, ``show``, and an open engine following
later index runs.

The query language itself is tested by the modules that implement it
(``test_query_parse``, ``test_query_expand``, ``test_query_datefilter``, ...),
on the same corpus (``tests/query_index.py``).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from searchengine.errors import ArticleNotFoundError, BadDateError
from searchengine.indexer.run import run_index
from searchengine.models import article_id
from searchengine.query.engine import Engine
from searchengine.query.request import SortOrder

from query_corpus import ARTICLES, build_query_corpus
from query_index import (
    ALL,
    BUSHFIRE,
    GLACIER,
    HARVEST,
    META,
    Corpus,
    bound_from,
    found,
    names_of,
    run,
    s,
)

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
# --source
# ---------------------------------------------------------------------------

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


def test_a_settled_folder_is_trusted_until_the_next_commit(tmp_path: Path) -> None:
    """Once the index folder's modification time is old, an unchanged one
    stands for "no new commit" (no listing of the folder); a commit changes
    it, and the next search sees the new articles."""
    folder = tmp_path / "corpus"
    build_query_corpus(folder)
    index_dir = tmp_path / "index"
    run_index(str(index_dir), [str(folder)])
    past = time.time() - 60
    os.utime(index_dir, (past, past))
    with Engine(str(index_dir)) as opened:
        # The first search opens the searcher, the second checks it in full.
        assert run(opened, "harvest").total == len(HARVEST)
        assert run(opened, "harvest").total == len(HARVEST)
        assert opened._settled_stamp == index_dir.stat().st_mtime_ns
        assert run(opened, "harvest").total == len(HARVEST)
        _harvest_file(folder / "extra.txt", "2024-03-10")
        run_index(str(index_dir), [str(folder)])
        assert run(opened, "harvest").total == len(HARVEST) + 1
        # Fresh from the commit: checked in full until it is old enough.
        assert opened._settled_stamp is None
