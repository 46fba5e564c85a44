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


def choose_widths(spans: NDArray[Any]) -> NDArray[np.int64]:
    """:func:`choose_width` of each of ``spans`` (non-negative), at once."""
    spans = np.asarray(spans, dtype=np.uint64)
    widths = np.zeros(len(spans), dtype=np.int64)
    for bit in range(64):
        # The bit length: one more for each power of two not above the span.
        above = spans >= np.uint64(1 << bit)
        if not above.any():
            break
        widths += above
    widths[widths > 25] = 32
    return widths


def pack_segments(
    values: NDArray[Any], starts: NDArray[np.int64], widths: NDArray[np.int64]
) -> tuple[bytes, NDArray[np.int64]]:
    """Many arrays packed one after another, each as :func:`pack` packs it
    with base 0: ``values[starts[i]:starts[i + 1]]`` (non-negative, below
    ``2 ** widths[i]``) at ``widths[i]`` bits each, starting on a byte.

    Returns the bytes and where each array starts in them (and, last, their
    end).  The arrays' bits are laid out with numpy, all at once: each value
    is or-ed into the one or two 64-bit words its bits fall in, the words
    of each value sorted already, so that a reduction per word does it.
    """
    counts = np.diff(starts)
    nbytes = (counts * widths + 7) >> 3
    byte_starts = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(nbytes, out=byte_starts[1:])
    total = int(byte_starts[-1])
    if not total:
        return b"", byte_starts
    words = np.zeros((total >> 3) + 2, dtype=np.uint64)
    end = int(starts[-1])
    for at in range(int(starts[0]), end, _CHUNK_VALUES):
        # A run of values (a long array is cut too): each value's array
        # gives its width and where its bits begin.
        index = np.arange(at, min(at + _CHUNK_VALUES, end), dtype=np.int64)
        segment = np.searchsorted(starts, index, side="right") - 1
        width = widths[segment]
        bit = byte_starts[segment] * 8 + (index - starts[segment]) * width
        del index, segment, width
        value = np.asarray(values[at : at + len(bit)]).astype(np.uint64)
        shift = (bit & 63).astype(np.uint64)
        word = bit >> 6
        del bit
        _or_into(words, word, value << shift)
        # The bits past the word's end go into the next one ((v >> 1) >> 63
        # is 0, where v >> 64 would not be defined).
        _or_into(words, word + 1, (value >> np.uint64(1)) >> (np.uint64(63) - shift))
    return words.view(np.uint8)[:total].tobytes(), byte_starts


#: Values packed at once by :func:`pack_segments` (memory: some 60 bytes
#: each), a common word's millions of positions included.
_CHUNK_VALUES = 1 << 18


def _or_into(words: NDArray[np.uint64], index: NDArray[np.int64], bits: NDArray[np.uint64]) -> None:
    """``words[index] |= bits`` where ``index`` does not decrease (values
    sharing a word are or-ed together first: their bits do not overlap)."""
    if not len(index):
        return
    heads = np.flatnonzero(np.diff(index)) + 1
    heads = np.concatenate(([0], heads))
    words[index[heads]] |= np.bitwise_or.reduceat(bits, heads)


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


def unpack_many(
    packed: PackedFile,
    offsets: NDArray[np.int64],
    counts: NDArray[np.int64],
    bases: NDArray[np.int64],
    widths: NDArray[np.int64],
    skip: NDArray[np.int64] | None = None,
) -> NDArray[np.int64]:
    """Several packed arrays (array ``t``: ``counts[t]`` values at byte
    ``offsets[t]``, ``bases[t]``, ``widths[t]`` bits), decoded end to end;
    with ``skip``, array ``t``'s values from its ``skip[t]``-th on.

    One gather for all of them, whatever their widths: value ``j`` of array
    ``t`` is the unaligned little-endian word at byte ``offsets[t] + (j *
    width >> 3)``, shifted by the bit within that byte and masked.  (Every
    width is laid out so: 8, 16 and 32 are the plain arrays they are read
    as elsewhere, 0 is all ``base``.)  Many short arrays cost a dozen numpy
    calls in all instead of a dozen each.
    """
    total = int(counts.sum())
    starts = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    # Value ``i`` of the output (the ``i - starts[t]``-th of array ``t``)
    # starts at bit ``8 * offsets[t] + (i - starts[t] + skip[t]) * widths[t]``.
    first_bit = 8 * offsets - starts * widths
    if skip is not None:
        first_bit += skip * widths
    bits = np.arange(total, dtype=np.int64)
    bits *= np.repeat(widths, counts)
    bits += np.repeat(first_bit, counts)
    raw = packed.words[bits >> 3]
    raw >>= (bits & 7).astype(np.uint32)
    raw &= np.repeat(((np.int64(1) << widths) - 1).astype(np.uint32), counts)
    out: NDArray[np.int64] = raw.astype(np.int64)
    if bases.any():
        out += np.repeat(bases, counts)
    return out
