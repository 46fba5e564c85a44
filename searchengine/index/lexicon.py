"""The written words of an index: what prefixes, wildcards, fuzzy words and
spelling suggestions are matched against.

The index holds stems (``run``), but people type the words they read
(``running*``, ``bushfier``).  Their unstemmed, folded forms are kept here,
in a sorted word list beside the index (``words.txt``), rather than as a
Whoosh field: such a field costs one posting per word per article, which was
a third of all indexing time and of the index's size, to answer questions
that only need the list of words.

The list is written before the commit it belongs to, as the union of what
it held and the run's words, so it is never missing a word of the committed
index.  It may hold words whose articles have since gone; they cost nothing
but a wasted lookup, since every word found here is searched for through its
stem.  ``index --rebuild`` writes it afresh.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from functools import cached_property
from typing import Any

from whoosh.automata import fsa, lev

from searchengine.analysis.tokenizer import WORD, spelling_form
from searchengine.index.directory import LEXICON_FILE, IndexDirectory


def words_of(text: str, words: Iterable[str] | None = None) -> set[str]:
    """The distinct written words of ``text``, folded as the lexicon keeps them.
    ``words`` are the text's words when the caller has them already."""
    return set(map(spelling_form, set(WORD.findall(text) if words is None else words)))


def read_words(index_dir: str) -> list[str]:
    """The sorted words of the lexicon at ``index_dir`` (none if it has none)."""
    text = IndexDirectory(index_dir).read_text(LEXICON_FILE)
    return text.split("\n") if text else []


def write_words(index_dir: str, words: Iterable[str]) -> None:
    """Replace the lexicon at ``index_dir`` by ``words``, atomically and durably."""
    IndexDirectory(index_dir).write_text(LEXICON_FILE, "\n".join(sorted(set(words))))


def add_words(index_dir: str, words: set[str]) -> None:
    """Add ``words`` to the lexicon at ``index_dir``; rewrites it only if any is new."""
    if not words:
        return
    known = read_words(index_dir)
    if words.issubset(known):
        return
    write_words(index_dir, words.union(known))


class Lexicon:
    """A sorted word list with the lookups the query layer needs.

    Built on an index folder, it reads its file on first use only: most
    queries have no prefix, wildcard, fuzzy or misspelt word, and a scripted
    query should not pay for reading the list.
    """

    def __init__(self, index_dir: str | None = None, words: list[str] | None = None) -> None:
        self._index_dir = index_dir
        if words is not None:
            self.__dict__["words"] = sorted(set(words))

    @cached_property
    def words(self) -> list[str]:
        """The words, sorted."""
        return read_words(self._index_dir) if self._index_dir else []

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        i = bisect.bisect_left(self.words, word)
        return i < len(self.words) and self.words[i] == word

    def _at_least(self, key: str) -> str | None:
        i = bisect.bisect_left(self.words, key)
        return self.words[i] if i < len(self.words) else None

    def with_prefix(self, prefix: str) -> Iterator[str]:
        """Words starting with ``prefix``, in order."""
        words = self.words
        i = bisect.bisect_left(words, prefix)
        while i < len(words) and words[i].startswith(prefix):
            yield words[i]
            i += 1

    def matching(self, pattern: str) -> Iterator[str]:
        """Words matching a wildcard ``pattern`` (``*`` any run, ``?`` one character)."""
        literal = re.split(r"[*?]", pattern, maxsplit=1)[0]
        regex = re.compile(
            "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern),
            re.DOTALL,
        )
        return (w for w in self.with_prefix(literal) if regex.fullmatch(w))

    def within(
        self, word: str, maxdist: int, prefix: int = 0, *, transpositions: bool = False
    ) -> Iterator[str]:
        """Words at most ``maxdist`` edits from ``word`` (the first ``prefix`` letters equal).

        An edit inserts, deletes or substitutes a letter; with
        ``transpositions`` a swap of two neighbouring letters is one edit too
        (the optimal-string-alignment distance, Whoosh's
        ``whoosh.support.levenshtein.distance``).  Whoosh's Levenshtein
        automaton skips through the sorted list, so the cost grows with the
        matches, not with the size of the list.
        """
        nfa = lev.levenshtein_automaton(word, maxdist, prefix)
        if transpositions:
            _add_transpositions(nfa, word, maxdist, prefix)
        matches: Iterator[str] = fsa.find_all_matches(nfa.to_dfa(), self._at_least)
        return matches


def _add_transpositions(nfa: Any, word: str, maxdist: int, prefix: int) -> None:
    """Give Whoosh's Levenshtein automaton (states: ``(letters of word
    consumed, edits made)``) the swap of two neighbouring letters as one
    edit: from ``(i, e)``, reading ``word[i + 1]`` then ``word[i]`` leads to
    ``(i + 2, e + 1)``, through a state of its own between the two."""
    for i in range(prefix, len(word) - 1):
        first, second = word[i], word[i + 1]
        if first == second:
            continue  # swapping equal letters changes nothing
        for edits in range(maxdist):
            halfway = (i, edits, "swap")
            nfa.add_transition((i, edits), second, halfway)
            nfa.add_transition(halfway, first, (i + 2, edits + 1))
