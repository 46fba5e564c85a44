"""Postings as arrays: documents' words inverted, and batches of terms merged.

A segment writer files each document's words as the term ids it came
with (:class:`WordStream`, nothing done per word), and inverts them all at
once when its pool is read: one sort of ``(term rank, word number)`` keys
puts every term's occurrences together, in document and position order, and
counting runs gives each posting's count.  The result is a sequence of
:class:`TermBatch`: consecutive terms of one field with all their postings
as a few flat arrays, which the codec writes a batch at a time
(:meth:`searchengine.index.codec.NewsFieldWriter.write_batch`) and which
sorted run files hold (:func:`write_run`, :func:`read_run`).

Batches from several sources (runs spilled earlier, postings filed one at
a time by Whoosh's interface, segments being merged) are merged by
:func:`merge_batches`, a chunk of terms at a time, with numpy: no Python
work per posting anywhere.
"""

from __future__ import annotations

import bisect
import pickle
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from searchengine.index.codec import decode_news_positions, encode_news_positions
from searchengine.index.postings import select_ranges

#: Word occurrences (positions) a batch holds at most, unless one term alone
#: has more: bounds the memory of inverting, merging and writing (some 40
#: bytes each while a batch is made; a 25,000-article share's worker peaks
#: near 200 MB, as before the array work).
BATCH_POSITIONS = 1 << 17
#: Postings and positions a batch of a run file holds at most (unless one
#: term alone has more).  A segment is written from all its runs at once,
#: each holding its current batch in memory: a 125,000-article share has
#: some 30 runs, whose batches of :data:`BATCH_POSITIONS` took ~80 MB
#: together; pieces of this size take a tenth of that.
RUN_POSITIONS = 1 << 14

#: One term's postings as Whoosh's pool interface gives them: (field name,
#: term bytes, docnums, weights, value lengths, the values one after another).
TermEntry = tuple[str, bytes, "array[int]", "array[float]", "array[int]", bytes]


@dataclass(frozen=True)
class TermBatch:
    """Consecutive terms of one field, sorted, with all their postings.

    Term ``i`` has postings ``starts[i]:starts[i + 1]``, in increasing
    ``docs``, each with its ``weights``.  Postings of a positions field
    come with ``counts`` and ``positions`` (each posting's word numbers,
    ascending, one posting after another); postings filed through Whoosh's
    interface come with their encoded ``values`` (and ``value_lengths``)
    instead, which for a positions field
    :func:`~searchengine.index.codec.decode_news_positions` decodes.
    """

    fieldname: str
    terms: list[bytes]
    starts: NDArray[np.int64]
    docs: NDArray[np.int64]
    weights: NDArray[np.float64]
    counts: NDArray[np.int64] | None = None
    positions: NDArray[np.int64] | None = None
    value_lengths: NDArray[np.int64] | None = None
    values: bytes | None = None

    def __len__(self) -> int:
        return len(self.terms)

    def head(self, count: int) -> tuple[TermBatch, TermBatch | None]:
        """The first ``count`` terms as one batch, and the rest (or None)."""
        if count >= len(self.terms):
            return self, None
        return self._slice(0, count), self._slice(count, len(self.terms))

    def _slice(self, first: int, last: int) -> TermBatch:
        a, b = int(self.starts[first]), int(self.starts[last])
        changes: dict[str, Any] = {
            "terms": self.terms[first:last],
            "starts": self.starts[first : last + 1] - a,
            "docs": self.docs[a:b],
            "weights": self.weights[a:b],
        }
        if self.counts is not None:
            changes["counts"] = self.counts[a:b]
            if self.positions is not None:
                offsets = _offsets(self.counts)
                changes["positions"] = self.positions[offsets[a] : offsets[b]]
        if self.value_lengths is not None and self.values is not None:
            offsets = _offsets(self.value_lengths)
            changes["value_lengths"] = self.value_lengths[a:b]
            changes["values"] = self.values[offsets[a] : offsets[b]]
        return replace(self, **changes)

    def encoded(self) -> tuple[NDArray[np.int64], bytes]:
        """Each posting's value as Whoosh's interface carries it: its
        length, and the values one after another (positions encoded by
        :func:`~searchengine.index.codec.encode_news_positions`)."""
        if self.value_lengths is not None and self.values is not None:
            return self.value_lengths, self.values
        if self.counts is not None and self.positions is not None:
            return encode_news_positions(_offsets(self.counts), self.positions)
        return np.zeros(len(self.docs), dtype=np.int64), b""

    def entries(self) -> Iterator[TermEntry]:
        """Each term's postings as Whoosh's interface carries them."""
        lengths, values = self.encoded()
        value_offsets = _offsets(lengths).tolist()
        bounds = self.starts.tolist()
        for n, term in enumerate(self.terms):
            a, b = bounds[n], bounds[n + 1]
            yield (
                self.fieldname,
                term,
                array("I", self.docs[a:b].astype(np.uint32).tobytes()),
                array("d", self.weights[a:b].tobytes()),
                array("I", lengths[a:b].astype(np.uint32).tobytes()),
                values[value_offsets[a] : value_offsets[b]],
            )


def _offsets(counts: NDArray[Any]) -> NDArray[np.int64]:
    """``0`` and the running sums of ``counts``: where each run starts."""
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets


class WordStream:
    """One field's documents as they came: each document's term ids in word
    order, appended to flat buffers (no object per document, nothing per
    word).  :meth:`batches` inverts them.  A stream ``with_positions``
    gives each posting its word positions; one without (a keyword field,
    each term once a document) its count only."""

    __slots__ = ("boost", "docs", "ids", "lengths", "with_positions")

    def __init__(self, boost: float, *, with_positions: bool = True) -> None:
        self.boost = boost
        self.with_positions = with_positions
        self.docs = array("I")
        self.lengths = array("I")
        #: Every document's term ids one after another (32-bit).
        self.ids = bytearray()

    def add(self, docnum: int, ids: NDArray[np.uint32]) -> None:
        """File one document's term ids (documents in increasing number)."""
        if len(ids):
            self.docs.append(docnum)
            self.lengths.append(len(ids))
            self.ids += ids.astype(np.uint32, copy=False).tobytes()

    def words(self) -> int:
        """The words filed."""
        return len(self.ids) >> 2

    def batches(
        self, fieldname: str, terms: list[bytes], limit: int = BATCH_POSITIONS
    ) -> Iterator[TermBatch]:
        """The filed words inverted: every term's postings (``terms[id]``
        is the term of id ``id``), in term order, in batches of about
        ``limit`` words.  The buffers are emptied."""
        if not self.ids:
            return
        ranks, by_rank, occurrences = _ranked(np.frombuffer(self.ids, np.uint32), terms)
        self.ids = bytearray()
        doc_starts = _offsets(np.frombuffer(self.lengths, np.uint32))[:-1]
        docs = np.frombuffer(self.docs, np.uint32).astype(np.int64)
        for first, last in _chunks(occurrences, limit):
            # The words of this chunk's terms, sorted by (rank, word number):
            # word numbers grow with the document and the position in it.
            chosen = np.flatnonzero((ranks >= first) & (ranks < last))
            keys = (ranks[chosen].astype(np.uint64) - np.uint64(first)) << np.uint64(40)
            keys |= chosen.astype(np.uint64)
            keys.sort()
            word = (keys & np.uint64((1 << 40) - 1)).astype(np.int64)
            rank = (keys >> np.uint64(40)).astype(np.int64)
            del keys, chosen
            doc = np.searchsorted(doc_starts, word, side="right") - 1
            yield self._batch(
                fieldname, by_rank[first:last], rank, doc, word - doc_starts[doc], docs
            )

    def _batch(
        self,
        fieldname: str,
        terms: list[bytes],
        rank: NDArray[np.int64],
        doc: NDArray[np.int64],
        positions: NDArray[np.int64],
        docs: NDArray[np.int64],
    ) -> TermBatch:
        """A batch from its words sorted by (rank, document, position)."""
        new_posting = np.ones(len(rank), dtype=bool)
        new_posting[1:] = (rank[1:] != rank[:-1]) | (doc[1:] != doc[:-1])
        heads = np.flatnonzero(new_posting)
        counts = np.diff(np.append(heads, len(rank)))
        posting_rank = rank[heads]
        starts = np.searchsorted(posting_rank, np.arange(len(terms) + 1))
        return TermBatch(
            fieldname,
            terms,
            starts.astype(np.int64),
            docs[doc[heads]],
            counts * float(self.boost),
            counts=counts,
            positions=positions if self.with_positions else None,
        )


def _ranked(
    ids: NDArray[np.uint32], terms: list[bytes]
) -> tuple[NDArray[np.int32], list[bytes], NDArray[np.int64]]:
    """Each id's rank among the ids present in term order, the present
    terms in that order, and how often each occurs."""
    frequency = np.bincount(ids, minlength=len(terms))
    present = sorted(np.flatnonzero(frequency).tolist(), key=terms.__getitem__)
    rank = np.zeros(len(terms), dtype=np.int32)
    rank[present] = np.arange(len(present), dtype=np.int32)
    return rank[ids], [terms[tid] for tid in present], frequency[present]


def _chunks(occurrences: NDArray[np.int64], limit: int) -> list[tuple[int, int]]:
    """Runs of ranks ``[first, last)`` with at most ``limit`` occurrences
    each (or a single rank with more)."""
    ends = np.cumsum(occurrences)
    chunks = []
    first = 0
    done = 0
    while first < len(occurrences):
        last = int(np.searchsorted(ends, done + limit, side="right"))
        last = max(last, first + 1)
        chunks.append((first, last))
        done = int(ends[last - 1])
        first = last
    return chunks


# Merging batches


def merge_batches(
    sources: Sequence[Iterable[TermBatch]], limit: int = BATCH_POSITIONS
) -> Iterator[TermBatch]:
    """The batches of ``sources`` (each sorted by field and term) merged
    into one sequence sorted by field and term.  A term found in several
    has its postings merged in document order (sources hold different
    documents).  A merged batch holds about ``limit`` postings and
    positions at most (unless one term alone has more): it is what a merge
    holds in memory beside the sources' current batches."""
    heads: list[tuple[TermBatch, Iterator[TermBatch]]] = []
    for source in sources:
        iterator = iter(source)
        batch = next(iterator, None)
        if batch is not None:
            heads.append((batch, iterator))
    while heads:
        field = min(batch.fieldname for batch, _ in heads)
        active = [n for n, (batch, _) in enumerate(heads) if batch.fieldname == field]
        if len(active) == 1:
            yield _advance(heads, active[0], None)
        else:
            # Every term up to the smallest last term of the active batches
            # is in memory: merge those (at most a batch's worth, a share
            # from each source), keep the rest for the next round.
            share = max(limit // len(active), 1)
            bound = min(_last_within(heads[n][0], share) for n in active)
            yield _combined([_advance(heads, n, bound) for n in active])
        heads = [(batch, iterator) for batch, iterator in heads if len(batch)]


def _last_within(batch: TermBatch, limit: int) -> bytes:
    """The last of the first terms of ``batch`` whose postings and
    positions number at most ``limit`` (the first term, if it alone has more)."""
    sizes = batch.starts[1:]
    if batch.counts is not None and batch.positions is not None:
        sizes = sizes + _offsets(batch.counts)[batch.starts[1:]]
    fit = int(np.searchsorted(sizes, limit, side="right"))
    return batch.terms[max(fit, 1) - 1]


def _advance(
    heads: list[tuple[TermBatch, Iterator[TermBatch]]], n: int, bound: bytes | None
) -> TermBatch:
    """Take from source ``n`` its terms up to ``bound`` (all its current
    batch when None), refilling its head from its iterator (an empty
    batch when it has no more)."""
    batch, iterator = heads[n]
    count = len(batch) if bound is None else bisect.bisect_right(batch.terms, bound)
    taken, rest = batch.head(count)
    if rest is None:
        rest = next(iterator, None)
    if rest is None:
        rest = replace(taken, terms=[], starts=np.zeros(1, dtype=np.int64))
    heads[n] = (rest, iterator)
    return taken


def _combined(parts: list[TermBatch]) -> TermBatch:
    """One batch of the terms of ``parts`` (one field), each term's
    postings sorted by document."""
    parts = [part for part in parts if len(part)]
    if len(parts) == 1:
        return parts[0]
    terms = sorted(set().union(*(part.terms for part in parts)))
    rank_of = {term: n for n, term in enumerate(terms)}
    ranks = np.concatenate(
        [
            np.repeat(
                np.array([rank_of[t] for t in part.terms], dtype=np.int64), np.diff(part.starts)
            )
            for part in parts
        ]
    )
    docs = np.concatenate([part.docs for part in parts])
    keys = (ranks << 32) | docs
    # Already in order (a run of one common term, its parts one run after
    # another): nothing is sorted or gathered, so its millions of positions
    # are not copied twice more.
    order = None if bool((keys[1:] >= keys[:-1]).all()) else np.argsort(keys, kind="stable")
    del keys
    merged = TermBatch(
        parts[0].fieldname,
        terms,
        np.searchsorted(_take(ranks, order), np.arange(len(terms) + 1)).astype(np.int64),
        _take(docs, order),
        _take(np.concatenate([part.weights for part in parts]), order),
    )
    if any(part.positions is not None for part in parts):
        # A positions field can take Whoosh's way too (a boosted document,
        # a merged segment): those postings' positions are decoded.
        parts = [_decoded(part) for part in parts]
        counts = np.concatenate([p.counts for p in parts if p.counts is not None])
        positions = np.concatenate([p.positions for p in parts if p.positions is not None])
        if order is None:
            return replace(merged, counts=counts, positions=positions)
        _, flat = select_ranges(_offsets(counts), order)
        return replace(merged, counts=counts[order], positions=positions[flat])
    encoded = [part.encoded() for part in parts]
    lengths = np.concatenate([e[0] for e in encoded])
    values = b"".join(e[1] for e in encoded)
    if order is None:
        return replace(merged, value_lengths=lengths, values=values)
    _, flat = select_ranges(_offsets(lengths), order)
    data = np.frombuffer(values, dtype=np.uint8)[flat].tobytes()
    return replace(merged, value_lengths=lengths[order], values=data)


def _take(array: NDArray[Any], order: NDArray[np.int64] | None) -> NDArray[Any]:
    """``array`` in ``order`` (as it is when None)."""
    return array if order is None else array[order]


def _decoded(part: TermBatch) -> TermBatch:
    """``part`` with its postings' positions decoded from their values."""
    if part.positions is not None:
        return part
    lengths, values = part.encoded()
    counts, positions = decode_news_positions(values, lengths)
    return replace(part, counts=counts, positions=positions, value_lengths=None, values=None)


# Postings filed one at a time


def entries_batch(fieldname: str, entries: list[TermEntry]) -> TermBatch:
    """One batch of ``entries`` (one field's terms, sorted)."""
    starts = _offsets(np.array([len(e[2]) for e in entries], dtype=np.int64))
    return TermBatch(
        fieldname,
        [e[1] for e in entries],
        starts,
        np.frombuffer(b"".join(e[2].tobytes() for e in entries), np.uint32).astype(np.int64),
        np.frombuffer(b"".join(e[3].tobytes() for e in entries), np.float64).copy(),
        value_lengths=np.frombuffer(b"".join(e[4].tobytes() for e in entries), np.uint32).astype(
            np.int64
        ),
        values=b"".join(e[5] for e in entries),
    )


# Run files


def write_run(path: str, batches: Iterable[TermBatch], limit: int = RUN_POSITIONS) -> None:
    """Write ``batches`` to a run file at ``path`` (read back by
    :func:`read_run`), in pieces of about ``limit`` postings and positions."""
    with open(path, "wb") as run:
        for batch in batches:
            for piece in pieces(batch, limit):
                pickle.dump(piece, run, protocol=pickle.HIGHEST_PROTOCOL)


def pieces(batch: TermBatch, limit: int) -> Iterator[TermBatch]:
    """``batch`` cut into batches of consecutive terms with about ``limit``
    postings and positions each (a term alone with more is one piece)."""
    rest: TermBatch | None = batch
    while rest is not None and len(rest):
        bound = _last_within(rest, limit)
        piece, rest = rest.head(bisect.bisect_right(rest.terms, bound))
        yield piece


def read_run(path: str) -> Iterator[TermBatch]:
    """The batches of a run file, one at a time."""
    with open(path, "rb") as run:
        while True:
            try:
                batch: TermBatch = pickle.load(run)  # our own file, written in this run
            except EOFError:
                return
            yield batch
