"""Snippets: the passages of an article that show why it matched.

Up to three passages of at most :data:`PASSAGE_CHARS` characters, cut at
word boundaries, best first (most distinct query words, then most matches).
Highlights are ``[start, end)`` offsets into each passage's own text, so
the JSON output and the terminal share the same spans and neither needs
markup from the library.
"""

from __future__ import annotations

import re

from searchengine.analysis.tokenizer import WORD
from searchengine.models import Snippet
from searchengine.query.highlight import (
    MatchSpec,
    matched_at,
    matched_positions,
    tokens,
    word_spans,
)

PASSAGE_CHARS = 240
MAX_PASSAGES = 3
ELLIPSIS = "…"

_SPACES = re.compile(r"\s+")


def _collapsed(text: str) -> str:
    """``text`` with leading whitespace dropped and each run of it one space."""
    return _SPACES.sub(" ", text.lstrip())


def _render(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> Snippet:
    """The passage ``text[start:end]`` with whitespace collapsed, spans moved along.

    A span's offsets in the passage are the lengths of the collapsed text
    before them: a few regular-expression passes over one passage rather
    than a step a character.
    """
    lead = ELLIPSIS + " " if start > 0 else ""
    body = (lead + _collapsed(text[start:end])).rstrip()
    if end < len(text):
        body += " " + ELLIPSIS

    def moved(offset: int) -> int:
        return len(lead) + len(_collapsed(text[start:offset]))

    highlights = tuple((moved(a), moved(b)) for a, b in spans if start <= a and b <= end)
    return Snippet(body, highlights)


def _window(
    text: str, starts: list[int], ends: list[int], center_first: int, center_last: int
) -> tuple[int, int]:
    """Character range of a passage around words ``center_first..center_last``
    (``starts``/``ends``: every word's offsets)."""
    budget = PASSAGE_CHARS - 4  # room for the two ellipses
    first, last = center_first, center_last
    count = len(starts)
    # Grow alternately left (a little) and right (more): readers like a lead-in.
    while True:
        grown = False
        if last + 1 < count and ends[last + 1] - starts[first] <= budget:
            last += 1
            grown = True
        if (
            first > 0
            and ends[last] - starts[first - 1] <= budget
            and (center_first - first < 8 or last + 1 >= count)
        ):
            first -= 1
            grown = True
        if not grown:
            break
    start = 0 if first == 0 else starts[first]
    end = len(text) if last == count - 1 and len(text) - start <= budget else ends[last]
    return start, end


#: The end of the last word that ends within a passage's budget of the
#: first word's start: ``_window`` around the first word, which never grows
#: left, keeps adding words while they end within the budget.  A word ends
#: at a word character not followed by another, nor by an apostrophe and
#: another (the words of :data:`~searchengine.analysis.tokenizer.WORD`).
_LEAD_END = re.compile(rf".{{0,{PASSAGE_CHARS - 5}}}\w(?!\w|['\u2019]\w)", re.DOTALL)


def lead_snippet(text: str) -> Snippet:
    """The opening of an article, for hits whose body has no match.

    The passage ``_window`` makes around the first word, found with two
    regular-expression matches rather than by splitting the opening into
    words (a browse shows ten of these and nothing else).
    """
    head = text[: PASSAGE_CHARS * 2]
    first = WORD.search(head)
    if first is None:
        return Snippet(" ".join(text.split())[:PASSAGE_CHARS], ())
    budget = PASSAGE_CHARS - 4
    if len(text) <= budget:
        end = len(text)
    else:
        last = _LEAD_END.match(head, first.start())
        end = first.end() if last is None else max(first.end(), last.end())
    return _render(text, 0, end, [])


def make_snippets(text: str, spec: MatchSpec, maximum: int = MAX_PASSAGES) -> tuple[Snippet, ...]:
    """The best passages of ``text`` for ``spec``; the lead when nothing matches."""
    if not spec:
        return (lead_snippet(text),) if text.strip() else ()
    words = tokens(text, spec)
    hits = matched_positions(words, spec)
    starts = [w.start for w in words]
    ends = [w.end for w in words]
    return _passages(text, starts, ends, hits, {p: words[p].term for p in hits}, maximum)


def snippets_at(
    text: str, spec: MatchSpec, positions: dict[str, list[int]], maximum: int = MAX_PASSAGES
) -> tuple[Snippet, ...]:
    """:func:`make_snippets` for a text whose terms' positions are known
    (from the index's postings, which number the words as
    :data:`~searchengine.analysis.tokenizer.WORD` splits the text): no word
    is stemmed.  ``positions`` must hold every term the spec names that
    the text has.  The spec may not hold prefixes or wildcards (they need
    every word's stem)."""
    if not spec:
        return (lead_snippet(text),) if text.strip() else ()
    hits = matched_at(positions, spec)
    if not hits:
        return (lead_snippet(text),) if text.strip() else ()
    starts, ends = word_spans(text)
    if hits[-1] >= len(starts):
        # The stored text is not the text these positions were taken from.
        return make_snippets(text, spec, maximum)
    wanted = set(hits)
    terms = {p: term for term, where in positions.items() for p in where if p in wanted}
    return _passages(text, starts, ends, hits, terms, maximum)


def _passages(
    text: str,
    starts: list[int],
    ends: list[int],
    hits: list[int],
    terms: dict[int, str],
    maximum: int,
) -> tuple[Snippet, ...]:
    """The best passages around the matched words ``hits`` (word numbers;
    ``terms`` gives each one's term, ``starts``/``ends`` every word's offsets)."""
    if not hits:
        return (lead_snippet(text),) if text.strip() else ()

    # Cluster matched words that fit in one passage together.
    clusters: list[list[int]] = []
    for position in hits:
        if clusters and ends[position] - starts[clusters[-1][0]] <= PASSAGE_CHARS * 0.6:
            clusters[-1].append(position)
        else:
            clusters.append([position])

    def score(cluster: list[int]) -> tuple[int, int, int]:
        return (len({terms[p] for p in cluster}), len(cluster), -cluster[0])

    chosen: list[tuple[int, int, list[int]]] = []
    for cluster in sorted(clusters, key=score, reverse=True):
        start, end = _window(text, starts, ends, cluster[0], cluster[-1])
        if any(start < b and a < end for a, b, _ in chosen):
            continue
        chosen.append((start, end, cluster))
        if len(chosen) == maximum:
            break
    result = []
    for start, end, _ in chosen:
        spans = [(starts[p], ends[p]) for p in hits if start <= starts[p] and ends[p] <= end]
        result.append(_render(text, start, end, spans))
    return tuple(result)
