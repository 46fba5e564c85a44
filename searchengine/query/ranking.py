"""Every match of a query, counted and ordered, with one pass over the matcher.

Whoosh's sorting collector computes a composite sort key for every match
(the score, then a date read from a column) and sorts them all, and its
grouping collector reads each match's month through a facet: most of a
query's time once it matches thousands of articles.  Here each match costs
one ``score()`` (or, sorted by date, one date lookup); the date that breaks
ties between equal scores is read only for the articles that can reach the
page asked for, and only that many are sorted.  Counting by period and by
source is done on arrays afterwards (:mod:`searchengine.query.matches`);
:func:`match_arrays` gives every match of a query as arrays without
ranking it, for counts and exports.

The order is exactly Whoosh's for the same sort keys: relevance is
(score descending, date newest first, document number), ``newest`` and
``oldest`` are (date, document number); undated articles sort last either
way (their keys are the ``sort_newest``/``sort_oldest`` defaults).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh import query

from searchengine.index.protocols import Reader, Searcher
from searchengine.query.request import SortOrder

Order = SortOrder


class RankedHit:
    """One ranked match: what the engine reads of a Whoosh ``Hit``."""

    __slots__ = ("_searcher", "docnum", "score")

    def __init__(self, searcher: Searcher, docnum: int, score: float | None) -> None:
        self._searcher = searcher
        self.docnum = docnum
        self.score = score

    def fields(self) -> dict[str, Any]:
        return self._searcher.stored_fields(self.docnum)


class Ranking:
    """All matches of a query: their number, their months, and the best
    ``depth`` of them in order (ranked deeper on demand by :meth:`deeper`)."""

    def __init__(
        self,
        searcher: Searcher,
        order: Order,
        keys: list[tuple[float, int]],
        depth: int,
    ) -> None:
        self._searcher = searcher
        self._order = order
        # (primary key, docnum) of every match, unsorted: the negated score
        # for relevance, the date sort key otherwise.
        self._keys = keys
        self._months: dict[Any, int] | None = None
        self._docs: set[int] | None = None
        self._newest: list[tuple[int, Any]] | None = None
        self._ranked = self._rank(depth)

    def __len__(self) -> int:
        return len(self._keys)

    def matches(self) -> list[tuple[float, int]]:
        """(primary key, document number) of every match, in no order: what
        :func:`searchengine.query.matches.from_keys` makes a match set of."""
        return self._keys

    def docs(self) -> set[int]:
        """The document numbers of every match."""
        if self._docs is None:
            self._docs = {docnum for _, docnum in self._keys}
        return self._docs

    def months(self) -> dict[Any, int]:
        """Matches per value of the ``month`` column (empty for undated
        articles), read when asked for: counts go through match sets
        (:mod:`searchengine.query.matches`); this is kept for comparing with
        Whoosh's grouping."""
        if self._months is None:
            months: dict[Any, int] = {}
            docs = self.docs()
            # Per segment: a segment where no article has a month has no
            # month column (Whoosh's multi-segment reader would misnumber).
            for sub, offset in self._searcher.leaf_searchers():
                reader = sub.reader()
                column = reader.column_reader("month")
                for local in range(reader.doc_count_all()):
                    if local + offset in docs:
                        month = column[local]
                        months[month] = months.get(month, 0) + 1
            self._months = months
        return self._months

    def scored_length(self) -> int:
        """How many matches are ranked so far."""
        return len(self._ranked)

    def docnum(self, position: int) -> int:
        return self._ranked[position][1]

    def __getitem__(self, position: int) -> RankedHit:
        """The hit ranked at ``position`` (within :meth:`scored_length`)."""
        key, docnum = self._ranked[position]
        score = -key if self._order == "relevance" else None
        return RankedHit(self._searcher, docnum, score)

    def page(self, first: int, count: int) -> list[RankedHit]:
        return [self[p] for p in range(first, min(first + count, len(self._ranked)))]

    def deeper(self, depth: int) -> Ranking:
        """This ranking with at least ``depth`` matches ranked."""
        if depth > len(self._ranked):
            self._ranked = self._rank(depth)
        return self

    def _newest_of(self, docnum: int) -> int:
        # The date key of one document, read from its own segment.
        if self._newest is None:
            self._newest = [
                (offset, sub.reader().column_reader("sort_newest"))
                for sub, offset in reversed(self._searcher.leaf_searchers())
            ]
        for offset, column in self._newest:
            if docnum >= offset:
                value: int = column[docnum - offset]
                return value
        raise IndexError(docnum)

    def _rank(self, depth: int) -> list[tuple[float, int]]:
        keys = self._keys
        depth = min(depth, len(keys))
        if self._order != "relevance":
            return heapq.nsmallest(depth, keys)
        if depth == 0:
            return []
        # Best by score first; every match scoring as the last one taken may
        # still belong on the page by its date, so all of them compete.
        best = heapq.nsmallest(depth, keys)
        boundary = best[-1][0]
        contenders = [item for item in best if item[0] < boundary]
        contenders.extend(item for item in keys if item[0] == boundary)
        newest = self._newest_of
        by_date = sorted((key, -newest(docnum), docnum) for key, docnum in contenders)
        return [(key, docnum) for key, _, docnum in by_date[:depth]]


def _leaf_matches(
    searcher: Searcher, q: Any, scored: bool, allow: set[int] | None
) -> Iterator[tuple[Reader, int, Iterator[tuple[float, int]]]]:
    """Per segment: its reader, its first document number, and the
    (negated score or 0, document number in the segment) of each match."""
    every = isinstance(q, query.Every) and q.fieldname is None
    context = searcher.context() if scored else searcher.boolean_context()
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        if every and allow is not None:
            # Browsing a date range: the range's articles are the matches;
            # no need to step through every article of the segment.
            end = offset + reader.doc_count_all()
            local = sorted(d - offset for d in allow if offset <= d < end)
            deleted = reader.is_deleted if reader.has_deletions() else None
            found: Iterator[tuple[float, int]] = (
                (0.0, d) for d in local if deleted is None or not deleted(d)
            )
        else:
            found = _scored(q.matcher(subsearcher, context), scored)
        yield reader, offset, found


def _scored(matcher: Any, scored: bool) -> Iterator[tuple[float, int]]:
    if not scored:
        for docnum in matcher.all_ids():
            yield 0.0, docnum
        return
    while matcher.is_active():
        yield -matcher.score(), matcher.id()
        matcher.next()


def rank(
    searcher: Searcher,
    q: Any,
    order: Order,
    *,
    depth: int,
    allow: set[int] | None = None,
    exclude: set[int] | None = None,
) -> Ranking:
    """Every match of ``q`` (among ``allow``, outside ``exclude``), ranked
    ``depth`` deep in ``order``."""
    from searchengine.index.whoosh_private import corrected

    q = corrected(q)
    keys: list[tuple[float, int]] = []
    scored = order == "relevance"
    # Columns are read per segment (Whoosh's multi-segment column reader
    # skips a segment without the column and misnumbers the rest).
    for reader, offset, found in _leaf_matches(searcher, q, scored, allow):
        column = None if scored else reader.column_reader(f"sort_{order}")
        for score, local in found:
            docnum = local + offset
            if (allow is not None and docnum not in allow) or (exclude and docnum in exclude):
                continue
            if column is None:
                keys.append((score, docnum))
            elif order == "newest":
                keys.append((-column[local], docnum))
            else:
                keys.append((column[local], docnum))
    return Ranking(searcher, order, keys, depth)


def match_arrays(
    searcher: Searcher, q: Any, *, scored: bool, allow: set[int] | None = None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Every match of ``q`` among ``allow``: document numbers, ascending, and
    negated scores (zeros unless ``scored``).  No column is read: what a
    match set needs besides comes from whole-column arrays."""
    docs: list[npt.NDArray[np.int64]] = []
    keys: list[npt.NDArray[np.float64]] = []
    for _, offset, found in _leaf_matches(searcher, q, scored, allow):
        if scored:
            pairs = np.array(list(found), dtype=np.float64).reshape(-1, 2)
            keys.append(pairs[:, 0])
            docs.append(pairs[:, 1].astype(np.int64) + offset)
        else:
            local = np.fromiter((d for _, d in found), dtype=np.int64)
            docs.append(local + offset)
            keys.append(np.zeros(len(local), dtype=np.float64))
    docnums = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
    negated = np.concatenate(keys) if keys else np.zeros(0, dtype=np.float64)
    if allow is not None and len(docnums):
        keep = np.isin(docnums, np.fromiter(allow, dtype=np.int64, count=len(allow)))
        docnums, negated = docnums[keep], negated[keep]
    return docnums, negated
