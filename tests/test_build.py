"""Building a run's segments in worker processes gives the index built in one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from whoosh import index

from searchengine.index import merging
from searchengine.indexer import build
from searchengine.indexer.run import run_index
from searchengine.query.engine import Engine
from searchengine.query.request import SearchRequest

from fault_corpus import write_corpus


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


@pytest.mark.skipif(
    len(os.sched_getaffinity(0)) < 2, reason="worker processes need two cores or more"
)
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
