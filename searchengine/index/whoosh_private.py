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
A5-A8 (retired with index format 4) were the W3 field writer's private
    files and block layout, which the segment writer wrote directly; it now
    writes searchengine's own codec (``searchengine.index.codec``) through
    that codec's public field writer.
A9  A commit writes the table of contents as ``_<indexname>_<gen>.toc.<time>``
    and renames it into place; a run killed in between leaves that file,
    which Whoosh never removes (:func:`is_stale_toc`).
A10 ``TOC.read(storage, indexname).segments`` lists the committed segments
    (:func:`committed_segments`).
A11 A segment reader keeps its codec's terms reader (what answers
    ``matcher`` and, for searchengine's codec, ``term_postings``) in
    ``_terms`` (:func:`segment_terms`), whose matcher includes deleted
    documents.
A12 An untranslated ``NumericColumn`` reader (``column_reader(name,
    translate=False)``) keeps one segment's values as a run of ``_count``
    big-endian numbers of struct type ``_typecode`` in ``_dbfile`` from
    ``_basepos``; the documents after the run read as ``_default``
    (:func:`numeric_column`: a whole column in one read).
A13 An untranslated ``VarBytesColumn`` reader keeps each document's
    ``_offsets`` and ``_lengths`` (arrays) into its data, which starts at
    ``_basepos`` in ``_dbfile``; an empty value means none
    (:func:`var_bytes`, :func:`distinct_values`: values read in runs, and
    a column's few distinct values told apart at once;
    :func:`var_bytes_buffer`: a whole column mapped, for the near-duplicate
    signatures).
A14 Whoosh's ``W3`` per-document files (which our codec keeps) store each
    field's length bytes as a ``NumericColumn("B")`` in the file
    ``W3Codec.column_filename(segment, "_FIELD_len")``: one byte per
    document up to the last that has words in the field (:func:`length_bytes`;
    the column is no schema field, so no column reader serves it).
A15 ``BM25F`` keeps per-field ``B`` values in ``_field_B``
    (:func:`bm25f_parameters`).
A16 Two of Whoosh's matchers are wrong in ways the executor's differential
    test found, and are corrected for the reference path by subclasses
    (:func:`corrected`): ``AndNotMatcher._find_first`` and ``_find_next``
    (after ``skip_to`` runs the kept side out) and ``AndMaybeMatcher.skip_to``.
A17 Segments built beside the run's writer (:func:`side_writer`,
    :func:`finish_side_segment`), as Whoosh's own multiprocessing writer
    builds them: a ``SegmentWriter(ix, _lk=False)`` whose ``schema``
    attribute may be replaced before any document is added (the run's
    writer may have added fields), whose ``_tempstorage`` may be replaced by
    a folder inside the run writer's own (removed with it, also after a
    kill, by the next run's writer), and whose ``_finalize_segment()``
    writes and closes the segment's files and returns the segment without
    touching the table of contents; ``_finish()`` then removes its
    temporary folder and marks it closed.
A18 A commit that links segments built elsewhere (:func:`commit_with_segments`):
    ``SegmentWriter.commit`` is ``mergetype(writer, segments)`` (which may
    merge segments into the writer through ``add_reader`` and returns those
    it keeps), then ``_finalize_segment()`` when documents were added (else
    ``_close_segment()``), ``_commit_toc(segments)`` (which also deletes the
    files of segments no longer listed), then ``_finish()``; on an error
    ``_cleanup_on_error()``.  ``writer.segments`` are the segments of the
    commit the writer started from, with its deletions marked.
A19 An ``OrderedHashReader`` (``whoosh.filedb.filetables``, our codec's term
    table) stores each record as a big-endian ``!ii`` header (key length,
    value length), the key, then the value; after its extras, an array of
    ``indexlen`` big-endian numbers of struct type ``extras["indextype"]``
    from file position ``indexbase`` holds the position of every record in
    key order (:func:`ordered_index`, :data:`RECORD_HEADER`: a run of
    adjacent terms read at once).
A20 An ``OrderedHashWriter`` writes each record where the file stands when
    it is added (``dbfile.tell()``), with an MD5 key hash (hash type 0:
    the last four bytes of the digest, big-endian); at ``close`` it writes
    256 tables (bucket ``hash & 255``, ``2 × entries`` slots of a
    big-endian ``!Iq`` hash and position, linear probing from slot
    ``(hash >> 8) % slots`` in the order added, empty slots zero) through
    ``_write_hashes``, whose start and size go into ``directory``, then in
    ``_write_extras`` the pickled extras (with ``indextype`` and
    ``indexlen``) and the index array, whose type is the smallest of
    ``H``, ``i``, ``I``, ``q`` that holds every position
    (:class:`TermTableWriter`: the same bytes, a batch of terms at once).

Inherited methods are kept working: ``SegmentWriter.iter_postings`` reads
the pool's ``iter_postings``, which :class:`searchengine.index.segments.TermPool`
provides.  The pool's other ``PostingPool`` methods (``save``, ``reduce_to``,
``runs``) serve only Whoosh's multiprocessing writer, which builds writers
of its own class, never ours.
"""

from __future__ import annotations

import hashlib
import itertools
import mmap
import operator
import re
from array import array
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh import matching, query
from whoosh.filedb import filetables
from whoosh.index import TOC
from whoosh.matching.mcore import ReadTooFar
from whoosh.writing import SegmentWriter

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

    def __init__(self, ix: Any, *, schema: Any = None, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        if schema is not None:
            # A side writer (A17): the run writer's schema, and a temporary
            # folder of its own inside the run writer's, which the run
            # writer removes when it finishes (and the next run's, should
            # this one be killed).
            self.schema = schema
            shared: Any = getattr(self, "_tempstorage")  # noqa: B009 (untyped in Whoosh)
            self._tempstorage = shared.temp_storage()
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

    def note_added(self) -> None:
        """Record that documents were added other than by ``add_document``
        (a merge hands them to the per-document writer itself, A3)."""
        self._added = True

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


def writer_temp_folder(indexname: str) -> str:
    """The name of the temporary folder the writers of an index share (A2,
    A17): whatever is in it when the lock is taken is a dead run's."""
    return f"{indexname}.tmp"


def side_writer(cls: type[SegmentWriter], ix: Any, schema: Any, **kwargs: Any) -> Any:
    """A writer of class ``cls`` (a :class:`HookedSegmentWriter`) that builds
    a segment for the run holding the lock on ``ix`` to commit (A17): it
    takes no lock and writes documents of ``schema``."""
    return cls(ix, _lk=False, schema=schema, **kwargs)


def finish_side_segment(writer: Any) -> Any | None:
    """Write and close the segment of a :func:`side_writer` and return it,
    not yet committed; ``None`` (and nothing left behind) when it holds no
    document (A17)."""
    if not writer._added:
        writer.cancel()
        return None
    segment = writer._finalize_segment()
    writer._finish()
    return segment


def commit_candidates(writer: Any, built: list[Any], *, drop_old: bool = False) -> list[Any]:
    """The segments :func:`commit_with_segments` hands its policy (A18)."""
    return [*([] if drop_old else writer.segments), *built]


def commit_with_segments(
    writer: Any, built: list[Any], policy: Any, *, drop_old: bool = False
) -> None:
    """Commit ``writer`` with the segments ``built`` by side writers listed
    after those it started from (none of those when ``drop_old``: a
    rebuild), ``policy(writer, segments)`` deciding what is merged (A18)."""
    writer._check_state()
    try:
        final = list(policy(writer, commit_candidates(writer, built, drop_old=drop_old)))
        if writer._added:
            final.append(writer._finalize_segment())
        else:
            writer._close_segment()
        writer._commit_toc(final)
    except Exception:
        writer._cleanup_on_error()
        raise
    writer._finish()


def close_segment_files(writer: Any) -> None:
    """Close the new segment's terms and postings files after a failed cancel.

    Whoosh stops closing at the first file whose flush fails (a full disk);
    left open, the others fail again when garbage-collected, and Python
    prints "Exception ignored" noise on stderr.  Their contents are thrown
    away, so closing them is all that matters.  searchengine's field writer
    closes its files itself (``discard``); nothing private is needed.
    """
    discard = getattr(getattr(writer, "fieldwriter", None), "discard", None)
    if discard is not None:
        discard()


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


# -- reading a segment (A11) ---------------------------------------------------


def segment_terms(reader: Any) -> Any:
    """The codec terms reader of one segment's ``SegmentReader`` (A11)."""
    return reader._terms


# -- the term table's records in key order (A19) ------------------------------

#: The bytes before each record's key: key length and value length, big-endian.
RECORD_HEADER = 8


def ordered_index(table: Any, buf: Any) -> npt.NDArray[Any]:
    """The file position of every record of ``table`` (an
    ``OrderedHashReader``) in key order: a read-only view of its index array
    in ``buf`` (the file's bytes), nothing copied (A19)."""
    typecode = table.extras["indextype"]
    view: npt.NDArray[Any] = np.frombuffer(
        buf, dtype=">" + typecode, count=table.indexlen, offset=table.indexbase
    )
    return view


# -- the term table written a batch at a time (A20) --------------------------

#: A hash table slot: the key's hash and its record's position, big-endian.
_SLOT = np.dtype([("hash", ">u4"), ("position", ">i8")])


class TermTableWriter(filetables.OrderedHashWriter):  # type: ignore[misc]
    """Whoosh's ordered hash file, byte for byte, with records added a
    batch at a time (:meth:`add_many`): Whoosh's ``add`` costs a few
    microseconds a record (two ``tell`` calls, three writes, a bucket
    entry), and a segment's terms are tens of thousands of records.  The
    hashes and positions wait in two arrays (12 bytes a record, not a tuple
    in a list), and the tables are laid out from them at once (A20)."""

    def __init__(self, dbfile: Any) -> None:
        super().__init__(dbfile)
        if self.hashtype != 0:
            raise ValueError("the term table is written with MD5 key hashes only")
        self._hashes = array("I")
        self._positions = array("q")
        self._last = b""

    def add(self, key: bytes, value: bytes) -> None:
        self.add_many([key], [value])

    def add_many(self, keys: list[bytes], values: list[bytes]) -> None:
        """Add records ``keys[n]: values[n]``, the keys in increasing order
        after those added before (``ValueError`` otherwise)."""
        if not keys:
            return
        if not (keys[0] > self._last and all(map(operator.lt, keys, keys[1:]))):
            raise ValueError(f"keys must increase: {self._last!r}..{keys[0]!r}")
        key_lengths = list(map(len, keys))
        value_lengths = list(map(len, values))
        sizes = np.array(key_lengths, dtype=np.int64) + value_lengths + RECORD_HEADER
        positions = self.dbfile.tell() + np.cumsum(sizes) - sizes
        headers = map(filetables._lengths.pack, key_lengths, value_lengths)
        self.dbfile.write(
            b"".join(itertools.chain.from_iterable(zip(headers, keys, values, strict=True)))
        )
        digests = b"".join(map(operator.methodcaller("digest"), map(hashlib.md5, keys)))
        hashes = np.frombuffer(digests, dtype=">u4").reshape(-1, 4)[:, 3]
        self._hashes.frombytes(hashes.astype(np.uint32).tobytes())
        self._positions.frombytes(positions.tobytes())
        self._last = keys[-1]

    def _write_hashes(self) -> None:
        hashes = np.frombuffer(self._hashes, dtype=np.uint32).astype(np.int64)
        buckets = hashes & 255
        order = np.argsort(buckets, kind="stable")
        counts = np.bincount(buckets, minlength=256)
        slots = 2 * counts
        firsts = np.cumsum(slots) - slots
        base = self.dbfile.tell()
        self.directory.extend(
            zip((base + _SLOT.itemsize * firsts).tolist(), slots.tolist(), strict=True)
        )
        ordered = hashes[order]  # by bucket, in the order added within each
        homes = (ordered >> 8) % np.repeat(slots, counts)
        table = np.zeros(int(slots.sum()), dtype=_SLOT)
        at = _linear_probe(homes, counts) + np.repeat(firsts, counts)
        table["hash"][at] = ordered
        table["position"][at] = np.frombuffer(self._positions, dtype=np.int64)[order]
        self.dbfile.write(table.tobytes())

    def _write_extras(self) -> None:
        positions = np.frombuffer(self._positions, dtype=np.int64)
        typecode = _index_type(int(positions.max()) if len(positions) else 0)
        self.extras["indextype"] = typecode
        self.extras["indexlen"] = len(positions)
        filetables.HashWriter._write_extras(self)
        self.dbfile.write(positions.astype(">" + typecode).tobytes())


def _linear_probe(
    homes: npt.NDArray[np.int64], counts: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """The slot each entry takes in its bucket's table (``homes`` grouped by
    bucket, ``counts`` entries a bucket, twice as many slots), placed in
    order from its home slot on, as Whoosh does.  A loop, but of plain
    integers: one entry in five or so meets a taken slot."""
    found = homes.tolist()
    at = 0
    for count in counts.tolist():
        if count == 0:
            continue
        size = 2 * count
        taken = bytearray(size)
        for n in range(at, at + count):
            slot = found[n]
            while taken[slot]:
                slot = slot + 1 if slot + 1 < size else 0
            taken[slot] = 1
            found[n] = slot
        at += count
    return np.array(found, dtype=np.int64)


def _index_type(largest: int) -> str:
    """The type of an index array holding positions up to ``largest``:
    what Whoosh's ``GrowableArray`` grows to from ``H``."""
    if largest < 1 << 16:
        return "H"
    if largest < 1 << 31:
        return "i"
    return "I" if largest < 1 << 32 else "q"


# -- columns read whole (A12, A13) -------------------------------------------

IntArray = npt.NDArray[np.int64]


def numeric_column(column: Any, count: int) -> IntArray:
    """Every value of one segment's untranslated numeric column, in one read (A12)."""
    out = np.full(count, column._default, dtype=np.int64)
    stored = min(column._count, count)
    if stored:
        typecode = column._typecode
        raw = column._dbfile.get(column._basepos, stored * np.dtype(typecode).itemsize)
        out[:stored] = np.frombuffer(raw, dtype=">" + typecode, count=stored)
    return out


#: Gaps between wanted values read through rather than sought past (A13).
_GAP = 4096


def var_bytes(column: Any, docs: list[int]) -> list[bytes]:
    """The values of an untranslated bytes column for ``docs`` (ascending
    document numbers of its segment).  Whoosh reads each value with a seek
    and a read; a run of values lying close together is read here at once,
    the runs found with numpy (A13)."""
    if not docs:
        return []
    # The arrays as they are (no copy), then the documents' entries widened.
    at = np.asarray(column._offsets)[docs].astype(np.int64)
    ends = at + np.asarray(column._lengths)[docs].astype(np.int64)
    # Values are written in document order: a new run where the next value
    # starts more than _GAP bytes past the furthest end so far.
    reach = np.maximum.accumulate(ends)
    cuts = np.flatnonzero(at[1:] - reach[:-1] > _GAP) + 1
    firsts = np.concatenate(([0], cuts)).tolist()
    lasts = [*cuts.tolist(), len(docs)]
    base, dbfile = column._basepos, column._dbfile
    out: list[bytes] = []
    for first, last in zip(firsts, lasts, strict=True):
        start = int(at[first])
        block = dbfile.get(base + start, int(reach[last - 1]) - start)
        starts = (at[first:last] - start).tolist()
        stops = (ends[first:last] - start).tolist()
        out.extend([bytes(block[a:b]) for a, b in zip(starts, stops, strict=True)])
    return out


def var_bytes_buffer(
    column: Any, count: int, *, mapped: bool = True
) -> tuple[Any, IntArray, IntArray]:
    """The data of an untranslated bytes column as a buffer numpy reads in
    place, with each of the first ``count`` documents' offset into it and
    length (0: no value).  ``mapped``, the column file is mapped, not read:
    a whole column of a large segment (256 MB of signatures at a million
    articles) is then never copied into memory at once; else the column's
    bytes are read in one call, which costs less than mapping them page by
    page (A13)."""
    offsets = np.asarray(column._offsets, dtype=np.int64)[:count]
    lengths = np.asarray(column._lengths, dtype=np.int64)[:count]
    if mapped:
        try:
            fileno = column._dbfile.file.fileno()
            buffer: Any = mmap.mmap(fileno, 0, access=mmap.ACCESS_READ)
            return buffer, offsets + column._basepos, lengths
        except (AttributeError, OSError, ValueError):  # not a plain file (compound, in memory)
            pass
    end = int((offsets + lengths).max()) if len(offsets) else 0
    return column._dbfile.get(column._basepos, end), offsets, lengths


#: Multiplier of the byte hash in :func:`distinct_values` (odd: no byte is lost).
_HASH = np.uint64(1_000_003)


def distinct_values(column: Any, count: int) -> tuple[IntArray, list[bytes]]:
    """The few distinct values of an untranslated bytes column, numbered:
    each document's number (-1 for an empty value) and the values in that
    order.  Values are told apart by a 64-bit hash of their bytes computed
    for every document at once, and named by reading one of each (A13)."""
    offsets = np.asarray(column._offsets, dtype=np.int64)[:count]
    lengths = np.asarray(column._lengths, dtype=np.int64)[:count]
    codes = np.full(count, -1, dtype=np.int64)
    present = np.flatnonzero(lengths > 0)
    if not len(present):
        return codes, []
    starts, sizes = offsets[present], lengths[present]
    raw = column._dbfile.get(column._basepos, int((starts + sizes).max()))
    data = np.frombuffer(raw, dtype=np.uint8)
    first = np.cumsum(sizes) - sizes
    within = np.arange(int(sizes.sum())) - np.repeat(first, sizes)
    # 1, H, H², ... modulo 2^64 (unsigned arrays wrap around).
    powers = np.ones(int(sizes.max()), dtype=np.uint64)
    powers[1:] = np.cumprod(np.full(len(powers) - 1, _HASH, dtype=np.uint64))
    weighted = data[np.repeat(starts, sizes) + within].astype(np.uint64) * powers[within]
    hashes = np.add.reduceat(weighted, first) ^ sizes.astype(np.uint64)
    _, one, numbers = np.unique(hashes, return_index=True, return_inverse=True)
    codes[present] = numbers
    return codes, [column[int(present[i])] for i in one]


# -- field lengths (A14) and scoring (A15) -----------------------------------------


def _column_file(reader: Any, name: str) -> bytes | None:
    """The bytes of one segment's column file ``name``, or ``None`` when the
    segment has none (a column nobody wrote a value to)."""
    from whoosh.codec.whoosh3 import W3Codec

    storage = reader.storage()
    filename = W3Codec.column_filename(reader.segment(), name)
    if not storage.file_exists(filename):
        return None
    handle = storage.open_file(filename)
    try:
        data: bytes = handle.read()
    finally:
        handle.close()
    return data


def length_bytes(reader: Any, fieldname: str) -> npt.NDArray[np.uint8]:
    """The field-length byte of every document of one segment (0: no words).

    This is the byte BM25F scores with: Whoosh stores each document's field
    length as one byte (``whoosh.util.numeric.length_to_byte``) in a column
    named ``_FIELD_len`` and scores with ``byte_to_length`` of it, not with
    the true length.
    """
    count = reader.doc_count_all()
    values = np.zeros(count, dtype=np.uint8)
    data = _column_file(reader, f"_{fieldname}_len")
    if data:
        stored = np.frombuffer(data, dtype=np.uint8)
        kept = min(count, len(stored))
        values[:kept] = stored[:kept]
    return values


def bm25f_parameters(weighting: Any, fieldname: str) -> tuple[float, float] | None:
    """``(B, K1)`` that Whoosh's BM25F scores ``fieldname`` with, or ``None``
    when ``weighting`` is not plain BM25F (then nothing here can score)."""
    from whoosh import scoring

    if type(weighting) is not scoring.BM25F:
        return None
    field_b: dict[str, float] = weighting._field_B
    return float(field_b.get(fieldname, weighting.B)), float(weighting.K1)


# -- matchers corrected (A16) -------------------------------------------------------


class _AndNotMatcher(matching.AndNotMatcher):  # type: ignore[misc]
    """Whoosh's ``AndNotMatcher`` with its first document checked too, and
    no id asked of a side that has run out."""

    def _find_first(self) -> None:
        # Whoosh checks only when both sub-matchers start on the same document.
        if self.a.is_active() and self.b.is_active():
            self._find_next()

    def _find_next(self) -> Any:
        # Whoosh's skip_to calls this after skipping the kept side, which may
        # have run out; Whoosh then asks it for its id (an IndexError from
        # most leaf matchers).
        if not self.a.is_active():
            return False
        return super()._find_next()


class _AndNot(query.AndNot):  # type: ignore[misc]
    def matcher(self, searcher: Any, context: Any = None) -> Any:
        kept = self.a.matcher(searcher, context)
        excluded = self.b.matcher(searcher, searcher.boolean_context())
        return _AndNotMatcher(kept, excluded)


class _AndMaybeMatcher(matching.AndMaybeMatcher):  # type: ignore[misc]
    """Whoosh's ``AndMaybeMatcher`` with the optional side kept in step."""

    def skip_to(self, id: int) -> Any:
        # Whoosh skips the optional side to ``id``, not to where the required
        # side landed (past ``id`` when it lacks ``id``): its score was lost.
        if not self.a.is_active():
            raise ReadTooFar
        moved = self.a.skip_to(id)
        if self.a.is_active() and self.b.is_active():
            moved = self.b.skip_to(self.a.id()) or moved
        return moved


class _AndMaybe(query.AndMaybe):  # type: ignore[misc]
    matcherclass = _AndMaybeMatcher


def corrected(q: Any) -> Any:
    """``q`` with its ``AndNot`` and ``AndMaybe`` nodes matched correctly.

    Two of Whoosh's matchers can give wrong results:

    * ``AndNotMatcher`` checks its first document against the excluded
      matcher only when both start on the same document
      (``_find_first``): when the excluded one starts earlier and also holds
      the first wanted document, that document is returned though excluded
      (``the but -the`` matched an article with both words, the first of its
      segment to have them); and its ``skip_to``, having skipped the kept
      side past its last document, asks that exhausted side for its id;
    * ``AndMaybeMatcher.skip_to`` moves the optional side to the document
      asked for rather than to the one the required side reached, so under
      an AND the optional side's score could be left out.

    The reference path (``query.ranking``) matches with these corrected
    copies, which is what the executor is compared with.
    """
    if isinstance(q, query.AndNot) and not isinstance(q, _AndNot):
        return _AndNot(corrected(q.a), corrected(q.b))
    if isinstance(q, query.AndMaybe) and not isinstance(q, _AndMaybe):
        return _AndMaybe(corrected(q.a), corrected(q.b))
    if q.is_leaf():
        return q
    return q.apply(corrected)
