"""The analyzer: fold before stemming, Porter2, positions kept."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchengine.analysis.tokenizer import (
    WORD,
    NewsTokenizer,
    fold,
    news_analyzer,
    split_words,
    stem,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("running", "run"),
        ("attacks", "attack"),
        ("attacked", "attack"),
        ("Résumé", "resume"),
        ("Zürich", "zurich"),
        ("CAFÉ", "cafe"),
        ("Taliban’s", "taliban"),
        ("Taliban's", "Taliban"),
        ("Straße", "strasse"),
        ("Øresund", "oresund"),
    ],
)
def test_variants_meet_on_one_term(a: str, b: str) -> None:
    assert stem(a) == stem(b)


@pytest.mark.parametrize(("a", "b"), [("news", "new"), ("running", "runn"), ("bank", "banks in")])
def test_different_words_stay_apart(a: str, b: str) -> None:
    assert indexed_terms(a) != indexed_terms(b)


def indexed_terms(text: str) -> list[str]:
    """The terms the index holds for ``text``, in order."""
    return [token.text for token in news_analyzer()(text)]


def test_fold_strips_accents_only() -> None:
    assert fold("Ça va, Dvořák?") == "ca va, dvorak?"


def test_stop_words_keep_their_positions() -> None:
    tokens = [(t.text, t.pos) for t in news_analyzer()("Bank of America", positions=True)]
    assert tokens == [("bank", 0), ("of", 1), ("america", 2)]


def test_character_offsets_point_at_the_words() -> None:
    text = "Al-Qaeda’s leaders, in Zürich."
    spans = [(t.startchar, t.endchar) for t in news_analyzer()(text, chars=True)]
    assert [text[a:b] for a, b in spans] == ["Al", "Qaeda’s", "leaders", "in", "Zürich"]


def test_unanalysed_prefix_text_is_folded_not_stemmed() -> None:
    (token,) = list(news_analyzer()("Happiness", tokenize=False))
    assert token.text == "happiness"


def test_spelling_field_keeps_words_unstemmed() -> None:
    assert [t.text for t in NewsTokenizer(stemming=False)("Bushfires in Zürich’s hills")] == [
        "bushfires",
        "in",
        "zurich",
        "hills",
    ]


def test_analyzer_survives_pickling_as_whoosh_stores_it() -> None:
    copy = pickle.loads(pickle.dumps(news_analyzer()))
    assert isinstance(copy, NewsTokenizer) and copy == news_analyzer()
    assert [t.text for t in copy("Running news")] == ["run", "news"]


# -- split_words: WORD.findall, faster ---------------------------------------------

_LETTERS = "aZ09_'\u2019 \n\t.,-—éöß\u00a0\u00ad\u0301ǅ²١\udce9\x00\x1f\u200b😀"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=_LETTERS, max_size=80) | st.text(max_size=80))
def test_split_words_finds_what_the_word_pattern_finds(text: str) -> None:
    assert split_words(text) == WORD.findall(text)


@pytest.mark.parametrize(
    "text",
    [
        "a''b 'x' don't rock'n'roll '' ' abc'",
        "ö'x Gauß' 'ö' Zürich's harbour",
        "naïve café—bar x\u00a0y \u2019tis a\u2019b",
        "x_y __ 1,000.5 it's o' '''",
    ],
)
def test_split_words_on_apostrophes_and_letters_beyond_ascii(text: str) -> None:
    assert split_words(text) == WORD.findall(text)
