"""Plain, frozen data passed between the layers.

These objects are the whole interface between the library and its two
front-ends (JSON and Rich): renderers read them, nothing else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Literal

#: Calendar periods matches are counted by (``--by``).
Period = Literal["day", "week", "month", "year"]


def article_id(path: str, record: int | None) -> str:
    """Return the stable id of the article at ``path`` (and ``record``).

    A hash of the absolute path and the record number: stable across
    incremental runs, short enough to type, and the same on every machine that
    indexes the same path.
    """
    key = f"{path}\x00{'' if record is None else record}".encode("utf-8", "surrogateescape")
    return hashlib.blake2b(key, digest_size=8).hexdigest()


@dataclass(frozen=True)
class Article:
    """One news article as read from a file (before analysis)."""

    path: str
    record: int | None
    title: str
    body: str
    date: dt.date | None = None
    source: str | None = None
    author: str | None = None
    url: str | None = None
    encoding: str | None = None

    @property
    def id(self) -> str:
        return article_id(self.path, self.record)


ProblemKind = Literal["skipped", "error"]


@dataclass(frozen=True)
class Problem:
    """Input that did not become an article, and why.

    ``skipped`` is input that is not an article (empty, binary, no body);
    ``error`` is input that should have been one and could not be read.
    """

    path: str
    record: int | None
    reason: str
    kind: ProblemKind


@dataclass(frozen=True)
class LoadResult:
    """Everything one file yielded: its articles and its problems."""

    articles: tuple[Article, ...] = ()
    problems: tuple[Problem, ...] = ()
    #: For a JSON Lines file: each article's line, as 8 bytes of BLAKE2b
    #: (what the index keeps to tell an unchanged line without parsing it).
    line_digests: tuple[bytes, ...] = ()
    #: Record numbers of lines passed over unparsed because the caller
    #: knew their bytes (``load_file``'s ``known``).
    unchanged: tuple[int, ...] = ()


@dataclass(frozen=True)
class IndexSummary:
    """What an ``index`` run did, in articles."""

    added: int
    updated: int
    unchanged: int
    removed: int
    skipped: tuple[Problem, ...]
    errors: tuple[Problem, ...]
    articles: int
    took_ms: float
    files_seen: int = 0
    files_ignored: int = 0
    #: Stored articles re-cleaned because their source's learned boilerplate changed.
    recleaned: int = 0


@dataclass(frozen=True)
class Progress:
    """A progress report sent by the indexer to whoever draws progress.

    In the ``writing`` stage ``files_done``/``files_total`` count articles
    written out of those read: a run reads every file first, then writes.
    ``merging`` is the commit when it merges segments (``current`` says how
    many, and ``files_total`` is the articles they hold); ``committing`` a
    commit that only lists the new segments.
    """

    files_done: int
    files_total: int
    articles_done: int
    current: str | None = None
    stage: Literal["scanning", "reading", "writing", "merging", "committing", "done"] = "reading"


@dataclass(frozen=True)
class Snippet:
    """A passage of an article with ``[start, end)`` offsets of matched words."""

    text: str
    highlights: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Duplicate:
    """A near-duplicate folded into a hit: enough to name it and open it."""

    id: str
    title: str
    source: str | None


@dataclass(frozen=True)
class Hit:
    """One article in a result list (or shown whole by ``show``)."""

    id: str
    path: str
    record: int | None
    title: str
    date: dt.date | None
    source: str | None
    author: str | None
    url: str | None
    score: float | None = None
    snippets: tuple[Snippet, ...] = ()
    #: Near-duplicates of this article that also matched, collapsed into it
    #: (best ranked first); empty when results are not collapsed.
    duplicates: tuple[Duplicate, ...] = ()


@dataclass(frozen=True)
class Timeline:
    """Results per calendar period, over every result of a query.

    ``counts`` holds the periods that have any, oldest first, each under its
    label (``2021``, ``2021-09``, or the day ``2021-09-06``; a week is
    labelled by its Monday).  Undated results are counted apart, so
    ``sum(counts) + undated`` is the number of results.
    """

    by: Period
    counts: tuple[tuple[str, int], ...] = ()
    undated: int = 0

    @property
    def total(self) -> int:
        return sum(count for _, count in self.counts) + self.undated


@dataclass(frozen=True)
class SourceCounts:
    """Results per source (outlet), largest first; those without a source
    are counted apart, so the counts add up to the number of results."""

    counts: tuple[tuple[str, int], ...] = ()
    no_source: int = 0

    @property
    def total(self) -> int:
        return sum(count for _, count in self.counts) + self.no_source


@dataclass(frozen=True)
class SearchResult:
    """One page of results for one query."""

    query: str
    total: int
    page: int
    limit: int
    took_ms: float
    suggestion: str | None
    hits: tuple[Hit, ...]
    #: Results per period over every result, not only this page (each story
    #: once when collapsed, at its first matching copy); ``None`` for results
    #: that are not counted over time (``similar``).
    timeline: Timeline | None = None
    filters: tuple[tuple[str, str], ...] = ()
    #: Matching articles before near-duplicates were collapsed (``total``
    #: counts each story once); ``None`` means nothing was collapsed.
    total_uncollapsed: int | None = None
    #: Results per source over every result, counted like ``timeline``.
    sources: SourceCounts | None = None


@dataclass(frozen=True)
class SimilarResult:
    """The articles most like one article (``similar``): a page of hits."""

    article: Hit
    #: The article's key terms (indexed, i.e. stemmed, forms) that were searched for.
    terms: tuple[str, ...]
    result: SearchResult


@dataclass(frozen=True)
class ArticleView:
    """A whole article as ``show`` returns it."""

    hit: Hit
    body: str
    encoding: str | None
    #: Highlight spans over ``body`` when a query was given.
    highlights: tuple[tuple[int, int], ...] = ()
    query: str | None = None
    #: The text as read, boilerplate included, when asked for (``show --raw``).
    raw: str | None = None
    #: Highlight spans over ``raw`` when a query was given.
    raw_highlights: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class SourceCut:
    """Boilerplate cut from the articles of one source (or, for articles
    without a source, of one folder)."""

    source: str | None
    folder: str | None
    articles: int  # articles something was cut from
    lines: int
    chars: int


@dataclass(frozen=True)
class ClusterCount:
    """How many near-duplicate clusters the index holds, and at what similarity."""

    clusters: int
    articles: int  # articles in a cluster (each cluster has two or more)
    threshold: float


@dataclass(frozen=True)
class Stats:
    """What the index holds."""

    articles: int
    sources: tuple[tuple[str, int], ...]
    first_date: dt.date | None
    last_date: dt.date | None
    undated: int
    by_month: tuple[tuple[str, int], ...]
    index_bytes: int
    index_path: str = ""
    #: Boilerplate cut, per source with any, most characters first.
    boilerplate: tuple[SourceCut, ...] = ()
    #: Near-duplicate clusters of the commit the rest describes.
    duplicates: ClusterCount | None = None


@dataclass(frozen=True)
class Series:
    """One query of a trend: its results per period of :class:`Trend`."""

    query: str
    #: Results per period, aligned with ``Trend.periods``.
    counts: tuple[int, ...]
    #: Results without a date (never in a period; none when a date filter is on).
    undated: int
    #: ``counts`` divided by ``Trend.articles`` per period (0 where that is 0),
    #: with ``--share``; else ``None``.
    shares: tuple[float, ...] | None = None

    @property
    def total(self) -> int:
        """Every result of the query: what ``search`` gives as ``total``."""
        return sum(self.counts) + self.undated


@dataclass(frozen=True)
class Trend:
    """Several queries counted per period, side by side (``trend``)."""

    by: Period
    #: Every period from the first to the last, labelled as in :class:`Timeline`.
    periods: tuple[str, ...]
    #: The first day of each period.
    starts: tuple[dt.date, ...]
    series: tuple[Series, ...]
    #: With ``share``: every result of the empty query per period, under the
    #: same filters (what the shares are of); else ``None``.
    articles: tuple[int, ...] | None = None
    filters: tuple[tuple[str, str], ...] = ()
    collapsed: bool = True
    took_ms: float = 0.0

    @property
    def share(self) -> bool:
        return self.articles is not None


@dataclass(frozen=True)
class ExportRow:
    """One result as ``export`` writes it: the hit's metadata (no snippets)."""

    id: str
    path: str
    record: int | None
    title: str
    date: dt.date | None
    source: str | None
    author: str | None
    url: str | None
    score: float | None
    #: Ids of the matching near-duplicates folded into this row (collapsed export).
    duplicates: tuple[str, ...] = ()
    #: The indexed text, with ``--body``; else ``None``.
    body: str | None = None


@dataclass(frozen=True)
class KwicLine:
    """One occurrence of a query's word or phrase in an article's text, in context."""

    id: str
    title: str
    date: dt.date | None
    source: str | None
    #: The text before the match (whitespace runs made single spaces), at
    #: most the context width, ending right before the match.
    left: str
    match: str
    right: str
    #: Where the match starts in the article's indexed text.
    offset: int


@dataclass(frozen=True)
class Concordance:
    """Every occurrence of a query in its results' texts (``kwic``)."""

    query: str
    #: Results searched (each story once when collapsed); some may hold no
    #: occurrence in their text (a match in the title only).
    results: int
    lines: tuple[KwicLine, ...]
    width: int
    filters: tuple[tuple[str, str], ...] = ()
    took_ms: float = 0.0


#: What a command returns and prints: one of these, as JSON or drawn for people
#: (``render.json_out.document``, ``render.rich_out.drawn``).
Result = SearchResult | SimilarResult | ArticleView | Stats | IndexSummary | Trend | Concordance
