"""Prefixes and fuzzy words on a real index, resolved against the lexicon of
written words."""

from __future__ import annotations

import pytest

from searchengine.query.engine import Engine

from query_index import BUSHFIRE, Corpus, found, s

QUERY_CASES: list[tuple[str, frozenset[str]]] = [
    # prefix and fuzzy
    ("panj*", s("prefix_panjdara", "prefix_panjlor")),
    ("Panj*", s("prefix_panjdara", "prefix_panjlor")),
    ("panjd*", s("prefix_panjdara")),
    ("pandara", s("prefix_pandara")),
    ("pandara~", s("prefix_pandara", "prefix_panjdara")),  # Panjdara is one insertion away
    ("panjdra~", s("prefix_panjdara")),  # Pandara is two edits away
    ("panjdra", s()),
    ("investers~", s("fuzzy_investors")),
    ("INVESTERS~", s("fuzzy_investors")),
    ("Pandara~", s("prefix_pandara", "prefix_panjdara")),
    ("attack*", s("stem_attack", "stem_attacks", "stem_attacked")),
    ("investo*", s("fuzzy_investors")),
    ("investers~1", s("fuzzy_investors")),
    ("invastrs~", s()),  # two edits from "investors"
    ("invastrs~2", s("fuzzy_investors")),
    ("investers", s()),
]


@pytest.mark.parametrize(
    ("query", "expected"), QUERY_CASES, ids=[q or "<empty>" for q, _ in QUERY_CASES]
)
def test_query_returns_exactly(
    indexed: Corpus, engine: Engine, query: str, expected: frozenset[str]
) -> None:
    assert found(indexed, engine, query) == expected


@pytest.mark.parametrize(
    ("query", "must_find", "may_find"),
    [
        ("running*", s("stem_running"), s("stem_run")),
        ("attacked*", s("stem_attacked"), s("stem_attack", "stem_attacks")),
        ("investors*", s("fuzzy_investors"), s()),
        ("bushfires*", s("bushfire_smoke"), BUSHFIRE),
        ("guards*", s("stem_attack"), s()),
    ],
)
def test_prefix_that_is_a_whole_word_of_the_text_finds_it(
    indexed: Corpus, engine: Engine, query: str, must_find: frozenset[str], may_find: frozenset[str]
) -> None:
    # "running*" is the prefix of the word "running" in stem_running: a
    # prefix is matched against the words as written, not against stems.
    result = found(indexed, engine, query)
    assert must_find <= result <= must_find | may_find
