"""Every result of a request, streamed in order: ``searchengine export``.

The order of every result is known up front from the match set (a few
arrays, 8 bytes a match); the articles themselves are read a chunk at a
time, each chunk in document order (the order they lie in the files), and
given out in rank order.  Memory stays that of one chunk however many
results there are, bodies included.

Metadata comes from what is cheap to read: the day and the source from the
engine's columns, the path from its column, and the id, record, title,
author and url from the small ``meta`` column the indexer writes for this
(:func:`searchengine.index.schema.row_fields`).  An article's stored fields
are kept compressed together with its body, and decompressing them was
most of an export's time; they are read only for ``--body`` and for
articles indexed before ``meta`` existed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from searchengine.dates import from_day_number
from searchengine.index.whoosh_private import var_bytes
from searchengine.models import ExportRow
from searchengine.query.matches import MatchSet
from searchengine.query.request import SearchRequest

if TYPE_CHECKING:
    from searchengine.query.engine import Engine

#: Results read together: enough to read in document order, few enough for
#: the first rows to appear at once and memory to stay small.
CHUNK = 500


def export(
    engine: Engine, request: SearchRequest, *, body: bool = False
) -> tuple[int, Iterator[ExportRow]]:
    """How many rows ``request`` gives, and the rows, in its order."""
    matches = engine.matches(request)
    return matches.total, _rows(engine, matches, body)


def _rows(engine: Engine, matches: MatchSet, body: bool) -> Iterator[ExportRow]:
    ordered = matches.ordered().tolist()
    copies = matches.copies()
    docnums = matches.docnums.tolist()
    scored = matches.order == "relevance"
    keys = matches.keys.tolist()
    days = matches.days.tolist()
    codes = matches.sources.tolist()
    names = matches.source_names
    read = _reader(engine, body)
    for first in range(0, len(ordered), CHUNK):
        chunk = ordered[first : first + CHUNK]
        wanted = {docnums[p] for p in chunk}
        wanted.update(docnums[c] for p in chunk for c in copies.get(p, ()))
        fields = read(sorted(wanted))
        for position in chunk:
            stored = fields[docnums[position]]
            day = days[position]
            code = codes[position]
            yield ExportRow(
                id=stored["id"],
                path=stored["path"],
                record=stored.get("record"),
                title=stored.get("title", ""),
                date=from_day_number(day) if day else None,
                source=names[code] if code >= 0 else None,
                author=stored.get("author"),
                url=stored.get("url"),
                score=-keys[position] if scored else None,
                duplicates=tuple(fields[docnums[c]]["id"] for c in copies.get(position, ())),
                body=stored.get("body", "") if body else None,
            )


Fields = dict[str, Any]
#: Document numbers (ascending) -> the fields each row needs.
Reader = Callable[[list[int]], dict[int, Fields]]


def _reader(engine: Engine, body: bool) -> Reader:
    """What reads a chunk's fields: all stored fields with ``body``; else
    the columns, where the articles have them."""
    searcher = engine.current()
    stored: Callable[[int], Fields] = searcher.stored_fields

    def from_stored(docnums: list[int]) -> dict[int, Fields]:
        return {docnum: stored(docnum) for docnum in docnums}

    reader = searcher.reader()
    if body or "meta" not in reader.schema:
        return from_stored
    # Per segment: a segment written before ``meta`` existed has no column
    # (and Whoosh's multi-segment column reader would misnumber the rest).
    segments = []
    for leaf, offset in reader.leaf_readers():
        has = leaf.has_column("meta") and leaf.has_column("path")
        found = None
        if has:  # the stored bytes, not Whoosh's translation of them
            found = (
                leaf.column_reader("meta", translate=False),
                leaf.column_reader("path", translate=False),
            )
        segments.append((offset, offset + leaf.doc_count_all(), found))

    def from_columns(docnums: list[int]) -> dict[int, Fields]:
        out: dict[int, Fields] = {}
        for first, end, found in segments:
            local = [d - first for d in docnums if first <= d < end]
            if not local:
                continue
            if found is None:
                out.update(from_stored([d + first for d in local]))
                continue
            metas = var_bytes(found[0], local)
            paths = var_bytes(found[1], local)
            for d, meta, path in zip(local, metas, paths, strict=True):
                if not meta:  # written before the column existed
                    out[d + first] = stored(d + first)
                    continue
                article_id, record, title, author, url = json.loads(meta)
                out[d + first] = {
                    "id": article_id,
                    "path": path.decode("utf-8"),
                    "record": record,
                    "title": title,
                    "author": author,
                    "url": url,
                }
        return out

    return from_columns
