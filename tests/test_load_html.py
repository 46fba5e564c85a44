"""Saved web pages: metadata rules of the contract, furniture dropped."""

from __future__ import annotations

import datetime as dt

import pytest

from searchengine.load import load_file
from searchengine.models import Article

from conftest import WriteFile

PARAGRAPHS = (
    "<p>The maritime museum in Port Annick reopened its doors on Friday after a two-year "
    "restoration that replaced the leaking roof and rebuilt the gallery of ship models.</p>"
    "<p>Curators said attendance on the first morning was three times the usual figure, "
    "with queues stretching past the old customs house.</p>"
    "<p>The restored lighthouse lens, the museum's best-known object, is now displayed at eye "
    "level for the first time since it was removed from the headland in 1962.</p>"
)


def page(head: str, article: str = PARAGRAPHS, title_h1: str = "Maritime museum reopens") -> str:
    return (
        f"<!DOCTYPE html><html><head>{head}</head><body>"
        '<nav><a href="/">Home</a> <a href="/news">News menu link</a></nav>'
        "<header><div>Site header banner text</div></header>"
        f"<article><h1>{title_h1}</h1>{article}</article>"
        "<aside>Most read: unrelated aside story</aside>"
        "<footer>Copyright 2021 Port Annick Herald. All rights reserved.</footer>"
        "<script>var tracking = 'script text';</script>"
        "</body></html>"
    )


def one(path: object) -> Article:
    result = load_file(str(path))
    assert result.problems == ()
    (article,) = result.articles
    return article


def test_open_graph_page(write: WriteFile) -> None:
    head = (
        "<title>Maritime museum reopens | Port Annick Herald</title>"
        '<meta property="og:title" content="Maritime museum reopens">'
        '<meta property="og:site_name" content="Port Annick Herald">'
        '<meta property="article:published_time" content="2021-09-10T23:30:00-04:00">'
        '<meta name="author" content="Ines Calloway">'
        '<meta property="og:url" content="https://herald.example/museum">'
    )
    article = one(write("museum.html", page(head)))
    assert article.title == "Maritime museum reopens"
    assert article.date == dt.date(2021, 9, 10)
    assert article.source == "Port Annick Herald"
    assert article.author == "Ines Calloway"
    assert article.url == "https://herald.example/museum"
    assert article.body.startswith("The maritime museum in Port Annick reopened")
    assert "lighthouse lens" in article.body
    for furniture in (
        "News menu link",
        "banner text",
        "unrelated aside",
        "Copyright",
        "script text",
    ):
        assert furniture not in article.body
    assert "Maritime museum reopens" not in article.body


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Maritime museum reopens | Port Annick Herald", "Maritime museum reopens"),
        ("Maritime museum reopens - Herald", "Maritime museum reopens"),
        ("Maritime museum reopens", "Maritime museum reopens"),
    ],
)
def test_title_element_loses_its_site_suffix(write: WriteFile, title: str, expected: str) -> None:
    assert one(write("m.htm", page(f"<title>{title}</title>"))).title == expected


def test_h1_is_the_title_when_the_head_has_none(write: WriteFile) -> None:
    assert one(write("m.html", page(""))).title == "Maritime museum reopens"


@pytest.mark.parametrize(
    "head",
    [
        '<meta name="date" content="2021-09-10">',
        '<meta name="pubdate" content="20210910">',
        '<meta name="DATE" content="September 10, 2021">',
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2021-09-10T08:00:00Z"}</script>',
        '<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, {"datePublished": "2021-09-10"}]}</script>',
    ],
)
def test_date_sources(write: WriteFile, head: str) -> None:
    assert one(write("m.html", page(head))).date == dt.date(2021, 9, 10)


def test_time_element_date(write: WriteFile) -> None:
    body = '<p><time datetime="2021-09-10T09:00">10 Sept</time></p>' + PARAGRAPHS
    assert one(write("m.html", page("", body))).date == dt.date(2021, 9, 10)


def test_publisher_meta_and_json_ld_publisher_are_sources(write: WriteFile) -> None:
    assert one(write("a.html", page('<meta name="publisher" content="Herald">'))).source == "Herald"
    ld = '<script type="application/ld+json">{"publisher": {"@type": "Organization", "name": "Coastal Wire"}, "author": [{"name": "A. Byrne"}, {"name": "C. Doyle"}]}</script>'
    article = one(write("b.html", page(ld)))
    assert (article.source, article.author) == ("Coastal Wire", "A. Byrne, C. Doyle")


def test_page_with_only_furniture_is_skipped(write: WriteFile) -> None:
    html = "<html><head><title>Empty</title></head><body><nav>Home News</nav><footer>(c) 2021</footer></body></html>"
    result = load_file(str(write("empty.html", html)))
    assert result.articles == ()
    assert [p.kind for p in result.problems] == ["skipped"]


def test_short_page_falls_back_to_its_article_text(write: WriteFile) -> None:
    html = page("<title>Short | Site</title>", "<p>One short line of news.</p>", title_h1="Short")
    assert one(write("short.html", html)).body == "One short line of news."


def test_control_characters_in_a_page_are_dropped_not_fatal(write: WriteFile) -> None:
    # lxml parses them into the tree but refuses them in any text set on it,
    # as the date step does when it cuts the page down for htmldate (no date
    # markup here, so it runs); the page must still load, whole.
    head = "<title>Maritime\x02 museum reopens</title>"
    broken = PARAGRAPHS.replace("</p><p>", "</p>\x01\x1f<p>").replace("Friday", "Fri\x0bday")
    html = page(head, broken).replace("</head>", "</head>\x01").replace("</nav>", "</nav>\x01")
    article = one(write("museum.html", html))
    assert article.title == "Maritime museum reopens"
    assert article.body.startswith(
        "The maritime museum in Port Annick reopened its doors on Friday"
    )
    assert "lighthouse lens" in article.body
    assert not any(ch in article.body for ch in "\x01\x02\x0b\x1f")
