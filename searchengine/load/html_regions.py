"""Which parts of a web page belong to its own article, and which do not.

A news page carries other people's dates and headlines: an embedded social
post, a teaser list of other stories, a comment thread, the masthead's
"today is ..." line.  Dates and headlines are only taken from the article's
own region.  The anchor is the headline: an element that holds the
headline is never foreign, however it is labelled (a story may sit in an
``<aside>`` or a ``<header>``).
"""

from __future__ import annotations

import re
from typing import Any

#: Elements whose content is never the article's own metadata: embeds,
#: quotes, side boxes and menus, forms.
FOREIGN_TAGS = frozenset(
    {
        "aside",
        "audio",
        "blockquote",
        "button",
        "embed",
        "figcaption",
        "figure",
        "footer",
        "form",
        "header",
        "iframe",
        "nav",
        "noscript",
        "object",
        "select",
        "template",
        "video",
    }
)

#: class/id words (prefixes) of teaser lists, comment threads, embedded
#: posts, promotions and sidebars, in the spellings sites actually use.
FOREIGN_WORDS = (
    "also",
    "card",
    "comment",
    "disqus",
    "embed",
    "facebook",
    "feed",
    "instagram",
    "latest",
    "leidas",
    "lire",
    "list",
    "more",
    "newsletter",
    "outbrain",
    "popular",
    "promo",
    "rail",
    "ranking",
    "recent",
    "recommend",
    "relacionad",
    "related",
    "reply",
    "share",
    "sidebar",
    "social",
    "taboola",
    "teaser",
    "ticker",
    "tiktok",
    "trending",
    "tweet",
    "twitter",
    "widget",
)

#: A footer or header inside the article is the article's own (a blog's
#: "Posted on" line, an article header with its dateline).
_OWN_CONTAINERS = frozenset({"article", "main"})

_TOKEN = re.compile(r"[^\W_]+")
#: Words that start like a furniture word but name a story ("commentary").
_STORY_WORDS = ("commentar",)


def tokens(element: Any) -> list[str]:
    """The lower-case words of an element's class, id and itemprop."""
    words = " ".join(element.get(name) or "" for name in ("class", "id", "itemprop"))
    return _TOKEN.findall(words.lower())


def named(element: Any, prefixes: tuple[str, ...]) -> bool:
    """Whether a word of the element's class, id or itemprop starts with one of ``prefixes``."""
    return any(
        word.startswith(prefixes) and not word.startswith(_STORY_WORDS) for word in tokens(element)
    )


def _foreign_by_name(element: Any) -> bool:
    return named(element, FOREIGN_WORDS)


def own_ancestors(headline: Any | None) -> frozenset[Any]:
    """The headline element and every element that contains it."""
    if headline is None:
        return frozenset()
    return frozenset(headline.iterancestors()) | {headline}


class Regions:
    """Answers "is this element part of the article's own region?"."""

    def __init__(self, headline: Any | None) -> None:
        self.headline = headline
        self._keep = own_ancestors(headline)
        self._memo: dict[Any, bool] = {}

    def foreign(self, element: Any) -> bool:
        """Whether ``element`` sits in an embed, teaser, comment or page furniture."""
        chain: list[Any] = []
        node = element
        verdict = False
        while node is not None:
            known = self._memo.get(node)
            if known is not None:
                verdict = known
                break
            chain.append(node)
            if self._foreign_here(node):
                verdict = True
                break
            node = node.getparent()
        for seen in chain:
            # Everything below a foreign element is foreign; an element that
            # reached the root without meeting one is not.
            self._memo[seen] = verdict
        return verdict

    def _foreign_here(self, node: Any) -> bool:
        if node in self._keep or not isinstance(node.tag, str):
            return False
        tag = node.tag.lower()
        if tag in ("header", "footer") and any(
            isinstance(a.tag, str) and a.tag.lower() in _OWN_CONTAINERS
            for a in node.iterancestors()
        ):
            return _foreign_by_name(node)
        if tag in FOREIGN_TAGS:
            return True
        if tag == "li" and node.find(".//a") is not None:
            return True  # a list item with a link is a teaser, not a byline
        return _foreign_by_name(node)
