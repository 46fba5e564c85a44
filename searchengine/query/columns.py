"""What every document of one searcher is counted by, as arrays over document numbers.

Timelines, source counts, trends and exports need each match's day, source
and near-duplicate cluster.  Looked up one match at a time through Whoosh's
column readers that costs a few microseconds a match; here each is read once
per searcher (the engine keeps them until a new commit) and a match set
takes its values with one fancy index.

* days: those the executor reads too (:class:`~searchengine.index.columns.Columns`,
  the ``sort_newest`` column, ``YYYYMMDD``, 0 for undated), not read again;
* sources: the ``source_name`` column, read in one go through
  :mod:`searchengine.index.whoosh_private` (A13) and each distinct name
  numbered (a corpus has a few dozen outlets, not thousands);
* clusters: from :class:`~searchengine.index.clusters.Clusters`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from searchengine.index import whoosh_private
from searchengine.index.clusters import Clusters

if TYPE_CHECKING:
    from searchengine.index.columns import Columns

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class DocColumns:
    """Per document number of one searcher: its day, source and cluster."""

    #: ``YYYYMMDD``, or 0 for an undated article.
    days: IntArray
    #: Index into :attr:`names`, or -1 for an article without a source.
    sources: IntArray
    #: The source names, in the order first met.
    names: tuple[str, ...]
    #: Index of the near-duplicate cluster, or -1 for an article in none.
    groups: IntArray


def read(columns: Columns, clusters: Clusters) -> DocColumns:
    """The columns of every document of the searcher ``columns`` were read from."""
    size = columns.size
    sources = np.full(size, -1, dtype=np.int64)
    names: dict[bytes, int] = {}
    # Segment by segment: Whoosh's multi-segment column reader skips a
    # segment without the column and misnumbers the documents after it.
    for segment in columns.segments:
        leaf, offset, count = segment.reader, segment.offset, segment.size
        if leaf.has_column("source_name"):
            column = leaf.column_reader("source_name", translate=False)
            local, found = whoosh_private.distinct_values(column, count)
            numbered = np.array([names.setdefault(v, len(names)) for v in found] + [-1])
            sources[offset : offset + count] = numbered[local]
    groups = np.full(size, -1, dtype=np.int64)
    if clusters.of:
        members = np.fromiter(clusters.of.keys(), dtype=np.int64, count=len(clusters.of))
        groups[members] = np.fromiter(clusters.of.values(), dtype=np.int64, count=len(members))
    text = tuple(name.decode("utf-8", "surrogateescape") for name in names)
    return DocColumns(columns.days, sources, text, groups)
