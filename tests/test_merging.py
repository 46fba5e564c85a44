"""The tiered merge policy: what it picks, and what it does to a real index."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index

from searchengine.index.merging import FACTOR, FLOOR, MAX_MERGED, Plan, plan, tier
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
    assert plan(small) == Plan()
    assert plan([*small, (700, 700)]) == Plan(merges=(tuple(range(FACTOR)),))


def test_a_full_tier_is_merged_factor_at_a_time_smallest_first() -> None:
    """Twenty-three segments in tier 1: two merges of the ten smallest,
    three left (below FACTOR)."""
    sizes = [(20_000 + n, 20_000 + n) for n in range(23)][::-1]
    found = plan(sizes)
    assert found.merges == (tuple(range(3, 13)), tuple(range(13, 23)))
    assert found.kept(list(range(23))) == [0, 1, 2]
    assert found.articles(sizes) == sum(live for live, _ in sizes[3:])


def test_a_merge_never_makes_a_segment_over_max_merged() -> None:
    """Forty segments of 25,000 (a million articles written in one run):
    four merges of ten, each at the limit, and nothing more to merge after."""
    share = MAX_MERGED // FACTOR
    found = plan([(share, share)] * 40)
    assert [len(m) for m in found.merges] == [FACTOR] * 4
    assert plan([(MAX_MERGED, MAX_MERGED)] * 4) == Plan()
    # Fewer fit when the segments are larger: 10 of 60,000 would pass the limit.
    found = plan([(60_000, 60_000)] * FACTOR)
    assert found.merges == ((0, 1, 2, 3),)
    assert sum(60_000 for _ in found.merges[0]) <= MAX_MERGED


def test_segments_too_large_to_merge_are_left_alone() -> None:
    big = MAX_MERGED // 2
    assert plan([(big, big)] * (3 * FACTOR)) == Plan()
    # ... and with them the smaller tiers still are merged.
    sizes = [(big, big)] * 3 + [(2_000, 2_000)] * FACTOR
    assert plan(sizes).merges == (tuple(range(3, 3 + FACTOR)),)


def test_only_full_tiers_are_merged_and_others_are_left() -> None:
    big = [(50_000, 50_000)] * FACTOR  # tier 1, full: 500,000, more than a merge may make
    small = [(2_000, 2_000)] * FACTOR  # tier 0, full
    sizes = [(500_000, 500_000), *big, *small, (900, 900)]
    found = plan(sizes)
    # Tier 0 holds the ten of 2,000 and the one of 900: the ten smallest go.
    assert found.merges == (
        (1, 2, 3, 4, 5),
        (*range(1 + FACTOR, 2 * FACTOR), 1 + 2 * FACTOR),
    )
    assert found.kept(list(range(len(sizes)))) == [0, *range(6, 1 + FACTOR), 2 * FACTOR]


def test_segments_mostly_deleted_are_rewritten_and_empty_ones_dropped() -> None:
    sizes = [(60_000, 60_000), (600, 1_000), (0, 300), (800, 1_000), (500, 1_000)]
    # 40 % and 50 % deleted: rewritten together (one tier); 20 %: left.
    assert plan(sizes) == Plan(merges=((1, 4),), dropped=(2,))
    big = MAX_MERGED
    assert plan([(big, 2 * big), (big // 2, big // 2)]) == Plan(merges=((0,),))
    assert plan([(0, 10), (0, 20)]).kept(["a", "b"]) == []


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
