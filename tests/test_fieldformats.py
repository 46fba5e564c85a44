"""Postings computed ahead, and the compact position encoding."""

from __future__ import annotations

import pickle

from hypothesis import given
from hypothesis import strategies as st

from searchengine.analysis import news_analyzer
from searchengine.fieldformats import (
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
    assert copy.postings == analyzed.postings
