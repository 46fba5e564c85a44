"""A merge written as arrays (``index/merger.py``) holds exactly what Whoosh's
``add_reader`` merge of the same segments holds.

Each example writes real segments on disk from generated articles (fields
present or missing, empty bodies, words repeated so that positions and
counts vary), commits them, deletes some of their documents, then merges
the segments, with the deletions marked, both ways: our merge writer, and a
segment writer fed by Whoosh's ``add_reader`` (the path merges took before).
The postings files come out byte for byte the same; stored fields, columns,
field lengths and every term's statistics and postings are compared too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh.reading import SegmentReader

from searchengine.index import directory as store
from searchengine.index import merger
from searchengine.index.codec import NewsTermsReader
from searchengine.index.postings import term_postings
from searchengine.index.whoosh_private import length_bytes
from searchengine.indexer.document import document
from searchengine.models import Article

WORDS = ["harbour", "ferry", "ferries", "council", "vote", "the", "a", "tide", "Ørsted", "2021"]


@st.composite
def articles(draw: st.DrawFn, number: int) -> Article:
    body = " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=40)))
    return Article(
        path=f"/corpus/a{number}.txt",
        record=draw(st.none() | st.integers(0, 3)),
        title=" ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))),
        body=body,
        date=draw(st.none() | st.dates(dt.date(2019, 1, 1), dt.date(2024, 12, 31))),
        source=draw(st.none() | st.sampled_from(["Harbour Post", "Valley Herald"])),
        author=draw(st.none() | st.sampled_from(["Ines Calloway", "Tom Reyes"])),
        url=draw(st.none() | st.just(f"https://example.org/{number}")),
    )


@st.composite
def segments_to_merge(draw: st.DrawFn) -> list[tuple[list[Article], set[int]]]:
    """2 to 4 segments of articles, each with the positions of those deleted."""
    out = []
    number = 0
    for _ in range(draw(st.integers(2, 4))):
        docs = []
        for _ in range(draw(st.integers(1, 8))):
            docs.append(draw(articles(number)))
            number += 1
        deleted = draw(st.sets(st.integers(0, len(docs) - 1)))
        out.append((docs, deleted))
    return out


def _side_segment(index_dir: str, schema: Any, docs: list[Article]) -> Any:
    writer = store.side_writer(index_dir, schema)
    for article in docs:
        writer.add_document(**document(article, b"1:2"))
    return store.finish_side_writer(writer)


def _prepared(
    folder: Path, plan: list[tuple[list[Article], set[int]]]
) -> tuple[str, Any, list[Any]]:
    """An index whose segments are ``plan``'s, their deletions committed;
    returns the folder, the schema and the segments with deletions marked."""
    index_dir = str(folder)
    ix = store.open_for_writing(index_dir)
    writer = store.writer(ix, index_dir)
    built = [_side_segment(index_dir, writer.schema, docs) for docs, _ in plan]
    store.commit(writer, store.commit_candidates(writer, built))
    writer = store.writer(ix, index_dir)
    base = 0
    for docs, deleted in plan:
        for n in sorted(deleted):
            writer.delete_document(base + n)
        base += len(docs)
    segments = store.commit_candidates(writer, [])
    schema = writer.schema
    store.cancel(writer)
    return index_dir, schema, segments


def _whoosh_merge(index_dir: str, schema: Any, segments: list[Any]) -> Any:
    """The merge as it was made before: ``add_reader`` into a segment writer."""
    ix = store.open_for_reading(index_dir)
    writer = store.side_writer(index_dir, schema)
    for segment in segments:
        reader = SegmentReader(ix.storage, schema, segment)
        writer.add_reader(reader)
        reader.close()
    return store.finish_side_writer(writer)


def _contents(index_dir: str, schema: Any, segment: Any) -> dict[str, Any]:
    ix = store.open_for_reading(index_dir)
    reader = SegmentReader(ix.storage, schema, segment)
    try:
        size = reader.doc_count_all()
        out: dict[str, Any] = {"size": size, "deleted": reader.has_deletions()}
        out["stored"] = [reader.stored_fields(n) for n in range(size)]
        out["columns"] = {
            name: [reader.column_reader(name, translate=False)[n] for n in range(size)]
            for name in schema.names()
            if schema[name].column_type and reader.has_column(name)
        }
        scorable = [name for name in schema.names() if schema[name].scorable]
        out["lengths"] = {name: length_bytes(reader, name).tolist() for name in scorable}
        out["totals"] = {name: reader.field_length(name) for name in scorable}
        terms: dict[tuple[str, bytes], Any] = {}
        for (fieldname, tbytes), info in reader:
            found = term_postings(reader, fieldname, tbytes)
            assert found is not None
            offsets, positions = found.positions()
            terms[fieldname, tbytes] = (
                (info.doc_frequency(), info.weight(), info.max_weight()),
                (info.min_length(), info.max_length(), info.min_id(), info.max_id()),
                found.docs.tolist(),
                found.weights.tolist(),
                offsets.tolist(),
                positions.tolist(),
            )
        out["terms"] = terms
        return out
    finally:
        reader.close()


def _files(folder: str, segment: Any) -> dict[str, bytes]:
    """The postings files of ``segment``, by extension."""
    return {ext: Path(folder, segment.make_filename(ext)).read_bytes() for ext in (".docs", ".pos")}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=segments_to_merge())
def test_a_merge_holds_what_whoosh_s_merge_holds(
    tmp_path_factory: pytest.TempPathFactory, plan: list[tuple[list[Article], set[int]]]
) -> None:
    index_dir, schema, segments = _prepared(tmp_path_factory.mktemp("merge"), plan)
    ours = store.merge_segments(index_dir, schema, segments)
    theirs = _whoosh_merge(index_dir, schema, segments)
    live = sum(len(docs) - len(deleted) for docs, deleted in plan)
    if not live:
        # Nothing left to merge: ours writes no segment; Whoosh's add_reader
        # marks its writer as added to anyway and writes an empty one.
        assert ours is None and (theirs is None or theirs.doc_count_all() == 0)
        return
    assert ours is not None and ours.doc_count_all() == live
    mine, whooshs = _contents(index_dir, schema, ours), _contents(index_dir, schema, theirs)
    assert mine == whooshs
    assert _files(index_dir, ours) == _files(index_dir, theirs)
    assert set(mine["columns"]) >= {"minhash", "meta", "sort_newest", "path"}


def test_a_merge_drops_deleted_documents_and_renumbers_the_rest(tmp_path: Path) -> None:
    plan = [
        (
            [
                Article(f"/c/{n}.txt", None, f"title {n}", f"ferry {n} harbour ferry")
                for n in range(3)
            ],
            {1},
        ),
        ([Article(f"/d/{n}.txt", None, f"other {n}", "harbour tide") for n in range(2)], {0}),
    ]
    index_dir, schema, segments = _prepared(tmp_path / "ix", plan)
    merged = store.merge_segments(index_dir, schema, segments)
    found = _contents(index_dir, schema, merged)
    assert [doc["path"] for doc in found["stored"]] == ["/c/0.txt", "/c/2.txt", "/d/1.txt"]
    assert found["deleted"] is False
    assert found["terms"]["body", b"ferri"][2:] == ([0, 1], [2.0, 2.0], [0, 2, 4], [0, 3, 0, 3])
    assert found["terms"]["body", b"harbour"][2] == [0, 1, 2]


def test_the_sources_postings_maps_are_given_back_as_a_merge_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a merge read of its sources' mapped postings is released as it
    goes (here after every term), and the result is the same."""
    plan: list[tuple[list[Article], set[int]]] = [
        ([Article(f"/c/{s}{n}.txt", None, "t", f"w{n} x{s}") for n in range(30)], set())
        for s in "ab"
    ]
    index_dir, schema, segments = _prepared(tmp_path / "ix", plan)
    released: list[int] = []
    original = NewsTermsReader.release

    def counting(self: Any) -> None:
        released.append(1)
        original(self)

    monkeypatch.setattr(NewsTermsReader, "release", counting)
    monkeypatch.setattr(merger, "RELEASE_EVERY", 1)
    merged = store.merge_segments(index_dir, schema, segments)
    assert len(released) > 60
    assert _contents(index_dir, schema, merged) == _contents(
        index_dir, schema, _whoosh_merge(index_dir, schema, segments)
    )
