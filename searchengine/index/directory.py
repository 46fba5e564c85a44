"""The index folder: Whoosh's files, the files kept beside them, opening it
safely for reading or writing.

Whoosh does the storage of the index proper.  This module decides what is
stored and how, and turns Whoosh's failures (no index, a held lock, a table
of contents being replaced under a reader) into the library's own errors.

Every other file in the folder belongs to :class:`IndexDirectory`: the
modules that fill them (listed at :data:`SIDE_FILES`) read and write them
through it, and every write is one atomic, durable replacement
(:meth:`IndexDirectory.write_text`).
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import os
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO, TypeVar

from whoosh.filedb.filestore import FileStorage
from whoosh.index import EmptyIndexError
from whoosh.util.filelock import try_for

from searchengine.errors import (
    IndexCorruptError,
    IndexLockedError,
    IndexMissingError,
    IndexWriteError,
)
from searchengine.index import whoosh_private
from searchengine.index.merger import MergeSegmentWriter
from searchengine.index.protocols import Index, Searcher, Writer
from searchengine.index.schema import FORMAT_VERSION, make_schema
from searchengine.index.segments import TermSegmentWriter

#: The files kept beside Whoosh's, by the module that fills each.
META_FILE = "searchengine.json"  # this module: the index's format version
LEXICON_FILE = "words.txt"  # index.lexicon: the written words
LEDGER_FILE = "boilerplate.json"  # indexer.ledger: the learned boilerplate
DEDUP_SETTINGS_FILE = "dedup.json"  # index.clusters: the near-duplicate threshold
SIDE_FILES = frozenset({META_FILE, LEXICON_FILE, LEDGER_FILE, DEDUP_SETTINGS_FILE})
#: index.clusters: one commit's near-duplicate clusters (``dedup_cache_name``).
DEDUP_CACHE = re.compile(r"dedup-v\d+-\d+\.json")
#: A side file being written: ``<name>.<pid>.<n>.tmp``.
_TEMPORARY = re.compile(r"(?P<name>.+)\.(?P<pid>\d+)\.\d+\.tmp")
_serial = itertools.count()
_T = TypeVar("_T")

#: Seconds a second writer waits for the lock before giving up.
LOCK_WAIT = 5.0
#: Memory (MB) the writer's posting pool may use before spilling to disk
#: (about 20 bytes a posting: some 3 million postings, 7,000 articles).
WRITER_LIMIT_MB = 64


def dedup_cache_name(version: int, generation: int) -> str:
    """The name of the near-duplicate cluster cache of one commit."""
    return f"dedup-v{version}-{generation}.json"


def is_side_file(name: str) -> bool:
    """Whether ``name`` is one of the files kept beside Whoosh's."""
    return name in SIDE_FILES or DEDUP_CACHE.fullmatch(name) is not None


def sync_folder(path: str) -> None:
    """Force the folder's entries (new, renamed, removed names) to disk.

    A file system that cannot sync a folder (some network ones) says so
    with ``EINVAL``; there is nothing more to do then, as SQLite decides.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process
        return True
    return True


class DurableStorage(FileStorage):  # type: ignore[misc]
    """Whoosh's file storage, made durable for commits.

    Every file Whoosh writes into the folder (a segment's files, the table of
    contents) is forced to disk as it is closed, and the table of contents
    is renamed into place between two syncs of the folder: the first makes
    the new segment's file names durable, the second the rename itself.  A
    commit is therefore on disk, whole, once it returns; until the rename is,
    the previous commit is what a restart finds.  The writer's temporary
    files (``temp_storage``, a plain ``FileStorage``) are not synced: a
    commit never needs them again.
    """

    def create_file(self, name: str, excl: bool = False, mode: str = "wb", **kwargs: Any) -> Any:
        onclose = kwargs.pop("onclose", None)

        def sync(structfile: Any) -> None:
            if onclose is not None:
                onclose(structfile)
            structfile.flush()
            os.fsync(structfile.fileno())

        return super().create_file(name, excl, mode, onclose=sync, **kwargs)

    def rename_file(self, oldname: str, newname: str, safe: bool = False) -> None:
        sync_folder(self.folder)
        super().rename_file(oldname, newname, safe)
        sync_folder(self.folder)


@dataclass(frozen=True)
class IndexDirectory:
    """The index folder, and the one owner of every file beside Whoosh's.

    Whoosh's own files are Whoosh's (opened through :func:`open_for_reading`
    and :func:`open_for_writing`); everything else in the folder is a side
    file (:func:`is_side_file`), read and written here only.
    """

    path: str

    def storage(self) -> DurableStorage:
        """Whoosh's storage of the folder, durable for commits."""
        return DurableStorage(self.path)

    def side_file(self, name: str) -> str:
        """The path of side file ``name``; ``ValueError`` for any other name."""
        if not is_side_file(name):
            raise ValueError(f"{name!r} is not a file kept beside the index")
        return os.path.join(self.path, name)

    def open_text(self, name: str) -> TextIO:
        """Side file ``name`` open for reading (``OSError`` when it cannot be)."""
        return open(self.side_file(name), encoding="utf-8")

    def read_text(self, name: str) -> str | None:
        """The text of side file ``name``, ``None`` when there is none;
        ``OSError`` or ``ValueError`` when it cannot be read."""
        try:
            with self.open_text(name) as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    def write_text(self, name: str, text: str | Iterable[str]) -> None:
        """Replace side file ``name`` by ``text`` (or its parts, one after
        another) atomically and durably.

        The text goes to a temporary file in the folder, which is forced to
        disk, renamed over the old file, and the folder forced to disk: a
        reader sees the old file or the new one, and once this returns a
        power cut cannot take the new one back.  On failure the old file is
        left as it was, without the temporary one; ``OSError`` says why.
        """
        target = self.side_file(name)
        temporary, fd = self._create_temporary(name)
        try:
            with open(fd, "w", encoding="utf-8") as handle:
                for part in (text,) if isinstance(text, str) else text:
                    handle.write(part)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(temporary)
            raise
        sync_folder(self.path)

    def _create_temporary(self, name: str) -> tuple[str, int]:
        # Named by process (for remove_litter) and made exclusively, so that
        # writers in several processes (cluster caches) never share one.
        while True:
            temporary = os.path.join(self.path, f"{name}.{os.getpid()}.{next(_serial)}.tmp")
            try:
                return temporary, os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:  # a dead process's, with our pid
                continue

    def remove(self, name: str) -> None:
        """Remove side file ``name``; gone already, or not removable, is fine
        (side files are rebuilt when missing)."""
        with contextlib.suppress(OSError):
            os.remove(self.side_file(name))

    def names(self) -> list[str]:
        """Every name in the folder (none when it cannot be listed)."""
        try:
            return os.listdir(self.path)
        except OSError:
            return []

    def remove_litter(self, indexname: str) -> None:
        """Remove what killed runs left: side files' temporary files whose
        process is gone, and tables of contents never renamed into place
        (only the lock holder writes one, so with the lock held any such
        file is a dead run's).  Called with the write lock held."""
        for name in self.names():
            temporary = _TEMPORARY.fullmatch(name)
            if temporary is not None:
                if not is_side_file(temporary["name"]) or _alive(int(temporary["pid"])):
                    continue
            elif not whoosh_private.is_stale_toc(name, indexname):
                continue
            with contextlib.suppress(OSError):
                os.remove(os.path.join(self.path, name))

    def size(self) -> int:
        """Bytes the folder's files take."""
        total = 0
        with contextlib.suppress(OSError), os.scandir(self.path) as entries:
            for entry in entries:
                with contextlib.suppress(OSError):
                    if entry.is_file():
                        total += entry.stat().st_size
        return total


def _check_meta(index_dir: str) -> None:
    try:
        text = IndexDirectory(index_dir).read_text(META_FILE)
        if text is None:
            return
        meta = json.loads(text)
        found = meta.get("format")
    except (OSError, ValueError, AttributeError):
        raise IndexCorruptError(
            f"{index_dir}: {META_FILE} is unreadable; rebuild with `searchengine index --rebuild PATH...`"
        ) from None
    if found != FORMAT_VERSION:
        raise IndexCorruptError(
            f"{index_dir} was built by another version of searchengine (format {found}, "
            f"this one reads {FORMAT_VERSION}); rebuild it with `searchengine index --rebuild PATH...`"
        )


def _write_meta(index_dir: str) -> None:
    IndexDirectory(index_dir).write_text(META_FILE, json.dumps({"format": FORMAT_VERSION}))


def open_for_reading(index_dir: str) -> Index:
    """Open an existing index, or raise :class:`IndexMissingError`."""
    storage = IndexDirectory(index_dir).storage()
    if not os.path.isdir(index_dir) or not storage.index_exists():
        raise IndexMissingError(
            f"no index at {index_dir}; create one with `searchengine index PATH...` "
            "(or point --index / SEARCHENGINE_INDEX at an existing one)"
        )
    _check_meta(index_dir)
    try:
        return _open(storage)
    except EmptyIndexError:
        raise IndexMissingError(
            f"no index at {index_dir}; create one with `searchengine index PATH...`"
        ) from None
    except (OSError, ValueError, EOFError) as exc:
        raise IndexCorruptError(f"cannot open the index at {index_dir}: {exc}") from None


def open_for_writing(index_dir: str, *, rebuild: bool = False) -> Index:
    """Open the index at ``index_dir``, creating it (and the folder) if needed.

    ``rebuild`` lets an index of another format version be replaced by a new,
    empty one (it could not be read anyway); otherwise that is an error.
    """
    try:
        os.makedirs(index_dir, exist_ok=True)
        storage = IndexDirectory(index_dir).storage()
        if storage.index_exists():
            try:
                _check_meta(index_dir)
            except IndexCorruptError:
                if not rebuild:
                    raise
            else:
                return _open(storage)
        ix: Index = storage.create_index(make_schema())
        _write_meta(index_dir)
        return ix
    except PermissionError:
        raise IndexWriteError(
            f"cannot write to {index_dir}: permission denied; choose another folder with --index"
        ) from None
    except OSError as exc:
        raise IndexWriteError(f"cannot write to {index_dir}: {exc.strerror or exc}") from None


def _open(storage: DurableStorage) -> Index:
    opened: Index = _retry(storage.open_index)
    return opened


def _retry(opener: Callable[[], _T], attempts: int = 8) -> _T:
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


def writer(ix: Index, index_dir: str) -> Writer:
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
    folder = IndexDirectory(index_dir)
    folder.remove_litter(ix.indexname)
    # Side writers' folders inside the writers' shared temporary folder,
    # left by a killed run: the writer's clean-up removes files, not folders.
    shutil.rmtree(
        os.path.join(index_dir, whoosh_private.writer_temp_folder(ix.indexname)),
        ignore_errors=True,
    )
    before = set(folder.names())
    try:
        with _ctrl_c_held_back() as interrupted:
            # Segments stay as separate files: whoosh3 opens each part of a
            # compound segment by copying it into memory, which made opening
            # a searcher (every scripted query) cost time in proportion to the
            # index's size; separate files are read where needed.  Postings
            # are filed a term at a time (searchengine.index.segments).
            new: Writer = whoosh_private.segment_writer(
                TermSegmentWriter, ix, lock, limitmb=WRITER_LIMIT_MB, compound=False
            )
    except BaseException as exc:
        # Whatever the half-built writer created is ours: the lock is held.
        _remove(index_dir, set(folder.names()) - before)
        lock.release()
        if isinstance(exc, OSError):
            raise write_error(index_dir, exc) from None
        raise
    if interrupted:
        cancel(new)
        raise KeyboardInterrupt
    return new


#: Memory (MB) a side writer's posting pool may use before it spills to a
#: run file, unless told otherwise (searchengine.indexer.build.SEGMENT_MB).
SIDE_WRITER_LIMIT_MB = 64


def side_writer(index_dir: str, schema: Any, limitmb: float = SIDE_WRITER_LIMIT_MB) -> Any:
    """A writer that builds one new segment of the index at ``index_dir``
    for the run holding its lock to commit (in a worker process of that
    run); ``schema`` is the run writer's, ``limitmb`` the postings it
    buffers before writing them to a sorted run file."""
    ix = _open(IndexDirectory(index_dir).storage())
    return whoosh_private.side_writer(
        TermSegmentWriter, ix, schema, limitmb=limitmb, compound=False
    )


def finish_side_writer(writer: Any) -> Any | None:
    """Write and close a :func:`side_writer`'s segment; return it (not yet
    committed), or ``None`` when it holds no document."""
    return whoosh_private.finish_side_segment(writer)


def commit_candidates(writer: Any, built: list[Any], *, drop_old: bool = False) -> list[Any]:
    """The segments a commit of ``writer`` could list: the index's own (with
    the run's deletions marked; none when ``drop_old``, a rebuild), then the
    ``built`` ones.  What the merge policy chooses among."""
    return whoosh_private.commit_candidates(writer, built, drop_old=drop_old)


def commit(writer: Any, listed: list[Any]) -> None:
    """Commit ``writer`` with exactly the segments ``listed`` (some of
    :func:`commit_candidates`, merged ones in place of their sources), then
    the writer's own new segment if it added documents.  Files of segments
    no longer listed are removed."""
    _remove_side_folders(writer)
    whoosh_private.commit_with_segments(writer, listed, lambda _writer, _candidates: listed)


def _remove_side_folders(writer: Any) -> None:
    """Remove the side writers' temporary folders left in the run writer's
    (``writer``'s) by a worker that died (killed, out of memory) while the
    run went on: by the commit or cancel every side writer has ended, and
    Whoosh's clean-up of its own temporary folder removes files, not
    folders (it would fail on them).  A writer not ours has no side writers."""
    folder = getattr(writer, "temp_folder", None)
    if folder is None:
        return
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)


#: Memory (MB) a merge's posting pool may use: only a merge of segments of
#: another codec fills it (see searchengine.index.merger).
MERGE_LIMIT_MB = 32


def merge_segments(index_dir: str, schema: Any, segments: list[Any]) -> Any | None:
    """Write the live documents of ``segments`` (each with the deletions the
    run marked) as one new segment of the index at ``index_dir``, for the
    run holding its lock to commit in their place; ``None`` when none is
    live.  Run in a worker process of that run, like :func:`side_writer`;
    on any failure the segment begun is removed."""
    ix = _open(IndexDirectory(index_dir).storage())
    writer = whoosh_private.side_writer(
        MergeSegmentWriter, ix, schema, limitmb=MERGE_LIMIT_MB, compound=False
    )
    try:
        for segment in segments:
            writer.add_segment(segment)
        merged: Any | None = whoosh_private.finish_side_segment(writer)
    except BaseException:
        cancel(writer)
        raise
    finally:
        writer.close_sources()
    return merged


def discard_segments(index_dir: str, segments: list[Any]) -> None:
    """Remove the files of ``segments``, built by side writers and never
    committed (the run that built them is failing)."""
    if not segments:
        return
    storage = FileStorage(index_dir)
    for segment in segments:
        with contextlib.suppress(OSError):
            for name in segment.list_files(storage):
                with contextlib.suppress(OSError):
                    storage.delete_file(name)


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


def _remove(index_dir: str, names: set[str]) -> None:
    for name in names:
        path = os.path.join(index_dir, name)
        with contextlib.suppress(OSError):
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.remove(path)


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


def open_searcher(ix: Index, index_dir: str) -> Searcher:
    """A fresh searcher on the last committed state of ``ix``."""
    try:
        return _retry(ix.searcher)
    except (OSError, ValueError, EOFError) as exc:
        raise IndexCorruptError(f"cannot read the index at {index_dir}: {exc}") from None


def cancel(writer: Writer) -> None:
    """Cancel ``writer`` and remove the files of the segment it had begun.

    Whoosh's ``cancel()`` leaves them behind until some later commit cleans
    up, and so does a commit that failed half-way (a full disk); a run that
    commits nothing must leave no litter, least of all on a full disk.  The
    files of a segment that did get committed are never touched.
    """
    segment = writer.newsegment
    storage = writer.storage
    if not writer.is_closed:
        _remove_side_folders(writer)
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
def searcher(index_dir: str) -> Iterator[Searcher]:
    """A fresh searcher on the index at ``index_dir``, closed on exit."""
    s = open_searcher(open_for_reading(index_dir), index_dir)
    try:
        yield s
    finally:
        s.close()


def index_bytes(index_dir: str) -> int:
    """Bytes the index takes on disk."""
    return IndexDirectory(index_dir).size()
