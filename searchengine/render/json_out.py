"""JSON documents exactly as the interface contract shapes them.

Key order is fixed (scripts diff outputs), text is not ASCII-escaped (jq
prints it either way, people read it more easily), and every function here
returns plain ``dict``s so callers choose how to write them.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from searchengine.models import (
    ArticleView,
    ClusterCount,
    Concordance,
    ExportRow,
    Hit,
    IndexSummary,
    Problem,
    Result,
    SearchResult,
    SimilarResult,
    Snippet,
    SourceCounts,
    Stats,
    Timeline,
    Trend,
)
from searchengine.render import path_text


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def problem(p: Problem) -> dict[str, Any]:
    return {"path": path_text(p.path), "record": p.record, "reason": p.reason}


def index_summary(summary: IndexSummary) -> dict[str, Any]:
    return {
        "added": summary.added,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "removed": summary.removed,
        "skipped": [problem(p) for p in summary.skipped],
        "errors": [problem(p) for p in summary.errors],
        "articles": summary.articles,
        "took_ms": round(summary.took_ms, 3),
        "recleaned": summary.recleaned,
    }


def snippet(s: Snippet) -> dict[str, Any]:
    return {"text": s.text, "highlights": [[a, b] for a, b in s.highlights]}


def hit(h: Hit, *, with_score: bool = True, with_snippets: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": h.id,
        "path": path_text(h.path),
        "record": h.record,
        "title": h.title,
        "date": _date(h.date),
        "source": h.source,
        "author": h.author,
        "url": h.url,
    }
    if with_score:
        out["score"] = None if h.score is None else round(h.score, 6)
    if with_snippets:
        out["snippets"] = [snippet(s) for s in h.snippets]
    return out


def ranked_hit(h: Hit) -> dict[str, Any]:
    """A hit of a result list: the contract's hit plus the ids collapsed into it."""
    out = hit(h)
    out["duplicates"] = [d.id for d in h.duplicates]
    return out


def total_uncollapsed(result: SearchResult) -> int:
    return result.total if result.total_uncollapsed is None else result.total_uncollapsed


def _page(result: SearchResult) -> dict[str, Any]:
    """Where a page of hits is in the whole list: what ``search`` and ``similar`` share."""
    return {
        "total": result.total,
        "total_uncollapsed": total_uncollapsed(result),
        "page": result.page,
        "limit": result.limit,
        "took_ms": result.took_ms,
    }


def search_result(result: SearchResult) -> dict[str, Any]:
    out = {
        "query": result.query,
        **_page(result),
        "suggestion": result.suggestion,
        "hits": [ranked_hit(h) for h in result.hits],
    }
    if result.timeline is not None:
        out["timeline"] = timeline(result.timeline)
    if result.sources is not None:
        out["sources"] = sources(result.sources)
    return out


def timeline(t: Timeline) -> dict[str, Any]:
    """``{"by": "month", "counts": {"2021-09": 8}, "undated": 1}``: periods
    with results, oldest first; the counts and ``undated`` add up to ``total``."""
    return {"by": t.by, "counts": dict(t.counts), "undated": t.undated}


def sources(s: SourceCounts) -> dict[str, Any]:
    """``{"counts": {"Coastal Wire": 3}, "no_source": 1}``: largest first; the
    counts and ``no_source`` add up to ``total``."""
    return {"counts": dict(s.counts), "no_source": s.no_source}


def trend(t: Trend) -> dict[str, Any]:
    """``trend --json``: the periods, and per query its counts (and shares)
    aligned with them."""
    return {
        "by": t.by,
        "periods": list(t.periods),
        "series": [
            {
                "query": s.query,
                "total": s.total,
                "undated": s.undated,
                "counts": list(s.counts),
                "shares": None if s.shares is None else [round(v, 6) for v in s.shares],
            }
            for s in t.series
        ],
        "articles": None if t.articles is None else list(t.articles),
        "collapsed": t.collapsed,
        "took_ms": t.took_ms,
    }


def export_row(row: ExportRow) -> dict[str, Any]:
    """One line of ``export --format jsonl``: a search hit without snippets
    (plus ``body`` with ``--body``)."""
    out: dict[str, Any] = {
        "id": row.id,
        "path": path_text(row.path),
        "record": row.record,
        "title": row.title,
        "date": _date(row.date),
        "source": row.source,
        "author": row.author,
        "url": row.url,
        "score": None if row.score is None else round(row.score, 6),
        "duplicates": list(row.duplicates),
    }
    if row.body is not None:
        out["body"] = row.body
    return out


def concordance(c: Concordance) -> dict[str, Any]:
    """``kwic --json``: every occurrence, with its article and context."""
    return {
        "query": c.query,
        "results": c.results,
        "width": c.width,
        "took_ms": c.took_ms,
        "lines": [
            {
                "id": line.id,
                "date": _date(line.date),
                "source": line.source,
                "title": line.title,
                "left": line.left,
                "match": line.match,
                "right": line.right,
                "offset": line.offset,
            }
            for line in c.lines
        ],
    }


def similar_result(similar: SimilarResult) -> dict[str, Any]:
    """``similar --json``: modelled on ``search --json``, the query replaced by the article."""
    return {
        "id": similar.article.id,
        "title": similar.article.title,
        "terms": list(similar.terms),
        **_page(similar.result),
        "hits": [ranked_hit(h) for h in similar.result.hits],
    }


def article(view: ArticleView) -> dict[str, Any]:
    out = hit(view.hit, with_score=False, with_snippets=view.query is not None)
    out["body"] = view.body
    out["encoding"] = view.encoding
    if view.query is not None:
        out["highlights"] = [[a, b] for a, b in view.highlights]
    if view.raw is not None:
        out["raw"] = view.raw
        if view.query is not None:
            out["raw_highlights"] = [[a, b] for a, b in view.raw_highlights]
    return out


def stats(s: Stats) -> dict[str, Any]:
    return {
        "articles": s.articles,
        "sources": dict(s.sources),
        "first_date": _date(s.first_date),
        "last_date": _date(s.last_date),
        "undated": s.undated,
        "by_month": dict(s.by_month),
        "index_bytes": s.index_bytes,
        "index": s.index_path,
        "boilerplate": {
            "articles": sum(c.articles for c in s.boilerplate),
            "lines": sum(c.lines for c in s.boilerplate),
            "chars": sum(c.chars for c in s.boilerplate),
            "by_source": [
                {
                    "source": c.source,
                    "folder": None if c.folder is None else path_text(c.folder),
                    "articles": c.articles,
                    "lines": c.lines,
                    "chars": c.chars,
                }
                for c in s.boilerplate
            ],
        },
        "duplicates": None if s.duplicates is None else cluster_count(s.duplicates),
    }


def cluster_count(c: ClusterCount) -> dict[str, Any]:
    return {"clusters": c.clusters, "articles": c.articles, "threshold": c.threshold}


def document(result: Result) -> dict[str, Any]:
    """The ``--json`` document of any command's result."""
    if isinstance(result, SearchResult):
        return search_result(result)
    if isinstance(result, SimilarResult):
        return similar_result(result)
    if isinstance(result, ArticleView):
        return article(result)
    if isinstance(result, Stats):
        return stats(result)
    if isinstance(result, Trend):
        return trend(result)
    if isinstance(result, Concordance):
        return concordance(result)
    return index_summary(result)


def error(kind: str, message: str) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message}}


def dumps(document: Any) -> str:
    """One JSON document on one line: what ``--json`` prints."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))
