"""When segments are merged: a tiered policy, as Lucene's ``TieredMergePolicy``.

An index run builds its new articles as segments of its own, one per share
of the run's articles, in worker processes
(:mod:`searchengine.indexer.build`).  Left alone, an index would gather
many segments, and a query pays for each one (at 100,000 articles, 40
segments made queries 10 times slower than 4).  So before each commit this
policy picks merges among the index's segments and the run's new ones:

* Segments are put in *tiers* by their live documents: tier 0 holds those
  below ``FLOOR * FACTOR`` documents (anything smaller counts as ``FLOOR``),
  tier 1 those below ``FLOOR * FACTOR**2``, and so on.
* A tier that holds ``FACTOR`` segments or more is merged, its smallest
  segments first, ``FACTOR`` at most into one, and never into one of more
  than :data:`MAX_MERGED` live documents; the merged segment lands about one
  tier up.  So the segments stay below ``FACTOR`` per tier, and each
  article is rewritten about once per tier it climbs, not once per commit.
* A segment of :data:`MAX_MERGED` / 2 live documents or more is *too large*
  to merge: no merge of two such could be made.  The index's segments
  therefore end up at a few hundred thousand articles each (a million
  articles built in one run: four of 250,000), and a merge's cost and
  memory are bounded whatever the index's size.
* A segment whose deleted documents are more than :data:`DELETED_SHARE` of
  it is rewritten (merging drops them), with the others of its tier that
  are, or alone when it is too large to merge; one with no live document
  is simply dropped.

Merges are independent of one another, so a run makes them in its worker
processes at once (:func:`searchengine.indexer.build.merge_all`), each with
:class:`searchengine.index.merger.MergeSegmentWriter`, before the commit
lists the merged segments in place of their sources.  A run killed during a
merge leaves the last commit as it was; the next commit removes the files
of the half-written segment.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import TypeVar

#: Segments a tier holds before it is merged, and merged at once at most.
FACTOR = 10
#: Segments below this many live documents count as this many.
FLOOR = 1_000
#: Live documents a merge may produce at most; segments of half as many or
#: more are left alone (unless mostly deleted).
MAX_MERGED = 250_000
#: A segment with more than this share of its documents deleted is rewritten.
DELETED_SHARE = 0.3

_S = TypeVar("_S")


def tier(live: int) -> int:
    """The tier of a segment with ``live`` documents."""
    return int(math.log(max(live, FLOOR) / FLOOR, FACTOR) + 1e-9)


@dataclass(frozen=True)
class Plan:
    """What to do with an index's segments before a commit: the merges
    (each a tuple of segment positions, merged into one new segment) and
    the segments dropped because nothing in them is live."""

    merges: tuple[tuple[int, ...], ...] = ()
    dropped: tuple[int, ...] = ()

    def kept(self, segments: list[_S]) -> list[_S]:
        """The segments neither merged nor dropped, in order."""
        gone = set(self.dropped).union(*self.merges)
        return [segment for n, segment in enumerate(segments) if n not in gone]

    def articles(self, sizes: list[tuple[int, int]]) -> int:
        """Live documents the merges rewrite."""
        return sum(sizes[n][0] for merge in self.merges for n in merge)


def plan(sizes: list[tuple[int, int]]) -> Plan:
    """What to merge among segments given as ``(live, all)`` document
    counts in index order (see the module's description)."""
    dropped = tuple(n for n, (live, _) in enumerate(sizes) if live == 0)
    heavy = {
        n
        for n, (live, total) in enumerate(sizes)
        if live and (total - live) / total > DELETED_SHARE
    }
    tiers: dict[int, list[int]] = defaultdict(list)
    merges: list[tuple[int, ...]] = []
    for n, (live, _) in enumerate(sizes):
        if not live:
            continue
        if 2 * live < MAX_MERGED:
            tiers[tier(live)].append(n)
        elif n in heavy:
            merges.append((n,))  # too large to merge with others: rewritten alone
    for level in sorted(tiers):
        members = sorted(tiers[level], key=lambda n: (sizes[n][0], n))
        while len(members) >= FACTOR:
            group = _smallest(members, sizes)
            if len(group) < 2:
                break
            merges.append(group)
            members = [n for n in members if n not in group]
        rest = [n for n in members if n in heavy]
        while rest:
            group = _smallest(rest, sizes) or (rest[0],)
            merges.append(group)
            rest = [n for n in rest if n not in group]
    return Plan(tuple(sorted(merges)), dropped)


def _smallest(members: list[int], sizes: list[tuple[int, int]]) -> tuple[int, ...]:
    """The first of ``members`` (smallest first), at most ``FACTOR`` of
    them and at most :data:`MAX_MERGED` live documents together."""
    group: list[int] = []
    total = 0
    for n in members:
        if len(group) == FACTOR or total + sizes[n][0] > MAX_MERGED:
            break
        group.append(n)
        total += sizes[n][0]
    return tuple(sorted(group))
