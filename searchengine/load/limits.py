"""Limits on the size of one article, shared by the loaders."""

from __future__ import annotations

#: Articles with more text than this are skipped.  The longest news articles
#: run to some tens of thousands of characters; indexing a 50 MB "article"
#: took 25 s and 900 MB of memory, and it would dominate every search.
MAX_ARTICLE_CHARS = 5_000_000


def too_long(chars: int) -> str:
    """The reason an article of ``chars`` characters is skipped."""
    return f"article text too long ({chars:,} characters; the limit is {MAX_ARTICLE_CHARS:,})"
