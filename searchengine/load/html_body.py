"""A web page's story text: trafilatura's, with the page's furniture lines taken out.

trafilatura finds the story; what it lets through is judged line by line
against the page's own structure, never against ``<script>`` text (a page
may carry its whole story in a JSON block too).  A line is furniture when
it is wholly the text of a link, a menu, the page's header or footer, or a
box the page itself names as a promotion, share bar, byline, embedded post
or teaser; or when it is a reading-time note or a copyright line.  The
headline's own containers are never furniture, so a story that sits in an
``<aside>`` or a ``<header>`` stays an article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from searchengine.load.html_regions import named, own_ancestors
from searchengine.load.textutil import clean_text, same_title

#: Tags whose text is never article text in a plain reading of a page.
FURNITURE_TAGS = (
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
_BLOCKS = frozenset(
    {
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
    }
)
#: Page-level tags whose lines are furniture when trafilatura lets them through.
_FURNITURE_ROOTS = frozenset(
    {
        "nav",
        "header",
        "footer",
        "aside",
        "form",
        "button",
        "select",
        "label",
        "noscript",
        "template",
    }
)
#: class/id words (prefixes) of boxes that are not the story.
FURNITURE_WORDS = (
    "author",
    "banner",
    "breadcrumb",
    "byline",
    "comment",
    "consent",
    "cookie",
    "copyright",
    "date",
    "embed",
    "firma",
    "instagram",
    "newsletter",
    "paywall",
    "promo",
    "rail",
    "ranking",
    "readtime",
    "recommend",
    "related",
    "share",
    "sidebar",
    "signup",
    "social",
    "subscri",
    "teaser",
    "tiktok",
    "trending",
    "tweet",
    "twitter",
    "widget",
    "writer",
)
#: A furniture box this short is furniture in any part of it (a tweet's
#: attribution line, a promo's second sentence); a longer one only as a whole.
_SMALL_BOX = 600
_READING_TIME = re.compile(
    r"^(?:(?:reading time|lesezeit|temps de lecture|tiempo de lectura)\s*:?\s*)?"
    r"\d+\s*(?:-\s*\d+\s*)?(?:min(?:ute)?s?|mins?\.)\.?\s*"
    r"(?:read|reading|lesen|lesezeit|de lecture|de lectura|di lettura|leestijd)?$",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(
    r"^(?:©|\(c\)|copyright\b)|all rights reserved|alle rechte vorbehalten|tous droits réservés"
    r"|todos los derechos reservados|版权所有|無断転載|무단 전재|جميع الحقوق محفوظة|저작권자",
    re.IGNORECASE,
)
_COPYRIGHT_LINE_CHARS = 200
#: Menus and forms are furniture however long; other boxes only when short or mostly links.
_ALWAYS_FURNITURE = frozenset({"nav", "form", "button", "select", "label", "noscript", "template"})
_LINK_LIST_SHARE = 0.5
#: Elements that hold running text: nothing inside them is pruned as a box.
_RUNNING_TEXT = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "dd", "blockquote"})
#: trafilatura's time grows faster than the page (a million ``<p>`` took over
#: a minute and 500 MB); past this many elements the plain reading of the
#: page's ``<article>``/``<main>`` is used instead.
MAX_EXTRACT_ELEMENTS = 15_000


@dataclass(frozen=True)
class BodySettings:
    """How the story is extracted (the alternatives ``benchmarks/html_quality.py`` measures).

    ``focus`` is trafilatura's ``precision``, ``balanced`` or ``recall``;
    ``fast`` skips its fallback extractors (readability, jusText);
    ``prune`` removes the page's named furniture boxes before extraction;
    ``furniture_filter`` drops furniture lines from the result.
    """

    focus: str = "balanced"
    fast: bool = False
    prune: bool = True
    furniture_filter: bool = True


#: Chosen by measurement on the fixture pages (benchmarks/html_quality.py --compare).
DEFAULT_SETTINGS = BodySettings()


def _norm(text: str) -> str:
    return " ".join(text.split())


def element_text(element: Any) -> str:
    """The readable text of ``element``: block elements become paragraphs, furniture is dropped.

    The element itself is read whatever its tag (a story may be an ``<aside>``).
    """
    parts: list[str] = []

    def walk(node: Any, root: bool = False) -> None:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag in FURNITURE_TAGS and not root:
            if node.tail:
                parts.append(node.tail)
            return
        block = tag in _BLOCKS
        if block:
            parts.append("\n\n")
        if node.text and tag:
            parts.append(node.text)
        for child in node:
            walk(child)
        if block:
            parts.append("\n\n")
        if node.tail and not root:
            parts.append(node.tail)

    walk(element, root=True)
    return clean_text(re.sub(r"[ \t]*\n[ \t]*\n\s*", "\n\n", "".join(parts)))


class Furniture:
    """The page's furniture texts, gathered once, to judge extracted lines by."""

    def __init__(self, doc: Any, headline: Any | None) -> None:
        self.whole: set[str] = set()
        self.small: list[str] = []
        self._small_joined: str | None = None
        # A line that is all link is a menu item or a teaser; one that is
        # all <time> is a date stamp.
        for element in doc.iter("a", "time"):
            self.whole.add(_norm(element.text_content() or ""))
        body = doc.find("body")
        if body is not None:
            self._gather(body, own_ancestors(headline))

    def _gather(self, body: Any, keep: frozenset[Any]) -> None:
        stack = list(body)
        while stack:
            element = stack.pop()
            if not isinstance(element.tag, str):
                continue
            if element not in keep and self._is_root(element):
                text = _norm(element.text_content() or "")
                # A long box of plain prose is a story whatever it is called
                # (``<div class="article-body with-author">``); a long box of
                # links is a teaser list.
                if (
                    element.tag.lower() in _ALWAYS_FURNITURE
                    or len(text) <= _SMALL_BOX
                    or _link_share(element, text) >= _LINK_LIST_SHARE
                ):
                    self.whole.add(text)
                    self.whole.update(_block_lines(element))
                    if len(text) <= _SMALL_BOX:
                        self.small.append(text)
                    continue
            stack.extend(element)

    @staticmethod
    def _is_root(element: Any) -> bool:
        tag = element.tag.lower()
        if tag in ("header", "footer"):
            inside = any(
                isinstance(a.tag, str) and a.tag.lower() in ("article", "main")
                for a in element.iterancestors()
            )
            if not inside:
                return True
        elif tag in _FURNITURE_ROOTS:
            return True
        return _named_furniture(element)

    def holds(self, line: str) -> bool:
        """Whether ``line`` is furniture."""
        line = _norm(line)
        if line in self.whole or _READING_TIME.match(line):
            return True
        if len(line) <= _COPYRIGHT_LINE_CHARS and _COPYRIGHT.search(line):
            return True
        if self._small_joined is None:
            # One search through all small boxes at once; NUL keeps them apart.
            self._small_joined = "\0".join(self.small)
        return line in self._small_joined


def _block_lines(element: Any) -> list[str]:
    """The text of ``element`` cut where its block elements begin and end (one walk)."""
    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag in _BLOCKS:
            parts.append("\n")
        if event == "start" and node.text and tag:
            parts.append(node.text)
        elif event == "end" and node.tail and node is not element:
            parts.append(node.tail)
    return [_norm(line) for line in "".join(parts).split("\n") if line.strip()]


def _named_furniture(element: Any) -> bool:
    return named(element, FURNITURE_WORDS)


def _small_or_links(element: Any) -> bool:
    """Whether a box is short, or mostly links: never a story, whatever it is called."""
    text = _norm(element.text_content() or "")
    return len(text) <= _SMALL_BOX or _link_share(element, text) >= _LINK_LIST_SHARE


def prune_furniture(doc: Any, headline: Any | None) -> None:
    """Remove the boxes the page names as furniture (bylines, promos, share bars, embeds).

    trafilatura is better at finding paragraphs without them: a byline box
    inside a CJK article makes it read the whole article as one paragraph.
    Boxes holding the headline, and long boxes of prose, are kept.
    """
    keep = own_ancestors(headline)
    body = doc.find("body")
    if body is None:
        return
    doomed = []
    stack = list(body)
    while stack:
        element = stack.pop()
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if element not in keep and tag in _FURNITURE_ROOTS:
            continue  # menus and side boxes: trafilatura leaves them out by itself
        if element not in keep and _named_furniture(element) and _small_or_links(element):
            doomed.append(element)
        elif tag not in _RUNNING_TEXT:
            # Inside a paragraph, a named <span> (an AP-style dateline) is
            # part of the first sentence: paragraphs are never cut.
            stack.extend(element)
    for element in doomed:
        element.drop_tree()  # keeps the text that follows the box


def _link_share(element: Any, text: str) -> float:
    """How much of an element's text is link text (0 to 1)."""
    linked = sum(len(_norm(a.text_content() or "")) for a in element.iter("a"))
    return linked / max(1, len(text))


def _fallback_element(doc: Any, headline: Any | None) -> Any:
    """The element the story is in, for when trafilatura finds nothing."""
    if headline is not None:
        for ancestor in headline.iterancestors():
            if ancestor.tag in ("article", "main", "body"):
                return ancestor
            if (
                len(_norm(ancestor.text_content() or ""))
                > 3 * len(_norm(headline.text_content() or "")) + 80
            ):
                return ancestor
    for tag in ("article", "main"):
        found = next(iter(doc.iter(tag)), None)
        if found is not None:
            return found
    body = doc.find(".//body")
    return body if body is not None else doc


def _trafilatura(doc: Any, settings: BodySettings) -> str:
    import trafilatura  # lazy: heavy, and only HTML needs it

    extracted = trafilatura.extract(
        doc,  # the parsed tree: trafilatura copies it rather than parsing the page again
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        favor_precision=settings.focus == "precision",
        favor_recall=settings.focus == "recall",
        fast=settings.fast,
    )
    return extracted or ""


def extract_body(
    doc: Any, headline: Any | None, titles: list[str], settings: BodySettings = DEFAULT_SETTINGS
) -> str:
    """The story text of a parsed page, paragraphs separated by blank lines ("" when none).

    The tree is taken over: furniture is removed from it (read the date first).
    """
    too_big = sum(1 for _ in doc.iter()) > MAX_EXTRACT_ELEMENTS
    furniture = Furniture(doc, headline) if settings.furniture_filter else None
    if settings.prune and not too_big:
        prune_furniture(doc, headline)
    lines = [] if too_big else [ln.strip() for ln in _trafilatura(doc, settings).split("\n")]
    lines = [ln for ln in lines if ln]
    if furniture is not None:
        lines = [ln for ln in lines if not furniture.holds(ln)]
    if not lines:
        text = element_text(_fallback_element(doc, headline))
        lines = [ln for ln in text.split("\n") if ln.strip()]
        if furniture is not None:
            lines = [ln for ln in lines if not furniture.holds(ln)]
    while lines and any(same_title(lines[0], t) for t in titles if t):
        lines.pop(0)  # the headline is the title, not the body's first paragraph
    return clean_text("\n\n".join(lines))
