"""Writing a new segment's postings a term at a time instead of a posting at a time.

Whoosh's ``SegmentWriter`` puts every posting, as a tuple, into a sorting
pool that pickles tuples to disk when it fills, merges them back one by one
at commit, looks up the document's field length for each, and feeds each to
the codec's block writer: about 20 µs a posting, most of an index run.

:class:`TermPool` takes a document's text fields as the term id of each
word (ids from the pool's own vocabulary, which the indexing workers
analyse with) and inverts all documents' words at once when it is read
(:mod:`searchengine.index.inversion`): no tuple, no Python work per word
or posting.  When it holds more than its memory limit, it writes what it
holds to a run file sorted by term; at commit (:func:`write_postings`) the
runs are merged, a batch of terms at a time with numpy, and each batch goes
to the codec's field writer
(:meth:`~searchengine.index.codec.NewsFieldWriter.write_batch`) whole.

Merging segments goes through the same pool: a segment in our codec hands
over each term's postings as arrays (renumbered, deleted documents
dropped, all at once); any other is read through its matchers, a posting at
a time, as Whoosh does.  Whoosh's private writer steps this relies on live in
:mod:`searchengine.index.whoosh_private` (pinned by
``tests/test_whoosh_private.py``): this module uses Whoosh's public names only.
"""

from __future__ import annotations

import contextlib
import os
from array import array
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from searchengine.analysis.tokenizer import NewsTokenizer
from searchengine.index.codec import NewsCodec, NewsFieldWriter, NewsTermsReader
from searchengine.index.fieldformat import Analyzed, NewsPositions, Tokens, Vocabulary, tokens
from searchengine.index.inversion import (
    BATCH_POSITIONS,
    TermBatch,
    TermEntry,
    WordStream,
    entries_batch,
    merge_batches,
    read_run,
    write_run,
)
from searchengine.index.postings import select_ranges
from searchengine.index.whoosh_private import HookedSegmentWriter, segment_terms

#: Rough bytes one term's entry costs in memory beyond its postings.
_TERM_OVERHEAD = 400
#: Rough bytes a posting costs in memory beyond its value.
_POSTING_OVERHEAD = 20
#: Bytes a word of a filed document costs: its 32-bit term id, then, when
#: the pool is read, its rank and the inverting's share of it.
_STREAM_WORD = 10
#: Distinct words past which a spilling pool starts a new vocabulary: the
#: vocabulary (some 200 bytes a word) is not written out by a spill, so it
#: is bounded on its own; its words' stems are computed again after.
VOCABULARY_WORDS = 200_000
#: Terms no word has (keyword values: ids, paths, urls) past which a
#: spilling pool keeps only its vocabulary's words (:meth:`Vocabulary.words_only`).
KEYWORD_TERMS = 20_000
#: Keyword values whose term ids a segment writer keeps at most.
_KEYWORD_VALUES = 50_000


class _Postings:
    """One term's postings, in the order added: parallel compact arrays."""

    __slots__ = ("ids", "lengths", "values", "weights")

    def __init__(self) -> None:
        self.ids = array("I")
        self.weights = array("d")
        self.lengths = array("I")
        self.values = bytearray()


class TermPool:
    """Postings by term, spilled to sorted run files beyond ``limitmb``.

    Documents' positions fields come as their words' term ids
    (:meth:`add_tokens`, ids from the pool's :attr:`vocabulary`) and are
    inverted when the pool is read, all at once
    (:class:`~searchengine.index.inversion.WordStream`).  Anything else
    comes as Whoosh's ``SegmentWriter`` hands its pool postings, one
    ``(field, term bytes, docnum, weight, value bytes)`` tuple at a time
    (:meth:`add`), or a term's postings at once (:meth:`add_term`, segments
    being merged); docnums must not decrease within a term.  The pool is
    read as batches of terms (:meth:`batches`).
    """

    def __init__(
        self,
        folder: str,
        limitmb: float,
        vocabulary_words: int = VOCABULARY_WORDS,
        keyword_terms: int = KEYWORD_TERMS,
    ) -> None:
        self._folder = folder
        self._limit = int(limitmb * 1024 * 1024)
        self._vocabulary_words = vocabulary_words
        self._keyword_terms = keyword_terms
        self._size = 0
        self._fields: dict[str, dict[bytes, _Postings]] = {}
        #: Positions fields' documents as their words' term ids (:meth:`add_tokens`).
        self._streams: dict[str, WordStream] = {}
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

    def add_tokens(
        self,
        fieldname: str,
        docnum: int,
        ids: NDArray[np.uint32],
        boost: float,
        *,
        positions: bool = True,
    ) -> None:
        """Add one document's field as the term id of each of its words, in
        order (ids of :attr:`vocabulary`): each distinct term a posting,
        weighted its count times ``boost``, with the words' positions
        unless not ``positions`` (a keyword field).  Documents must come in
        increasing ``docnum``; a field always comes the same way."""
        stream = self._streams.get(fieldname)
        if stream is None:
            stream = self._streams[fieldname] = WordStream(boost, with_positions=positions)
        elif stream.boost != boost or stream.with_positions != positions:
            raise ValueError(f"field {fieldname!r} was filed two ways")
        stream.add(docnum, ids)
        self._size += _STREAM_WORD * len(ids)
        if self._size > self._limit:
            self._spill()

    def add_analyzed(self, fieldname: str, docnum: int, analyzed: Analyzed, boost: float) -> None:
        """Add one document's field analysed ahead
        (:class:`~searchengine.index.fieldformat.Analyzed`), as
        :meth:`add_tokens` would add its text."""
        self.add_tokens(
            fieldname, docnum, tokens(str(analyzed), vocabulary=self.vocabulary).ids, boost
        )

    def _spill(self) -> None:
        path = os.path.join(self._folder, f"terms-{len(self._runs)}.run")
        self._runs.append(path)
        write_run(path, self._memory())
        self._fields = {}
        self._streams = {}
        if len(self.vocabulary) > self._vocabulary_words:
            self.vocabulary = Vocabulary(self.vocabulary.written_words())
        elif self.vocabulary.other_terms() > self._keyword_terms:
            self.vocabulary = self.vocabulary.words_only()
        self._size = 0

    def _memory(self) -> Iterator[TermBatch]:
        """The postings in memory, as batches sorted by field and term (the
        buffers are emptied as they are read)."""
        sources: list[Iterable[TermBatch]] = []
        if self._streams:
            sources.append(self._inverted(self._streams))
        if self._fields:
            sources.append(self._filed(self._fields))
        return merge_batches(sources)

    def _inverted(self, streams: dict[str, WordStream]) -> Iterator[TermBatch]:
        terms = self.vocabulary.terms
        for fieldname in sorted(streams):
            yield from streams[fieldname].batches(fieldname, terms)

    @staticmethod
    def _filed(fields: dict[str, dict[bytes, _Postings]]) -> Iterator[TermBatch]:
        for fieldname in sorted(fields):
            terms = fields[fieldname]
            entries: list[TermEntry] = []
            postings = 0
            for tbytes in sorted(terms):
                p = terms[tbytes]
                entries.append((fieldname, tbytes, p.ids, p.weights, p.lengths, bytes(p.values)))
                postings += len(p.ids)
                if postings >= BATCH_POSITIONS:
                    yield entries_batch(fieldname, entries)
                    entries, postings = [], 0
            if entries:
                yield entries_batch(fieldname, entries)

    def batches(self) -> Iterator[TermBatch]:
        """Every term with all its postings, sorted by field and term, in
        batches (:class:`~searchengine.index.inversion.TermBatch`)."""
        sources: list[Iterable[TermBatch]] = [read_run(path) for path in self._runs]
        sources.append(self._memory())
        if len(sources) == 1:
            return iter(sources[0])
        # Runs hold earlier documents than later runs.
        return merge_batches(sources)

    def terms(self) -> Iterator[TermEntry]:
        """Every term with all its postings, sorted by field and term."""
        for batch in self.batches():
            yield from batch.entries()

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
        self._streams = {}


def write_postings(
    fieldwriter: NewsFieldWriter,
    schema: Any,
    perdoc: Any,
    doc_count: int,
    batches: Iterable[TermBatch],
) -> None:
    """Write ``batches`` (sorted by field and term) through ``fieldwriter``,
    a batch of terms at a time.

    ``perdoc`` reads the new segment's field lengths (one array per field,
    read once, instead of a lookup per posting).
    """
    current: str | None = None
    field_lengths = np.zeros(doc_count, dtype=np.int64)
    for batch in batches:
        fieldname = batch.fieldname
        if fieldname != current:
            if current is not None:
                fieldwriter.finish_field()
            fieldobj = schema[fieldname]
            fieldwriter.start_field(fieldname, fieldobj)
            current = fieldname
            field_lengths = _field_lengths(perdoc, fieldname, doc_count, fieldobj.scorable)
        fieldwriter.write_batch(batch, field_lengths)
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

    def __init__(
        self,
        ix: Any,
        *,
        limitmb: float,
        vocabulary_words: int = VOCABULARY_WORDS,
        keyword_terms: int = KEYWORD_TERMS,
        **kwargs: Any,
    ) -> None:
        # Every segment this writer makes, merged ones included, is in our
        # codec's layout.
        kwargs.setdefault("codec", NewsCodec())
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = TermPool(self.temp_folder, limitmb, vocabulary_words, keyword_terms)
        #: Keyword values' term ids (:meth:`_keyword_ids`), for the pool's vocabulary.
        self._keywords: dict[tuple[str, Any], NDArray[np.uint32] | None] = {}
        self._keyword_vocabulary = self.pool.vocabulary

    def index_field(self, name: str, field: Any, value: Any, docnum: int, boost: float) -> int:
        fmt = field.format
        if (
            isinstance(fmt, NewsPositions)
            and boost == 1.0
            and (isinstance(value, (Tokens, Analyzed)) or _plain_text(value, field.analyzer))
        ):
            # Text analysed ahead with this pool's vocabulary is filed as it
            # is; any other is analysed here as NewsPositions would, so that
            # every posting of the field goes the same way.
            if isinstance(value, Tokens) and value.vocabulary is self.pool.vocabulary:
                ids = value.ids
            else:
                ids = tokens(str(value), vocabulary=self.pool.vocabulary).ids
            self.pool.add_tokens(name, docnum, ids, fmt.field_boost)
            return len(ids) if field.scorable else 0
        if boost == 1.0 and not isinstance(fmt, NewsPositions):
            keywords = self._keyword_ids(name, field, value)
            if keywords is not None:
                self.pool.add_tokens(name, docnum, keywords, 1.0, positions=False)
                return len(keywords) if field.scorable else 0
        return super().index_field(name, field, value, docnum, boost)

    def _keyword_ids(self, name: str, field: Any, value: Any) -> NDArray[np.uint32] | None:
        """The term ids of a keyword field's value (an id, a path, a date's
        numeric terms) when each of its postings is the plain one (once,
        weight 1, no value): filed as words then, without a tuple each.
        Values repeat (dates, months, sources): each is indexed once."""
        if self._keyword_vocabulary is not self.pool.vocabulary:
            # A spill started a new vocabulary: the ids kept are not its.
            self._keywords.clear()
            self._keyword_vocabulary = self.pool.vocabulary
        key = (name, value)
        try:
            if key in self._keywords:
                return self._keywords[key]
        except TypeError:  # a list of values
            return None
        found = None
        postings = list(field.index(value))
        if all(n == 1 and weight == 1.0 and not v for _, n, weight, v in postings):
            term_id = self.pool.vocabulary.term_id
            found = np.array([term_id(t) for t, _, _, _ in postings], dtype=np.uint32)
        if len(self._keywords) >= _KEYWORD_VALUES:
            self._keywords.clear()
        self._keywords[key] = found
        return found

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
        write_postings(self.fieldwriter, self.schema, perdoc, self.docnum, self.pool.batches())


def _plain_text(value: Any, analyzer: Any) -> bool:
    """Whether ``NewsPositions`` would index ``value`` as :func:`analyze` does."""
    return isinstance(value, str) and isinstance(analyzer, NewsTokenizer) and analyzer.stemming
