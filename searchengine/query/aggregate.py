"""Counts over every result of a query: per period, per source, and trends.

All of them count a :class:`~searchengine.query.matches.MatchSet`'s counted
matches (each story once, at its first copy, when collapsed), so a
timeline's counts plus its undated articles, a source count's counts plus
the articles without a source, and a trend series' total are all exactly
``search``'s ``total`` for the same query and filters.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np

from searchengine.errors import UsageError
from searchengine.models import Period, Series, SourceCounts, Timeline, Trend
from searchengine.query import periods
from searchengine.query.matches import MatchSet
from searchengine.query.request import SearchRequest


class MatchFinder(Protocol):
    """What gives every match of a request: the engine (``Engine.matches``),
    named by what it does so that this module sits below it."""

    def matches(self, request: SearchRequest) -> MatchSet: ...


#: Queries one trend compares at most: more is not a chart anyone can read.
MAX_SERIES = 12


def _day(number: int) -> dt.date:
    return dt.date(number // 10000, number // 100 % 100, number % 100)


def _dated(matches: MatchSet) -> np.ndarray:
    days = matches.days[matches.counted()]
    return days[days > 0]


def choose_by(days: np.ndarray) -> Period:
    """The automatic period for these day numbers (month when there are none)."""
    if len(days) == 0:
        return "month"
    return periods.automatic(_day(int(days.min())), _day(int(days.max())))


#: Counting per day goes through a table over the days' span (``YYYYMMDD``
#: numbers: about 10,000 a year) unless it is this much larger than the
#: number of days counted; then through a sort.
_TABLE_SLACK = 65_536


def day_counts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``days`` (dated day numbers), ascending, and how many
    times each occurs: through a table over their span (a browse counts
    thousands of days, a few hundred distinct ones), or a sort when the
    span is too wide for one."""
    if len(days) == 0:
        none = np.zeros(0, dtype=np.int64)
        return none, none
    low = int(days.min())
    span = int(days.max()) - low + 1
    if span > 8 * len(days) + _TABLE_SLACK:
        found, counts = np.unique(days, return_counts=True)
        return found, counts
    per_day = np.bincount(days - low, minlength=span)
    distinct = np.flatnonzero(per_day)
    return distinct + low, per_day[distinct]


def by_period(distinct: np.ndarray, per_day: np.ndarray, by: Period) -> tuple[list[int], list[int]]:
    """Counts per distinct day (ascending) summed per period: the periods'
    keys, ascending, and their counts (only the distinct days are keyed)."""
    if len(distinct) == 0:
        return [], []
    # Period keys never decrease as days increase: each period is a run.
    keys = periods.keys(distinct, by)
    starts = np.flatnonzero(np.diff(keys, prepend=keys[0] - 1))
    return keys[starts].tolist(), np.add.reduceat(per_day, starts).tolist()


def period_counts(days: np.ndarray, by: Period) -> tuple[list[int], list[int]]:
    """The keys of the periods ``by`` holding ``days`` (dated day numbers),
    ascending, and how many of the days each holds: what
    ``np.unique(periods.keys(days, by), return_counts=True)`` gives, counted
    per day first (:func:`day_counts`)."""
    return by_period(*day_counts(days), by)


def timeline_of_days(
    distinct: np.ndarray, per_day: np.ndarray, undated: int, by: Period | None = None
) -> Timeline:
    """The timeline of results counted per distinct day (ascending, each
    count above 0) and ``undated`` results: by ``by``, else by the period
    their span calls for (:func:`choose_by`)."""
    chosen = by or choose_by(distinct[[0, -1]] if len(distinct) else distinct)
    found, counts = by_period(distinct, per_day, chosen)
    return Timeline(
        by=chosen,
        counts=tuple((periods.label(k, chosen), c) for k, c in zip(found, counts, strict=True)),
        undated=undated,
    )


def timeline(matches: MatchSet, by: Period | None = None) -> Timeline:
    """Results per period (``by``, else chosen from their span), undated apart."""
    dated = _dated(matches)
    return timeline_of_days(*day_counts(dated), matches.total - len(dated), by)


def sources_of_counts(counts: list[int], names: tuple[str, ...]) -> SourceCounts:
    """Results per source from counts per source number shifted by one
    (``counts[0]``: the results without a source), largest first (ties by name)."""
    pairs = sorted(
        ((name, n) for name, n in zip(names, counts[1:], strict=True) if n),
        key=lambda pair: (-pair[1], pair[0].casefold(), pair[0]),
    )
    return SourceCounts(counts=tuple(pairs), no_source=counts[0])


def sources(matches: MatchSet) -> SourceCounts:
    """Results per source, largest first (ties by name); none apart."""
    codes = matches.sources[matches.counted()]
    # Shifted by one: the articles without a source (-1) are counted at 0.
    counts = np.bincount(codes + 1, minlength=len(matches.source_names) + 1).tolist()
    return sources_of_counts(counts, matches.source_names)


def trend(
    engine: MatchFinder,
    queries: Sequence[str],
    base: SearchRequest,
    *,
    by: Period | None = None,
    share: bool = False,
) -> Trend:
    """Each query's results per period, side by side, under ``base``'s
    filters and collapsing; with ``share``, also as a share of every
    result of the empty query per period (the corpus is rarely even over
    time).  The periods run from ``base``'s ``date_from`` (else the first
    dated result of any query) to its ``date_to`` (else the last), gaps
    included."""
    started = time.perf_counter()
    if not queries:
        raise UsageError(
            "trend needs at least one query, e.g. searchengine trend flood drought; "
            "an empty query ('') counts every article"
        )
    if len(queries) > MAX_SERIES:
        raise UsageError(f"trend compares at most {MAX_SERIES} queries, not {len(queries)}")
    # Counting needs no scores: the oldest-first order costs least.
    request = replace(base, sort="oldest")
    found = [engine.matches(replace(request, query=q)) for q in queries]
    dated = [_dated(m) for m in found]
    every = np.concatenate(dated) if dated else np.zeros(0, dtype=np.int64)
    chosen = by or choose_by(every)
    axis = _axis(every, chosen, base)
    index = {key: i for i, key in enumerate(axis)}
    denominators = None
    if share:
        everything = _counts(_dated(engine.matches(replace(request, query=""))), chosen, index)
        denominators = tuple(everything)
    series = []
    for text, matches, days in zip(queries, found, dated, strict=True):
        counts = _counts(days, chosen, index)
        shares = None
        if denominators is not None:
            shares = tuple(c / d if d else 0.0 for c, d in zip(counts, denominators, strict=True))
        series.append(Series(text, tuple(counts), matches.total - len(days), shares))
    return Trend(
        by=chosen,
        periods=tuple(periods.label(k, chosen) for k in axis),
        starts=tuple(periods.start(k, chosen) for k in axis),
        series=tuple(series),
        articles=denominators,
        filters=base.filters(),
        collapsed=base.collapse,
        took_ms=round((time.perf_counter() - started) * 1000.0, 3),
    )


def _axis(days: np.ndarray, by: Period, base: SearchRequest) -> list[int]:
    """Every period key from the first to the last, bounded by the filters."""
    first = base.date_from
    last = base.date_to
    if len(days):
        first = first or _day(int(days.min()))
        last = last or _day(int(days.max()))
    if first is None or last is None:
        return []
    return periods.between(periods.key_of(first, by), periods.key_of(last, by), by)


def _counts(days: np.ndarray, by: Period, index: dict[int, int]) -> list[int]:
    """Counts per period of the axis ``index`` (period key -> position).  A
    query's results all fall on its axis; the empty query's, counted for
    shares, may run past it, and only the axis's periods are wanted."""
    counts = [0] * len(index)
    found, numbers = period_counts(days, by)
    for key, number in zip(found, numbers, strict=True):
        if key in index:
            counts[index[key]] += number
    return counts
