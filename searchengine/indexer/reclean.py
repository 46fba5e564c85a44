"""Boilerplate against the stored index: re-cleaning the articles of sources
whose learned boilerplate changed, the per-source totals ``stats`` shows, and
the spool a run keeps its articles in until the boilerplate is decided.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from searchengine.analysis import boilerplate
from searchengine.dates import from_day_number
from searchengine.index.protocols import Reader, Writer
from searchengine.indexer.ledger import Ledger, group_of, live_docs, original_text
from searchengine.models import Article, SourceCut


def stale_articles(
    ledger: Ledger, reader: Reader, groups: set[str], skip_paths: set[str]
) -> Iterator[tuple[int, dict[str, Any], boilerplate.Cleaned]]:
    """Stored articles of ``groups`` (all, when the ledger is fresh) whose
    clean text is not what the index holds: ``(docnum, stored fields,
    new cleaning)``.  Articles of ``skip_paths`` (replaced or removed in
    this run) are passed over."""
    for docnum in live_docs(reader, None if ledger.fresh else groups):
        fields = reader.stored_fields(docnum)
        if fields["path"] in skip_paths:
            continue
        group = group_of(fields.get("source"), fields["path"])
        if not ledger.fresh and group not in groups:
            continue
        cleaned = ledger.clean(group, original_text(fields))
        if cleaned.body != fields.get("body"):
            yield docnum, fields, cleaned


def rewrite_stale(
    ledger: Ledger,
    writer: Writer,
    reader: Reader,
    groups: set[str],
    skip_paths: set[str],
    make_document: Callable[[Article, bytes, boilerplate.Cleaned], dict[str, Any]],
) -> int:
    """Re-clean the stored articles :func:`stale_articles` finds, from the
    original text the index keeps, through ``writer`` (delete and add:
    Whoosh cannot change a document in place); return how many."""
    sigs = None
    count = 0
    for docnum, fields, cleaned in stale_articles(ledger, reader, groups, skip_paths):
        if sigs is None:
            sigs = reader.column_reader("sig")
        date = fields.get("date")
        article = Article(
            path=fields["path"],
            record=fields.get("record"),
            title=fields.get("title", ""),
            body=original_text(fields),
            date=from_day_number(date) if date else None,
            source=fields.get("source"),
            author=fields.get("author"),
            url=fields.get("url"),
            encoding=fields.get("encoding"),
        )
        doc = make_document(article, sigs[docnum], cleaned)
        doc["id"] = fields["id"]  # as stored: the id is of the path as read
        writer.delete_document(docnum)
        writer.add_document(**doc)
        count += 1
    return count


class Spool:
    """Articles read in a run's first pass, kept on disk (not in memory) until
    the learned lines are decided and they can be cleaned and written.

    The file is anonymous (unlinked at once) in the index folder, so nothing
    is left behind, whatever happens to the run.
    """

    def __init__(self, folder: str) -> None:
        # Open across both passes; closed by close(), also when the run fails.
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115
        self.count = 0

    def close(self) -> None:
        # Closing flushes what is buffered; on a full disk that fails, and
        # must not hide the error that ended the run (the data is not needed).
        with contextlib.suppress(OSError):
            self._file.close()

    def put(self, item: Any) -> None:
        pickle.dump(item, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def items(self) -> Iterator[Any]:
        """Everything put, in order (read back once)."""
        self._file.seek(0)
        for _ in range(self.count):
            yield pickle.load(self._file)  # our own file, written in this run


def cuts_by_source(reader: Reader) -> tuple[SourceCut, ...]:
    """How much boilerplate the index's articles lost, per source (per
    folder for articles without one), most characters first.  Read from
    columns, so no article text is loaded."""
    if "cut_chars" not in reader.schema or reader.doc_count() == 0:
        return ()
    totals: dict[tuple[str | None, str | None], list[int]] = {}
    # Segment by segment: a segment written before these columns existed
    # reads as zeros, but Whoosh's multi-segment column reader would skip it
    # and misnumber the documents after it.
    for leaf, _ in reader.leaf_readers():
        chars = leaf.column_reader("cut_chars")
        lines = leaf.column_reader("cut_lines")
        sources = leaf.column_reader("source_name")
        paths = leaf.column_reader("path")
        deleted = leaf.is_deleted if leaf.has_deletions() else None
        for docnum in range(leaf.doc_count_all()):
            cut = chars[docnum]
            if not cut or (deleted is not None and deleted(docnum)):
                continue
            source = _text(sources[docnum]) or None
            folder = None if source else os.path.dirname(_text(paths[docnum]))
            total = totals.setdefault((source, folder), [0, 0, 0])
            total[0] += 1
            total[1] += lines[docnum]
            total[2] += cut
    return tuple(
        sorted(
            (SourceCut(s, f, a, n, c) for (s, f), (a, n, c) in totals.items()),
            key=lambda cut: (-cut.chars, cut.source or cut.folder or ""),
        )
    )


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return str(value or "")
