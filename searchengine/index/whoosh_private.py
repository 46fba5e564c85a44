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

Inherited methods are kept working: ``SegmentWriter.iter_postings`` reads
the pool's ``iter_postings``, which :class:`searchengine.index.segments.TermPool`
provides.  The pool's other ``PostingPool`` methods (``save``, ``reduce_to``,
``runs``) serve only Whoosh's multiprocessing writer, which builds writers
of its own class, never ours.
"""

from __future__ import annotations

import re
from typing import Any

from whoosh.index import TOC
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
