"""Snippets: well-formed passages cut at word boundaries, at most three, best
first, each showing its matches; on the query corpus (``tests/query_index.py``)
and on texts made to put passages at known places."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchengine.analysis.passages import ELLIPSIS as PASSAGE_ELLIPSIS
from searchengine.analysis.passages import PASSAGE_CHARS, lead_snippet
from searchengine.analysis.passages import render as _render
from searchengine.analysis.tokenizer import fold, stem
from searchengine.models import Snippet
from searchengine.query.engine import Engine
from searchengine.query.highlight import MatchSpec, word_offsets, word_spans
from searchengine.query.request import SearchRequest
from searchengine.query.snippets import _window, make_snippets

from query_index import BIG, BUSHFIRE, Corpus, run, span_texts

#: Longest snippet text accepted: "about 240 characters" plus the ellipses.
MAX_SNIPPET_CHARS = 245
ELLIPSIS = "\u2026"
_WORD_CHAR = re.compile(r"\w")


def _stems(*words: str) -> Callable[[str], bool]:
    wanted = {stem(w) for w in words}
    return lambda text: stem(text) in wanted


def _prefix(prefix: str) -> Callable[[str], bool]:
    return lambda text: fold(text).startswith(prefix)


HIGHLIGHT_CASES: list[tuple[str, Callable[[str], bool]]] = [
    ("attack", _stems("attack")),
    ("running", _stems("run")),
    ("zurich café", _stems("zurich", "cafe")),
    ("résumé", _stems("resume")),
    ("front line", _stems("front", "line")),
    ('"front line"', _stems("front", "line")),
    ('"peace talks"~3', _stems("peace", "talks")),
    ('"bank of arvonia"', _stems("bank", "of", "arvonia")),
    ("ferry -glacier", _stems("ferry")),
    ("glacier OR orchard", _stems("glacier", "orchard")),
    ("well-known", _stems("well", "known")),
    ("al-Zarqin", _stems("al", "zarqin")),
    ("panj*", _prefix("panj")),
    ("zür*", _prefix("zur")),
    ("attack*", _prefix("attack")),
    ("pandara~", _stems("pandara", "panjdara")),
    ("investers~", _stems("investors")),
    ("bushfire", _stems("bushfire")),
    ("harvest date:2021-09", _stems("harvest")),
    ("lighthouse", _stems("lighthouse")),
    ("title:lighthouse", lambda text: False),  # no body word is a title: match
    ("", lambda text: False),
]


def _check_snippet_shape(snippet: Snippet, body: str) -> None:
    text = snippet.text
    assert len(text) <= MAX_SNIPPET_CHARS, f"{len(text)} chars: {text!r}"
    assert text.strip() == text and text
    # Highlights: ordered, disjoint, inside the text, each a whole word.
    previous_end = 0
    for a, b in snippet.highlights:
        assert previous_end <= a < b <= len(text), snippet
        assert not (a > 0 and _WORD_CHAR.match(text[a - 1])), f"span starts mid-word: {text!r}"
        assert not (b < len(text) and _WORD_CHAR.match(text[b])), f"span ends mid-word: {text!r}"
        previous_end = b
    # Cut at word boundaries: the passage is a run of whole words of the body.
    inner = text
    starts_cut = inner.startswith(ELLIPSIS)
    ends_cut = inner.endswith(ELLIPSIS)
    inner = inner.removeprefix(ELLIPSIS).removesuffix(ELLIPSIS).strip()
    flat = " ".join(body.split())
    at = flat.find(inner)
    assert at >= 0, f"snippet is not a passage of the body: {text!r}"
    end = at + len(inner)
    assert at == 0 or not (_WORD_CHAR.match(flat[at - 1]) and _WORD_CHAR.match(inner[0])), (
        f"snippet starts mid-word: {text!r}"
    )
    assert end == len(flat) or not (_WORD_CHAR.match(flat[end]) and _WORD_CHAR.match(inner[-1])), (
        f"snippet ends mid-word: {text!r}"
    )
    assert starts_cut == (at > 0), (
        f"ellipsis at the start iff the passage does not open the body: {text!r}"
    )
    assert ends_cut == (end < len(flat)), (
        f"ellipsis at the end iff the passage does not end the body: {text!r}"
    )


@pytest.mark.parametrize(
    ("query", "is_query_word"), HIGHLIGHT_CASES, ids=[q or "<empty>" for q, _ in HIGHLIGHT_CASES]
)
def test_snippets_and_highlights_are_well_formed(
    indexed: Corpus, engine: Engine, query: str, is_query_word: Callable[[str], bool]
) -> None:
    result = run(engine, query)
    assert result.hits
    for hit in result.hits:
        body = engine.show(hit.id).body
        assert 1 <= len(hit.snippets) <= 3, hit
        for snippet in hit.snippets:
            _check_snippet_shape(snippet, body)
            for word in span_texts(snippet):
                assert is_query_word(word), (
                    f"{word!r} highlighted for {query!r} in {snippet.text!r}"
                )


def test_long_article_has_at_most_three_separate_snippets(indexed: Corpus, engine: Engine) -> None:
    result = run(engine, "bushfire")
    hits = {indexed.names[h.id]: h for h in result.hits}
    long_hit = hits["bushfire_long"]
    body = engine.show(long_hit.id).body
    assert body.lower().count("bushfire") == 4
    assert len(long_hit.snippets) == 3
    flat = " ".join(body.split())
    places: list[tuple[int, int]] = []
    for snippet in long_hit.snippets:
        inner = snippet.text.removeprefix(ELLIPSIS).removesuffix(ELLIPSIS).strip()
        at = flat.find(inner)
        places.append((at, at + len(inner)))
        assert span_texts(snippet), "every passage shows a match"
        assert all(fold(w) == "bushfire" for w in span_texts(snippet))
    places.sort()
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(places)), "passages overlap"
    for name in BUSHFIRE - {"bushfire_long"}:
        assert len(hits[name].snippets) == 1


def test_snippets_can_be_turned_off(engine: Engine) -> None:
    result = engine.search(SearchRequest(query="bushfire", limit=BIG, snippets=False))
    assert result.total == len(BUSHFIRE)
    assert all(hit.snippets == () for hit in result.hits)


# -- passages of a given text --------------------------------------------------------

HARBOUR = MatchSpec(terms={stem("harbour")})


def test_without_a_match_the_lead_stands_in_and_empty_text_has_none() -> None:
    text = "The harbour wall.\n\n   It  held\tall night."
    lead = (Snippet("The harbour wall. It held all night.", ()),)
    assert make_snippets(text, MatchSpec()) == lead
    assert make_snippets(text, MatchSpec(terms={stem("ferry")})) == lead
    assert make_snippets("  \n ", HARBOUR) == ()
    assert make_snippets("", MatchSpec()) == ()


def test_a_short_text_is_one_passage_with_its_matches_highlighted() -> None:
    text = "The harbour wall held; harbours reopened."
    (snippet,) = make_snippets(text, HARBOUR)
    assert snippet == Snippet(text, ((4, 11), (23, 31)))
    assert span_texts(snippet) == ["harbour", "harbours"]


#: A hundred words of three letters: w00 starts at 0, wNN at 4 * NN.
NUMBERED = " ".join(f"w{n:02d}" for n in range(100))


def test_the_lead_of_a_long_text_is_cut_after_a_whole_word() -> None:
    # Words are added while the passage stays within 236 characters (240 less
    # room for the ellipses): w58 ends at 235.
    expected = " ".join(f"w{n:02d}" for n in range(59)) + " " + ELLIPSIS
    assert lead_snippet(NUMBERED) == Snippet(expected, ())
    assert make_snippets(NUMBERED, MatchSpec()) == (Snippet(expected, ()),)


def test_a_passage_leads_in_a_little_and_runs_on_to_the_end() -> None:
    # Around w50: eight words of lead-in, then words to the right up to the
    # end of the text, then more lead-in while it fits: w41 (at 164) to w99.
    (snippet,) = make_snippets(NUMBERED, MatchSpec(terms={"w50"}))
    assert snippet.text == ELLIPSIS + " " + " ".join(f"w{n:02d}" for n in range(41, 100))
    assert snippet.highlights == ((2 + 200 - 164, 2 + 203 - 164),)
    assert span_texts(snippet) == ["w50"]


def test_passages_are_the_best_first_and_never_overlap() -> None:
    filler = " ".join(["calm"] * 80)
    text = f"harbour {filler} ferry and harbour {filler} ferry ferry {filler}"
    spec = MatchSpec(terms={stem("harbour"), stem("ferry")})
    passages = make_snippets(text, spec)
    # Most distinct query words first, then most matches, then the earliest.
    assert [span_texts(p) for p in passages] == [
        ["ferry", "harbour"],
        ["ferry", "ferry"],
        ["harbour"],
    ]
    assert [p.text.startswith(ELLIPSIS) for p in passages] == [True, True, False]
    assert all(p.text.endswith(ELLIPSIS) for p in passages)
    assert all(len(p.text) <= MAX_SNIPPET_CHARS for p in passages)
    assert make_snippets(text, spec, maximum=1) == passages[:1]


# -- rendering, against the first implementation -----------------------------------


def rendered_a_character_at_a_time(
    text: str, start: int, end: int, spans: list[tuple[int, int]]
) -> Snippet:
    """The first implementation of ``_render``, kept here as the oracle."""
    out: list[str] = []
    offset_map: dict[int, int] = {}
    if start > 0:
        out.append(PASSAGE_ELLIPSIS + " ")
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
        body += " " + PASSAGE_ELLIPSIS
    highlights = tuple((offset_map[a], offset_map[b]) for a, b in spans if start <= a and b <= end)
    return Snippet(body, highlights)


@st.composite
def passages(draw: st.DrawFn) -> tuple[str, int, int, list[tuple[int, int]]]:
    text = draw(st.text(alphabet=st.sampled_from(list("ab \n\t\u00a0\u2003.")), max_size=60))
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    points = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    spans = list(zip(points[::2], points[1::2], strict=False))
    return text, start, end, spans


@settings(max_examples=500)
@given(passages())
def test_render_collapses_whitespace_and_moves_spans_as_before(
    case: tuple[str, int, int, list[tuple[int, int]]],
) -> None:
    assert _render(*case) == rendered_a_character_at_a_time(*case)


# -- the lead, found with regular expressions -----------------------------------------


def window_a_word_at_a_time(
    text: str, starts: list[int], ends: list[int], center_first: int, center_last: int
) -> tuple[int, int]:
    """The first implementation of ``_window``, kept here as the oracle:
    the passage grows by a word at a time, right then left, over every word."""
    budget = PASSAGE_CHARS - 4
    first, last = center_first, center_last
    count = len(starts)
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


def lead_from_every_word(text: str) -> Snippet:
    """The lead as it was made before (and as ``_passages`` makes passages):
    the opening's words split out, the window grown around the first."""
    starts, ends = word_spans(text[: PASSAGE_CHARS * 2])
    if not starts:
        return Snippet(" ".join(text.split())[:PASSAGE_CHARS], ())
    _, end = window_a_word_at_a_time(text, starts, ends, 0, 0)
    return _render(text, 0, end, [])


@st.composite
def openings(draw: st.DrawFn) -> str:
    """Texts whose words end near the lead's budget: words of every length
    (some longer than a passage), apostrophes inside and at the edges of
    words, runs of spaces and punctuation (some long enough to push the
    first word past the opening), letters of other scripts."""
    word = st.text(alphabet=st.sampled_from(list("abcéßЖ字'’_1")), min_size=1, max_size=12)
    long_word = st.integers(200, 300).map(lambda n: "x" * n)
    gap = st.text(alphabet=st.sampled_from(list(" \n\t.,-'’ ")), min_size=1, max_size=4)
    long_gap = st.integers(230, 500).map(lambda n: " " * n)
    parts = draw(st.lists(st.one_of(word, word, word, gap, gap, long_word, long_gap), max_size=90))
    return "".join(parts)


@settings(max_examples=800)
@given(openings())
def test_the_lead_is_the_window_around_the_first_word(text: str) -> None:
    assert lead_snippet(text) == lead_from_every_word(text)


@pytest.mark.parametrize(
    "text",
    [
        NUMBERED,
        "w" * 300,
        " " * 250 + NUMBERED,
        " " * 479 + "abc def",
        " " * 480 + "abc def",
        "a" * 235 + " b",
        "a" * 234 + " b'c d",
        "a" * 233 + " bc'd e",
        "don't " * 60,
        "x" * 236,
        "x" * 237,
    ],
)
def test_the_lead_at_the_edges_of_its_budget(text: str) -> None:
    assert lead_snippet(text) == lead_from_every_word(text)


@st.composite
def word_layouts(draw: st.DrawFn) -> tuple[str, int, int]:
    """A text of up to 250 words, with words and gaps of some longest length
    (short ones, so that passages hold many words; long ones, longer than
    a passage), and a run of its words to centre a passage on."""
    count = draw(st.integers(1, 250))
    longest_word = draw(st.sampled_from([1, 3, 12, 300]))
    longest_gap = draw(st.sampled_from([1, 3, 250]))
    rng = random.Random(draw(st.integers(0, 2**32)))
    text = draw(st.sampled_from(["", " ", "  \n"])) + "".join(
        "w" * rng.randint(1, longest_word) + " " * rng.randint(1, longest_gap) for _ in range(count)
    )
    if draw(st.booleans()):
        text = text.rstrip(" ")  # the last word ends the text
    first = draw(st.integers(0, count - 1))
    last = draw(st.integers(first, min(count - 1, first + draw(st.integers(0, 6)))))
    return text, first, last


@settings(max_examples=800)
@given(word_layouts())
def test_the_window_is_grown_as_a_word_at_a_time(case: tuple[str, int, int]) -> None:
    text, first, last = case
    starts, ends = word_spans(text)
    expected = window_a_word_at_a_time(text, starts, ends, first, last)
    assert _window(text, starts, ends, first, last) == expected
    arrays = word_offsets(text)
    assert _window(text, *arrays, first, last) == expected
