"""``term_postings`` gives, as arrays, exactly what the segment's matcher gives.

Real indexes are built on disk with the indexer's writer; every term of every
segment is read both ways and compared, deleted documents included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index

from searchengine.index import schema
from searchengine.index.fieldformat import analyze
from searchengine.index.postings import TermPostings, term_postings
from searchengine.index.segments import TermSegmentWriter
from searchengine.index.whoosh_private import segment_terms

WORDS = ["harbour", "council", "vote", "budget", "strike", "port", "the", "of", "naïve"]


def _doc(n: int) -> dict[str, Any]:
    words = [WORDS[(n * 5 + i * i) % len(WORDS)] for i in range(n % 23 + 1)]
    title = " ".join(words[:3])
    body = " ".join(words)
    return {
        "id": f"a{n}",
        "path": f"/corpus/{n}.txt",
        "title": analyze(title),
        "_stored_title": title,
        "body": analyze(body) if n % 3 else body,
        "_stored_body": body,
        "source_name": f"source{n % 3}",
        "date": 19_000 + n,
        "month": f"2024-{1 + n % 12:02d}",
    }


def _words(n: int) -> list[str]:
    return str(_doc(n)["_stored_title"]).split()


def _build(folder: Path, batches: list[range], deletes: list[list[str]]) -> Any:
    ix = index.create_in(str(folder), schema.make_schema())
    for batch, delete in zip(batches, deletes, strict=True):
        writer = TermSegmentWriter(ix, limitmb=0.05, compound=False)
        for doc_id in delete:
            writer.delete_by_term("id", doc_id)
        for n in batch:
            writer.add_document(**_doc(n))
        writer.commit(merge=False)
    return ix


def _matcher_view(leaf: Any, fieldname: str, tbytes: bytes) -> list[tuple[int, float, list[int]]]:
    fieldobj = leaf.schema[fieldname]
    matcher = segment_terms(leaf).matcher(fieldname, tbytes, fieldobj.format)
    out = []
    while matcher.is_active():
        positions = list(matcher.value_as("positions")) if matcher.supports("positions") else []
        out.append((matcher.id(), matcher.weight(), positions))
        matcher.next()
    return out


def _array_view(postings: TermPostings) -> list[tuple[int, float, list[int]]]:
    offsets, positions = postings.positions()
    assert offsets.dtype == np.int64 and positions.dtype == np.int32
    assert len(offsets) == len(postings.docs) + 1 and offsets[0] == 0
    return [
        (int(doc), float(weight), positions[offsets[i] : offsets[i + 1]].tolist())
        for i, (doc, weight) in enumerate(zip(postings.docs, postings.weights, strict=True))
    ]


def test_every_term_reads_as_the_matcher_reads_it(tmp_path: Path) -> None:
    ix = _build(tmp_path, [range(0, 150), range(150, 260)], [[], ["a4", "a151", "a200"]])
    with ix.reader() as reader:
        leaves = reader.leaf_readers()
        assert len(leaves) == 2
        assert reader.has_deletions()
        seen = 0
        for leaf, _ in leaves:
            for fieldname, tbytes in leaf.all_terms():
                postings = term_postings(leaf, fieldname, tbytes)
                assert postings is not None
                assert postings.docs.dtype == np.int32
                assert postings.weights.dtype == np.float64
                assert np.all(np.diff(postings.docs) > 0)
                assert _array_view(postings) == _matcher_view(leaf, fieldname, tbytes)
                seen += len(postings)
        assert seen > 4_000


def _sliced(postings: TermPostings, index: list[int]) -> list[list[int]]:
    offsets, positions = postings.positions()
    return [positions[offsets[i] : offsets[i + 1]].tolist() for i in index]


def _chosen(postings: TermPostings, index: list[int]) -> list[list[int]]:
    offsets, positions = postings.positions_at(np.array(index, dtype=np.int64))
    assert offsets.dtype == np.int64 and positions.dtype == np.int32
    assert len(offsets) == len(index) + 1 and offsets[0] == 0
    return [positions[offsets[n] : offsets[n + 1]].tolist() for n in range(len(index))]


def test_the_positions_of_some_postings_are_those_of_all(tmp_path: Path) -> None:
    ix = _build(tmp_path, [range(0, 200)], [[]])
    rng = np.random.default_rng(3)
    with ix.reader() as reader:
        ((leaf, _),) = reader.leaf_readers()
        for fieldname, tbytes in leaf.all_terms():
            fresh = term_postings(leaf, fieldname, tbytes)
            assert fresh is not None
            count = len(fresh)
            index = sorted(rng.choice(count, size=int(rng.integers(0, count + 1)), replace=False))
            # Read alone first (only those positions decoded), then again
            # once all positions are decoded (sliced from them).
            alone = _chosen(fresh, index)
            assert alone == _sliced(fresh, index)
            assert _chosen(fresh, index) == alone


def test_single_positions_are_those_of_all(tmp_path: Path) -> None:
    """Where each posting's positions start, and positions read one by one
    in any order, are what decoding them all gives; before and after
    they are all decoded (sliced from them then)."""
    ix = _build(tmp_path, [range(0, 200)], [[]])
    rng = np.random.default_rng(5)
    with ix.reader() as reader:
        ((leaf, _),) = reader.leaf_readers()
        for fieldname, tbytes in leaf.all_terms():
            fresh = term_postings(leaf, fieldname, tbytes)
            assert fresh is not None
            if not leaf.schema[fieldname].format.supports("positions"):
                continue
            read_alone = fresh.random_access
            starts = fresh.position_starts()
            total = int(starts[-1])
            flat = rng.integers(0, total, size=int(rng.integers(0, 3 * total + 1)))
            alone = fresh.position_values(flat).tolist()
            offsets, positions = fresh.positions()
            assert starts.tolist() == offsets.tolist()
            assert alone == positions[flat].tolist()
            assert (read_alone, fresh.random_access) == (True, False)
            assert fresh.position_values(flat).tolist() == alone


def test_a_known_term_exactly(tmp_path: Path) -> None:
    ix = _build(tmp_path, [range(12)], [[]])
    expected_docs = [n for n in range(12) if "harbour" in _doc(n)["_stored_title"].split()]
    with ix.reader() as reader:
        ((leaf, _),) = reader.leaf_readers()
        postings = term_postings(leaf, "title", b"harbour")
        assert postings is not None
        assert postings.docs.tolist() == expected_docs
        # Title words weigh TITLE_BOOST each.
        assert postings.weights.tolist() == [schema.TITLE_BOOST] * len(expected_docs)
        assert _chosen(postings, [1]) == [
            [p for p, w in enumerate(_words(expected_docs[1])) if w == "harbour"]
        ]
        offsets, positions = postings.positions()
        for i, n in enumerate(expected_docs):
            words = _doc(n)["_stored_title"].split()
            assert positions[offsets[i] : offsets[i + 1]].tolist() == [
                p for p, w in enumerate(words) if w == "harbour"
            ]


def test_missing_terms_and_fields_are_none(tmp_path: Path) -> None:
    ix = _build(tmp_path, [range(5)], [[]])
    with ix.reader() as reader:
        ((leaf, _),) = reader.leaf_readers()
        assert term_postings(leaf, "body", b"nosuchword") is None
        assert term_postings(leaf, "nosuchfield", b"harbour") is None


def test_fields_without_positions_have_empty_ones(tmp_path: Path) -> None:
    ix = _build(tmp_path, [range(24)], [[]])
    with ix.reader() as reader:
        ((leaf, _),) = reader.leaf_readers()
        postings = term_postings(leaf, "month", b"2024-03")
        assert postings is not None
        assert postings.docs.tolist() == [2, 14]
        assert postings.weights.tolist() == [1.0, 1.0]
        offsets, positions = postings.positions()
        assert offsets.tolist() == [0, 0, 0]
        assert positions.tolist() == []
