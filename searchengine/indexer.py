"""Indexing runs: from paths on disk to a committed, up-to-date index.

A run is incremental.  Each article carries its file's size and modification
time; a file whose pair is unchanged is left alone, a changed one is read
again and its articles replaced, and articles of files gone from the given
paths are removed.  Everything happens in one Whoosh commit: an interrupted
run leaves the previous commit as it was, whole and searchable.
"""

from __future__ import annotations

import codecs
import itertools
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from whoosh.writing import CLEAR

from searchengine import store
from searchengine.dates import day_number
from searchengine.errors import IndexWriteError, UsageError
from searchengine.load import load_file
from searchengine.load.walk import WalkStats, check_paths, walk
from searchengine.models import Article, IndexSummary, LoadResult, Problem, Progress

ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class _Known:
    """What the index knows about one file: its signature and its records."""

    sig: bytes
    count: int


def stored_path(path: str) -> str:
    """``path`` as the index keeps it: valid Unicode even when the file name
    is not (its undecodable bytes written as ``\\xe9``), since Whoosh terms
    must be UTF-8.  Runs compare files by this form."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    return path


def file_signature(stat: os.stat_result) -> bytes:
    return f"{stat.st_size}:{stat.st_mtime_ns}".encode()


def document(article: Article, sig: bytes) -> dict[str, Any]:
    """The Whoosh document of one article."""
    doc: dict[str, Any] = {
        "id": article.id,
        "path": stored_path(article.path),
        "record": article.record,
        "sig": sig,
        "title": article.title,
        "body": article.body,
        "words": f"{article.title}\n{article.body}",
        "encoding": article.encoding,
        # Always written: a segment with no value at all would have no column
        # to sort on.
        "sort_newest": store.UNDATED_NEWEST,
        "sort_oldest": store.UNDATED_OLDEST,
    }
    if article.source:
        doc["source"] = article.source
        doc["source_name"] = article.source
    if article.author:
        doc["author"] = article.author
    if article.url:
        doc["url"] = article.url
    if article.date is not None:
        number = day_number(article.date)
        doc["date"] = number
        doc["month"] = article.date.strftime("%Y-%m")
        doc["sort_newest"] = number
        doc["sort_oldest"] = number
    return doc


def known_files(reader: Any) -> dict[str, _Known]:
    """Every file the index holds live articles of, with its signature."""
    known: dict[str, _Known] = {}
    if reader.doc_count_all() == 0:
        return known
    paths = reader.column_reader("path")
    sigs = reader.column_reader("sig")
    deleted = reader.is_deleted if reader.has_deletions() else None
    for docnum in range(reader.doc_count_all()):
        if deleted is not None and deleted(docnum):
            continue
        path = paths[docnum]
        if isinstance(path, bytes):
            path = path.decode("utf-8", "surrogateescape")
        previous = known.get(path)
        known[path] = _Known(sigs[docnum], (previous.count if previous else 0) + 1)
    return known


def _records_of(reader: Any, path: str) -> set[int | None]:
    records: set[int | None] = set()
    for docnum in reader.postings("path", path).all_ids():
        if not reader.is_deleted(docnum):
            records.add(reader.stored_fields(docnum).get("record"))
    return records


def _under(path: str, roots: Iterable[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


#: Files to read before a pool of reader processes pays for its start-up.
POOL_MIN_FILES = 64
#: Files being read ahead of the writer at most: bounds memory.
POOL_WINDOW = 64


#: Seconds between a reader process's checks that the main process lives.
ORPHAN_CHECK = 0.5


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK)
    os._exit(1)


def _quiet_worker() -> None:
    """Set up a reader process.

    Ctrl-C is the parent's to handle; a worker that also raised it would
    print a traceback per process.  And a worker must not outlive its
    parent: when the main process is killed outright (``kill -9``, the
    out-of-memory killer) the workers would otherwise wait for work forever.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(
        target=_exit_when_orphaned, args=(os.getppid(),), name="orphan-watch", daemon=True
    ).start()


def _load_all(paths: list[str], encoding: str | None) -> Iterator[tuple[str, LoadResult]]:
    """Each path with what it yielded, in order.

    With many files and more than one core, files are read (decoded, parsed,
    extracted) in worker processes while this one writes the index; at most
    :data:`POOL_WINDOW` results wait at a time, so memory stays bounded.
    """
    workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1, 4)
    if workers < 2 or len(paths) < POOL_MIN_FILES:
        for path in paths:
            yield path, load_file(path, encoding)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_quiet_worker) as pool:
        pending: deque[tuple[str, Future[LoadResult]]] = deque()
        queued = iter(paths)
        try:
            for path in itertools.islice(queued, POOL_WINDOW):
                pending.append((path, pool.submit(load_file, path, encoding)))
            while pending:
                path, future = pending.popleft()
                try:
                    result = future.result()
                except BrokenProcessPool:
                    # A reader died (killed, out of memory): read the rest here.
                    for _, waiting in pending:
                        waiting.cancel()
                    rest = [path, *(p for p, _ in pending), *queued]
                    pending.clear()
                    for remaining in rest:
                        yield remaining, load_file(remaining, encoding)
                    return
                following = next(queued, None)
                if following is not None:
                    pending.append((following, pool.submit(load_file, following, encoding)))
                yield path, result
        finally:
            for _, future in pending:
                future.cancel()


def run_index(
    index_dir: str,
    paths: list[str],
    *,
    rebuild: bool = False,
    encoding: str | None = None,
    progress: ProgressCallback | None = None,
) -> IndexSummary:
    """Bring the index at ``index_dir`` up to date with the files under ``paths``.

    Returns what changed, in articles.  Raises :class:`UsageError` for a path
    that does not exist or an unknown encoding, and the index errors of
    :mod:`searchengine.store` when the index cannot be opened or locked.
    """
    started = time.perf_counter()
    roots = check_paths(paths)
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UsageError(
                f"unknown encoding {encoding!r}; use a name Python knows, such as utf-8, cp1252 or latin-1"
            ) from None

    report = progress or (lambda _p: None)
    report(Progress(0, 0, 0, stage="scanning"))
    walk_stats = WalkStats()
    files = list(walk(roots, walk_stats))

    ix = store.open_for_writing(index_dir)
    writer = store.writer(ix, index_dir)
    try:
        reader = writer.reader()
        known = {} if rebuild else known_files(reader)
        added = updated = unchanged = removed = 0
        skipped: list[Problem] = []
        errors = [
            Problem(p, None, f"folder not readable: {why}", "error")
            for p, why in walk_stats.unreadable
        ]
        changed = rebuild

        to_load: list[tuple[str, bytes]] = []
        for path in files:
            try:
                sig = file_signature(os.stat(path))
            except OSError as exc:
                errors.append(Problem(path, None, f"cannot read: {exc.strerror or exc}", "error"))
                continue
            previous = known.get(stored_path(path))
            if previous is not None and previous.sig == sig:
                unchanged += previous.count
            else:
                to_load.append((path, sig))
        sig_of = dict(to_load)

        seen = {stored_path(p) for p in files}
        stored_roots = [stored_path(root) for root in roots]
        for path, info in known.items():
            if path not in seen and _under(path, stored_roots):
                writer.delete_by_term("path", path)
                removed += info.count
                changed = True

        done_articles = 0
        for done, (path, result) in enumerate(
            _load_all([p for p, _ in to_load], encoding), start=1
        ):
            for problem in result.problems:
                (skipped if problem.kind == "skipped" else errors).append(problem)
            old_records: set[int | None] = set()
            key = stored_path(path)
            if key in known:
                old_records = _records_of(reader, key)
                writer.delete_by_term("path", key)
                changed = True
            new_records = {a.record for a in result.articles}
            updated += len(new_records & old_records)
            added += len(new_records - old_records)
            removed += len(old_records - new_records)
            for article in result.articles:
                writer.add_document(**document(article, sig_of[path]))
                changed = True
            done_articles += len(result.articles)
            report(Progress(done, len(to_load), done_articles, current=path))

        reader.close()
        if changed:
            report(Progress(len(to_load), len(to_load), done_articles, stage="committing"))
            writer.commit(mergetype=CLEAR) if rebuild else writer.commit()
        else:
            store.cancel(writer)
    except OSError as exc:  # writing the new segment or committing it
        store.cancel(writer)
        raise store.write_error(index_dir, exc) from None
    except BaseException:
        store.cancel(writer)
        raise

    try:
        articles = ix.doc_count()
    except OSError as exc:
        raise IndexWriteError(f"the index at {index_dir} could not be read back: {exc}") from None
    report(Progress(len(to_load), len(to_load), done_articles, stage="done"))
    return IndexSummary(
        added=added,
        updated=updated,
        unchanged=unchanged,
        removed=removed,
        skipped=tuple(skipped),
        errors=tuple(errors),
        articles=articles,
        took_ms=(time.perf_counter() - started) * 1000.0,
        files_seen=len(files),
        files_ignored=walk_stats.ignored,
    )
