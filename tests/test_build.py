"""Building a run's segments in worker processes gives the index built in one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from index_contents import ids_in_order, index_digest
from whoosh import index

from searchengine.index import merging
from searchengine.indexer import build, claims
from searchengine.indexer.run import run_index
from searchengine.query.engine import Engine
from searchengine.query.request import SearchRequest

from fault_corpus import write_corpus, write_uneven_corpus


def test_shares_are_equal_for_every_worker_and_bounded() -> None:
    # A full share is a segment too large to merge: a big run is never merged.
    assert build.SHARE_ARTICLES == merging.MAX_MERGED // 2 == 125_000
    assert build.shares(5_000, 2) == 2_500
    assert build.shares(20_000, 2) == 10_000  # one share (one segment) a worker
    assert build.shares(300_000, 2) == 75_000  # 4 shares: 2 rounds of 2
    assert build.shares(1_000_000, 2) == 125_000  # 8 shares: 4 rounds of 2
    assert build.shares(300_000, 1) == 100_000
    assert build.shares(100, 4) == 25
    assert build.shares(0, 2) == 1


two_cores = pytest.mark.skipif(
    len(os.sched_getaffinity(0)) < 2, reason="worker processes need two cores or more"
)


def _index(root: Path, target: Path) -> tuple[list[int], list[tuple[int, list[str]]]]:
    run_index(str(target), [str(root)])
    ix = index.open_dir(str(target))
    with ix.reader() as reader:
        segments = [leaf.doc_count() for leaf, _ in reader.leaf_readers()]
    answers = []
    with Engine(str(target)) as engine:
        for query in ("walrus", '"the harbour"', "ferry OR council", "source:*", "date:2021-03"):
            found = engine.search(SearchRequest(query, limit=500, collapse=False))
            answers.append((found.total, sorted(hit.id for hit in found.hits)))
    return segments, answers


@two_cores
def test_segments_built_by_workers_hold_what_one_process_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "corpus"
    write_corpus(root, seed=7, text_files=90, jsonl_files=2, lines_per_jsonl=60, tag="walrus")
    monkeypatch.setattr(build, "SHARE_ARTICLES", 50)
    monkeypatch.setattr(build, "PREPARE_POOL_MIN", 10**9)
    one_segments, one = _index(root, tmp_path / "one")
    monkeypatch.setattr(build, "PREPARE_POOL_MIN", 1)
    # Tiny buffers: each worker writes its postings to run files and the
    # segment from them.
    monkeypatch.setattr(build, "SEGMENT_MB", 0.05)
    many_segments, many = _index(root, tmp_path / "many")
    monkeypatch.setattr(merging, "FACTOR", 3)
    merged_segments, merged = _index(root, tmp_path / "merged")
    assert one_segments == [42] * 5  # 210 articles in shares of at most 50
    assert many_segments == [35] * 6  # the same number of shares for both workers
    # Tier 0 full: merged at the commit, FACTOR (3) segments at a time.
    assert merged_segments == [105, 105]
    assert many == merged == one
    assert one[0][0] == 210


@two_cores
def test_a_writer_done_first_takes_over_the_tail_of_a_busier_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "corpus"
    assert write_uneven_corpus(root).articles == 300
    monkeypatch.setattr(build, "PREPARE_POOL_MIN", 10**9)
    one_segments, one = _index(root, tmp_path / "one")
    monkeypatch.setattr(build, "PREPARE_POOL_MIN", 1)
    # Any steal pays: the one the uneven shares call for is made for sure.
    monkeypatch.setattr(claims, "STEAL_OVERHEAD", 0.0)
    monkeypatch.setattr(claims, "STEAL_MIN_SECONDS", 0.0)
    monkeypatch.setattr(claims, "STEAL_MIN_SHARE", 0.0)
    pool_segments, pooled = _index(root, tmp_path / "pool")
    assert one_segments == [300]
    # The short share is whole; the long one's tail became a segment (or
    # a few) of the first writer's, listed after it.
    assert pool_segments[0] == 150 and len(pool_segments) >= 3
    assert sum(pool_segments) == 300
    assert len(pool_segments) <= 2 + build.STEALS_PER_WORKER * 2
    # The same contents, the articles in the same order, whatever the timing.
    assert index_digest(str(tmp_path / "pool"), str(root)) == index_digest(
        str(tmp_path / "one"), str(root)
    )
    assert ids_in_order(str(tmp_path / "pool")) == ids_in_order(str(tmp_path / "one"))
    assert pooled == one
    assert one[0][0] == 300


def test_parts_no_writer_finished_are_the_gaps_between_those_that_were() -> None:
    def part(first: int, articles: int) -> build.Built:
        return build.Built(first=first, articles=articles)

    assert build._gaps([], 10) == [(0, 10)]
    assert build._gaps([part(0, 10)], 10) == []
    # A victim's shortened share kept, its thief's share and tail lost.
    assert build._gaps([part(5, 3)], 10) == [(0, 5), (8, 10)]
    assert build._gaps([part(8, 2), part(0, 5)], 10) == [(5, 8)]
