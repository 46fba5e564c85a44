"""Keyword in context: every occurrence of a query in its results' texts.

As corpus-linguistics concordancers print them: the text before the match,
the match, the text after it, one line per occurrence, so that the lines
align on the match.  An occurrence is what highlighting marks
(:mod:`searchengine.query.highlight`): a word the query's words match
(stemmed, so ``attack`` finds ``attacked``), or a whole phrase occurrence
as one match.  Results come in the request's order (each story once when
collapsed), occurrences in text order; only the article's indexed text is
searched, so an article matched by its title alone gives no line.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from searchengine.errors import UsageError
from searchengine.models import Concordance, KwicLine
from searchengine.query.export import export
from searchengine.query.highlight import MatchSpec, Phrase, Token, matched_positions, tokens
from searchengine.query.request import SearchRequest

if TYPE_CHECKING:
    from searchengine.query.engine import Engine

#: Characters of context on each side when no width is asked for.
DEFAULT_WIDTH = 40
#: Context widths allowed (``--width``).
MIN_WIDTH, MAX_WIDTH = 1, 1000
_SPACES = re.compile(r"\s+")


def check_width(width: int) -> int:
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise UsageError(f"--width must be between {MIN_WIDTH} and {MAX_WIDTH}, not {width}")
    return width


def concordance(
    engine: Engine, request: SearchRequest, *, width: int = DEFAULT_WIDTH
) -> Concordance:
    """Every occurrence of ``request``'s words or phrases in its results."""
    started = time.perf_counter()
    check_width(width)
    spec = engine.body_spec(request.query)
    if not spec:
        raise UsageError(
            f"kwic needs words or a phrase to look for, and {request.query!r} has none "
            "(only exclusions, dates or fields other than the text)"
        )
    results, rows = export(engine, request, body=True)
    lines = []
    for row in rows:
        text = row.body or ""
        for start, end in occurrences(text, spec):
            lines.append(
                KwicLine(
                    id=row.id,
                    title=row.title,
                    date=row.date,
                    source=row.source,
                    left=_SPACES.sub(" ", text[max(0, start - 4 * width) : start])[-width:],
                    match=_SPACES.sub(" ", text[start:end]),
                    right=_SPACES.sub(" ", text[end : end + 4 * width])[:width],
                    offset=start,
                )
            )
    return Concordance(
        query=request.query,
        results=results,
        lines=tuple(lines),
        width=width,
        filters=request.filters(),
        took_ms=round((time.perf_counter() - started) * 1000.0, 3),
    )


def occurrences(text: str, spec: MatchSpec) -> list[tuple[int, int]]:
    """``[start, end)`` of each occurrence in ``text``: a matched word, or a
    whole phrase occurrence (its first word's start to its last word's
    end); a word inside a phrase occurrence is not listed again."""
    words = tokens(text, spec)
    single = MatchSpec(terms=spec.terms, prefixes=spec.prefixes, wildcards=spec.wildcards)
    found = [(i, i) for i in matched_positions(words, single)] if single else []
    for phrase in spec.phrases:
        found.extend(_phrase_occurrences(words, phrase))
    spans: list[tuple[int, int]] = []
    last = -1
    for first, final in sorted(found, key=lambda pair: (pair[0], -pair[1])):
        if first <= last:
            continue  # inside (or overlapping) the occurrence before
        spans.append((words[first].start, words[final].end))
        last = final
    return spans


def _phrase_occurrences(words: list[Token], phrase: Phrase) -> list[tuple[int, int]]:
    """(first word, last word) of each occurrence of ``phrase``: its words in
    order, each at most ``slop`` positions after the one before."""
    if not phrase.words:
        return []
    positions: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        if word.term:
            positions.setdefault(word.term, []).append(i)
    out = []
    for first in positions.get(phrase.words[0], ()):
        previous = first
        for term in phrase.words[1:]:
            following = [
                p for p in positions.get(term, ()) if previous < p <= previous + phrase.slop
            ]
            if not following:
                break
            previous = following[0]
        else:
            out.append((first, previous))
    return out
