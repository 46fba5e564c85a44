"""searchengine's own Whoosh codec: postings as packed arrays.

Whoosh's ``W3`` codec stores each block of up to 128 postings as a zlib
compressed pickle of a tuple, positions inside it: to reach a term's ids a
reader inflates and unpickles every block, positions included, and a
posting costs about 14 bytes.  This codec (``whoosh.codec.base`` is the
extension point, as Lucene's codecs are) stores per term three packed
arrays (:mod:`searchengine.index.packing`) that numpy reads directly:

``SEG.docs``
    per term, at the term's ``docs`` offset: the gaps between successive
    document numbers (the first number is in the term's entry), then each
    posting's count ``k``, its weight being ``float32(k * field boost)``;
    a term whose weights cannot be written so (a per-document boost) stores
    its ``float32`` weights after the counts.
``SEG.pos``
    per term, at its ``pos`` offset, for fields whose format is
    :class:`~searchengine.index.fieldformat.NewsPositions`: every posting's
    word positions, one after the other, absolute (not gaps), so that the
    positions of posting ``i`` start at ``sum(k[:i])`` without decoding
    anything before them.  Fields of other formats with values store each
    value's length (packed) and the values' bytes here instead.
``SEG.terms``
    Whoosh's ordered hash file (``whoosh.filedb.filetables``), keyed by
    field number and term bytes as ``W3``'s is, so Whoosh's prefix, range
    and fuzzy expansion work unchanged; each value is a fixed 50-byte
    :class:`NewsTermInfo`: the statistics Whoosh scores with, the two
    offsets, and each array's base and width.

Stored fields are written in compressed blocks of many documents
(:mod:`searchengine.index.storedblocks`, index format 5); columns and field
lengths stay Whoosh's ``W3`` per-document files.  ``NewsMatcher`` lets Whoosh's own searcher (the reference for every
query, and what ``similar`` and highlighting use) read the arrays;
:func:`searchengine.index.postings.term_postings` hands them to the query
executor without a matcher.  The layout changed the index format (4).
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import itertools
import mmap
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from whoosh.codec import base
from whoosh.codec.whoosh3 import W3Codec, W3Segment
from whoosh.filedb import filetables
from whoosh.filedb.structfile import StructFile
from whoosh.matching import LeafMatcher, ReadTooFar
from whoosh.reading import TermInfo, TermNotFound
from whoosh.system import pack_ushort, unpack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from searchengine.index.fieldformat import NewsPositions, decode_positions, encode_positions
from searchengine.index.packing import (
    READ_PAST,
    PackedFile,
    choose_widths,
    pack,
    pack_segments,
    packed_size,
    unpack,
    unpack_at,
    unpack_many,
)
from searchengine.index.postings import Positions, RangePostings, TermPostings, select_ranges
from searchengine.index.storedblocks import NewsPerDocReader, NewsPerDocWriter, map_file
from searchengine.index.whoosh_private import RECORD_HEADER, TermTableWriter, ordered_index

TERMS_EXT = ".terms"
DOCS_EXT = ".docs"
POS_EXT = ".pos"
#: The first bytes of the docs and positions files (offset 0 is never a term's).
DOCS_MAGIC = b"SEdocs1\n"
POS_MAGIC = b"SEpos1\n\0"

#: Flags of a term's entry.
EXPLICIT_WEIGHTS = 1
HAS_POSITIONS = 2
HAS_VALUES = 4
#: One posting, kept whole in the entry (nothing in ``.docs``).
ONE_POSTING = 8
#: Offsets past 4 GiB: 64-bit offsets in the entry.
WIDE_OFFSETS = 16

#: Up to this many bytes of positions, a term is encoded and decoded in
#: Python: most terms are rare, and numpy's per-call cost would dominate.
_SMALL_BYTES = 48


class NewsCodec(W3Codec):  # type: ignore[misc]
    """``W3`` for columns; packed arrays for postings; stored fields in blocks."""

    def per_document_writer(self, storage: Any, segment: Any) -> NewsPerDocWriter:
        return NewsPerDocWriter(self, storage, segment)

    def per_document_reader(self, storage: Any, segment: Any) -> NewsPerDocReader:
        return NewsPerDocReader(storage, segment)

    def field_writer(self, storage: Any, segment: Any) -> NewsFieldWriter:
        return NewsFieldWriter(storage, segment)

    def terms_reader(self, storage: Any, segment: Any) -> NewsTermsReader:
        return NewsTermsReader(storage, segment)

    def postings_reader(self, *args: Any, **kwargs: Any) -> Any:
        # W3's reader of W3 blocks: only term vectors (which our schema has
        # none of) are still written as such, and they are read directly.
        raise NotImplementedError("NewsCodec postings are read through NewsTermsReader")

    def new_segment(self, storage: Any, indexname: str) -> Any:
        return W3Segment(self, indexname)


# Term entries


class NewsTermInfo(TermInfo):  # type: ignore[misc]
    """A term's entry: Whoosh's statistics and where its arrays are.

    The statistics are kept in attributes of our own and served through
    ``TermInfo``'s public methods, with W3's values (lengths rounded
    through a length byte, weights as ``float32``).
    """

    # An entry is one of four layouts (its flags byte first): a term with one
    # posting keeps it whole (flags, position width, length byte, the doc,
    # its count, its weight, positions offset); others keep the statistics
    # and each array's base and width (flags, id width, k width, position
    # width, min and max length bytes, doc frequency, first and last doc,
    # smallest gap, smallest count, total and max weight, the two offsets).
    # Offsets are 32-bit unless a file passed 4 GiB.  Most terms of a news
    # corpus occur once: 19 bytes instead of 42.
    _one = struct.Struct("<3B2IfI")
    _one_wide = struct.Struct("<3B2IfQ")
    _many = struct.Struct("<6B5I2f2I")
    _many_wide = struct.Struct("<6B5I2f2Q")

    def __init__(self) -> None:
        super().__init__()
        self.flags = 0
        self.df = self.first = self.last = 0
        self.total = self.top = 0.0
        self.min_length_byte = self.max_length_byte = 0
        self.id_base = self.id_width = 0
        self.k_base = self.k_width = 0
        self.pos_width = 0
        self.docs_offset = self.pos_offset = 0

    def weight(self) -> float:
        return self.total

    def doc_frequency(self) -> int:
        return self.df

    def min_length(self) -> int:
        return byte_to_length(self.min_length_byte)  # type: ignore[no-any-return]

    def max_length(self) -> int:
        return byte_to_length(self.max_length_byte)  # type: ignore[no-any-return]

    def max_weight(self) -> float:
        return self.top

    def min_id(self) -> int:
        return self.first

    def max_id(self) -> int:
        return self.last

    def to_bytes(self) -> bytes:
        flags = self.flags
        if max(self.docs_offset, self.pos_offset) >= 1 << 32:
            flags |= WIDE_OFFSETS
        if flags & ONE_POSTING:
            layout = self._one_wide if flags & WIDE_OFFSETS else self._one
            return layout.pack(
                flags,
                self.pos_width,
                self.max_length_byte,
                self.first,
                self.k_base,
                self.total,
                self.pos_offset,
            )
        layout = self._many_wide if flags & WIDE_OFFSETS else self._many
        return layout.pack(
            flags,
            self.id_width,
            self.k_width,
            self.pos_width,
            self.min_length_byte,
            self.max_length_byte,
            self.df,
            self.first,
            self.last,
            self.id_base,
            self.k_base,
            self.total,
            self.top,
            self.docs_offset,
            self.pos_offset,
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> NewsTermInfo:
        info = cls()
        flags = data[0]
        if flags & ONE_POSTING:
            layout = cls._one_wide if flags & WIDE_OFFSETS else cls._one
            (
                info.flags,
                info.pos_width,
                info.max_length_byte,
                info.first,
                info.k_base,
                info.total,
                info.pos_offset,
            ) = layout.unpack(data)
            info.df = 1
            info.last = info.first
            info.top = info.total
            # W3's shortest length ignores a document without the field.
            info.min_length_byte = info.max_length_byte
            return info
        layout = cls._many_wide if flags & WIDE_OFFSETS else cls._many
        (
            info.flags,
            info.id_width,
            info.k_width,
            info.pos_width,
            info.min_length_byte,
            info.max_length_byte,
            info.df,
            info.first,
            info.last,
            info.id_base,
            info.k_base,
            info.total,
            info.top,
            info.docs_offset,
            info.pos_offset,
        ) = layout.unpack(data)
        return info


# Writing


def _f32(values: NDArray[Any]) -> NDArray[np.float32]:
    return values.astype(np.float32)


def _weights_from(k: NDArray[np.int64], scale: float) -> NDArray[np.float64]:
    """Posting weights from counts: the one formula writer and reader share."""
    return (k.astype(np.float64) * scale).astype(np.float32).astype(np.float64)


def _statistics(
    ids: NDArray[Any], w32: NDArray[np.float32], field_lengths: NDArray[Any]
) -> NewsTermInfo:
    """A term's entry with Whoosh's statistics filled in, as W3 computes them."""
    info = NewsTermInfo()
    info.df = len(ids)
    info.first = int(ids[0])
    info.last = int(ids[-1])
    # Packed as float32, as W3 packs them.
    info.total = float(w32.astype(np.float64).sum())
    info.top = float(w32.max())
    present = field_lengths[field_lengths > 0]
    info.min_length_byte = length_to_byte(int(present.min())) if len(present) else 0
    info.max_length_byte = length_to_byte(int(field_lengths.max()))
    return info


def _counts(w32: NDArray[np.float32], scale: float) -> tuple[NDArray[np.int64], bool]:
    """Counts ``k`` whose ``float32(k * scale)`` are the weights, and whether
    they are exact (else the weights are stored as they are)."""
    if scale > 0:
        k = np.rint(w32 / np.float32(scale)).astype(np.int64)
        if (k >= 0).all() and np.array_equal(_weights_from(k, scale), w32):
            return k, True
    return np.ones(len(w32), dtype=np.int64), False


class TermBatch(Protocol):
    """Consecutive terms of one field with all their postings, as arrays
    (:class:`searchengine.index.inversion.TermBatch` is one): what
    :meth:`NewsFieldWriter.write_batch` writes.  Term ``i``'s postings are
    ``starts[i]:starts[i + 1]``; ``counts`` and ``positions`` (one posting
    after another) may be None: then each posting's value (:meth:`encoded`)
    is all there is."""

    @property
    def terms(self) -> list[bytes]: ...

    @property
    def starts(self) -> NDArray[np.int64]: ...

    @property
    def docs(self) -> NDArray[np.int64]: ...

    @property
    def weights(self) -> NDArray[np.float64]: ...

    @property
    def counts(self) -> NDArray[np.int64] | None: ...

    @property
    def positions(self) -> NDArray[np.int64] | None: ...

    def __len__(self) -> int: ...

    def encoded(self) -> tuple[NDArray[np.int64], bytes]:
        """Each posting's value (the field format's bytes): lengths, bytes."""
        ...


class NewsFieldWriter(base.FieldWriter):  # type: ignore[misc]
    """Writes a segment's terms and postings in the packed layout.

    Whoosh's protocol (``start_field``/``start_term``/``add``/
    ``finish_term``) collects one term's postings and writes them as
    arrays; :meth:`write_term` takes a whole term's arrays at once (the
    segment writer's path, :mod:`searchengine.index.segments`).
    """

    def __init__(self, storage: Any, segment: Any) -> None:
        self._table = TermTableWriter(segment.create_file(storage, TERMS_EXT))
        self._fieldmap: dict[str, int] = {}
        self._scales: dict[str, float] = {}
        self._table.extras["fieldmap"] = self._fieldmap
        self._table.extras["scales"] = self._scales
        self._docs = segment.create_file(storage, DOCS_EXT)
        self._docs.write(DOCS_MAGIC)
        self._pos = segment.create_file(storage, POS_EXT)
        self._pos.write(POS_MAGIC)
        self._fieldname: str | None = None
        self._field_number = 0
        self._scale = 1.0
        self._positions = False
        self._has_values = False
        self._term: bytes | None = None
        self._buffer: tuple[list[int], list[float], list[bytes], list[int]] | None = None
        self.is_closed = False

    def start_field(self, fieldname: str, fieldobj: Any) -> None:
        fieldid = self._fieldmap.setdefault(fieldname, len(self._fieldmap))
        fmt = fieldobj.format
        self._fieldname = fieldname
        self._field_number = fieldid
        self._scale = float(fmt.field_boost)
        self._scales[fieldname] = self._scale
        self._positions = isinstance(fmt, NewsPositions)
        self._has_values = not self._positions and fmt.fixed_value_size() != 0

    def start_term(self, text: bytes) -> None:
        if self._fieldname is None:
            raise ValueError("start_term called before start_field")
        self._term = text
        self._buffer = ([], [], [], [])

    def add(self, docnum: int, weight: float, vbytes: bytes | None, length: int | None) -> None:
        assert self._buffer is not None
        ids, weights, values, lengths = self._buffer
        ids.append(docnum)
        weights.append(weight)
        values.append(vbytes or b"")
        lengths.append(length or 0)

    def finish_term(self) -> None:
        assert self._buffer is not None and self._term is not None
        ids, weights, values, lengths = self._buffer
        self.write_term(
            self._term,
            np.array(ids, dtype=np.int64),
            np.array(weights, dtype=np.float64),
            np.array([len(v) for v in values], dtype=np.int64),
            b"".join(values),
            np.array(lengths, dtype=np.int64),
        )
        self._buffer = None
        self._term = None

    def finish_field(self) -> None:
        self._fieldname = None

    def write_term(
        self,
        term: bytes,
        ids: NDArray[Any],
        weights: NDArray[Any],
        value_lengths: NDArray[Any],
        values: bytes,
        field_lengths: NDArray[Any],
        *,
        decoded: tuple[NDArray[Any], NDArray[Any]] | None = None,
    ) -> None:
        """Write one term of the current field: its document numbers
        (ascending), weights, each posting's value (the field format's
        bytes, one after the other, with their lengths) and the length of
        the field in each posting's document (0 when unknown).  For a
        positions field the counts and positions may be given ``decoded``
        instead of as values (a merge: they were read as arrays)."""
        w32 = _f32(weights)
        info = _statistics(ids, w32, field_lengths)
        positions = None
        if self._positions:
            if decoded is not None:
                k, positions = decoded
            else:
                k, positions = decode_news_positions(values, value_lengths)
            info.flags |= HAS_POSITIONS
            exact = np.array_equal(_weights_from(k, self._scale), w32)
        else:
            k, exact = _counts(w32, self._scale)
        if not exact:
            info.flags |= EXPLICIT_WEIGHTS

        if len(ids) == 1:
            # The entry holds the posting: its count, and its weight as the total.
            info.flags |= ONE_POSTING
            info.k_base = int(k[0])
        else:
            docs = self._docs
            info.docs_offset = docs.tell()
            info.id_base, info.id_width, data = pack(np.diff(ids))
            docs.write(data)
            info.k_base, info.k_width, data = pack(k)
            docs.write(data)
            if not exact:
                docs.write(w32.astype("<f4").tobytes())

        info.pos_offset = self._pos.tell()
        if positions is not None:
            _, info.pos_width, data = pack(positions, base=0)
            self._pos.write(data)
        elif self._has_values:
            info.flags |= HAS_VALUES
            lbase, lwidth, data = pack(value_lengths)
            self._pos.write(struct.pack("<IB", lbase, lwidth) + data + values)
        self._table.add(pack_ushort(self._field_number) + term, info.to_bytes())

    def write_batch(self, batch: TermBatch, field_lengths: NDArray[np.int64]) -> None:
        """Write the terms of ``batch`` (of the current field, after any
        written so far): what :meth:`write_term` writes for each, with the
        statistics, entries and packed arrays of all of them computed at
        once.  ``field_lengths`` is the field's length in each document of
        the segment.  Terms whose weights are not their counts times the
        field's boost, or whose values are not positions, are written one at
        a time by :meth:`write_term`."""
        if not len(batch):
            return
        arrays = self._batch_arrays(batch)
        if arrays is not None and not self._past_4_gib(len(batch.docs), arrays[1]):
            self._write_arrays(batch, arrays[0], arrays[1], field_lengths)
            return
        for term, ids, weights, lengths, values in _term_slices(batch):
            self.write_term(term, ids, weights, lengths, values, field_lengths[ids])

    def _past_4_gib(self, postings: int, positions: NDArray[np.int64] | None) -> bool:
        """Whether a batch's arrays could reach past 4 GiB into a file (its
        entries then need 64-bit offsets: written one by one).  A posting
        takes at most 8 bytes of gaps and counts, a position 4."""
        docs_end: int = self._docs.tell() + 8 * postings
        pos_end: int = self._pos.tell() + 4 * (0 if positions is None else len(positions))
        return max(docs_end, pos_end) >= 1 << 32

    def _batch_arrays(
        self, batch: TermBatch
    ) -> tuple[NDArray[np.int64], NDArray[np.int64] | None] | None:
        """The counts and positions (None for a field without) that give
        every posting of ``batch`` exactly the weight it has, or None."""
        w32 = _f32(batch.weights)
        if self._positions:
            if batch.counts is None or batch.positions is None:
                lengths, values = batch.encoded()
                counts, positions = decode_news_positions(values, lengths)
            else:
                counts, positions = batch.counts, batch.positions
            exact = np.array_equal(_weights_from(counts, self._scale), w32)
            return (counts, positions) if exact else None
        if self._has_values:
            return None
        k, exact = _counts(w32, self._scale)
        return (k, None) if exact else None

    def _write_arrays(
        self,
        batch: TermBatch,
        counts: NDArray[np.int64],
        positions: NDArray[np.int64] | None,
        field_lengths: NDArray[np.int64],
    ) -> None:
        starts, docs = batch.starts, batch.docs
        heads = starts[:-1]
        df = np.diff(starts)
        one = df == 1
        entries = _BatchEntries(len(df))
        entries.flags[:] = np.where(one, ONE_POSTING, 0) | (
            HAS_POSITIONS if positions is not None else 0
        )
        entries.df, entries.first, entries.last = df, docs[heads], docs[starts[1:] - 1]
        w32 = _weights_from(counts, self._scale).astype(np.float32)
        entries.total = _term_sums(w32, heads, self._scale)
        entries.top = np.maximum.reduceat(w32, heads)
        lengths = field_lengths[docs]
        entries.max_length_byte = _length_bytes(np.maximum.reduceat(lengths, heads))
        present = np.minimum.reduceat(np.where(lengths > 0, lengths, _NO_LENGTH), heads)
        entries.min_length_byte = np.where(
            present == _NO_LENGTH, 0, _length_bytes(np.minimum(present, _NO_LENGTH - 1))
        )
        entries.k_base = np.where(one, counts[heads], 0)
        self._write_docs(entries, np.flatnonzero(~one), starts, docs, counts)
        entries.pos_offset = np.full(len(df), self._pos.tell(), dtype=np.int64)
        if positions is not None:
            term_starts = _offsets_at(counts, starts)
            widths = choose_widths(np.maximum.reduceat(positions, term_starts[:-1]))
            data, byte_starts = pack_segments(positions, term_starts, widths)
            entries.pos_width = widths
            entries.pos_offset += byte_starts[:-1]
            self._pos.write(data)
        number = pack_ushort(self._field_number)
        self._table.add_many(list(map(number.__add__, batch.terms)), entries.values())

    def _write_docs(
        self,
        entries: _BatchEntries,
        multi: NDArray[np.int64],
        starts: NDArray[np.int64],
        docs: NDArray[np.int64],
        counts: NDArray[np.int64],
    ) -> None:
        """The gaps and counts of the terms with several postings, packed
        into the docs file one term after another (gaps, then counts)."""
        if not len(multi):
            return
        first, last = starts[multi], starts[multi + 1]
        gaps = np.diff(docs)
        # Segment 2j: term j's gaps (in ``gaps``), 2j + 1: its counts (in
        # ``counts``, after the gaps in ``source``).
        source = np.concatenate((gaps, counts))
        seg_first = np.empty(2 * len(multi), dtype=np.int64)
        seg_last = np.empty(2 * len(multi), dtype=np.int64)
        seg_first[0::2], seg_last[0::2] = first, last - 1
        seg_first[1::2], seg_last[1::2] = first + len(gaps), last + len(gaps)
        seg_starts = np.zeros(len(seg_first) + 1, dtype=np.int64)
        np.cumsum(seg_last - seg_first, out=seg_starts[1:])
        values = source[_ranges(seg_first, seg_last, seg_starts)]
        bases = np.minimum.reduceat(values, seg_starts[:-1])
        widths = choose_widths(np.maximum.reduceat(values, seg_starts[:-1]) - bases)
        values -= np.repeat(bases, np.diff(seg_starts))
        data, byte_starts = pack_segments(values, seg_starts, widths)
        entries.docs_offset[multi] = self._docs.tell() + byte_starts[0:-1:2]
        entries.id_base[multi], entries.id_width[multi] = bases[0::2], widths[0::2]
        entries.k_base[multi], entries.k_width[multi] = bases[1::2], widths[1::2]
        self._docs.write(data)

    def discard(self) -> None:
        """Close the files without finishing them (a cancelled segment,
        whose files are about to be removed; closing may fail on a full
        disk, which does not matter then)."""
        for handle in (self._table.dbfile, self._docs, self._pos):
            with contextlib.suppress(OSError, ValueError):
                # The raw file: a StructFile would stop at a failing flush.
                handle.file.close()
        self.is_closed = True

    def close(self) -> None:
        # Decoders may read a few bytes past an array's end.
        self._docs.write(bytes(READ_PAST))
        self._pos.write(bytes(READ_PAST))
        self._table.close()
        self._docs.close()
        self._pos.close()
        self.is_closed = True


#: Bytes of encoded positions decoded at a time: the temporaries (several
#: 64-bit numbers a byte) stay bounded for a common word's postings in a
#: large segment (megabytes of them), which once took hundreds of MB.
_DECODE_CHUNK = 1 << 18


def decode_news_positions(
    values: bytes, lengths: NDArray[Any]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Counts and positions of postings encoded by ``encode_positions``
    (each: a varint count, then varint gaps), all at once (a long run of
    postings a chunk of them at a time)."""
    if len(values) <= _DECODE_CHUNK:
        return _decode_positions(values, lengths)
    ends = np.cumsum(lengths)
    # Postings cut where the bytes pass each multiple of the chunk size.
    cuts = np.searchsorted(ends, np.arange(_DECODE_CHUNK, int(ends[-1]), _DECODE_CHUNK))
    bounds = np.unique(np.concatenate(([0], cuts + 1, [len(lengths)])))
    bounds = bounds[bounds <= len(lengths)]
    counts, positions = [], []
    for first, last in itertools.pairwise(bounds.tolist()):
        start = int(ends[first - 1]) if first else 0
        part = _decode_positions(values[start : int(ends[last - 1])], lengths[first:last])
        counts.append(part[0])
        positions.append(part[1])
    return np.concatenate(counts), np.concatenate(positions)


def _decode_positions(
    values: bytes, lengths: NDArray[Any]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    if len(lengths) and not lengths.all():
        raise ValueError("a posting of a positions field has no positions")
    if len(values) <= _SMALL_BYTES:
        # A rare term: a dozen numpy calls would cost more than the bytes.
        sizes: list[int] = []
        flat: list[int] = []
        start = 0
        for length in lengths.tolist():
            found = decode_positions(values[start : start + length])
            sizes.append(len(found))
            flat += found
            start += length
        return np.array(sizes, dtype=np.int64), np.array(flat, dtype=np.int64)
    raw = np.frombuffer(values, dtype=np.uint8)
    ends = np.flatnonzero(raw < 0x80)
    if len(ends) == len(raw):
        numbers = raw.astype(np.int64)
    else:
        starts = np.empty_like(ends)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        within = np.arange(len(raw), dtype=np.int64) - np.repeat(starts, ends - starts + 1)
        payload = (raw & 0x7F).astype(np.int64) << (7 * within)
        numbers = np.add.reduceat(payload, starts)
    # The number at which each posting starts is its count.
    posting_bytes = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=posting_bytes[1:])
    heads = np.searchsorted(ends, posting_bytes)
    counts = numbers[heads]
    gaps = np.delete(numbers, heads)
    if len(gaps) != int(counts.sum()):
        raise ValueError("positions do not match their counts")
    running = np.cumsum(gaps)
    first = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=first[1:])
    before = np.concatenate(([0], running))[first]
    return counts, running - np.repeat(before, counts)


def encode_news_positions(
    offsets: NDArray[np.int64], positions: NDArray[Any]
) -> tuple[NDArray[np.int64], bytes]:
    """Each posting's value as ``encode_positions`` encodes it (a varint
    count, then varint gaps), all at once: ``(byte lengths, bytes)``.
    Every posting must have a position."""
    if len(positions) <= _SMALL_BYTES // 2:
        bounds = offsets.tolist()
        flat = positions.tolist()
        parts = [encode_positions(flat[a:b]) for a, b in itertools.pairwise(bounds)]
        return np.array([len(part) for part in parts], dtype=np.int64), b"".join(parts)
    counts = np.diff(offsets)
    postings = len(counts)
    heads = offsets[:-1] + np.arange(postings)
    gaps = np.diff(positions.astype(np.int64), prepend=0)
    gaps[offsets[:-1]] = positions[offsets[:-1]]
    numbers = np.empty(postings + len(positions), dtype=np.int64)
    numbers[heads] = counts
    rest = np.ones(len(numbers), dtype=bool)
    rest[heads] = False
    numbers[rest] = gaps
    sizes = np.ones(len(numbers), dtype=np.int64)
    for n in range(1, 5):
        sizes += numbers >= 1 << (7 * n)
    starts = np.cumsum(sizes) - sizes
    out = np.empty(int(sizes.sum()), dtype=np.uint8)
    for n in range(int(sizes.max(initial=0))):
        chosen = sizes > n
        low = (numbers[chosen] >> (7 * n)) & 0x7F
        out[starts[chosen] + n] = low | ((sizes[chosen] > n + 1) << 7)
    lengths = np.add.reduceat(sizes, heads) if postings else np.zeros(0, dtype=np.int64)
    return lengths, out.tobytes()


#: ``NewsTermInfo``'s four layouts as numpy records, by size (the fields
#: before the offsets, then the offsets, 32 or 64 bits).
_ONE_FIELDS = [
    ("flags", "u1"),
    ("pos_width", "u1"),
    ("max_length_byte", "u1"),
    ("first", "<u4"),
    ("k_base", "<u4"),
    ("total", "<f4"),
]
_MANY_FIELDS = [
    ("flags", "u1"),
    ("id_width", "u1"),
    ("k_width", "u1"),
    ("pos_width", "u1"),
    ("min_length_byte", "u1"),
    ("max_length_byte", "u1"),
    ("df", "<u4"),
    ("first", "<u4"),
    ("last", "<u4"),
    ("id_base", "<u4"),
    ("k_base", "<u4"),
    ("total", "<f4"),
    ("top", "<f4"),
]
ENTRY_RECORDS: dict[int, np.dtype[Any]] = {
    record.itemsize: record
    for offset in ("<u4", "<u8")
    for record in (
        np.dtype([*_ONE_FIELDS, ("pos_offset", offset)]),
        np.dtype([*_MANY_FIELDS, ("docs_offset", offset), ("pos_offset", offset)]),
    )
}


class _BatchEntries:
    """The entries (:class:`NewsTermInfo`) of a batch of terms, as columns:
    filled with numpy, laid out by numpy in the entry layouts."""

    # The layouts of ENTRY_RECORDS with 32-bit offsets: a segment's
    # writer starts its files small; offsets past 4 GiB take the per-term path.
    _ONE = np.dtype([*_ONE_FIELDS, ("pos_offset", "<u4")])
    _MANY = np.dtype([*_MANY_FIELDS, ("docs_offset", "<u4"), ("pos_offset", "<u4")])

    def __init__(self, count: int) -> None:
        zeros = np.zeros(count, dtype=np.int64)
        self.flags = zeros.copy()
        self.df = self.first = self.last = zeros
        self.total = self.top = np.zeros(count, dtype=np.float64)
        self.min_length_byte = self.max_length_byte = zeros
        self.id_base, self.id_width = zeros.copy(), zeros.copy()
        self.k_base, self.k_width = zeros.copy(), zeros.copy()
        self.pos_width = zeros
        self.docs_offset, self.pos_offset = zeros.copy(), zeros

    def values(self) -> list[bytes]:
        """Each term's entry, as :meth:`NewsTermInfo.to_bytes` makes it."""
        one = (self.flags & ONE_POSTING) != 0
        out: list[bytes] = [b""] * len(one)
        for layout, chosen in (
            (self._ONE, np.flatnonzero(one)),
            (self._MANY, np.flatnonzero(~one)),
        ):
            if not len(chosen):
                continue
            table = np.zeros(len(chosen), dtype=layout)
            for name in layout.names or ():
                table[name] = getattr(self, name)[chosen]
            data = table.tobytes()
            size = layout.itemsize
            for n, term in enumerate(chosen.tolist()):
                out[term] = data[n * size : (n + 1) * size]
        return out


#: A field length above any (a document's field is never this long).
_NO_LENGTH = np.int64(1) << 62
_LENGTH_BYTES = np.array([byte_to_length(n) for n in range(256)], dtype=np.int64)


def _length_bytes(lengths: NDArray[np.int64]) -> NDArray[np.int64]:
    """``length_to_byte`` of each length, at once."""
    found = np.searchsorted(_LENGTH_BYTES, lengths, side="left")
    return np.where(lengths >= _LENGTH_BYTES[-1], 255, found)


def _term_sums(
    w32: NDArray[np.float32], heads: NDArray[np.int64], scale: float
) -> NDArray[np.float64]:
    """Each term's total weight, as ``_statistics`` sums it (``float64``)."""
    w64 = w32.astype(np.float64)
    if (scale * 1024).is_integer():
        # Every weight is a multiple of 1/1024 and every sum of them below
        # 2**42 is exact in float64: the order of the additions does not matter.
        return np.add.reduceat(w64, heads)
    ends = [*heads[1:].tolist(), len(w64)]
    return np.array([w64[a:b].sum() for a, b in zip(heads.tolist(), ends, strict=True)])


def _offsets_at(counts: NDArray[np.int64], starts: NDArray[np.int64]) -> NDArray[np.int64]:
    """Where the values of postings ``starts`` begin, counting ``counts`` each."""
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets[starts]


def _ranges(
    first: NDArray[np.int64], last: NDArray[np.int64], out_starts: NDArray[np.int64]
) -> NDArray[np.int64]:
    """The indices ``first[i]:last[i]`` of every range, one range after another."""
    index = np.arange(int(out_starts[-1]), dtype=np.int64)
    index += np.repeat(first - out_starts[:-1], last - first)
    return index


def _term_slices(
    batch: TermBatch,
) -> Iterator[tuple[bytes, NDArray[np.int64], NDArray[np.float64], NDArray[np.int64], bytes]]:
    """Each term of ``batch`` as :meth:`NewsFieldWriter.write_term` takes it."""
    lengths, values = batch.encoded()
    value_offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=value_offsets[1:])
    bounds = batch.starts.tolist()
    offsets = value_offsets.tolist()
    for n, term in enumerate(batch.terms):
        a, b = bounds[n], bounds[n + 1]
        yield (
            term,
            batch.docs[a:b],
            batch.weights[a:b],
            lengths[a:b],
            values[offsets[a] : offsets[b]],
        )


# Reading


class _MappedFile(StructFile):  # type: ignore[misc]
    """A ``StructFile`` whose random reads (``get``) come from a memory map."""

    def __init__(self, fileobj: Any, mapped: Any, name: str) -> None:
        super().__init__(fileobj, name=name)
        self.mapped = mapped

    def get(self, position: int, length: int) -> bytes:
        return self.mapped[position : position + length]  # type: ignore[no-any-return]


#: Terms of up to this many postings are decoded together (longer ones
#: alone, where a term's own numpy calls cost little per posting).
_BATCH_DF = 1024
#: A run of the term table up to twice as long as the terms sought, plus
#: this, is read whole to find them.
_SCAN_SLACK = 32


@dataclass(frozen=True)
class _Entries:
    """Several terms' entries as arrays, one element a term."""

    flags: NDArray[np.int64]
    df: NDArray[np.int64]
    first: NDArray[np.int64]
    k_base: NDArray[np.int64]
    id_base: NDArray[np.int64]
    id_width: NDArray[np.int64]
    k_width: NDArray[np.int64]
    pos_width: NDArray[np.int64]
    docs_offset: NDArray[np.int64]
    pos_offset: NDArray[np.int64]
    total: NDArray[np.float64]

    def info(self, t: int) -> NewsTermInfo:
        """Term ``t``'s entry as a :class:`NewsTermInfo` (what reading one term takes)."""
        info = NewsTermInfo()
        for name in ENTRY_INTS:
            setattr(info, name, int(getattr(self, name)[t]))
        info.total = float(self.total[t])
        return info


ENTRY_INTS = [name for name in _Entries.__dataclass_fields__ if name != "total"]


def _parse_entries(
    raw: NDArray[np.uint8], starts: NDArray[np.int64], lengths: NDArray[np.int64]
) -> _Entries:
    """The entries of ``lengths[i]`` bytes at ``starts[i]`` of ``raw``, all
    at once (each layout's rows viewed as numpy records)."""
    count = len(starts)
    ints = {name: np.zeros(count, dtype=np.int64) for name in ENTRY_INTS}
    total = np.zeros(count, dtype=np.float64)
    parsed = 0
    for size, record in ENTRY_RECORDS.items():
        chosen = np.flatnonzero(lengths == size)
        if len(chosen) == 0:
            continue
        parsed += len(chosen)
        rows = raw[starts[chosen, None] + np.arange(size)]
        values = rows.view(record)[:, 0]
        total[chosen] = values["total"]
        for name in ENTRY_INTS:
            if name in (record.names or ()):
                ints[name][chosen] = values[name]
    if parsed != count:
        raise ValueError("a term entry of an unknown size: the segment's term file is damaged")
    ints["df"][(ints["flags"] & ONE_POSTING) != 0] = 1
    return _Entries(**ints, total=total)


def _spans(starts: NDArray[np.int64], counts: NDArray[np.int64]) -> NDArray[np.int64]:
    """The indices ``starts[i] .. starts[i] + counts[i] - 1``, for each ``i`` in turn."""
    ends = np.cumsum(counts)
    flat = np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64)
    flat += np.repeat(starts - (ends - counts), counts)
    return flat


class _RangePositions:
    """The positions of chosen postings of a run of terms (what
    :class:`RangePostings` loads them with): one gather for all of them."""

    def __init__(
        self,
        reader: NewsTermsReader,
        entries: _Entries,
        firsts: NDArray[np.int64],
        k: NDArray[np.int64],
    ) -> None:
        self._reader = reader
        self._entries = entries
        self._firsts = firsts
        self._k = k

    @functools.cached_property
    def _counts(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Each posting's number of positions (none in fields without them),
        and how many all postings before it have."""
        has = (self._entries.flags & HAS_POSITIONS) != 0
        counts = self._k if has.all() else self._k * np.repeat(has, self._entries.df)
        before = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=before[1:])
        return counts, before

    def __call__(self, index: NDArray[np.int64]) -> Positions:
        entries = self._entries
        all_counts, before = self._counts
        term = np.searchsorted(self._firsts, index, side="right") - 1
        counts = all_counts[index]
        offsets = np.zeros(len(index) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        skip = before[index] - before[self._firsts[term]]
        positions = unpack_many(
            self._reader._pos,
            entries.pos_offset[term],
            counts,
            np.zeros(len(index), dtype=np.int64),
            entries.pos_width[term],
            skip=skip,
        ).astype(np.int32)
        offsets.flags.writeable = positions.flags.writeable = False
        return offsets, positions


class NewsTermsReader(base.TermsReader):  # type: ignore[misc]
    """Reads a segment written by :class:`NewsFieldWriter`."""

    def __init__(self, storage: Any, segment: Any) -> None:
        name = segment.make_filename(TERMS_EXT)
        handle = storage.open_file(name)
        mapped = map_file(handle)
        dbfile = _MappedFile(handle.file, mapped, name) if isinstance(mapped, mmap.mmap) else handle
        self._table = filetables.OrderedHashReader(dbfile, storage.file_length(name))
        self._terms_buf = mapped
        self._fieldmap: dict[str, int] = self._table.extras["fieldmap"]
        self._scales: dict[str, float] = self._table.extras["scales"]
        self._fieldunmap = {number: fieldname for fieldname, number in self._fieldmap.items()}
        self._storage = storage
        self._segment = segment
        self._docs_buf: PackedFile | None = None
        self._pos_buf: PackedFile | None = None

    # The two postings files are opened when first read.

    def _file(self, ext: str, magic: bytes) -> PackedFile:
        with contextlib.closing(self._segment.open_file(self._storage, ext)) as handle:
            buf = map_file(handle)
        if buf[: len(magic)] != magic:
            raise ValueError(
                f"{self._segment.make_filename(ext)} is not a searchengine postings file"
            )
        return PackedFile(buf)

    @property
    def _docs(self) -> PackedFile:
        if self._docs_buf is None:
            self._docs_buf = self._file(DOCS_EXT, DOCS_MAGIC)
        return self._docs_buf

    @property
    def _pos(self) -> PackedFile:
        if self._pos_buf is None:
            self._pos_buf = self._file(POS_EXT, POS_MAGIC)
        return self._pos_buf

    # Keys

    def _key(self, fieldname: str, tbytes: bytes) -> bytes:
        key: bytes = pack_ushort(self._fieldmap.get(fieldname, 65535)) + tbytes
        return key

    def _unkey(self, key: bytes) -> tuple[str, bytes]:
        return self._fieldunmap[unpack_ushort(key[:2])[0]], key[2:]

    def __contains__(self, term: tuple[str, bytes]) -> bool:
        return self._key(*term) in self._table

    def indexed_field_names(self) -> Any:
        return self._fieldmap.keys()

    def cursor(self, fieldname: str, fieldobj: Any) -> NewsFieldCursor:
        return NewsFieldCursor(self, fieldname, fieldobj)

    def terms(self) -> Iterator[tuple[str, bytes]]:
        # The hash reader iterates (key, value) pairs; ``keys()`` reads keys only.
        return (self._unkey(key) for key in self._table.keys())  # noqa: SIM118

    def terms_from(self, fieldname: str, prefix: bytes) -> Iterator[tuple[str, bytes]]:
        return (self._unkey(key) for key in self._table.keys_from(self._key(fieldname, prefix)))

    def items(self) -> Iterator[tuple[tuple[str, bytes], NewsTermInfo]]:
        return (
            (self._unkey(key), NewsTermInfo.from_bytes(value)) for key, value in self._table.items()
        )

    def items_from(
        self, fieldname: str, prefix: bytes
    ) -> Iterator[tuple[tuple[str, bytes], NewsTermInfo]]:
        return (
            (self._unkey(key), NewsTermInfo.from_bytes(value))
            for key, value in self._table.items_from(self._key(fieldname, prefix))
        )

    def term_info(self, fieldname: str, tbytes: bytes) -> NewsTermInfo:
        try:
            return NewsTermInfo.from_bytes(self._table[self._key(fieldname, tbytes)])
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None

    def frequency(self, fieldname: str, tbytes: bytes) -> float:
        # KeyError for a missing term, as the reader expects.
        return NewsTermInfo.from_bytes(self._table[self._key(fieldname, tbytes)]).weight()

    def doc_frequency(self, fieldname: str, tbytes: bytes) -> int:
        return NewsTermInfo.from_bytes(self._table[self._key(fieldname, tbytes)]).doc_frequency()

    # Postings

    def term_postings(self, fieldname: str, tbytes: bytes, format_: Any) -> TermPostings | None:
        """The term's postings as arrays (see :class:`TermPostings`), or None.

        ``format_`` is the field's format, which decodes the positions of
        fields whose format is not ours.
        """
        value = self._table.get(self._key(fieldname, tbytes))
        if value is None:
            return None
        return self._postings(fieldname, NewsTermInfo.from_bytes(value), format_)

    def _postings(self, fieldname: str, info: NewsTermInfo, format_: Any) -> TermPostings:
        if info.flags & ONE_POSTING:
            docs = np.array([info.first], dtype=np.int32)
            k = np.array([info.k_base], dtype=np.int64)
            weights = np.array([info.total])
        else:
            docs, k, weights = self._arrays(fieldname, info)
        docs.flags.writeable = False
        weights.flags.writeable = False
        at = starts = values = None
        if info.flags & HAS_POSITIONS:

            def at(index: NDArray[np.int64]) -> Positions:
                return self._positions_at(info, k, index)

            def starts() -> NDArray[np.int64]:
                offsets = np.zeros(len(k) + 1, dtype=np.int64)
                np.cumsum(k, out=offsets[1:])
                return offsets

            def values(flat: NDArray[np.int64]) -> NDArray[np.int32]:
                return unpack_at(self._pos, info.pos_offset, flat, info.pos_width)

        return TermPostings(
            docs=docs,
            weights=weights,
            _load_positions=lambda: self._positions(info, k, format_),
            _load_positions_at=at,
            _load_position_starts=starts,
            _load_position_values=values,
        )

    def _arrays(
        self, fieldname: str, info: NewsTermInfo
    ) -> tuple[NDArray[np.int32], NDArray[np.int64], NDArray[np.float64]]:
        """Documents, counts and weights of a term with several postings."""
        count = info.df
        packed = self._docs
        offset = info.docs_offset
        gaps = unpack(packed, offset, count - 1, info.id_base, info.id_width)
        gaps[0] += info.first
        docs = np.empty(count, dtype=np.int32)
        docs[0] = info.first
        np.cumsum(gaps, out=docs[1:])
        offset += packed_size(count - 1, info.id_width)
        k = unpack(packed, offset, count, info.k_base, info.k_width)
        offset += packed_size(count, info.k_width)
        if info.flags & EXPLICIT_WEIGHTS:
            weights = packed.bytes[offset : offset + 4 * count].view("<f4").astype(np.float64)
        elif info.k_width == 0:
            # Every posting has the same count: one weight.
            weights = np.full(count, _weights_from(k[:1], self._scales[fieldname])[0])
        else:
            weights = _weights_from(k, self._scales[fieldname])
        return docs, k, weights

    def _positions(self, info: NewsTermInfo, k: NDArray[np.int64], format_: Any) -> Positions:
        offsets = np.zeros(len(k) + 1, dtype=np.int64)
        if info.flags & HAS_VALUES and format_.supports("positions"):
            # Another format's values: decoded one by one, by the format.
            decode = format_.decoder("positions")
            lists = [decode(value) for value in self._values(info)]
            np.cumsum([len(one) for one in lists], out=offsets[1:])
            positions = np.fromiter(
                (p for one in lists for p in one), dtype=np.int32, count=int(offsets[-1])
            )
        elif not info.flags & HAS_POSITIONS:
            positions = np.zeros(0, dtype=np.int32)
        else:
            np.cumsum(k, out=offsets[1:])
            total = int(offsets[-1])
            positions = unpack(self._pos, info.pos_offset, total, 0, info.pos_width, np.int32)
        offsets.flags.writeable = False
        positions.flags.writeable = False
        return offsets, positions

    def _positions_at(
        self, info: NewsTermInfo, k: NDArray[np.int64], index: NDArray[np.int64]
    ) -> Positions:
        offsets = np.zeros(len(k) + 1, dtype=np.int64)
        np.cumsum(k, out=offsets[1:])
        new_offsets, flat = select_ranges(offsets, index)
        positions = unpack_at(self._pos, info.pos_offset, flat, info.pos_width)
        new_offsets.flags.writeable = False
        positions.flags.writeable = False
        return new_offsets, positions

    def _values(self, info: NewsTermInfo) -> list[bytes]:
        """Each posting's value bytes, for fields of other formats."""
        packed = self._pos
        buf = packed.buf
        offset = info.pos_offset
        lbase, lwidth = struct.unpack_from("<IB", buf, offset)
        offset += 5
        lengths = unpack(packed, offset, info.df, lbase, lwidth)
        offset += packed_size(info.df, lwidth)
        ends = (np.cumsum(lengths) + offset).tolist()
        starts = [offset, *ends[:-1]]
        return [bytes(buf[s:e]) for s, e in zip(starts, ends, strict=True)]

    # Many terms at once

    def range_postings(
        self, fieldname: str, terms: list[bytes], format_: Any
    ) -> RangePostings | None:
        """The postings of each of ``terms`` (distinct, any order) as one
        :class:`RangePostings`, decoded together; ``None`` when a term's
        postings carry another format's values (read those term by term).

        Entries are parsed as numpy records, all terms' document gaps and
        counts unpacked in one gather (:func:`unpack_many`) except those of
        terms long enough to decode well alone, and positions gathered for
        any postings of any of the terms on demand.
        """
        if fieldname in self._fieldmap:
            field_key = pack_ushort(self._fieldmap[fieldname])
            which, starts, lengths = self._locate([field_key + term for term in terms])
        else:
            which = starts = lengths = np.zeros(0, dtype=np.int64)
        entries = _parse_entries(self._term_views[2], starts, lengths)
        if (entries.flags & HAS_VALUES).any():
            return None
        counts = np.zeros(len(terms), dtype=np.int64)
        counts[which] = entries.df
        offsets = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        firsts = offsets[which]
        docs, k, weights = self._decode_entries(fieldname, entries, firsts, int(offsets[-1]))
        docs.flags.writeable = weights.flags.writeable = offsets.flags.writeable = False
        return RangePostings(
            offsets=offsets,
            docs=docs,
            weights=weights,
            _load_positions_at=_RangePositions(self, entries, firsts, k),
        )

    @functools.cached_property
    def _term_views(self) -> tuple[NDArray[Any], NDArray[np.uint32], NDArray[np.uint8]]:
        """The term table's record positions in key order, its big-endian
        32-bit word at every byte, and its bytes (views; nothing copied)."""
        buf = self._terms_buf
        words: NDArray[np.uint32] = np.ndarray(
            shape=(max(len(buf) - 3, 0),), dtype=">u4", buffer=buf, strides=(1,)
        )
        return ordered_index(self._table, buf), words, np.frombuffer(buf, dtype=np.uint8)

    def _seek(self, key: bytes, *, after: bool) -> int:
        """The number of the table's keys below ``key`` (with ``after``, up to and including it)."""
        index, words, _ = self._term_views
        buf = self._terms_buf
        lo, hi = 0, len(index)
        while lo < hi:
            mid = (lo + hi) // 2
            at = int(index[mid]) + RECORD_HEADER
            probe = buf[at : at + int(words[at - RECORD_HEADER])]
            if probe < key or (after and probe == key):
                lo = mid + 1
            else:
                hi = mid
        return lo

    def _locate(
        self, keys: list[bytes]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """Which of ``keys`` (distinct) the table holds, in the order of
        ``keys``, with the position and length of each one's entry.

        Keys close together in the table (a prefix's terms) are found by
        reading the run of records between the first and the last of them;
        keys spread over it, by a hash look-up each.
        """
        if not keys:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, np.int64)
        lo, hi = self._seek(min(keys), after=False), self._seek(max(keys), after=True)
        if hi - lo > 2 * len(keys) + _SCAN_SLACK:
            return self._look_up(keys)
        index, words, _ = self._term_views
        records = index[lo:hi].astype(np.int64)
        key_lengths = words[records].astype(np.int64)
        key_starts = records + RECORD_HEADER
        wanted = {key: i for i, key in enumerate(keys)}
        buf = self._terms_buf
        hits = np.array(
            [
                wanted.get(buf[start : start + length], -1)
                for start, length in zip(key_starts.tolist(), key_lengths.tolist(), strict=True)
            ],
            dtype=np.int64,
        )
        at = np.flatnonzero(hits >= 0)
        at = at[np.argsort(hits[at], kind="stable")]
        lengths = words[records[at] + 4].astype(np.int64)
        return hits[at], key_starts[at] + key_lengths[at], lengths

    def _look_up(
        self, keys: list[bytes]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """:meth:`_locate` by one hash look-up a key."""
        found = []
        for i, key in enumerate(keys):
            for position, length in self._table.ranges_for_key(key):
                found.append((i, position, length))
                break
        table = np.array(found, dtype=np.int64).reshape(-1, 3)
        return table[:, 0], table[:, 1], table[:, 2]

    def _decode_entries(
        self, fieldname: str, entries: _Entries, firsts: NDArray[np.int64], total: int
    ) -> tuple[NDArray[np.int32], NDArray[np.int64], NDArray[np.float64]]:
        """Documents, counts and weights of the terms of ``entries``, end to
        end (term ``t``'s from ``firsts[t]``)."""
        docs = np.empty(total, dtype=np.int32)
        k = np.empty(total, dtype=np.int64)
        weights = np.empty(total, dtype=np.float64)
        one = (entries.flags & ONE_POSTING) != 0
        at = firsts[one]
        docs[at], k[at], weights[at] = entries.first[one], entries.k_base[one], entries.total[one]
        alone = ~one & ((entries.df > _BATCH_DF) | ((entries.flags & EXPLICIT_WEIGHTS) != 0))
        for t in np.flatnonzero(alone).tolist():
            span = slice(int(firsts[t]), int(firsts[t] + entries.df[t]))
            docs[span], k[span], weights[span] = self._arrays(fieldname, entries.info(t))
        batch = np.flatnonzero(~one & ~alone)
        if len(batch):
            flat = _spans(firsts[batch], entries.df[batch])
            docs[flat], k[flat] = self._batch_arrays(entries, batch)
            weights[flat] = _weights_from(k[flat], self._scales[fieldname])
        return docs, k, weights

    def _batch_arrays(
        self, entries: _Entries, batch: NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Documents and counts of the terms ``batch`` (each with several
        postings, weights as counts), end to end: two gathers in all."""
        df, first = entries.df[batch], entries.first[batch]
        offsets, widths = entries.docs_offset[batch], entries.id_width[batch]
        gaps = unpack_many(self._docs, offsets, df - 1, entries.id_base[batch], widths)
        k_offsets = offsets + (((df - 1) * widths + 7) >> 3)
        k = unpack_many(self._docs, k_offsets, df, entries.k_base[batch], entries.k_width[batch])
        heads = np.zeros(len(batch), dtype=np.int64)
        np.cumsum(df[:-1], out=heads[1:])
        steps = np.empty(len(k), dtype=np.int64)
        rest = np.ones(len(k), dtype=np.bool_)
        rest[heads] = False
        steps[heads] = first
        steps[rest] = gaps
        running = np.cumsum(steps)
        # Each term's numbers counted from its first document, not from the terms before.
        docs: NDArray[np.int64] = running - np.repeat(running[heads] - first, df)
        return docs, k

    def merge_arrays(
        self, fieldname: str, tbytes: bytes, format_: Any
    ) -> tuple[NDArray[np.int32], NDArray[np.float64], NDArray[np.int64], bytes]:
        """A term's postings as a segment writer's pool takes them when
        merging: documents, weights, each value's length and the values'
        bytes (the field format's encoding), deleted documents included."""
        info = self.term_info(fieldname, tbytes)
        postings = self._postings(fieldname, info, format_)
        if info.flags & HAS_POSITIONS:
            lengths, values = encode_news_positions(*postings.positions())
        elif info.flags & HAS_VALUES:
            parts = self._values(info)
            lengths = np.array([len(part) for part in parts], dtype=np.int64)
            values = b"".join(parts)
        else:
            lengths, values = np.zeros(info.df, dtype=np.int64), b""
        return postings.docs, postings.weights, lengths, values

    def matcher(
        self, fieldname: str, tbytes: bytes, format_: Any, scorer: Any = None
    ) -> NewsMatcher:
        info = self.term_info(fieldname, tbytes)
        return NewsMatcher(
            self,
            self._postings(fieldname, info, format_),
            info,
            format_,
            term=(fieldname, tbytes),
            scorer=scorer,
        )

    def release(self) -> None:
        """Give back the pages of the mapped postings files read so far (they
        stay in the page cache): a merge reads every term once, and would
        otherwise count the sources' whole postings as resident memory."""
        for packed in (self._docs_buf, self._pos_buf):
            if packed is not None and isinstance(packed.buf, mmap.mmap):
                packed.buf.madvise(mmap.MADV_DONTNEED)

    def close(self) -> None:
        # The maps close when the last array reading them is gone.
        self._table.close()
        self._docs_buf = self._pos_buf = None


class NewsFieldCursor(base.FieldCursor):  # type: ignore[misc]
    """Walks one field's terms in order (Whoosh's fuzzy and prefix expansion)."""

    def __init__(self, reader: NewsTermsReader, fieldname: str, fieldobj: Any) -> None:
        self._reader = reader
        self._table = reader._table
        self._fieldname = fieldname
        self._fieldobj = fieldobj
        self._startpos = self._table.closest_key_pos(reader._key(fieldname, b""))
        self._pos: int | None = self._startpos
        self._text: Any = None
        self._datapos = self._datalen = 0
        self.next()

    def first(self) -> Any:
        self._pos = self._startpos
        return self.next()

    def find(self, term: Any) -> Any:
        if not isinstance(term, bytes):
            term = self._fieldobj.to_bytes(term)
        self._pos = self._table.closest_key_pos(self._reader._key(self._fieldname, term))
        return self.next()

    def next(self) -> Any:
        if self._pos is not None:
            found = self._table.key_and_range_at(self._pos)
            if found is not None:
                key, datapos, datalen = found
                fieldname, text = self._reader._unkey(key)
                if fieldname == self._fieldname:
                    self._pos = datapos + datalen
                    self._datapos, self._datalen = datapos, datalen
                    self._text = self._fieldobj.from_bytes(text)
                    return self._text
        self._pos = None
        self._text = None
        return None

    def text(self) -> Any:
        return self._text

    def term_info(self) -> NewsTermInfo | None:
        if self._pos is None:
            return None
        return NewsTermInfo.from_bytes(self._table.dbfile.get(self._datapos, self._datalen))

    def is_valid(self) -> bool:
        return self._pos is not None


class NewsMatcher(LeafMatcher):  # type: ignore[misc]
    """Whoosh's matcher interface over one term's decoded arrays.

    The whole term is one block for Whoosh's quality optimisations (its
    maximum weight and shortest field are the term's).
    """

    def __init__(
        self,
        reader: NewsTermsReader,
        postings: TermPostings,
        info: NewsTermInfo,
        format_: Any,
        term: tuple[str, bytes] | None = None,
        scorer: Any = None,
        position: int = 0,
    ) -> None:
        self._reader = reader
        self._postings = postings
        self._info = info
        self._term = term
        self.format = format_
        self.scorer = scorer
        self._ids: list[int] = postings.docs.tolist()
        self._weights: list[float] | None = None
        self._offsets: list[int] | None = None
        self._flat: list[int] | None = None
        self._values: list[bytes] | None = None
        self._i = position

    def copy(self) -> NewsMatcher:
        other = NewsMatcher(
            self._reader,
            self._postings,
            self._info,
            self.format,
            term=self._term,
            scorer=self.scorer,
            position=self._i,
        )
        other._weights = self._weights
        other._offsets, other._flat, other._values = self._offsets, self._flat, self._values
        return other

    def is_active(self) -> bool:
        return self._i < len(self._ids)

    def reset(self) -> None:
        self._i = 0

    def id(self) -> int:
        return self._ids[self._i]

    def all_ids(self) -> Iterator[int]:
        return iter(self._ids[self._i :])

    def next(self) -> None:
        if self._i >= len(self._ids):
            raise ReadTooFar
        self._i += 1

    def skip_to(self, id: int) -> None:
        if not self.is_active():
            raise ReadTooFar
        if id > self._ids[self._i]:
            self._i = bisect.bisect_left(self._ids, id, self._i)

    def weight(self) -> float:
        if self._weights is None:
            self._weights = self._postings.weights.tolist()
        return self._weights[self._i]

    def _positions_of(self, i: int) -> list[int]:
        if self._flat is None:
            offsets, flat = self._postings.positions()
            self._offsets, self._flat = offsets.tolist(), flat.tolist()
        assert self._offsets is not None
        return self._flat[self._offsets[i] : self._offsets[i + 1]]

    def value(self) -> Any:
        info = self._info
        if info.flags & HAS_POSITIONS:
            return encode_positions(self._positions_of(self._i))
        if info.flags & HAS_VALUES:
            if self._values is None:
                self._values = self._reader._values(info)
            return self._values[self._i]
        # As W3 gives for formats without values.
        return None

    def value_as(self, astype: str) -> Any:
        if self._info.flags & HAS_POSITIONS:
            if astype == "positions":
                return self._positions_of(self._i)
            if astype == "frequency":
                return len(self._positions_of(self._i))
        if astype == "weight":
            return self.weight()
        return self.format.decoder(astype)(self.value())

    # One block: the whole term.

    def block_min_id(self) -> int:
        return self._ids[0]

    def block_max_id(self) -> int:
        return self._ids[-1]

    def block_min_length(self) -> int:
        return self._info.min_length()

    def block_max_length(self) -> int:
        return self._info.max_length()

    def block_max_weight(self) -> float:
        return self._info.max_weight()

    def skip_to_quality(self, minquality: float) -> int:
        if self.block_quality() > minquality:
            return 0
        self._i = len(self._ids)
        return 1
