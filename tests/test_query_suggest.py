"""Spelling suggestions on a real index: in the user's own words, never for
words the index holds."""

from __future__ import annotations

import pytest

from searchengine.query.engine import Engine

from query_index import BUSHFIRE, Corpus, found, run, s


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("bushfier", "bushfire"),
        ("Bushfier", "Bushfire"),
        ("bushfier date:2021", "bushfire date:2021"),
        ("title:bushfier", "title:bushfire"),
        ("bushfier smoke", "bushfire smoke"),
        ("BUSHFIER", "BUSHFIRE"),
        ("bushfyre", "bushfire"),
        ('"bushfier season"', '"bushfire season"'),
        ("bushfier harvst", "bushfire harvest"),
    ],
)
def test_misspelled_word_gets_the_users_word_not_the_stem(
    indexed: Corpus, engine: Engine, query: str, suggestion: str
) -> None:
    result = run(engine, query)
    assert result.suggestion == suggestion
    assert "bushfir " not in f"{result.suggestion} "


def test_misspelled_query_finds_nothing_but_its_suggestion_does(
    indexed: Corpus, engine: Engine
) -> None:
    result = run(engine, "bushfier")
    assert result.total == 0
    assert result.suggestion is not None
    assert found(indexed, engine, result.suggestion) == BUSHFIRE


@pytest.mark.parametrize(
    "query",
    [
        "bushfire",
        "bushfires",
        "Bushfire",
        "harvest",
        "attack ferry",
        "glacier",
        "",
        "*",
        "author:castellan",
        "source:weekly",
        'source:"coastal wire"',
        "author:renee",
        'source:"Coastal Wire Weekly"',
        "harvest -source:weekly",
        "panj*",
        "investers~",
    ],
)
def test_no_suggestion_for_words_the_index_holds(engine: Engine, query: str) -> None:
    # Words of the source and author fields are in the index too: "weekly"
    # is not a misspelling of "week" when a source is called "... Weekly".
    assert run(engine, query).suggestion is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("guard", s("stem_attack")),  # the text says "Guards"
        ("walker", s("stem_new")),  # the text says "walkers"
        ("investor", s("fuzzy_investors")),  # the text says "investors"
        ("attacker", s("stem_attack", "stem_attacks", "stem_attacked")),
    ],
)
def test_no_suggestion_for_a_word_found_through_its_stem(
    indexed: Corpus, engine: Engine, query: str, expected: frozenset[str]
) -> None:
    # A correctly spelled word that finds articles (another form of a word
    # the articles use) is not "likely misspelled": no "did you mean".
    assert found(indexed, engine, query) == expected
    assert run(engine, query).suggestion is None
