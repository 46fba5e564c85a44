"""A merge: several segments' live documents written as one new segment.

Which segments are merged is :mod:`searchengine.index.merging`'s decision;
this module does the writing, as array work rather than Whoosh's
``add_reader`` (which reads back every document's stored fields, length
and column values one call at a time, and every term's postings through
the posting pool, positions re-encoded as bytes and decoded again: about
460 µs of CPU an article, most of a 300,000-article commit).

* **Documents.**  The sources' live documents are numbered one after
  another, in source order.  Each is handed to the new segment's per-document
  writer (Whoosh's codec API, so stored fields are written however the
  codec stores them), but the values that are columns in the sources are
  read a whole column at a time: each text field's length byte
  (:func:`~searchengine.index.whoosh_private.length_bytes`), numeric
  columns and bytes columns, instead of a lookup per document and field.
* **Postings.**  Each field's terms are walked in order across the sources
  at once (a k-way merge of their term lists); a term's postings are read
  from each source as arrays (:func:`searchengine.index.postings`), the
  documents renumbered and deleted ones dropped with numpy, and the whole
  term written through the codec's field writer with its counts and
  positions as arrays (never re-encoded).  Memory holds one term.

The sources' postings files are memory maps: what a merge has read of them
is given back as it goes (:meth:`~searchengine.index.codec.NewsTermsReader.release`),
so that a merge of a million articles does not count their whole postings
as its own resident memory.

Segments in another codec than searchengine's (none in a format-4 index)
are merged the way Whoosh does it.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.reading import SegmentReader

from searchengine.index import whoosh_private
from searchengine.index.codec import NewsTermsReader
from searchengine.index.fieldformat import NewsPositions
from searchengine.index.postings import select_ranges
from searchengine.index.segments import TermSegmentWriter

#: Terms read between two releases of the sources' mapped postings.
RELEASE_EVERY = 4096


@cache
def _length_table() -> NDArray[np.int64]:
    """``byte_to_length`` of every length byte, as the integers Whoosh gives."""
    from whoosh.util.numeric import byte_to_length

    return np.array([byte_to_length(b) for b in range(256)], dtype=np.int64)


@dataclass
class _Source:
    """One segment being merged: its reader and codec terms reader, and
    each of its documents' number in the new segment (-1: deleted)."""

    reader: Any
    terms: NewsTermsReader
    renumber: NDArray[np.int64]
    live: NDArray[np.int64]
    deletions: bool

    def lengths(self, fieldname: str) -> NDArray[np.int64]:
        """The field's length (as Whoosh rounds it) of each live document."""
        table = _length_table()
        return table[whoosh_private.length_bytes(self.reader, fieldname)][self.live]


class MergeSegmentWriter(TermSegmentWriter):
    """A segment writer whose documents are other segments' live documents
    (:meth:`add_segment`), and whose postings are merged from theirs at the
    end, a term at a time (:meth:`flush_postings`)."""

    def __init__(self, ix: Any, *, limitmb: float, **kwargs: Any) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self._sources: list[_Source] = []
        self._whoosh_way = False

    def add_segment(self, segment: Any) -> None:
        """Add the live documents of ``segment`` (with its deletions marked)."""
        reader = SegmentReader(self.storage, self.schema, segment)
        terms = whoosh_private.segment_terms(reader)
        if self._whoosh_way or not isinstance(terms, NewsTermsReader):
            if self._sources:
                raise ValueError("segments of two codecs cannot be merged in one go")
            self._whoosh_way = True
            try:
                self.add_reader(reader)
            finally:
                reader.close()
            return
        size = reader.doc_count_all()
        live = np.ones(size, dtype=np.bool_)
        deleted = reader.has_deletions()
        if deleted:
            gone = np.fromiter(reader.deleted_docs_set, dtype=np.int64)
            live[gone[gone < size]] = False
        kept = np.flatnonzero(live)
        renumber = np.full(size, -1, dtype=np.int64)
        renumber[kept] = self.docnum + np.arange(len(kept))
        source = _Source(reader, terms, renumber, kept, deleted)
        self._sources.append(source)
        self._copy_documents(source)

    def close_sources(self) -> None:
        """Close the readers of the merged segments."""
        for source in self._sources:
            source.reader.close()
        self._sources = []

    def _copy_documents(self, source: _Source) -> None:
        """Hand each live document of ``source`` to the per-document writer:
        its stored fields, field lengths and column values, the last two
        read a column at a time."""
        reader = source.reader
        schema = self.schema
        names = sorted(
            set(schema.names()) | {n for n in reader.indexed_field_names() if n in schema}
        )
        fields = [(name, schema[name]) for name in names]
        lengths = {name: source.lengths(name).tolist() for name, f in fields if f.scorable}
        columns = {
            name: _column_values(reader, name, f.column_type, source.live)
            for name, f in fields
            if f.column_type and reader.has_column(name)
        }
        perdoc = self.perdocwriter
        at = 0
        for _, stored in reader.iter_docs():
            perdoc.start_doc(self.docnum)
            for name, fieldobj in fields:
                length = lengths[name][at] if name in lengths else 0
                perdoc.add_field(name, fieldobj, stored.get(name), length)
                if name in columns:
                    perdoc.add_column_value(name, fieldobj.column_type, columns[name][at])
            perdoc.finish_doc()
            self.docnum += 1
            at += 1
        if at != len(source.live):
            raise ValueError("a merged segment's documents changed while it was read")
        if at:
            self.note_added()

    def flush_postings(self, perdoc: Any) -> None:
        if self._whoosh_way:
            super().flush_postings(perdoc)
            return
        names = sorted(
            {n for s in self._sources for n in s.reader.indexed_field_names() if n in self.schema}
        )
        for fieldname in names:
            self._merge_field(fieldname)

    def _merge_field(self, fieldname: str) -> None:
        fieldobj = self.schema[fieldname]
        sources = self._sources
        if fieldobj.scorable:
            field_lengths = np.concatenate([s.lengths(fieldname) for s in sources])
        else:
            field_lengths = np.zeros(self.docnum, dtype=np.int64)
        positional = isinstance(fieldobj.format, NewsPositions)
        streams = [
            _numbered(s.reader.lexicon(fieldname), n)
            for n, s in enumerate(sources)
            if fieldname in s.reader.indexed_field_names()
        ]
        writer = self.fieldwriter
        writer.start_field(fieldname, fieldobj)
        for count, (tbytes, group) in enumerate(
            itertools.groupby(heapq.merge(*streams), key=lambda item: item[0])
        ):
            parts = [sources[n] for _, n in group]
            if positional:
                self._merge_positions(fieldname, fieldobj.format, tbytes, parts, field_lengths)
            else:
                self._merge_values(fieldname, fieldobj.format, tbytes, parts, field_lengths)
            if count % RELEASE_EVERY == RELEASE_EVERY - 1:
                for source in sources:
                    source.terms.release()
        writer.finish_field()
        for source in sources:
            source.terms.release()

    def _merge_positions(
        self,
        fieldname: str,
        fmt: Any,
        tbytes: bytes,
        parts: list[_Source],
        field_lengths: NDArray[np.int64],
    ) -> None:
        ids, weights, counts, positions = [], [], [], []
        for source in parts:
            found = source.terms.term_postings(fieldname, tbytes, fmt)
            assert found is not None
            offsets, flat = found.positions()
            numbers, w = source.renumber[found.docs], found.weights
            kept = np.flatnonzero(numbers >= 0) if source.deletions else None
            if kept is not None and len(kept) < len(numbers):
                # Deleted documents' postings (and their positions) left out.
                offsets, chosen = select_ranges(offsets, kept)
                numbers, w, flat = numbers[kept], w[kept], flat[chosen]
            ids.append(numbers)
            weights.append(w)
            counts.append(np.diff(offsets))
            positions.append(flat)
        merged = np.concatenate(ids)
        if not len(merged):
            return
        self.fieldwriter.write_term(
            tbytes,
            merged,
            np.concatenate(weights),
            np.zeros(0, dtype=np.int64),
            b"",
            field_lengths[merged],
            decoded=(np.concatenate(counts), np.concatenate(positions)),
        )

    def _merge_values(
        self,
        fieldname: str,
        fmt: Any,
        tbytes: bytes,
        parts: list[_Source],
        field_lengths: NDArray[np.int64],
    ) -> None:
        ids, weights, lengths, values = [], [], [], []
        for source in parts:
            docs, w, sizes, data = source.terms.merge_arrays(fieldname, tbytes, fmt)
            numbers = source.renumber[docs]
            kept = np.flatnonzero(numbers >= 0)
            if len(kept) < len(numbers):
                offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
                np.cumsum(sizes, out=offsets[1:])
                _, chosen = select_ranges(offsets, kept)
                numbers, w, sizes = numbers[kept], w[kept], sizes[kept]
                data = np.frombuffer(data, dtype=np.uint8)[chosen].tobytes()
            ids.append(numbers)
            weights.append(w)
            lengths.append(sizes)
            values.append(data)
        merged = np.concatenate(ids)
        if not len(merged):
            return
        self.fieldwriter.write_term(
            tbytes,
            merged,
            np.concatenate(weights),
            np.concatenate(lengths),
            b"".join(values),
            field_lengths[merged],
        )


def _numbered(terms: Iterable[bytes], source: int) -> Iterator[tuple[bytes, int]]:
    """``(term, source)`` for each of a source's terms (in order)."""
    for term in terms:
        yield term, source


def _column_values(reader: Any, name: str, column: Any, live: NDArray[np.int64]) -> list[Any]:
    """The raw column values of the live documents, read at once where the
    column's layout allows (numbers and bytes), else one by one."""
    raw = reader.column_reader(name, column, translate=False)
    if isinstance(raw, NumericColumn.Reader):
        values: list[Any] = whoosh_private.numeric_column(raw, reader.doc_count_all())[
            live
        ].tolist()
        return values
    if isinstance(raw, VarBytesColumn.Reader):
        return whoosh_private.var_bytes(raw, live.tolist())
    return [raw[docnum] for docnum in live.tolist()]
