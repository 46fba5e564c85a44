"""When segments are merged: a tiered policy, as Lucene's.

An index run builds its new articles as several segments at once, one per
worker process (:mod:`searchengine.indexer.build`), and its commit only lists
them beside the segments already there.  Left alone, an index that is
updated often would gather many small segments, and every query pays a
little for each.  So at each commit this policy picks segments to merge
into one:

* Segments are put in *tiers* by their live documents: tier 0 holds those
  below ``FLOOR * FACTOR`` documents (anything smaller counts as ``FLOOR``),
  tier 1 those below ``FLOOR * FACTOR**2``, and so on.
* When a tier holds ``FACTOR`` segments or more, all of that tier (the
  lowest such tier) is merged into one, which lands about one tier up.  The
  number of segments therefore stays below ``FACTOR`` per tier, about
  ``FACTOR * log_FACTOR(articles / FLOOR)`` in all (fewer than 40 at a million
  articles), while each article is rewritten about once per tier it
  climbs, not once per commit.
* A segment whose deleted documents are more than :data:`DELETED_SHARE` of
  it is merged too (rewriting drops them); one with no live document is
  simply dropped.

The merge itself is Whoosh's: each chosen segment is read back into the
committing writer's new segment (``add_reader``), inside the commit, before
the table of contents is written; a run killed during a merge leaves the
last commit as it was, and the next run's commit removes the half-written
files.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

#: Segments a tier holds before it is merged.
FACTOR = 10
#: Segments below this many live documents count as this many.
FLOOR = 1_000
#: A segment with more than this share of its documents deleted is merged.
DELETED_SHARE = 0.3


def tier(live: int) -> int:
    """The tier of a segment with ``live`` documents."""
    return int(math.log(max(live, FLOOR) / FLOOR, FACTOR) + 1e-9)


def to_merge(sizes: list[tuple[int, int]]) -> set[int]:
    """Which of the segments, given as ``(live, all)`` document counts in
    index order, to merge into the commit's new segment."""
    chosen = {
        n
        for n, (live, total) in enumerate(sizes)
        if live == 0 or (total and (total - live) / total > DELETED_SHARE)
    }
    tiers: dict[int, list[int]] = defaultdict(list)
    for n, (live, _) in enumerate(sizes):
        if n not in chosen:
            tiers[tier(live)].append(n)
    full = sorted(t for t, members in tiers.items() if len(members) >= FACTOR)
    if full:
        chosen.update(tiers[full[0]])
    return chosen


def planned(segments: list[Any]) -> tuple[int, int]:
    """How many of ``segments`` :func:`tiered` will merge, and the live
    documents they hold (what a progress report says of the merge)."""
    chosen = to_merge([(s.doc_count(), s.doc_count_all()) for s in segments])
    return len(chosen), sum(segments[n].doc_count() for n in chosen)


def tiered(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh's merge-policy interface: merge the segments :func:`to_merge`
    picks into ``writer`` and return the others, in order."""
    from whoosh.reading import SegmentReader

    chosen = to_merge([(s.doc_count(), s.doc_count_all()) for s in segments])
    kept = []
    for n, segment in enumerate(segments):
        if n not in chosen:
            kept.append(segment)
        elif segment.doc_count():
            reader = SegmentReader(writer.storage, writer.schema, segment)
            try:
                writer.add_reader(reader)
            finally:
                reader.close()
    return kept
