"""The lexicon of written words: lookups, and how index runs keep it."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from whoosh.support.levenshtein import damerau_levenshtein, levenshtein

from searchengine.index.directory import LEXICON_FILE
from searchengine.index.lexicon import (
    Lexicon,
    add_words,
    read_words,
    words_of,
    write_words,
)
from searchengine.indexer.run import run_index

from conftest import WriteFile

WORDS = ["bushfire", "bushfires", "bushland", "bush", "busker", "harbour", "harbours", "zurich"]


def test_words_of_folds_and_keeps_forms_unstemmed() -> None:
    assert words_of("Bushfires near Zürich's harbour; the HARBOUR held.") == {
        "bushfires",
        "near",
        "zurich",
        "harbour",
        "the",
        "held",
    }


def test_prefix_wildcard_and_fuzzy_lookups() -> None:
    lexicon = Lexicon(words=WORDS)
    assert list(lexicon.with_prefix("bush")) == ["bush", "bushfire", "bushfires", "bushland"]
    assert list(lexicon.with_prefix("harbours")) == ["harbours"]
    assert list(lexicon.with_prefix("x")) == []
    assert list(lexicon.matching("bush*s")) == ["bushfires"]
    assert list(lexicon.matching("b?sh")) == ["bush"]
    assert list(lexicon.matching("*bour")) == ["harbour"]
    assert sorted(lexicon.within("bushfier", 2)) == ["bushfire", "bushfires"]
    assert sorted(lexicon.within("harbor", 1)) == ["harbour"]
    assert list(lexicon.within("harbor", 1, prefix=3)) == ["harbour"]
    assert list(lexicon.within("garbour", 1, prefix=1)) == []
    assert "bush" in lexicon
    assert "bus" not in lexicon
    assert len(lexicon) == len(WORDS)


def test_a_swap_of_two_letters_is_one_edit_when_asked() -> None:
    lexicon = Lexicon(words=WORDS)
    assert list(lexicon.within("harbuor", 1)) == []
    assert list(lexicon.within("harbuor", 1, transpositions=True)) == ["harbour"]
    assert sorted(lexicon.within("buhsfier", 2, transpositions=True)) == ["bushfire"]
    assert list(lexicon.within("ahrbour", 1, transpositions=True)) == ["harbour"]
    # The letters of the prefix are never swapped.
    assert list(lexicon.within("ahrbour", 1, prefix=1, transpositions=True)) == []
    assert list(lexicon.within("hrabour", 1, prefix=1, transpositions=True)) == ["harbour"]


_LETTERS = st.text(alphabet="abcd", min_size=1, max_size=6)


@given(
    words=st.lists(_LETTERS, min_size=1, max_size=40),
    word=_LETTERS,
    maxdist=st.integers(1, 2),
    prefix=st.integers(0, 2),
    transpositions=st.booleans(),
)
def test_within_finds_exactly_the_words_within_the_distance(
    words: list[str], word: str, maxdist: int, prefix: int, transpositions: bool
) -> None:
    """The automaton against Whoosh's own distances, word by word: Levenshtein,
    or with transpositions the optimal-string-alignment distance that
    ``suggest`` ranks candidates by."""
    prefix = min(prefix, len(word))
    distance = damerau_levenshtein if transpositions else levenshtein
    expected = sorted(
        w
        for w in set(words)
        if w[:prefix] == word[:prefix] and distance(w[prefix:], word[prefix:]) <= maxdist
    )
    found = Lexicon(words=words).within(word, maxdist, prefix, transpositions=transpositions)
    assert sorted(found) == expected


def test_the_file_is_read_on_first_use_only(tmp_path: Path) -> None:
    write_words(str(tmp_path), ["one", "two"])
    lexicon = Lexicon(str(tmp_path))
    write_words(str(tmp_path), ["three"])
    assert lexicon.words == ["three"]
    write_words(str(tmp_path), ["four"])
    assert lexicon.words == ["three"]  # one reading per Lexicon


def test_add_words_unites_and_leaves_the_file_alone_when_nothing_is_new(tmp_path: Path) -> None:
    index_dir = str(tmp_path)
    assert read_words(index_dir) == []
    add_words(index_dir, {"river", "flood"})
    assert read_words(index_dir) == ["flood", "river"]
    path = tmp_path / LEXICON_FILE
    os.utime(path, ns=(1, 1))
    add_words(index_dir, {"river"})
    assert path.stat().st_mtime_ns == 1
    add_words(index_dir, {"bridge"})
    assert read_words(index_dir) == ["bridge", "flood", "river"]
    assert os.listdir(tmp_path) == [LEXICON_FILE]  # no temporary file left


def test_runs_add_words_and_a_rebuild_drops_words_of_gone_articles(
    write: WriteFile, corpus: Path, index_dir: str
) -> None:
    first = write("a.txt", "Harbour wall\n\nDockers repaired it.")
    run_index(index_dir, [str(corpus)])
    assert read_words(index_dir) == ["dockers", "harbour", "it", "repaired", "wall"]
    write("b.md", "# Flood\n\nRising river.")
    run_index(index_dir, [str(corpus)])
    assert read_words(index_dir) == [
        *["dockers", "flood", "harbour", "it", "repaired", "rising", "river", "wall"]
    ]
    first.unlink()
    run_index(index_dir, [str(corpus)])
    # Words of removed articles may linger (they are searched through their
    # stems, which then match nothing) ...
    assert "dockers" in read_words(index_dir)
    # ... until a rebuild.
    run_index(index_dir, [str(corpus)], rebuild=True)
    assert read_words(index_dir) == ["flood", "rising", "river"]
