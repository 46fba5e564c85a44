"""Reading files for an index run: load, analyse, sign, in reader processes.

Everything about an article that does not need the index is done here, away
from the one process that writes: decoding and extraction (``load_file``),
the postings of each text field (``fieldformats.analyze``), the body's
near-duplicate signature and the written words for the lexicon.  With many
files and more than one core this happens in a pool of worker processes,
at most :data:`POOL_WINDOW` files ahead of the consumer.
"""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from searchengine import dedup, lexicon
from searchengine.fieldformats import Analyzed, analyze
from searchengine.load import load_file
from searchengine.models import LoadResult


@dataclass(frozen=True)
class _Read:
    """One file read and analysed, ready for the writer.

    Reading, extracting and analysing happen here, possibly in a worker
    process; the writer only files the postings.  ``texts`` holds each
    article's analysed fields, ``minhashes`` each body's near-duplicate
    signature, ``words`` the file's written words for the lexicon.
    """

    result: LoadResult
    texts: tuple[dict[str, Analyzed], ...]
    minhashes: tuple[bytes, ...]
    words: frozenset[str]


def read_file(path: str, encoding: str | None) -> _Read:
    """Load ``path`` and analyse its articles (never raises, like ``load_file``)."""
    result = load_file(path, encoding)
    texts = []
    words: set[str] = set()
    for article in result.articles:
        fields = {"title": analyze(article.title), "body": analyze(article.body)}
        if article.source:
            fields["source"] = analyze(article.source)
        if article.author:
            fields["author"] = analyze(article.author)
        texts.append(fields)
        words |= lexicon.words_of(f"{article.title}\n{article.body}")
    minhashes = tuple(dedup.signature(a.body) for a in result.articles)
    return _Read(result, tuple(texts), minhashes, frozenset(words))


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


def _quiet_worker(parent: int) -> None:
    """Set up a reader process of the main process ``parent``.

    Ctrl-C is the parent's to handle; a worker that also raised it would
    print a traceback per process.  And a worker must not outlive its
    parent: when the main process is killed outright (``kill -9``, the
    out-of-memory killer) the workers would otherwise wait for work forever.
    The parent's pid comes from the parent: read here with ``getppid`` it
    would be the reaper's when the parent died before this ran, and the
    watch would wait for that one instead.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(
        target=_exit_when_orphaned, args=(parent,), name="orphan-watch", daemon=True
    ).start()


def load_all(paths: list[str], encoding: str | None) -> Iterator[tuple[str, _Read]]:
    """Each path with what it yielded, in order.

    With many files and more than one core, files are read (decoded, parsed,
    extracted) in worker processes while this one writes the index; at most
    :data:`POOL_WINDOW` results wait at a time, so memory stays bounded.
    """
    workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1, 4)
    if workers < 2 or len(paths) < POOL_MIN_FILES:
        for path in paths:
            yield path, read_file(path, encoding)
        return
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_quiet_worker, initargs=(os.getpid(),)
    ) as pool:
        pending: deque[tuple[str, Future[_Read]]] = deque()
        queued = iter(paths)
        try:
            for path in itertools.islice(queued, POOL_WINDOW):
                pending.append((path, pool.submit(read_file, path, encoding)))
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
                        yield remaining, read_file(remaining, encoding)
                    return
                following = next(queued, None)
                if following is not None:
                    pending.append((following, pool.submit(read_file, following, encoding)))
                yield path, result
        finally:
            for _, future in pending:
                future.cancel()
