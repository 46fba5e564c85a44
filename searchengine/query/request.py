"""One question to the index: the query and what narrows, orders and pages it.

No Whoosh here: a request is checked (:meth:`SearchRequest.validate`) before
any index is opened, so a bad option costs nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from searchengine.errors import UsageError
from searchengine.models import Period

SortOrder = Literal["relevance", "newest", "oldest"]
SORT_ORDERS: tuple[SortOrder, ...] = ("relevance", "newest", "oldest")
#: Hits per page at most; more is a paging job (``--page``).
MAX_LIMIT = 1000
MAX_PAGE = 1_000_000


def check_paging(limit: int, page: int) -> None:
    """Raise :class:`UsageError` for a page size or page number out of range."""
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"--limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if not 1 <= page <= MAX_PAGE:
        raise UsageError(f"--page must be between 1 and {MAX_PAGE:,}, not {page}")


@dataclass(frozen=True)
class SearchRequest:
    """One question: the query and everything that narrows or orders it."""

    query: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    source: str | None = None
    sort: SortOrder = "relevance"
    limit: int = 10
    page: int = 1
    snippets: bool = True
    #: Show each story once, its near-duplicates folded into the best-ranked copy.
    collapse: bool = True
    #: The period the timeline counts by; ``None`` chooses from its span.
    by: Period | None = None

    def validate(self) -> None:
        if self.sort not in SORT_ORDERS:
            raise UsageError(f"unknown sort {self.sort!r}; use one of {', '.join(SORT_ORDERS)}")
        check_paging(self.limit, self.page)
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise UsageError(f"--from {self.date_from} is after --to {self.date_to}; swap them")

    def filters(self) -> tuple[tuple[str, str], ...]:
        active = []
        if self.date_from:
            active.append(("from", self.date_from.isoformat()))
        if self.date_to:
            active.append(("to", self.date_to.isoformat()))
        if self.source:
            active.append(("source", self.source))
        if self.sort != "relevance":
            active.append(("sort", self.sort))
        return tuple(active)
