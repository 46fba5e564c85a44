"""The spool: a run's articles kept on disk between reading and writing.

A run reads every new or changed file before it writes anything, since
what boilerplate a source has is decided from all of its articles; the
articles wait here meanwhile, out of memory.
"""

from __future__ import annotations

import contextlib
import pickle
import tempfile
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

    def close(self) -> None:
        # Closing flushes what is buffered; on a full disk that fails, and
        # must not hide the error that ended the run (the data is not needed).
        with contextlib.suppress(OSError):
            self._file.close()

    def put(self, item: Any) -> None:
        pickle.dump(item, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def items(self) -> Iterator[Any]:
        """Everything put, in order (read back once)."""
        self._file.seek(0)
        for _ in range(self.count):
            yield pickle.load(self._file)  # our own file, written in this run
