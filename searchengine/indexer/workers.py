"""Reading files for an index run, in two stages, in reader processes.

Everything about an article that does not need the index is done away from
the one process that writes it.  Boilerplate is learned from every article
of a source before any is cleaned, so a run has two stages:

1. :func:`load_all` reads the files (decoding, parsing, extraction),
   writes their articles to the run's spool and gives each article's
   boilerplate line keys, which the main process counts;
2. once the learned lines are decided, :func:`prepare` cleans each article
   and computes what is filed: the term ids of each text field's words
   (``fieldformat.Tokens``), the near-duplicate signature and the written
   words for the lexicon.  It runs in the processes that write the new
   segments (:mod:`searchengine.indexer.build`).

With enough work and more than one core the first stage runs in a pool of
worker processes, a bounded window of work ahead of the writer, results in
order.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TypeVar

from searchengine.analysis import boilerplate
from searchengine.analysis import minhash as dedup
from searchengine.analysis.boilerplate import Cleaned
from searchengine.analysis.tokenizer import spelling_of_folded, split_words
from searchengine.index.fieldformat import Tokens, Vocabulary, tokens, tokens_of
from searchengine.indexer.document import digest_of, signature_size, stored_path
from searchengine.indexer.heap import keep_freed_memory
from searchengine.indexer.ledger import group_of
from searchengine.indexer.spool import Spool, starts
from searchengine.load import load_file
from searchengine.models import Article, Problem


@dataclass(frozen=True)
class FileRead:
    """One file read: its problems, and per article its record, its
    boilerplate group and its line keys (counted by the main process before
    anything is cleaned).  The articles themselves are in the run's spool
    already, written there by the process that read them
    (:meth:`searchengine.indexer.spool.Spool.write`): the main process only
    lists those the run wants, and no article passes through it."""

    problems: tuple[Problem, ...]
    records: tuple[int | None, ...]
    groups: tuple[str, ...]
    line_keys: tuple[frozenset[str], ...]
    #: Where the file's spool records ``(article, group, file signature,
    #: line digest)`` start in the spool, one pickle after another, and the
    #: size of each.
    spooled_at: int
    sizes: tuple[int, ...]
    #: Records of lines passed over: the index holds them as they are.
    unchanged: tuple[int, ...] = ()
    #: Each article's :func:`~searchengine.indexer.document.digest_of`
    #: (for a changed file only).
    digests: tuple[bytes, ...] = ()

    def starts(self, wanted: list[int]) -> list[int]:
        """Where the spool records of the articles ``wanted`` (positions)
        start."""
        found = starts(self.spooled_at, self.sizes)
        return [found[n] for n in wanted]


def read_file(
    path: str,
    encoding: str | None,
    spool: Spool,
    sig: bytes = b"",
    known: frozenset[tuple[int, bytes]] | None = None,
) -> FileRead:
    """Load ``path`` and write its articles to ``spool``: a bad file is
    reported, never raised (as by ``load_file``); only a spool that cannot
    be written raises (``OSError``, a full disk).  ``sig`` is the file's
    signature, which its spool records carry.  Lines whose digest is
    ``known`` are passed over (a changed file's lines the index holds as
    they are); for a changed file (``known`` given) each article's digest
    is computed too, to be compared with the one the index holds."""
    result = load_file(path, encoding, known)
    articles = result.articles
    key = stored_path(path)
    groups = tuple(group_of(a.source, key) for a in articles)
    keys = tuple(frozenset(boilerplate.line_keys(a.body)) for a in articles)
    lines = result.line_digests or (b"",) * len(articles)
    spooled = [
        pickle.dumps((a, group, sig, line), protocol=pickle.HIGHEST_PROTOCOL)
        for a, group, line in zip(articles, groups, lines, strict=True)
    ]
    return FileRead(
        result.problems,
        tuple(a.record for a in articles),
        groups,
        keys,
        spool.write(b"".join(spooled)) if spooled else 0,
        tuple(map(len, spooled)),
        result.unchanged,
        tuple(map(digest_of, articles)) if known is not None else (),
    )


@dataclass(frozen=True)
class Prepared:
    """One article ready for the writer.

    ``cleaned`` is its body without boilerplate; ``texts`` its text fields
    with their words' term ids (the body as cleaned); ``minhash`` the
    cleaned body's near-duplicate signature.  The words of its title and
    body as read are marked written in the vocabulary, for the lexicon
    (:func:`lexicon_words`).
    """

    cleaned: Cleaned
    texts: dict[str, Tokens]
    minhash: bytes


def prepare(
    article: Article, learned: frozenset[str], vocabulary: Vocabulary | None = None
) -> Prepared:
    """Clean ``article`` with its group's ``learned`` lines and analyse it
    (term ids from ``vocabulary``: the segment writer's that will file it).

    The body is split into words once; their ids in the vocabulary give
    the postings (as term ids) and the MinHash signature (as word hashes),
    each word stemmed and hashed once per vocabulary, not once per article.
    """
    vocab = Vocabulary() if vocabulary is None else vocabulary
    cleaned = boilerplate.clean(article.body, learned)
    title_ids = vocab.lookup(split_words(article.title))
    body_ids = vocab.lookup(split_words(cleaned.body))
    texts = {
        "title": tokens_of(article.title, title_ids, vocab),
        "body": tokens_of(cleaned.body, body_ids, vocab),
    }
    if article.source:
        texts["source"] = tokens(article.source, vocabulary=vocab)
    if article.author:
        texts["author"] = tokens(article.author, vocabulary=vocab)
    # The lexicon holds the words as read: those of the lines cut too.
    vocab.mark_written(body_ids)
    vocab.mark_written(title_ids)
    if cleaned.cut:
        vocab.mark_written(vocab.lookup(split_words(cleaned.cut)))
    return Prepared(cleaned, texts, dedup.signature_of_words(vocab.word_hashes(body_ids)))


def lexicon_words(vocabulary: Vocabulary) -> set[str]:
    """The lexicon's forms (:func:`~searchengine.index.lexicon.words_of`) of
    the words ``vocabulary`` has marked written."""
    return set(map(spelling_of_folded, vocabulary.written_forms()))


#: Files to read before a pool of reader processes pays for its start-up.
POOL_MIN_FILES = 64
#: Tasks (batches of files) being read ahead of the writer at most: bounds memory.
POOL_WINDOW = 64
#: A reader process's task is a batch of consecutive files of at most this
#: many files and, unless one file alone is larger, this many bytes: a
#: task costs its two processes a few hundred microseconds of passing
#: arguments and results, more than reading a small file does.
READ_BATCH_FILES = 32
READ_BATCH_BYTES = 1 << 18


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
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # see forking()
    keep_freed_memory()
    threading.Thread(
        target=_exit_when_orphaned, args=(parent,), name="orphan-watch", daemon=True
    ).start()


@contextlib.contextmanager
def forking() -> Iterator[None]:
    """Hold Ctrl-C back while worker processes are forked (a pool forks
    them all at its first ``submit``), so that one cannot arrive in a child
    before :func:`_quiet_worker` ignores it: it would die there (or hang in
    an at-fork handler), and its pool break.  The children start with
    SIGINT blocked and unblock it once it is ignored; the parent gets its
    Ctrl-C as the block ends.

    The objects this process holds as they fork are frozen for them
    (``gc.freeze``): a child's garbage collections pass over the tens of
    thousands it inherits (imported modules above all), which a full
    collection would otherwise walk (some 40 ms each) and whose pages
    touching them would copy.  The parent unfreezes its own at the end."""
    gc.freeze()
    try:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    finally:
        gc.unfreeze()


T = TypeVar("T")
R = TypeVar("R")


def _workers() -> int:
    return min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1, 4)


def _ordered(
    work: Callable[..., R],
    here: Callable[..., R],
    tasks: Iterable[tuple[T, tuple[object, ...]]],
    in_pool: bool,
    window: int = 0,
    spool: Spool | None = None,
) -> Iterator[tuple[T, R]]:
    """``(key, work(*args))`` for each ``(key, args)`` of ``tasks``, in order.

    In a pool of worker processes when ``in_pool`` (at most ``window``
    tasks, :data:`POOL_WINDOW` by default, ahead of the consumer, so memory
    stays bounded), each set up with ``spool`` (:func:`_reader`); else here,
    as ``here(*args)``.  Should a worker die (killed, out of memory), the
    rest is done here.
    """
    if not in_pool:
        keep_freed_memory()  # this process reads (searchengine.indexer.heap)
        for key, args in tasks:
            yield key, here(*args)
        return
    with ProcessPoolExecutor(
        max_workers=_workers(),
        mp_context=multiprocessing.get_context("fork"),
        initializer=_reader,
        # Inherited by the forked workers, never pickled (a spool cannot be).
        initargs=(os.getpid(), spool),
    ) as pool:
        pending: deque[tuple[T, tuple[object, ...], Future[R]]] = deque()
        queued = iter(tasks)
        try:
            with forking():
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
                        yield remaining, here(*remaining_args)
                    return
                following = next(queued, None)
                if following is not None:
                    pending.append((following[0], following[1], pool.submit(work, *following[1])))
                yield key, result
        finally:
            for _, _, future in pending:
                future.cancel()


def load_all(
    files: Sequence[tuple[str, bytes]],
    encoding: str | None,
    spool: Spool,
    known: Callable[[str], frozenset[tuple[int, bytes]] | None] | None = None,
    window: int = 0,
) -> Iterator[tuple[str, FileRead]]:
    """Each ``(path, file signature)`` with what the path yielded, in order
    (stage 1), its articles written to ``spool``; ``known(path)``, asked as
    the file is handed to a reader, gives the line digests to pass over
    (see :func:`read_file`).

    With many files and more than one core, files are read in worker
    processes, in batches (:func:`_batches`), ``window`` (:data:`POOL_WINDOW`
    by default) batches ahead of the consumer at most.
    """
    in_pool = _workers() >= 2 and len(files) >= POOL_MIN_FILES
    # Read here, a file is read when the run wants it (not a batch ahead).
    batches = _batches(files) if in_pool else ([file] for file in files)
    tasks = (
        (batch, ([(path, sig, known(path) if known else None) for path, sig in batch], encoding))
        for batch in batches
    )
    here = functools.partial(read_files, spool=spool)
    for batch, reads in _ordered(read_files, here, tasks, in_pool, window, spool):
        yield from zip((path for path, _ in batch), reads, strict=True)


#: A reader process's run spool (:func:`_reader`); never set in the main
#: process, which passes its spool along (runs in threads of one process
#: each have their own).
_READER_SPOOL: Spool | None = None


def _reader(parent: int, spool: Spool | None) -> None:
    """Set up a reader process (:func:`_quiet_worker`) writing to ``spool``."""
    global _READER_SPOOL
    _quiet_worker(parent)
    _READER_SPOOL = spool


def read_files(
    files: list[tuple[str, bytes, frozenset[tuple[int, bytes]] | None]],
    encoding: str | None,
    spool: Spool | None = None,
) -> list[FileRead]:
    """:func:`read_file` of each ``(path, file signature, known lines)``
    into ``spool`` (in a reader process, the one it was set up with): one
    reader task."""
    into = spool or _READER_SPOOL
    if into is None:
        raise RuntimeError("read_files needs a spool: given, or a reader process's own")
    return [read_file(path, encoding, into, sig, known) for path, sig, known in files]


def _batches(files: Sequence[tuple[str, bytes]]) -> Iterator[list[tuple[str, bytes]]]:
    """``files`` in consecutive batches of :data:`READ_BATCH_FILES` files and
    :data:`READ_BATCH_BYTES` bytes at most (a larger file alone)."""
    batch: list[tuple[str, bytes]] = []
    size = 0
    for path, sig in files:
        bytes_ = signature_size(sig)
        if batch and (len(batch) >= READ_BATCH_FILES or size + bytes_ > READ_BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append((path, sig))
        size += bytes_
    if batch:
        yield batch


#: The fewest articles a run must write before worker processes pay for
#: their start-up (:mod:`searchengine.indexer.build`).
PREPARE_POOL_MIN = 256
