"""Human output: exact text at fixed widths, and nothing a corpus holds can act on the terminal."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from rich.console import Console, RenderableType

from searchengine.models import (
    ArticleView,
    ClusterCount,
    Hit,
    IndexSummary,
    Problem,
    SearchResult,
    SimilarResult,
    Snippet,
    Stats,
    Timeline,
)
from searchengine.render import rich_out


def render(renderable: RenderableType, width: int = 80, color: bool = False) -> str:
    out = StringIO()
    console = Console(
        file=out,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        highlight=False,
        markup=False,
        emoji=False,
    )
    console.print(renderable)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())


HIT = Hit(
    id="0123456789abcdef",
    path="/news/2021/harbour.txt",
    record=None,
    title="Ferry returns after harbour repairs",
    date=dt.date(2021, 9, 6),
    source="Port Herald",
    author=None,
    url=None,
    score=3.5,
    snippets=(Snippet("… the harbour wall is fixed …", ((6, 13),)),),
)
RESULT = SearchResult(
    query="harbour",
    total=12,
    page=1,
    limit=1,
    took_ms=4.2,
    suggestion=None,
    hits=(HIT,),
    timeline=Timeline("month", (("2021-07", 2), ("2021-09", 10))),
    filters=(("from", "2021-07-01"),),
)


def test_search_result_exact_text() -> None:
    assert render(rich_out.search_result(RESULT)) == "\n".join(
        [
            "12 articles for 'harbour'  from:2021-07-01  4 ms",
            "",
            "  1. Ferry returns after harbour repairs",
            "     2021-09-06 · Port Herald · /news/2021/harbour.txt · id 0123456789abcdef",
            "     … the harbour wall is fixed …",
            "",
            "page 1 of 12",
            "",
            "when  2021-07 ▂▁█ 2021-09   peak 2021-09 (10) · per month",
        ]
    )


def test_suggestion_line() -> None:
    result = SearchResult("harbor", 0, 1, 10, 1.0, "harbour", ())
    assert (
        render(rich_out.search_result(result))
        == "0 articles for 'harbor'  1 ms\nDid you mean: harbour?"
    )


def test_highlights_are_styled_on_a_terminal() -> None:
    coloured = render(rich_out.search_result(RESULT), color=True)
    assert "\x1b[1;33mharbour\x1b[0m wall" in coloured


@pytest.mark.parametrize("width", [60, 200])
def test_nothing_breaks_at_narrow_or_wide_terminals(width: int) -> None:
    long = HIT.__class__(**{**HIT.__dict__, "path": "/very/long/" + "folder/" * 30 + "file.txt"})
    text = render(
        rich_out.search_result(SearchResult("q", 1, 1, 10, 1.0, None, (long,))), width=width
    )
    assert all(len(line) <= width for line in text.splitlines())
    assert "Ferry returns after harbour repairs" in text


HOSTILE = "[bold]not bold[/bold] \x1b[35;5mred\x1b[0m \x1b]0;title\x07 back\rspace \u202eevil"


def test_hostile_text_is_shown_inertly_everywhere() -> None:
    hit = Hit(
        "0123456789abcdef",
        "/x/\x1b[2Jname.txt",
        None,
        HOSTILE,
        None,
        HOSTILE,
        HOSTILE,
        None,
        None,
        (Snippet(HOSTILE, ((0, 6),)),),
    )
    outputs = [
        render(
            rich_out.search_result(SearchResult(HOSTILE, 1, 1, 10, 1.0, HOSTILE, (hit,))),
            color=True,
        ),
        render(rich_out.article(ArticleView(hit, HOSTILE, "utf-8", ((0, 6),), "q")), color=True),
        render(rich_out.stats(Stats(1, ((HOSTILE, 1),), None, None, 1, (), 10, "/x")), color=True),
        render(
            rich_out.problems([Problem("/x/\x1b[2J.txt", None, HOSTILE, "error")], "error"),
            color=True,
        ),
    ]
    for output in outputs:
        assert "[bold]not bold[/bold]" in output  # markup shown, not applied
        for control in ("\x1b[35;5m", "\x1b]0;", "\x07", "\r", "\u202e", "\x1b[2J"):
            assert control not in output


def test_stats_exact_text() -> None:
    stats = Stats(
        articles=3,
        sources=(("Coastal Wire", 2), ("Herald", 1)),
        first_date=dt.date(2021, 9, 6),
        last_date=dt.date(2021, 10, 1),
        undated=0,
        by_month=(("2021-09", 2), ("2021-10", 1)),
        index_bytes=2048,
        index_path="/data/index",
    )
    assert render(rich_out.stats(stats)) == "\n".join(
        [
            "articles  3",
            "dates     2021-09-06 … 2021-10-01",
            "undated   0",
            "index     2.0 KB  /data/index",
            "",
            "  source          articles",
            "  Coastal Wire           2",
            "  Herald                 1",
            "",
            "2021-09 ████████████████████████████████████████ 2",
            "2021-10 ████████████████████                     1",
        ]
    )


def test_stats_near_duplicates_line() -> None:
    stats = Stats(1, (), None, None, 1, (), 10, "/i", duplicates=ClusterCount(3, 7, 0.45))
    assert render(rich_out.stats(stats)) == "\n".join(
        [
            "articles         1",
            "dates            no dates",
            "undated          1",
            "near-duplicates  7 articles in 3 clusters (similarity ≥ 0.45)",
            "index            10 B  /i",
        ]
    )
    one = Stats(2, (), None, None, 2, (), 10, "/i", duplicates=ClusterCount(1, 2, 0.5))
    assert "near-duplicates  2 articles in 1 cluster (similarity ≥ 0.5)\n" in render(
        rich_out.stats(one)
    )


def test_article_exact_text() -> None:
    view = ArticleView(HIT, "The harbour wall is fixed.\n\nMore.", "cp1252", ((4, 11),), "harbour")
    assert render(rich_out.article(view)) == "\n".join(
        [
            "Ferry returns after harbour repairs",
            "2021-09-06 · Port Herald",
            "/news/2021/harbour.txt  id 0123456789abcdef  cp1252",
            "",
            "The harbour wall is fixed.",
            "",
            "More.",
        ]
    )


def test_index_summary_and_problems() -> None:
    summary = IndexSummary(2, 1, 3, 0, (), (), 6, 1234.0, files_seen=5, files_ignored=1)
    text = render(rich_out.index_summary(summary))
    assert text.splitlines()[0].split() == ["added", "2"]
    assert "articles in index" in text and "1.23 s" in text
    problems = render(
        rich_out.problems([Problem("/c/feed.jsonl", 3, "not valid JSON", "error")], "error"),
        width=40,
    )
    assert problems == "/c/feed.jsonl:3: error: not valid JSON"


def test_every_result_is_drawn_and_printed_by_one_path() -> None:
    """``drawn`` picks each result's own view: what every command's human output goes through."""
    similar = SimilarResult(article=HIT, terms=("harbour",), result=RESULT)
    view = ArticleView(HIT, "The harbour wall is fixed.", "utf-8")
    stats = Stats(1, (), None, None, 1, (), 10, "/i")
    summary = IndexSummary(
        1, 0, 0, 0, (Problem("/c/empty.txt", None, "empty file", "skipped"),), (), 1, 5.0
    )
    for result, own in (
        (RESULT, rich_out.search_result(RESULT)),
        (similar, rich_out.similar_result(similar)),
        (view, rich_out.article(view)),
        (stats, rich_out.stats(stats)),
        (summary, rich_out.index_summary(summary)),
    ):
        assert render(rich_out.drawn(result)) == render(own)
    out, err = StringIO(), StringIO()
    rich_out.print_drawn(
        rich_out.make_console(out), summary, err=rich_out.make_console(err, force_plain=True)
    )
    assert err.getvalue() == "/c/empty.txt: skipped: empty file\n"
    assert out.getvalue().split()[:2] == ["added", "1"]
