"""Snippets: passages rendered as the character-by-character original did."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from searchengine.models import Snippet
from searchengine.query.snippets import ELLIPSIS, _render


def rendered_a_character_at_a_time(
    text: str, start: int, end: int, spans: list[tuple[int, int]]
) -> Snippet:
    """The first implementation of ``_render``, kept here as the oracle."""
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
