"""The tiered merge policy: what it picks, and what it does to a real index."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index

from searchengine.index.merging import FACTOR, FLOOR, tier, to_merge
from searchengine.indexer.run import run_index
from searchengine.query.engine import Engine
from searchengine.query.request import SearchRequest

from fault_corpus import write_corpus


def test_tiers_grow_by_the_factor_from_the_floor() -> None:
    assert [tier(n) for n in (0, 1, FLOOR - 1, FLOOR)] == [0, 0, 0, 0]
    assert tier(FLOOR * FACTOR - 1) == 0
    assert tier(FLOOR * FACTOR) == 1
    assert tier(FLOOR * FACTOR**2) == 2
    assert tier(FLOOR * FACTOR**3 - 1) == 2


def test_a_tier_is_merged_when_it_holds_factor_segments() -> None:
    small = [(500, 500)] * (FACTOR - 1)
    assert to_merge(small) == set()
    assert to_merge([*small, (700, 700)]) == set(range(FACTOR))


def test_only_the_lowest_full_tier_is_merged_and_others_are_left() -> None:
    big = [(50_000, 50_000)] * FACTOR  # tier 1, full
    small = [(2_000, 2_000)] * FACTOR  # tier 0, full
    sizes = [(500_000, 500_000), *big, *small, (900, 900)]
    # Tier 0 holds the ten of 2,000 and the one of 900.
    assert to_merge(sizes) == set(range(1 + FACTOR, len(sizes)))


def test_segments_mostly_deleted_or_empty_are_merged() -> None:
    sizes = [(60_000, 60_000), (600, 1_000), (0, 300), (800, 1_000)]
    assert to_merge(sizes) == {1, 2}


def _segments(index_dir: Path) -> list[int]:
    ix = index.open_dir(str(index_dir))
    with ix.reader() as reader:
        return [leaf.doc_count() for leaf, _ in reader.leaf_readers()]


def test_an_index_updated_often_keeps_few_segments_and_every_article(tmp_path: Path) -> None:
    """Each small run adds one segment; the run that makes the tenth merges
    them all into one, and every article is found exactly once."""
    root = tmp_path / "corpus"
    index_dir = tmp_path / "index"
    total = 0
    counts = []
    for run in range(FACTOR):
        written = write_corpus(root / f"batch{run}", seed=10 + run, text_files=6, tag="walrus")
        total += written.articles
        summary = run_index(str(index_dir), [str(root)])
        assert (summary.added, summary.articles) == (written.articles, total)
        counts.append(_segments(index_dir))
    assert [len(c) for c in counts] == [*range(1, FACTOR), 1]
    assert counts[-1] == [total]
    with Engine(str(index_dir)) as engine:
        found = engine.search(SearchRequest("walrus", limit=1000, collapse=False))
    assert found.total == total
    assert len({hit.id for hit in found.hits}) == total


@pytest.mark.parametrize("removed_share", [0.2, 0.5])
def test_a_segment_that_loses_most_of_its_articles_is_rewritten(
    tmp_path: Path, removed_share: float
) -> None:
    root = tmp_path / "corpus"
    index_dir = tmp_path / "index"
    write_corpus(root / "keep", seed=1, text_files=30, tag="walrus")
    run_index(str(index_dir), [str(root)])
    write_corpus(root / "more", seed=2, text_files=10, tag="walrus")
    run_index(str(index_dir), [str(root)])
    assert _segments(index_dir) == [30, 10]
    files = sorted((root / "keep").rglob("*.txt"))
    for path in files[: int(len(files) * removed_share)]:
        path.unlink()
    summary = run_index(str(index_dir), [str(root)])
    kept = 30 - int(30 * removed_share)
    assert summary.articles == kept + 10
    # Over DELETED_SHARE (0.3) gone: the first segment is rewritten without them.
    expected = [10, kept] if removed_share > 0.3 else [kept, 10]
    assert _segments(index_dir) == expected
