"""The story text of a page: trafilatura's, without the page's furniture, never rejected for scripts."""

from __future__ import annotations

import json

import pytest

from searchengine.load import load_file
from searchengine.load.html import parse_page
from searchengine.load.html_body import element_text
from searchengine.models import Article

from conftest import WriteFile

PARAS = [
    "The harbour board approved the new breakwater on Tuesday after two years of argument over its cost.",
    "Work will start in the spring and should take eighteen months, during which the ferry uses the north quay.",
    "Fishermen said they welcomed the decision but wanted a say in where the new mooring posts will go.",
]
STORY = "".join(f"<p>{p}</p>" for p in PARAS)


def one(write: WriteFile, html: str) -> Article:
    result = load_file(str(write("p.html", html)))
    assert result.problems == ()
    (article,) = result.articles
    return article


def test_story_also_in_a_script_is_still_the_story(write: WriteFile) -> None:
    data = {"article": {"title": "Breakwater approved", "body": " ".join(PARAS)}}
    html = (
        "<html><head><title>Breakwater approved</title>"
        f'<script type="application/ld+json">{json.dumps({"@type": "NewsArticle", "articleBody": " ".join(PARAS)})}</script>'
        "</head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>Breakwater approved</h1><span class='read-time'>4 Min Read</span>{STORY}"
        "<div class='trust'><a href='/p'>Our Standards: The Trust Principles.</a></div></article>"
        f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script></body></html>'
    )
    assert one(write, html).body == "\n\n".join(PARAS)


@pytest.mark.parametrize(
    "layout",
    [
        "<aside class='story'><h1>Breakwater approved</h1>{story}</aside>",
        "<article><header><h1>Breakwater approved</h1><p class='lede'>{lede}</p></header>{rest}</article>",
        "<header><h1>Breakwater approved</h1>{story}</header>",
    ],
)
def test_a_story_in_an_aside_or_header_is_an_article(write: WriteFile, layout: str) -> None:
    story = layout.format(
        story=STORY, lede=PARAS[0], rest="".join(f"<p>{p}</p>" for p in PARAS[1:])
    )
    html = (
        "<html><head><title>Breakwater approved | Harbour Times</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"{story}<aside class='sidebar'><h2>Most read</h2><a href='/x'>Ferry fares rise</a></aside>"
        "<footer>© 2024 Harbour Times</footer></body></html>"
    )
    assert one(write, html).body == "\n\n".join(PARAS)


@pytest.mark.parametrize(
    "furniture",
    [
        "<p class='byline'>By Ana Ruiz</p>",
        "<div class='newsletter-promo'><p>Get the morning briefing. <a href='/n'>Sign up here.</a></p></div>",
        "<div class='share'><a href='#'>Share on Facebook</a> <a href='#'>Email</a></div>",
        "<p><span>5 min read</span></p>",
        "<p class='copyright'>© 2024 Harbour Times. All rights reserved.</p>",
        "<blockquote class='twitter-tweet'><p>Quay closed.</p>&mdash; Port (@port) <a href='/s'>May 3, 2024</a></blockquote>",
        "<div class='related'><h3>Factbox</h3><ul><li><a href='/f'>Factbox: what the breakwater means</a></li></ul></div>",
    ],
)
def test_furniture_inside_the_article_is_dropped(write: WriteFile, furniture: str) -> None:
    html = (
        "<html><head><title>Breakwater approved</title></head><body>"
        f"<article><h1>Breakwater approved</h1><p>{PARAS[0]}</p>{furniture}"
        f"<p>{PARAS[1]}</p><p>{PARAS[2]}</p></article></body></html>"
    )
    assert one(write, html).body == "\n\n".join(PARAS)


def test_a_named_span_inside_a_paragraph_is_never_cut(write: WriteFile) -> None:
    html = (
        "<html><head><title>Breakwater approved</title></head><body><article><h1>Breakwater approved</h1>"
        f"<p><span class='dateline'>PORT ANNICK (Wire) —</span> {PARAS[0]}</p><p>{PARAS[1]}</p>"
        f"<p>{PARAS[2]}</p></article></body></html>"
    )
    assert one(write, html).body.split("\n\n") == [f"PORT ANNICK (Wire) — {PARAS[0]}", *PARAS[1:]]


def test_a_long_box_of_prose_is_the_story_whatever_it_is_called(write: WriteFile) -> None:
    long_paras = [p + " " + p for p in PARAS] * 3
    html = (
        "<html><head><title>Breakwater approved</title></head><body><h1>Breakwater approved</h1>"
        "<div class='story-body share-target related-content'>"
        + "".join(f"<p>{p}</p>" for p in long_paras)
        + "</div></body></html>"
    )
    assert one(write, html).body == "\n\n".join(long_paras)


def test_a_page_of_menus_and_teasers_is_not_an_article(write: WriteFile) -> None:
    html = (
        "<html><head><title>Local news | Gazette</title></head><body><header><a href='/'>Gazette</a></header>"
        "<nav><a href='/a'>Local</a> <a href='/b'>Sport</a></nav><main><h1>Local news</h1><ul>"
        "<li><a href='/1'>Harbour wall repairs start</a> <time datetime='2021-09-06'>6 September 2021</time></li>"
        "<li><a href='/2'>Café festival draws crowds</a> <time datetime='2021-09-05'>5 September 2021</time></li>"
        "</ul></main><footer>© 2021 Gazette</footer></body></html>"
    )
    result = load_file(str(write("front.html", html)))
    assert result.articles == ()
    assert [p.reason for p in result.problems] == ["no article text in the page"]


def test_element_text_reads_the_element_itself_whatever_its_tag() -> None:
    doc = parse_page(
        "<html><body><aside><p>One.</p><nav>Menu</nav><p>Two.</p></aside></body></html>"
    )
    (aside,) = doc.iter("aside")
    assert element_text(aside) == "One.\n\nTwo."
