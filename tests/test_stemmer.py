"""The C stemmer (PyStemmer) gives exactly the stems Whoosh's Porter2 gave.

Indexes hold stems: a stemmer that stemmed one word differently would make
old indexes miss it.  ``searchengine.analysis.tokenizer.stem`` is compared
here, word by word, with what it was before the switch, folding followed by
``whoosh.lang.porter2.stem`` (which Whoosh still ships, so it stays the
reference): on a list of tricky words written for this test, on the
benchmark corpus's whole vocabulary, on every combination of Porter2's
suffixes with awkward stems, on random letter strings, and on the system's
word list where there is one.
"""

from __future__ import annotations

import itertools
import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.lang.porter2 import stem as whoosh_porter2

from benchmarks import words as benchmark_words
from benchmarks.generate import Model
from searchengine.analysis.tokenizer import WORD, fold, stem, stem_folded


def reference(word: str) -> str:
    """Today's stem before the switch: folded, then Whoosh's Porter2."""
    result: str = whoosh_porter2(fold(word))
    return result


def mismatches(words: list[str]) -> list[tuple[str, str, str]]:
    return [(w, stem(w), reference(w)) for w in words if stem(w) != reference(w)]


#: Words whose Porter2 stems are easy to get wrong, with the stem this
#: index format holds for them.  The first group are Snowball's exceptions
#: and special prefixes; the second are where Snowball 3 (PyStemmer 3)
#: changed English, so a PyStemmer upgrade past 2.x fails here.
TRICKY: tuple[tuple[str, str], ...] = (
    ("news", "news"),
    ("running", "run"),
    ("skies", "sky"),
    ("skis", "ski"),
    ("dying", "die"),
    ("lying", "lie"),
    ("tying", "tie"),
    ("idly", "idl"),
    ("gently", "gentl"),
    ("ugly", "ugli"),
    ("early", "earli"),
    ("only", "onli"),
    ("singly", "singl"),
    ("howe", "howe"),
    ("atlas", "atlas"),
    ("cosmos", "cosmos"),
    ("bias", "bias"),
    ("andes", "andes"),
    ("inning", "inning"),
    ("innings", "inning"),
    ("outing", "outing"),
    ("canning", "canning"),
    ("herring", "herring"),
    ("earring", "earring"),
    ("proceed", "proceed"),
    ("exceeded", "exceed"),
    ("succeeding", "succeed"),
    ("generously", "generous"),
    ("generate", "generat"),
    ("communism", "communism"),
    ("community", "communiti"),
    ("arsenal", "arsenal"),
    ("youth", "youth"),
    ("sayings", "say"),
    ("yelled", "yell"),
    ("taliban's", "taliban"),
    ("taliban'", "taliban"),
    ("'quoted'", "quot"),
    ("don't", "don't"),
    ("résumé", "resum"),
    ("zürich", "zurich"),
    ("ærø", "aero"),
    ("negotiations", "negoti"),
    ("evacuated", "evacu"),
    ("hospitalised", "hospitalis"),
    ("2021", "2021"),
    ("1990s", "1990s"),
    ("covid19", "covid19"),
    # Snowball 3 stems these differently (add, biolog, emergenc, evening, ebb).
    ("added", "ad"),
    ("adding", "ad"),
    ("biologist", "biologist"),
    ("geologists", "geologist"),
    ("emergency", "emerg"),
    ("emergencies", "emerg"),
    ("evening", "even"),
    ("evenings", "even"),
    ("ebbed", "eb"),
    ("erred", "er"),
)

#: Porter2's suffixes (steps 0 to 5) and stems that meet its special cases.
SUFFIXES = (
    "ational",
    "tional",
    "enci",
    "anci",
    "abli",
    "entli",
    "izer",
    "ization",
    "ation",
    "ator",
    "alism",
    "aliti",
    "alli",
    "fulness",
    "ousli",
    "ousness",
    "iveness",
    "iviti",
    "biliti",
    "bli",
    "ogi",
    "fulli",
    "lessli",
    "li",
    "alize",
    "icate",
    "iciti",
    "ical",
    "ful",
    "ness",
    "ative",
    "al",
    "ance",
    "ence",
    "er",
    "ic",
    "able",
    "ible",
    "ant",
    "ement",
    "ment",
    "ent",
    "ism",
    "ate",
    "iti",
    "ous",
    "ive",
    "ize",
    "ion",
    "e",
    "l",
    "sses",
    "ied",
    "ies",
    "s",
    "us",
    "ss",
    "eed",
    "eedly",
    "ed",
    "edly",
    "ing",
    "ingly",
    "y",
    "'s'",
    "'s",
    "'",
    "ly",
    "ing's",
)
STEMS = (
    "gener",
    "commun",
    "arsen",
    "cat",
    "hop",
    "fill",
    "run",
    "sky",
    "bias",
    "news",
    "proceed",
    "exceed",
    "succeed",
    "inning",
    "outing",
    "canning",
    "herring",
    "earring",
    "dy",
    "ly",
    "ty",
    "idl",
    "gentl",
    "ugl",
    "earl",
    "onl",
    "singl",
    "ski",
    "yell",
    "bey",
    "ay",
    "y",
    "'y",
    "ab",
    "abb",
    "tr",
    "fizz",
    "luxur",
    "emerg",
    "olog",
)


@pytest.mark.parametrize(("word", "expected"), TRICKY)
def test_tricky_words_keep_their_stems(word: str, expected: str) -> None:
    assert stem(word) == expected
    assert reference(word) == expected


def test_the_benchmark_vocabulary_stems_as_before() -> None:
    model = Model.build(1)
    words = [
        *model.ranked,
        *model.surnames,
        *model.places,
        *benchmark_words.FUNCTION_WORDS,
        *benchmark_words.CONTENT_WORDS,
        *benchmark_words.FIRST_NAMES,
        *benchmark_words.PLACES,
    ]
    variants = [v for w in words for v in (w, w.capitalize(), w.upper(), w + "'s")]
    assert len(set(words)) > 50_000
    assert mismatches(variants) == []


def test_every_suffix_pair_on_awkward_stems_stems_as_before() -> None:
    words = [s + a + b for s, a, b in itertools.product(STEMS, SUFFIXES, ("", *SUFFIXES))]
    assert len(words) > 190_000
    assert mismatches(words) == []


def test_random_letter_strings_stem_as_before() -> None:
    rng = random.Random(14)
    alphabet = "aeiouybcdfghjklmnpqrstvwxz'" + "éøßĳñ0123456789"
    words = [
        "".join(rng.choice(alphabet) for _ in range(length))
        for length in range(1, 16)
        for _ in range(4_000)
    ]
    assert mismatches(words) == []


@settings(max_examples=500, deadline=None)
@given(st.text(min_size=1, max_size=20))
def test_any_word_the_tokenizer_makes_stems_as_before(text: str) -> None:
    assert mismatches(WORD.findall(text)) == []


SYSTEM_WORDS = "/usr/share/dict/words"


@pytest.mark.skipif(not os.path.exists(SYSTEM_WORDS), reason="no system word list")
def test_the_system_word_list_stems_as_before() -> None:
    with open(SYSTEM_WORDS, encoding="utf-8", errors="replace") as handle:
        words = [w for line in handle for w in WORD.findall(line)]
    assert mismatches(words) == []


@settings(max_examples=200)
@given(st.lists(st.from_regex(WORD, fullmatch=True), max_size=30))
def test_folded_words_stemmed_at_once_stem_as_one_at_a_time(words: list[str]) -> None:
    assert stem_folded([fold(word) for word in words]) == [stem(word) for word in words]
