"""Bit-packed arrays: packing many at once gives the bytes of packing each alone."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from searchengine.index.packing import (
    READ_PAST,
    PackedFile,
    choose_width,
    choose_widths,
    pack,
    pack_segments,
    unpack,
)

# Arrays of small numbers, of numbers around every width's limit, and empty ones.
_ARRAYS = st.lists(
    st.integers(min_value=0, max_value=32).flatmap(
        lambda bits: st.lists(
            st.integers(min_value=0, max_value=(1 << bits) - 1 if bits else 0), max_size=70
        )
    ),
    max_size=25,
)


def _packed_alone(arrays: list[list[int]]) -> list[bytes]:
    return [pack(np.array(a, dtype=np.int64), base=0)[2] if a else b"" for a in arrays]


@settings(max_examples=300, deadline=None)
@given(_ARRAYS)
def test_arrays_packed_together_are_each_packed_alone(arrays: list[list[int]]) -> None:
    starts = np.zeros(len(arrays) + 1, dtype=np.int64)
    np.cumsum([len(a) for a in arrays], out=starts[1:])
    values = np.array([v for a in arrays for v in a], dtype=np.int64)
    widths = choose_widths(np.array([max(a, default=0) for a in arrays], dtype=np.int64))
    data, byte_starts = pack_segments(values, starts, widths)
    alone = _packed_alone(arrays)
    assert data == b"".join(alone)
    assert [data[a:b] for a, b in itertools.pairwise(byte_starts.tolist())] == alone
    # And each reads back.
    packed = PackedFile(data + bytes(READ_PAST))
    for n, array in enumerate(arrays):
        found = unpack(packed, int(byte_starts[n]), len(array), 0, int(widths[n]))
        assert found.tolist() == array


@given(st.lists(st.integers(min_value=0, max_value=(1 << 40)), max_size=50))
def test_widths_at_once_are_each_width(spans: list[int]) -> None:
    assert choose_widths(np.array(spans, dtype=np.int64)).tolist() == [
        choose_width(span) for span in spans
    ]


def test_long_arrays_are_packed_in_chunks_alike() -> None:
    # More values than one chunk of pack_segments: chunks end on array bounds.
    rng = np.random.default_rng(5)
    arrays = [
        rng.integers(0, 1 << int(rng.integers(0, 26)), int(n)).tolist()
        for n in rng.integers(1, 200_000, 12)
    ]
    starts = np.zeros(len(arrays) + 1, dtype=np.int64)
    np.cumsum([len(a) for a in arrays], out=starts[1:])
    values = np.concatenate([np.array(a, dtype=np.int64) for a in arrays])
    widths = choose_widths(np.array([max(a) for a in arrays], dtype=np.int64))
    data, _ = pack_segments(values, starts, widths)
    assert data == b"".join(_packed_alone(arrays))
