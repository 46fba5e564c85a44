"""Postings computed ahead, and the compact position encoding."""

from __future__ import annotations

import pickle

from hypothesis import given
from hypothesis import strategies as st

from searchengine.analysis.tokenizer import news_analyzer
from searchengine.index.fieldformat import (
    Analyzed,
    NewsPositions,
    analyze,
    decode_positions,
    encode_positions,
)


@given(st.lists(st.integers(min_value=0, max_value=5_000_000), max_size=300))
def test_positions_round_trip(gaps: list[int]) -> None:
    positions = []
    position = 0
    for gap in gaps:
        position += gap
        positions.append(position)
    data = encode_positions(positions)
    assert decode_positions(data) == positions
    assert NewsPositions().decode_frequency(data) == len(positions)


def test_a_word_seen_once_early_takes_two_bytes() -> None:
    assert encode_positions([7]) == b"\x01\x07"
    assert encode_positions([1, 300]) == b"\x02\x01\xab\x02"
    assert decode_positions(b"\x02\x01\xab\x02") == [1, 300]


def test_analyzed_text_gives_the_postings_of_the_plain_text() -> None:
    text = "The harbour walls held; the harbour's wall did not. Zürich!"
    fmt = NewsPositions(field_boost=2.5)
    from_text = sorted(fmt.word_values(text, news_analyzer()))
    analyzed = analyze(text)
    assert isinstance(analyzed, str) and analyzed == text
    assert sorted(fmt.word_values(analyzed, news_analyzer())) == from_text
    assert ("harbour", 2, 5.0, encode_positions([1, 5])) in from_text
    assert ("zurich", 1, 2.5, encode_positions([9])) in from_text


def test_analyzed_text_survives_the_trip_from_a_worker_process() -> None:
    analyzed = analyze("Flood warning for the river")
    copy = pickle.loads(pickle.dumps(analyzed))
    assert isinstance(copy, Analyzed)
    assert copy == "Flood warning for the river"
    assert list(copy.postings()) == list(analyzed.postings())


def test_single_positions_at_the_edges_of_the_table() -> None:
    # Single positions below 2**14 come from a table made once; above it they
    # are encoded as they come.  Both must decode alike.
    for position in (0, 127, 128, 16_383, 16_384, 2_000_000):
        assert decode_positions(encode_positions([position])) == [position]
    assert encode_positions([16_383]) == b"\x01\xff\x7f"
    assert encode_positions([16_384]) == b"\x01\x80\x80\x01"


def test_an_empty_text_has_no_postings() -> None:
    analyzed = analyze("")
    assert analyzed.term_list() == []
    assert list(analyzed.postings()) == []
    assert analyzed.length() == 0
    assert analyze("... !!").length() == 0
