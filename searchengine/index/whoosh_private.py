"""The one door to Whoosh's internals: every private name of ``whoosh3`` we use.

Everywhere else the engine uses Whoosh's public API only.  What follows
depends on how the pinned ``whoosh3==3.54.0`` works inside, so an upgrade
may break it; ``tests/test_whoosh_private.py`` pins each assumption below
with one test whose failure names it, so an upgrade fails there first.

A1  ``SegmentWriter(ix, _lk=False)`` takes no lock, and the writer releases
    whatever lock is in its ``writelock`` attribute when it commits or is
    cancelled (:func:`segment_writer`: the lock is taken first, with a wait
    the caller controls).
A2  ``SegmentWriter._tempstorage`` is a ``FileStorage`` whose ``folder`` is a
    folder of its own in the index folder, removed when the writer finishes
    (:attr:`HookedSegmentWriter.temp_folder`: where our pool spills).
A3  :meth:`HookedSegmentWriter.add_document` is a copy of Whoosh's
    ``SegmentWriter.add_document`` (for schemas without term vectors and
    separate spelling), with each indexed field's postings filed through a
    hook; it calls the private ``_check_state``, ``_doc_boost``,
    ``_check_fields`` and ``_field_boost`` and sets ``_added``, as the
    original does.  The test holds a fingerprint of the original's source.
A4  ``commit()`` writes a new segment's postings in ``_flush_segment``, which
    it calls once, after the merges and only when documents were added, and
    which must close the per-document writer and the field writer.  The
    override calls :meth:`HookedSegmentWriter.flush_postings` instead of
    sending the posting pool through the field writer.
A5  The ``W3`` field writer keeps its postings file in ``_postfile``, its
    term index (an ``OrderedHashWriter``, whose file is ``dbfile``) in
    ``_tindex``, and the number of the field begun by ``start_field`` in
    ``_fieldid``; a term's key in the index is ``pack_ushort(fieldid)``
    followed by the term's bytes, its value ``W3TermInfo.to_bytes()``.
A6  The ``W3`` posting layout (:func:`write_w3_postings`): per term the
    magic ``W3Bl``, then blocks of at most 128 postings (the codec's
    default, as is zlib level 3 and no inlining), each an int size
    (negated for the last), a pickled info tuple (count, last id, maximum
    weight, compression, minimum and maximum length bytes) and a pickled
    data tuple (id deltas, weights, values), zlib-compressed from
    ``COMPRESSION_MIN_SIZE`` bytes on.
A7  Weights in a block are stored as ``W3PostingsWriter._mini_weights``
    stores them: ``None`` when all are 1, one number when all are equal,
    else all of them.
A8  ``W3TermInfo.add_block`` reads a block's private ``_weights`` and its
    ``len``, ``min_id``, ``max_id``, ``min_length``, ``max_length`` and
    ``max_weight`` (:class:`W3Block` offers just these).
A9  A commit writes the table of contents as ``_<indexname>_<gen>.toc.<time>``
    and renames it into place; a run killed in between leaves that file,
    which Whoosh never removes (:func:`is_stale_toc`).
A10 ``TOC.read(storage, indexname).segments`` lists the committed segments
    (:func:`committed_segments`).
A11 Reading back (for the tests that compare our segments with Whoosh's):
    a segment reader's raw term matcher is ``_terms.matcher``, a
    ``W3TermInfo`` keeps its statistics in private attributes, and a ``W3``
    matcher decodes a block with ``_read_ids``/``_read_weights``/
    ``_read_values`` into attributes of those names
    (:func:`term_statistics`, :func:`posting_blocks`).

Inherited methods are kept working: ``SegmentWriter.iter_postings`` reads
the pool's ``iter_postings``, which :class:`searchengine.index.segments.TermPool`
provides.  The pool's other ``PostingPool`` methods (``save``, ``reduce_to``,
``runs``) serve only Whoosh's multiprocessing writer, which builds writers
of its own class, never ours.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import zlib
from array import array
from collections.abc import Iterable
from pickle import dumps
from typing import Any

from whoosh.codec import whoosh3
from whoosh.index import TOC
from whoosh.system import pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

#: Postings per block, and zlib level: the W3 codec's defaults (A6).
BLOCK_LIMIT = 128
COMPRESSION = 3

#: One term's postings as the pool hands them over: (field name, term bytes,
#: docnums, weights, value lengths, the values one after another).
TermEntry = tuple[str, bytes, "array[int]", "array[float]", "array[int]", bytes]


# -- the writer (A1-A4) --------------------------------------------------------


def segment_writer(cls: type[SegmentWriter], ix: Any, lock: Any, **kwargs: Any) -> Any:
    """A writer of class ``cls`` on ``ix`` under ``lock``, which the caller
    has acquired already; the writer releases it when it finishes (A1)."""
    writer = cls(ix, _lk=False, **kwargs)
    writer.writelock = lock
    return writer


class HookedSegmentWriter(SegmentWriter):  # type: ignore[misc]
    """Whoosh's ``SegmentWriter`` with its private steps behind public hooks.

    Subclasses give :meth:`flush_postings` (write the segment's postings at
    commit, A4) and may give :meth:`index_field` (file one field's postings
    of one document, A3).  A schema with term vectors or separate spelling
    words (features ours does not use) takes Whoosh's own ``add_document``.
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self._plain = all(not f.vector and not f.separate_spelling() for f in self.schema)

    @property
    def temp_folder(self) -> str:
        """The writer's own temporary folder, removed when it finishes (A2)."""
        folder: str = self._tempstorage.folder
        return folder

    def index_field(self, name: str, field: Any, value: Any, docnum: int, boost: float) -> int:
        """File the postings of ``value`` in field ``name`` of document
        ``docnum`` (weights times ``boost``); return the field's length.
        As Whoosh does: one tuple a posting into ``self.pool``."""
        length = 0
        add_post = self.pool.add
        for tbytes, freq, weight, vbytes in field.index(value):
            if field.scorable:
                length += freq
            add_post((name, tbytes, docnum, weight * boost, vbytes))
        return length

    def flush_postings(self, perdoc: Any) -> None:
        """Write every posting of the new segment through ``self.fieldwriter``;
        ``perdoc`` reads the segment's per-document data (field lengths)."""
        raise NotImplementedError(f"{type(self).__name__} must say how it writes its postings")

    def add_document(self, **fields: Any) -> None:
        # Whoosh's SegmentWriter.add_document (A3), less term vectors and
        # separate spelling, with the posting step as a hook.
        if not self._plain:
            super().add_document(**fields)
            return
        self._check_state()
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, name, docboost)
                    length = self.index_field(name, field, value, docnum, boost)
                stored = fields.get(f"_stored_{name}", value)
                perdoc.add_field(name, field, stored if field.stored else None, length)
                column = field.column_type
                if column and stored is not None:
                    perdoc.add_column_value(name, column, field.to_column_value(stored))
        except ValueError:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        # A4: in place of Whoosh's pool -> fieldwriter.add_postings.
        self.perdocwriter.close()
        perdoc = self.per_document_reader()
        try:
            self.flush_postings(perdoc)
        finally:
            perdoc.close()
        self.fieldwriter.close()


def close_segment_files(writer: Any) -> None:
    """Close the new segment's terms and postings files after a failed cancel.

    Whoosh stops closing at the first file whose flush fails (a full disk);
    left open, the others fail again when garbage-collected, and Python
    prints "Exception ignored" noise on stderr.  Their contents are thrown
    away, so closing them is all that matters (A5).
    """
    fieldwriter = getattr(writer, "fieldwriter", None)
    tindex = getattr(fieldwriter, "_tindex", None)
    for structfile in (getattr(tindex, "dbfile", None), getattr(fieldwriter, "_postfile", None)):
        handle = getattr(structfile, "file", None)
        if handle is not None:
            with contextlib.suppress(OSError, ValueError):
                handle.close()


# -- the W3 posting layout (A5-A8) -----------------------------------------------


class W3Block:
    """What ``W3TermInfo.add_block`` reads of a block of postings (A8)."""

    __slots__ = ("_ids", "_maxlength", "_maxweight", "_minlength", "_weights")

    def __init__(
        self,
        ids: array[int],
        weights: array[float],
        minlength: int | None,
        maxlength: int,
        maxweight: float,
    ) -> None:
        self._ids = ids
        self._weights = weights
        self._minlength = minlength
        self._maxlength = maxlength
        self._maxweight = maxweight

    def __len__(self) -> int:
        return len(self._ids)

    def min_id(self) -> int:
        return int(self._ids[0])

    def max_id(self) -> int:
        return int(self._ids[-1])

    def min_length(self) -> int | None:
        return self._minlength

    def max_length(self) -> int:
        return self._maxlength

    def max_weight(self) -> float:
        return self._maxweight


def mini_weights(weights: array[float]) -> Any:
    """A block's weights as W3 stores them (A7)."""
    first = weights[0]
    if all(w == first for w in weights):
        return None if first == 1.0 else first
    return tuple(weights)


def _block_values(
    values: bytes, offsets: list[int], lengths: array[int], first: int, last: int, fixed: int | None
) -> Any:
    if fixed == 0:
        return None
    parts = (values[offsets[i] : offsets[i + 1]] for i in range(first, last) if lengths[i])
    return tuple(parts) if fixed is None or fixed < 0 else b"".join(parts)


def write_w3_term(
    postfile: Any, entry: TermEntry, fixedsize: int | None, field_lengths: list[int] | None
) -> Any:
    """Write one term's postings as W3 blocks to ``postfile`` (A6); return
    its ``W3TermInfo``.  ``fixedsize`` is the field format's value size,
    ``field_lengths`` each document's length in the field (scorable fields)."""
    _, _, ids, weights, lengths, values = entry
    terminfo = whoosh3.W3TermInfo()
    start = postfile.tell()
    postfile.write(whoosh3.WHOOSH3_HEADER_MAGIC)
    offsets = list(itertools.accumulate(lengths, initial=0)) if fixedsize != 0 else []
    count = len(ids)
    for first in range(0, count, BLOCK_LIMIT):
        last = min(first + BLOCK_LIMIT, count)
        block_ids = ids[first:last]
        # Whoosh's blocks keep weights as 32-bit floats but compare and
        # store the maximum as given.
        given = weights[first:last]
        block_weights = array("f", given)
        highest = max(given)
        maxweight: float = highest if highest > 0 else 0
        minlength: int | None = None
        maxlength = 0
        if field_lengths is not None:
            present = [n for n in map(field_lengths.__getitem__, block_ids) if n]
            if present:
                minlength = min(present)
                maxlength = max(present)
        previous = 0
        deltas = []
        for docnum in block_ids:
            deltas.append(docnum - previous)
            previous = docnum
        block_values = _block_values(values, offsets, lengths, first, last, fixedsize)
        data = dumps((tuple(deltas), mini_weights(block_weights), block_values), 2)
        compression = COMPRESSION if len(data) >= whoosh3.COMPRESSION_MIN_SIZE else 0
        if compression:
            data = zlib.compress(data, compression)
        info = dumps(
            (
                last - first,
                block_ids[-1],
                maxweight,
                compression,
                length_to_byte(minlength),
                length_to_byte(maxlength),
            ),
            2,
        )
        size = len(info) + len(data)
        postfile.write_int(-size if last == count else size)
        postfile.write(info)
        postfile.write(data)
        terminfo.add_block(W3Block(block_ids, block_weights, minlength, maxlength, maxweight))
    terminfo.set_extent(start, postfile.tell() - start)
    return terminfo


def write_w3_postings(
    fieldwriter: Any, schema: Any, perdoc: Any, doc_count: int, terms: Iterable[TermEntry]
) -> None:
    """Write ``terms`` (sorted by field and term) through the W3 ``fieldwriter``.

    ``perdoc`` reads the new segment's field lengths (one list per field,
    read once, instead of a lookup per posting).
    """
    postfile = fieldwriter._postfile
    tindex = fieldwriter._tindex
    current: str | None = None
    fixedsize: int | None = None
    field_lengths: list[int] | None = None
    for entry in terms:
        fieldname = entry[0]
        if fieldname != current:
            if current is not None:
                fieldwriter.finish_field()
            fieldobj = schema[fieldname]
            fieldwriter.start_field(fieldname, fieldobj)
            current = fieldname
            fixedsize = fieldobj.format.fixed_value_size()
            field_lengths = None
            if fieldobj.scorable:
                length_of = perdoc.doc_field_length_reader(fieldname)
                field_lengths = [length_of(docnum) for docnum in range(doc_count)]
        terminfo = write_w3_term(postfile, entry, fixedsize, field_lengths)
        tindex.add(pack_ushort(fieldwriter._fieldid) + entry[1], terminfo.to_bytes())
    if current is not None:
        fieldwriter.finish_field()


# -- the table of contents (A9, A10) ----------------------------------------------


def is_stale_toc(name: str, indexname: str) -> bool:
    """Whether ``name`` is a table of contents written but never renamed
    into place (A9); only the lock holder writes one, so with the lock held
    any such file is a dead run's."""
    return re.fullmatch(rf"_{re.escape(indexname)}_\d+\.toc\..+", name) is not None


def committed_segments(storage: Any, indexname: str) -> list[Any]:
    """The segments of the last committed table of contents (A10)."""
    segments: list[Any] = TOC.read(storage, indexname).segments
    return segments


# -- reading W3 back (A11) -------------------------------------------------------


def term_statistics(leaf: Any, fieldname: str, tbytes: bytes) -> tuple[Any, ...]:
    """A term's statistics in one segment as its ``W3TermInfo`` keeps them:
    (total weight, document frequency, minimum and maximum length, maximum
    weight, first and last document)."""
    info = leaf.term_info(fieldname, tbytes)
    return (
        info._weight,
        info._df,
        info._minlength,
        info._maxlength,
        info._maxweight,
        info._minid,
        info._maxid,
    )


def posting_blocks(leaf: Any, fieldname: str, tbytes: bytes) -> list[tuple[Any, ...]]:
    """Every block of a term's W3 posting list in one segment, deleted
    documents included: (count, last id, maximum weight, minimum and
    maximum length, ids, weights, values)."""
    matcher = leaf._terms.matcher(fieldname, tbytes, leaf.schema[fieldname].format)
    blocks = []
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        matcher._read_values()
        blocks.append(
            (
                matcher._blocklength,
                matcher._maxid,
                matcher._maxweight,
                matcher._minlength,
                matcher._maxlength,
                tuple(matcher._ids),
                tuple(matcher._weights),
                tuple(matcher._values),
            )
        )
        matcher._next_block()
    return blocks
