"""Reading files for an index run, in two stages, in reader processes.

Everything about an article that does not need the index is done away from
the one process that writes it.  Boilerplate is learned from every article
of a source before any is cleaned, so a run has two stages:

1. :func:`load_all` reads the files (decoding, parsing, extraction) and
   gives each article's boilerplate line keys, which the writer counts;
2. once the learned lines are decided, :func:`prepare` cleans each article
   and computes what is filed: the postings of each text field
   (``fieldformat.analyze``), the near-duplicate signature and the written
   words for the lexicon.  It runs in the processes that write the new
   segments (:mod:`searchengine.indexer.build`).

With enough work and more than one core the first stage runs in a pool of
worker processes, a bounded window of work ahead of the writer, results in
order.
"""

from __future__ import annotations

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
from typing import TypeVar

from searchengine.analysis import boilerplate
from searchengine.analysis import minhash as dedup
from searchengine.analysis.boilerplate import Cleaned
from searchengine.analysis.tokenizer import WORD
from searchengine.index import lexicon
from searchengine.index.fieldformat import Analyzed, Vocabulary, analyze
from searchengine.load import load_file
from searchengine.models import Article, LoadResult


@dataclass(frozen=True)
class _Read:
    """One file read: its articles and problems, and each article's
    boilerplate line keys (counted by the writer before anything is cleaned)."""

    result: LoadResult
    line_keys: tuple[frozenset[str], ...]


def read_file(
    path: str, encoding: str | None, known: frozenset[tuple[int, bytes]] | None = None
) -> _Read:
    """Load ``path`` (never raises, like ``load_file``); lines whose digest
    is ``known`` are passed over (a changed file's lines the index holds)."""
    result = load_file(path, encoding, known)
    keys = tuple(frozenset(boilerplate.line_keys(a.body)) for a in result.articles)
    return _Read(result, keys)


@dataclass(frozen=True)
class Prepared:
    """One article ready for the writer.

    ``cleaned`` is its body without boilerplate; ``texts`` its text fields
    analysed (the body as cleaned); ``minhash`` the cleaned body's
    near-duplicate signature; ``words`` the written words of its title and
    body as read, for the lexicon.
    """

    cleaned: Cleaned
    texts: dict[str, Analyzed]
    minhash: bytes
    words: frozenset[str]


def prepare(
    article: Article, learned: frozenset[str], vocabulary: Vocabulary | None = None
) -> Prepared:
    """Clean ``article`` with its group's ``learned`` lines and analyse it
    (term ids from ``vocabulary``: the segment writer's that will file it)."""
    cleaned = boilerplate.clean(article.body, learned)
    # One split into words serves the postings, the lexicon and MinHash.
    title_words = WORD.findall(article.title)
    body_words = WORD.findall(cleaned.body)
    texts = {
        "title": analyze(article.title, title_words, vocabulary),
        "body": analyze(cleaned.body, body_words, vocabulary),
    }
    if article.source:
        texts["source"] = analyze(article.source, vocabulary=vocabulary)
    if article.author:
        texts["author"] = analyze(article.author, vocabulary=vocabulary)
    read_words = body_words if cleaned.body == article.body else None
    words = lexicon.words_of(article.title, title_words) | lexicon.words_of(
        article.body, read_words
    )
    return Prepared(cleaned, texts, dedup.signature(cleaned.body, body_words), frozenset(words))


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


T = TypeVar("T")
R = TypeVar("R")


def _workers() -> int:
    return min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1, 4)


def _ordered(
    work: Callable[..., R],
    tasks: Iterable[tuple[T, tuple[object, ...]]],
    in_pool: bool,
    window: int = 0,
) -> Iterator[tuple[T, R]]:
    """``(key, work(*args))`` for each ``(key, args)`` of ``tasks``, in order.

    In a pool of worker processes when ``in_pool`` (at most ``window``
    tasks, :data:`POOL_WINDOW` by default, ahead of the consumer, so memory
    stays bounded), else here.  Should a worker die (killed, out of memory), the
    rest is done here.
    """
    if not in_pool:
        for key, args in tasks:
            yield key, work(*args)
        return
    with ProcessPoolExecutor(
        max_workers=_workers(), initializer=_quiet_worker, initargs=(os.getpid(),)
    ) as pool:
        pending: deque[tuple[T, tuple[object, ...], Future[R]]] = deque()
        queued = iter(tasks)
        try:
            for key, args in itertools.islice(queued, window or POOL_WINDOW):
                pending.append((key, args, pool.submit(work, *args)))
            while pending:
                key, args, future = pending.popleft()
                try:
                    result = future.result()
                except BrokenProcessPool:
                    for _, _, waiting in pending:
                        waiting.cancel()
                    rest = [(key, args), *((k, a) for k, a, _ in pending), *queued]
                    pending.clear()
                    for remaining, remaining_args in rest:
                        yield remaining, work(*remaining_args)
                    return
                following = next(queued, None)
                if following is not None:
                    pending.append((following[0], following[1], pool.submit(work, *following[1])))
                yield key, result
        finally:
            for _, _, future in pending:
                future.cancel()


def load_all(
    paths: list[str],
    encoding: str | None,
    known: Callable[[str], frozenset[tuple[int, bytes]] | None] | None = None,
    window: int = 0,
) -> Iterator[tuple[str, _Read]]:
    """Each path with what it yielded, in order (stage 1); ``known(path)``,
    asked as the file is handed to a reader, gives the line digests to pass
    over (see :func:`read_file`).

    With many files and more than one core, files are read in worker
    processes, ``window`` (:data:`POOL_WINDOW` by default) files ahead of
    the consumer at most.
    """
    in_pool = _workers() >= 2 and len(paths) >= POOL_MIN_FILES
    tasks = ((path, (path, encoding, known(path) if known else None)) for path in paths)
    yield from _ordered(read_file, tasks, in_pool, window)


#: The fewest articles a run must write before worker processes pay for
#: their start-up (:mod:`searchengine.indexer.build`).
PREPARE_POOL_MIN = 256
