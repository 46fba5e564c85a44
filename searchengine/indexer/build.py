"""Building a run's new segments on every core.

Once the boilerplate is decided, what is left of a run is per article:
clean it, analyse it, sign it, file its postings and stored fields.  None
of it needs the index, so each worker process takes a share of the spooled
articles and writes them as whole segments of its own (a side writer,
:func:`searchengine.index.directory.side_writer`); the run's own writer,
which holds the lock, only deletes replaced articles and, at commit, lists
the new segments beside the old ones (and merges some, by the policy of
:mod:`searchengine.index.merging`).  Whoosh's own multiprocessing writer and
Lucene's indexing threads work the same way.

A share becomes one segment.  When a worker's buffered postings reach
:data:`SEGMENT_MB` they are sorted and written to a run file, and the
segment is written from the runs at the end (its longest terms a chunk at
a time), so memory stays bounded whatever the share's size, without making
many small segments (which queries pay for, and the commit would have to
merge).  Shares are cut so that every worker gets the same number, at most
:data:`SHARE_ARTICLES` articles each: a run of 20,000 articles on two cores
makes two segments, and one of a million eight of 125,000, which the merge
policy leaves as they are (:mod:`searchengine.index.merging`).  Equal
shares do not end together when the cores do not run alike, so a worker
claims its share's articles as it goes, and one left with nothing takes
the tail of a busier share as a segment of its own
(:mod:`searchengine.indexer.claims`; a run makes :data:`STEALS_PER_WORKER`
steals a writer at most).  The run lists the segments by their first
article, so the index's order is the spool's whatever the timing.  The
merges the policy does pick are made in worker processes too, several at
once (:func:`merge_all`).  A worker reads its share from the spool itself
(a range of its listed items:
:func:`searchengine.indexer.spool.read_items`), so no share is ever held
in memory.  Progress comes back from the workers every
:data:`PROGRESS_EVERY` articles.

Segments built but not committed are the run's to remove when it fails
(:func:`discard`); a worker stopped half-way removes its own.  Should a
worker die (the out-of-memory killer), what the others finished is kept
and the articles no one finished are built in the main process.  After a
``kill -9`` of the run their files are left behind, unlisted, and the next
commit removes them.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import multiprocessing
import os
import queue
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from searchengine.index import directory as store
from searchengine.index import merging
from searchengine.indexer.claims import Claims
from searchengine.indexer.document import document
from searchengine.indexer.heap import give_back_memory, keep_freed_memory
from searchengine.indexer.spool import Share, Spool, read_items
from searchengine.indexer.workers import (
    PREPARE_POOL_MIN,
    _quiet_worker,
    _workers,
    forking,
    lexicon_words,
    prepare,
)

#: Buffered postings (MB, as the pool counts them) at which a worker's pool
#: writes them to a sorted run file; the share's segment is written from
#: its runs at the end (merged a term at a time, as arrays).
SEGMENT_MB = 24
#: Articles in one worker's share (one segment) at most: half the largest
#: merge, so that a full share is a segment the merge policy leaves alone
#: (a million articles written in one run are eight segments, never merged).
SHARE_ARTICLES = merging.MAX_MERGED // 2
#: Articles between two progress reports of a worker.
PROGRESS_EVERY = 25
#: Steals a run may make, per writer (spare slots of its claims table,
#: :mod:`searchengine.indexer.claims`): each is a segment more.
STEALS_PER_WORKER = 2


@dataclass
class Built:
    """What one share (or the part of one a writer built) became: its
    segments (written, not committed), the written words of its articles
    (for the lexicon), their number, and the first of them in the spool's
    list (the run lists segments in that order)."""

    segments: list[Any] = field(default_factory=list)
    words: set[str] = field(default_factory=set)
    articles: int = 0
    first: int = 0
    #: Seconds its articles took (its segment not counted): the writer's rate.
    seconds: float = 0.0

    @property
    def end(self) -> int:
        """Where the articles it holds end in the spool's list."""
        return self.first + self.articles


class Stopped(Exception):
    """A worker was told to stop (the run is being abandoned)."""


# Set in each worker process by _set_up.
_progress: Any = None
_stop: Any = None
_claims: Claims | None = None


def _set_up(parent: int, progress: Any, stop: Any, claims: Claims | None) -> None:
    global _progress, _stop, _claims
    _quiet_worker(parent)
    _progress, _stop, _claims = progress, stop, claims


def build_share(
    index_dir: str,
    schema: Any,
    share: Share,
    learned: dict[str, frozenset[str]],
    report: Callable[[int], None] | None = None,
    slot: int | None = None,
    ended: Callable[[Built], None] | None = None,
) -> Built:
    """Prepare the spooled articles of ``share`` and write them into a new
    segment of the index at ``index_dir``; ``learned`` gives each group's
    learned lines, ``report`` hears of articles done.  Given the ``slot``
    of the share in the run's claims, its articles are claimed as they are
    built, and the tail another writer steals is left to it; ``ended``
    hears of the articles built before the segment is written.  On any
    failure the segment begun is removed."""
    tell = report or _tell_parent
    built = Built(first=share[2])
    writer = store.side_writer(index_dir, schema, limitmb=SEGMENT_MB)
    since = 0
    began = time.perf_counter()
    try:
        for article, group, sig, line in _claimed(share, slot):
            if _stop is not None and _stop.is_set():
                raise Stopped
            ready = prepare(article, learned[group], writer.pool.vocabulary)
            writer.add_document(
                **document(
                    article, sig, ready.cleaned, texts=ready.texts, minhash=ready.minhash, line=line
                )
            )
            built.articles += 1
            since += 1
            if since >= PROGRESS_EVERY:
                tell(since)
                since = 0
        built.seconds = time.perf_counter() - began
        if ended is not None:
            ended(built)
        built.words = lexicon_words(writer.pool.vocabulary)
        segment = store.finish_side_writer(writer)
        if segment is not None:
            built.segments.append(segment)
    except BaseException:
        store.cancel(writer)
        discard(index_dir, [built])
        raise
    del writer  # its buffers, before the memory is handed back
    if _progress is not None:  # in a worker process (the main one keeps its own)
        give_back_memory()
    tell(since)
    return built


def _claimed(share: Share, slot: int | None) -> Iterator[Any]:
    """The spooled articles of ``share``; given its ``slot`` in this
    writer's claims, only those it claims before its tail is taken."""
    items = read_items(*share)
    if slot is None or _claims is None:
        yield from items
        return
    _claims.begin(slot, time.monotonic_ns())
    try:
        while claimed := _claims.claim(slot):
            yield from itertools.islice(items, claimed)
    finally:
        items.close()


def write_share(
    index_dir: str, schema: Any, share: Share, learned: dict[str, frozenset[str]], slot: int
) -> list[Built]:
    """A writer's task: ``share`` (``slot`` of the run's claims) built, and
    then each tail it stole from a busier share as the articles of the one
    before ended (:meth:`~searchengine.indexer.claims.Claims.steal`), a
    segment each.  Should one fail, those built before it are removed too."""
    stolen: list[tuple[int, int, int]] = []

    def steal(last: Built) -> None:
        rate = last.articles / last.seconds if last.seconds > 0 else 0.0
        taken = _claims.steal(rate, time.monotonic_ns()) if _claims is not None else None
        if taken is not None:
            stolen.append(taken)

    built = [build_share(index_dir, schema, share, learned, slot=slot, ended=steal)]
    try:
        while stolen:
            part, first, end = stolen.pop()
            tail = (share[0], share[1], first, end)
            built.append(build_share(index_dir, schema, tail, learned, slot=part, ended=steal))
    except BaseException:
        discard(index_dir, built)
        raise
    return built


def _tell_parent(articles: int) -> None:
    if _progress is not None and articles:
        _progress.put(articles)


def discard(index_dir: str, built: Iterable[Built]) -> None:
    """Remove the files of segments built and not committed."""
    store.discard_segments(index_dir, [s for b in built for s in b.segments])


def shares(count: int, workers: int) -> int:
    """Articles per share: the same number of shares for every worker, each
    at most :data:`SHARE_ARTICLES`."""
    rounds = math.ceil(count / (max(workers, 1) * SHARE_ARTICLES)) or 1
    return math.ceil(count / (max(workers, 1) * rounds)) or 1


def build_all(
    index_dir: str,
    schema: Any,
    spool: Spool,
    learned: dict[str, frozenset[str]],
    report: Callable[[int], None],
) -> Iterator[Built]:
    """The ``spool``'s articles built into segments, each part of them as a
    :class:`Built` that says where its articles begin: in the spool's
    order here, as they are done in a pool (the run lists them by
    ``first``).  ``learned`` holds every group's learned lines, ``report``
    hears of articles done as they are done.

    With enough articles and more than one core, shares are built in worker
    processes, one per core, which read their articles from the spool
    themselves and take over the tail of a busier one when they are done
    (:mod:`searchengine.indexer.claims`); else here, the same way.
    """
    workers = _workers()
    in_pool = workers >= 2 and spool.count >= PREPARE_POOL_MIN
    ranges = spool.ranges(shares(spool.count, workers if in_pool else 1))
    if not in_pool:
        keep_freed_memory()  # this process builds (searchengine.indexer.heap)
        for first, end in ranges:
            yield build_share(index_dir, schema, spool.share(first, end), learned, report)
        return
    yield from _in_pool(index_dir, schema, spool, ranges, learned, workers, report)


def _in_pool(
    index_dir: str,
    schema: Any,
    spool: Spool,
    ranges: list[tuple[int, int]],
    learned: dict[str, frozenset[str]],
    workers: int,
    report: Callable[[int], None],
) -> Iterator[Built]:
    context = multiprocessing.get_context("fork")
    progress = context.Queue()
    stop = context.Event()
    claims = Claims(context, ranges, STEALS_PER_WORKER * workers, time.monotonic_ns())
    # A share is a range of the spool: all are handed out at once.
    pool, pending = _start(
        workers,
        (progress, stop, claims),
        write_share,
        [
            (slot, (index_dir, schema, spool.share(first, end), learned, slot))
            for slot, (first, end) in enumerate(ranges)
        ],
    )
    done: list[Built] = []
    try:
        while pending:
            for built in _next(pending, progress, report):
                done.append(built)
                yield built
    except BrokenProcessPool:
        # A worker died (killed, out of memory): what the others finished
        # is kept, and the articles no one finished are built here.
        finished: list[Built] = []
        _settle(pending, finished.extend)
        pending.clear()
        yield from finished
        for first, end in _gaps([*done, *finished], spool.count):
            yield build_share(index_dir, schema, spool.share(first, end), learned, report)
    except BaseException:
        stop.set()
        raise
    finally:
        _settle(pending, lambda built: discard(index_dir, built))
        pool.shutdown(wait=True, cancel_futures=True)
        _drain(progress, report)


def _gaps(built: list[Built], count: int) -> list[tuple[int, int]]:
    """The ranges of the spool's ``count`` listed articles that none of
    ``built`` holds, in order."""
    gaps, at = [], 0
    for part in sorted(built, key=lambda b: b.first):
        if part.first > at:
            gaps.append((at, part.first))
        at = max(at, part.end)
    if at < count:
        gaps.append((at, count))
    return gaps


def merge_all(
    index_dir: str, schema: Any, groups: list[list[Any]], report: Callable[[int], None]
) -> Iterator[Any | None]:
    """Each group of segments merged into one new segment (``None`` when
    nothing in it is live), in order (:func:`searchengine.index.directory.merge_segments`);
    ``report`` hears of each merge's live documents as it is done.

    Merges are independent: with more than one core and enough documents,
    each is made in a worker process, as many at once as there are cores
    (a merge of the largest segments takes some hundreds of MB, which the
    main process should not keep); else here.  Should a worker die, the
    rest is merged here.  When the run fails, what was merged is removed.
    """
    workers = _workers()
    articles = sum(s.doc_count() for group in groups for s in group)
    if workers < 2 or articles < PREPARE_POOL_MIN:
        keep_freed_memory()  # this process merges (searchengine.indexer.heap)
        for group in groups:
            yield store.merge_segments(index_dir, schema, group)
            report(sum(s.doc_count() for s in group))
        return
    pool, pending = _start(
        min(workers, len(groups)),
        (None, None, None),
        store.merge_segments,
        [(group, (index_dir, schema, group)) for group in groups],
    )
    done: list[Any] = []
    try:
        while pending:
            group, future = pending[0]
            try:
                merged = future.result()
            except BrokenProcessPool:
                # A worker died (killed, out of memory): every pending merge
                # failed with it.  What a merge finished first is left
                # unlisted; the commit removes it.
                rest = [g for g, _ in pending]
                pending.clear()
                for one in rest:
                    yield store.merge_segments(index_dir, schema, one)
                    report(sum(s.doc_count() for s in one))
                return
            pending.popleft()
            if merged is not None:
                done.append(merged)
            report(sum(s.doc_count() for s in group))
            yield merged
    except BaseException:
        store.discard_segments(index_dir, done)
        raise
    finally:
        _settle(pending, lambda merged: store.discard_segments(index_dir, [merged]))
        pool.shutdown(wait=True, cancel_futures=True)


def _start(
    workers: int,
    channels: tuple[Any, Any, Claims | None],
    work: Callable[..., Any],
    tasks: list[tuple[Any, tuple[Any, ...]]],
) -> tuple[ProcessPoolExecutor, deque[tuple[Any, Future[Any]]]]:
    """A pool of ``workers`` processes forked from this one, set up with
    ``channels`` (the progress queue, stop event and claims, or none), and each
    ``(key, args)`` of ``tasks`` handed to it as ``work(*args)``.

    What this process freed is handed back first (the workers would
    otherwise inherit it), and Ctrl-C is held back while they are forked
    (all at the first ``submit``)."""
    give_back_memory()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_set_up,
        initargs=(os.getpid(), *channels),
    )
    with forking():
        pending = deque((key, pool.submit(work, *args)) for key, args in tasks)
    return pool, pending


def _next(
    pending: deque[tuple[Any, Future[list[Built]]]], progress: Any, report: Callable[[int], None]
) -> list[Built]:
    """The first pending share's result, reporting progress while waiting."""
    _, future = pending[0]
    while not future.done():
        wait([future], timeout=0.2, return_when=FIRST_COMPLETED)
        _drain(progress, report)
    pending.popleft()
    return future.result()


def _drain(progress: Any, report: Callable[[int], None]) -> None:
    with contextlib.suppress(queue.Empty, OSError, ValueError):
        while True:
            report(progress.get_nowait())


def _settle(
    pending: deque[tuple[Any, Future[Any]]], each: Callable[[Any], None] | None = None
) -> None:
    """Cancel the work not begun (shares or merges); wait for the rest and
    hand ``each`` what every one that finished wrote: to remove it when
    the run is failing, or to keep it when a worker died (a future left
    without a result raises, and is passed over)."""
    for _, future in pending:
        future.cancel()
    for _, future in pending:
        if future.cancelled():
            continue
        with contextlib.suppress(BaseException):
            result = future.result()
            if each is not None and result is not None:
                each(result)
