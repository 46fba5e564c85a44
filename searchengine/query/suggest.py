""" "Did you mean": spelling suggestions in the user's own words.

Suggestions come from the index's lexicon of unstemmed words, so they are
words people write (``bushfire``), never stems (``bushfir``).  A word is
corrected when it is missing from the index, or far rarer there than a word
within two edits (a swap of two neighbouring letters counts as one edit).
Rarity and commonness are both counted in articles, through the stem: the
search finds every form of a word, so that is how common it is to a reader.
"""

from __future__ import annotations

import re

from whoosh.support.levenshtein import distance as edit_distance

from searchengine.analysis.tokenizer import WORD, spelling_form, stem
from searchengine.index.lexicon import Lexicon
from searchengine.index.protocols import Reader

#: A word seen in at most this many articles may be a misspelling.
RARE_DOCS = 2
#: ... and is corrected only to a word at least this many times as common.
COMMONER_BY = 10
MAX_DISTANCE = 2

# Clauses on other fields are not checked: their words need not be in
# titles or bodies.  For title: and body: only the field name is skipped.
_SKIP = re.compile(
    r"""(?i)\b(?!title:|body:)\w+:(\[[^\]]*\]|"[^"]*"|\([^)]*\)|\S+)|\b(title|body):"""
)
_OPERATORS = {"AND", "OR", "NOT", "TO"}


def _match_case(original: str, word: str) -> str:
    if original.isupper() and len(original) > 1:
        return word.upper()
    if original[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _articles_with(reader: Reader, root: str) -> int:
    """Articles holding the stem ``root`` (in the title or in the body)."""
    return max(int(reader.doc_frequency("body", root)), int(reader.doc_frequency("title", root)))


def best_correction(reader: Reader, lexicon: Lexicon, word: str) -> str | None:
    """A much commoner word close to ``word``, or ``None``.

    Rarity is judged on the stem (``guard`` is not rare where ``guards``
    is common: the search already finds it), candidates on the unstemmed
    words people write.  A word missing altogether may be corrected by two
    edits; a word the index holds, rarely, only by one.
    """
    form = spelling_form(word)
    if len(form) < 3 or form.isdigit():
        return None
    root = stem(form)
    frequency = _articles_with(reader, root)
    if frequency > RARE_DOCS:
        return None
    reach = MAX_DISTANCE if frequency == 0 else 1
    best: tuple[int, int, str] | None = None
    for candidate in lexicon.within(form, reach, transpositions=True):
        if candidate == form or stem(candidate) == root:
            continue
        count = _articles_with(reader, stem(candidate))
        if count < max(1, frequency * COMMONER_BY):
            continue
        key = (edit_distance(form, candidate), -count, candidate)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def suggest(reader: Reader, lexicon: Lexicon, text: str) -> str | None:
    """The query ``text`` with likely misspellings corrected, or ``None``."""
    masked = _SKIP.sub(lambda m: " " * len(m.group(0)), text)
    corrected = text
    changed = False
    # Right to left, so earlier offsets stay valid as words are replaced.
    for match in reversed(list(WORD.finditer(masked))):
        word = match.group(0)
        if word in _OPERATORS:
            continue
        end = match.end()
        if end < len(text) and text[end] in "*~":
            continue
        replacement = best_correction(reader, lexicon, word)
        if replacement is None:
            continue
        corrected = corrected[: match.start()] + _match_case(word, replacement) + corrected[end:]
        changed = True
    return corrected if changed else None
