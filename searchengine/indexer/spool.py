"""The spool: a run's articles kept on disk between reading and writing.

A run reads every new or changed file before it writes anything, since
what boilerplate a source has is decided from all of its articles; the
articles wait here meanwhile, out of memory.

The reader processes write their files' articles here themselves, each
file's records in one positional write at a place reserved for it (the
file grown under a lock), so no article passes through the main process;
the main process lists the articles the run wants, in the run's order
(:meth:`Spool.add`), and the segment builders read their shares by that
list.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import itertools
import os
import pickle
import tempfile
from array import array
from collections.abc import Generator, Iterable
from typing import Any

#: A share of the spooled articles as a worker reads it (:func:`read_items`):
#: the spool's data and list descriptors, and the first and end item.
Share = tuple[int, int, int, int]


class Spool:
    """Articles read in a run's first pass, kept on disk (not in memory) until
    the learned lines are decided and they can be cleaned and written.

    Two anonymous files (unlinked at once) in the index folder, so nothing
    is left behind, whatever happens to the run: the items' pickles, in the
    order they were written (by any process forked from this one), and the
    list of the items the run wants, as where each starts (64-bit, native
    order), in the run's order.  The list is on disk too: 8 MB at a million
    articles, which each worker process forked for the write phase would
    count again.
    """

    def __init__(self, folder: str) -> None:
        # Open across both passes; closed by close(), also when the run fails.
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115
        self._offsets = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115
        self.count = 0

    def close(self) -> None:
        # Closing flushes what is buffered; on a full disk that fails, and
        # must not hide the error that ended the run (the data is not needed).
        for handle in (self._file, self._offsets):
            with contextlib.suppress(OSError):
                handle.close()

    def write(self, data: bytes) -> int:
        """Write items pickled one after another, where nothing else is
        written, and return where they start.  Safe in any process forked
        from the one that made the spool, several at once: the place is
        reserved by growing the file under a lock of the file's own
        (``lockf``: held per process, and let go by the system should its
        holder die), the write made outside it."""
        fd = self._file.fileno()
        fcntl.lockf(fd, fcntl.LOCK_EX)
        try:
            start = os.fstat(fd).st_size
            os.ftruncate(fd, start + len(data))
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN)
        view, at = memoryview(data), start
        while view:
            written = os.pwrite(fd, view, at)
            view, at = view[written:], at + written
        return start

    def add(self, starts: Iterable[int]) -> None:
        """List items written (by :meth:`write`, here or in a forked
        process) as the run's next ones: ``starts`` says where each starts."""
        listed = array("Q", starts)
        self._offsets.write(listed.tobytes())
        self.count += len(listed)

    def ranges(self, size: int) -> list[tuple[int, int]]:
        """The listed items in consecutive runs of ``size``, each as
        ``(first, end)`` for :meth:`share` (none for an empty spool)."""
        return [(n, min(n + size, self.count)) for n in range(0, self.count, size)]

    def share(self, first: int, end: int) -> Share:
        """The listed items ``first`` to ``end`` as a worker forked from
        this process reads them (:func:`read_items`); the list is flushed,
        so that it reads them all."""
        self._offsets.flush()
        return (self._file.fileno(), self._offsets.fileno(), first, end)


def starts(first: int, sizes: Iterable[int]) -> array[int]:
    """Where each of the items of ``sizes``, written one after another from
    ``first``, starts."""
    found = array("Q", itertools.accumulate(sizes, initial=first))
    found.pop()  # where the next one would start
    return found


def read_items(fd: int, list_fd: int, first: int, end: int) -> Generator[Any, None, None]:
    """The listed items ``first`` to ``end`` of a spool (:meth:`Spool.share`),
    read through the inherited descriptors.  Reads are positional
    (``pread``): processes forked from one share the descriptors' offsets,
    so several may read their shares at once only this way.  A reader
    process writes a file's items together, so they are read on without a
    seek but where the run skipped some or files were written in another
    order."""
    listed = array("Q")
    listed.frombytes(_pread_all(list_fd, (end - first) * listed.itemsize, first * listed.itemsize))
    if not listed:
        return
    with io.BufferedReader(_Positional(fd, listed[0]), buffer_size=1 << 16) as handle:
        for at in listed:
            if handle.tell() != at:
                handle.seek(at)
            yield pickle.load(handle)  # our own file, written in this run


def _pread_all(fd: int, size: int, at: int) -> bytes:
    parts = []
    while size > 0:
        part = os.pread(fd, size, at)
        if not part:
            raise OSError(f"the spool ended {size} bytes early")
        parts.append(part)
        size, at = size - len(part), at + len(part)
    return b"".join(parts)


class _Positional(io.RawIOBase):
    """A file descriptor read with ``pread`` from a position of its own."""

    def __init__(self, fd: int, position: int) -> None:
        super().__init__()
        self._fd = fd
        self._position = position

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_SET:
            self._position = offset
        elif whence == os.SEEK_CUR:
            self._position += offset
        else:
            self._position = os.fstat(self._fd).st_size + offset
        return self._position

    def readinto(self, buffer: Any) -> int:
        data = os.pread(self._fd, len(buffer), self._position)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)
