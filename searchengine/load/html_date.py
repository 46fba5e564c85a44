"""A web page's publication date, from the plainest statement the page makes.

In this order (the first that gives a date wins):

1. ``article:published_time`` (Open Graph);
2. JSON-LD ``datePublished`` of the page's own article (not of a teaser
   item in the same graph);
3. Dublin Core (``DC.date.issued``, ``dcterms.issued``, ``DC.date``, ...);
4. microdata ``itemprop="datePublished"`` in the article's own region;
5. other common ``<meta>`` names (``publishdate``, ``pubdate``, ``date``,
   ``sailthru.date``, ``parsely-pub-date``, ...);
6. a ``<time>`` in the article's own region, one labelled "published"
   first, never one labelled "updated";
7. a date in the address (``/2019/09/24/``, ``…-2019-09-24``);
8. a date written in a byline or dateline of the article's own region;
9. a date in ``og:title``, ``<title>`` or the headline.

Modified/updated dates are never read, so they cannot replace the
publication date; nor are dates from embedded posts, teaser lists, comment
threads or the masthead (``html_regions``).  A date with a time zone keeps
the calendar day the page gives (``parse_date``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from searchengine.dates import parse_date
from searchengine.load.html_datetext import (
    PUBLISH_CUES,
    dates_in,
    first_date,
    is_update_label,
    label_at_end,
)
from searchengine.load.html_meta import PageMeta, same_page, types_of
from searchengine.load.html_regions import Regions, tokens

OPEN_GRAPH = ("article:published_time", "og:article:published_time", "article:published")
DUBLIN_CORE = (
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dc:date",
    "dc.date.publication",
    "dc.date.created",
    "dcterms.created",
    "dc.created",
)
COMMON_META = (
    "publishdate",
    "publish-date",
    "publish_date",
    "published-date",
    "published_date",
    "published_time",
    "og:published_time",
    "publication_date",
    "publicationdate",
    "pubdate",
    "date",
    "datepublished",
    "date_published",
    "article.published",
    "article_date_original",
    "original-publish-date",
    "sailthru.date",
    "parsely-pub-date",
    "cxenseparse:recs:publishtime",
    "citation_publication_date",
    "citation_date",
    "displaydate",
    "dateposted",
    "og:pubdate",
    "og:publish_date",
)
#: class/id words of the elements that hold a byline or dateline.
BYLINE_WORDS = (
    "date",
    "time",
    "publi",
    "posted",
    "byline",
    "meta",
    "info",
    "datum",
    "fecha",
    "zeit",
    "stamp",
    "data",
)
#: A byline is short; a longer element is a container, read through its children.
_BYLINE_CHARS = 300
_UPDATE_WORDS = ("update", "modif", "datemodified", "lastmod")
_PUBLISH_WORDS = ("publish", "pubdate", "entry", "created", "posted")
#: Attributes that name a <meta>: one naming a modified date or a copyright
#: year is removed before htmldate reads the page (it would fall back on it).
_META_NAMES = ("name", "property", "itemprop", "http-equiv")
_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})([-/_.])(\d{1,2})\2(\d{1,2})(?!\d)")
_URL_COMPACT_DATE = re.compile(r"(?<!\d)(?:19|20)\d{6}(?!\d)")


class PageDates:
    """The date statements of one page, read in the order of the module's docstring."""

    def __init__(
        self,
        doc: Any,
        meta: PageMeta,
        article: dict[str, Any] | None,
        regions: Regions,
        *,
        htmldate: bool = True,
    ) -> None:
        self.doc = doc
        self.meta = meta
        self.article = article
        self.regions = regions
        self.use_htmldate = htmldate
        self.latest = dt.date.today() + dt.timedelta(days=2)

    def steps(self) -> list[tuple[str, Callable[[], dt.date | None]]]:
        """The readers, named, in order."""
        return [
            ("open graph", lambda: self._meta(OPEN_GRAPH)),
            ("json-ld", self._json_ld),
            ("dublin core", lambda: self._meta(DUBLIN_CORE)),
            ("microdata", self._microdata),
            ("meta name", lambda: self._meta(COMMON_META)),
            ("time element", self._time_elements),
            ("address", self._address),
            ("byline", self._byline),
            ("title", self._titles),
            *([("htmldate", self._htmldate)] if self.use_htmldate else []),
        ]

    def publication_date(self) -> dt.date | None:
        """The first date the readers find, or ``None``."""
        for _, step in self.steps():
            found = step()
            if found is not None:
                return found
        return None

    def _meta(self, names: tuple[str, ...]) -> dt.date | None:
        for name in names:
            for value in self.meta.metas.get(name, ()):
                found = parse_date(value)
                if found is not None:
                    return found
        return None

    def _json_ld(self) -> dt.date | None:
        if self.article is not None:
            found = parse_date(self.article.get("datePublished"))
            if found is not None:
                return found
        for item in self.meta.ld:
            if item is self.article or _is_other_story(self.meta, item):
                continue
            found = parse_date(item.get("datePublished"))
            if found is not None:
                return found
        return None

    def _own(self, tag: str | None = None) -> Iterator[Any]:
        body = self.doc.find("body")
        if body is None:
            return
        for element in body.iter(tag) if tag else body.iter():
            if isinstance(element.tag, str) and not self.regions.foreign(element):
                yield element

    def _microdata(self) -> dt.date | None:
        for element in self.doc.iter():
            if not isinstance(element.tag, str):
                continue
            props = (element.get("itemprop") or "").lower().split()
            if "datepublished" not in props or self.regions.foreign(element):
                continue
            value = element.get("content") or element.get("datetime")
            found = parse_date(value) if value else first_date(element.text_content() or "")
            if found is not None:
                return found
        return None

    def _time_elements(self) -> dt.date | None:
        first: dt.date | None = None
        for element in self._own("time"):
            kind = _time_kind(element)
            if kind == "updated":
                continue
            value = element.get("datetime")
            found = parse_date(value) if value else first_date(element.text_content() or "")
            if found is None:
                continue
            if kind == "published":
                return found
            first = first or found
        return first

    def _address(self) -> dt.date | None:
        if not self.meta.url:
            return None
        try:
            path = urlsplit(self.meta.url).path
        except ValueError:
            return None
        for match in _URL_DATE.finditer(path):
            found = _plausible(match.group(1), match.group(3), match.group(4), self.latest)
            if found is not None:
                return found
        for match in _URL_COMPACT_DATE.finditer(path):
            digits = match.group(0)
            found = _plausible(digits[:4], digits[4:6], digits[6:], self.latest)
            if found is not None:
                return found
        return None

    def _byline(self) -> dt.date | None:
        for element in self._own():
            if not _bylike(element):
                continue
            text = element.text_content() or ""
            if len(text) > _BYLINE_CHARS:
                continue
            # The label may be outside the element: "Updated <span>3 March</span>".
            label = _label_before(element)
            for found in dates_in(label + text):
                if found.start >= len(label) and not found.updated and found.day <= self.latest:
                    return found.day
        return None

    def _titles(self) -> dt.date | None:
        headline = self.regions.headline
        texts = [
            self.meta.meta("og:title"),
            next((t.text_content() for t in self.doc.iter("title")), None),
            headline.text_content() if headline is not None else None,
        ]
        for text in texts:
            if text:
                found = first_date(text)
                if found is not None and found <= self.latest:
                    return found
        return None

    def _htmldate(self) -> dt.date | None:
        """htmldate's wider vocabulary, on a copy of the page cut down to the article's own region.

        Embeds, teasers, comments, page header and footer, modified-date
        tags and JSON-LD (already read, teasers and all) are removed first,
        so that what htmldate finds can only be the article's own date.
        """
        import copy

        import htmldate  # lazy; trafilatura has imported it already

        pruned = copy.deepcopy(self.doc)
        doomed = []
        for original, twin in zip(self.doc.iter(), pruned.iter(), strict=True):
            if not isinstance(original.tag, str):
                continue
            if original.tag == "meta":
                names = {(original.get(a) or "").lower() for a in _META_NAMES}
                if any(w in n for n in names for w in (*_UPDATE_WORDS, "copyright")):
                    doomed.append(twin)
            elif (
                original.tag == "script" and "ld+json" in (original.get("type") or "").lower()
            ) or (
                self._in_body(original)
                and (self.regions.foreign(original) or _only_updates(original))
            ):
                doomed.append(twin)
        for twin in doomed:
            twin.drop_tree()
        try:
            found = htmldate.find_date(
                pruned, extensive_search=False, original_date=True, url=self.meta.url
            )
        except Exception:  # a third-party heuristic must never cost the article
            return None
        day = dt.date.fromisoformat(found) if found else None
        return day if day is not None and day <= self.latest else None

    def _in_body(self, element: Any) -> bool:
        return any(a.tag == "body" for a in element.iterancestors())


def _is_other_story(meta: PageMeta, item: dict[str, Any]) -> bool:
    """Whether a JSON-LD item describes a page other than this one."""
    url = item.get("url") or item.get("@id")
    if (
        isinstance(url, str)
        and meta.url
        and url.startswith("http")
        and not same_page(url, meta.url)
    ):
        return True
    return any(t.endswith(("Article", "BlogPosting")) for t in types_of(item))


def _bylike(element: Any) -> bool:
    """Whether an element is a ``<time>`` or is named like a byline or dateline."""
    return element.tag.lower() == "time" or any(
        word in token for token in tokens(element) for word in BYLINE_WORDS
    )


def _time_kind(element: Any) -> str:
    """``updated``, ``published`` or ``plain``: what a ``<time>``'s markup and label say it is."""
    words = " ".join(tokens(element) + tokens(element.getparent()))
    label = _label_before(element)
    if any(w in words for w in _UPDATE_WORDS) or is_update_label(label):
        return "updated"
    if (
        element.get("pubdate") is not None
        or any(w in words for w in _PUBLISH_WORDS)
        or any(cue in label for cue in PUBLISH_CUES)
    ):
        return "published"
    return "plain"


def _only_updates(element: Any) -> bool:
    """Whether an element shows only dates labelled as updates (so htmldate must not see it)."""
    if element.tag.lower() == "time" and _time_kind(element) == "updated":
        return True
    if not _bylike(element):
        return False
    text = element.text_content() or ""
    found = dates_in(text) if len(text) <= _BYLINE_CHARS else []
    return bool(found) and all(d.updated for d in found)


def _label_before(element: Any) -> str:
    """The text just before ``element`` inside its parent, lower-case (its label)."""
    parent = element.getparent()
    if parent is None:
        return ""
    parts = [parent.text or ""]
    for sibling in parent:
        if sibling is element:
            break
        parts.append(sibling.text_content() or "")
        parts.append(sibling.tail or "")
    return label_at_end("".join(parts))


def _plausible(year: str, month: str, day: str, latest: dt.date) -> dt.date | None:
    try:
        found = dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
    return found if found <= latest else None


def publication_date(
    doc: Any,
    meta: PageMeta,
    article: dict[str, Any] | None,
    regions: Regions,
    *,
    htmldate: bool = True,
) -> dt.date | None:
    """The page's publication date (see the module docstring for the order), or ``None``."""
    return PageDates(doc, meta, article, regions, htmldate=htmldate).publication_date()
