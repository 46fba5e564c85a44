"""Spelling suggestions on a real index: in the user's own words, never for
words the index holds.

The query corpus (``tests/query_index.py``) shows them through searches; a
small index of its own, with word counts chosen for it, pins when a word is
corrected and to what (``best_correction``, ``suggest``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from whoosh.support.levenshtein import distance

from searchengine.index import directory as store
from searchengine.index.lexicon import Lexicon
from searchengine.indexer.run import run_index
from searchengine.query.engine import Engine
from searchengine.query.suggest import best_correction, suggest

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
        ("buhsfier", "bushfire"),  # two swaps: two edits, four without transpositions
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


# -- when a word is corrected, and to what ---------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "edits"),
    [
        ("harbour", "harbour", 0),
        ("harbour", "harbor", 1),
        ("harbour", "harbuor", 1),  # two neighbouring letters swapped: one edit
        ("bushfire", "bushfier", 1),
        ("flaw", "lawn", 2),
        ("kitten", "sitting", 3),
        ("", "abc", 3),
        ("abc", "", 3),
    ],
)
def test_the_distance_suggestions_go_by_counts_a_swap_as_one_edit(
    a: str, b: str, edits: int
) -> None:
    # Whoosh's, which suggest.py ranks candidates by: pinned here, since the
    # automaton that finds them counts a swap as one edit too.
    assert distance(a, b) == edits
    assert distance(b, a) == edits


#: (words in the text, articles): "harbour" is common, "harbur" and "harbuor"
#: misspellings in one article each; "beacon" is in three, "beakon" in one:
#: not ten times rarer.
SPELLINGS = [("harbour", 12), ("harbur", 1), ("harbuor", 1), ("beacon", 3), ("beakon", 1)]


@pytest.fixture(scope="module")
def spelled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Lexicon]]:
    root = tmp_path_factory.mktemp("suggest")
    corpus = root / "corpus"
    corpus.mkdir()
    for word, articles in SPELLINGS:
        for n in range(articles):
            text = f"Notes {n}\n\nThe {word} stood by the wall at dusk.\n"
            (corpus / f"{word}-{n}.txt").write_text(text, encoding="utf-8")
    index_dir = str(root / "index")
    run_index(index_dir, [str(corpus)])
    with store.searcher(index_dir) as searcher:
        yield searcher.reader(), Lexicon(index_dir)


@pytest.mark.parametrize(
    ("word", "correction"),
    [
        ("harbur", "harbour"),  # in one article, one edit from one in twelve
        ("hxrboor", "harbour"),  # in none: two edits are allowed
        ("harbuor", "harbour"),  # in one article, a swap from one in twelve
        ("harbr", "harbur"),  # the nearest word wins, however rare
        ("zqxj", None),  # three edits or more from every word
        ("beakon", None),  # "beacon" is commoner, but not ten times
        ("beacon", None),  # in three articles: not rare
        ("harbour", None),
        ("hb", None),  # too short to judge
        ("1971", None),
    ],
)
def test_a_rare_word_is_corrected_only_to_a_much_commoner_near_one(
    spelled: tuple[Any, Lexicon], word: str, correction: str | None
) -> None:
    reader, lexicon = spelled
    assert best_correction(reader, lexicon, word) == correction


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("harbur wall", "harbour wall"),
        ("Harbur", "Harbour"),
        ("HARBUR", "HARBOUR"),
        ('"harbur wall" dusk', '"harbour wall" dusk'),
        ("title:harbur", "title:harbour"),
        ("source:harbur", None),  # other fields' words need not be in the text
        ("harbur* wall", None),  # a prefix is not a word
        ("harbur~", None),  # nor is a fuzzy word
        ("harbour AND wall", None),
        ("beakon OR harbur", "beakon OR harbour"),
    ],
)
def test_the_query_is_given_back_with_only_its_misspellings_corrected(
    spelled: tuple[Any, Lexicon], query: str, suggestion: str | None
) -> None:
    reader, lexicon = spelled
    assert suggest(reader, lexicon, query) == suggestion
