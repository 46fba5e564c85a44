"""The spool: a run's articles kept on disk between reading and writing.

A run reads every new or changed file before it writes anything, since
what boilerplate a source has is decided from all of its articles; the
articles wait here meanwhile, out of memory.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import pickle
import tempfile
from array import array
from collections.abc import Iterator
from typing import Any


class Spool:
    """Articles read in a run's first pass, kept on disk (not in memory) until
    the learned lines are decided and they can be cleaned and written.

    The file is anonymous (unlinked at once) in the index folder, so nothing
    is left behind, whatever happens to the run.
    """

    def __init__(self, folder: str) -> None:
        # Open across both passes; closed by close(), also when the run fails.
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115
        self.count = 0
        #: Where each item starts in the file (64-bit, native order), kept
        #: on disk too: 8 MB at a million articles, which each worker
        #: process forked for the write phase would count again.
        self._offsets = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115

    def close(self) -> None:
        # Closing flushes what is buffered; on a full disk that fails, and
        # must not hide the error that ended the run (the data is not needed).
        for handle in (self._file, self._offsets):
            with contextlib.suppress(OSError):
                handle.close()

    def put(self, item: Any) -> None:
        self._offsets.write(array("Q", [self._file.tell()]).tobytes())
        pickle.dump(item, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def put_pickled(self, data: bytes, sizes: tuple[int, ...]) -> None:
        """Put items pickled already: ``data`` is their pickles one after
        another, ``sizes`` the size of each (what :meth:`put` writes)."""
        starts = array("Q", itertools.accumulate(sizes, initial=self._file.tell()))
        starts.pop()  # where the next item will start
        self._offsets.write(starts.tobytes())
        self._file.write(data)
        self.count += len(sizes)

    def ranges(self, size: int) -> list[tuple[int, int, int]]:
        """The items in consecutive runs of ``size``, each as ``(first byte,
        end byte, items)`` for :func:`read_range` (none for an empty
        spool); the file is flushed, so that a process forked from this one
        reads them all."""
        self._file.flush()
        self._offsets.flush()
        end = self._file.seek(0, os.SEEK_END)
        first = array("Q")
        for n in range(0, self.count, size):
            first.frombytes(os.pread(self._offsets.fileno(), first.itemsize, n * first.itemsize))
        bounds = [*first, end]
        return [
            (start, stop, min(size, self.count - n * size))
            for n, (start, stop) in enumerate(itertools.pairwise(bounds))
        ]

    def fileno(self) -> int:
        """The spool's file descriptor (which forked processes inherit)."""
        return self._file.fileno()

    def items(self) -> Iterator[Any]:
        """Everything put, in order (read back once)."""
        self._file.seek(0)
        for _ in range(self.count):
            yield pickle.load(self._file)  # our own file, written in this run


def read_range(fd: int, start: int, end: int) -> Iterator[Any]:
    """The items of a spool between bytes ``start`` and ``end``, read
    through the inherited file descriptor ``fd``.  Reads are positional
    (``pread``): processes forked from one share the descriptor's offset,
    so several may read their shares at once only this way."""
    with io.BufferedReader(_Positional(fd, start), buffer_size=1 << 16) as handle:
        while handle.tell() < end:
            yield pickle.load(handle)  # our own file, written in this run


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
