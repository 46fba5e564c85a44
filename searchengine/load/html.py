"""Saved web pages: metadata from the page's head, text from its article.

Metadata follows the conventions news sites actually use (Open Graph,
``article:published_time``, JSON-LD); the article text comes from
trafilatura, the reference extractor for news pages, with a plain
"drop the furniture" reading of the page as the fallback when it finds
nothing (trafilatura gives up on very short pages).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from searchengine.dates import parse_date
from searchengine.load.problems import failed, skipped
from searchengine.load.textutil import clean_text, same_title, shorten_title
from searchengine.models import Article

_FURNITURE = (
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "noscript",
    "template",
    "svg",
    "iframe",
    "button",
    "select",
)
_BLOCKS = (
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "tr",
    "br",
    "section",
    "article",
    "figcaption",
    "dd",
    "dt",
)
_TITLE_SEPARATORS = (" | ", " – ", " — ", " - ", " :: ", " · ")
#: A page with more tags than this is not an article (a long news page has a
#: few thousand); it is skipped unparsed, since parsing a million tags takes
#: seconds and hundreds of MB.  Counted as ``<`` characters, which is cheap.
MAX_HTML_TAGS = 250_000
#: trafilatura's time grows faster than the page (a million ``<p>`` took over
#: a minute and 500 MB); past this many elements the plain reading of the
#: page's ``<article>``/``<main>`` is used instead.
MAX_EXTRACT_ELEMENTS = 15_000


def _meta(doc: Any, *, prop: str | None = None, name: str | None = None) -> str | None:
    for element in doc.iter("meta"):
        attrs = {k.lower(): v for k, v in element.attrib.items()}
        if (prop is not None and attrs.get("property", "").lower() == prop) or (
            name is not None and attrs.get("name", "").lower() == name
        ):
            value = attrs.get("content", "").strip()
        else:
            continue
        if value:
            return str(value)
    return None


def _json_ld(doc: Any) -> Iterator[dict[str, Any]]:
    for script in doc.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(reversed(item["@graph"]))


def _name_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _name_of(value.get("name"))
    if isinstance(value, list):
        names = [n for n in (_name_of(v) for v in value) if n]
        return ", ".join(names) or None
    return None


def _strip_site_suffix(title: str, site: str | None) -> str:
    for separator in _TITLE_SEPARATORS:
        head, found, tail = title.rpartition(separator)
        if (
            found
            and head.strip()
            and (site is None or same_title(tail, site) or len(tail.split()) <= 5)
        ):
            return head.strip()
    return title


def element_text(element: Any) -> str:
    parts: list[str] = []

    def walk(node: Any) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag.lower() in _FURNITURE:
            if node.tail:
                parts.append(node.tail)
            return
        block = tag.lower() in _BLOCKS
        if block:
            parts.append("\n\n")
        if node.text and tag:
            parts.append(node.text)
        for child in node:
            walk(child)
        if block:
            parts.append("\n\n")
        if node.tail:
            parts.append(node.tail)

    walk(element)
    return clean_text(re.sub(r"[ \t]*\n[ \t]*\n\s*", "\n\n", "".join(parts)))


def _fallback_body(doc: Any) -> str:
    for tag in ("article", "main"):
        found = next(iter(doc.iter(tag)), None)
        if found is not None:
            return element_text(found)
    body = doc.find(".//body")
    return element_text(body if body is not None else doc)


def _furniture_text(doc: Any) -> str:
    chunks = []
    for tag in _FURNITURE:
        for element in doc.iter(tag):
            chunks.append(" ".join((element.text_content() or "").split()))
    return "\n".join(chunks)


def _extract_body(text: str, doc: Any) -> str:
    if sum(1 for _ in doc.iter()) > MAX_EXTRACT_ELEMENTS:
        return _fallback_body(doc)
    import trafilatura  # lazy: heavy, and only HTML needs it

    # favor_precision: on short pages the default lets navigation through.
    extracted = trafilatura.extract(
        text, include_comments=False, include_tables=True, deduplicate=False, favor_precision=True
    )
    if extracted and extracted.strip():
        lines = [line.strip() for line in extracted.split("\n") if line.strip()]
        furniture = _furniture_text(doc)
        # When a page has no article, trafilatura returns its menus instead.
        if not all(" ".join(line.split()) in furniture for line in lines):
            return clean_text("\n\n".join(lines))
    return _fallback_body(doc)


def load_html(path: str, text: str, encoding: str) -> Article:
    """Build the article of one saved web page from its decoded text."""
    import lxml.html  # lazy, like trafilatura

    if not text.strip():
        raise skipped("empty file")
    tags = text.count("<")
    if tags > MAX_HTML_TAGS:
        raise skipped(f"too many HTML tags ({tags:,}; the limit is {MAX_HTML_TAGS:,})")
    # lxml refuses str input that declares its own encoding.
    cleaned = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        doc = lxml.html.document_fromstring(cleaned)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise failed(f"not parsable as HTML: {exc}") from None

    ld = list(_json_ld(doc))
    site = _meta(doc, prop="og:site_name") or _meta(doc, name="publisher")
    if site is None:
        site = next((n for n in (_name_of(item.get("publisher")) for item in ld) if n), None)

    title = _meta(doc, prop="og:title")
    if not title:
        title_el = doc.find(".//title")
        if title_el is not None and (title_el.text_content() or "").strip():
            title = _strip_site_suffix(" ".join(title_el.text_content().split()), site)
    if not title:
        h1 = next(iter(doc.iter("h1")), None)
        if h1 is not None:
            title = " ".join(h1.text_content().split())

    raw_date = (
        _meta(doc, prop="article:published_time")
        or _meta(doc, name="date")
        or _meta(doc, name="pubdate")
        or next((t.get("datetime") for t in doc.iter("time") if t.get("datetime")), None)
        or next((str(i["datePublished"]) for i in ld if i.get("datePublished")), None)
    )
    author = (
        _meta(doc, name="author")
        or _meta(doc, prop="article:author")
        or next((n for n in (_name_of(i.get("author")) for i in ld) if n), None)
    )
    url = _meta(doc, prop="og:url")
    if url is None:
        canonical = next(
            (
                ln.get("href")
                for ln in doc.iter("link")
                if (ln.get("rel") or "").lower() == "canonical"
            ),
            None,
        )
        url = canonical or None

    body = _extract_body(cleaned, doc)
    if title:
        first, _, rest = body.partition("\n")
        if same_title(first, title):
            body = clean_text(rest)
    if not body:
        raise skipped("no article text in the page")
    return Article(
        path=path,
        record=None,
        title=(clean_text(title) if title else "") or shorten_title(body),
        body=body,
        date=parse_date(raw_date) if raw_date else None,
        source=clean_text(site) if site else None,
        author=clean_text(author) if author else None,
        url=url.strip() if url else None,
        encoding=encoding,
    )
