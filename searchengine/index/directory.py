"""The on-disk index: its schema, and opening it safely for reading or writing.

Whoosh does the storage.  This module decides what is stored and how, and
turns Whoosh's failures (no index, a held lock, a table of contents being
replaced under a reader) into the library's own errors.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

from whoosh import index
from whoosh.index import EmptyIndexError
from whoosh.util.filelock import try_for

from searchengine.errors import (
    IndexCorruptError,
    IndexLockedError,
    IndexMissingError,
    IndexWriteError,
)
from searchengine.index import whoosh_private
from searchengine.index.schema import FORMAT_VERSION, make_schema
from searchengine.index.segments import TermSegmentWriter

META_FILE = "searchengine.json"
#: Seconds a second writer waits for the lock before giving up.
LOCK_WAIT = 5.0
#: Memory (MB) the writer's posting pool may use before spilling to disk
#: (about 20 bytes a posting: some 3 million postings, 7,000 articles).
WRITER_LIMIT_MB = 64


def _check_meta(index_dir: str) -> None:
    try:
        with open(os.path.join(index_dir, META_FILE), encoding="utf-8") as handle:
            meta = json.load(handle)
    except FileNotFoundError:
        return
    except (OSError, ValueError):
        raise IndexCorruptError(
            f"{index_dir}: {META_FILE} is unreadable; rebuild with `searchengine index --rebuild PATH...`"
        ) from None
    if meta.get("format") != FORMAT_VERSION:
        raise IndexCorruptError(
            f"{index_dir} was built by another version of searchengine (format {meta.get('format')}, "
            f"this one reads {FORMAT_VERSION}); rebuild it with `searchengine index --rebuild PATH...`"
        )


def _write_meta(index_dir: str) -> None:
    target = os.path.join(index_dir, META_FILE)
    temporary = target + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump({"format": FORMAT_VERSION}, handle)
    os.replace(temporary, target)


def open_for_reading(index_dir: str) -> Any:
    """Open an existing index, or raise :class:`IndexMissingError`."""
    if not os.path.isdir(index_dir) or not index.exists_in(index_dir):
        raise IndexMissingError(
            f"no index at {index_dir}; create one with `searchengine index PATH...` "
            "(or point --index / SEARCHENGINE_INDEX at an existing one)"
        )
    _check_meta(index_dir)
    try:
        return _retry(lambda: index.open_dir(index_dir))
    except EmptyIndexError:
        raise IndexMissingError(
            f"no index at {index_dir}; create one with `searchengine index PATH...`"
        ) from None
    except (OSError, ValueError, EOFError) as exc:
        raise IndexCorruptError(f"cannot open the index at {index_dir}: {exc}") from None


def open_for_writing(index_dir: str, *, rebuild: bool = False) -> Any:
    """Open the index at ``index_dir``, creating it (and the folder) if needed.

    ``rebuild`` lets an index of another format version be replaced by a new,
    empty one (it could not be read anyway); otherwise that is an error.
    """
    try:
        os.makedirs(index_dir, exist_ok=True)
        if index.exists_in(index_dir):
            try:
                _check_meta(index_dir)
            except IndexCorruptError:
                if not rebuild:
                    raise
            else:
                return _retry(lambda: index.open_dir(index_dir))
        ix = index.create_in(index_dir, make_schema())
        _write_meta(index_dir)
        return ix
    except PermissionError:
        raise IndexWriteError(
            f"cannot write to {index_dir}: permission denied; choose another folder with --index"
        ) from None
    except OSError as exc:
        raise IndexWriteError(f"cannot write to {index_dir}: {exc.strerror or exc}") from None


def _retry(opener: Any, attempts: int = 8) -> Any:
    # A reader opening while a writer swaps the table of contents can find
    # the old one already gone; the new one is there a moment later.
    for attempt in range(attempts):
        try:
            return opener()
        except FileNotFoundError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def writer(ix: Any, index_dir: str) -> Any:
    """A writer on ``ix``, waiting up to :data:`LOCK_WAIT` seconds for the lock.

    The lock is taken first (Ctrl-C may interrupt the wait), then the writer
    is built with Ctrl-C held back: building it creates the new segment's
    files, and an interrupt half-way would leave them behind with no writer
    to remove them.  A Ctrl-C that came meanwhile is raised once the writer
    has been cancelled, which removes them.
    """
    lock = ix.lock("WRITELOCK")
    try:
        acquired = try_for(lock.acquire, timeout=LOCK_WAIT, delay=0.25)
    except PermissionError:
        raise IndexWriteError(
            f"cannot write to {index_dir}: permission denied; choose another folder with --index"
        ) from None
    if not acquired:
        raise IndexLockedError(
            f"the index at {index_dir} is being written by another `searchengine index` run; "
            "wait for it to finish and try again"
        )
    _remove_stale_tocs(index_dir, ix.indexname)
    before = set(_names(index_dir))
    try:
        with _ctrl_c_held_back() as interrupted:
            # Segments stay as separate files: whoosh3 opens each part of a
            # compound segment by copying it into memory, which made opening
            # a searcher (every scripted query) cost time in proportion to the
            # index's size; separate files are read where needed.  Postings
            # are filed a term at a time (searchengine.index.segments).
            new = whoosh_private.segment_writer(
                TermSegmentWriter, ix, lock, limitmb=WRITER_LIMIT_MB, compound=False
            )
    except BaseException as exc:
        # Whatever the half-built writer created is ours: the lock is held.
        _remove(index_dir, set(_names(index_dir)) - before)
        lock.release()
        if isinstance(exc, OSError):
            raise write_error(index_dir, exc) from None
        raise
    if interrupted:
        cancel(new)
        raise KeyboardInterrupt
    return new


def write_error(index_dir: str, exc: OSError) -> IndexWriteError:
    """The error for an index folder that could not be written, saying why."""
    if isinstance(exc, PermissionError):
        return IndexWriteError(
            f"cannot write to {index_dir}: permission denied; choose another folder with --index"
        )
    return IndexWriteError(
        f"cannot write to {index_dir}: {exc.strerror or exc}; "
        "the previous index is unchanged (is the disk full?)"
    )


def _names(index_dir: str) -> list[str]:
    try:
        return os.listdir(index_dir)
    except OSError:
        return []


def _remove(index_dir: str, names: set[str]) -> None:
    for name in names:
        path = os.path.join(index_dir, name)
        with contextlib.suppress(OSError):
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.remove(path)


def _remove_stale_tocs(index_dir: str, indexname: str) -> None:
    """Remove table-of-contents files a killed run was still writing.

    Whoosh writes the table of contents under a temporary name and renames
    it into place; a run killed in between leaves it, and Whoosh's own
    clean-up never matches it.  Only the lock holder writes a table of
    contents, so with the lock held any such file is a dead run's.
    """
    with contextlib.suppress(OSError):
        for name in os.listdir(index_dir):
            if whoosh_private.is_stale_toc(name, indexname):
                with contextlib.suppress(OSError):
                    os.remove(os.path.join(index_dir, name))


@contextlib.contextmanager
def _ctrl_c_held_back() -> Iterator[list[int]]:
    """Within the block, SIGINT is noted in the yielded list instead of raised."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: received.append(signum))
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, previous)


def open_searcher(ix: Any, index_dir: str) -> Any:
    """A fresh searcher on the last committed state of ``ix``."""
    try:
        return _retry(ix.searcher)
    except (OSError, ValueError, EOFError) as exc:
        raise IndexCorruptError(f"cannot read the index at {index_dir}: {exc}") from None


def cancel(writer: Any) -> None:
    """Cancel ``writer`` and remove the files of the segment it had begun.

    Whoosh's ``cancel()`` leaves them behind until some later commit cleans
    up, and so does a commit that failed half-way (a full disk); a run that
    commits nothing must leave no litter, least of all on a full disk.  The
    files of a segment that did get committed are never touched.
    """
    segment = writer.newsegment
    storage = writer.storage
    if not writer.is_closed:
        # On a full disk cancelling fails as writing did; Whoosh has then
        # released the lock and removed its temporary files all the same.
        try:
            writer.cancel()
        except OSError:
            whoosh_private.close_segment_files(writer)
    try:
        committed = whoosh_private.committed_segments(storage, writer.indexname)
    except Exception:  # cannot tell what is committed: keep everything
        return
    if any(s.segment_id() == segment.segment_id() for s in committed):
        return
    with contextlib.suppress(OSError):
        for name in segment.list_files(storage):
            with contextlib.suppress(OSError):
                storage.delete_file(name)


@contextlib.contextmanager
def searcher(index_dir: str) -> Iterator[Any]:
    """A fresh searcher on the index at ``index_dir``, closed on exit."""
    s = open_searcher(open_for_reading(index_dir), index_dir)
    try:
        yield s
    finally:
        s.close()


def index_bytes(index_dir: str) -> int:
    """Bytes the index takes on disk."""
    total = 0
    with contextlib.suppress(OSError), os.scandir(index_dir) as entries:
        for entry in entries:
            with contextlib.suppress(OSError):
                if entry.is_file():
                    total += entry.stat().st_size
    return total
