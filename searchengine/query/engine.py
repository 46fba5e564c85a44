"""The query layer's front door: search, show and stats over one index.

An :class:`Engine` keeps one Whoosh searcher open (the interactive shell
asks many questions in a row) and replaces it with a fresh one when another
process has committed since; ``Searcher.refresh()`` is avoided because the
Whoosh forks have returned deleted documents from it after merges.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from whoosh import query

from searchengine.dates import day_number, from_day_number
from searchengine.errors import ArticleNotFoundError
from searchengine.index import clusters
from searchengine.index import directory as store
from searchengine.index.lexicon import Lexicon
from searchengine.index.protocols import Searcher
from searchengine.index.schema import original_text, term_text
from searchengine.models import (
    ArticleView,
    Duplicate,
    Hit,
    Period,
    SearchResult,
    Snippet,
    SourceCounts,
    Stats,
    Timeline,
)
from searchengine.query import aggregate
from searchengine.query import columns as doc_columns
from searchengine.query import matches as match_sets
from searchengine.query.collapse import collapse
from searchengine.query.datefilter import DayTable, hoist_date_ranges
from searchengine.query.expand import expand
from searchengine.query.highlight import MatchSpec, match_spans, spec_for
from searchengine.query.parse import parse_query
from searchengine.query.ranking import Order, RankedHit, Ranking, match_arrays, rank
from searchengine.query.request import SearchRequest, SortOrder
from searchengine.query.snippets import make_snippets, snippets_at
from searchengine.query.stats import index_stats
from searchengine.query.suggest import suggest

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from searchengine.index.columns import Columns
    from searchengine.index.summary import Summaries
    from searchengine.query.browse import DateOrders
    from searchengine.query.execute import Counts, Execution
    from searchengine.query.matches import MatchSet


def _hit(
    fields: dict[str, Any],
    score: float | None,
    snippets: tuple[Snippet, ...],
    duplicates: tuple[Duplicate, ...] = (),
) -> Hit:
    date = fields.get("date")
    return Hit(
        id=fields["id"],
        path=fields["path"],
        record=fields.get("record"),
        title=fields.get("title", ""),
        date=from_day_number(date) if date else None,
        source=fields.get("source"),
        author=fields.get("author"),
        url=fields.get("url"),
        score=score,
        snippets=snippets,
        duplicates=duplicates,
    )


#: How old the index folder's modification time must be for an unchanged
#: one to vouch that nothing was committed (far above any file system's
#: timestamp granularity).
_SETTLED_NS = 2_000_000_000


#: One entry of a result page: document number, score (``None`` when sorted
#: by date), and the document numbers of the near-duplicates folded into it.
PageEntry = tuple[int, float | None, tuple[int, ...]]


@dataclass
class _Answer:
    """One page of a query's answer, however it was computed."""

    page: list[PageEntry]
    #: Stories (collapsed) or articles: the ``total`` of the result.
    total: int
    #: Matching articles.
    uncollapsed: int
    #: Every match, for the timeline and the source counts (``None`` when
    #: they are counted already: a browse's).
    found: MatchSet | None
    #: The executor's run, whose postings give the snippets' word positions
    #: (``None`` on the reference path: snippets re-read the text).
    execution: Execution | None = None
    timeline: Timeline | None = None
    sources: SourceCounts | None = None

    def counts(self, by: Period | None) -> tuple[Timeline, SourceCounts]:
        """The timeline and the source counts of every result."""
        if self.timeline is not None and self.sources is not None:
            return self.timeline, self.sources
        assert self.found is not None
        return aggregate.timeline(self.found, by), aggregate.sources(self.found)


class Engine:
    """Search, show and stats over the index in ``index_dir``.

    Searches run on :mod:`searchengine.query.execute` (whole arrays);
    ``executor=False`` keeps every search on the reference path, Whoosh's
    matchers through :mod:`searchengine.query.ranking`, which the tests
    compare the executor with and which answers any query the executor
    does not evaluate.
    """

    def __init__(self, index_dir: str, *, executor: bool = True) -> None:
        self.index_dir = index_dir
        self.executor = executor
        #: Searches the executor handed to the reference path (a node it
        #: does not evaluate); the tests expect none.
        self.fallbacks = 0
        #: What the last search read through the executor (terms looked up,
        #: postings and positions decoded); ``None`` after the reference path.
        self.last_work: Counts | None = None
        self._ix = store.open_for_reading(index_dir)
        self._searcher: Searcher | None = None
        self._days: DayTable | None = None
        self._lexicon: Lexicon | None = None
        self._clusters: clusters.Clusters | None = None
        self._columns: doc_columns.DocColumns | None = None
        self._segment_columns: Columns | None = None
        self._date_orders: DateOrders | None = None
        self._summaries: Summaries | None = None
        #: The folder's modification time when the open searcher was last
        #: found up to date, once it was old enough to trust (see _up_to_date).
        self._settled_stamp: int | None = None

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
            self._days = None
            self._clusters = None
            self._columns = None
            self._segment_columns = None
            self._date_orders = None
            if self._summaries is not None:
                self._summaries.close()
                self._summaries = None
        self._settled_stamp = None
        self._lexicon = None

    def searcher(self) -> Searcher:
        """An open searcher on the latest commit.

        Called once at the start of each operation (search, show, stats,
        similar); everything within it uses :meth:`current`, so one operation
        sees one commit even when a new one lands meanwhile.
        """
        if self._searcher is not None and not self._up_to_date(self._searcher):
            self.close()
        return self.current()

    def _up_to_date(self, searcher: Searcher) -> bool:
        """Whether ``searcher`` is on the latest commit.

        Whoosh finds the latest commit by listing the index folder (about
        50 us, a tenth of a browse).  A commit adds a file to the folder,
        which changes the folder's modification time: while it stays what
        it was at the last full check, nothing was committed.  It is only
        trusted once it is :data:`_SETTLED_NS` old at that check, so that a
        commit within the same tick of the file system's clock (which can
        be coarse) cannot leave it unchanged.
        """
        try:
            stamp = os.stat(self.index_dir).st_mtime_ns
        except OSError:
            stamp = None
        if stamp is not None and stamp == self._settled_stamp:
            return True
        fresh = bool(searcher.up_to_date())
        settled = stamp is not None and time.time_ns() - stamp > _SETTLED_NS
        self._settled_stamp = stamp if fresh and settled else None
        return fresh

    def current(self) -> Searcher:
        """The searcher of the operation under way (opened if there is none)."""
        if self._searcher is None:
            self._searcher = store.open_searcher(self._ix, self.index_dir)
        return self._searcher

    def lexicon(self) -> Lexicon:
        """The written words of the index, read on first use after each commit
        (a newer commit closes the searcher, which drops the cached list)."""
        if self._lexicon is None:
            self._lexicon = Lexicon(self.index_dir)
        return self._lexicon

    def clusters(self) -> clusters.Clusters:
        """The near-duplicate clusters of the current searcher's commit."""
        searcher = self.current()
        if self._clusters is None:
            self._clusters = clusters.load(searcher.reader(), self.index_dir)
        return self._clusters

    def columns(self) -> doc_columns.DocColumns:
        """Every document's day, source and cluster, for the current searcher."""
        if self._columns is None:
            self._columns = doc_columns.read(self.segment_columns(), self.clusters())
        return self._columns

    def segment_columns(self) -> Columns:
        """What the executor reads of every document, segment by segment
        (field lengths, days, deletions), for the current searcher."""
        from searchengine.index.columns import Columns

        searcher = self.current()
        if self._segment_columns is None:
            self._segment_columns = Columns(searcher)
        return self._segment_columns

    def date_orders(self) -> DateOrders:
        """The current searcher's live documents in each date order (what a
        browse by date reads), made on first use."""
        from searchengine.query.browse import DateOrders

        if self._date_orders is None:
            self._date_orders = DateOrders(self.segment_columns(), self.columns())
        return self._date_orders

    def summaries(self) -> Summaries:
        """The current searcher's articles' summaries (what a hit line
        shows, the lead included), each segment's file mapped on first use."""
        from searchengine.index.summary import Summaries

        if self._summaries is None:
            segments = self.segment_columns().segments
            self._summaries = Summaries([(s.reader, s.offset) for s in segments])
        return self._summaries

    def article(self, docnum: int) -> Hit:
        """The article numbered ``docnum`` as a hit of its own: no score, no snippets."""
        return _hit(self.current().stored_fields(docnum), None, ())

    def duplicate(self, docnum: int) -> Duplicate:
        """The article ``docnum`` as a near-duplicate of a hit (from its
        summary; from its stored fields on the reference path)."""
        if self.executor:
            fields = self.summaries().summary(docnum).fields
        else:
            fields = self.current().stored_fields(docnum)
        return Duplicate(fields["id"], fields.get("title", ""), fields.get("source"))

    def ranked(
        self,
        q: Any,
        order: Order,
        *,
        first: int,
        count: int,
        collapsed: bool,
        flt: set[int] | None = None,
        mask: set[int] | None = None,
    ) -> tuple[Ranking, list[tuple[RankedHit, tuple[Duplicate, ...]]], int]:
        """Rank ``q``: every match, one page of (hit, duplicates), and the
        total (of collapsed results when ``collapsed``)."""
        results = rank(self.current(), q, order, depth=first + count, allow=flt, exclude=mask)
        if not collapsed:
            return results, [(h, ()) for h in results.page(first, count)], len(results)
        entries, total = collapse(results, results.deeper, self.clusters(), first, count)
        page = [(e.hit, tuple(self.duplicate(d) for d in e.duplicates)) for e in entries]
        return results, page, total

    def hits(
        self,
        page: list[tuple[RankedHit, tuple[Duplicate, ...]]],
        spec: Any,
        *,
        scored: bool,
        snippets: bool = True,
    ) -> list[Hit]:
        """The page of :meth:`ranked` as :class:`Hit` objects, with snippets."""
        out = []
        for hit, duplicates in page:
            fields = hit.fields()
            score = hit.score if scored else None
            passages = make_snippets(fields.get("body", ""), spec) if snippets else ()
            out.append(_hit(fields, score, passages, duplicates))
        return out

    # -- search ---------------------------------------------------------

    def days(self) -> DayTable:
        """The day table of the current searcher, built on first use."""
        searcher = self.current()
        if self._days is None:
            self._days = DayTable(searcher)
        return self._days

    def _filter(
        self,
        request: SearchRequest,
        searcher: Searcher,
        ranges: list[tuple[int | None, int | None]],
    ) -> set[int] | None:
        """The document numbers every hit must be among, or ``None`` for all."""
        allowed: set[int] | None = None
        for low, high in self._date_ranges(request, ranges):
            docs = self.days().between(low, high)
            allowed = docs if allowed is None else allowed & docs
        if request.source is not None:
            docs = set()
            for name in self._source_names(request.source, searcher):
                docs.update(searcher.docs_for_query(query.Term("source_name", name)))
            allowed = docs if allowed is None else allowed & docs
        return allowed

    @staticmethod
    def _date_ranges(
        request: SearchRequest, ranges: list[tuple[int | None, int | None]]
    ) -> list[tuple[int | None, int | None]]:
        """The query's date ranges and the request's ``--from``/``--to``."""
        ranges = list(ranges)
        if request.date_from or request.date_to:
            low = day_number(request.date_from) if request.date_from else None
            high = day_number(request.date_to) if request.date_to else None
            ranges.append((low, high))
        return ranges

    @staticmethod
    def _source_names(source: str, searcher: Any) -> list[Any]:
        """The indexed source names equal to ``source``, ignoring case."""
        wanted = source.strip().casefold()
        return [n for n in searcher.lexicon("source_name") if term_text(n).casefold() == wanted]

    def _allowed(
        self, request: SearchRequest, searcher: Any, ranges: list[tuple[int | None, int | None]]
    ) -> NDArray[np.bool_] | None:
        """:meth:`_filter` as a mask over the searcher's documents."""
        import numpy as np

        from searchengine.index.postings import term_postings

        columns = self.segment_columns()
        allowed = None
        for low, high in self._date_ranges(request, ranges):
            days = columns.days
            inside = days > 0
            if low is not None:
                inside &= days >= low
            if high is not None:
                inside &= days <= high
            allowed = inside if allowed is None else allowed & inside
        if request.source is not None:
            named = np.zeros(columns.size, dtype=np.bool_)
            names = self._source_names(request.source, searcher)
            for segment in columns.segments:
                for name in names:
                    found = term_postings(segment.reader, "source_name", name)
                    if found is not None:
                        named[found.docs.astype(np.int64) + segment.offset] = True
            allowed = named if allowed is None else allowed & named
        return allowed

    def _run(
        self,
        request: SearchRequest,
        searcher: Any,
        expanded: Any,
        ranges: list[tuple[int | None, int | None]],
        order: SortOrder,
    ) -> Execution | None:
        """Every match through the executor, or ``None`` for a query it does
        not evaluate (counted in :attr:`fallbacks`)."""
        from searchengine.query.execute import Unsupported, execute

        columns = self.segment_columns()
        allowed = self._allowed(request, searcher, ranges)
        try:
            run = execute(searcher, columns, expanded, order, allow=allowed)
        except Unsupported:
            self.fallbacks += 1
            return None
        self.last_work = run.counts
        return run

    def _found(self, run: Execution, request: SearchRequest) -> MatchSet:
        """The executor's matches as a match set (what counts are made of)."""
        import numpy as np

        negated = -run.scores if run.scores is not None else np.zeros(len(run.docs))
        return match_sets.from_arrays(
            run.docs, negated, run.order, request.collapse, self.columns()
        )

    def _executed(
        self,
        request: SearchRequest,
        searcher: Any,
        expanded: Any,
        ranges: list[tuple[int | None, int | None]],
        order: SortOrder,
    ) -> _Answer | None:
        """The answer through the executor, or ``None`` for a query it does not
        evaluate."""
        run = self._run(request, searcher, expanded, ranges, order)
        if run is None:
            return None
        first = (request.page - 1) * request.limit
        if request.collapse:
            page, total = run.collapsed(first, request.limit, self.columns().groups)
        else:
            page, total = run.page(first, request.limit), run.total
        return _Answer(page, total, run.total, self._found(run, request), run)

    def _browsed(
        self,
        request: SearchRequest,
        expanded: Any,
        ranges: list[tuple[int | None, int | None]],
        order: SortOrder,
    ) -> _Answer | None:
        """The answer to a browse by date (no words, no source filter, a date
        order) from the searcher's date orders, or ``None`` for any other query."""
        if type(expanded) is not query.Every or expanded.fieldname is not None:
            return None
        if request.source is not None or order == "relevance":
            return None
        from searchengine.query.execute import Counts

        browsed = self.date_orders().browse(
            order,
            self._date_ranges(request, ranges),
            first=(request.page - 1) * request.limit,
            count=request.limit,
            collapse=request.collapse,
            by=request.by,
        )
        self.last_work = Counts()
        return _Answer(
            browsed.page,
            browsed.total,
            browsed.uncollapsed,
            None,
            timeline=browsed.timeline,
            sources=browsed.sources,
        )

    def _reference(
        self,
        request: SearchRequest,
        searcher: Any,
        expanded: Any,
        ranges: list[tuple[int | None, int | None]],
        order: SortOrder,
    ) -> _Answer:
        """The answer through Whoosh's matchers (:mod:`searchengine.query.ranking`)."""
        flt = self._filter(request, searcher, ranges)
        if flt == set():
            return _Answer([], 0, 0, match_sets.empty(order, request.collapse, self.columns()))
        first = (request.page - 1) * request.limit
        results = rank(searcher, expanded, order, depth=first + request.limit, allow=flt)
        found = match_sets.from_keys(results.matches(), order, request.collapse, self.columns())
        if not request.collapse:
            hits = results.page(first, request.limit)
            page: list[PageEntry] = [(h.docnum, h.score, ()) for h in hits]
            return _Answer(page, len(results), len(results), found)
        entries, total = collapse(results, results.deeper, self.clusters(), first, request.limit)
        page = [(e.hit.docnum, e.hit.score, e.duplicates) for e in entries]
        return _Answer(page, total, len(results), found)

    def _page_hits(
        self, answer: _Answer, spec: MatchSpec, *, scored: bool, snippets: bool
    ) -> list[Hit]:
        """The answer's page as :class:`Hit` objects, with snippets."""
        searcher = self.current()
        run = answer.execution
        # Word positions from the postings serve unless the spec needs every
        # word's stem (a prefix or wildcard left unexpanded).
        positioned = run is not None and not spec.prefixes and not spec.wildcards
        needed = spec.terms | {w for p in spec.phrases for w in p.words}
        where: dict[int, dict[str, list[int]]] = {}
        if snippets and positioned and run is not None and spec:
            where = run.positions([docnum for docnum, _, _ in answer.page], "body", needed)
        # A hit that shows no more of its text than the lead (no words to
        # match in the body, or no snippets) is read from its summary; the
        # reference path reads the stored fields, which the tests compare.
        summarized = self.executor and not (snippets and spec)
        out = []
        for docnum, score, duplicates in answer.page:
            passages: tuple[Snippet, ...] = ()
            if summarized:
                summary = self.summaries().summary(docnum)
                fields = summary.fields
                if snippets and summary.lead:
                    passages = (Snippet(summary.lead, ()),)
            else:
                fields = searcher.stored_fields(docnum)
            if snippets and not summarized:
                body = fields.get("body", "")
                if positioned:
                    passages = snippets_at(body, spec, where.get(docnum, {}))
                else:
                    passages = make_snippets(body, spec)
            copies = tuple(self.duplicate(d) for d in duplicates)
            out.append(_hit(fields, score if scored else None, passages, copies))
        return out

    def _prepare(
        self, request: SearchRequest
    ) -> tuple[Any, SortOrder, list[tuple[int | None, int | None]], bool]:
        """Parse and expand ``request`` on a fresh searcher: the query to
        match, the order, the date ranges every hit must fall in, and
        whether it browses."""
        request.validate()
        searcher = self.searcher()
        parsed = parse_query(request.query, searcher.schema)
        expanded, ranges = hoist_date_ranges(expand(parsed, self.lexicon(), searcher.reader()))
        browse = isinstance(expanded, query.Every)
        order: SortOrder = "newest" if browse and request.sort == "relevance" else request.sort
        return expanded, order, ranges, browse

    def body_spec(self, query_text: str) -> MatchSpec:
        """What ``query_text`` matches in an article's text: the words and
        phrases highlighting marks (and ``kwic`` lists)."""
        searcher = self.searcher()
        parsed = parse_query(query_text, searcher.schema)
        return spec_for(expand(parsed, self.lexicon(), searcher.reader()), "body")

    def matches(self, request: SearchRequest) -> match_sets.MatchSet:
        """Every match of ``request`` (its query and filters; paging is
        ignored), as arrays: what every count and export is made of."""
        expanded, order, ranges, _ = self._prepare(request)
        searcher = self.current()
        if expanded is query.NullQuery:
            return match_sets.empty(order, request.collapse, self.columns())
        if self.executor:
            run = self._run(request, searcher, expanded, ranges, order)
            if run is not None:
                return self._found(run, request)
        flt = self._filter(request, searcher, ranges)
        if flt == set():
            return match_sets.empty(order, request.collapse, self.columns())
        docnums, negated = match_arrays(searcher, expanded, scored=order == "relevance", allow=flt)
        return match_sets.from_arrays(docnums, negated, order, request.collapse, self.columns())

    def search(self, request: SearchRequest) -> SearchResult:
        """One page of hits for ``request``, with the exact total."""
        started = time.perf_counter()
        expanded, order, ranges, browse = self._prepare(request)
        searcher = self.current()
        answer = _Answer([], 0, 0, match_sets.empty(order, request.collapse))
        hits: list[Hit] = []
        if expanded is not query.NullQuery:
            found = None
            self.last_work = None
            if self.executor:
                found = self._browsed(request, expanded, ranges, order) or self._executed(
                    request, searcher, expanded, ranges, order
                )
            answer = found or self._reference(request, searcher, expanded, ranges, order)
            spec = spec_for(expanded, "body")
            hits = self._page_hits(
                answer, spec, scored=order == "relevance", snippets=request.snippets
            )
        suggestion = None if browse else suggest(searcher.reader(), self.lexicon(), request.query)
        timeline, sources = answer.counts(request.by)
        return SearchResult(
            query=request.query,
            total=answer.total,
            page=request.page,
            limit=request.limit,
            took_ms=round((time.perf_counter() - started) * 1000.0, 3),
            suggestion=suggestion,
            hits=tuple(hits),
            timeline=timeline,
            filters=request.filters(),
            total_uncollapsed=answer.uncollapsed if request.collapse else None,
            sources=sources,
        )

    # -- show -----------------------------------------------------------

    def docnum(self, article_id: str) -> int:
        """The document number of ``article_id``, or :class:`ArticleNotFoundError`."""
        docnum: int | None = self.current().document_number(id=article_id.strip())
        if docnum is None:
            raise ArticleNotFoundError(
                f"no article with id {article_id!r} in {self.index_dir}; "
                "ids are printed by `searchengine search` (an index rebuilt elsewhere has other ids)"
            )
        return docnum

    def show(
        self, article_id: str, query_text: str | None = None, *, raw: bool = False
    ) -> ArticleView:
        """One whole article; with ``query_text``, its matches highlighted;
        with ``raw``, also the text as read, boilerplate included."""
        searcher = self.searcher()
        fields = searcher.stored_fields(self.docnum(article_id))
        body = fields.get("body", "")
        original = original_text(fields) if raw else None
        spans: tuple[tuple[int, int], ...] = ()
        raw_spans: tuple[tuple[int, int], ...] = ()
        snippets: tuple[Snippet, ...] = ()
        if query_text is not None and query_text.strip():
            expanded = expand(
                parse_query(query_text, searcher.schema), self.lexicon(), searcher.reader()
            )
            spec = spec_for(expanded, "body")
            spans = tuple(match_spans(body, spec))
            snippets = make_snippets(body, spec)
            if original is not None:
                raw_spans = tuple(match_spans(original, spec))
        return ArticleView(
            hit=_hit(fields, None, snippets),
            body=body,
            encoding=fields.get("encoding"),
            highlights=spans,
            query=query_text,
            raw=original,
            raw_highlights=raw_spans,
        )

    # -- stats ----------------------------------------------------------

    def stats(self) -> Stats:
        """What the index holds."""
        searcher = self.searcher()
        return index_stats(searcher, self.index_dir, self.clusters().count())
