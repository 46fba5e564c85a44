"""The term-at-a-time segment writer writes the postings Whoosh's own writer writes.

Each test builds two real indexes on disk from the same documents, one with
Whoosh's ``SegmentWriter`` (its ``W3`` codec) and one with
:class:`TermSegmentWriter` (searchengine's codec), and compares, through
Whoosh's own readers, every term's statistics and every posting decoded:
document number, weight, value and positions, both through the matcher and
as the arrays the query executor reads.  The files themselves differ by
design (``tests/test_codec.py`` tests the codec on its own).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index
from whoosh.writing import SegmentWriter

from searchengine.index import schema
from searchengine.index.codec import NewsCodec
from searchengine.index.fieldformat import analyze
from searchengine.index.postings import term_postings
from searchengine.index.segments import TermPool, TermSegmentWriter
from searchengine.index.whoosh_private import segment_terms

WORDS = [
    "harbour",
    "council",
    "vote",
    "budget",
    "strike",
    "port",
    "workers",
    "said",
    "talks",
    "peace",
    "minister",
    "election",
    "storm",
    "flood",
    "river",
    "bridge",
    "rail",
    "fares",
    "school",
    "teachers",
    "hospital",
    "nurses",
    "wages",
    "court",
    "ruling",
    "appeal",
    "market",
    "shares",
    "bank",
    "rates",
    "inflation",
]


def _doc(n: int, words: list[str], dated: bool = True) -> dict[str, Any]:
    title = " ".join(words[:4]) or "untitled"
    body = " ".join(words)
    doc: dict[str, Any] = {
        "id": f"a{n}",
        "path": f"/corpus/{n % 5}.txt",
        "record": n,
        "sig": b"1:2",
        "minhash": bytes([n % 256]) * 8,
        "title": analyze(title),
        "_stored_title": title,
        "body": analyze(body),
        "_stored_body": body,
        "source_name": f"source{n % 3}",
        "source": analyze(f"Source {n % 3}"),
        "_stored_source": f"Source {n % 3}",
        "sort_newest": 0,
        "sort_oldest": 99_999_999,
    }
    if n % 5 == 0:
        # Plain text, analysed by the field's format inside the writer.
        for name in ("title", "body", "source"):
            doc[name] = doc.pop(f"_stored_{name}")
    if dated:
        doc["date"] = 19_000 + n
        doc["month"] = f"2024-{1 + n % 12:02d}"
    return doc


def _sample_docs(count: int) -> list[dict[str, Any]]:
    docs = []
    for n in range(count):
        words = [WORDS[(n * 7 + i * i) % len(WORDS)] for i in range(n % 40 + 3)]
        docs.append(_doc(n, words, dated=n % 4 != 0))
    return docs


def _build(
    folder: Path,
    batches: list[list[dict[str, Any]]],
    deletes: list[list[str]],
    ours: bool,
    limitmb: float,
    **options: Any,
) -> None:
    folder.mkdir()
    ix = index.create_in(str(folder), schema.make_schema())
    for batch, delete in zip(batches, deletes, strict=True):
        if ours:
            writer: Any = TermSegmentWriter(ix, limitmb=limitmb, compound=False, **options)
        else:
            writer = SegmentWriter(ix, limitmb=limitmb, compound=False)
        for doc_id in delete:
            writer.delete_by_term("id", doc_id)
        for doc in batch:
            writer.add_document(**doc)
        writer.commit()


def _postings(leaf: Any, fieldname: str, tbytes: bytes) -> tuple[Any, ...]:
    """A term's postings: as its matcher walks them, and as arrays."""
    fmt = leaf.schema[fieldname].format
    matcher = segment_terms(leaf).matcher(fieldname, tbytes, fmt)
    walked = []
    while matcher.is_active():
        positions = tuple(matcher.value_as("positions")) if fmt.supports("positions") else ()
        walked.append((matcher.id(), matcher.weight(), matcher.value(), positions))
        matcher.next()
    arrays = term_postings(leaf, fieldname, tbytes)
    assert arrays is not None
    offsets, flat = arrays.positions()
    return (
        tuple(walked),
        tuple(arrays.docs.tolist()),
        tuple(arrays.weights.tolist()),
        tuple(offsets.tolist()),
        tuple(flat.tolist()),
    )


def _segment_contents(folder: Path) -> list[dict[tuple[str, bytes], Any]]:
    """Per segment: each term's statistics and postings."""
    ix = index.open_dir(str(folder))
    out = []
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            terms = {}
            for fieldname, tbytes in leaf.all_terms():
                info = leaf.term_info(fieldname, tbytes)
                stats = (
                    info.weight(),
                    info.doc_frequency(),
                    info.min_length(),
                    info.max_length(),
                    info.max_weight(),
                    info.min_id(),
                    info.max_id(),
                )
                terms[(fieldname, tbytes)] = (stats, _postings(leaf, fieldname, tbytes))
            out.append(terms)
    return out


def _compare(
    tmp_path: Path,
    batches: list[list[dict[str, Any]]],
    deletes: list[list[str]] | None = None,
    limitmb: float = 64,
    **options: Any,
) -> None:
    deletes = deletes or [[] for _ in batches]
    _build(tmp_path / "whoosh", batches, deletes, ours=False, limitmb=limitmb)
    _build(tmp_path / "ours", batches, deletes, ours=True, limitmb=limitmb, **options)
    with index.open_dir(str(tmp_path / "ours")).reader() as reader:
        assert all(isinstance(leaf.codec(), NewsCodec) for leaf, _ in reader.leaf_readers())
    theirs = _segment_contents(tmp_path / "whoosh")
    mine = _segment_contents(tmp_path / "ours")
    assert len(mine) == len(theirs)
    for n, (my_terms, their_terms) in enumerate(zip(mine, theirs, strict=True)):
        assert my_terms.keys() == their_terms.keys(), f"segment {n}: terms differ"
        for key, expected in their_terms.items():
            assert my_terms[key] == expected, f"segment {n}: {key} differs"


def test_one_segment_are_the_same(tmp_path: Path) -> None:
    _compare(tmp_path, [_sample_docs(300)])


def test_spilled_runs_merge_to_the_same_postings(tmp_path: Path) -> None:
    # A pool of 20 KB spills many times over 300 documents.
    _compare(tmp_path, [_sample_docs(300)], limitmb=0.02)


def test_spills_that_start_a_new_vocabulary_write_the_same_postings(tmp_path: Path) -> None:
    # Past 20 distinct words a spill starts a new vocabulary: the words
    # analysed after it, keyword values included, get its ids.
    docs = _sample_docs(300)
    for n, doc in enumerate(docs):
        doc["title"] = doc["_stored_title"] = f"{doc.get('_stored_title', doc['title'])} word{n}"
    _compare(tmp_path, [docs], limitmb=0.02, vocabulary_words=20)


def test_spills_that_drop_keyword_terms_write_the_same_postings(tmp_path: Path) -> None:
    # Past 5 keyword values (ids, paths) a spill keeps only the
    # vocabulary's words: the words keep their ids' terms, the values
    # after it are given new ids.
    _compare(tmp_path, [_sample_docs(300)], limitmb=0.02, keyword_terms=5)


def test_incremental_commits_with_deletions_and_merges(tmp_path: Path) -> None:
    docs = _sample_docs(240)
    # Small segments are merged into the next commit's (Whoosh's MERGE_SMALL),
    # which feeds their postings through the pool too.
    _compare(
        tmp_path,
        [docs[:80], docs[80:160], docs[160:]],
        deletes=[[], ["a3", "a10"], ["a90", "a100", "a4"]],
        limitmb=0.05,
    )


def test_long_posting_lists_span_blocks(tmp_path: Path) -> None:
    # One word in every document: 600 postings, five blocks of 128 and a rest.
    docs = [_doc(n, ["harbour", WORDS[n % len(WORDS)]]) for n in range(600)]
    _compare(tmp_path, [docs], limitmb=0.05)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.lists(
        st.lists(st.sampled_from([*WORDS, "the", "of", "a", "Zürich", "naïve"]), max_size=60),
        min_size=1,
        max_size=30,
    ),
)
def test_any_documents_give_the_same_postings(
    tmp_path_factory: pytest.TempPathFactory, texts: list[list[str]]
) -> None:
    tmp = tmp_path_factory.mktemp("segments")
    _compare(tmp, [[_doc(n, words) for n, words in enumerate(texts)]], limitmb=0.01)


def test_searches_read_the_same_postings(tmp_path: Path) -> None:
    docs = _sample_docs(200)
    _build(tmp_path / "ours", [docs], [[]], ours=True, limitmb=0.02)
    ix = index.open_dir(str(tmp_path / "ours"))
    with ix.searcher() as searcher:
        ids = {searcher.stored_fields(d)["id"] for d in searcher.document_numbers(body="harbour")}
    expected = {doc["id"] for doc in docs if "harbour" in str(doc["body"]).split()}
    assert ids == expected


def test_pool_cleanup_removes_its_runs(tmp_path: Path) -> None:
    pool = TermPool(str(tmp_path), limitmb=0.001)
    for n in range(200):
        pool.add(("body", b"word%d" % (n % 7), n, 1.0, b"\x01\x00"))
    runs = os.listdir(tmp_path)
    assert runs, "a pool of 1 KB should have spilled"
    assert sum(len(entry[2]) for entry in pool.terms()) == 200
    pool.cleanup()
    assert os.listdir(tmp_path) == []


def test_pool_refuses_spelling_postings(tmp_path: Path) -> None:
    pool = TermPool(str(tmp_path), limitmb=1)
    with pytest.raises(ValueError, match="separate spelling"):
        pool.add(("body", b"word", -1, 1.0, b""))


def test_documents_analysed_with_the_pools_vocabulary_write_the_same_postings(
    tmp_path: Path,
) -> None:
    """A worker analyses with its segment writer's vocabulary, so the pool
    files the term ids as they come; the postings are Whoosh's all the same."""
    docs = _sample_docs(300)
    _build(tmp_path / "whoosh", [docs], [[]], ours=False, limitmb=64)
    (tmp_path / "ours").mkdir()
    ix = index.create_in(str(tmp_path / "ours"), schema.make_schema())
    writer = TermSegmentWriter(ix, limitmb=64, compound=False)
    for doc in docs:
        shared = dict(doc)
        for name in ("title", "body", "source"):
            text = str(doc.get(f"_stored_{name}", doc[name]))
            shared[name] = analyze(text, vocabulary=writer.pool.vocabulary)
            shared[f"_stored_{name}"] = text
        writer.add_document(**shared)
    writer.commit()
    assert _segment_contents(tmp_path / "ours") == _segment_contents(tmp_path / "whoosh")
