"""Posting formats that analyse text in one pass, without Token objects.

Whoosh's formats pull a ``Token`` object through the analyzer chain for
every word, then count and encode.  For our one-stage tokenizer the same
postings come straight from a regular expression and two cached functions,
which is most of the indexing time saved.  The encodings are Whoosh's own
(these classes only override ``word_values``), so readers see ordinary
``Positions`` and ``Existence`` postings.

Like the analyzer, these classes are pickled into the index's schema.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from whoosh import formats

from searchengine.analysis import WORD, NewsTokenizer, spelling_form, stem


class NewsPositions(formats.Positions):  # type: ignore[misc]
    """``Positions`` postings (for phrases), computed in one pass."""

    def word_values(
        self, value: Any, analyzer: Any, **kwargs: Any
    ) -> Iterable[tuple[str, int, float, bytes]]:
        if not (
            isinstance(analyzer, NewsTokenizer) and analyzer.stemming and isinstance(value, str)
        ):
            return super().word_values(value, analyzer, **kwargs)  # type: ignore[no-any-return]
        positions: dict[str, list[int]] = {}
        for position, term in enumerate(map(stem, WORD.findall(value))):
            found = positions.get(term)
            if found is None:
                positions[term] = [position]
            else:
                found.append(position)
        boost = self.field_boost
        encode = self.encode
        return [(term, len(p), len(p) * boost, encode(p)) for term, p in positions.items()]


class WordSet(formats.Existence):  # type: ignore[misc]
    """The distinct unstemmed words of a text: one weightless posting each."""

    def word_values(
        self, value: Any, analyzer: Any, **kwargs: Any
    ) -> Iterable[tuple[str, int, float, bytes]]:
        if not (
            isinstance(analyzer, NewsTokenizer) and not analyzer.stemming and isinstance(value, str)
        ):
            return super().word_values(value, analyzer, **kwargs)  # type: ignore[no-any-return]
        boost = self.field_boost
        return [(word, 1, boost, b"") for word in set(map(spelling_form, WORD.findall(value)))]
