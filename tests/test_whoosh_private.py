"""Each assumption :mod:`searchengine.index.whoosh_private` makes about Whoosh's
internals, pinned directly: one test per assumption (A1..A16 in that module's
docstring), whose failure message names it.  An upgrade of the pinned
``whoosh3`` that breaks one fails here first, saying what to revisit.
"""

from __future__ import annotations

import hashlib
import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from whoosh import fields, index, query
from whoosh.filedb.filestore import FileStorage
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

from searchengine.index import whoosh_private
from searchengine.index.whoosh_private import (
    RECORD_HEADER,
    HookedSegmentWriter,
    bm25f_parameters,
    committed_segments,
    corrected,
    distinct_values,
    is_stale_toc,
    length_bytes,
    numeric_column,
    ordered_index,
    segment_terms,
    segment_writer,
    var_bytes,
)


def _schema() -> Any:
    return fields.Schema(id=fields.ID(stored=True), body=fields.TEXT(stored=True))


def _new_index(folder: Path) -> Any:
    folder.mkdir(exist_ok=True)
    return index.create_in(str(folder), _schema())


def _fingerprint(function: Callable[..., Any]) -> str:
    """The source of ``function`` without comments and blank lines, hashed."""
    lines = (line.split("#")[0].strip() for line in inspect.getsource(function).splitlines())
    return hashlib.sha256("\n".join(line for line in lines if line).encode()).hexdigest()[:16]


class _WhooshPostings(HookedSegmentWriter):
    """The door's writer writing its postings as Whoosh does, noting when."""

    flushes: list[tuple[bool, bool]]

    def flush_postings(self, perdoc: Any) -> None:
        self.flushes.append((self.perdocwriter.is_closed, self.fieldwriter.is_closed))
        self.fieldwriter.add_postings(self.schema, perdoc, self.pool.iter_postings())


def test_a1_a_writer_takes_no_lock_of_its_own_and_releases_the_one_it_is_given(
    tmp_path: Path,
) -> None:
    ix = _new_index(tmp_path / "ix")
    lock = ix.lock("WRITELOCK")
    assert lock.acquire()
    # Were _lk ignored, the writer would try the held lock and raise LockError.
    writer = segment_writer(SegmentWriter, ix, lock)
    assert not ix.lock("WRITELOCK").acquire(), "A1: the lock must stay held while writing"
    writer.cancel()
    other = ix.lock("WRITELOCK")
    assert other.acquire(), "A1: SegmentWriter no longer releases its `writelock` when done"
    other.release()


def test_a2_the_writer_has_a_temporary_folder_of_its_own(tmp_path: Path) -> None:
    ix = _new_index(tmp_path / "ix")
    writer = _WhooshPostings(ix)
    folder = writer.temp_folder
    assert os.path.isdir(folder), "A2: SegmentWriter._tempstorage.folder is not a folder"
    assert os.path.dirname(os.path.abspath(folder)) == str(tmp_path / "ix"), (
        "A2: the writer's temporary folder is no longer inside the index folder"
    )
    writer.cancel()
    assert not os.path.exists(folder), "A2: the temporary folder outlives its writer"


def test_a3_add_document_is_still_the_one_the_door_copies(tmp_path: Path) -> None:
    assert _fingerprint(SegmentWriter.add_document) == "584b24552bde9d42", (
        "A3: Whoosh's SegmentWriter.add_document changed; HookedSegmentWriter.add_document "
        "is a copy of it: bring the copy up to date, then this fingerprint"
    )
    ix = _new_index(tmp_path / "ix")
    writer = _WhooshPostings(ix)
    writer.flushes = []
    for name in ("_check_state", "_doc_boost", "_check_fields", "_field_boost"):
        assert callable(getattr(writer, name, None)), f"A3: SegmentWriter.{name} is gone"
    assert writer._added is False, "A3: SegmentWriter no longer starts with `_added` False"
    writer.add_document(id="a", body="harbour strike")
    writer.add_document(id="b", body="harbour", _stored_body="Harbour!")
    writer.commit()
    with ix.searcher() as searcher:
        found = [searcher.stored_fields(d) for d in searcher.document_numbers(body="harbour")]
        assert sorted(f["body"] for f in found) == ["Harbour!", "harbour strike"], "A3"
        assert searcher.reader().doc_field_length(0, "body") == 2, "A3: field lengths"


def test_a4_commit_flushes_postings_once_between_the_two_writers_closing(
    tmp_path: Path,
) -> None:
    assert _fingerprint(SegmentWriter._flush_segment) == "66d2ffb44dac9ca0", (
        "A4: Whoosh's SegmentWriter._flush_segment changed; HookedSegmentWriter "
        "overrides it: check what the new one does, then update this fingerprint"
    )
    ix = _new_index(tmp_path / "ix")
    writer = _WhooshPostings(ix)
    writer.flushes = []
    writer.add_document(id="a", body="harbour strike")
    writer.commit()
    assert writer.flushes == [(True, False)], (
        "A4: commit must call _flush_segment once, after closing the per-document "
        "writer and before closing the field writer"
    )
    assert writer.fieldwriter.is_closed, "A4"
    with ix.searcher() as searcher:
        assert list(searcher.document_numbers(body="strike")) == [0], "A4"
    deleting = _WhooshPostings(ix)
    deleting.flushes = []
    deleting.delete_by_term("id", "a")
    deleting.commit()
    assert deleting.flushes == [], "A4: a commit without documents must not flush postings"


class _Recording(FileStorage):  # type: ignore[misc]
    """A file storage noting the names it creates and renames."""

    created: list[str]
    renamed: list[tuple[str, str]]

    def create_file(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self.created.append(name)
        return super().create_file(name, *args, **kwargs)

    def rename_file(self, old: str, new: str, safe: bool = False) -> None:
        self.renamed.append((old, new))
        super().rename_file(old, new, safe)


def test_a9_the_table_of_contents_is_written_under_a_temporary_name(tmp_path: Path) -> None:
    _new_index(tmp_path / "ix")
    storage = _Recording(str(tmp_path / "ix"))
    storage.created, storage.renamed = [], []
    ix = index.FileIndex(storage)
    writer = ix.writer()
    writer.add_document(id="a", body="harbour")
    writer.commit()
    generation = ix.latest_generation()
    ((temporary, final),) = storage.renamed
    assert final == f"_MAIN_{generation}.toc", "A9: the table of contents' name"
    assert temporary in storage.created and is_stale_toc(temporary, "MAIN"), (
        f"A9: the table of contents is written as {temporary!r}, which is_stale_toc "
        "does not recognise"
    )
    # Whoosh's own clean-up leaves such a file behind (so we remove it).
    stale = tmp_path / "ix" / f"{final}.12345.6"
    stale.write_bytes(b"half written")
    again = ix.writer()
    again.add_document(id="b", body="strike")
    again.commit()
    assert stale.exists(), "A9: Whoosh now removes stale tables of contents itself"


def test_a10_the_table_of_contents_lists_the_committed_segments(tmp_path: Path) -> None:
    ix = _new_index(tmp_path / "ix")
    for doc_id in ("a", "b"):
        writer = ix.writer()
        writer.add_document(id=doc_id, body="harbour")
        writer.commit(merge=False)
    segments = committed_segments(ix.storage, ix.indexname)
    with ix.reader() as reader:
        expected = [leaf.segment().segment_id() for leaf, _ in reader.leaf_readers()]
    assert [s.segment_id() for s in segments] == expected, "A10: TOC.read(...).segments"
    assert len(expected) == 2, "A10"


def test_a11_a_segment_readers_terms_reader_gives_raw_matchers(tmp_path: Path) -> None:
    ix = _new_index(tmp_path / "ix")
    writer = ix.writer()
    for n in range(30):
        writer.add_document(id=f"d{n}", body="harbour strike" if n % 3 else "harbour")
    writer.commit()
    writer = ix.writer()
    writer.delete_by_term("id", "d4")
    writer.commit(merge=False)
    with ix.reader() as reader:
        ((leaf, _),) = reader.leaf_readers()
        terms = segment_terms(leaf)
        assert terms is not None, "A11: SegmentReader._terms is gone"
        assert isinstance(terms, type(leaf.codec().terms_reader(leaf.storage(), leaf.segment()))), (
            "A11: SegmentReader._terms is not its codec's terms reader"
        )
        fmt = leaf.schema["body"].format
        raw = list(terms.matcher("body", b"harbour", fmt).all_ids())
        live = list(leaf.postings("body", "harbour").all_ids())
        assert raw == list(range(30)), "A11: the raw matcher no longer includes deleted documents"
        assert live == [n for n in range(30) if n != 4]


def _columns_index(folder: Path) -> Any:
    """Two segments of articles with a source (or none) and a date (or none)."""
    from whoosh import columns

    schema = fields.Schema(
        source=fields.ID(sortable=True),
        day=fields.COLUMN(columns.NumericColumn("I", default=0)),
    )
    folder.mkdir(exist_ok=True)
    ix = index.create_in(str(folder), schema)
    for batch in range(2):
        writer = ix.writer()
        for n in range(300):
            doc: dict[str, Any] = {}
            if n % 7:
                doc["source"] = ["Coastal Wire", "Valley Herald", "Ledger Über", "X"][n % 4]
            if n % 5 and n < 250:  # the last documents of a segment undated: past the run
                doc["day"] = 20210900 + batch * 100 + n % 28 + 1
            writer.add_document(**doc)
        writer.commit(merge=False)
    return ix


def test_a12_a_numeric_column_is_one_run_of_big_endian_numbers(tmp_path: Path) -> None:
    with _columns_index(tmp_path / "ix").searcher() as searcher:
        leaves = searcher.reader().leaf_readers()
        assert len(leaves) == 2
        for leaf, _ in leaves:
            column = leaf.column_reader("day", translate=False)
            count = leaf.doc_count_all()
            assert numeric_column(column, count).tolist() == [column[d] for d in range(count)], (
                "A12: a NumericColumn reader keeps its values elsewhere"
            )


def test_a13_a_bytes_column_has_offsets_and_lengths_per_document(tmp_path: Path) -> None:
    with _columns_index(tmp_path / "ix").searcher() as searcher:
        for leaf, _ in searcher.reader().leaf_readers():
            column = leaf.column_reader("source", translate=False)
            count = leaf.doc_count_all()
            every = [column[d] for d in range(count)]
            assert var_bytes(column, list(range(count))) == every, (
                "A13: a VarBytesColumn reader keeps its offsets, lengths or data elsewhere"
            )
            some = list(range(0, count, 13))
            assert var_bytes(column, some) == [every[d] for d in some]
            codes, values = distinct_values(column, count)
            assert [values[c] if c >= 0 else b"" for c in codes.tolist()] == every
            assert sorted(values) == sorted({v for v in every if v})


def test_a14_a_fields_length_bytes_are_the_ones_whoosh_scores_with(tmp_path: Path) -> None:
    ix = _new_index(tmp_path / "ix")
    for batch in range(2):
        writer = ix.writer()
        for n in range(40):
            # Empty bodies at the end of a segment: left out of the column.
            body = " ".join(["harbour"] * (n * n % 300)) if n < 35 else ""
            writer.add_document(id=f"{batch}-{n}", body=body)
        writer.commit(merge=False)
    with ix.searcher() as searcher:
        for leaf, _ in searcher.reader().leaf_readers():
            count = leaf.doc_count_all()
            expected = [leaf.doc_field_length(d, "body") or 0 for d in range(count)]
            assert [byte_to_length(b) for b in length_bytes(leaf, "body").tolist()] == expected, (
                "A14: field lengths are no longer one byte a document in _FIELD_len"
            )


def test_a15_bm25f_keeps_a_b_per_field() -> None:
    from whoosh import scoring

    weighting = scoring.BM25F(B=0.6, K1=1.5, title_B=0.9)
    assert bm25f_parameters(weighting, "title") == (0.9, 1.5), "A15: BM25F._field_B"
    assert bm25f_parameters(weighting, "body") == (0.6, 1.5)
    assert bm25f_parameters(scoring.TF_IDF(), "body") is None


def _scores(matcher: Any) -> dict[int, float]:
    found = {}
    while matcher.is_active():
        found[matcher.id()] = matcher.score()
        matcher.next()
    return found


def test_a16_and_not_and_and_maybe_are_corrected(tmp_path: Path) -> None:
    ix = _new_index(tmp_path / "ix")
    writer = ix.writer()
    for body in ["quay", "harbour quay", "harbour", "harbour quay", "harbour"]:
        writer.add_document(id=body, body=body)
    writer.commit()
    harbour, quay = query.Term("body", "harbour"), query.Term("body", "quay")
    with ix.searcher() as searcher:
        # Document 1 has both words; the excluded side starts before it.
        but_not = query.AndNot(harbour, quay)
        assert list(corrected(but_not).matcher(searcher).all_ids()) == [2, 4], "A16"
        assert list(but_not.matcher(searcher).all_ids()) == [1, 2, 4], (
            "A16: Whoosh's AndNotMatcher is fixed; corrected() may drop its copy"
        )
        # Under an AND, document 3 is skipped to: its optional word must count.
        alone = _scores(query.AndMaybe(quay, harbour).matcher(searcher))
        expected = {d: 1.0 + score for d, score in alone.items()}
        maybe = query.And([query.Every(), query.AndMaybe(quay, harbour)])
        assert _scores(corrected(maybe).matcher(searcher)) == expected, "A16"
        assert _scores(maybe.matcher(searcher))[3] < expected[3], (
            "A16: Whoosh's AndMaybeMatcher.skip_to is fixed; corrected() may drop its copy"
        )


#: The private Whoosh names the door uses, as they would appear elsewhere.
PRIVATE_NAMES = (
    # A12, A13 (``_offsets`` and ``_lengths`` are names our own codec uses too).
    "._basepos",
    "._dbfile",
    "._typecode",
    "_lk=",
    "._tempstorage",
    "._check_state",
    "._doc_boost",
    "._check_fields",
    "._field_boost",
    "._added",
    "_flush_segment",
    "._tindex",
    "._postfile",
    "._fieldid",
    "._mini_weights",
    "_read_toc",
    "._segments(",
    "._terms.",
    "._read_ids",
    # A17, A18.
    "._finalize_segment",
    "._commit_toc",
    "._finish(",
    "._cleanup_on_error",
    "._close_segment",
)


def _side_segment(ix: Any, schema: Any, doc_id: str) -> Any:
    side = whoosh_private.side_writer(_WhooshPostings, ix, schema, limitmb=1, compound=False)
    side.flushes = []
    side.add_document(id=doc_id, body=f"harbour ferry {doc_id}")
    return whoosh_private.finish_side_segment(side)


def test_a17_a_side_writer_builds_a_segment_and_commits_nothing(tmp_path: Path) -> None:
    ix = _new_index(tmp_path / "ix")
    schema = _schema()
    schema.add("extra", fields.STORED())  # the run writer added a field
    side = whoosh_private.side_writer(_WhooshPostings, ix, schema, limitmb=1, compound=False)
    side.flushes = []
    assert side.schema is schema, "A17: a side writer's schema cannot be replaced"
    shared = tmp_path / "ix" / whoosh_private.writer_temp_folder(ix.indexname)
    temp = Path(side.temp_folder)
    assert temp.parent == shared and temp.is_dir(), "A17: no temporary folder of its own"
    side.add_document(id="a", body="harbour ferry", extra="kept")
    segment = whoosh_private.finish_side_segment(side)
    assert segment is not None
    assert side.is_closed and not temp.exists(), "A17: _finish() left the writer open"
    assert segment.doc_count() == 1
    assert whoosh_private.committed_segments(ix.storage, ix.indexname) == []
    assert set(segment.list_files(ix.storage)) <= set(os.listdir(tmp_path / "ix"))
    empty = whoosh_private.side_writer(_WhooshPostings, ix, schema, limitmb=1, compound=False)
    assert whoosh_private.finish_side_segment(empty) is None


@pytest.mark.parametrize("drop_old", [False, True])
def test_a18_a_commit_lists_the_segments_built_beside_it(tmp_path: Path, drop_old: bool) -> None:
    ix = _new_index(tmp_path / "ix")
    first = ix.writer()
    first.add_document(id="old", body="old harbour")
    first.commit()
    built = [_side_segment(ix, ix.schema, "new1"), _side_segment(ix, ix.schema, "new2")]
    writer = SegmentWriter(ix)
    handed: list[list[str]] = []

    def keep_all(_writer: Any, segments: list[Any]) -> list[Any]:
        handed.append([s.segment_id() for s in segments])
        return segments

    whoosh_private.commit_with_segments(writer, built, keep_all, drop_old=drop_old)
    assert writer.is_closed, "A18: the writer was not finished"
    committed = whoosh_private.committed_segments(ix.storage, ix.indexname)
    assert [s.segment_id() for s in committed] == handed[0]
    assert handed[0][-2:] == [s.segment_id() for s in built]
    assert len(handed[0]) == (2 if drop_old else 3)
    with ix.searcher() as searcher:
        ids = sorted(fields_["id"] for fields_ in searcher.all_stored_fields())
    assert ids == (["new1", "new2"] if drop_old else ["new1", "new2", "old"])


@pytest.mark.parametrize("count", [3, 300, 70_000])
def test_a19_an_ordered_hash_file_lists_its_records_in_key_order(
    tmp_path: Path, count: int
) -> None:
    """Each record: a big-endian key length and value length, the key, the
    value; the index array: every record's position, in key order (of a
    type that grows with the file: 70,000 records pass 65,535)."""
    from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter

    storage = FileStorage(str(tmp_path))
    items = [(b"k%06d" % n, b"v" * (n % 7)) for n in range(count)]
    writer = OrderedHashWriter(storage.create_file("table"))
    for key, value in items:
        writer.add(key, value)
    writer.close()
    buf = (tmp_path / "table").read_bytes()
    reader = OrderedHashReader(storage.open_file("table"), len(buf))
    found = []
    for position in ordered_index(reader, buf).tolist():
        key_length = int.from_bytes(buf[position : position + 4], "big")
        value_length = int.from_bytes(buf[position + 4 : position + RECORD_HEADER], "big")
        key_at = position + RECORD_HEADER
        value_at = key_at + key_length
        found.append((buf[key_at:value_at], buf[value_at : value_at + value_length]))
    assert found == items, "A19: OrderedHashReader's records or index array changed"
    reader.close()


@pytest.mark.parametrize("count", [0, 1, 2, 700, 9000])
def test_a20_a_term_table_written_in_batches_is_whooshs_byte_for_byte(
    tmp_path: Path, count: int
) -> None:
    """Records added one at a time and in batches of every size give the
    file Whoosh's own ``OrderedHashWriter`` gives (tables, directory,
    extras, index array), and Whoosh's reader finds every record."""
    import random

    from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter

    rng = random.Random(count)
    keys = sorted({rng.randbytes(rng.randint(1, 9)) for _ in range(count)})
    values = [rng.randbytes(rng.randint(0, 40)) for _ in keys]
    storage = FileStorage(str(tmp_path))
    whoosh = OrderedHashWriter(storage.create_file("whoosh"))
    for key, value in zip(keys, values, strict=True):
        whoosh.add(key, value)
    whoosh.close()
    ours = whoosh_private.TermTableWriter(storage.create_file("ours"))
    at = 0
    while at < len(keys):
        size = rng.choice([1, 3, 64, 1000])
        if size == 1:
            ours.add(keys[at], values[at])
        else:
            ours.add_many(keys[at : at + size], values[at : at + size])
        at += size
    ours.close()
    written = (tmp_path / "ours").read_bytes()
    assert written == (tmp_path / "whoosh").read_bytes(), "A20: the hash file's layout changed"
    reader = OrderedHashReader(storage.open_file("ours"), len(written))
    assert [reader[key] for key in keys] == values
    reader.close()


def test_a20_the_index_array_type_is_the_one_whoosh_grows_to() -> None:
    from whoosh.util.numlists import GrowableArray

    for largest in (0, 65_535, 65_536, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**40):
        grown = GrowableArray("H")
        for position in sorted({0, 1_000, largest}):
            grown.append(position)
        assert whoosh_private._index_type(largest) == grown.typecode, f"A20: {largest}"


def test_a20_a_term_table_refuses_keys_out_of_order(tmp_path: Path) -> None:
    table = whoosh_private.TermTableWriter(FileStorage(str(tmp_path)).create_file("t"))
    table.add_many([b"b", b"c"], [b"", b""])
    with pytest.raises(ValueError, match="keys must increase"):
        table.add_many([b"d", b"d"], [b"", b""])
    with pytest.raises(ValueError, match="keys must increase"):
        table.add(b"a", b"")
    table.close()


def test_the_door_is_the_only_module_that_reaches_into_whoosh() -> None:
    """No other module of the library names a private attribute of a Whoosh object."""
    import searchengine

    root = Path(searchengine.__file__).parent
    door = Path(whoosh_private.__file__)
    offenders = []
    for path in root.rglob("*.py"):
        if path == door:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#")[0]
            for private in PRIVATE_NAMES:
                if private in code:
                    offenders.append(f"{path.relative_to(root)}:{number}: {private}")
    assert offenders == []
