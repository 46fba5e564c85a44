"""Stored fields in compressed blocks: every value comes back as it was written.

The block store (:mod:`searchengine.index.storedblocks`) is tested on its
own over a real file, then through real indexes on disk: documents of every
shape go through commits, deletions and merges, and each stored field must
come back exactly, read by Whoosh's own searcher (the reference path) and by
the engine.  Last, an index of the previous format is refused with the way
to rebuild it.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index, writing
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from searchengine.cli import cli
from searchengine.errors import IndexCorruptError
from searchengine.index import directory as store
from searchengine.index import schema, storedblocks
from searchengine.index.codec import NewsCodec
from searchengine.index.segments import TermSegmentWriter
from searchengine.index.storedblocks import StoredReader, StoredWriter
from searchengine.indexer.run import run_index
from searchengine.load import load_file
from searchengine.query.engine import Engine
from searchengine.query.request import SearchRequest

# -- the block file alone ---------------------------------------------------------


class _Segment:
    """What the block store asks of a segment: the name of its file."""

    def __init__(self, name: str) -> None:
        self.name = name

    def make_filename(self, ext: str) -> str:
        return self.name + ext


def _write(folder: Path, docs: list[dict[str, Any]], name: str = "seg") -> StoredReader:
    storage = FileStorage(str(folder))
    writer = StoredWriter(storage.create_file(name + storedblocks.STORED_EXT))
    for doc in docs:
        writer.add(doc)
    writer.close()
    return StoredReader(storage, _Segment(name))


def test_records_of_every_size_come_back_in_any_order(tmp_path: Path) -> None:
    rng = random.Random(5)
    docs: list[dict[str, Any]] = []
    for n in range(3000):
        kind = n % 6
        if kind == 0:
            docs.append({})
        elif kind == 1:
            docs.append({"id": f"a{n}"})
        elif kind == 2:
            docs.append({"id": f"a{n}", "body": "Zürich naïve ☃ " * rng.randint(1, 400)})
        elif kind == 3:
            docs.append({"id": f"a{n}", "record": n, "date": 19_000 + n, "url": None})
        elif kind == 4:
            docs.append({"title": "", "body": ""})
        else:
            docs.append({"id": f"a{n}", "body": "x" * rng.choice([1, 5000, 40_000])})
    docs[1234] = {
        "id": "huge",
        "body": "".join(chr(rng.randint(32, 0x2FFF)) for _ in range(300_000)),
    }
    reader = _write(tmp_path, docs)
    order = list(range(len(docs)))
    rng.shuffle(order)
    try:
        for docnum in order + list(range(len(docs))):
            assert reader.fields(docnum) == docs[docnum]
        with pytest.raises(IndexError):
            reader.fields(len(docs))
    finally:
        reader.close()
    # Many documents a block (the footer ends: blocks, documents, end mark).
    assert 20 < _blocks(tmp_path / "seg.stored") < len(docs) // 4


def _blocks(path: Path) -> int:
    """How many blocks a file says it has (the footer ends: blocks, documents, end mark)."""
    data = path.read_bytes()
    assert int.from_bytes(data[-12:-8], "little") == _docs_in(path)
    return int.from_bytes(data[-16:-12], "little")


def _docs_in(path: Path) -> int:
    return int.from_bytes(path.read_bytes()[-12:-8], "little")


def test_documents_with_little_stored_are_blocked_by_count(tmp_path: Path) -> None:
    count = storedblocks.BLOCK_DOCS * 2 + 5
    docs: list[dict[str, Any]] = [{} if n % 2 else {"id": str(n)} for n in range(count)]
    reader = _write(tmp_path, docs)
    assert [reader.fields(n) for n in range(count)] == docs
    reader.close()
    assert _blocks(tmp_path / "seg.stored") == 3


def test_a_segment_without_documents_has_an_empty_block_file(tmp_path: Path) -> None:
    reader = _write(tmp_path, [])
    with pytest.raises(IndexError):
        reader.fields(0)
    reader.close()
    assert _blocks(tmp_path / "seg.stored") == 0


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: b"NOTMAGIC" + data[8:], "is not a searchengine stored-fields file"),
        (lambda data: data[:-3], "is not a whole searchengine stored-fields file"),
    ],
)
def test_a_damaged_file_is_refused_with_its_name(tmp_path: Path, damage: Any, message: str) -> None:
    _write(tmp_path, [{"id": "a"}, {"id": "b"}]).close()
    path = tmp_path / "seg.stored"
    path.write_bytes(damage(path.read_bytes()))
    reader = StoredReader(FileStorage(str(tmp_path)), _Segment("seg"))
    with pytest.raises(ValueError, match=f"seg.stored {message}"):
        reader.fields(0)


# -- through real indexes: write, delete, merge, read -------------------------------------

_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
_stored = st.fixed_dictionaries(
    {},
    optional={
        "title": _text,
        "body": st.one_of(
            _text,
            # Huge: past any block's size on its own.
            st.builds(lambda word, n: (word + " ") * n, _text, st.integers(5_000, 40_000)),
        ),
        "source": _text,
        "author": _text,
        "url": _text,
        "path": _text,
        "record": st.one_of(st.none(), st.integers(0, 2**40)),
        "raw": _text,
        "encoding": st.sampled_from(["utf-8", "cp1252"]),
        "date": st.integers(0, 99_999),
    },
)
#: Documents of one commit: many small ones are the common case.
_batch = st.lists(_stored, max_size=60)


def _add(writer: Any, docs: list[dict[str, Any]], first: int) -> dict[str, dict[str, Any]]:
    written = {}
    for n, stored in enumerate(docs):
        doc_id = f"d{first + n}"
        writer.add_document(id=doc_id, **stored)
        # An indexed field without a stored value stores nothing (``None``).
        written[doc_id] = {"id": doc_id, **{k: v for k, v in stored.items() if v is not None}}
    return written


def _read_all(index_dir: str) -> dict[str, dict[str, Any]]:
    """Every live document's stored fields, through Whoosh's own searcher."""
    ix = index.open_dir(index_dir)
    with ix.searcher() as searcher:
        found = [searcher.stored_fields(n) for n in range(searcher.doc_count_all())]
        live = [found[n] for n in range(len(found)) if not searcher.reader().is_deleted(n)]
    return {fields["id"]: fields for fields in live}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=_batch, second=_batch, deleted=st.sets(st.integers(0, 59)))
def test_stored_fields_survive_writing_deleting_and_merging(
    tmp_path_factory: pytest.TempPathFactory,
    first: list[dict[str, Any]],
    second: list[dict[str, Any]],
    deleted: set[int],
) -> None:
    folder = tmp_path_factory.mktemp("index")
    ix = index.create_in(str(folder), schema.make_schema())
    writer = TermSegmentWriter(ix, limitmb=1, compound=False)
    expected = _add(writer, first, 0)
    writer.commit()
    assert _read_all(str(folder)) == expected

    writer = TermSegmentWriter(ix, limitmb=1, compound=False)
    for n in deleted:
        writer.delete_by_term("id", f"d{n}")
        expected.pop(f"d{n}", None)
    expected |= _add(writer, second, 1000)
    writer.commit()
    assert _read_all(str(folder)) == expected

    # Merged: every segment read back (Whoosh's add_reader) into a new one.
    writer = TermSegmentWriter(ix, limitmb=1, compound=False)
    writer.commit(mergetype=writing.OPTIMIZE)
    assert _read_all(str(folder)) == expected
    with index.open_dir(str(folder)).reader() as reader:
        assert len(list(reader.leaf_readers())) <= 1


# -- from real files: the engine and Whoosh's searcher agree ------------------------------


def _articles(rng: random.Random, count: int, tag: str) -> list[dict[str, Any]]:
    places = ["Port Annick", "Zürich", "Łódź", "São Tomé", "Kraków", "Reykjavík", "Ōsaka"]
    words = ["harbour", "ferry", "council", "budget", "vote", "storm", "bridge", "naïve", "café"]
    out = []
    for n in range(count):
        sentences = [
            f"{rng.choice(places)} {' '.join(rng.choices(words, k=rng.randint(4, 12)))}."
            for _ in range(rng.choice([1, 3, 10, 40]))
        ]
        if n == 7:
            sentences *= 200  # one long article
        article: dict[str, Any] = {
            "title": f"{tag} {rng.choice(places)} {n}: “{rng.choice(words)}”",
            "body": " ".join(sentences),
            "date": f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
        }
        if n % 3:
            article["source"] = f"{rng.choice(places)} Herald"
        if n % 4 == 0:
            article["author"] = "Åsa Ñúñez"
        if n % 5:
            article["url"] = f"https://news.example/{tag}/{n}"
        out.append(article)
    return out


def _write_jsonl(path: Path, articles: list[dict[str, Any]]) -> None:
    lines = (json.dumps(a, ensure_ascii=False) for a in articles)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _check_agreement(index_dir: str, files: list[Path]) -> int:
    """Every article of ``files`` as the loader reads it is what Whoosh's
    searcher and the engine (both query paths) give back; returns how many."""
    articles = [a for path in files for a in load_file(str(path)).articles]
    ix = index.open_dir(index_dir)
    with ix.searcher() as searcher, Engine(index_dir) as engine:
        assert searcher.doc_count() == len(articles)
        for article in articles:
            fields = searcher.document(id=article.id)
            assert fields is not None
            assert (fields["title"], fields["body"]) == (article.title, article.body)
            assert (fields.get("source"), fields.get("author")) == (article.source, article.author)
            assert (fields.get("url"), fields["path"]) == (article.url, article.path)
            view = engine.show(article.id)
            assert (view.body, view.hit.title, view.hit.url) == (
                article.body,
                article.title,
                article.url,
            )
            assert (view.hit.source, view.hit.author, view.hit.record) == (
                article.source,
                article.author,
                article.record,
            )
            assert view.hit.date == article.date
    for query in ("harbour", "zürich ferry", '"council budget"', "naïve OR café"):
        request = SearchRequest(query, limit=1000, collapse=False)
        with Engine(index_dir) as ours, Engine(index_dir, executor=False) as reference:
            assert ours.search(request).hits == reference.search(request).hits
    return len(articles)


def test_the_engine_and_whoosh_read_the_same_stored_fields_from_real_files(
    tmp_path: Path,
) -> None:
    rng = random.Random(11)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    first = _articles(rng, 120, "walrus")
    _write_jsonl(corpus / "a.jsonl", first)
    index_dir = str(tmp_path / "index")
    run_index(index_dir, [str(corpus)])
    assert _check_agreement(index_dir, [corpus / "a.jsonl"]) == 120

    # Deleted and changed articles (a file rewritten) and a new file.
    _write_jsonl(corpus / "a.jsonl", first[::2])
    _write_jsonl(corpus / "b.jsonl", _articles(rng, 60, "otter"))
    run_index(index_dir, [str(corpus)])
    assert _check_agreement(index_dir, [corpus / "a.jsonl", corpus / "b.jsonl"]) == 120


# -- an index of the previous format ------------------------------------------------------


class _Format4Codec(NewsCodec):
    """The codec as format 4 had it: stored fields in Whoosh's W3 records."""

    per_document_writer = W3Codec.per_document_writer
    per_document_reader = W3Codec.per_document_reader


def test_an_index_of_format_4_is_refused_with_how_to_rebuild(tmp_path: Path) -> None:
    index_dir = str(tmp_path / "index")
    os.makedirs(index_dir)
    ix = index.create_in(index_dir, schema.make_schema())
    writer = SegmentWriter(ix, codec=_Format4Codec(), compound=False)
    writer.add_document(id="old", path="/old.txt", title="Harbour", body="The old harbour.")
    writer.commit()
    Path(index_dir, store.META_FILE).write_text('{"format": 4}', encoding="utf-8")
    assert not any(name.endswith(storedblocks.STORED_EXT) for name in os.listdir(index_dir))

    message = (
        f"{index_dir} was built by another version of searchengine (format 4, this one "
        f"reads {schema.FORMAT_VERSION}); rebuild it with `searchengine index --rebuild PATH...`"
    )
    for opener in (store.open_for_reading, store.open_for_writing):
        with pytest.raises(IndexCorruptError) as info:
            opener(index_dir)
        assert info.value.message == message
    result = CliRunner().invoke(cli, ["--index", index_dir, "search", "harbour", "--json"])
    assert result.exit_code == 1
    assert "searchengine index --rebuild" in result.stderr
    assert result.stdout == ""

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "new.txt").write_text("Ferry back\n\nThe harbour ferry is back.\n", "utf-8")
    result = CliRunner().invoke(cli, ["--index", index_dir, "index", str(corpus), "--rebuild"])
    assert result.exit_code == 0, result.output
    with Engine(index_dir) as engine:
        (hit,) = engine.search(SearchRequest("harbour")).hits
    assert (hit.title, hit.path) == ("Ferry back", str(corpus / "new.txt"))
