"""Reading one term's postings of one segment as numpy arrays.

This is the one way the query executor reads postings: it never walks a
Whoosh matcher.  The contract is :class:`TermPostings` and
:func:`term_postings`; how the arrays are obtained is not the caller's
business: segments in searchengine's codec (``searchengine.index.codec``,
every segment of a format-4 index) are read with numpy straight from their
memory-mapped files; a segment of any other codec (Whoosh's own, in tests)
is decoded through its matcher, correct and slow.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from searchengine.index.whoosh_private import segment_terms

#: ``(offsets, positions)``: see :meth:`TermPostings.positions`.
Positions = tuple[NDArray[np.int64], NDArray[np.int32]]


@dataclass(frozen=True)
class TermPostings:
    """One term's postings in one segment.

    ``docs``
        Segment-local document numbers (``int32``), strictly ascending, one
        per posting.  Deleted documents are *included*, as in Lucene's
        postings: the caller masks them with the segment's deletions
        (``reader.deleted_docs_set`` / ``reader.is_deleted``), once per
        query rather than once per term.
    ``weights``
        Each posting's weight (``float64``), exactly the value Whoosh's
        matcher returns from ``weight()`` for it: the term's count in the
        document times the field's boost (for ``title``, ``TITLE_BOOST``),
        rounded to ``float32`` as Whoosh stores it.  Feeding these to the
        BM25F formula in Whoosh's order of operations gives Whoosh's scores
        bit for bit.

    Both arrays have one element per posting and are read-only views: do not
    write to them.
    """

    docs: NDArray[np.int32]
    weights: NDArray[np.float64]
    _load_positions: Callable[[], Positions] = field(repr=False, compare=False)
    #: Decodes the positions of some postings only (see :meth:`positions_at`).
    _load_positions_at: Callable[[NDArray[np.int64]], Positions] | None = field(
        default=None, repr=False, compare=False
    )
    #: Where each posting's positions start (see :meth:`position_starts`) and
    #: single positions read by their index (see :meth:`position_values`).
    _load_position_starts: Callable[[], NDArray[np.int64]] | None = field(
        default=None, repr=False, compare=False
    )
    _load_position_values: Callable[[NDArray[np.int64]], NDArray[np.int32]] | None = field(
        default=None, repr=False, compare=False
    )

    def __len__(self) -> int:
        return len(self.docs)

    def positions(self) -> Positions:
        """The word positions of every posting, decoded on the first call.

        Returns ``(offsets, positions)``: ``offsets`` is ``int64`` of length
        ``len(docs) + 1``, ascending, ``offsets[0] == 0``; the positions of
        posting ``i`` (the ``docs[i]``-th document) are
        ``positions[offsets[i]:offsets[i + 1]]``, ascending word numbers
        (``int32``, 0 for the first word of the field).  A field without
        positions (an ``ID`` field) gives every posting no positions.
        Positions cost more to read than ``docs`` and ``weights``, so they
        are decoded only when asked for (phrases, proximity, highlighting),
        then kept.
        """
        return self._cached_positions

    @functools.cached_property
    def _cached_positions(self) -> Positions:
        return self._load_positions()

    def positions_at(self, index: NDArray[np.integer[Any]]) -> Positions:
        """The positions of the postings at ``index`` only (ascending indices
        into ``docs``, e.g. ``np.searchsorted(docs, candidates)``), as
        ``(offsets, positions)`` of length ``len(index) + 1`` and the sum of
        their counts, laid out as :meth:`positions` lays out all of them.

        A phrase needs the positions of its rarest word's documents only:
        with searchengine's codec those are decoded without decoding the
        rest (``of`` and ``the`` have tens of positions per document).
        Once :meth:`positions` has been called, they are sliced from it.
        """
        chosen = np.asarray(index, dtype=np.int64)
        if self._load_positions_at is not None and "_cached_positions" not in self.__dict__:
            return self._load_positions_at(chosen)
        offsets, positions = self.positions()
        new_offsets, flat = select_ranges(offsets, chosen)
        return new_offsets, positions[flat]

    @property
    def random_access(self) -> bool:
        """Whether single positions are read without decoding the rest
        (:meth:`position_values`); else they are sliced from :meth:`positions`."""
        return self._load_position_values is not None and "_cached_positions" not in self.__dict__

    def position_starts(self) -> NDArray[np.int64]:
        """The ``offsets`` of :meth:`positions` (posting ``i``'s positions are
        numbers ``offsets[i] .. offsets[i + 1] - 1``), without decoding any
        position."""
        if self._load_position_starts is None or "_cached_positions" in self.__dict__:
            return self.positions()[0]
        return self._cached_starts

    @functools.cached_property
    def _cached_starts(self) -> NDArray[np.int64]:
        assert self._load_position_starts is not None
        return self._load_position_starts()

    def position_values(self, flat: NDArray[np.int64]) -> NDArray[np.int32]:
        """The positions numbered ``flat`` (indices into all of the term's
        positions, laid out as :meth:`positions` lays them out, in any
        order): only those are read.  A phrase looks up where a common word
        would have to be next to a rare one, a few of its positions per
        document, instead of decoding all of them."""
        if self.random_access:
            assert self._load_position_values is not None
            return self._load_position_values(flat)
        return self.positions()[1][flat]


def select_ranges(
    offsets: NDArray[np.int64], index: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """For ranges ``offsets[i]:offsets[i + 1]`` of the chosen ``i``: the
    offsets of those ranges put end to end, and the flat indices they cover."""
    starts = offsets[index]
    lengths = offsets[index + 1] - starts
    new_offsets = np.zeros(len(index) + 1, dtype=np.int64)
    np.cumsum(lengths, out=new_offsets[1:])
    flat = np.arange(int(new_offsets[-1]), dtype=np.int64)
    flat += np.repeat(starts - new_offsets[:-1], lengths)
    return new_offsets, flat


@dataclass(frozen=True)
class RangePostings:
    """Several terms' postings of one field in one segment, end to end.

    What :func:`range_postings` returns for a list of terms: the postings of
    term ``i`` are ``docs[offsets[i]:offsets[i + 1]]`` and the same slice of
    ``weights``, each as :class:`TermPostings` describes them (segment-local,
    ascending within the term, deleted documents included, read-only); a
    term the segment does not have has none.  A prefix's or a fuzzy word's
    terms are read so in a few numpy calls, not one read per term.
    """

    offsets: NDArray[np.int64]
    docs: NDArray[np.int32]
    weights: NDArray[np.float64]
    #: The positions of the postings at some indices into ``docs``.
    _load_positions_at: Callable[[NDArray[np.int64]], Positions] = field(repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.docs)

    def frequencies(self) -> NDArray[np.int64]:
        """Each term's number of postings here (its document frequency, 0 if absent)."""
        counts: NDArray[np.int64] = np.diff(self.offsets)
        return counts

    def positions_at(self, index: NDArray[np.integer[Any]]) -> Positions:
        """The positions of the postings at ``index`` (ascending indices
        into :attr:`docs`, of any of the terms), laid out as
        :meth:`TermPostings.positions_at` lays them out."""
        return self._load_positions_at(np.asarray(index, dtype=np.int64))

    def term(self, i: int) -> TermPostings | None:
        """Term ``i``'s postings alone (``None`` if the segment lacks it)."""
        start, end = int(self.offsets[i]), int(self.offsets[i + 1])
        if start == end:
            return None
        load = self._load_positions_at
        return TermPostings(
            docs=self.docs[start:end],
            weights=self.weights[start:end],
            _load_positions=lambda: load(np.arange(start, end, dtype=np.int64)),
            _load_positions_at=lambda index: load(index + start),
        )


def range_postings(reader: Any, fieldname: str, terms: list[bytes]) -> RangePostings:
    """The postings of each of ``terms`` (distinct, any order) of
    ``fieldname`` in one segment (see :class:`RangePostings`).

    With searchengine's codec, the terms' entries are found in one pass over
    the run of the term table between the first and the last of them when
    they are close together there (as a prefix's terms are), else one by
    one; then all their entries, documents and weights are decoded together.
    Other codecs read term by term (:func:`term_postings`).
    """
    if fieldname in reader.schema:
        terms_reader = segment_terms(reader)
        arrays = getattr(terms_reader, "range_postings", None)
        if arrays is not None:
            found = arrays(fieldname, terms, reader.schema[fieldname].format)
            if found is not None:
                return found  # type: ignore[no-any-return]
    return _range_of_terms([term_postings(reader, fieldname, t) for t in terms])


def _range_of_terms(parts: list[TermPostings | None]) -> RangePostings:
    """Terms read one by one, put end to end."""
    present = [p for p in parts if p is not None]
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([0 if p is None else len(p) for p in parts], out=offsets[1:])
    starts = offsets[:-1][[p is not None for p in parts]] if parts else offsets[:0]

    def load(index: NDArray[np.int64]) -> Positions:
        owner = np.searchsorted(starts, index, side="right") - 1
        pieces = [
            present[t].positions_at(index[owner == t] - starts[t])
            for t in range(len(present))
            if (owner == t).any()
        ]
        new_offsets = np.zeros(len(index) + 1, dtype=np.int64)
        if pieces:
            np.cumsum(np.concatenate([np.diff(o) for o, _ in pieces]), out=new_offsets[1:])
        flat = [p for _, p in pieces]
        return new_offsets, np.concatenate(flat) if flat else np.zeros(0, dtype=np.int32)

    return RangePostings(
        offsets=_frozen(offsets),
        docs=_frozen(np.concatenate([p.docs for p in present] or [np.zeros(0, dtype=np.int32)])),
        weights=_frozen(np.concatenate([p.weights for p in present] or [np.zeros(0)])),
        _load_positions_at=load,
    )


def term_postings(reader: Any, fieldname: str, term: bytes) -> TermPostings | None:
    """The postings of ``fieldname:term`` in one segment, or None if the
    segment has no such term (or no such field).

    ``reader`` is one segment's Whoosh reader: a ``SegmentReader``, as
    ``searcher.reader().leaf_readers()`` yields with each segment's
    document offset (document numbers here are local to the segment; add
    the offset for the searcher's numbers).  ``term`` is the term's bytes as
    indexed (for text fields, the UTF-8 of the stemmed word).
    """
    if fieldname not in reader.schema:
        return None
    terms = segment_terms(reader)
    arrays = getattr(terms, "term_postings", None)
    if arrays is not None:
        return arrays(fieldname, term, reader.schema[fieldname].format)  # type: ignore[no-any-return]
    if (fieldname, term) not in reader:
        return None
    return _decode_with_matcher(reader, fieldname, term)


def _decode_with_matcher(reader: Any, fieldname: str, term: bytes) -> TermPostings:
    """Walk the term's matcher posting by posting (any codec; slow)."""
    fieldobj = reader.schema[fieldname]
    # The segment's raw matcher: deleted documents included, as documented.
    matcher = segment_terms(reader).matcher(fieldname, term, fieldobj.format)
    docs: list[int] = []
    weights: list[float] = []
    values: list[bytes] = []
    while matcher.is_active():
        docs.append(matcher.id())
        weights.append(matcher.weight())
        values.append(matcher.value() or b"")
        matcher.next()
    has_positions = matcher.supports("positions")
    decode = fieldobj.format.decoder("positions") if has_positions else None

    def load() -> Positions:
        lists = [decode(v) for v in values] if decode is not None else [[] for _ in values]
        offsets = np.zeros(len(lists) + 1, dtype=np.int64)
        np.cumsum([len(p) for p in lists], out=offsets[1:])
        flat = np.fromiter((p for one in lists for p in one), dtype=np.int32, count=offsets[-1])
        return offsets, flat

    return TermPostings(
        docs=_frozen(np.array(docs, dtype=np.int32)),
        weights=_frozen(np.array(weights, dtype=np.float64)),
        _load_positions=load,
    )


def _frozen(array: NDArray[Any]) -> NDArray[Any]:
    array.flags.writeable = False
    return array
