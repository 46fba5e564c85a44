"""``stats``: what the index holds, counted from its columns and facets.

Nothing here loads an article's text: sources and months are Whoosh
facets, the first and last dates one sorted search each, and the
boilerplate totals are summed from columns.
"""

from __future__ import annotations

import datetime as dt
import os

from whoosh import query, sorting

from searchengine.dates import from_day_number
from searchengine.index import directory as store
from searchengine.index.protocols import Reader, Searcher
from searchengine.index.schema import term_text
from searchengine.models import ClusterCount, SourceCut, Stats


def index_stats(searcher: Searcher, index_dir: str, duplicates: ClusterCount) -> Stats:
    """What the index ``searcher`` reads holds; ``duplicates`` are the
    near-duplicate clusters of the same commit."""
    articles = searcher.doc_count()
    sources: list[tuple[str, int]] = []
    months: list[tuple[str, int]] = []
    first_date = last_date = None
    if articles:
        sources, months = _counts(searcher)
        first_date = _end_date(searcher, "sort_oldest", reverse=False)
        last_date = _end_date(searcher, "sort_newest", reverse=True)
    dated = sum(count for _, count in months)
    return Stats(
        articles=articles,
        sources=tuple(sources),
        first_date=first_date,
        last_date=last_date,
        undated=articles - dated,
        by_month=tuple(months),
        index_bytes=store.index_bytes(index_dir),
        index_path=index_dir,
        boilerplate=cuts_by_source(searcher.reader()),
        duplicates=duplicates,
    )


def _counts(searcher: Searcher) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Articles per source (most first) and per month (in order)."""
    results = searcher.search(
        query.Every(),
        limit=1,
        groupedby={
            "source": sorting.FieldFacet("source_name", maptype=sorting.Count),
            "month": sorting.FieldFacet("month", maptype=sorting.Count),
        },
    )
    sources = sorted(
        ((term_text(k), v) for k, v in results.groups("source").items() if k),
        key=lambda item: (-item[1], item[0].casefold()),
    )
    months = sorted((term_text(k), v) for k, v in results.groups("month").items() if k)
    return sources, months


def _end_date(searcher: Searcher, facet: str, *, reverse: bool) -> dt.date | None:
    """The date of the article first in ``facet``'s order (undated ones sort last)."""
    top = searcher.search(
        query.Every(), limit=1, sortedby=sorting.FieldFacet(facet, reverse=reverse)
    )
    date = top[0].get("date") if len(top) else None
    return from_day_number(date) if date else None


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
            source = term_text(sources[docnum]) or None
            folder = None if source else os.path.dirname(term_text(paths[docnum]))
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
