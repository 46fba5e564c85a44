"""The spool: a run's articles on disk, written by reader processes, read
back in shares by other processes."""

from __future__ import annotations

import fcntl
import functools
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from searchengine.indexer.spool import Spool, read_items, starts


def _pickles(items: Sequence[object]) -> tuple[bytes, list[int]]:
    parts = [pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL) for item in items]
    return b"".join(parts), list(map(len, parts))


def _put(spool: Spool, items: Sequence[object]) -> None:
    """Write ``items`` at once and list them, as a reader and the run do."""
    data, sizes = _pickles(items)
    spool.add(starts(spool.write(data), sizes))


def _all(spool: Spool) -> list[object]:
    return list(read_items(*spool.share(0, spool.count)))


def _child(body: Callable[[], None]) -> None:
    """Run ``body`` in a forked child and end the child, whatever happens:
    it must never return into the test runner it was forked from."""
    try:
        body()
    finally:
        os._exit(0)


def _write_batches(spool: Spool, writer: int, reply: int) -> None:
    places = []
    for batch in range(50):
        data, sizes = _pickles([(writer, batch, n) for n in range(3)])
        places.append((spool.write(data), sizes))
    os.write(reply, pickle.dumps(places))


def _hold_the_lock(fd: int, ready: int) -> None:
    fcntl.lockf(fd, fcntl.LOCK_EX)
    os.write(ready, b"x")
    time.sleep(60)


def test_shares_of_the_spool_read_back_their_items_even_interleaved(tmp_path: Path) -> None:
    spool = Spool(str(tmp_path))
    items = [(n, f"article {n} " * (n % 7), b"sig") for n in range(10)]
    for item in items:
        _put(spool, [item])
    ranges = spool.ranges(3)
    assert ranges == [(0, 3), (3, 6), (6, 9), (9, 10)]
    # Readers of one descriptor, as forked workers are, each at its own place.
    readers = [read_items(*spool.share(first, end)) for first, end in ranges]
    got: list[list[object]] = [[] for _ in readers]
    for _ in range(3):
        for n, reader in enumerate(readers):
            read = next(reader, None)
            if read is not None:
                got[n].append(read)
    assert got == [items[0:3], items[3:6], items[6:9], items[9:10]]
    assert _all(spool) == items  # reading it whole is unaffected
    spool.close()
    assert os.listdir(tmp_path) == []  # anonymous: nothing left behind


def test_an_empty_spool_has_no_shares(tmp_path: Path) -> None:
    spool = Spool(str(tmp_path))
    try:
        assert spool.ranges(5) == []
        assert list(read_items(*spool.share(0, 0))) == []
    finally:
        spool.close()


def test_items_pickled_elsewhere_are_spooled_and_shared_alike(tmp_path: Path) -> None:
    # A reader process pickles a file's articles and writes them at once.
    spool = Spool(str(tmp_path))
    items = [(n, f"article {n} " * (n % 5), b"sig") for n in range(11)]
    _put(spool, items[:1])
    for first, last in ((1, 4), (4, 4), (4, 11)):
        _put(spool, items[first:last])
    assert spool.count == 11
    ranges = spool.ranges(4)
    assert ranges == [(0, 4), (4, 8), (8, 11)]
    got = [list(read_items(*spool.share(*r))) for r in ranges]
    assert got == [items[0:4], items[4:8], items[8:11]]
    spool.close()


def test_items_written_out_of_order_are_read_in_the_order_listed(tmp_path: Path) -> None:
    # Readers finish files in any order and the run skips what it keeps:
    # the list, not the writing, says what a share holds and in what order.
    spool = Spool(str(tmp_path))
    first_file = [("a", n) for n in range(3)]
    second_file = [("b", n) for n in range(4)]
    second_at = spool.write(_pickles(second_file)[0])
    data, sizes = _pickles(first_file)
    first_at = spool.write(data)
    assert (second_at, first_at) == (0, len(_pickles(second_file)[0]))
    spool.add(starts(first_at, sizes))
    spool.add(list(starts(second_at, _pickles(second_file)[1]))[1::2])  # items 1 and 3 only
    assert spool.count == 5
    got = [list(read_items(*spool.share(*r))) for r in spool.ranges(2)]
    assert got == [first_file[0:2], [first_file[2], second_file[1]], [second_file[3]]]
    spool.close()


def test_forked_writers_reserve_places_of_their_own(tmp_path: Path) -> None:
    # Two processes forked from the run's write at once: neither overwrites
    # the other, and each item is found where its writer was told.
    spool = Spool(str(tmp_path))
    _put(spool, ["before"])
    written: dict[int, list[tuple[int, list[int]]]] = {}
    pipes = {}
    for writer in (1, 2):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child writes 50 batches, then says where they went
            _child(functools.partial(_write_batches, spool, writer, write_end))
        os.close(write_end)
        pipes[writer] = (pid, read_end)
    for writer, (pid, read_end) in pipes.items():
        with os.fdopen(read_end, "rb") as reply:
            written[writer] = pickle.loads(reply.read())
        assert os.waitpid(pid, 0)[1] == 0
    for writer in (1, 2):
        for at, sizes in written[writer]:
            spool.add(starts(at, sizes))
    expected = ["before"] + [(w, b, n) for w in (1, 2) for b in range(50) for n in range(3)]
    assert _all(spool) == expected
    spool.close()


def test_a_writer_killed_while_reserving_does_not_hold_the_others_up(tmp_path: Path) -> None:
    # The place is reserved under a lock of the file's own, which the system
    # lets go when its holder dies (the out-of-memory killer may pick a
    # reader at any moment): the run, reading the rest itself, goes on.
    spool = Spool(str(tmp_path))
    fd = spool.share(0, 0)[0]
    ready_read, ready_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a reader caught holding the lock
        _child(functools.partial(_hold_the_lock, fd, ready_write))
    assert os.read(ready_read, 1) == b"x"
    done: list[int] = []
    writer = threading.Thread(target=lambda: done.append(spool.write(_pickles(["after"])[0])))
    writer.start()
    writer.join(timeout=0.5)
    assert writer.is_alive() and done == []  # it waits for the holder
    os.kill(pid, signal.SIGKILL)
    assert os.waitpid(pid, 0)[1] == signal.SIGKILL
    writer.join(timeout=10)
    assert done == [0]
    spool.add(done)
    assert _all(spool) == ["after"]
    spool.close()
    os.close(ready_read)
    os.close(ready_write)
