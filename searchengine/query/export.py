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
from bisect import bisect_right
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from searchengine.dates import from_day_number
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
        fields = {docnum: read(docnum) for docnum in sorted(wanted)}
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


def _reader(engine: Engine, body: bool) -> Callable[[int], Fields]:
    """Document number -> the fields a row needs (all stored fields with
    ``body``; else from the columns, where the article has them)."""
    searcher = engine.current()
    stored: Callable[[int], Fields] = searcher.stored_fields
    reader = searcher.reader()
    if body or "meta" not in reader.schema:
        return stored
    # Per segment: a segment written before ``meta`` existed has no column
    # (and Whoosh's multi-segment column reader would misnumber the rest).
    starts: list[int] = []
    columns: list[tuple[Any, Any] | None] = []
    for leaf, offset in reader.leaf_readers():
        starts.append(offset)
        has = leaf.has_column("meta") and leaf.has_column("path")
        columns.append((leaf.column_reader("meta"), leaf.column_reader("path")) if has else None)

    def read(docnum: int) -> Fields:
        segment = bisect_right(starts, docnum) - 1
        found = columns[segment]
        local = docnum - starts[segment]
        raw = found[0][local] if found is not None else b""
        if not raw:  # written before the column existed
            return stored(docnum)
        article_id, record, title, author, url = json.loads(raw)
        path = found[1][local]  # type: ignore[index]
        return {
            "id": article_id,
            "path": path.decode("utf-8") if isinstance(path, bytes) else path,
            "record": record,
            "title": title,
            "author": author,
            "url": url,
        }

    return read
