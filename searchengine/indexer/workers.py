"""Reading files for an index run, in two stages, in reader processes.

Everything about an article that does not need the index is done away from
the one process that writes it.  Boilerplate is learned from every article
of a source before any is cleaned, so a run has two stages:

1. :func:`load_all` reads the files (decoding, parsing, extraction) and
   gives each article's boilerplate line keys, which the writer counts;
2. once the learned lines are decided, :func:`prepare_all` cleans each
   article and computes what the writer files: the postings of each text
   field (``fieldformats.analyze``), the near-duplicate signature and the
   written words for the lexicon.  The writer adds each prepared article to
   the index while the next ones are being prepared.

With enough work and more than one core each stage runs in a pool of worker
processes, a bounded window of work ahead of the writer, results in order.
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
from searchengine.index.fieldformat import Analyzed, analyze
from searchengine.load import load_file
from searchengine.models import Article, LoadResult


@dataclass(frozen=True)
class _Read:
    """One file read: its articles and problems, and each article's
    boilerplate line keys (counted by the writer before anything is cleaned)."""

    result: LoadResult
    line_keys: tuple[frozenset[str], ...]


def read_file(path: str, encoding: str | None) -> _Read:
    """Load ``path`` (never raises, like ``load_file``)."""
    result = load_file(path, encoding)
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


def prepare(article: Article, learned: frozenset[str]) -> Prepared:
    """Clean ``article`` with its group's ``learned`` lines and analyse it."""
    cleaned = boilerplate.clean(article.body, learned)
    # One split into words serves the postings, the lexicon and MinHash.
    title_words = WORD.findall(article.title)
    body_words = WORD.findall(cleaned.body)
    texts = {
        "title": analyze(article.title, title_words),
        "body": analyze(cleaned.body, body_words),
    }
    if article.source:
        texts["source"] = analyze(article.source)
    if article.author:
        texts["author"] = analyze(article.author)
    read_words = body_words if cleaned.body == article.body else None
    words = lexicon.words_of(article.title, title_words) | lexicon.words_of(
        article.body, read_words
    )
    return Prepared(cleaned, texts, dedup.signature(cleaned.body, body_words), frozenset(words))


def _prepare_batch(
    batch: list[tuple[Article, str]], learned: dict[str, frozenset[str]]
) -> list[Prepared]:
    return [prepare(article, learned[group]) for article, group in batch]


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


def load_all(paths: list[str], encoding: str | None) -> Iterator[tuple[str, _Read]]:
    """Each path with what it yielded, in order (stage 1).

    With many files and more than one core, files are read in worker
    processes, :data:`POOL_WINDOW` files ahead of the consumer at most.
    """
    in_pool = _workers() >= 2 and len(paths) >= POOL_MIN_FILES
    yield from _ordered(read_file, ((path, (path, encoding)) for path in paths), in_pool)


#: Articles prepared in one task of the pool, batches in flight at most,
#: and the fewest articles a run must prepare before a pool pays for its
#: start-up.
PREPARE_BATCH = 32
PREPARE_WINDOW = 8
PREPARE_POOL_MIN = 256


def prepare_all(
    items: Iterable[tuple[Article, str, T]],
    count: int,
    learned: Callable[[str], frozenset[str]],
) -> Iterator[tuple[Article, T, Prepared]]:
    """Each ``(article, group, extra)`` of ``items`` with its article
    prepared (stage 2), in order; ``learned`` gives a group's learned lines.

    With ``count`` articles or more and more than one core, batches are
    prepared in worker processes while the caller writes earlier ones.
    """

    def tasks() -> Iterator[tuple[list[tuple[Article, T]], tuple[object, ...]]]:
        iterator = iter(items)
        while batch := list(itertools.islice(iterator, PREPARE_BATCH)):
            groups = {group: learned(group) for _, group, _ in batch}
            yield (
                [(article, extra) for article, _, extra in batch],
                ([(article, group) for article, group, _ in batch], groups),
            )

    in_pool = _workers() >= 2 and count >= PREPARE_POOL_MIN
    for batch, prepared in _ordered(_prepare_batch, tasks(), in_pool, PREPARE_WINDOW):
        for (article, extra), ready in zip(batch, prepared, strict=True):
            yield article, extra, ready
