"""Indexing runs: from paths on disk to a committed, up-to-date index.

A run is incremental.  Each article carries its file's size and modification
time; a file whose pair is unchanged is left alone, a changed one is read
again and its articles replaced, and articles of files gone from the given
paths are removed.  Everything happens in one Whoosh commit: an interrupted
run leaves the previous commit as it was, whole and searchable.

:func:`run_index` reads as the run's phases:

1. find the files and plan what changed (:mod:`searchengine.indexer.plan`);
2. remove the articles of files gone;
3. load the new and changed files in reader processes
   (:func:`searchengine.indexer.workers.load_all`), counting their lines into
   the boilerplate ledger and spooling the articles to disk;
4. learn the boilerplate: decide each source's furniture lines from all of
   its articles (:mod:`searchengine.indexer.ledger`);
5. write: clean, analyse and sign the spooled articles and write them as
   new segments, one worker process per core
   (:mod:`searchengine.indexer.build`);
6. re-clean the stored articles of sources whose learned lines changed
   (:mod:`searchengine.indexer.reclean`);
7. commit, with the lexicon of written words updated first: the new
   segments are listed beside the old ones, and some merged
   (:mod:`searchengine.index.merging`);
8. bring the ledger and the near-duplicate clusters up to the new commit.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import time
from collections.abc import Callable
from typing import Any, Literal

from searchengine.analysis import minhash as dedup
from searchengine.errors import IndexWriteError, SearchEngineError, UsageError
from searchengine.index import clusters, lexicon, merging, schema
from searchengine.index import directory as store
from searchengine.index.protocols import Index, Reader, Writer
from searchengine.index.schema import original_text
from searchengine.indexer.build import Built, build_all, discard, merge_all
from searchengine.indexer.document import signature_size, stored_path
from searchengine.indexer.ledger import Ledger, ThresholdOptions, Thresholds, group_of
from searchengine.indexer.plan import (
    Found,
    Plan,
    StoredArticle,
    StoredFile,
    find,
    known_files,
    make_plan,
    same_article,
    stored_articles,
)
from searchengine.indexer.reclean import rewrite_stale
from searchengine.indexer.spool import Spool
from searchengine.indexer.workers import POOL_WINDOW, FileRead, load_all
from searchengine.load.walk import check_paths
from searchengine.models import IndexSummary, Problem, Progress

ProgressCallback = Callable[[Progress], None]


def run_index(
    index_dir: str,
    paths: list[str],
    *,
    rebuild: bool = False,
    encoding: str | None = None,
    progress: ProgressCallback | None = None,
    boilerplate: Thresholds | ThresholdOptions | None = None,
    dup_threshold: float | None = None,
) -> IndexSummary:
    """Bring the index at ``index_dir`` up to date with the files under ``paths``.

    ``boilerplate`` sets when a recurring line is learned as furniture
    (:class:`ThresholdOptions` set only what they give), and
    ``dup_threshold`` the similarity of near-duplicates (saved only once the
    run has succeeded); ``None`` keeps the index's own setting (the
    defaults on a new index).
    Returns what changed, in articles.  Raises :class:`UsageError` for a path
    that does not exist, an unknown encoding or a threshold out of range, and
    the index errors of :mod:`searchengine.index.directory` when the index cannot be
    opened or locked.
    """
    started = time.perf_counter()
    roots = _check_options(paths, encoding, dup_threshold)
    report = progress or _quiet
    report(Progress(0, 0, 0, stage="scanning"))
    found = find(roots)  # before the lock: a long walk does not hold up other runs

    ix = store.open_for_writing(index_dir, rebuild=rebuild)
    writer = store.writer(ix, index_dir)
    reader: Reader | None = None
    spool: Spool | None = None
    run: _Run | None = None
    try:
        schema.ensure_fields(writer)
        reader = writer.reader()
        plan = make_plan(found, {} if rebuild else known_files(reader))
        found = found.counted()  # the names are the plan's now
        ledger = Ledger.load(index_dir, reader, ix.latest_generation(), boilerplate, reset=rebuild)
        spool = Spool(index_dir)
        run = _Run(index_dir, writer, reader, ledger, spool, plan, report, rebuild=rebuild)
        # The run's plan lets go of the files' names once they are read
        # (200,000 files' names and signatures: some 40 MB in this process,
        # counted again in each worker forked from it), so it must hold the
        # last reference to them.
        del plan
        run.remove_gone()
        run.load(encoding)
        stale = ledger.decide()  # the learned boilerplate, from every article counted
        words = run.write()
        run.reclean(stale)
        run.commit(words)
    except OSError as exc:  # spooling, writing the new segments or committing them
        _abandon(writer, reader, spool, run)
        raise store.write_error(index_dir, exc) from None
    except BaseException:
        _abandon(writer, reader, spool, run)
        raise
    _after_commit(ix, index_dir, run, dup_threshold)
    try:
        articles = ix.doc_count()
    except OSError as exc:
        raise IndexWriteError(f"the index at {index_dir} could not be read back: {exc}") from None
    run.progress("done")
    return run.summary(found, articles, took_ms=(time.perf_counter() - started) * 1000.0)


#: Bytes of files being read ahead of the main process at most (with at
#: most ``POOL_WINDOW`` files): a window of 64 JSON Lines files of a
#: thousand articles held some 50 MB of articles in the main process.
READ_AHEAD_BYTES = 32 * 1024 * 1024


def _window(to_load: tuple[tuple[str, bytes], ...]) -> int:
    """Files to read ahead: :data:`READ_AHEAD_BYTES` of files of the mean
    size (the size is the first part of a file's signature)."""
    if not to_load:
        return 1
    sizes = [signature_size(sig) for _, sig in to_load[:1000]]
    mean = max(1, sum(sizes) // len(sizes))
    return max(2, min(POOL_WINDOW, READ_AHEAD_BYTES // mean))


def _quiet(_progress: Progress) -> None:
    """The progress callback of a run nobody watches."""


def _check_options(
    paths: list[str], encoding: str | None, dup_threshold: float | None
) -> list[str]:
    """The absolute roots of ``paths``, once every option is known to be usable."""
    roots = check_paths(paths)
    if dup_threshold is not None:
        dedup.check_threshold(dup_threshold)
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UsageError(
                f"unknown encoding {encoding!r}; use a name Python knows, such as utf-8, cp1252 or latin-1"
            ) from None
    return roots


class _Run:
    """A run between opening the writer and committing: what it holds open
    and what it has counted.  Each public method is one phase, called in
    order by :func:`run_index`."""

    def __init__(
        self,
        index_dir: str,
        writer: Writer,
        reader: Reader,
        ledger: Ledger,
        spool: Spool,
        plan: Plan,
        report: ProgressCallback,
        *,
        rebuild: bool,
    ) -> None:
        self.index_dir = index_dir
        self.writer = writer
        self.reader = reader  # the writer's, on the commit the run started from
        self.ledger = ledger
        self.spool = spool
        self.plan = plan
        self.report = report
        self.rebuild = rebuild
        #: Whether the run has anything to commit.
        self.changed = rebuild
        #: Documents the run deleted (re-cleaning passes them over).
        self.replaced: set[int] = set()
        self.articles_read = 0
        self.added = self.updated = self.removed = self.recleaned = 0
        #: Articles of changed files found as the index holds them (left alone).
        self.kept = 0
        #: Files the run reads (their list is let go once read).
        self.files = len(plan.to_load)
        self.skipped: list[Problem] = []
        self.errors: list[Problem] = list(plan.problems)
        #: The boilerplate groups of the spooled articles.
        self.groups: set[str] = set()
        #: Segments built by the write phase, not yet committed.
        self.built: list[Built] = []

    def progress(self, stage: Literal["writing", "committing", "done"]) -> None:
        """Report reaching ``stage``, with the files and articles read."""
        self.report(Progress(self.files, self.files, self.articles_read, stage=stage))

    def _drop(self, path: str) -> None:
        """Delete the stored articles of ``path``, uncounted from the ledger first."""
        for stored in stored_articles(self.reader, path).values():
            self._delete(stored)

    def _compare(self, read: FileRead, stored: StoredFile) -> list[int]:
        """The articles of ``read`` to write (by position), counted as added
        or updated; ``stored`` holds what the index has of a changed file
        (empty for a new one), and loses what is matched.

        A changed file's articles are compared with what the index holds:
        one edited article of a thousand in a JSON Lines file is one article
        rewritten, not a thousand."""
        if not stored:
            self.added += len(read.records)
            return list(range(len(read.records)))
        wanted: list[int] = []
        for n, record in enumerate(read.records):
            old = stored.pop(record)
            if old is not None and same_article(read.digests[n], old):
                self.kept += 1
                continue
            if old is not None:
                self._delete(old)
                self.updated += 1
            else:
                self.added += 1
            wanted.append(n)
        return wanted

    def _delete(self, stored: StoredArticle) -> None:
        """Delete one stored article, uncounted from the ledger first."""
        fields = stored.fields or self.reader.stored_fields(stored.docnum)
        self.ledger.remove(group_of(fields.get("source"), fields["path"]), original_text(fields))
        self.replaced.add(stored.docnum)
        self.writer.delete_document(stored.docnum)
        self.changed = True

    def remove_gone(self) -> None:
        """Delete the articles of files gone from under the paths given."""
        for path, count in self.plan.gone:
            self._drop(path)
            self.removed += count

    def load(self, encoding: str | None) -> None:
        """Read the new and changed files (in reader processes), replace the
        changed ones' articles, count every article's lines into the ledger
        and spool it until the boilerplate is decided."""
        to_load = self.plan.to_load
        # A changed file's stored articles, looked up as the file is handed
        # to a reader (whose lines the index holds as they are are passed
        # over unparsed), and used when its articles come back.
        held: dict[str, StoredFile] = {}

        def known(path: str) -> frozenset[tuple[int, bytes]] | None:
            key = stored_path(path)
            if key not in self.plan.changed:
                return None
            held[path] = stored_articles(self.reader, key)
            return held[path].known_lines()

        reads = load_all(to_load, encoding, self.spool, known, _window(to_load))
        for done, (path, read) in enumerate(reads, start=1):
            for problem in read.problems:
                (self.skipped if problem.kind == "skipped" else self.errors).append(problem)
            stored = held.pop(path, None) or StoredFile()
            for record in read.unchanged:
                del stored[record]  # a line the index holds as it is, not parsed
                self.kept += 1
            wanted = self._compare(read, stored)
            for n in wanted:
                self.ledger.add_keys(read.groups[n], read.line_keys[n])
                self.groups.add(read.groups[n])
            if wanted:
                # The articles are in the spool already (the reader wrote them): listed.
                self.spool.add(read.starts(wanted))
                self.changed = True
            for gone in stored.values():  # records no longer in the file
                self._delete(gone)
                self.removed += 1
            self.articles_read += len(read.records)
            self.report(Progress(done, len(to_load), self.articles_read, current=path))
        # A million files' names and signatures are not kept while writing
        # (the worker processes forked then would count them too).
        self.plan = dataclasses.replace(self.plan, to_load=())

    def write(self) -> set[str]:
        """Clean, analyse and write the spooled articles as new segments,
        on every core (:mod:`searchengine.indexer.build`); return their
        written words, for the lexicon."""
        self.progress("writing")
        words: set[str] = set()
        total = self.spool.count
        written = 0

        def report(articles: int) -> None:
            nonlocal written
            written += articles
            # Writing is most of a run's time: count it in articles.
            self.report(Progress(written, total, written, stage="writing"))

        schema = self.writer.schema
        learned = {group: self.ledger.learned(group) for group in self.groups}
        with self.ledger.set_aside(self.index_dir):
            for built in build_all(self.index_dir, schema, self.spool, learned, report):
                words |= built.words
                # Only the segments are kept until the commit: each share's
                # words (tens of thousands) would otherwise stay, once per share.
                built.words = set()
                self.built.append(built)
        # Listed in the spool's order, which a pool's parts may come back out of.
        self.built.sort(key=lambda built: built.first)
        self.spool.close()
        return words

    def reclean(self, stale: set[str]) -> None:
        """Re-clean the stored articles of the groups whose learned lines
        changed (all of them when the ledger was learned afresh)."""
        if self.rebuild or not (stale or self.ledger.fresh):
            return
        self.recleaned = rewrite_stale(self.ledger, self.writer, self.reader, stale, self.replaced)
        self.changed = self.changed or self.recleaned > 0

    def commit(self, words: set[str]) -> None:
        """Merge what the policy picks, then commit the run with the lexicon
        updated first, or cancel the writer when nothing changed."""
        self.reader.close()
        if not self.changed:
            store.cancel(self.writer)
            return
        built = [segment for b in self.built for segment in b.segments]
        listed = self._merge(store.commit_candidates(self.writer, built, drop_old=self.rebuild))
        self.progress("committing")
        # The lexicon first: a crash between the two leaves it with words
        # to spare, which is harmless; never with words missing.
        lexicon.add_words(self.index_dir, words)
        store.commit(self.writer, listed)
        self.built = []  # committed: no longer the run's to remove
        if self.rebuild:
            # Committed already: should this fail, the union written
            # above stands, which is harmless.
            with contextlib.suppress(OSError):
                lexicon.write_words(self.index_dir, words)

    def _merge(self, candidates: list[Any]) -> list[Any]:
        """The segments to commit: ``candidates`` with the merges the policy
        picks made (in worker processes, :func:`merge_all`), the merged
        segments after the others."""
        sizes = [(s.doc_count(), s.doc_count_all()) for s in candidates]
        plan = merging.plan(sizes)
        merged = Built()
        self.built.append(merged)  # removed with the run's, should it fail
        if plan.merges:
            total = plan.articles(sizes)
            files = self.files
            done = 0

            def report(articles: int) -> None:
                nonlocal done
                done += articles
                segments = sum(len(m) for m in plan.merges)
                self.report(
                    Progress(
                        files,
                        files,
                        self.articles_read,
                        current=f"{segments} segments ({done:,} of {total:,} articles)",
                        stage="merging",
                    )
                )

            report(0)
            groups = [[candidates[n] for n in merge] for merge in plan.merges]
            for segment in merge_all(self.index_dir, self.writer.schema, groups, report):
                if segment is not None:
                    merged.segments.append(segment)
        return plan.kept(candidates) + merged.segments

    def summary(self, found: Found, articles: int, *, took_ms: float) -> IndexSummary:
        return IndexSummary(
            added=self.added,
            updated=self.updated,
            unchanged=self.plan.unchanged + self.kept,
            removed=self.removed,
            skipped=tuple(self.skipped),
            errors=tuple(self.errors),
            articles=articles,
            took_ms=took_ms,
            files_seen=found.seen,
            files_ignored=found.ignored,
            recleaned=self.recleaned,
        )


def _after_commit(ix: Index, index_dir: str, run: _Run, dup_threshold: float | None) -> None:
    """Bring the files beside the index up to the new commit: the ledger,
    the near-duplicate threshold and the clusters."""
    if run.changed or run.ledger.needs_save:
        run.ledger.save(index_dir, ix.latest_generation())
    # A new threshold changes no stored data: only the clusters follow it.
    retuned = dup_threshold is not None and clusters.set_threshold(index_dir, dup_threshold)
    if run.changed or retuned:
        _cache_clusters(ix, index_dir)


def _cache_clusters(ix: Index, index_dir: str) -> None:
    # Near-duplicate clusters follow from all signatures of the new commit;
    # computing them now spares the first search the work.  Best effort: a
    # reader computes them itself when the cache is missing.
    with contextlib.suppress(OSError, ValueError, SearchEngineError):
        searcher = store.open_searcher(ix, index_dir)
        try:
            clusters.refresh(index_dir, searcher.reader())
        finally:
            searcher.close()


def _abandon(writer: Writer, reader: Reader | None, spool: Spool | None, run: _Run | None) -> None:
    """Give up a run: close what it opened, cancel its writer (and its
    files), remove the segments it built."""
    if run is not None:
        discard(run.index_dir, run.built)
        run.built = []
    if spool is not None:
        spool.close()
    if reader is not None:
        with contextlib.suppress(Exception):  # closing must not hide the cause
            reader.close()
    store.cancel(writer)
