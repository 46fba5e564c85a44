"""The spool: a run's articles on disk, read back in shares by other processes."""

from __future__ import annotations

import itertools
import os
import pickle
from pathlib import Path

from searchengine.indexer.spool import Spool, read_range


def test_shares_of_the_spool_read_back_their_items_even_interleaved(tmp_path: Path) -> None:
    spool = Spool(str(tmp_path))
    items = [(n, f"article {n} " * (n % 7), b"sig") for n in range(10)]
    for item in items:
        spool.put(item)
    ranges = spool.ranges(3)
    assert [count for _, _, count in ranges] == [3, 3, 3, 1]
    assert ranges[0][0] == 0
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    # Readers of one descriptor, as forked workers are, each at its own place.
    readers = [read_range(spool.fileno(), start, end) for start, end, _ in ranges]
    got: list[list[object]] = [[] for _ in readers]
    for _ in range(3):
        for n, reader in enumerate(readers):
            read = next(reader, None)
            if read is not None:
                got[n].append(read)
    assert got == [items[0:3], items[3:6], items[6:9], items[9:10]]
    assert list(spool.items()) == items  # the spool's own reading is unaffected
    spool.close()
    assert os.listdir(tmp_path) == []  # anonymous: nothing left behind


def test_an_empty_spool_has_no_shares(tmp_path: Path) -> None:
    spool = Spool(str(tmp_path))
    try:
        assert spool.ranges(5) == []
        assert list(read_range(spool.fileno(), 0, 0)) == []
    finally:
        spool.close()


def test_items_pickled_elsewhere_are_spooled_and_shared_alike(tmp_path: Path) -> None:
    # A reader process pickles a file's articles; the run puts them as they are.
    spool = Spool(str(tmp_path))
    items = [(n, f"article {n} " * (n % 5), b"sig") for n in range(11)]
    spool.put(items[0])
    for first, last in ((1, 4), (4, 4), (4, 11)):
        parts = [pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL) for item in items[first:last]]
        spool.put_pickled(b"".join(parts), tuple(map(len, parts)))
    assert spool.count == 11
    ranges = spool.ranges(4)
    assert [count for _, _, count in ranges] == [4, 4, 3]
    got = [list(read_range(spool.fileno(), start, end)) for start, end, _ in ranges]
    assert got == [items[0:4], items[4:8], items[8:11]]
    spool.close()
