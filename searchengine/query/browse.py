"""Browsing by date: a query without words (empty, ``*``, only dates), newest or oldest first.

Every live article in the date range matches, so such a query reads no
postings; what it costs is the matches' bookkeeping.  Built over the
searcher's documents each time, a mask of the range, its matches, their
order, the near-duplicate counts and the timeline are each a pass over up to
every document, a few milliseconds at 100,000 articles (most of a browse).

Here each date order of the live documents is computed once per searcher
(:class:`DateOrders`, kept with the searcher's columns): every live document
sorted by the order's key (newest: the day descending; oldest: the day
ascending; undated last in both; ties by document number, as everywhere).
A date range's matches are then one contiguous run of that order, found by
two binary searches:

* the page is a slice of the run, the total its length;
* near-duplicates: each position knows the position of the previous copy of
  its story in the same order (``previous``, -1 for none and for articles in
  no cluster), so a copy is the first of its story within a run starting at
  ``lo`` exactly when ``previous < lo``: the number of stories is a count
  over the run, and a story's other copies are found by following
  ``following`` while it stays inside the run;
* the timeline and the source counts count each story at its first copy in
  oldest-first order: over the run of the oldest order, per day from where
  each day's positions start (a few hundred days rather than thousands of
  articles) and per source with one ``bincount`` of the run, less the
  copies whose story has an earlier copy in the run (``previous >= lo``).

Everything equals what :mod:`searchengine.query.execute` and
:mod:`searchengine.query.matches` give for the same request
(``tests/test_query_browse.py`` compares them on generated ranges).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from searchengine.index.schema import UNDATED_NEWEST, UNDATED_OLDEST
from searchengine.models import Period, SourceCounts, Timeline
from searchengine.query import aggregate

if TYPE_CHECKING:
    from searchengine.index.columns import Columns
    from searchengine.query.columns import DocColumns
    from searchengine.query.ranking import Order

Positions = NDArray[np.int64]
#: One entry of a page: document number, score (none in date orders), the
#: document numbers of the story's other matching copies, best first.
Entry = tuple[int, float | None, tuple[int, ...]]


@dataclass(frozen=True)
class Browsed:
    """A browse's answer: one page, the totals, and what the results count."""

    page: list[Entry]
    #: Stories when collapsed, else articles.
    total: int
    #: Articles.
    uncollapsed: int
    timeline: Timeline
    sources: SourceCounts


def _links(groups: NDArray[np.int64]) -> tuple[Positions, Positions]:
    """For each position of an order: the position of the previous and of
    the next member of its cluster in that order (-1 and ``len`` for none,
    and for articles in no cluster)."""
    size = len(groups)
    previous = np.full(size, -1, dtype=np.int64)
    following = np.full(size, size, dtype=np.int64)
    members = np.flatnonzero(groups >= 0)
    if len(members) > 1:
        # Grouped by cluster, in order within each (a stable sort).
        by_group = members[np.argsort(groups[members], kind="stable")]
        same = groups[by_group[1:]] == groups[by_group[:-1]]
        previous[by_group[1:][same]] = by_group[:-1][same]
        following[by_group[:-1][same]] = by_group[1:][same]
    return previous, following


def _day_ranks(days: NDArray[np.int64], *, newest: bool) -> NDArray[Any]:
    """A number per day (``YYYYMMDD``, 0 when undated), ascending in the
    order's sense (newest: later days first) with undated last, small
    enough for a stable sort by it to be a radix sort when the days span
    less than about 170 years."""
    dense = days // 10000 * 372 + days // 100 % 100 * 31 + days % 100
    dated = days > 0
    if not dated.any():
        return np.zeros(len(days), dtype=np.uint16)
    low, high = int(dense[dated].min()), int(dense[dated].max())
    ranks = high - dense if newest else dense - low
    ranks = np.where(dated, ranks, high - low + 1)
    return ranks.astype(np.uint16) if high - low + 1 < 0xFFFF else ranks


@dataclass(frozen=True, eq=False)
class _Order:
    """The live documents in one date order, and what a run of it needs,
    one array element per position."""

    docs: Positions
    #: The order's key, ascending: the negated day for newest, the day for
    #: oldest; undated articles' keys come last.
    keys: NDArray[np.int64]
    #: How many positions are dated (they come first).
    dated: int
    days: NDArray[np.int64]
    sources: NDArray[np.int64]
    groups: NDArray[np.int64]
    previous: Positions
    following: Positions
    #: The positions with an earlier copy of their story (``previous >= 0``).
    later: Positions
    #: The distinct days of the dated positions, ascending in the oldest
    #: order; day ``j`` holds positions ``bounds[j] .. bounds[j + 1] - 1``.
    day_values: NDArray[np.int64]
    bounds: Positions

    @staticmethod
    def of(docs: Positions, keys: NDArray[np.int64], dated: int, columns: DocColumns) -> _Order:
        groups = columns.groups[docs]
        previous, following = _links(groups)
        days = columns.days[docs]
        changes = np.flatnonzero(days[1:dated] != days[: max(dated - 1, 0)]) + 1
        bounds = np.concatenate(([0], changes, [dated])) if dated else np.zeros(1, np.int64)
        return _Order(
            docs=docs,
            keys=keys[docs],
            dated=dated,
            days=days,
            sources=columns.sources[docs],
            groups=groups,
            previous=previous,
            following=following,
            later=np.flatnonzero(previous >= 0),
            day_values=days[bounds[:-1]],
            bounds=bounds.astype(np.int64),
        )

    def stories(self, lo: int, hi: int) -> int:
        """Stories among positions ``lo .. hi``: the first copy of each."""
        return int(np.count_nonzero(self.previous[lo:hi] < lo))

    def page(self, lo: int, hi: int, first: int, count: int, collapse: bool) -> list[Entry]:
        """Entries ``first .. first + count`` of the run ``lo .. hi``."""
        if not collapse:
            docs = self.docs[lo + first : min(lo + first + count, hi)].tolist()
            return [(d, None, ()) for d in docs]
        wanted = first + count
        reps: list[int] = []
        start = lo
        chunk = wanted
        # Representatives (first copies) in order, a growing chunk at a time.
        while len(reps) < wanted and start < hi:
            end = min(start + chunk, hi)
            reps += (start + np.flatnonzero(self.previous[start:end] < lo)).tolist()
            start, chunk = end, 2 * chunk
        entries: list[Entry] = []
        for rep in reps[first:wanted]:
            copies = []
            at = int(self.following[rep])
            while at < hi:
                copies.append(int(self.docs[at]))
                at = int(self.following[at])
            entries.append((int(self.docs[rep]), None, tuple(copies)))
        return entries


class DateOrders:
    """Both date orders of one searcher's live documents, made on first use."""

    def __init__(self, columns: Columns, doc_columns: DocColumns) -> None:
        self._columns = columns
        self._doc_columns = doc_columns
        self._orders: dict[str, _Order] = {}

    def _order(self, order: Order) -> _Order:
        found = self._orders.get(order)
        if found is None:
            found = self._orders[order] = self._make(order)
        return found

    def _make(self, order: Order) -> _Order:
        days = self._doc_columns.days
        deleted = self._columns.deleted
        live = np.arange(len(days), dtype=np.int64)
        if deleted is not None:
            live = live[~deleted]
        ranks = _day_ranks(days[live], newest=order == "newest")
        # Stable: equal days keep document-number order.
        docs = live[np.argsort(ranks, kind="stable")]
        if order == "newest":
            keys = np.where(days > 0, -days, UNDATED_NEWEST)
        else:
            keys = np.where(days > 0, days, UNDATED_OLDEST)
        dated = int(np.count_nonzero(days[live] > 0))
        return _Order.of(docs, keys, dated, self._doc_columns)

    def run(self, order: Order, low: int | None, high: int | None, dated: bool) -> tuple[int, int]:
        """Positions ``lo .. hi`` of ``order`` dated ``low`` to ``high``
        (``YYYYMMDD``, inclusive, ``None`` open); with ``dated`` false (no date
        filter at all), every live document."""
        o = self._order(order)
        if not dated:
            return 0, len(o.docs)
        keys = o.keys[: o.dated]
        if order == "newest":
            lo = 0 if high is None else int(np.searchsorted(keys, -high, side="left"))
            hi = o.dated if low is None else int(np.searchsorted(keys, -low, side="right"))
        else:
            lo = 0 if low is None else int(np.searchsorted(keys, low, side="left"))
            hi = o.dated if high is None else int(np.searchsorted(keys, high, side="right"))
        return lo, max(lo, hi)

    def browse(
        self,
        order: Order,
        ranges: list[tuple[int | None, int | None]],
        *,
        first: int,
        count: int,
        collapse: bool,
        by: Period | None = None,
    ) -> Browsed:
        """Every live article dated within all of ``ranges`` (every live
        article when there is none), in ``order`` (``newest`` or ``oldest``):
        the page ``first .. first + count``, the totals, and the timeline
        (by ``by``, else chosen) and source counts."""
        lows = [low for low, _ in ranges if low is not None]
        highs = [high for _, high in ranges if high is not None]
        low = max(lows) if lows else None
        high = min(highs) if highs else None
        lo, hi = self.run(order, low, high, bool(ranges))
        listed = self._order(order)
        page = listed.page(lo, hi, first, count, collapse)
        uncollapsed = hi - lo
        total = listed.stories(lo, hi) if collapse else uncollapsed
        timeline, sources = self._counts(*self.run("oldest", low, high, bool(ranges)), collapse, by)
        return Browsed(page, total, uncollapsed, timeline, sources)

    def _counts(
        self, lo: int, hi: int, collapse: bool, by: Period | None
    ) -> tuple[Timeline, SourceCounts]:
        """The timeline and source counts of the oldest order's run ``lo ..
        hi``: each story counted at its first copy there (the oldest), as
        :meth:`MatchSet.counted <searchengine.query.matches.MatchSet.counted>`
        counts them.  Per day from the day bounds (a few hundred days, not
        thousands of articles), less the copies not counted."""
        o = self._order("oldest")
        uncounted = o.later[0:0]
        if collapse:
            later = o.later[np.searchsorted(o.later, lo) : np.searchsorted(o.later, hi)]
            uncounted = later[o.previous[later] >= lo]
        top = min(hi, o.dated)
        if lo < top:
            days = np.arange(
                np.searchsorted(o.bounds, lo, side="right") - 1,
                np.searchsorted(o.bounds, top, side="left"),
            )
            distinct = o.day_values[days]
            per_day = np.minimum(o.bounds[days + 1], top) - np.maximum(o.bounds[days], lo)
        else:
            distinct = per_day = o.day_values[0:0]
        undated = max(0, hi - max(lo, o.dated))
        if len(uncounted):
            copies = o.days[uncounted]
            dated = copies[copies > 0]
            per_day = per_day.copy()
            np.subtract.at(per_day, np.searchsorted(distinct, dated), 1)
            undated -= len(copies) - len(dated)
            kept = per_day > 0
            distinct, per_day = distinct[kept], per_day[kept]
        timeline = aggregate.timeline_of_days(distinct, per_day, undated, by)
        names = self._doc_columns.names
        # Shifted by one: the articles without a source (-1) are counted at 0.
        counts = np.bincount(o.sources[lo:hi] + 1, minlength=len(names) + 1)
        if len(uncounted):
            np.subtract.at(counts, o.sources[uncounted] + 1, 1)
        return timeline, aggregate.sources_of_counts(counts.tolist(), names)
