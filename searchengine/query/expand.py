"""Fuzzy words, prefixes and wildcards turned into the stems they reach.

They are matched against the index's list of written (unstemmed) words,
so ``running*`` finds ``running`` though the index holds the stem ``run``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from whoosh import query

from searchengine.analysis.tokenizer import stem
from searchengine.index.lexicon import Lexicon
from searchengine.query.parse import FuzzyWord

#: Fields whose words the lexicon holds unstemmed.
WORD_FIELDS = ("title", "body")
#: A prefix or wildcard matching more distinct words than this is left to
#: Whoosh's own expansion over the stems.
MAX_EXPANSION = 5000


def _stems_of(words: Iterable[str]) -> list[str]:
    return sorted({stem(w) for w in words})


def _any_of(fieldname: str, stems: list[str], boost: float) -> Any:
    if not stems:
        return query.NullQuery
    return query.Or([query.Term(fieldname, s, boost=boost) for s in stems])


def expand(q: Any, lexicon: Lexicon) -> Any:
    """Resolve fuzzy words, prefixes and wildcards against the written words.

    They are matched in the index's :class:`Lexicon` of unstemmed words and
    replaced by the stems of the words found: ``investers~`` reaches
    ``investors``, and ``running*`` finds ``running`` though the index holds
    the stem ``run``.
    """
    if isinstance(q, FuzzyWord):
        near = lexicon.within(q.text, q.maxdist, prefix=q.prefixlength)
        return _any_of(q.fieldname, _stems_of(near), q.boost)
    if isinstance(q, query.Prefix | query.Wildcard) and q.fieldname in WORD_FIELDS:
        found = (
            lexicon.with_prefix(q.text) if isinstance(q, query.Prefix) else lexicon.matching(q.text)
        )
        words: list[str] = []
        for word in found:
            words.append(word)
            if len(words) > MAX_EXPANSION:
                return q
        return _any_of(q.fieldname, _stems_of(words), q.boost)
    if q.is_leaf():
        return q
    return q.apply(lambda child: expand(child, lexicon))
