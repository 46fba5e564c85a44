"""Re-cleaning: when a source's learned boilerplate changes, its stored
articles are cleaned again from the original text the index keeps and
rewritten in the run's commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from searchengine.analysis import boilerplate
from searchengine.index import schema
from searchengine.index.protocols import Reader, Writer
from searchengine.index.schema import original_text
from searchengine.indexer.document import article_as_read, document
from searchengine.indexer.ledger import Ledger, group_of, live_docs


def stale_articles(
    ledger: Ledger, reader: Reader, groups: set[str], skip: set[int]
) -> Iterator[tuple[int, dict[str, Any], boilerplate.Cleaned]]:
    """Stored articles of ``groups`` (all, when the ledger is fresh) whose
    clean text is not what the index holds: ``(docnum, stored fields,
    new cleaning)``.  The documents ``skip`` (replaced or removed in this
    run) are passed over."""
    for docnum in live_docs(reader, None if ledger.fresh else groups):
        if docnum in skip:
            continue
        fields = reader.stored_fields(docnum)
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
    skip: set[int],
) -> int:
    """Re-clean the stored articles :func:`stale_articles` finds, from the
    original text the index keeps, through ``writer`` (delete and add:
    Whoosh cannot change a document in place); return how many."""
    sigs = digests = None
    count = 0
    for docnum, fields, cleaned in stale_articles(ledger, reader, groups, skip):
        if sigs is None:
            sigs = reader.column_reader("sig")
            digests = reader.column_reader("digest") if "digest" in reader.schema else None
        article = article_as_read(fields)
        # The line's digest (after the article's own 8 bytes) is kept: the
        # line is what it was.
        line = digests[docnum][8:] if digests is not None else b""
        doc = document(article, sigs[docnum], cleaned, line=line)
        doc["id"] = fields["id"]  # as stored: the id is of the path as read
        doc["meta"] = schema.meta_value(doc)
        writer.delete_document(docnum)
        writer.add_document(**doc)
        count += 1
    return count
