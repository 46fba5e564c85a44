"""Collapsed results (``query/collapse.py``): each story once, its matching
near-duplicates folded into its best-ranked copy, pages and totals exact.

Searches run on a real index of the dedup corpus (``tests/dedup_corpus.py``),
whose wire story has three copies.  :func:`collapse` itself is also driven
directly, over a real ranking of every article, with clusters chosen by the
test, so that which copy stands for a cluster and how deep the ranking is
fetched can be checked position by position.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from whoosh import query

from searchengine.index import directory as store
from searchengine.index.clusters import Clusters
from searchengine.query.collapse import collapse, matched_counts
from searchengine.query.ranking import Ranking, rank

from dedup_corpus import ARTICLES, Indexed, index_corpus, listing


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Indexed:
    """The corpus's index, shared: these tests only search it."""
    return index_corpus(tmp_path_factory.mktemp("collapse"))


def test_the_story_shows_once_with_its_copies(
    indexed: tuple[str, dict[str, str], dict[str, str]],
) -> None:
    index_dir, _, names = indexed
    assert listing(index_dir, names, query="ferry", sort="oldest") == (
        3,
        6,
        [
            ("terminal", []),
            ("wire", ["copy_substituted", "copy_reshaped", "copy_local"]),
            ("fares", []),
        ],
    )
    # By relevance the best-ranked copy stands for the story, the rest in rank order.
    assert listing(index_dir, names, query="ferry") == (
        3,
        6,
        [
            ("fares", []),
            ("terminal", []),
            ("copy_reshaped", ["copy_substituted", "wire", "copy_local"]),
        ],
    )


def test_only_matching_copies_are_counted(
    indexed: tuple[str, dict[str, str], dict[str, str]],
) -> None:
    index_dir, _, names = indexed
    # Only the local copy mentions the parish council; the other copies are
    # near-duplicates of it but do not match, so nothing is folded in.
    assert listing(index_dir, names, query="parish") == (1, 1, [("copy_local", [])])
    assert listing(index_dir, names, query="ferry", source="harbour post") == (
        2,
        2,
        [("fares", []), ("copy_substituted", [])],
    )


def test_no_collapse_lists_every_copy(indexed: tuple[str, dict[str, str], dict[str, str]]) -> None:
    index_dir, _, names = indexed
    total, uncollapsed, hits = listing(
        index_dir, names, query="ferry", sort="oldest", collapse=False
    )
    assert (total, uncollapsed) == (6, None)
    assert hits == [
        ("terminal", []),
        ("wire", []),
        ("copy_substituted", []),
        ("copy_reshaped", []),
        ("copy_local", []),
        ("fares", []),
    ]


def test_pages_of_collapsed_results_are_exact(
    indexed: tuple[str, dict[str, str], dict[str, str]],
) -> None:
    index_dir, _, names = indexed
    for sort in ("oldest", "newest"):
        whole = listing(index_dir, names, sort=sort, limit=20)
        assert whole[:2] == (6, 9)
        pages = [listing(index_dir, names, sort=sort, limit=2, page=n) for n in (1, 2, 3, 4)]
        assert [p[:2] for p in pages] == [(6, 9)] * 4
        assert [hit for p in pages for hit in p[2]] == whole[2]
        assert pages[3][2] == []
    assert listing(index_dir, names, sort="oldest", limit=20)[2] == [
        ("terminal", []),
        ("wire", ["copy_substituted", "copy_reshaped", "copy_local"]),
        ("library", []),
        ("bakery", []),
        ("cycling", []),
        ("fares", []),
    ]


def test_relevance_pages_of_one_add_up(indexed: tuple[str, dict[str, str], dict[str, str]]) -> None:
    index_dir, _, names = indexed
    whole = listing(index_dir, names, query="ferry OR library", limit=10)
    assert whole[:2] == (4, 7)
    pages = [
        listing(index_dir, names, query="ferry OR library", limit=1, page=n) for n in range(1, 6)
    ]
    assert [hit for p in pages for hit in p[2]] == whole[2]
    assert {p[:2] for p in pages} == {(4, 7)}


# -- collapse() over a ranking, with clusters chosen here ----------------------------


@pytest.fixture
def searcher(indexed: Indexed) -> Iterator[Any]:
    with store.searcher(indexed[0]) as opened:
        yield opened


def oldest_first(searcher: Any, depth: int) -> Ranking:
    """Every article, oldest first, ranked ``depth`` deep."""
    return rank(searcher, query.Every(), "oldest", depth=depth)


#: Clusters by position in the oldest-first order of all nine articles:
#: A holds positions 1, 4 and 7; B holds 2 and 8.
GROUPS = ((1, 4, 7), (2, 8))


def chosen(searcher: Any) -> tuple[Clusters, list[int]]:
    """The clusters of :data:`GROUPS` and the docnum at each position."""
    everything = oldest_first(searcher, len(ARTICLES))
    order = [everything.docnum(p) for p in range(everything.scored_length())]
    assert len(order) == len(set(order)) == len(ARTICLES)
    groups = [sorted(order[p] for p in group) for group in GROUPS]
    return Clusters.from_groups(groups, 0.5), order


def positions(entries: list[Any], order: list[int]) -> list[tuple[int, list[int]]]:
    return [(order.index(e.hit.docnum), [order.index(d) for d in e.duplicates]) for e in entries]


def test_the_best_ranked_member_stands_for_its_cluster(searcher: Any) -> None:
    clusters, order = chosen(searcher)
    results = oldest_first(searcher, 10)
    entries, total = collapse(results, results.deeper, clusters, 0, 10)
    assert positions(entries, order) == [(0, []), (1, [4, 7]), (2, [8]), (3, []), (5, []), (6, [])]
    assert total == 9 - 2 - 1
    assert matched_counts(results, clusters) == {0: 3, 1: 2}


def test_a_page_ranks_deeper_until_its_copies_are_all_seen(searcher: Any) -> None:
    clusters, order = chosen(searcher)
    results = oldest_first(searcher, 4)
    asked: list[int] = []

    def rerun(depth: int) -> Ranking:
        asked.append(depth)
        return results.deeper(depth)

    # Page 2 of two: B's representative (position 2) and position 3; B's
    # copy at position 8 is beyond the first four ranked.
    entries, total = collapse(results, rerun, clusters, 2, 2)
    assert positions(entries, order) == [(2, [8]), (3, [])]
    assert total == 6
    assert asked == [8, 9]  # doubled, then capped at every match


def test_matches_outside_the_clusters_are_counted_as_they_are(searcher: Any) -> None:
    clusters, order = chosen(searcher)
    # Only positions 0 to 4 match: A has two matching members, B one.
    allow = set(order[:5])
    results = rank(searcher, query.Every(), "oldest", depth=10, allow=allow)
    assert matched_counts(results, clusters) == {0: 2, 1: 1}
    entries, total = collapse(results, results.deeper, clusters, 0, 10)
    assert positions(entries, order) == [(0, []), (1, [4]), (2, []), (3, [])]
    assert total == 4


def test_no_clusters_is_the_ranking_as_it_is(searcher: Any) -> None:
    results = oldest_first(searcher, 3)
    entries, total = collapse(results, results.deeper, Clusters(), 1, 2)
    assert [(e.hit.docnum, e.duplicates) for e in entries] == [
        (results.docnum(1), ()),
        (results.docnum(2), ()),
    ]
    assert total == len(ARTICLES)
