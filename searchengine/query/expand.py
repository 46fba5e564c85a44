"""Fuzzy words, prefixes and wildcards turned into the terms they reach, within a bound.

Words of titles and bodies are matched against the index's list of written
(unstemmed) words, so ``running*`` finds ``running`` though the index holds
the stem ``run``; other fields (``source:reut*``, ``author:*son``,
``title:[a TO c]``) against the field's own terms.

Every expansion is bounded, so no query runs unbounded: one query's fuzzy,
prefix, wildcard and range words may reach at most :data:`MAX_CLAUSES`
terms together (Lucene's ``maxClauseCount``, 1,024 by default, for the same
reason).  A query reaching more is refused with a :class:`QuerySyntaxError`
(exit 2) saying which word to narrow and how; finding out stops as soon as
the limit is passed, so refusing costs no more than answering.  A pattern
of stars only (``**``, ``title:*``) matches everything it may: every
article with a word in the field, answered from the field's lengths.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from whoosh import query

from searchengine.analysis.tokenizer import stem
from searchengine.errors import QuerySyntaxError
from searchengine.index.lexicon import Lexicon
from searchengine.query.parse import FuzzyWord

#: Fields whose words the lexicon holds unstemmed.
WORD_FIELDS = ("title", "body")
#: Most terms the expanding words of one query may reach together.
MAX_CLAUSES = 1024


class _Budget:
    """The terms one query's expansions have reached so far (each word counted once)."""

    def __init__(self) -> None:
        self.reached: dict[tuple[str, str], int] = {}

    def left(self, key: tuple[str, str]) -> int:
        """How many terms the word ``key`` may still reach."""
        return MAX_CLAUSES - sum(n for k, n in self.reached.items() if k != key)

    def spend(self, key: tuple[str, str], count: int) -> None:
        self.reached[key] = max(count, self.reached.get(key, 0))


def _too_many(typed: str, how: str, budget: _Budget, key: tuple[str, str]) -> QuerySyntaxError:
    others = budget.left(key) < MAX_CLAUSES
    together = " with the query's other fuzzy, prefix and wildcard words" if others else ""
    return QuerySyntaxError(
        f"{typed} reaches more than {MAX_CLAUSES:,} words of this index{together}, "
        f"the most one query may search for; {how}"
    )


def _first_stems(words: Iterable[str], limit: int) -> list[str] | None:
    """The distinct stems of ``words``, sorted; ``None`` once there are more than ``limit``."""
    stems: set[str] = set()
    for word in words:
        stems.add(stem(word))
        if len(stems) > limit:
            return None
    return sorted(stems)


def _any_of(fieldname: str, texts: list[str], boost: float) -> Any:
    if not texts:
        return query.NullQuery
    return query.Or([query.Term(fieldname, t, boost=boost) for t in texts])


def _only_stars(pattern: str) -> bool:
    return bool(pattern) and set(pattern) == {"*"}


def glob_match(pattern: str, word: str) -> bool:
    """Whether ``word`` matches ``pattern`` (``*`` any run, ``?`` one character).

    Matched piece by piece, each piece between stars at its leftmost place,
    which is correct for globs and linear in the word: a regular expression
    of many ``.*`` can backtrack for exponentially long on a hostile word.
    """
    pieces = pattern.split("*")
    if len(pieces) == 1:
        return len(word) == len(pattern) and _piece_at(pattern, word, 0)
    head, *middle, tail = pieces
    if len(word) < len(head) + len(tail) or not _piece_at(head, word, 0):
        return False
    end = len(word) - len(tail)
    if not _piece_at(tail, word, end):
        return False
    at = len(head)
    for piece in middle:
        found = _find_piece(piece, word, at, end)
        if found < 0:
            return False
        at = found + len(piece)
    return True


def _piece_at(piece: str, word: str, at: int) -> bool:
    return all(p in ("?", w) for p, w in zip(piece, word[at : at + len(piece)], strict=True))


def _find_piece(piece: str, word: str, start: int, end: int) -> int:
    if "?" not in piece:
        return word.find(piece, start, end)
    for at in range(start, end - len(piece) + 1):
        if _piece_at(piece, word, at):
            return at
    return -1


def _lexicon_matches(lexicon: Lexicon, pattern: str) -> Iterator[str]:
    literal = pattern.split("*", 1)[0].split("?", 1)[0]
    return (w for w in lexicon.with_prefix(literal) if glob_match(pattern, w))


def _word_field(q: Any, lexicon: Lexicon, budget: _Budget) -> Any:
    """A fuzzy word, prefix or wildcard of ``title``/``body``: the stems of the
    written words it reaches."""
    if isinstance(q, FuzzyWord):
        key = ("~", f"{q.text}~{q.maxdist}/{q.prefixlength}")
        words: Iterable[str] = lexicon.within(q.text, q.maxdist, prefix=q.prefixlength)
        typed = f"`{q.text}~{q.maxdist}`"
        how = "use ~1 or type more of the word" if q.maxdist > 1 else "type more of the word"
    elif isinstance(q, query.Prefix):
        key = ("*", f"{q.text}*")
        words = lexicon.with_prefix(q.text)
        typed, how = f"`{q.text}*`", f"add letters to the prefix (`{q.text}…*`)"
    else:
        if _only_stars(q.text):
            return query.Every(q.fieldname, boost=q.boost)
        key = ("*", q.text)
        words = _lexicon_matches(lexicon, q.text)
        typed, how = f"`{q.text}`", "put more letters in the pattern, above all before the first *"
    stems = _first_stems(words, budget.left(key))
    if stems is None:
        raise _too_many(typed, how, budget, key)
    budget.spend(key, len(stems))
    return _any_of(q.fieldname, stems, q.boost)


def _field_terms(q: Any, reader: Any, budget: _Budget) -> Any:
    """A prefix, wildcard, term range or ``field:*`` of another field: the
    field's own terms it reaches."""
    fieldname = q.fieldname
    if fieldname not in reader.schema:
        return query.NullQuery
    field = reader.schema[fieldname]
    if isinstance(q, query.Every):
        if field.scorable:
            return q  # answered from the field's lengths
        key, typed = ("*", f"{fieldname}:*"), f"`{fieldname}:*`"
        how = "search for * to match every article"
        candidates: Iterable[Any] = reader.lexicon(fieldname)
    elif isinstance(q, query.Prefix):
        key, typed = ("*", f"{fieldname}:{q.text}*"), f"`{fieldname}:{q.text}*`"
        how = "add letters to the prefix"
        candidates = reader.expand_prefix(fieldname, q.text)
    elif isinstance(q, query.Wildcard):
        if _only_stars(q.text):
            return _field_terms(query.Every(fieldname, boost=q.boost), reader, budget)
        key, typed = ("*", f"{fieldname}:{q.text}"), f"`{fieldname}:{q.text}`"
        how = "put more letters in the pattern"
        candidates = (
            t for t in reader.lexicon(fieldname) if glob_match(q.text, field.from_bytes(t))
        )
    else:
        key, typed = (
            ("[", f"{fieldname}:{q.start}-{q.end}"),
            f"`{fieldname}:[{q.start} TO {q.end}]`",
        )
        how = "narrow the range"
        candidates = (field.from_bytes(t) for _, t in q.expanded_terms(reader))
    limit = budget.left(key)
    texts: list[str] = []
    for term in candidates:
        texts.append(field.from_bytes(term) if isinstance(term, bytes) else term)
        if len(texts) > limit:
            raise _too_many(typed, how, budget, key)
    budget.spend(key, len(texts))
    return _any_of(fieldname, texts, q.boost)


def expand(q: Any, lexicon: Lexicon, reader: Any = None) -> Any:
    """Resolve fuzzy words, prefixes, wildcards and term ranges, within
    :data:`MAX_CLAUSES` terms for the whole query.

    Those of ``title``/``body`` are matched in the index's :class:`Lexicon`
    of unstemmed words and replaced by the stems of the words found:
    ``investers~`` reaches ``investors``, and ``running*`` finds ``running``
    though the index holds the stem ``run``.  Those of other fields are
    matched against the field's terms in ``reader`` (left to Whoosh
    without one).  Raises :class:`QuerySyntaxError` for a query reaching
    too many.
    """
    return _expand(q, lexicon, reader, _Budget())


def _expand(q: Any, lexicon: Lexicon, reader: Any, budget: _Budget) -> Any:
    if isinstance(q, FuzzyWord) or (
        isinstance(q, query.Prefix | query.Wildcard) and q.fieldname in WORD_FIELDS
    ):
        return _word_field(q, lexicon, budget)
    if reader is not None and (
        isinstance(q, query.Prefix | query.Wildcard | query.TermRange)
        or (isinstance(q, query.Every) and q.fieldname is not None)
    ):
        return _field_terms(q, reader, budget)
    if q.is_leaf():
        return q
    return q.apply(lambda child: _expand(child, lexicon, reader, budget))
