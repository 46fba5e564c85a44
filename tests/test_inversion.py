"""Inverting documents' words and merging batches of terms, against dictionaries.

Every test files the same postings two ways: into the array machinery of
:mod:`searchengine.index.inversion`, and into a plain dictionary of term ->
document -> positions built word by word; the two must agree exactly.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from searchengine.index.codec import encode_news_positions
from searchengine.index.inversion import (
    TermBatch,
    WordStream,
    entries_batch,
    merge_batches,
    pieces,
    read_run,
    write_run,
)

Reference = dict[tuple[str, bytes], list[tuple[int, float, list[int]]]]

TERMS = [b"zeta", b"alpha", b"harbour", b"ferry", b"\x00\xffraw", b"a", b"m"]


def _postings(batches: list[TermBatch]) -> Reference:
    """What the batches hold, term by term (and checks their order)."""
    found: Reference = {}
    keys = []
    for batch in batches:
        assert batch.terms == sorted(batch.terms) and len(set(batch.terms)) == len(batch.terms)
        lengths, values = batch.encoded()
        offsets = np.concatenate(([0], np.cumsum(lengths))).tolist()
        for n, term in enumerate(batch.terms):
            keys.append((batch.fieldname, term))
            rows = found.setdefault((batch.fieldname, term), [])
            for i in range(int(batch.starts[n]), int(batch.starts[n + 1])):
                value = values[offsets[i] : offsets[i + 1]]
                rows.append((int(batch.docs[i]), float(batch.weights[i]), _decoded(value)))
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    return found


def _decoded(value: bytes) -> list[int]:
    from searchengine.index.fieldformat import decode_positions

    return decode_positions(value) if value else []


def _stream(fieldname: str, docs: dict[int, list[int]], boost: float, ref: Reference) -> WordStream:
    """``docs`` (docnum -> term ids in word order) filed into a stream and the reference."""
    stream = WordStream(boost)
    for docnum in sorted(docs):
        ids = docs[docnum]
        stream.add(docnum, np.array(ids, dtype=np.uint32))
        positions: dict[int, list[int]] = {}
        for position, tid in enumerate(ids):
            positions.setdefault(tid, []).append(position)
        for tid, found in positions.items():
            ref.setdefault((fieldname, TERMS[tid]), []).append((docnum, len(found) * boost, found))
    return stream


_DOCS = st.dictionaries(
    st.integers(min_value=0, max_value=500),
    st.lists(st.integers(min_value=0, max_value=len(TERMS) - 1), max_size=40),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(_DOCS, st.integers(min_value=1, max_value=50))
def test_documents_words_invert_to_each_terms_postings(
    docs: dict[int, list[int]], limit: int
) -> None:
    ref: Reference = {}
    stream = _stream("body", docs, 2.5, ref)
    batches = list(stream.batches("body", TERMS, limit=limit))
    assert _postings(batches) == {k: sorted(v) for k, v in ref.items()}
    assert stream.words() == 0  # emptied


@settings(max_examples=100, deadline=None)
@given(st.lists(_DOCS, min_size=1, max_size=4), st.integers(min_value=1, max_value=30))
def test_batches_of_several_sources_merge_in_document_order(
    parts: list[dict[int, list[int]]], limit: int
) -> None:
    """Sources holding consecutive ranges of documents (runs spilled one
    after another), two fields each, plus postings filed one at a time."""
    ref: Reference = {}
    sources: list[list[TermBatch]] = []
    for n, docs in enumerate(parts):
        shifted = {1000 * n + d: ids for d, ids in docs.items()}
        batches: list[TermBatch] = []
        for fieldname in ("body", "title"):
            stream = _stream(fieldname, shifted, 1.0, ref)
            batches += stream.batches(fieldname, TERMS, limit=limit)
        sources.append(batches)
    sources.append(_one_at_a_time(ref, docnum=1000 * len(parts)))
    merged = list(merge_batches(sources, limit=limit))
    assert _postings(merged) == {k: sorted(v) for k, v in ref.items()}
    # A merged batch is about the limit at most (a source's batch passed on
    # whole counts positions only; each source's share may end with one term
    # larger than the share).
    for batch in merged:
        positions = 0 if batch.positions is None else len(batch.positions)
        assert len(batch.docs) + positions <= 2 * limit + len(sources) * _largest_term(batch)


def _largest_term(batch: TermBatch) -> int:
    """Postings and positions of the largest term of ``batch`` (a source's
    share of a merged batch may end with one term past it)."""
    sizes = np.diff(batch.starts)
    if batch.counts is not None:
        sizes = sizes + np.add.reduceat(batch.counts, batch.starts[:-1])
    return int(sizes.max())


def _one_at_a_time(ref: Reference, docnum: int) -> list[TermBatch]:
    """Postings of a later document as Whoosh's interface files them: its
    positions encoded as values, with a weight of their own."""
    entries: list[Any] = []
    from array import array

    for term in sorted(TERMS[:3]):
        positions = [1, 4] if term != b"alpha" else [0]
        lengths, value = encode_news_positions(
            np.array([0, len(positions)], dtype=np.int64), np.array(positions)
        )
        weight = 7.5
        entries.append(
            (
                "body",
                term,
                array("I", [docnum]),
                array("d", [weight]),
                array("I", lengths.tolist()),
                value,
            )
        )
        ref.setdefault(("body", term), []).append((docnum, weight, positions))
    return [entries_batch("body", entries)]


def test_runs_read_back_the_batches_written(tmp_path: Path) -> None:
    rng = random.Random(3)
    docs = {d: [rng.randrange(len(TERMS)) for _ in range(rng.randrange(60))] for d in range(200)}
    ref: Reference = {}
    stream = _stream("body", docs, 1.0, ref)
    write_run(str(tmp_path / "run"), stream.batches("body", TERMS, limit=100))
    batches = list(read_run(str(tmp_path / "run")))
    assert len(batches) > 3
    assert _postings(batches) == {k: sorted(v) for k, v in ref.items()}


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), limit=st.integers(1, 400))
def test_runs_are_written_in_pieces_of_the_limit(seed: int, limit: int) -> None:
    # A run is written in pieces of about ``limit`` postings and positions
    # (a piece of more is one term alone); read back, they hold the same.
    rng = random.Random(seed)
    docs = {d: [rng.randrange(len(TERMS)) for _ in range(rng.randrange(40))] for d in range(60)}
    ref: Reference = {}
    stream = _stream("body", docs, 1.0, ref)
    whole = stream.batches("body", TERMS, limit=10_000)
    cut = [piece for batch in whole for piece in pieces(batch, limit)]
    for piece in cut:
        assert len(piece) >= 1
        size = len(piece.docs) + len(piece.positions if piece.positions is not None else [])
        assert size <= limit or len(piece) == 1
    assert _postings(cut) == {k: sorted(v) for k, v in ref.items()}


def test_merged_batches_hold_about_the_limit_whatever_the_sources() -> None:
    # Four runs of the same 300 rare terms: each run's batch alone is at
    # the limit; merged, a batch still is, not four times it.
    terms = [b"t%03d" % n for n in range(300)]
    ref: Reference = {}
    sources = []
    for run in range(4):
        stream = WordStream(1.0)
        for doc in range(10):
            ids = [(doc * 30 + k) % 300 for k in range(30)]
            docnum = run * 100 + doc
            stream.add(docnum, np.array(ids, dtype=np.uint32))
            for position, tid in enumerate(ids):
                ref.setdefault(("body", terms[tid]), []).append((docnum, 1.0, [position]))
        sources.append(list(stream.batches("body", terms, limit=100)))
    merged = list(merge_batches(sources, limit=100))
    assert _postings(merged) == {k: sorted(v) for k, v in ref.items()}
    sizes = [len(b.docs) + len(b.positions) for b in merged if b.positions is not None]
    assert max(sizes) <= 100 and len(merged) >= 4 * 600 // 100
