"""query.browse's own pieces: the date orders' sort keys and the links
between a story's copies.

Whole browses (pages, totals, timelines, near-duplicate counts) are
compared with the reference path in ``tests/test_query_execute.py``
(``test_generated_browses`` and the tests after it), on a real index with
several segments, deletions and copies dated apart.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from searchengine.dates import day_number
from searchengine.index.schema import UNDATED_OLDEST
from searchengine.query.browse import _day_ranks, _links


@st.composite
def day_columns(draw: st.DrawFn) -> list[int]:
    """Day numbers (0: undated) within a few years, or over centuries (too
    far apart for 16-bit ranks)."""
    first = draw(st.dates(dt.date(1600, 1, 1), dt.date(2400, 1, 1)))
    reach = draw(st.sampled_from([0, 5, 900, 80_000]))
    offsets = st.none() | st.integers(0, reach)
    days = [
        0 if n is None else day_number(first + dt.timedelta(days=n))
        for n in draw(st.lists(offsets, max_size=200))
    ]
    return days


@settings(max_examples=300)
@given(day_columns(), st.booleans())
def test_a_stable_sort_by_rank_is_the_date_order(days: list[int], newest: bool) -> None:
    """Sorting by the ranks orders by day (newest or oldest first), undated
    last, ties by position: the order of the executor's sort keys."""
    array = np.array(days, dtype=np.int64)
    undated = 0 if newest else UNDATED_OLDEST
    keys = np.where(array > 0, -array if newest else array, undated)
    expected = np.lexsort((np.arange(len(array)), keys))
    ranks = _day_ranks(array, newest=newest)
    assert np.argsort(ranks, kind="stable").tolist() == expected.tolist()


def test_ranks_are_16_bit_within_a_century_and_wide_beyond() -> None:
    close = np.array([20190101, 0, 20241231], dtype=np.int64)
    assert _day_ranks(close, newest=True).dtype == np.uint16
    far = np.array([16000101, 0, 20241231], dtype=np.int64)
    assert _day_ranks(far, newest=False).dtype == np.int64
    # 424 years of 372 "days" (12 months of 31), and the undated after them.
    assert _day_ranks(far, newest=False).tolist() == [0, 158_100, 158_099]


@given(st.lists(st.integers(-1, 4), max_size=40))
def test_each_copy_links_to_the_previous_and_next_of_its_cluster(groups: list[int]) -> None:
    previous, following = _links(np.array(groups, dtype=np.int64))
    for at, group in enumerate(groups):
        before = [p for p in range(at) if group >= 0 and groups[p] == group]
        after = [p for p in range(at + 1, len(groups)) if group >= 0 and groups[p] == group]
        assert previous[at] == (before[-1] if before else -1)
        assert following[at] == (after[0] if after else len(groups))
