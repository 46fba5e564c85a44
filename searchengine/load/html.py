"""Saved web pages: the bare headline, the publication date, the outlet and the story.

The page is parsed once; every reader works on that one tree:

- ``html_meta``: what the page states for machines (``<meta>``, JSON-LD,
  its address and its site's names) and so its source;
- ``html_title``: the headline, with the site's name taken off;
- ``html_regions``: which parts of the page are the article's own, so that
  no date is read from an embedded post, a teaser or a comment;
- ``html_date``: the publication date, plainest statement first;
- ``html_body``: the story text (trafilatura, minus the page's furniture).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from searchengine.load.html_body import MAX_EXTRACT_ELEMENTS, element_text, extract_body
from searchengine.load.html_date import publication_date
from searchengine.load.html_meta import (
    PageMeta,
    author_of,
    own_article,
    read_meta,
    site_names,
    source_of,
)
from searchengine.load.html_regions import Regions
from searchengine.load.html_title import names_site, pick_title
from searchengine.load.problems import failed, skipped
from searchengine.load.textutil import clean_text, same_title, shorten_title
from searchengine.models import Article

__all__ = [
    "MAX_EXTRACT_ELEMENTS",
    "MAX_HTML_TAGS",
    "Page",
    "element_text",
    "load_html",
    "page_date",
    "parse_page",
    "read_page",
]

#: A page with more tags than this is not an article (a long news page has a
#: few thousand); it is skipped unparsed, since parsing a million tags takes
#: seconds and hundreds of MB.  Counted as ``<`` characters, which is cheap.
MAX_HTML_TAGS = 250_000
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
#: Characters lxml keeps in a parsed tree but refuses in any text set on it
#: (C0 controls other than tab and line ends, non-characters, surrogates):
#: a page with one would fail wherever the tree is edited (``drop_tree``).
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def parse_page(text: str) -> Any:
    """Parse a page's decoded text into an lxml tree (raises ``InputProblem`` when it cannot).

    The one parse of the page: metadata, dates and trafilatura all read this
    tree.  Comments and processing instructions are dropped, as
    trafilatura's own parser drops them, so that its result on this tree is
    the one it gives on the page.
    """
    import lxml.etree
    import lxml.html  # lazy, like trafilatura

    cleaned = _XML_DECLARATION.sub("", text)  # lxml refuses str input that declares its encoding
    if _XML_UNSAFE.search(cleaned):  # no page means them; a broken scraper leaves them
        cleaned = _XML_UNSAFE.sub("", cleaned)
    # A parser per page (2 µs): lxml parsers must not be shared between threads.
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
    try:
        return lxml.html.document_fromstring(cleaned, parser=parser)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise failed(f"not parsable as HTML: {exc}") from None


def _first_text(doc: Any, tag: str) -> str | None:
    element = next(iter(doc.iter(tag)), None)
    text = " ".join((element.text_content() or "").split()) if element is not None else ""
    return text or None


def _main_h1(doc: Any, sites: list[str]) -> Any | None:
    """The page's headline ``<h1>``: one in an ``<article>``/``<main>`` first, never the site's logo."""
    h1s = [
        h
        for h in doc.iter("h1")
        if " ".join((h.text_content() or "").split()) and not names_site(h.text_content(), sites)
    ]
    inside = [h for h in h1s if any(a.tag in ("article", "main") for a in h.iterancestors())]
    return (inside or h1s or [None])[0]


def _headline_element(doc: Any, title: str | None, h1: Any | None) -> Any | None:
    """The element that shows the chosen headline (an ``<h1>``, or a blog's ``<h2>``).

    Never one in a teaser list: a "most read" box may list this very story.
    """
    if not title or (h1 is not None and same_title(" ".join(h1.text_content().split()), title)):
        return h1
    regions = Regions(None)
    for tag in ("h1", "h2"):
        for element in doc.iter(tag):
            text = " ".join((element.text_content() or "").split())
            if same_title(text, title) and not regions.foreign(element):
                return element
    return h1


def _ld_headline(article: dict[str, Any] | None) -> str | None:
    value = article.get("headline") if article is not None else None
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Page:
    """A parsed page and what it states about itself, before its body and date are read."""

    doc: Any
    meta: PageMeta
    #: The page's own JSON-LD article item, if it has one.
    article: dict[str, Any] | None
    title: str | None
    #: The element showing the headline: the anchor of the article's own region.
    headline: Any | None
    #: Every statement of the headline, to keep it out of the body's first line.
    headlines: tuple[str, ...]


def read_page(text: str) -> Page:
    """Parse a page and read its metadata and headline (raises ``InputProblem`` when unparsable)."""
    doc = parse_page(text)
    meta = read_meta(doc, Regions(None))
    og_title = meta.meta("og:title")
    title_tag = _first_text(doc, "title")
    h1 = _main_h1(doc, site_names(meta, None))
    h1_text = " ".join(h1.text_content().split()) if h1 is not None else None
    article = own_article(meta, [t for t in (og_title, title_tag, h1_text) if t])
    title = pick_title(
        [
            ("og:title", og_title),
            ("title", title_tag),
            ("h1", h1_text),
            ("json-ld", _ld_headline(article)),
        ],
        site_names(meta, article),
    )
    return Page(
        doc=doc,
        meta=meta,
        article=article,
        title=title,
        headline=_headline_element(doc, title, h1),
        headlines=tuple(t for t in (title, h1_text, og_title) if t),
    )


def page_date(page: Page, *, htmldate: bool = True) -> dt.date | None:
    """The page's publication date (``html_date``)."""
    return publication_date(
        page.doc, page.meta, page.article, Regions(page.headline), htmldate=htmldate
    )


def load_html(path: str, text: str, encoding: str) -> Article:
    """Build the article of one saved web page from its decoded text."""
    if not text.strip():
        raise skipped("empty file")
    tags = text.count("<")
    if tags > MAX_HTML_TAGS:
        raise skipped(f"too many HTML tags ({tags:,}; the limit is {MAX_HTML_TAGS:,})")
    page = read_page(text)
    date = page_date(page)  # before the body: extracting it prunes the tree
    body = extract_body(page.doc, page.headline, list(page.headlines))
    if not body:
        raise skipped("no article text in the page")
    author = author_of(page.meta, page.article)
    source = source_of(page.meta, page.article, author)
    url = page.meta.url
    return Article(
        path=path,
        record=None,
        title=(clean_text(page.title) if page.title else "") or shorten_title(body),
        body=body,
        date=date,
        source=clean_text(source) if source else None,
        author=clean_text(author) if author else None,
        url=url.strip() if url else None,
        encoding=encoding,
    )
