"""Per-document values of one searcher as numpy arrays, loaded once.

The query executor (:mod:`searchengine.query.execute`) filters, counts,
scores and orders whole arrays of document numbers.  What it needs of each
document is here, one array per value over the searcher's documents (or per
segment, where scoring works segment by segment):

* the day (``YYYYMMDD``, 0 when undated), read from the ``sort_newest``
  column every article has; the ``sort_oldest`` key is derived from it (the
  indexer writes both from the same date);
* deletions, as a boolean mask;
* each text field's length byte, per segment (what BM25F scores with).

(Sources, clusters and the days counts are made of are in
:mod:`searchengine.query.columns`.)

Each column file is read whole with ``np.frombuffer`` (a few hundred
kilobytes at 100,000 articles) the first time it is needed, so a query
that needs no dates reads no dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from searchengine.index import whoosh_private
from searchengine.index.schema import UNDATED_OLDEST


def _length_table() -> NDArray[np.float64]:
    from whoosh.util.numeric import byte_to_length

    return np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


@dataclass
class SegmentColumns:
    """The columns of one segment; document numbers local to it."""

    reader: Any
    #: The searcher's number of this segment's first document.
    offset: int
    #: Documents in the segment, deleted ones included.
    size: int
    _lengths: dict[str, NDArray[np.float64]] = field(default_factory=dict, repr=False)

    @cached_property
    def days(self) -> NDArray[np.int64]:
        """The day of each document, ``YYYYMMDD``; 0 when undated."""
        if not self.reader.has_column("sort_newest"):
            return np.zeros(self.size, dtype=np.int64)
        column = self.reader.column_reader("sort_newest", translate=False)
        return whoosh_private.numeric_column(column, self.size)

    @cached_property
    def deleted(self) -> NDArray[np.bool_] | None:
        """``True`` for each deleted document; ``None`` when none is."""
        if not self.reader.has_deletions():
            return None
        mask = np.zeros(self.size, dtype=np.bool_)
        gone = np.fromiter(self.reader.deleted_docs_set, dtype=np.int64)
        mask[gone[gone < self.size]] = True
        return mask

    def lengths(self, fieldname: str) -> NDArray[np.float64]:
        """Each document's length of ``fieldname`` as BM25F sees it:
        ``byte_to_length`` of the stored length byte."""
        found = self._lengths.get(fieldname)
        if found is None:
            found = LENGTH_OF_BYTE[whoosh_private.length_bytes(self.reader, fieldname)]
            self._lengths[fieldname] = found
        return found

    def has_words(self, fieldname: str) -> NDArray[np.bool_]:
        """Whether each document has any word in ``fieldname``."""
        return whoosh_private.length_bytes(self.reader, fieldname) > 0


#: ``byte_to_length`` of every length byte, for arrays of them.
LENGTH_OF_BYTE = _length_table()


class Columns:
    """The columns of every segment of one searcher, and their concatenation."""

    def __init__(self, searcher: Any) -> None:
        self.segments = [
            SegmentColumns(sub.reader(), offset, sub.reader().doc_count_all())
            for sub, offset in searcher.leaf_searchers()
        ]
        self.size = sum(s.size for s in self.segments)

    @cached_property
    def days(self) -> NDArray[np.int64]:
        """The day of every document of the searcher, ``YYYYMMDD`` (0: undated)."""
        return self._joined([s.days for s in self.segments], np.int64)

    @cached_property
    def deleted(self) -> NDArray[np.bool_] | None:
        """Deleted documents of the searcher, or ``None`` when there are none."""
        masks = [s.deleted for s in self.segments]
        if all(m is None for m in masks):
            return None
        return np.concatenate(
            [
                np.zeros(s.size, np.bool_) if m is None else m
                for s, m in zip(self.segments, masks, strict=True)
            ]
        )

    @cached_property
    def newest_key(self) -> NDArray[np.int64]:
        """The ``sort_newest`` sort key negated: ascending is newest first,
        undated (key 0) last."""
        return -self.days

    @cached_property
    def oldest_key(self) -> NDArray[np.int64]:
        """The ``sort_oldest`` sort key: the day, or ``UNDATED_OLDEST``."""
        return np.where(self.days > 0, self.days, UNDATED_OLDEST)

    def segment_of(self, docnum: int) -> SegmentColumns:
        """The segment holding the searcher's document ``docnum``."""
        for segment in reversed(self.segments):
            if docnum >= segment.offset:
                return segment
        raise IndexError(docnum)

    def _joined(self, parts: list[NDArray[Any]], dtype: Any) -> NDArray[Any]:
        if not parts:
            return np.zeros(0, dtype=dtype)
        return np.concatenate(parts).astype(dtype, copy=False)
