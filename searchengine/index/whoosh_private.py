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
