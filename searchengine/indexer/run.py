"""Indexing runs: from paths on disk to a committed, up-to-date index.

A run is incremental.  Each article carries its file's size and modification
time; a file whose pair is unchanged is left alone, a changed one is read
again and its articles replaced, and articles of files gone from the given
paths are removed.  Everything happens in one Whoosh commit: an interrupted
run leaves the previous commit as it was, whole and searchable.

Boilerplate is learned per source before anything is written: the articles
read are counted into the ledger and spooled to disk, the learned lines are
decided, and only then are articles cleaned, analysed (in reader processes,
:func:`searchengine.indexer.workers.prepare_all`) and written; stored articles of
sources whose learned lines changed are re-cleaned in the same commit (see
:mod:`searchengine.indexer.ledger`).
"""

from __future__ import annotations

import codecs
import contextlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from whoosh.writing import CLEAR

from searchengine.analysis import minhash as dedup
from searchengine.analysis.boilerplate import Cleaned
from searchengine.dates import day_number
from searchengine.errors import IndexWriteError, SearchEngineError, UsageError
from searchengine.index import clusters, lexicon, schema
from searchengine.index import directory as store
from searchengine.index.fieldformat import Analyzed
from searchengine.index.protocols import Index, Reader, Writer
from searchengine.indexer.ledger import Ledger, Thresholds, group_of
from searchengine.indexer.reclean import Spool, rewrite_stale
from searchengine.indexer.workers import load_all, prepare_all
from searchengine.load.walk import WalkStats, check_paths, walk
from searchengine.models import Article, IndexSummary, Problem, Progress

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


def document(
    article: Article,
    sig: bytes,
    cleaned: Cleaned | None = None,
    *,
    texts: dict[str, Analyzed] | None = None,
    minhash: bytes | None = None,
) -> dict[str, Any]:
    """The Whoosh document of one article.

    ``cleaned`` is its body without boilerplate (what is indexed and
    signed); ``texts`` its fields analysed ahead and ``minhash`` the cleaned
    body's signature (:func:`searchengine.indexer.workers.prepare`), computed here
    when not given.
    """
    cleaned = cleaned or Cleaned(article.body)
    texts = texts or {}
    doc: dict[str, Any] = {
        "id": article.id,
        "path": stored_path(article.path),
        "record": article.record,
        "sig": sig,
        "minhash": dedup.signature(cleaned.body) if minhash is None else minhash,
        "title": article.title,
        "body": cleaned.body,
        "cut_lines": cleaned.lines,
        "cut_chars": cleaned.chars,
        "encoding": article.encoding,
        # Always written: a segment with no value at all would have no column
        # to sort on.
        "sort_newest": schema.UNDATED_NEWEST,
        "sort_oldest": schema.UNDATED_OLDEST,
    }
    if cleaned.body != article.body:
        doc["raw"] = article.body
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
    for name, analyzed in texts.items():
        # Stored as the plain text; indexed from the postings computed ahead.
        doc[f"_stored_{name}"] = doc[name]
        doc[name] = analyzed
    return doc


def known_files(reader: Reader) -> dict[str, _Known]:
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


def _records_of(reader: Reader, path: str) -> set[int | None]:
    records: set[int | None] = set()
    for docnum in reader.postings("path", path).all_ids():
        if not reader.is_deleted(docnum):
            records.add(reader.stored_fields(docnum).get("record"))
    return records


def _under(path: str, roots: Iterable[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


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


def _abandon(writer: Writer, reader: Reader | None, spool: Spool | None) -> None:
    """Give up a run: close what it opened, cancel its writer (and its files)."""
    if spool is not None:
        spool.close()
    if reader is not None:
        with contextlib.suppress(Exception):  # closing must not hide the cause
            reader.close()
    store.cancel(writer)


def run_index(
    index_dir: str,
    paths: list[str],
    *,
    rebuild: bool = False,
    encoding: str | None = None,
    progress: ProgressCallback | None = None,
    boilerplate: Thresholds | None = None,
    dup_threshold: float | None = None,
) -> IndexSummary:
    """Bring the index at ``index_dir`` up to date with the files under ``paths``.

    ``boilerplate`` sets when a recurring line is learned as furniture, and
    ``dup_threshold`` the similarity of near-duplicates (saved only once the
    run has succeeded); ``None`` keeps the index's own setting (the
    defaults on a new index).
    Returns what changed, in articles.  Raises :class:`UsageError` for a path
    that does not exist, an unknown encoding or a threshold out of range, and
    the index errors of :mod:`searchengine.index.directory` when the index cannot be
    opened or locked.
    """
    started = time.perf_counter()
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

    report = progress or (lambda _p: None)
    report(Progress(0, 0, 0, stage="scanning"))
    walk_stats = WalkStats()
    files = list(walk(roots, walk_stats))

    ix = store.open_for_writing(index_dir, rebuild=rebuild)
    writer = store.writer(ix, index_dir)
    spool: Spool | None = None
    reader: Reader | None = None
    try:
        schema.ensure_fields(writer)
        reader = writer.reader()
        known = {} if rebuild else known_files(reader)
        ledger = Ledger.load(index_dir, reader, ix.latest_generation(), boilerplate, reset=rebuild)
        replaced: set[str] = set()
        spool = Spool(index_dir)
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
                ledger.remove_stored(reader, path)
                replaced.add(path)
                writer.delete_by_term("path", path)
                removed += info.count
                changed = True

        done_articles = 0
        for done, (path, read) in enumerate(load_all([p for p, _ in to_load], encoding), start=1):
            result = read.result
            for problem in result.problems:
                (skipped if problem.kind == "skipped" else errors).append(problem)
            old_records: set[int | None] = set()
            key = stored_path(path)
            if key in known:
                old_records = _records_of(reader, key)
                ledger.remove_stored(reader, key)
                replaced.add(key)
                writer.delete_by_term("path", key)
                changed = True
            new_records = {a.record for a in result.articles}
            updated += len(new_records & old_records)
            added += len(new_records - old_records)
            removed += len(old_records - new_records)
            for article, keys in zip(result.articles, read.line_keys, strict=True):
                group = group_of(article.source, key)
                ledger.add_keys(group, keys)
                spool.put((article, group, sig_of[path]))
                changed = True
            done_articles += len(result.articles)
            report(Progress(done, len(to_load), done_articles, current=path))

        stale = ledger.decide()
        report(Progress(len(to_load), len(to_load), done_articles, stage="writing"))
        run_words: set[str] = set()
        prepared = prepare_all(spool.items(), spool.count, ledger.learned)
        for written, (article, sig, ready) in enumerate(prepared, start=1):
            run_words |= ready.words
            writer.add_document(
                **document(article, sig, ready.cleaned, texts=ready.texts, minhash=ready.minhash)
            )
            if written % 100 == 0 or written == spool.count:
                # Writing is most of a run's time: count it in articles.
                report(Progress(written, spool.count, written, stage="writing"))
        spool.close()
        recleaned = 0
        if not rebuild and (stale or ledger.fresh):
            recleaned = rewrite_stale(ledger, writer, reader, stale, replaced, document)
            changed = changed or recleaned > 0
        reader.close()
        if changed:
            report(Progress(len(to_load), len(to_load), done_articles, stage="committing"))
            # The lexicon first: a crash between the two leaves it with words
            # to spare, which is harmless; never with words missing.
            lexicon.add_words(index_dir, run_words)
            writer.commit(mergetype=CLEAR) if rebuild else writer.commit()
            if rebuild:
                # Committed already: should this fail, the union written
                # above stands, which is harmless.
                with contextlib.suppress(OSError):
                    lexicon.write_words(index_dir, run_words)
        else:
            store.cancel(writer)
    except OSError as exc:  # spooling, writing the new segment or committing it
        _abandon(writer, reader, spool)
        raise store.write_error(index_dir, exc) from None
    except BaseException:
        _abandon(writer, reader, spool)
        raise
    if changed or ledger.needs_save:
        ledger.save(index_dir, ix.latest_generation())
    # A new threshold changes no stored data: only the clusters follow it.
    retuned = dup_threshold is not None and clusters.set_threshold(index_dir, dup_threshold)
    if changed or retuned:
        _cache_clusters(ix, index_dir)

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
        recleaned=recleaned,
    )
