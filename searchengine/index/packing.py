"""Bit-packed arrays of small unsigned integers, read back with numpy alone.

A packed array is ``count`` values ``base + r``, each ``r`` stored in
``width`` bits, value ``i`` at bits ``i*width .. i*width+width-1`` of a
little-endian bit stream ("frame of reference" packing, as Lucene's and
tantivy's postings are).  ``width`` is the fewest bits that hold the largest
``r``, so the common word's document gaps take a bit or two, a position 10
to 12 bits, and an array of equal values takes none.

Decoding needs no Python loop over the values:

* widths 8, 16 and 32 are plain little-endian arrays (``np.frombuffer``);
* any other width up to 25 reads, for each of the eight values of every
  group of eight (which fill exactly ``width`` bytes), one unaligned
  little-endian 32-bit word through a strided view of the bytes, shifted
  and masked: eight array operations whatever the count;
* very short arrays gather their words by index instead (fewer operations).

Widths 26 to 31 are stored as 32.  A reader may read up to
:data:`READ_PAST` bytes beyond an array's last byte, so every file that
holds packed arrays ends with that many spare bytes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

#: Bytes a decoder may read past the end of an array (a word of 4 bytes
#: starting in a group's last byte, plus the rest of the last group).
READ_PAST = 40
#: Up to this many values, a decoder gathers words by index.
_GATHER_LIMIT = 48
_PLAIN: dict[int, np.dtype[Any]] = {8: np.dtype("<u1"), 16: np.dtype("<u2"), 32: np.dtype("<u4")}
_WORD = np.dtype("<u4")


def packed_size(count: int, width: int) -> int:
    """Bytes an array of ``count`` values at ``width`` bits takes."""
    return (count * width + 7) >> 3


def choose_width(span: int) -> int:
    """The width that stores values from 0 to ``span``."""
    width = span.bit_length()
    return 32 if width > 25 else width


def pack(values: NDArray[Any], base: int | None = None) -> tuple[int, int, bytes]:
    """``(base, width, data)`` of ``values`` (non-negative integers).

    ``base`` defaults to the smallest value; pass 0 to keep values as they are.
    """
    if len(values) <= _SMALL:
        return _pack_small(values.tolist(), base)
    low = int(values.min()) if base is None else base
    width = choose_width(int(values.max()) - low)
    if width == 0:
        return low, 0, b""
    # A chunk of a multiple of eight values fills whole bytes, so chunks
    # packed one after another are the array packed at once; the
    # temporaries (a byte per bit) stay bounded for the longest arrays
    # (a common word's positions in a large segment: millions).
    parts = [
        _pack_chunk(values[at : at + _CHUNK], low, width) for at in range(0, len(values), _CHUNK)
    ]
    return low, width, b"".join(parts)


#: Values packed at a time (a multiple of 8).
_CHUNK = 1 << 18


def _pack_chunk(values: NDArray[Any], low: int, width: int) -> bytes:
    rel = values.astype(np.int64) - low
    plain = _PLAIN.get(width)
    if plain is not None:
        return rel.astype(plain).tobytes()
    shifts = np.arange(width, dtype=np.uint32)
    bits = ((rel.astype(np.uint32)[:, None] >> shifts) & 1).astype(np.uint8)
    return np.packbits(bits.ravel(), bitorder="little").tobytes()


class PackedFile:
    """A file's bytes (a memory map or bytes) viewed for decoding.

    The views are made once per file: an array of its bytes, and an array of
    the unaligned little-endian 32-bit word starting at each byte, so that
    decoding a term slices and indexes existing arrays.
    """

    __slots__ = ("buf", "bytes", "words")

    def __init__(self, buf: Any) -> None:
        self.buf = buf
        self.bytes: NDArray[np.uint8] = np.frombuffer(buf, dtype=np.uint8)
        self.words: NDArray[np.uint32] = np.ndarray(
            shape=(max(len(self.bytes) - 3, 0),), dtype=_WORD, buffer=buf, strides=(1,)
        )


#: Up to this many values, packing is done in Python (most terms are rare,
#: and a dozen numpy calls cost more than the values).
_SMALL = 16


def _pack_small(values: list[int], base: int | None) -> tuple[int, int, bytes]:
    if not values:
        return (0 if base is None else base), 0, b""
    low = min(values) if base is None else base
    width = choose_width(max(values) - low)
    if width == 0:
        return low, 0, b""
    acc = 0
    for i, value in enumerate(values):
        acc |= (value - low) << (i * width)
    return low, width, acc.to_bytes(packed_size(len(values), width), "little")


def unpack(
    packed: PackedFile,
    offset: int,
    count: int,
    base: int,
    width: int,
    dtype: type[np.signedinteger[Any]] = np.int64,
) -> NDArray[Any]:
    """The ``count`` values packed at ``offset``, as ``dtype``."""
    if width == 0 or count == 0:
        return np.full(count, base, dtype=dtype)
    plain = _PLAIN.get(width)
    if plain is not None:
        raw: NDArray[Any] = packed.bytes[offset : offset + count * plain.itemsize].view(plain)
    elif count <= _GATHER_LIMIT:
        bitpos = np.arange(count, dtype=np.int64) * width
        raw = packed.words[offset + (bitpos >> 3)] >> (bitpos & 7).astype(np.uint32)
        raw &= np.uint32((1 << width) - 1)
    else:
        raw = _strided(packed.words, offset, count, width)
    out = raw.astype(dtype)
    if base:
        out += base
    return out


def unpack_at(
    packed: PackedFile, offset: int, index: NDArray[np.int64], width: int
) -> NDArray[np.int32]:
    """Values ``index`` (any order) of an array packed at ``offset`` with
    base 0, as ``int32``: only those are read."""
    if width == 0:
        return np.zeros(len(index), dtype=np.int32)
    plain = _PLAIN.get(width)
    if plain is not None:
        size = plain.itemsize
        end = offset + (int(index.max()) + 1) * size if len(index) else offset
        return packed.bytes[offset:end].view(plain)[index].astype(np.int32)
    bitpos = index * width
    raw = packed.words[offset + (bitpos >> 3)] >> (bitpos & 7).astype(np.uint32)
    raw &= np.uint32((1 << width) - 1)
    out: NDArray[np.int32] = raw.astype(np.int32)
    return out


def _strided(words: NDArray[np.uint32], offset: int, count: int, width: int) -> NDArray[np.uint32]:
    groups = (count + 7) >> 3
    out = np.empty((groups, 8), dtype=np.uint32)
    for lane in range(8):
        bit = lane * width
        # Lane ``lane`` of every group: a word every ``width`` bytes.
        start = offset + (bit >> 3)
        np.right_shift(words[start : start + groups * width : width], bit & 7, out=out[:, lane])
    out &= np.uint32((1 << width) - 1)
    return out.reshape(-1)[:count]
