"""Show each story once: fold a ranked result list's near-duplicates together.

A cluster of near-duplicates (:mod:`searchengine.index.clusters`) is represented
by its best-ranked *matching* member; the other matching members become that
hit's duplicates, in rank order.  Members that do not match the query or the
filters are not counted anywhere, so ``total_uncollapsed`` is always ``total``
plus the number of duplicates over every collapsed result.

Pages stay exact: the total is counted over the whole matching set (not just
the fetched top), and the ranking is fetched deeper, doubling, until the
requested page's representatives are known and each one's matching copies
have all been seen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from searchengine.index.clusters import Clusters

#: Re-run the ranking to depth N (a Whoosh ``Results`` with at least N ranked).
Rerun = Callable[[int], Any]


@dataclass(frozen=True)
class Entry:
    """One collapsed result on the page: its Whoosh hit and its copies."""

    hit: Any
    duplicates: tuple[int, ...]


def matched_counts(results: Any, clusters: Clusters) -> dict[int, int]:
    """Cluster index -> how many of its members match (clusters matched at all)."""
    counts: dict[int, int] = {}
    docs = results.docs()
    if len(docs) < len(clusters.of):
        pairs = ((d, clusters.of.get(d)) for d in docs)
    else:
        pairs = ((d, g) for d, g in clusters.of.items() if d in docs)
    for _docnum, group in pairs:
        if group is not None:
            counts[group] = counts.get(group, 0) + 1
    return counts


def collapse(
    results: Any, rerun: Rerun, clusters: Clusters, first: int, count: int
) -> tuple[list[Entry], int]:
    """The entries ``first .. first+count`` of the collapsed ranking, and the
    number of collapsed results in all.

    ``results`` is ranked at least ``first + count`` deep; ``rerun`` ranks
    deeper when copies push representatives further down.
    """
    total = len(results)
    if not clusters.groups:
        return [Entry(h, ()) for h in results.page(first, count)], total
    matched = matched_counts(results, clusters)
    collapsed_total = total - sum(n - 1 for n in matched.values())
    wanted = min(first + count, collapsed_total)
    ranked = results
    while True:
        reps: list[int] = []
        rep_of: dict[int, int] = {}
        copies: dict[int, list[int]] = {}
        for position in range(ranked.scored_length()):
            docnum = ranked.docnum(position)
            group = clusters.of.get(docnum)
            if group is None:
                reps.append(position)
            elif group in rep_of:
                copies[group].append(docnum)
            else:
                rep_of[group] = position
                copies[group] = []
                reps.append(position)
        page = reps[first : first + count]
        complete = all(
            len(copies[g]) + 1 == matched[g]
            for g in (clusters.of.get(ranked.docnum(p)) for p in page)
            if g is not None
        )
        depth = ranked.scored_length()
        if (len(reps) >= wanted and complete) or depth >= total:
            break
        ranked = rerun(min(total, max(2 * depth, first + count)))
    entries = []
    for position in page:
        group = clusters.of.get(ranked.docnum(position))
        entries.append(Entry(ranked[position], tuple(copies[group]) if group is not None else ()))
    return entries, collapsed_total
