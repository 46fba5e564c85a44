"""What every document of one searcher is counted by, as arrays over document numbers.

Timelines, source counts, trends and exports need each match's day, source
and near-duplicate cluster.  Looked up one match at a time through Whoosh's
column readers that costs a few microseconds a match; here each is read once
per searcher (the engine keeps them until a new commit) and a match set
takes its values with one fancy index.

* days: the ``sort_newest`` column (``YYYYMMDD``, 0 for undated), read
  straight from the segment's bytes: it is a run of big-endian integers,
  one per document up to the last dated one;
* sources: the postings of each ``source_name`` term (a few dozen outlets),
  so no per-document value is decoded at all;
* clusters: from :class:`~searchengine.index.clusters.Clusters`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from searchengine.index.clusters import Clusters

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class DocColumns:
    """Per document number of one searcher: its day, source and cluster."""

    #: ``YYYYMMDD``, or 0 for an undated article.
    days: IntArray
    #: Index into :attr:`names`, or -1 for an article without a source.
    sources: IntArray
    #: The source names, in the order of the index's ``source_name`` terms.
    names: tuple[str, ...]
    #: Index of the near-duplicate cluster, or -1 for an article in none.
    groups: IntArray


def read(searcher: Any, clusters: Clusters) -> DocColumns:
    """The columns of every document ``searcher`` sees."""
    reader = searcher.reader()
    size = reader.doc_count_all()
    days = np.zeros(size, dtype=np.int64)
    # Segment by segment: Whoosh's multi-segment column reader skips a
    # segment without the column and misnumbers the documents after it.
    for leaf, offset in reader.leaf_readers():
        count = leaf.doc_count_all()
        days[offset : offset + count] = _numbers(leaf.column_reader("sort_newest"), count)
    names: list[str] = []
    sources = np.full(size, -1, dtype=np.int64)
    for term in reader.lexicon("source_name"):
        ids = np.fromiter(reader.postings("source_name", term).all_ids(), dtype=np.int64)
        sources[ids] = len(names)
        names.append(term.decode("utf-8", "surrogateescape") if isinstance(term, bytes) else term)
    groups = np.full(size, -1, dtype=np.int64)
    if clusters.of:
        members = np.fromiter(clusters.of.keys(), dtype=np.int64, count=len(clusters.of))
        groups[members] = np.fromiter(clusters.of.values(), dtype=np.int64, count=len(members))
    return DocColumns(days, sources, tuple(names), groups)


#: Gaps between wanted values read through rather than sought past.
_GAP = 4096


def var_bytes(column: Any, docs: list[int]) -> list[bytes]:
    """The values of a variable-length bytes column for ``docs`` (ascending
    document numbers of one segment).

    Whoosh reads each value with a seek and a read of its own; a run of
    documents whose values lie close together in the file is read here
    with one read (``_offsets``, ``_lengths``, ``_basepos`` and ``_dbfile``
    of whoosh3 3.54's ``VarBytesColumn`` reader; value by value otherwise).
    """
    try:
        offsets, lengths = column._offsets, column._lengths
        base, dbfile = column._basepos, column._dbfile
    except AttributeError:
        return [column[d] for d in docs]
    out: list[bytes] = []
    start = 0
    while start < len(docs):
        end = start + 1
        reach = offsets[docs[start]] + lengths[docs[start]]
        while end < len(docs) and offsets[docs[end]] - reach <= _GAP:
            reach = max(reach, offsets[docs[end]] + lengths[docs[end]])
            end += 1
        first = offsets[docs[start]]
        block = dbfile.get(base + first, reach - first)
        for d in docs[start:end]:
            at = offsets[d] - first
            out.append(bytes(block[at : at + lengths[d]]))
        start = end
    return out


def _numbers(column: Any, count: int) -> IntArray:
    """Every value of one segment's numeric column.

    Whoosh's ``NumericColumn`` keeps a segment's values as one run of
    fixed-size big-endian numbers up to the last document with a
    non-default value; the rest read as the default.  That run is taken in
    one read when the reader has the attributes it has in whoosh3 3.54
    (``_dbfile``, ``_basepos``, ``_count``, ``_typecode``, ``_default``;
    with :func:`var_bytes`'s, the only private Whoosh names this package's
    query layer touches), and value by value otherwise.
    """
    try:
        dbfile, base, stored = column._dbfile, column._basepos, column._count
        typecode, default = column._typecode, column._default
    except AttributeError:
        return np.fromiter(column, dtype=np.int64, count=count)
    out = np.full(count, default, dtype=np.int64)
    if stored:
        width = np.dtype(typecode).itemsize
        raw = dbfile.get(base, stored * width)
        out[:stored] = np.frombuffer(raw, dtype=">" + typecode, count=stored)
    return out
