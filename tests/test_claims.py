"""The claims table: writers claim their shares a few articles at a time, and
one with nothing left takes the tail of the busiest share, sized by rates."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from searchengine.indexer import claims
from searchengine.indexer.claims import Claims

SECOND = 1_000_000_000
FORK = multiprocessing.get_context("fork")


def two_shares(spare: int = 2) -> Claims:
    return Claims(FORK, [(0, 1000), (1000, 2000)], spare, started=0)


def claim_all(table: Claims, slot: int) -> int:
    total = 0
    while claimed := table.claim(slot, 64):
        total += claimed
    return total


def test_a_share_is_claimed_in_batches_up_to_its_end() -> None:
    table = two_shares()
    assert table.claim(0) == claims.CLAIM_BATCH
    assert table.claim(0, 990) == 990
    assert table.claim(0, 64) == 2  # what was left
    assert table.claim(0) == 0
    assert claim_all(table, 1) == 1000


def test_no_steal_while_a_share_is_still_to_begin() -> None:
    table = two_shares()
    table.begin(0, 0)
    assert claim_all(table, 0) == 1000
    # The pool hands out share 1 next: stealing from nothing begun would
    # leave the writer that takes it a share cut short for no gain.
    assert table.steal(1000.0, SECOND) is None


def test_the_tail_taken_lets_both_end_together() -> None:
    table = two_shares()
    table.begin(0, 0)
    table.begin(1, 0)
    assert claim_all(table, 0) == 1000
    assert table.claim(1, 200) == 200  # 200 articles a second, 800 left
    # (800 - t) / 200 == t / 200 + overhead
    taken = int(200 * (800 - claims.STEAL_OVERHEAD * 200) / 400)
    assert table.steal(200.0, SECOND) == (2, 2000 - taken, 2000)
    assert claim_all(table, 1) == 800 - taken  # the victim stops where the tail begins
    table.begin(2, SECOND)
    assert claim_all(table, 2) == taken


def test_a_faster_thief_takes_more() -> None:
    table = two_shares()
    table.begin(0, 0)
    table.begin(1, 0)
    claim_all(table, 0)
    table.claim(1, 200)
    # Three times the victim's rate: three quarters of what is left.
    taken = int(600 * (800 - claims.STEAL_OVERHEAD * 200) / 800)
    assert table.steal(600.0, SECOND) == (2, 2000 - taken, 2000)


def test_a_steal_that_saves_too_little_is_not_made() -> None:
    table = two_shares()
    table.begin(0, 0)
    table.begin(1, 0)
    claim_all(table, 0)
    assert table.claim(1, 960) == 960  # 40 left: 0.04 s at 1,000 a second
    assert table.steal(1000.0, SECOND) is None
    assert claim_all(table, 1) == 40  # nothing was taken from it


def test_parts_stolen_are_never_stolen_from_and_spare_slots_bound_the_steals() -> None:
    table = Claims(FORK, [(0, 1000), (1000, 101_000)], spare=1, started=0)
    table.begin(0, 0)
    table.begin(1, 0)
    claim_all(table, 0)
    table.claim(1, 100)
    stolen = table.steal(100.0, SECOND)
    assert stolen is not None and stolen[0] == 2
    table.begin(2, SECOND)
    # Share 1 still has a long way to go, but the one spare slot is used.
    assert table.steal(100.0, 2 * SECOND) is None
    second = Claims(FORK, [(0, 10), (10, 20)], spare=4, started=0)
    second.begin(0, 0)
    second.begin(1, 0)
    claim_all(second, 0)
    claim_all(second, 1)
    # Nothing left anywhere: no steal, whatever the rates.
    assert second.steal(1.0, SECOND) is None


def test_late_in_a_long_stage_only_a_steal_worth_its_share_of_it_is_made() -> None:
    # The same tail as above, 1.94 s of the victim's work saved, near the end
    # of a stage that has run for 1,000 s: not worth a segment more.
    table = Claims(FORK, [(0, 1000), (1000, 2000)], 2, started=0)
    table.begin(0, 999 * SECOND)
    table.begin(1, 999 * SECOND)
    claim_all(table, 0)
    table.claim(1, 200)
    assert table.steal(200.0, 1000 * SECOND) is None
    # 100 s into the stage it is (1 %: 1 s).
    table = Claims(FORK, [(0, 1000), (1000, 2000)], 2, started=900 * SECOND)
    table.begin(0, 999 * SECOND)
    table.begin(1, 999 * SECOND)
    claim_all(table, 0)
    table.claim(1, 200)
    assert table.steal(200.0, 1000 * SECOND) is not None


def _claim_in_child(table: Claims, slot: int, most: int) -> None:
    os._exit(0 if table.claim(slot, most) == most else 1)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="writers are forked")
def test_claims_made_in_a_forked_writer_are_seen_by_the_others() -> None:
    table = two_shares()
    child = FORK.Process(target=_claim_in_child, args=(table, 1, 600))
    child.start()
    child.join()
    assert child.exitcode == 0
    assert claim_all(table, 1) == 400
