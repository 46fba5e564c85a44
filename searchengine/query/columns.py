"""What every document of one searcher is counted by, as arrays over document numbers.

Timelines, source counts, trends and exports need each match's day, source
and near-duplicate cluster.  Looked up one match at a time through Whoosh's
column readers that costs a few microseconds a match; here each is read once
per searcher (the engine keeps them until a new commit) and a match set
takes its values with one fancy index.

* days: the ``sort_newest`` column (``YYYYMMDD``, 0 for undated), read
  straight from the segment's bytes: it is a run of big-endian integers,
  one per document up to the last dated one;
* sources: the ``source_name`` column, read in one go and each distinct
  name numbered (a corpus has a few dozen outlets, not thousands);
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
    #: The source names, in the order first met.
    names: tuple[str, ...]
    #: Index of the near-duplicate cluster, or -1 for an article in none.
    groups: IntArray


def read(searcher: Any, clusters: Clusters) -> DocColumns:
    """The columns of every document ``searcher`` sees."""
    reader = searcher.reader()
    size = reader.doc_count_all()
    days = np.zeros(size, dtype=np.int64)
    sources = np.full(size, -1, dtype=np.int64)
    names: dict[bytes, int] = {}
    # Segment by segment: Whoosh's multi-segment column reader skips a
    # segment without the column and misnumbers the documents after it.
    for leaf, offset in reader.leaf_readers():
        count = leaf.doc_count_all()
        if leaf.has_column("sort_newest"):
            column = leaf.column_reader("sort_newest", translate=False)
            days[offset : offset + count] = _numbers(column, count)
        if leaf.has_column("source_name"):
            column = leaf.column_reader("source_name", translate=False)
            local, found = _distinct(column, count)
            numbered = np.array([names.setdefault(v, len(names)) for v in found] + [-1])
            sources[offset : offset + count] = numbered[local]
    groups = np.full(size, -1, dtype=np.int64)
    if clusters.of:
        members = np.fromiter(clusters.of.keys(), dtype=np.int64, count=len(clusters.of))
        groups[members] = np.fromiter(clusters.of.values(), dtype=np.int64, count=len(members))
    text = tuple(name.decode("utf-8", "surrogateescape") for name in names)
    return DocColumns(days, sources, text, groups)


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


#: Multiplier of the byte hash in :func:`_distinct` (odd, so no byte is lost).
_HASH = np.uint64(1_000_003)


def _distinct(column: Any, count: int) -> tuple[IntArray, list[bytes]]:
    """A few distinct values of a bytes column, numbered: each document's
    number (-1 for an empty value, i.e. none) and the values in that order.

    A source column has a few dozen distinct names over up to millions of
    documents, so the values are told apart by a 64-bit hash of their
    bytes computed for all documents at once (one pass over the column's
    data) and named by reading one document of each.  Value by value when
    the reader lacks the attributes :func:`var_bytes` uses.
    """
    try:
        offsets = np.asarray(column._offsets, dtype=np.int64)[:count]
        lengths = np.asarray(column._lengths, dtype=np.int64)[:count]
        base, dbfile = column._basepos, column._dbfile
    except AttributeError:
        values = [column[d] for d in range(count)]
        index: dict[bytes, int] = {}
        numbered = [index.setdefault(v, len(index)) if v else -1 for v in values]
        return np.array(numbered, dtype=np.int64), list(index)
    codes = np.full(count, -1, dtype=np.int64)
    present = np.flatnonzero(lengths > 0)
    if not len(present):
        return codes, []
    starts, sizes = offsets[present], lengths[present]
    data = np.frombuffer(dbfile.get(base, int((starts + sizes).max())), dtype=np.uint8)
    first = np.cumsum(sizes) - sizes
    within = np.arange(int(sizes.sum())) - np.repeat(first, sizes)
    # 1, H, H², ... modulo 2^64 (unsigned arrays wrap around).
    powers = np.ones(int(sizes.max()), dtype=np.uint64)
    powers[1:] = np.cumprod(np.full(len(powers) - 1, _HASH, dtype=np.uint64))
    weighted = data[np.repeat(starts, sizes) + within].astype(np.uint64) * powers[within]
    hashes = np.add.reduceat(weighted, first) ^ sizes.astype(np.uint64)
    _, one, numbers = np.unique(hashes, return_index=True, return_inverse=True)
    codes[present] = numbers
    return codes, [column[int(present[i])] for i in one]


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
