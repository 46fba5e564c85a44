"""Every result of a request, streamed in order: ``searchengine export``.

The order of every result is known up front from the match set (a few
arrays, 8 bytes a match); the articles themselves are read a chunk at a
time, each chunk in document order (the order they lie in the files), and
given out in rank order.  Memory stays that of one chunk however many
results there are, bodies included.

Metadata comes from what is cheap to read: the day and the source from the
engine's columns, the rest from each article's stored fields, which Whoosh
keeps compressed together with the body.
"""

from __future__ import annotations

from collections.abc import Iterator
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


def _reader(engine: Engine, body: bool) -> Any:
    """Document number -> the stored fields a row needs."""
    searcher = engine.current()
    return searcher.stored_fields
