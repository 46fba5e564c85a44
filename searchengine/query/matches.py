"""Every match of one request, as arrays: what counts and exports are made of.

:meth:`Engine.matches <searchengine.query.engine.Engine.matches>` is the one
entry point: timelines, source counts, trends, exports and concordances are
all computed from a :class:`MatchSet`, so they agree with each other and
with ``search``'s ``total`` by construction.  A match set is every match's
document number and, for relevance, its score: on today's path
:func:`searchengine.query.ranking.match_arrays` gives them without ranking
(:func:`from_arrays`), and ``search`` builds one from the ranking pass it
makes anyway (:func:`from_keys`); a faster executor only has to give the
same two arrays.  Everything else (days, sources, clusters) comes from
whole-column arrays (:mod:`searchengine.query.columns`).

Near-duplicates: a collapsed request has one result per story.  Which copy
stands for the story depends on what for:

* in a list (``export``, the hits), the best-ranked matching copy in the
  request's order, as ``search`` shows it (:meth:`MatchSet.ordered`);
* in counts (timeline, sources, trend), its first matching copy: the
  oldest, undated copies last, ties by document number
  (:meth:`MatchSet.counted`).  A story is counted in the period it first
  ran in and under the outlet that ran it first, whatever the sort order.

``export --sort oldest`` therefore lists exactly the copies that are counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from searchengine.query.columns import DocColumns
from searchengine.query.ranking import Order

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
#: The undated articles' day in the oldest-first order: after every date.
UNDATED_LAST = 99_999_999


@dataclass(frozen=True, eq=False)
class MatchSet:
    """Every match of one request, as aligned arrays: in document order, or
    for a browse by date (:mod:`searchengine.query.browse`) in oldest-first
    order; nothing here depends on which (every order is made by sorting
    on the keys and document numbers)."""

    order: Order
    collapse: bool
    docnums: IntArray
    #: The rank key of each match: the negated score for relevance, the
    #: negated day for newest, the day (undated last) for oldest.
    keys: FloatArray
    #: ``YYYYMMDD``, or 0 when undated.
    days: IntArray
    #: Index into :attr:`source_names`, or -1.
    sources: IntArray
    source_names: tuple[str, ...]
    #: Near-duplicate cluster, or -1.
    groups: IntArray
    #: What is worked out once: the order, the counted mask.
    _cache: dict[str, npt.NDArray[Any]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.docnums)

    @property
    def total(self) -> int:
        """The number of results: stories when collapsed, else articles."""
        return int(self.counted().sum())

    def counted(self) -> BoolArray:
        """Which matches are counted: all of them, or when collapsed each
        story's first copy (oldest, undated last, then lowest number)."""
        if "counted" not in self._cache:
            counted = np.ones(len(self), dtype=np.bool_)
            # Only matches in a cluster can be left uncounted: only they are sorted.
            clustered: IntArray = np.flatnonzero(self.groups >= 0 if self.collapse else [])
            if len(clustered):
                days = self.days[clustered]
                oldest = np.where(days > 0, days, UNDATED_LAST)
                groups = self.groups[clustered]
                rank = np.lexsort((self.docnums[clustered], oldest, groups))
                counted[clustered] = _firsts(groups, rank)
            self._cache["counted"] = counted
        return self._cache["counted"]

    def ranked(self) -> IntArray:
        """Positions of every match in the request's order (computed once)."""
        if "ranked" not in self._cache:
            if self.order == "relevance":
                # Equal scores: newest first (undated last), then by number.
                rank = np.lexsort((self.docnums, -self.days, self.keys))
            else:
                rank = np.lexsort((self.docnums, self.keys))
            self._cache["ranked"] = rank
        return self._cache["ranked"]

    def ordered(self) -> IntArray:
        """Positions of the results in the request's order: every match, or
        when collapsed each story's best-ranked copy."""
        rank = self.ranked()
        if not self.collapse:
            return rank
        return rank[_firsts(self.groups[rank], np.arange(len(rank)))]

    def copies(self) -> dict[int, list[int]]:
        """Position of each listed story's copy -> positions of its other
        matching copies, best-ranked first (collapsed requests only)."""
        if not self.collapse:
            return {}
        rank = self.ranked()
        lead: dict[int, int] = {}
        out: dict[int, list[int]] = {}
        for position in rank[self.groups[rank] >= 0].tolist():
            group = int(self.groups[position])
            if group in lead:
                out[lead[group]].append(position)
            else:
                lead[group] = position
                out[position] = []
        return out


def _firsts(groups: IntArray, rank: IntArray) -> BoolArray:
    """Over positions in ``rank``'s order: ``True`` for a match in no cluster
    and for the first match of each cluster (a mask over ``groups``)."""
    ranked = groups[rank]
    clustered = ranked >= 0
    first = np.ones(len(rank), dtype=np.bool_)
    if clustered.any():
        _, where = np.unique(ranked[clustered], return_index=True)
        keep = np.zeros(int(clustered.sum()), dtype=np.bool_)
        keep[where] = True
        first[clustered] = keep
    mask = np.empty(len(rank), dtype=np.bool_)
    mask[rank] = first
    return mask


def from_keys(
    pairs: list[tuple[float, int]], order: Order, collapse: bool, columns: DocColumns
) -> MatchSet:
    """A match set from a ranking's (rank key, document number) of every match."""
    table = np.array(pairs, dtype=np.float64).reshape(-1, 2)
    docnums = table[:, 1].astype(np.int64)
    sort = np.argsort(docnums, kind="stable")
    return _made(docnums[sort], table[:, 0][sort], order, collapse, columns)


def from_arrays(
    docnums: IntArray, negated: FloatArray, order: Order, collapse: bool, columns: DocColumns
) -> MatchSet:
    """A match set from every match's document number (ascending) and
    negated score (used for relevance only): the date orders' keys are the
    days, as the ``sort_newest``/``sort_oldest`` columns hold them."""
    days = columns.days[docnums]
    if order == "newest":
        negated = -days.astype(np.float64)  # undated: 0, after every -day
    elif order == "oldest":
        negated = np.where(days > 0, days, UNDATED_LAST).astype(np.float64)
    return _made(docnums, negated, order, collapse, columns)


def _made(
    docnums: IntArray, keys: FloatArray, order: Order, collapse: bool, columns: DocColumns
) -> MatchSet:
    return MatchSet(
        order=order,
        collapse=collapse,
        docnums=docnums,
        keys=keys,
        days=columns.days[docnums],
        sources=columns.sources[docnums],
        source_names=columns.names,
        groups=columns.groups[docnums],
    )


def empty(order: Order, collapse: bool, columns: DocColumns | None = None) -> MatchSet:
    """The match set of a request that matches nothing."""
    none = np.zeros(0, dtype=np.int64)
    names = columns.names if columns is not None else ()
    return MatchSet(order, collapse, none, none.astype(np.float64), none, none, names, none)
