"""The outlet, author and address a page states, and which JSON-LD item is its own."""

from __future__ import annotations

import json

import pytest

from searchengine.load import load_file
from searchengine.load.html import parse_page
from searchengine.load.html_meta import own_article, read_meta, same_page
from searchengine.load.html_regions import Regions
from searchengine.models import Article

from conftest import WriteFile

STORY = (
    "<p>The harbour board approved the new breakwater on Tuesday after two years of argument.</p>"
    "<p>Work starts in spring and should take eighteen months.</p>"
)


def load(write: WriteFile, head: str, body: str = "") -> Article:
    html = f"<html><head>{head}</head><body>{body}<article><h1>Breakwater approved</h1>{STORY}</article></body></html>"
    (article,) = load_file(str(write("p.html", html))).articles
    return article


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


@pytest.mark.parametrize(
    ("head", "source"),
    [
        ('<meta property="og:site_name" content="Harbour Times">', "Harbour Times"),
        (
            ld(
                {
                    "@type": "NewsArticle",
                    "publisher": {"@type": "Organization", "name": "Coastal Wire"},
                }
            ),
            "Coastal Wire",
        ),
        ('<meta name="publisher" content="Herald">', "Herald"),
        (
            '<link rel="canonical" href="https://www.harbourtimes.example/news/x">',
            "harbourtimes.example",
        ),
        (
            '<meta property="og:url" content="https://news.harbour.example/x">',
            "news.harbour.example",
        ),
        ("", None),
    ],
)
def test_source_order(write: WriteFile, head: str, source: str | None) -> None:
    assert load(write, head).source == source


def test_og_site_name_comes_before_the_json_ld_publisher(write: WriteFile) -> None:
    head = '<meta property="og:site_name" content="Harbour Times">' + ld(
        {"publisher": {"name": "Other"}}
    )
    assert load(write, head).source == "Harbour Times"


def test_a_section_is_never_the_source(write: WriteFile) -> None:
    head = (
        '<meta property="og:site_name" content="U.S.">'
        '<meta property="article:section" content="U.S.">'
        '<meta property="og:url" content="https://www.meridianwire.example/world/us/rail-deal/">'
        + ld(
            {
                "@type": "NewsArticle",
                "articleSection": "U.S.",
                "publisher": {"name": "Meridian Wire"},
            }
        )
    )
    assert load(write, head).source == "Meridian Wire"
    # A section known only from the address is still a section.
    head = '<meta property="og:site_name" content="Politics"><link rel="canonical" href="https://www.paper.example/politics/vote">'
    assert load(write, head).source == "paper.example"


def test_a_byline_is_never_the_source(write: WriteFile) -> None:
    head = '<meta name="author" content="Ana Ruiz"><meta name="publisher" content="Ana Ruiz">'
    assert load(write, head).source is None


def test_a_url_is_not_a_name(write: WriteFile) -> None:
    head = (
        '<meta property="og:site_name" content="https://harbourtimes.example">'
        '<meta property="article:author" content="https://social.example/ana">'
        '<link rel="canonical" href="https://harbourtimes.example/x">'
    )
    article = load(write, head)
    assert (article.source, article.author) == ("harbourtimes.example", None)


def test_author_and_address(write: WriteFile) -> None:
    head = ld({"@type": "NewsArticle", "author": [{"name": "A. Byrne"}, {"name": "C. Doyle"}]})
    article = load(
        write,
        head
        + '<meta property="og:url" content="https://h.example/a"><link rel="canonical" href="https://h.example/b">',
    )
    assert (article.author, article.url) == ("A. Byrne, C. Doyle", "https://h.example/a")


def _own(head: str) -> object:
    doc = parse_page(f"<html><head>{head}</head><body><h1>Breakwater approved</h1></body></html>")
    meta = read_meta(doc, Regions(None))
    return own_article(meta, ["Breakwater approved | Harbour Times"])


def test_the_pages_own_json_ld_item() -> None:
    teaser = {"@type": "NewsArticle", "headline": "Other", "url": "https://h.example/other"}
    own = {
        "@type": "NewsArticle",
        "headline": "Breakwater approved",
        "url": "https://h.example/breakwater",
    }
    canonical = '<link rel="canonical" href="http://www.h.example/breakwater/">'
    assert _own(canonical + ld({"@graph": [teaser, own]})) == own
    # No address to compare with: the headline decides.
    assert _own(ld([teaser, {**own, "url": "https://h.example/x"}])) == {
        **own,
        "url": "https://h.example/x",
    }
    # A graph of other pages' articles only: none is the page's own.
    assert _own(canonical + ld({"@graph": [teaser]})) is None
    # mainEntity of a WebPage is the page's own article.
    assert _own(ld({"@type": "WebPage", "mainEntity": own})) == own


def test_embedded_json_ld_is_not_the_pages() -> None:
    doc = parse_page(
        "<html><body><blockquote class='tiktok-embed'>"
        + ld({"@type": "SocialMediaPosting", "datePublished": "2020-01-01"})
        + "</blockquote></body></html>"
    )
    assert read_meta(doc, Regions(None)).ld == []


def test_same_page() -> None:
    assert same_page("https://www.h.example/a/b/", "http://h.example/a/b?x=1")
    assert not same_page("https://h.example/a", "https://h.example/b")
