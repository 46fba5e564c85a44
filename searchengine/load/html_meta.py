"""What a web page says about itself: meta tags, JSON-LD, address, site name.

Everything here is read from what the page states in markup meant for
machines (``<meta>``, JSON-LD, ``<link rel=canonical>``); nothing is guessed
from the look of the page.  The site's name is gathered from every place a
page states it, because titles carry it in any of those spellings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from searchengine.load.html_regions import Regions

#: JSON-LD types of a page's own story (schema.org's Article family).
_ARTICLE_TYPE = re.compile(r"(Article|BlogPosting|Report|LiveBlogPosting|NewsArticle)$")
#: Keys under which JSON-LD nests the page's own main item.
_MAIN_KEYS = ("@graph", "mainEntity")
_ORGANISATION = re.compile(
    r"(Organization|Organisation|NewsMediaOrganization|Corporation|WebSite)$"
)
_KEY_CHARS = re.compile(r"[^\w]|_")


def key(text: str) -> str:
    """``text`` reduced to its letters and digits, case-folded: how names are compared."""
    return _KEY_CHARS.sub("", text.casefold())


@dataclass(frozen=True)
class PageMeta:
    """The machine-readable statements of one page."""

    #: ``<meta>`` contents by lower-cased ``name``/``property``, in page order.
    metas: dict[str, list[str]]
    #: JSON-LD items (top level, ``@graph`` and ``mainEntity``), in page order.
    ld: list[dict[str, Any]]
    #: JSON-LD items by ``@id``, to follow references such as ``"publisher": {"@id": ...}``.
    ld_ids: dict[str, dict[str, Any]]
    #: ``og:url``, else the canonical link.
    url: str | None

    def meta(self, *names: str) -> str | None:
        """The first non-empty content among the ``<meta>`` tags called ``names``, in that order."""
        for name in names:
            for value in self.metas.get(name, ()):
                if value:
                    return value
        return None

    def resolve(self, value: Any) -> Any:
        """A JSON-LD ``{"@id": ...}`` reference replaced by the item it names."""
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
            return self.ld_ids.get(str(value["@id"]), value)
        return value


def read_meta(doc: Any, regions: Regions) -> PageMeta:
    """Collect the ``<meta>`` tags, JSON-LD and address of a parsed page."""
    metas: dict[str, list[str]] = {}
    for element in doc.iter("meta"):
        content = " ".join((element.get("content") or "").split())
        for attr in ("property", "name"):
            name = (element.get(attr) or "").strip().lower()
            if name:
                metas.setdefault(name, []).append(content)
    ld = list(_json_ld(doc, regions))
    ld_ids = {str(item["@id"]): item for item in ld if isinstance(item.get("@id"), str)}
    url = _first(metas.get("og:url", ())) or _canonical(doc)
    return PageMeta(metas=metas, ld=ld, ld_ids=ld_ids, url=url)


def _first(values: Any) -> str | None:
    return next((v for v in values if v), None)


def _canonical(doc: Any) -> str | None:
    for link in doc.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            href = (link.get("href") or "").strip()
            if href:
                return str(href)
    return None


def _json_ld(doc: Any, regions: Regions) -> Iterator[dict[str, Any]]:
    for script in doc.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        if regions.foreign(script):
            continue  # the JSON-LD of an embedded post or a teaser describes another story
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
                stack.extend(
                    reversed([item[k] for k in _MAIN_KEYS if isinstance(item.get(k), list | dict)])
                )


def types_of(item: dict[str, Any]) -> list[str]:
    """An item's ``@type`` as a list of names."""
    kind = item.get("@type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [k for k in kind if isinstance(k, str)]
    return []


def same_page(a: str, b: str) -> bool:
    """Whether two addresses name the same page (scheme, ``www.``, query and end slash aside)."""

    def norm(url: str) -> str:
        parts = urlsplit(url.strip())
        host = parts.netloc.lower().removeprefix("www.")
        return f"{host}{parts.path.rstrip('/')}"

    return norm(a) == norm(b)


def _item_urls(meta: PageMeta, item: dict[str, Any]) -> list[str]:
    urls = []
    for name in ("url", "@id", "mainEntityOfPage"):
        value = meta.resolve(item.get(name))
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, str) and value.startswith(("http://", "https://", "//")):
            urls.append(value)
    return urls


def own_article(meta: PageMeta, titles: list[str]) -> dict[str, Any] | None:
    """The JSON-LD item describing this page's own story, or ``None``.

    Pages list other stories too (teasers as ``NewsArticle`` items in the
    same graph).  The page's own item is the article whose address is the
    page's; else one whose headline is the page's title; else the first
    article that does not name another page.
    """
    articles = [i for i in meta.ld if any(_ARTICLE_TYPE.search(t) for t in types_of(i))]
    if meta.url is not None:
        for item in articles:
            if any(same_page(u, meta.url) for u in _item_urls(meta, item)):
                return item
    wanted = [key(t) for t in titles if key(t)]
    for item in articles:
        headline = item.get("headline") or item.get("name")
        k = key(headline) if isinstance(headline, str) else ""
        # A page title may carry the site's name at either end of the headline.
        if k and any(w.startswith(k) or w.endswith(k) for w in wanted):
            return item
    for item in articles:
        if not _item_urls(meta, item):
            return item
    # An article naming some address is the page's own only when the page
    # states no address to compare it with and lists no other article.
    if meta.url is None and len(articles) == 1:
        return articles[0]
    return None


def name_of(value: Any) -> str | None:
    """The name in a JSON-LD person/organisation value (a string, an object or a list)."""
    if isinstance(value, str):
        return " ".join(value.split()) or None
    if isinstance(value, dict):
        return name_of(value.get("name"))
    if isinstance(value, list):
        names = [n for n in (name_of(v) for v in value) if n]
        return ", ".join(names) or None
    return None


def host_of(url: str | None) -> str | None:
    """The host name of ``url`` without ``www.``, or ``None``."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def publisher_names(meta: PageMeta, article: dict[str, Any] | None) -> list[str]:
    """Publisher names from JSON-LD: the own article's first, then any organisation's."""
    names: list[str] = []
    items = ([article] if article is not None else []) + meta.ld
    for item in items:
        name = name_of(meta.resolve(item.get("publisher")))
        if name:
            names.append(name)
    for item in meta.ld:
        if any(_ORGANISATION.search(t) for t in types_of(item)):
            name = name_of(item.get("name"))
            if name:
                names.append(name)
    return names


def section_names(meta: PageMeta, article: dict[str, Any] | None) -> set[str]:
    """Keys of the page's section names: a source must never be one of these."""
    sections = set(meta.metas.get("article:section", ()))
    sections.update(meta.metas.get("section", ()))
    for item in [article] if article is not None else []:
        value = item.get("articleSection")
        sections.update(
            [value] if isinstance(value, str) else value if isinstance(value, list) else []
        )
    for item in meta.ld:
        if "BreadcrumbList" in types_of(item):
            for crumb in item.get("itemListElement") or []:
                if isinstance(crumb, dict):
                    name = name_of(crumb.get("name") or crumb.get("item"))
                    if name:
                        sections.add(name)
    if meta.url:
        try:
            path = urlsplit(meta.url).path
        except ValueError:
            path = ""
        # The folders of the address, not its last part (the story's own slug).
        sections.update([part for part in path.split("/") if part][:-1])
    return {key(s) for s in sections if isinstance(s, str) and key(s)}


def _is_name(text: str | None) -> bool:
    return bool(text) and not re.match(r"(https?:)?//", str(text)) and len(str(text)) <= 120


def site_names(meta: PageMeta, article: dict[str, Any] | None) -> list[str]:
    """Every name the page gives its site, best first (used to strip it from titles)."""
    candidates = [
        meta.meta("og:site_name"),
        *publisher_names(meta, article),
        meta.meta("application-name"),
        meta.meta("apple-mobile-web-app-title"),
        meta.meta("publisher"),
        (meta.meta("twitter:site") or "").lstrip("@") or None,
        host_of(meta.url),
    ]
    names: list[str] = []
    for name in candidates:
        if name and _is_name(name) and name not in names:
            names.append(name)
    return names


def source_of(meta: PageMeta, article: dict[str, Any] | None, author: str | None) -> str | None:
    """The outlet: ``og:site_name``, the JSON-LD publisher, ``<meta name=publisher>``, else the host.

    A name that is the page's section (``U.S.``, ``Politics``) or its
    author is not the outlet, and is passed over.
    """
    sections = section_names(meta, article)
    if author:
        sections.update(key(a) for a in author.split(","))
    for name in (
        meta.meta("og:site_name"),
        *publisher_names(meta, article),
        meta.meta("publisher"),
    ):
        if name and _is_name(name) and key(name) and key(name) not in sections:
            return name
    return host_of(meta.url)


def author_of(meta: PageMeta, article: dict[str, Any] | None) -> str | None:
    """``<meta name=author>``, ``article:author`` when it is a name, else the JSON-LD author(s)."""
    named = meta.meta("author")
    if named:
        return named
    listed = meta.meta("article:author")
    if listed and _is_name(listed):
        return listed
    items = ([article] if article is not None else []) + meta.ld
    return next((n for n in (name_of(meta.resolve(i.get("author"))) for i in items) if n), None)
