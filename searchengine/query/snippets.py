"""Snippets: the passages of an article that show why it matched.

Up to three passages of at most :data:`PASSAGE_CHARS` characters, cut at
word boundaries, best first (most distinct query words, then most matches).
Highlights are ``[start, end)`` offsets into each passage's own text, so
the JSON output and the terminal share the same spans and neither needs
markup from the library.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from searchengine.analysis.passages import PASSAGE_CHARS, lead_snippet, render
from searchengine.models import Snippet
from searchengine.query.highlight import (
    MatchSpec,
    matched_at,
    matched_positions,
    tokens,
    word_offsets,
)

MAX_PASSAGES = 3

#: Words' offsets: lists, or numpy arrays (from :func:`word_offsets`).
Offsets = Any

#: A passage never reaches further than this many words from its centre:
#: a word and the character after it take two characters at least, so 119
#: more words need 237 characters, more than the budget.
_REACH = 119


def _listed(part: Offsets) -> list[int]:
    """``part`` (a slice of offsets) as a list of ints."""
    return part if isinstance(part, list) else part.tolist()


def _window(
    text: str, starts: Offsets, ends: Offsets, center_first: int, center_last: int
) -> tuple[int, int]:
    """Character range of a passage around words ``center_first..center_last``
    (``starts``/``ends``: every word's offsets)."""
    budget = PASSAGE_CHARS - 4  # room for the two ellipses
    count = len(starts)
    # Only the words the passage can reach are looked at.
    low = max(0, center_first - _REACH)
    high = min(count, center_last + _REACH + 1)
    near_starts, near_ends = _listed(starts[low:high]), _listed(ends[low:high])
    first, last = center_first - low, center_last - low
    anchor, near = first, high - low
    # Grow alternately left (a little) and right (more): readers like a lead-in.
    while True:
        grown = False
        if last + 1 < near and near_ends[last + 1] - near_starts[first] <= budget:
            last += 1
            grown = True
        if (
            first > 0
            and near_ends[last] - near_starts[first - 1] <= budget
            and (anchor - first < 8 or low + last + 1 >= count)
        ):
            first -= 1
            grown = True
        elif grown:
            # The left side cannot grow while the right does (the room it
            # needs only shrinks) until the right reaches the end of the
            # text: the right grows alone, to the last word within budget.
            fits = bisect_right(near_ends, near_starts[first] + budget, last, near) - 1
            last = max(last, fits)
        if not grown:
            break
    start = 0 if low + first == 0 else near_starts[first]
    if low + last == count - 1 and len(text) - start <= budget:
        return start, len(text)
    return start, near_ends[last]


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
    starts, ends = word_offsets(text)
    if hits[-1] >= len(starts):
        # The stored text is not the text these positions were taken from.
        return make_snippets(text, spec, maximum)
    wanted = set(hits)
    terms = {p: term for term, where in positions.items() for p in where if p in wanted}
    return _passages(text, starts, ends, hits, terms, maximum)


def _passages(
    text: str,
    starts: Offsets,
    ends: Offsets,
    hits: list[int],
    terms: dict[int, str],
    maximum: int,
) -> tuple[Snippet, ...]:
    """The best passages around the matched words ``hits`` (word numbers;
    ``terms`` gives each one's term, ``starts``/``ends`` every word's offsets)."""
    if not hits:
        return (lead_snippet(text),) if text.strip() else ()
    if isinstance(starts, list):
        hit_starts = [starts[p] for p in hits]
        hit_ends = [ends[p] for p in hits]
    else:
        hit_starts, hit_ends = starts[hits].tolist(), ends[hits].tolist()

    # Cluster matched words that fit in one passage together (indexes into hits).
    clusters: list[list[int]] = []
    for i, end in enumerate(hit_ends):
        if clusters and end - hit_starts[clusters[-1][0]] <= PASSAGE_CHARS * 0.6:
            clusters[-1].append(i)
        else:
            clusters.append([i])

    def score(cluster: list[int]) -> tuple[int, int, int]:
        return (len({terms[hits[i]] for i in cluster}), len(cluster), -hits[cluster[0]])

    chosen: list[tuple[int, int]] = []
    for cluster in sorted(clusters, key=score, reverse=True):
        start, end = _window(text, starts, ends, hits[cluster[0]], hits[cluster[-1]])
        if any(start < b and a < end for a, b in chosen):
            continue
        chosen.append((start, end))
        if len(chosen) == maximum:
            break
    result = []
    for start, end in chosen:
        spans = [
            (a, b) for a, b in zip(hit_starts, hit_ends, strict=True) if start <= a and b <= end
        ]
        result.append(render(text, start, end, spans))
    return tuple(result)
