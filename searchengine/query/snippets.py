"""Snippets: the passages of an article that show why it matched.

Up to three passages of at most :data:`PASSAGE_CHARS` characters, cut at
word boundaries, best first (most distinct query words, then most matches).
Highlights are ``[start, end)`` offsets into each passage's own text, so
the JSON output and the terminal share the same spans and neither needs
markup from the library.
"""

from __future__ import annotations

from searchengine.analysis.tokenizer import WORD
from searchengine.models import Snippet
from searchengine.query.highlight import MatchSpec, Token, matched_at, matched_positions, tokens

PASSAGE_CHARS = 240
MAX_PASSAGES = 3
ELLIPSIS = "…"


def _render(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> Snippet:
    """The passage ``text[start:end]`` with whitespace collapsed, spans moved along."""
    out: list[str] = []
    offset_map: dict[int, int] = {}
    if start > 0:
        out.append(ELLIPSIS + " ")
    length = sum(len(s) for s in out)
    previous_space = True
    for index in range(start, end):
        ch = text[index]
        offset_map[index] = length
        if ch.isspace():
            if previous_space:
                continue
            ch = " "
            previous_space = True
        else:
            previous_space = False
        out.append(ch)
        length += 1
    offset_map[end] = length
    body = "".join(out).rstrip()
    if end < len(text):
        body += " " + ELLIPSIS
    highlights = tuple((offset_map[a], offset_map[b]) for a, b in spans if start <= a and b <= end)
    return Snippet(body, highlights)


def _window(text: str, words: list[Token], center_first: int, center_last: int) -> tuple[int, int]:
    """Character range of a passage around words ``center_first..center_last``."""
    budget = PASSAGE_CHARS - 4  # room for the two ellipses
    first, last = center_first, center_last
    # Grow alternately left (a little) and right (more): readers like a lead-in.
    while True:
        grown = False
        if last + 1 < len(words) and words[last + 1].end - words[first].start <= budget:
            last += 1
            grown = True
        if (
            first > 0
            and words[last].end - words[first - 1].start <= budget
            and (center_first - first < 8 or last + 1 >= len(words))
        ):
            first -= 1
            grown = True
        if not grown:
            break
    start = 0 if first == 0 else words[first].start
    end = len(text) if last == len(words) - 1 and len(text) - start <= budget else words[last].end
    return start, end


def lead_snippet(text: str) -> Snippet:
    """The opening of an article, for hits whose body has no match."""
    words = tokens(text[: PASSAGE_CHARS * 2], MatchSpec())  # offsets only
    if not words:
        return Snippet(" ".join(text.split())[:PASSAGE_CHARS], ())
    _, end = _window(text, words, 0, 0)
    return _render(text, 0, end, [])


def make_snippets(text: str, spec: MatchSpec, maximum: int = MAX_PASSAGES) -> tuple[Snippet, ...]:
    """The best passages of ``text`` for ``spec``; the lead when nothing matches."""
    if not spec:
        return (lead_snippet(text),) if text.strip() else ()
    words = tokens(text, spec)
    return _passages(text, words, matched_positions(words, spec), maximum)


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
    spans = [m.span() for m in WORD.finditer(text)] if hits else []
    if hits and hits[-1] >= len(spans):
        # The stored text is not the text these positions were taken from.
        return make_snippets(text, spec, maximum)
    term_at = {p: term for term, where in positions.items() for p in where}
    words = [Token(start, end, term_at.get(i, "")) for i, (start, end) in enumerate(spans)]
    return _passages(text, words, hits, maximum)


def _passages(text: str, words: list[Token], hits: list[int], maximum: int) -> tuple[Snippet, ...]:
    """The best passages around the matched words ``hits`` (indexes into ``words``)."""
    if not hits:
        return (lead_snippet(text),) if text.strip() else ()

    # Cluster matched words that fit in one passage together.
    clusters: list[list[int]] = []
    for position in hits:
        if clusters and words[position].end - words[clusters[-1][0]].start <= PASSAGE_CHARS * 0.6:
            clusters[-1].append(position)
        else:
            clusters.append([position])

    def score(cluster: list[int]) -> tuple[int, int, int]:
        return (len({words[p].term for p in cluster}), len(cluster), -cluster[0])

    chosen: list[tuple[int, int, list[int]]] = []
    for cluster in sorted(clusters, key=score, reverse=True):
        start, end = _window(text, words, cluster[0], cluster[-1])
        if any(start < b and a < end for a, b, _ in chosen):
            continue
        chosen.append((start, end, cluster))
        if len(chosen) == maximum:
            break
    result = []
    for start, end, _ in chosen:
        spans = [
            (words[p].start, words[p].end)
            for p in hits
            if start <= words[p].start and words[p].end <= end
        ]
        result.append(_render(text, start, end, spans))
    return tuple(result)
