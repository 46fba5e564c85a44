"""The boilerplate ledger (``indexer/ledger.py``): per-group line counts, the
lines learned from them, and keeping both, with their thresholds, beside the
index across runs.

The ledger's own methods are checked on counts given by the test; the rest
through real index runs over sample wire articles (``test_boilerplate``'s).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_boilerplate import FOOTER, HEADER, SEASONAL, body, ids, wire_article

from searchengine.analysis.boilerplate import line_key
from searchengine.errors import UsageError
from searchengine.index.directory import LEDGER_FILE
from searchengine.indexer.ledger import (
    LEDGER_VERSION,
    Ledger,
    ThresholdOptions,
    Thresholds,
    group_of,
)
from searchengine.indexer.run import run_index
from searchengine.models import article_id

from conftest import WriteFile

# -- thresholds and groups ---------------------------------------------------------


def test_a_line_is_needed_in_enough_articles_and_a_large_enough_share() -> None:
    default = Thresholds()
    assert (default.min_articles, default.min_share) == (5, 0.4)
    assert [default.needed(n) for n in (1, 5, 12, 13, 20, 100)] == [5, 5, 5, 6, 8, 40]
    assert [Thresholds(3, 0.5).needed(n) for n in (3, 6, 7, 8)] == [3, 3, 4, 4]


@pytest.mark.parametrize(
    ("min_articles", "min_share", "message"),
    [
        (1, 0.4, "--boilerplate-min-articles must be at least 2, not 1"),
        (5, 0.0, "--boilerplate-min-share must be above 0 and at most 1, not 0.0"),
        (5, 1.5, "--boilerplate-min-share must be above 0 and at most 1, not 1.5"),
    ],
)
def test_thresholds_out_of_range_are_usage_errors(
    min_articles: int, min_share: float, message: str
) -> None:
    with pytest.raises(UsageError) as info:
        Thresholds(min_articles, min_share)
    assert info.value.message == message


def test_an_article_learns_with_its_source_else_its_folder() -> None:
    assert group_of("Coastal Wire", "/news/a.txt") == "source:Coastal Wire"
    assert group_of(None, "/news/2021/a.txt") == "folder:/news/2021"
    assert group_of("", "/news/a.txt") == "folder:/news"


# -- counting and deciding ---------------------------------------------------------

#: The index reader a ledger relearns from: never needed by these ledgers,
#: which are new (reset) or read from their file, or only looked at.
NO_READER: Any = None
WIRE = "source:Coastal Wire"
PROMO = "Subscribe to the Coastal Wire"


#: Towns to tell stories apart by (not numbers: lines are compared with digits
#: blanked out, so that a year does not make two copyright lines differ).
PLACES = (
    "Ashby",
    "Brill",
    "Crail",
    "Dunbar",
    "Elgin",
    "Fowey",
    "Girvan",
    "Hythe",
    "Irvine",
    "Jarrow",
)


def key(line: str) -> str:
    """The ledger's key of ``line`` (a short line: it has one)."""
    found = line_key(line)
    assert found is not None
    return found


def headline(number: int) -> str:
    return f"The harbour at {PLACES[number]} reopened."


def story(number: int, promo: bool) -> str:
    lines = [headline(number), "Tides were high."]
    return "\n".join([*lines, PROMO] if promo else lines)


def counted(tmp_path: Path) -> Ledger:
    """A new ledger (3 articles, half of a group) with four articles of one
    source counted, three of them carrying the promotion line."""
    ledger = Ledger.load(str(tmp_path), NO_READER, 0, Thresholds(3, 0.5), reset=True)
    for number in range(4):
        ledger.add(WIRE, story(number, promo=number < 3))
    return ledger


def test_lines_in_enough_articles_are_learned_and_others_are_not(tmp_path: Path) -> None:
    ledger = counted(tmp_path)
    assert ledger.decide() == {WIRE}
    # "Tides were high." is in all four articles: learned too; each story line in one.
    assert ledger.learned(WIRE) == {key(PROMO), key("Tides were high.")}
    assert ledger.learned("source:Elsewhere") == frozenset()
    assert ledger.decide() == set()  # nothing counted since: nothing changes
    assert ledger.clean(WIRE, story(9, promo=True)).body == headline(9)


def test_uncounting_articles_can_unlearn_a_line(tmp_path: Path) -> None:
    ledger = counted(tmp_path)
    ledger.decide()
    ledger.remove(WIRE, story(0, promo=True))  # 2 carriers of 3 articles: 3 needed
    assert ledger.decide() == {WIRE}
    assert ledger.learned(WIRE) == {key("Tides were high.")}
    for number in (1, 2, 3):
        ledger.remove(WIRE, story(number, promo=number < 3))
    assert ledger.decide() == {WIRE}
    assert ledger.learned(WIRE) == frozenset()


def test_counts_set_aside_are_out_of_memory_and_read_back_whole(tmp_path: Path) -> None:
    ledger = counted(tmp_path)
    ledger.add("source:Elsewhere", story(5, promo=True))
    before = {name: group.lines() for name, group in ledger._groups.items()}
    with pytest.raises(KeyboardInterrupt), ledger.set_aside(str(tmp_path)):
        assert all(not group.lines() for group in ledger._groups.values())
        assert os.listdir(tmp_path) == []  # an anonymous file
        raise KeyboardInterrupt  # read back also when the block fails
    assert {name: group.lines() for name, group in ledger._groups.items()} == before
    assert ledger.decide() == {WIRE}  # Elsewhere, of one article, learns nothing
    assert ledger.learned(WIRE) == {key(PROMO), key("Tides were high.")}


def test_a_saved_ledger_is_a_header_and_a_group_a_line(tmp_path: Path) -> None:
    ledger = counted(tmp_path)
    ledger.decide()
    ledger.save(str(tmp_path), 7)
    assert os.listdir(tmp_path) == [LEDGER_FILE]  # no temporary file left
    header, group, end = (tmp_path / LEDGER_FILE).read_text(encoding="utf-8").split("\n")
    assert json.loads(header) == {
        "version": LEDGER_VERSION,
        "generation": 7,
        "min_articles": 3,
        "min_share": 0.5,
    }
    assert json.loads(group) == {
        "group": WIRE,
        "articles": 4,
        "learned": sorted([key(PROMO), key("Tides were high.")]),
        "lines": {
            **{key(headline(n)): 1 for n in range(4)},
            key("Tides were high."): 4,
            key(PROMO): 3,
        },
    }
    assert end == ""


def test_a_ledger_of_this_generation_is_read_back_with_its_thresholds(tmp_path: Path) -> None:
    saved = counted(tmp_path)
    saved.decide()
    saved.save(str(tmp_path), 7)
    again = Ledger.load(str(tmp_path), NO_READER, 7, None)
    assert (again.thresholds, again.fresh, again.needs_save) == (Thresholds(3, 0.5), False, False)
    assert again.learned(WIRE) == saved.learned(WIRE)
    # Options left out keep the saved setting.
    for options, expected in (
        (ThresholdOptions(min_share=0.75), Thresholds(3, 0.75)),
        (ThresholdOptions(min_articles=4), Thresholds(4, 0.5)),
        (ThresholdOptions(), Thresholds(3, 0.5)),
    ):
        assert Ledger.load(str(tmp_path), NO_READER, 7, options).thresholds == expected
    # New thresholds at the same generation: saved again, every group decided again.
    stricter = Ledger.load(str(tmp_path), NO_READER, 7, Thresholds(4, 0.5))
    assert (stricter.fresh, stricter.needs_save) == (False, True)
    assert stricter.decide() == {WIRE}
    assert stricter.learned(WIRE) == {key("Tides were high.")}


def test_a_ledger_of_another_generation_is_not_believed(tmp_path: Path) -> None:
    saved = counted(tmp_path)
    saved.decide()
    saved.save(str(tmp_path), 7)
    stale = Ledger.load(str(tmp_path), NO_READER, 8, None)
    # Relearned from the index (when first needed), and saved again; the
    # thresholds are the index's setting all the same.
    assert (stale.thresholds, stale.fresh, stale.needs_save) == (Thresholds(3, 0.5), True, True)
    # Where there is no ledger, options left out are the defaults.
    elsewhere = Ledger.load(
        str(tmp_path / "elsewhere"), NO_READER, 1, ThresholdOptions(min_share=0.75)
    )
    assert elsewhere.thresholds == Thresholds(5, 0.75)


# -- learned per source, through index runs --------------------------------------


def test_lines_recurring_across_a_source_are_learned_and_cut(
    write: WriteFile, corpus: Path, index_dir: str
) -> None:
    paths = [wire_article(write, n) for n in range(12)]
    run_index(index_dir, [str(corpus)])
    assert ids(index_dir, '"your coast your news"') == set()
    assert ids(index_dir, '"press standards organisation"') == set()
    assert ids(index_dir, "fishermen") == {article_id(str(p), None) for p in paths}
    assert ids(index_dir, "kettlewell") == {article_id(str(paths[10]), None)}
    assert body(index_dir, paths[0]) == (
        "The harbour at Ashcombe reopened on Monday after storm repairs.\n\n"
        "Fishermen in Ashcombe said the new wall was higher than the old one."
    )


def test_a_source_below_the_threshold_keeps_its_lines(
    write: WriteFile, corpus: Path, index_dir: str
) -> None:
    paths = [wire_article(write, n, source="Tiny Post") for n in range(4)]
    run_index(index_dir, [str(corpus)])
    assert ids(index_dir, '"your coast your news"') == {article_id(str(p), None) for p in paths}
    assert FOOTER in body(index_dir, paths[0])


def test_sources_learn_apart(write: WriteFile, corpus: Path, index_dir: str) -> None:
    for n in range(12):
        wire_article(write, n)
    tiny = wire_article(write, 12, source="Tiny Post")
    run_index(index_dir, [str(corpus)])
    assert ids(index_dir, '"your coast your news"') == {article_id(str(tiny), None)}


def test_thresholds_are_options_and_are_kept_by_the_index(
    write: WriteFile, corpus: Path, index_dir: str
) -> None:
    paths = [wire_article(write, n, source="Tiny Post") for n in range(4)]
    run_index(index_dir, [str(corpus)], boilerplate=Thresholds(min_articles=3, min_share=0.5))
    assert ids(index_dir, '"your coast your news"') == set()
    wire_article(write, 4, source="Tiny Post")
    run_index(index_dir, [str(corpus)])  # no options: the index's own settings hold
    assert ids(index_dir, '"your coast your news"') == set()
    summary = run_index(index_dir, [str(corpus)], boilerplate=Thresholds(min_articles=6))
    assert summary.recleaned == 5
    assert HEADER in body(index_dir, paths[0])


# -- kept beside the index across runs ----------------------------------------------


def test_a_lost_ledger_is_learned_again_from_the_index(
    write: WriteFile, corpus: Path, index_dir: str
) -> None:
    paths = [wire_article(write, n, extra=SEASONAL if n < 4 else None) for n in range(12)]
    run_index(index_dir, [str(corpus)])
    os.remove(os.path.join(index_dir, LEDGER_FILE))
    summary = run_index(index_dir, [str(corpus)])
    assert (summary.unchanged, summary.recleaned) == (12, 0)
    assert os.path.exists(os.path.join(index_dir, LEDGER_FILE))
    # The relearned counts are right: four more carriers push the line over.
    for n in range(12, 16):
        wire_article(write, n, extra=SEASONAL)
    summary = run_index(index_dir, [str(corpus)])
    assert summary.recleaned == 4
    assert SEASONAL not in body(index_dir, paths[0])


def test_thresholds_given_are_kept_even_when_they_change_nothing(
    write: WriteFile, corpus: Path, index_dir: str
) -> None:
    for n in range(12):
        wire_article(write, n)
    run_index(index_dir, [str(corpus)])
    summary = run_index(index_dir, [str(corpus)], boilerplate=Thresholds(min_share=0.5))
    assert summary.recleaned == 0
    assert saved_thresholds(index_dir) == Thresholds(min_articles=5, min_share=0.5)
    # Options as the command line gives them: one left out keeps the index's own.
    run_index(index_dir, [str(corpus)], boilerplate=ThresholdOptions(min_articles=7))
    assert saved_thresholds(index_dir) == Thresholds(min_articles=7, min_share=0.5)
    run_index(index_dir, [str(corpus)], boilerplate=ThresholdOptions())
    assert saved_thresholds(index_dir) == Thresholds(min_articles=7, min_share=0.5)
    with pytest.raises(UsageError, match="--boilerplate-min-articles"):
        ThresholdOptions(min_articles=1)


def saved_thresholds(index_dir: str) -> Thresholds:
    """The thresholds the saved ledger's header records."""
    with open(os.path.join(index_dir, LEDGER_FILE), encoding="utf-8") as handle:
        header = json.loads(handle.readline())
    return Thresholds(header["min_articles"], header["min_share"])


def test_a_noop_run_reads_only_the_ledger_header_and_a_damaged_ledger_is_relearned(
    write: WriteFile, corpus: Path, index_dir: str
) -> None:
    paths = [wire_article(write, n, extra=SEASONAL if n < 4 else None) for n in range(12)]
    run_index(index_dir, [str(corpus)])
    ledger = Path(index_dir) / LEDGER_FILE
    header = ledger.read_text(encoding="utf-8").split("\n")[0]
    damaged = header + "\n{not json\n"
    ledger.write_text(damaged, encoding="utf-8")
    summary = run_index(index_dir, [str(corpus)])  # nothing to do: counts never read
    assert (summary.unchanged, summary.recleaned) == (12, 0)
    assert ledger.read_text(encoding="utf-8") == damaged
    for n in range(12, 16):
        wire_article(write, n, extra=SEASONAL)
    summary = run_index(index_dir, [str(corpus)])  # counts needed: relearned from the index
    assert (summary.added, summary.recleaned) == (4, 4)
    assert SEASONAL not in body(index_dir, paths[0])
    assert ledger.read_text(encoding="utf-8") != damaged


# -- counts held as arrays ------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.sets(st.integers(0, 40), max_size=8)), max_size=60),
    st.sampled_from([1, 3, 1 << 16]),
)
def test_counts_as_arrays_are_what_counting_one_by_one_gives(
    steps: list[tuple[bool, set[int]]], batch: int
) -> None:
    """Articles counted and uncounted in any order, folded in batches of any
    size: the counts are the former dictionary's (a removal stops at zero,
    a key at zero is gone), and so are the lines learned from them."""
    import searchengine.indexer.ledger as ledger_module

    keys = [f"{n * 7919 + 11:016x}" for n in range(41)]  # line keys: 16 hex digits
    saved = ledger_module._BATCH
    ledger_module._BATCH = batch
    try:
        group = ledger_module._Group(2, {keys[0]: 3, keys[1]: 1})
        reference: dict[str, int] = {keys[0]: 3, keys[1]: 1}
        for adding, chosen in steps:
            article = [keys[n] for n in chosen]
            group.update(article, 1 if adding else -1)
            for key in article:
                left = reference.get(key, 0) + (1 if adding else -1)
                if left > 0:
                    reference[key] = left
                else:
                    reference.pop(key, None)
        assert group.lines() == reference
        assert group.learned(2) == frozenset(k for k, n in reference.items() if n >= 2)
    finally:
        ledger_module._BATCH = saved


@given(st.lists(st.integers(0, 2**64 - 1), max_size=50))
def test_line_keys_are_read_and_written_as_16_hex_digits(keys: list[int]) -> None:
    import numpy as np

    from searchengine.indexer.ledger import _from_hex, _to_hex

    written = [f"{key:016x}" for key in keys]
    assert _to_hex(np.array(keys, dtype=np.uint64)) == written
    assert _from_hex(written).tolist() == keys


@pytest.mark.parametrize(
    "keys", [["abc"], ["g" * 16], ["A" * 16], ["0" * 15 + "/"], ["é" * 16], ["0" * 16, "1" * 15]]
)
def test_a_line_key_of_another_form_is_refused_as_int_refuses_it(keys: list[str]) -> None:
    from searchengine.indexer.ledger import _from_hex

    with pytest.raises(ValueError):
        _from_hex(keys)
