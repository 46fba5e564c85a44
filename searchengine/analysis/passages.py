"""A passage of an article's text as a hit shows it, and an article's lead.

The query layer's snippets (:mod:`searchengine.query.snippets`) render each
passage they choose with :func:`render`.  The lead (:func:`lead_snippet`,
the opening passage a hit shows when its text has no match, as every hit
of a browse by date does) lives here rather than there because the index
writes it too: each article's lead is computed once when the article is
written, into the segment's summary (:mod:`searchengine.index.summary`),
so a result page need not read the whole text to show it.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from searchengine.analysis.tokenizer import WORD
from searchengine.models import Snippet

#: A passage's most characters, ellipses included.
PASSAGE_CHARS = 240
ELLIPSIS = "…"

_SPACES = re.compile(r"\s+")


#: Whitespace that collapsing shortens: a run of two characters or more
#: (one whitespace character becomes one space, as long).
_LONG_SPACES = re.compile(r"\s\s+")


def render(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> Snippet:
    """The passage ``text[start:end]`` with whitespace collapsed, spans moved along.

    Leading whitespace is dropped and each run of it becomes one space.  A
    span's offset in the passage is its offset in the text less what
    collapsing removed before it, counted from the passage's leading run
    and its runs of two whitespace characters or more (few: paragraph
    breaks), not character by character.
    """
    lead = ELLIPSIS + " " if start > 0 else ""
    body = (lead + " ".join(text[start:end].split())).rstrip()
    if end < len(text):
        body += " " + ELLIPSIS
    if not spans:
        return Snippet(body, ())
    runs: list[int] = []
    run_ends: list[int] = []
    #: Characters removed by the runs before each run (and by all of them, last).
    removed = [0]
    after = start
    leading = _SPACES.match(text, start, end)
    if leading is not None:  # dropped whole
        after = leading.end()
        runs.append(start)
        run_ends.append(after)
        removed.append(after - start)
    for match in _LONG_SPACES.finditer(text, after, end):
        a, b = match.span()
        runs.append(a)
        run_ends.append(b)
        removed.append(removed[-1] + b - a - 1)

    def moved(offset: int) -> int:
        i = bisect_left(runs, offset)  # the runs that start before ``offset``
        gone = removed[i]
        if i and run_ends[i - 1] > offset:
            gone -= run_ends[i - 1] - offset  # a run that ``offset`` cuts short
        return len(lead) + offset - start - gone

    highlights = tuple((moved(a), moved(b)) for a, b in spans if start <= a and b <= end)
    return Snippet(body, highlights)


#: The end of the last word that ends within a passage's budget of the
#: first word's start: ``_window`` around the first word, which never grows
#: left, keeps adding words while they end within the budget.  A word ends
#: at a word character not followed by another, nor by an apostrophe and
#: another (the words of :data:`~searchengine.analysis.tokenizer.WORD`).
_LEAD_END = re.compile(rf".{{0,{PASSAGE_CHARS - 5}}}\w(?!\w|['\u2019]\w)", re.DOTALL)


def lead_snippet(text: str) -> Snippet:
    """The opening of an article, for hits whose body has no match.

    The passage the snippets' ``_window`` would make around the first
    word, found with two regular-expression matches rather than by
    splitting the opening into words (the index computes one for every
    article it writes).
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
    return render(text, 0, end, [])
