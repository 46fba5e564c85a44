"""What a query matches inside a text: the spans to highlight.

Whoosh's highlighter marks every occurrence of every query term, so the
phrase ``"front line"`` lights up each lone ``front`` too.  Here a query is
reduced to a :class:`MatchSpec` (plain terms, prefixes, phrases with slop;
excluded parts dropped), and :func:`match_spans` finds in a text exactly
what the spec matches: a phrase only where the whole phrase occurs.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from whoosh import query
from whoosh.lang.porter2 import exceptional_forms

from searchengine.analysis.tokenizer import WORD, fold, stem
from searchengine.index.schema import term_text

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    slop: int = 1


@dataclass
class MatchSpec:
    """The positive, highlightable part of a query, for one field."""

    terms: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    wildcards: set[str] = field(default_factory=set)
    phrases: set[Phrase] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.terms or self.prefixes or self.wildcards or self.phrases)


def spec_for(q: Any, fieldname: str) -> MatchSpec:
    """The parts of (an expanded) query ``q`` that match words of ``fieldname``."""
    spec = MatchSpec()

    def visit(node: Any) -> None:
        if isinstance(node, query.Not):
            return
        if isinstance(node, query.AndNot):
            visit(node.a)
            return
        if isinstance(node, query.Phrase):
            if node.fieldname == fieldname:
                spec.phrases.add(Phrase(tuple(term_text(w) for w in node.words), max(1, node.slop)))
            return
        if isinstance(node, query.Prefix):
            if node.fieldname == fieldname:
                spec.prefixes.add(term_text(node.text))
            return
        if isinstance(node, query.Wildcard):
            if node.fieldname == fieldname:
                spec.wildcards.add(term_text(node.text))
            return
        if isinstance(node, query.Term) and not isinstance(node, query.FuzzyTerm):
            if node.fieldname == fieldname:
                spec.terms.add(term_text(node.text))
            return
        if node.is_leaf():
            return
        for child in node.children():
            visit(child)

    visit(q)
    return spec


class Token(NamedTuple):
    """A word of a text: its ``[start, end)`` offsets and its indexed form.

    A named tuple, not a dataclass: a long article makes thousands, and a
    tuple is several times cheaper to build.
    """

    start: int
    end: int
    term: str


@dataclass(frozen=True)
class _Candidates:
    """Which words of a text may match a spec, found without stemming them all.

    Stemming is most of the cost of highlighting a whole article, and most
    words cannot match.  Porter2 only rewrites the end of a word and leaves
    its first two letters alone (checked on every exceptional form and on
    random words; ``dying`` -> ``die`` and its two kin are the exceptions),
    so a word whose stem equals or starts with a query term starts with that
    term's first two letters.  ``pattern`` finds, in the raw text, the start
    of every such word (case-insensitively, plus every word with a non-ASCII
    letter among its first two, whose folding is left to ``may_match``).
    """

    heads: frozenset[str]
    singles: frozenset[str]
    pattern: re.Pattern[str]

    def may_match(self, folded: str) -> bool:
        return folded[:2] in self.heads or folded[:1] in self.singles or folded in exceptional_forms


@lru_cache(maxsize=256)
def _candidates(needles: frozenset[str]) -> _Candidates:
    heads = frozenset(n[:2] for n in needles if len(n) >= 2)
    singles = frozenset(n for n in needles if len(n) == 1)
    raw = set(heads | singles)
    raw.update(word[:2] for word, root in exceptional_forms.items() if root[:2] in heads)
    alternatives = [re.escape(h) for h in sorted(raw, key=len, reverse=True)]
    alternatives.append(r"[^\x00-\x7f]|\w[^\x00-\x7f]")
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")", re.IGNORECASE)
    return _Candidates(heads, singles, pattern)


class _WordCharacters:
    """Whether ``\\w`` matches a code point, asked of the regular expression
    engine itself for each code point the first time it is met (a text uses
    a few dozen; classifying all 65,536 of the first plane up front cost a
    scripted query 15 ms)."""

    def __init__(self) -> None:
        import numpy as np

        #: 1: a word character, 0: not, -1: not asked yet.
        self.known = np.full(0x110000, -1, dtype=np.int8)

    def of(self, codes: NDArray[np.uint32]) -> NDArray[np.bool_]:

        found = self.known[codes]
        unknown = found < 0
        if unknown.any():
            # set(), not np.unique: its first call imports numpy.ma (25 ms).
            for code in set(codes[unknown].tolist()):
                self.known[code] = _ONE_WORD_CHAR.match(chr(code)) is not None
            found = self.known[codes]
        marked: NDArray[np.bool_] = found > 0
        return marked


@lru_cache(maxsize=1)
def _word_characters() -> _WordCharacters:
    return _WordCharacters()


def word_spans(text: str) -> tuple[list[int], list[int]]:
    """The ``[start, end)`` offsets of every word of ``text``, as
    :data:`~searchengine.analysis.tokenizer.WORD` finds them (lists; see
    :func:`word_offsets`)."""
    starts, ends = word_offsets(text)
    return starts.tolist(), ends.tolist()


def word_offsets(text: str) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """:func:`word_spans` as arrays, computed on arrays: a word is a run of
    ``\\w`` characters, an apostrophe between two of them joining them.
    Several times faster than iterating over the matches, which is most of
    a snippet's cost; and a snippet reads a few dozen of its words' offsets,
    not a list of all of them."""
    import numpy as np

    if text.isascii():
        # Most news text: a table of the 128 characters (numbered as bytes).
        codes: NDArray[Any] = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        word = _ascii_word_characters()[codes]
    else:
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        word = _word_characters().of(codes)
    if len(codes) > 2:
        apostrophe = (codes[1:-1] == 0x27) | (codes[1:-1] == 0x2019)
        word[1:-1] |= apostrophe & word[:-2] & word[2:]
    # Where a word starts or ends, alternately (each a change from the character before).
    changes = np.empty(len(word) + 1, dtype=np.bool_)
    changes[0], changes[-1] = word[:1].any(), word[-1:].any()
    np.not_equal(word[1:], word[:-1], out=changes[1:-1])
    edges = np.flatnonzero(changes)
    return edges[0::2], edges[1::2]


@lru_cache(maxsize=1)
def _ascii_word_characters() -> NDArray[np.bool_]:
    """Whether ``\\w`` matches each of the 128 ASCII characters."""
    import numpy as np

    return np.array([_ONE_WORD_CHAR.match(chr(c)) is not None for c in range(128)], dtype=np.bool_)


_ONE_WORD_CHAR = re.compile(r"\w")


def tokens(text: str, spec: MatchSpec | None = None) -> list[Token]:
    """The words of ``text`` with their offsets and indexed forms.

    With ``spec``, only words that could match it are stemmed; the others
    get the term ``""``, which matches nothing.  (Wildcards may match
    anywhere in a word: with one, every word is stemmed.)
    """
    if spec is None or spec.wildcards:
        return [Token(m.start(), m.end(), stem(m.group(0))) for m in WORD.finditer(text)]
    spans = [m.span() for m in WORD.finditer(text)]
    terms = [""] * len(spans)
    needles = spec.terms | spec.prefixes | {w for p in spec.phrases for w in p.words}
    if needles:
        found = _candidates(frozenset(needles))
        index_of = {start: i for i, (start, _) in enumerate(spans)}
        for match in found.pattern.finditer(text):
            i = index_of.get(match.start())
            if i is None:
                continue
            word = text[spans[i][0] : spans[i][1]]
            if found.may_match(fold(word)):
                terms[i] = stem(word)
    return [Token(start, end, term) for (start, end), term in zip(spans, terms, strict=True)]


def positions_of(words: list[Token]) -> dict[str, list[int]]:
    """Each term of ``words`` with the indexes of the words that are it, in order
    (words left unstemmed, term ``""``, are left out: they match nothing)."""
    positions: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        if word.term:
            positions.setdefault(word.term, []).append(i)
    return positions


def matched_positions(words: list[Token], spec: MatchSpec) -> list[int]:
    """Indexes into ``words`` of every word the spec matches, in order."""
    return matched_at(positions_of(words), spec)


def matched_at(positions: dict[str, list[int]], spec: MatchSpec) -> list[int]:
    """Every word position the spec matches, in order, given the positions
    of the terms (at least of those the spec names).

    The positions may come from the text (:func:`positions_of`) or from the
    index's postings, which number a field's words the same way.
    """
    hit: set[int] = set()
    for term, where in positions.items():
        if (
            term in spec.terms
            or any(term.startswith(p) for p in spec.prefixes)
            or (spec.wildcards and any(fnmatch.fnmatchcase(term, w) for w in spec.wildcards))
        ):
            hit.update(where)
    for phrase in spec.phrases:
        hit.update(_phrase_positions(phrase, positions))
    return sorted(hit)


def _phrase_positions(phrase: Phrase, positions: dict[str, list[int]]) -> Iterable[int]:
    if not phrase.words:
        return
    for first in positions.get(phrase.words[0], ()):
        found = [first]
        for word in phrase.words[1:]:
            previous = found[-1]
            following = [
                p for p in positions.get(word, ()) if previous < p <= previous + phrase.slop
            ]
            if not following:
                break
            found.append(following[0])
        else:
            yield from found


def match_spans(text: str, spec: MatchSpec) -> list[tuple[int, int]]:
    """``[start, end)`` offsets in ``text`` of every matched word."""
    if not spec:
        return []
    words = tokens(text, spec)
    return [(words[i].start, words[i].end) for i in matched_positions(words, spec)]
