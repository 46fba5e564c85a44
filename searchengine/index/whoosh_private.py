"""The one door to Whoosh's internals: names and layouts Whoosh does not publish.

Everything here depends on Whoosh details that may change between releases
(the ``W3`` codec's file layouts, private attributes).  Keeping them in one
module means an upgrade of ``whoosh3`` is checked here, and the tests of the
modules that use these functions (``tests/test_columns.py``,
``tests/test_execute.py``) say whether they still hold.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from whoosh import matching, query
from whoosh.matching.mcore import ReadTooFar


def _column_file(reader: Any, name: str) -> bytes | None:
    """The bytes of one segment's column file ``name``, or ``None`` when the
    segment has none (a column nobody wrote a value to)."""
    from whoosh.codec.whoosh3 import W3Codec

    storage = reader.storage()
    filename = W3Codec.column_filename(reader.segment(), name)
    if not storage.file_exists(filename):
        return None
    handle = storage.open_file(filename)
    try:
        data: bytes = handle.read()
    finally:
        handle.close()
    return data


def numeric_column(reader: Any, name: str, typecode: str, default: int) -> NDArray[Any]:
    """A ``NumericColumn`` of one segment as an array, one value per document.

    Whoosh's ``W3`` codec writes such a column as big-endian fixed-width
    values, one per document up to the last document holding a value other
    than the default (the rest are left out and read as the default).  Read
    whole and converted at once: Whoosh's column reader unpacks one value a
    call, which cost 237 ms for the month column of 100,000 articles.
    """
    count = reader.doc_count_all()
    dtype = np.dtype(typecode).newbyteorder(">")
    data = _column_file(reader, name)
    stored = np.frombuffer(data, dtype=dtype) if data else np.zeros(0, dtype=dtype)
    values = np.full(count, default, dtype=np.dtype(typecode))
    kept = min(count, len(stored))
    values[:kept] = stored[:kept]
    return values


def length_bytes(reader: Any, fieldname: str) -> NDArray[np.uint8]:
    """The field-length byte of every document of one segment (0: no words).

    This is the byte BM25F scores with: Whoosh stores each document's field
    length as one byte (``whoosh.util.numeric.length_to_byte``) in a column
    named ``_FIELD_len`` and scores with ``byte_to_length`` of it, not with
    the true length.
    """
    values: NDArray[np.uint8] = numeric_column(reader, f"_{fieldname}_len", "B", 0)
    return values


def bm25f_parameters(weighting: Any, fieldname: str) -> tuple[float, float] | None:
    """``(B, K1)`` that Whoosh's BM25F scores ``fieldname`` with, or ``None``
    when ``weighting`` is not plain BM25F (then nothing here can score)."""
    from whoosh import scoring

    if type(weighting) is not scoring.BM25F:
        return None
    field_b: dict[str, float] = weighting._field_B
    return float(field_b.get(fieldname, weighting.B)), float(weighting.K1)


class _AndNotMatcher(matching.AndNotMatcher):  # type: ignore[misc]
    """Whoosh's ``AndNotMatcher`` with its first document checked too."""

    def _find_first(self) -> None:
        # Whoosh checks only when both sub-matchers start on the same document.
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class _AndNot(query.AndNot):  # type: ignore[misc]
    def matcher(self, searcher: Any, context: Any = None) -> Any:
        kept = self.a.matcher(searcher, context)
        excluded = self.b.matcher(searcher, searcher.boolean_context())
        return _AndNotMatcher(kept, excluded)


class _AndMaybeMatcher(matching.AndMaybeMatcher):  # type: ignore[misc]
    """Whoosh's ``AndMaybeMatcher`` with the optional side kept in step."""

    def skip_to(self, id: int) -> Any:
        # Whoosh skips the optional side to ``id``, not to where the required
        # side landed (past ``id`` when it lacks ``id``): its score was lost.
        if not self.a.is_active():
            raise ReadTooFar
        moved = self.a.skip_to(id)
        if self.a.is_active() and self.b.is_active():
            moved = self.b.skip_to(self.a.id()) or moved
        return moved


class _AndMaybe(query.AndMaybe):  # type: ignore[misc]
    matcherclass = _AndMaybeMatcher


def corrected(q: Any) -> Any:
    """``q`` with its ``AndNot`` and ``AndMaybe`` nodes matched correctly.

    Two of Whoosh's matchers can give wrong results:

    * ``AndNotMatcher`` checks its first document against the excluded
      matcher only when both start on the same document
      (``_find_first``): when the excluded one starts earlier and also holds
      the first wanted document, that document is returned though excluded
      (``the but -the`` matched an article with both words, the first of its
      segment to have them);
    * ``AndMaybeMatcher.skip_to`` moves the optional side to the document
      asked for rather than to the one the required side reached, so under
      an AND the optional side's score could be left out.

    The reference path (``query.ranking``) matches with these corrected
    copies, which is what the executor is compared with.
    """
    if isinstance(q, query.AndNot) and not isinstance(q, _AndNot):
        return _AndNot(corrected(q.a), corrected(q.b))
    if isinstance(q, query.AndMaybe) and not isinstance(q, _AndMaybe):
        return _AndMaybe(corrected(q.a), corrected(q.b))
    if q.is_leaf():
        return q
    return q.apply(corrected)
