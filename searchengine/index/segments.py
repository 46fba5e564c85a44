"""Writing a new segment's postings a term at a time instead of a posting at a time.

Whoosh's ``SegmentWriter`` puts every posting, as a tuple, into a sorting
pool that pickles tuples to disk when it fills, merges them back one by one
at commit, looks up the document's field length for each, and feeds each to
the codec's block writer: about 20 µs a posting, most of an index run.

Within one segment documents are numbered in the order they are added, so
each term's postings arrive already in order; only the terms need sorting.
:class:`TermPool` keeps each term's postings in compact arrays (no tuple per
posting) and, when it holds more than its memory limit, writes them to a
run file sorted by term; at commit (:func:`write_postings`) the runs are
merged a term at a time and each term's arrays go to the codec's field
writer (:class:`~searchengine.index.codec.NewsFieldWriter`) whole.

Analysed documents (the indexing workers' path) are filed as the arrays
they arrive in, with term ids from the pool's own vocabulary, and inverted
by one numpy sort when the pool is read (:class:`_FieldBuffer`).

Merging segments goes through the same pool: a segment in our codec hands
over each term's postings as arrays (renumbered, deleted documents
dropped, all at once); any other is read through its matchers, a posting at
a time, as Whoosh does.  Whoosh's private writer steps this relies on live in
:mod:`searchengine.index.whoosh_private` (pinned by
``tests/test_whoosh_private.py``): this module uses Whoosh's public names only.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import marshal
import os
from array import array
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from searchengine.analysis.tokenizer import NewsTokenizer
from searchengine.index.codec import NewsCodec, NewsFieldWriter, NewsTermsReader
from searchengine.index.fieldformat import Analyzed, NewsPositions, Vocabulary, analyze
from searchengine.index.postings import select_ranges
from searchengine.index.whoosh_private import HookedSegmentWriter, segment_terms

#: Rough bytes one term's entry costs in memory beyond its postings.
_TERM_OVERHEAD = 400
#: Rough bytes a posting costs in memory beyond its value.
_POSTING_OVERHEAD = 20

#: One term's postings as the pool hands them over: (field name, term bytes,
#: docnums, weights, value lengths, the values one after another).
TermEntry = tuple[str, bytes, "array[int]", "array[float]", "array[int]", bytes]


#: Bytes an analysed document's posting costs beyond its value: its term
#: id, count and value length as 32-bit integers while filed, then the
#: sort's keys, order and sorted copies when the pool is read.
_ARRAY_POSTING = 48
#: Bytes per byte of positions while the pool is read: the values, their
#: gathered copy and the 32-bit gather index.
_ARRAY_VALUE = 6


class _Postings:
    """One term's postings, in the order added: parallel compact arrays."""

    __slots__ = ("ids", "lengths", "values", "weights")

    def __init__(self) -> None:
        self.ids = array("I")
        self.weights = array("d")
        self.lengths = array("I")
        self.values = bytearray()


class _FieldBuffer:
    """One field's postings of analysed documents, as they came: per
    document the ids of its terms in the pool's vocabulary, their counts
    and encoded positions, appended to four flat buffers (no object per
    document).  Inverting them (sorting by term, then document) is one numpy
    sort when the pool is read (:meth:`entries`), not a list append per
    posting as they arrive."""

    __slots__ = ("boost", "counts", "docs", "ids", "lengths", "per_doc", "values", "vocabulary")

    def __init__(self, boost: float, vocabulary: Vocabulary) -> None:
        self.boost = boost
        self.vocabulary = vocabulary
        self.docs = array("I")
        #: Postings per document, then the postings one after another:
        #: 32-bit term ids, counts and value lengths, and the values.
        self.per_doc = array("I")
        self.ids = bytearray()
        self.counts = bytearray()
        self.lengths = bytearray()
        self.values = bytearray()

    def add(self, docnum: int, analyzed: Analyzed) -> None:
        """File one document's postings."""
        if analyzed.vocabulary is self.vocabulary:
            ids = analyzed.tids
        else:  # analysed elsewhere: its terms get this vocabulary's ids
            term_id = self.vocabulary.term_id
            ids = np.array([term_id(t) for t in analyzed.term_list()], dtype=np.uint32)
        self.docs.append(docnum)
        self.per_doc.append(len(ids))
        self.ids += ids.astype(np.uint32, copy=False).tobytes()
        self.counts += analyzed.counts.tobytes()
        self.lengths += analyzed.value_lengths.tobytes()
        self.values += analyzed.values

    def entries(self, fieldname: str) -> Iterator[TermEntry]:
        """Every term's postings, sorted by term, each term's by document."""
        if not self.docs:
            return
        ids = np.frombuffer(self.ids, np.uint32)
        counts = np.frombuffer(self.counts, np.uint32)
        lengths = np.frombuffer(self.lengths, np.uint32)
        values = np.frombuffer(self.values, np.uint8)
        per_doc = np.frombuffer(self.per_doc, np.uint32)
        if not len(ids):
            return
        # Rank of each id in term order; a stable sort by rank keeps each
        # term's documents in the order they were added (increasing).
        terms = self.vocabulary.terms
        by_term = sorted(np.unique(ids).tolist(), key=terms.__getitem__)
        rank = np.zeros(len(terms), np.uint32)
        rank[by_term] = np.arange(len(by_term), dtype=np.uint32)
        keys = rank[ids]
        del ids, rank
        order = np.argsort(keys, kind="stable").astype(np.int32)
        keys = keys[order]
        docs = np.repeat(np.frombuffer(self.docs, np.uint32), per_doc)[order]
        counts = counts[order]
        # The values, gathered in the new order: each posting's byte range
        # (32-bit offsets: a pool holds far less than 2 GB).
        starts = (np.cumsum(lengths, dtype=np.int64) - lengths).astype(np.int32)[order]
        lengths = lengths[order]
        del order
        ends = np.cumsum(lengths, dtype=np.int64)
        gather = np.repeat(starts - (ends - lengths).astype(np.int32), lengths)
        del starts
        gather += np.arange(len(gather), dtype=np.int32)
        data = values[gather].tobytes()
        del gather, values
        bounds = np.flatnonzero(np.diff(keys)) + 1
        del keys
        firsts = np.concatenate(([0], bounds))
        lasts = np.concatenate((bounds, [len(docs)]))
        value_ends = np.concatenate(([0], ends))
        del ends
        boost = self.boost
        for term_rank, (first, last, vfirst, vlast) in enumerate(
            zip(
                firsts.tolist(),
                lasts.tolist(),
                value_ends[firsts].tolist(),
                value_ends[lasts].tolist(),
                strict=True,
            )
        ):
            yield (
                fieldname,
                terms[by_term[term_rank]],
                array("I", docs[first:last].tobytes()),
                array("d", (counts[first:last] * boost).tobytes()),
                array("I", lengths[first:last].tobytes()),
                data[vfirst:vlast],
            )


class TermPool:
    """Postings by term, spilled to sorted run files beyond ``limitmb``.

    Takes the ``(field, term bytes, docnum, weight, value bytes)`` tuples a
    ``SegmentWriter`` hands its pool; docnums must not decrease within a
    term (true of one segment's documents and of segments merged into it).
    """

    def __init__(self, folder: str, limitmb: float) -> None:
        self._folder = folder
        self._limit = int(limitmb * 1024 * 1024)
        self._size = 0
        self._fields: dict[str, dict[bytes, _Postings]] = {}
        #: Analysed documents' postings, per field (:meth:`add_analyzed`),
        #: their term ids from one vocabulary (shared with :func:`analyze`
        #: by the writer, so that filing needs no lookup).
        self._buffers: dict[str, _FieldBuffer] = {}
        self.vocabulary = Vocabulary()
        self._runs: list[str] = []

    @property
    def size(self) -> int:
        """Bytes the postings in memory take, roughly."""
        return self._size

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """Add one posting (Whoosh's pool interface, used when merging segments)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        if docnum < 0:
            # Whoosh's "spelling word" postings: no field of ours has them.
            raise ValueError(
                f"field {fieldname!r} has separate spelling, which TermPool does not write"
            )
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
        postings = terms.get(tbytes)
        if postings is None:
            postings = terms[tbytes] = _Postings()
            self._size += _TERM_OVERHEAD + len(tbytes)
        postings.ids.append(docnum)
        postings.weights.append(weight)
        if vbytes:
            postings.lengths.append(len(vbytes))
            postings.values += vbytes
            self._size += _POSTING_OVERHEAD + len(vbytes)
        else:
            postings.lengths.append(0)
            self._size += _POSTING_OVERHEAD
        if self._size > self._limit:
            self._spill()

    def add_term(
        self,
        fieldname: str,
        tbytes: bytes,
        ids: NDArray[Any],
        weights: NDArray[Any],
        lengths: NDArray[Any],
        values: bytes,
    ) -> None:
        """Add many postings of one term at once (a segment being merged):
        document numbers above any the term has here, their weights, the
        length of each value and the values one after another."""
        terms = self._fields.setdefault(fieldname, {})
        postings = terms.get(tbytes)
        if postings is None:
            postings = terms[tbytes] = _Postings()
            self._size += _TERM_OVERHEAD + len(tbytes)
        postings.ids.frombytes(np.asarray(ids, dtype=np.uint32).tobytes())
        postings.weights.frombytes(np.asarray(weights, dtype=np.float64).tobytes())
        postings.lengths.frombytes(np.asarray(lengths, dtype=np.uint32).tobytes())
        postings.values += values
        self._size += _POSTING_OVERHEAD * len(ids) + len(values)
        if self._size > self._limit:
            self._spill()

    def add_analyzed(self, fieldname: str, docnum: int, analyzed: Analyzed, boost: float) -> None:
        """Add one document's postings of one field, computed ahead
        (:class:`~searchengine.index.fieldformat.Analyzed`): weight is the count
        times ``boost``, the value the encoded positions.  Documents must
        come in increasing ``docnum``, and a field filed here takes no
        :meth:`add` until every document is added (true of a segment writer:
        merged segments are added at commit)."""
        buffer = self._buffers.get(fieldname)
        if buffer is None:
            buffer = self._buffers[fieldname] = _FieldBuffer(boost, self.vocabulary)
        elif buffer.boost != boost:
            raise ValueError(f"field {fieldname!r} was filed with two boosts")
        terms = len(self.vocabulary.terms)
        buffer.add(docnum, analyzed)
        self._size += (
            _ARRAY_VALUE * len(analyzed.values)
            + _ARRAY_POSTING * len(analyzed.counts)
            + _TERM_OVERHEAD * (len(self.vocabulary.terms) - terms)
        )
        if self._size > self._limit:
            self._spill()

    def _spill(self) -> None:
        path = os.path.join(self._folder, f"terms-{len(self._runs)}.run")
        self._runs.append(path)
        with open(path, "wb") as run:
            for entry in self._sorted_memory():
                marshal.dump(
                    (
                        entry[0],
                        entry[1],
                        entry[2].tobytes(),
                        entry[3].tobytes(),
                        entry[4].tobytes(),
                        entry[5],
                    ),
                    run,
                )
        self._fields = {}
        self._buffers = {}
        self.vocabulary = Vocabulary()
        self._size = 0

    def _sorted_memory(self) -> Iterator[TermEntry]:
        # Analysed documents precede documents added one posting at a time
        # (merged at commit): a term in both has the buffer's postings first.
        sources: list[Iterable[TermEntry]] = []
        for fieldname in sorted(self._buffers):
            sources.append(self._buffers[fieldname].entries(fieldname))
        if self._fields:
            sources.append(self._sorted_postings())
        if len(sources) <= 1:
            yield from sources[0] if sources else ()
            return
        # A field can take both ways (a document with a field boost goes
        # the posting-at-a-time way): a term in both is put in document order.
        yield from _concatenated(sources, sort=True)

    def _sorted_postings(self) -> Iterator[TermEntry]:
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            for tbytes in sorted(terms):
                p = terms[tbytes]
                yield fieldname, tbytes, p.ids, p.weights, p.lengths, bytes(p.values)

    def terms(self) -> Iterator[TermEntry]:
        """Every term with all its postings, sorted by field and term."""
        sources: list[Iterable[TermEntry]] = [_read_run(path) for path in self._runs]
        sources.append(self._sorted_memory())
        if len(sources) == 1:
            yield from sources[0]
            return
        # Runs hold earlier documents than later runs.
        yield from _concatenated(sources)

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        """Every posting as Whoosh's pool yields them: ``(field, term bytes,
        docnum, weight, value bytes)`` sorted by field, term and docnum (what
        the inherited ``SegmentWriter.iter_postings`` returns)."""
        for fieldname, tbytes, ids, weights, lengths, values in self.terms():
            offset = 0
            for docnum, weight, length in zip(ids, weights, lengths, strict=True):
                yield fieldname, tbytes, docnum, weight, values[offset : offset + length]
                offset += length

    def cleanup(self) -> None:
        """Remove the run files (Whoosh calls this when the segment is closed)."""
        for path in self._runs:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
        self._runs = []
        self._fields = {}
        self._buffers = {}


def _concatenated(sources: list[Iterable[TermEntry]], *, sort: bool = False) -> Iterator[TermEntry]:
    """The entries of ``sources`` (each sorted by field and term) merged in
    that order; a term found in several has its postings concatenated in
    source order, so sources must hold increasing documents, unless
    ``sort``: then such a term's postings are put in document order."""
    keyed = [((e[0], e[1], n, e) for e in source) for n, source in enumerate(sources)]
    merged = heapq.merge(*keyed)
    for key, group in itertools.groupby(merged, key=lambda item: (item[0], item[1])):
        parts = [item[3] for item in group]
        if len(parts) == 1:
            yield parts[0]
            continue
        ids, weights, lengths = array("I"), array("d"), array("I")
        for part in parts:
            ids += part[2]
            weights += part[3]
            lengths += part[4]
        entry = (key[0], key[1], ids, weights, lengths, b"".join(part[5] for part in parts))
        yield _in_document_order(entry) if sort else entry


def _in_document_order(entry: TermEntry) -> TermEntry:
    """``entry`` with its postings (and their values) sorted by document."""
    fieldname, tbytes, ids, weights, lengths, values = entry
    order = np.argsort(np.frombuffer(ids, np.uint32), kind="stable")
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(np.frombuffer(lengths, np.uint32), out=offsets[1:])
    _, flat = select_ranges(offsets, order)
    return (
        fieldname,
        tbytes,
        array("I", np.frombuffer(ids, np.uint32)[order].tobytes()),
        array("d", np.frombuffer(weights, np.float64)[order].tobytes()),
        array("I", np.frombuffer(lengths, np.uint32)[order].tobytes()),
        np.frombuffer(values, np.uint8)[flat].tobytes(),
    )


def _read_run(path: str) -> Iterator[TermEntry]:
    with open(path, "rb") as run:
        while True:
            try:
                fieldname, tbytes, ids, weights, lengths, values = marshal.load(run)
            except EOFError:
                return
            yield (
                fieldname,
                tbytes,
                array("I", ids),
                array("d", weights),
                array("I", lengths),
                values,
            )


def write_postings(
    fieldwriter: NewsFieldWriter,
    schema: Any,
    perdoc: Any,
    doc_count: int,
    terms: Iterable[TermEntry],
) -> None:
    """Write ``terms`` (sorted by field and term) through ``fieldwriter``, a
    term at a time.

    ``perdoc`` reads the new segment's field lengths (one array per field,
    read once, instead of a lookup per posting).
    """
    current: str | None = None
    field_lengths = np.zeros(doc_count, dtype=np.int64)
    for fieldname, tbytes, ids, weights, lengths, values in terms:
        if fieldname != current:
            if current is not None:
                fieldwriter.finish_field()
            fieldobj = schema[fieldname]
            fieldwriter.start_field(fieldname, fieldobj)
            current = fieldname
            field_lengths = _field_lengths(perdoc, fieldname, doc_count, fieldobj.scorable)
        docnums = np.frombuffer(ids, dtype=np.uint32).astype(np.int64)
        fieldwriter.write_term(
            tbytes,
            docnums,
            np.frombuffer(weights, dtype=np.float64),
            np.frombuffer(lengths, dtype=np.uint32).astype(np.int64),
            values,
            field_lengths[docnums],
        )
    if current is not None:
        fieldwriter.finish_field()


def _field_lengths(perdoc: Any, fieldname: str, doc_count: int, scorable: bool) -> NDArray[Any]:
    """Each document's length of ``fieldname`` (0 where it has none)."""
    if not scorable:
        return np.zeros(doc_count, dtype=np.int64)
    length_of = perdoc.doc_field_length_reader(fieldname)
    return np.array([length_of(docnum) or 0 for docnum in range(doc_count)], dtype=np.int64)


def _live(
    live: NDArray[np.bool_],
    ids: NDArray[Any],
    weights: NDArray[Any],
    lengths: NDArray[Any],
    values: bytes,
) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any], bytes]:
    """The postings of live documents only, their values' bytes included."""
    chosen = np.flatnonzero(live)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    _, flat = select_ranges(offsets, chosen)
    kept = np.frombuffer(values, dtype=np.uint8)[flat].tobytes()
    return ids[chosen], weights[chosen], lengths[chosen], kept


class TermSegmentWriter(HookedSegmentWriter):
    """A ``SegmentWriter`` whose postings go through :class:`TermPool`.

    Documents whose text fields come analysed ahead
    (:class:`~searchengine.index.fieldformat.Analyzed`) are filed without a tuple
    per posting; anything else as Whoosh files it.  At commit the pool's
    terms are written in searchengine's codec, a term at a time
    (:func:`write_postings`).
    """

    def __init__(self, ix: Any, *, limitmb: float, **kwargs: Any) -> None:
        # Every segment this writer makes, merged ones included, is in our
        # codec's layout.
        kwargs.setdefault("codec", NewsCodec())
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = TermPool(self.temp_folder, limitmb)

    def index_field(self, name: str, field: Any, value: Any, docnum: int, boost: float) -> int:
        fmt = field.format
        if isinstance(fmt, NewsPositions) and boost == 1.0:
            if not isinstance(value, Analyzed) and _plain_text(value, field.analyzer):
                # As NewsPositions would analyse it: so that every posting of
                # the field goes into the pool's arrays (one way per field).
                value = analyze(value, vocabulary=self.pool.vocabulary)
            if isinstance(value, Analyzed):
                self.pool.add_analyzed(name, docnum, value, fmt.field_boost)
                return value.length() if field.scorable else 0
        return super().index_field(name, field, value, docnum, boost)

    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: Any) -> None:
        """File a merged segment's postings a term at a time, as arrays,
        when it is in our codec (else Whoosh's way, a posting at a time
        through its matchers).  ``docmap`` maps its live documents to their
        numbers here (None: none deleted, they follow ``startdoc``)."""
        terms = segment_terms(reader)
        if not isinstance(terms, NewsTermsReader):
            super().add_postings_to_pool(reader, startdoc, docmap)
            return
        renumber = None
        if docmap is not None:
            renumber = np.full(reader.doc_count_all(), -1, dtype=np.int64)
            renumber[list(docmap)] = list(docmap.values())
        for fieldname, tbytes in reader.all_terms():
            if fieldname not in self.schema:
                continue
            fmt = self.schema[fieldname].format
            docs, weights, lengths, values = terms.merge_arrays(fieldname, tbytes, fmt)
            if renumber is None:
                ids = docs.astype(np.int64) + startdoc
            else:
                ids = renumber[docs]
                live = ids >= 0
                if not live.all():
                    ids, weights, lengths, values = _live(live, ids, weights, lengths, values)
                    if not len(ids):
                        continue
            self.pool.add_term(fieldname, tbytes, ids, weights, lengths, values)

    def flush_postings(self, perdoc: Any) -> None:
        write_postings(self.fieldwriter, self.schema, perdoc, self.docnum, self.pool.terms())


def _plain_text(value: Any, analyzer: Any) -> bool:
    """Whether ``NewsPositions`` would index ``value`` as :func:`analyze` does."""
    return isinstance(value, str) and isinstance(analyzer, NewsTokenizer) and analyzer.stemming
