"""Text to terms: one tokenizer that splits, folds and stems in one pass.

The order matters.  Case and accents are folded *before* stemming, so
``Résumé`` and ``resume`` meet (a stemmer fed ``résumé`` leaves it alone).
Porter2 (the "English" Snowball stemmer) is used rather than Whoosh's default
Porter, which turns ``news`` into ``new`` and ``running`` into ``runn``.  It
runs in C (PyStemmer, Snowball's own C code): Whoosh's pure-Python Porter2
cost some 20 µs a new word, which every reader process paid again for every
word of its vocabulary.  PyStemmer is held below 3: Snowball 3 changed
English stems (``added`` -> ``add``, ``biologist`` -> ``biolog``), which would
change what old indexes hold; 2.x gives exactly Whoosh's stems
(``tests/test_stemmer.py`` compares them word by word).
Stop words are kept, with their positions: dropping them would let the phrase
``"bank of america"`` match ``bank in america``.

The analyzer is pickled into the index's schema by Whoosh, so the classes
here are part of the on-disk format: rename them and old indexes stop
opening.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import Stemmer
from whoosh.analysis import Token, Tokenizer

#: A word: letters/digits, with inner apostrophes (``don't``, ``Taliban's``).
#: A hyphen splits (``al-Qaeda`` is the two terms ``al`` ``qaeda``; the query
#: parser turns such a word into a phrase so it still matches as one word).
WORD = re.compile(r"\w+(?:['\u2019]\w+)*")

# split_words: ASCII bytes that are not part of words become spaces (the
# apostrophe stays: it may join two words' parts), others are kept.
_NOT_WORD_BYTES = bytes(
    b if b >= 0x80 or b == 0x27 or re.match(r"\w", chr(b)) else 0x20 for b in range(256)
)
# An apostrophe that joins nothing: not between two bytes of words (bytes
# from 0x80 up belong to letters, once _ODD has found no other character).
_LONE_APOSTROPHE = re.compile(rb"'(?<![0-9A-Za-z_\x80-\xff]')|'(?![0-9A-Za-z_\x80-\xff])")
# A character beyond ASCII that is not part of a word (a dash, a curly
# quote, a space): such texts are split by WORD itself.
_ODD = re.compile(r"[^\x00-\x7f\w]")


def split_words(text: str) -> list[str]:
    """``WORD.findall(text)``, about four times as fast on most texts.

    Regular expression matching costs some 40 ns a character, most of the
    work of analysing an article.  A text whose every character beyond ASCII
    is a letter or digit (three news texts in four have none) is split by
    byte translation and ``str.split`` instead: every ASCII character that
    cannot be in a word becomes a space, as does an apostrophe that does not
    join two words' parts; what is left between spaces are WORD's matches.
    """
    if not text.isascii() and _ODD.search(text):
        return WORD.findall(text)
    data = text.encode("utf-8").translate(_NOT_WORD_BYTES)
    if b"'" in data:
        data = _LONE_APOSTROPHE.sub(b" ", data)
    return data.decode("utf-8").split()


# Letters that NFKD does not decompose into a base letter plus accents.
_SPECIAL = str.maketrans(
    {
        "ø": "o",
        "đ": "d",
        "ł": "l",
        "ħ": "h",
        "ı": "i",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ð": "d",
        "ŋ": "n",
        "\u2019": "'",
    }
)


#: Words each cache below keeps.  Every indexing worker has its own caches,
#: so their size is memory times the cores; a segment's vocabulary
#: (``index.fieldformat.Vocabulary``) maps each word to its term once anyway,
#: and a miss costs a microsecond or two now that stemming is in C.
CACHED_WORDS = 20_000


@lru_cache(maxsize=CACHED_WORDS)
def fold(word: str) -> str:
    """Lower-case ``word`` and strip its accents: ``Zürich`` -> ``zurich``."""
    folded = word.casefold()
    if folded.isascii():
        return folded
    folded = folded.translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_PORTER2 = Stemmer.Stemmer("english")
# The cache below is the one that counts; PyStemmer's own would hold the
# same words twice.
_PORTER2.maxCacheSize = 0


@lru_cache(maxsize=CACHED_WORDS)
def stem(word: str) -> str:
    """The indexed form of a word: folded, then stemmed with Porter2."""
    return stem_uncached(word)


def stem_uncached(word: str) -> str:
    """:func:`stem` without its cache, for a caller that keeps its own (a
    segment's vocabulary stems each distinct word once)."""
    result: str = _PORTER2.stemWord(fold(word))
    return result


def stem_folded(folded: list[str]) -> list[str]:
    """:func:`stem` of words already folded, all in one call (PyStemmer's
    loop, in C)."""
    stems: list[str] = _PORTER2.stemWords(folded)
    return stems


@lru_cache(maxsize=CACHED_WORDS)
def spelling_form(word: str) -> str:
    """The unstemmed form kept for spelling suggestions and fuzzy matching."""
    return spelling_of_folded(fold(word))


def spelling_of_folded(folded: str) -> str:
    """:func:`spelling_form` of a word already folded."""
    return folded.removesuffix("'s").rstrip("'")


class NewsTokenizer(Tokenizer):  # type: ignore[misc]
    """Whoosh tokenizer producing folded (and, with ``stemming``, stemmed) terms.

    With ``tokenize=False`` (Whoosh does this for prefix and wildcard text)
    the text is folded but never stemmed: a stemmed prefix is a different
    prefix (``happiness*`` would become ``happi*``).
    """

    def __init__(self, stemming: bool = True) -> None:
        self.stemming = stemming

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NewsTokenizer) and other.stemming == self.stemming

    def __hash__(self) -> int:
        return hash(("NewsTokenizer", self.stemming))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = value
            token.text = fold(value)
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        transform = stem if self.stemming else spelling_form
        for pos, match in enumerate(WORD.finditer(value)):
            word = match.group(0)
            token.text = transform(word)
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


def news_analyzer() -> NewsTokenizer:
    """The analyzer of every searchable text field (title, body, author, source)."""
    return NewsTokenizer(stemming=True)
