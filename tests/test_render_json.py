"""JSON output (``render/json_out.py``): each result as the contract shapes it,
key for key and in order, and one line of text per document.

The documents are made from results built here, so every value is known;
``test_search_json`` checks the same shapes through the real command.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from searchengine.models import (
    ArticleView,
    ClusterCount,
    Duplicate,
    Hit,
    IndexSummary,
    Problem,
    SearchResult,
    SimilarResult,
    Snippet,
    SourceCounts,
    SourceCut,
    Stats,
    Timeline,
)
from searchengine.render import json_out

from conftest import HIT_KEYS

HIT = Hit(
    id="0123456789abcdef",
    path="/news/2021/harbour.txt",
    record=None,
    title="Ferry returns after harbour repairs",
    date=dt.date(2021, 9, 6),
    source="Port Herald",
    author="Ana Reyes",
    url="https://example.org/ferry",
    score=3.14159265,
    snippets=(Snippet("… the harbour wall is fixed …", ((6, 13),)),),
    duplicates=(Duplicate("fedcba9876543210", "Ferry back", "Valley Herald"),),
)
HIT_DOCUMENT: dict[str, Any] = {
    "id": "0123456789abcdef",
    "path": "/news/2021/harbour.txt",
    "record": None,
    "title": "Ferry returns after harbour repairs",
    "date": "2021-09-06",
    "source": "Port Herald",
    "author": "Ana Reyes",
    "url": "https://example.org/ferry",
    "score": 3.141593,
    "snippets": [{"text": "… the harbour wall is fixed …", "highlights": [[6, 13]]}],
    "duplicates": ["fedcba9876543210"],
}
UNDATED = Hit(
    id="00000000000000aa",
    path="/news/feed.jsonl",
    record=3,
    title="",
    date=None,
    source=None,
    author=None,
    url=None,
)
RESULT = SearchResult(
    query="harbour",
    total=12,
    page=2,
    limit=1,
    took_ms=4.25,
    suggestion="harbor",
    hits=(HIT,),
    timeline=Timeline("month", (("2021-09", 11),), undated=1),
    filters=(("from", "2021-07-01"),),
    total_uncollapsed=13,
    sources=SourceCounts((("Coastal Wire", 9), ("Aske Times", 2)), no_source=1),
)


def test_a_hit_has_the_contract_s_keys_in_order_and_a_rounded_score() -> None:
    document = json_out.ranked_hit(HIT)
    assert document == HIT_DOCUMENT
    assert list(document) == HIT_KEYS


def test_an_undated_hit_has_nulls_and_a_date_sort_has_no_score() -> None:
    assert json_out.ranked_hit(UNDATED) == {
        "id": "00000000000000aa",
        "path": "/news/feed.jsonl",
        "record": 3,
        "title": "",
        "date": None,
        "source": None,
        "author": None,
        "url": None,
        "score": None,
        "snippets": [],
        "duplicates": [],
    }


def test_a_search_result_is_its_page_and_its_hits() -> None:
    document = json_out.document(RESULT)
    assert document == {
        "query": "harbour",
        "total": 12,
        "total_uncollapsed": 13,
        "page": 2,
        "limit": 1,
        "took_ms": 4.25,
        "suggestion": "harbor",
        "hits": [HIT_DOCUMENT],
        # Additive (issue 15): every result per period and per source, in order.
        "timeline": {"by": "month", "counts": {"2021-09": 11}, "undated": 1},
        "sources": {"counts": {"Coastal Wire": 9, "Aske Times": 2}, "no_source": 1},
    }
    assert list(document["sources"]["counts"]) == ["Coastal Wire", "Aske Times"]
    # Nothing collapsed: the count before collapsing is the total.
    plain = SearchResult("x", 7, 1, 10, 1.0, None, ())
    assert json_out.search_result(plain)["total_uncollapsed"] == 7


def test_a_similar_result_names_its_article_and_terms_instead_of_a_query() -> None:
    similar = SimilarResult(article=UNDATED, terms=("harbour", "ferri"), result=RESULT)
    assert json_out.document(similar) == {
        "id": "00000000000000aa",
        "title": "",
        "terms": ["harbour", "ferri"],
        "total": 12,
        "total_uncollapsed": 13,
        "page": 2,
        "limit": 1,
        "took_ms": 4.25,
        "hits": [HIT_DOCUMENT],
    }


def test_an_article_has_its_body_and_highlights_only_when_asked_with_a_query() -> None:
    bare = ArticleView(hit=HIT, body="The harbour wall is fixed.", encoding="utf-8")
    assert json_out.document(bare) == {
        **{k: v for k, v in HIT_DOCUMENT.items() if k not in ("score", "snippets", "duplicates")},
        "body": "The harbour wall is fixed.",
        "encoding": "utf-8",
    }
    asked = ArticleView(
        hit=HIT,
        body="The harbour wall is fixed.",
        encoding=None,
        highlights=((4, 11),),
        query="harbour",
        raw="Port Herald\nThe harbour wall is fixed.",
        raw_highlights=((16, 23),),
    )
    document = json_out.article(asked)
    assert list(document) == [
        *[k for k in HIT_KEYS if k not in ("score", "duplicates")],
        "body",
        "encoding",
        "highlights",
        "raw",
        "raw_highlights",
    ]
    assert (document["snippets"], document["highlights"]) == (HIT_DOCUMENT["snippets"], [[4, 11]])
    assert (document["raw"], document["raw_highlights"]) == (asked.raw, [[16, 23]])
    raw_only = ArticleView(hit=HIT, body="b", encoding=None, raw="a\nb")
    assert "raw_highlights" not in json_out.article(raw_only)
    assert json_out.article(raw_only)["raw"] == "a\nb"


def test_stats_sum_the_boilerplate_cut_and_give_the_clusters() -> None:
    stats = Stats(
        articles=9,
        sources=(("Port Herald", 5), ("Valley Herald", 3)),
        first_date=dt.date(2020, 1, 2),
        last_date=None,
        undated=1,
        by_month=(("2020-01", 6), ("2020-02", 2)),
        index_bytes=4096,
        index_path="/idx",
        boilerplate=(
            SourceCut("Port Herald", None, 4, 8, 300),
            SourceCut(None, "/news/b\udce9", 1, 2, 40),
        ),
        duplicates=ClusterCount(1, 3, 0.5),
    )
    assert json_out.document(stats) == {
        "articles": 9,
        "sources": {"Port Herald": 5, "Valley Herald": 3},
        "first_date": "2020-01-02",
        "last_date": None,
        "undated": 1,
        "by_month": {"2020-01": 6, "2020-02": 2},
        "index_bytes": 4096,
        "index": "/idx",
        "boilerplate": {
            "articles": 5,
            "lines": 10,
            "chars": 340,
            "by_source": [
                {
                    "source": "Port Herald",
                    "folder": None,
                    "articles": 4,
                    "lines": 8,
                    "chars": 300,
                },
                {"source": None, "folder": "/news/b\ufffd", "articles": 1, "lines": 2, "chars": 40},
            ],
        },
        "duplicates": {"clusters": 1, "articles": 3, "threshold": 0.5},
    }
    assert json_out.stats(Stats(0, (), None, None, 0, (), 0))["duplicates"] is None


def test_an_index_summary_lists_its_problems_with_readable_paths() -> None:
    summary = IndexSummary(
        added=2,
        updated=1,
        unchanged=5,
        removed=0,
        skipped=(Problem("/news/empty.txt", None, "empty file", "skipped"),),
        errors=(Problem("/news/caf\udce9.jsonl", 4, "not valid JSON", "error"),),
        articles=8,
        took_ms=12.34567,
        files_seen=9,
        recleaned=3,
    )
    assert json_out.document(summary) == {
        "added": 2,
        "updated": 1,
        "unchanged": 5,
        "removed": 0,
        "skipped": [{"path": "/news/empty.txt", "record": None, "reason": "empty file"}],
        "errors": [{"path": "/news/caf\ufffd.jsonl", "record": 4, "reason": "not valid JSON"}],
        "articles": 8,
        "took_ms": 12.346,
        "recleaned": 3,
    }


def test_an_error_is_its_type_and_message() -> None:
    assert json_out.error("bad_date", "no such day") == {
        "error": {"type": "bad_date", "message": "no such day"}
    }


def test_a_document_is_one_line_of_unescaped_text() -> None:
    line = json_out.dumps(json_out.document(RESULT))
    assert "\n" not in line and ", " not in line and '": ' not in line
    assert "… the harbour wall" in line  # not \u2026
    assert json.loads(line) == json_out.search_result(RESULT)
    assert json_out.dumps({"a": [1, "é"], "b": None}) == '{"a":[1,"é"],"b":null}'


def test_a_trend_has_its_periods_and_a_series_per_query() -> None:
    from searchengine.models import Series, Trend

    trend = Trend(
        by="week",
        periods=("2021-09-06", "2021-09-13"),
        starts=(dt.date(2021, 9, 6), dt.date(2021, 9, 13)),
        series=(Series("harbour", (4, 2), 1, (2 / 3, 1.0)),),
        articles=(6, 2),
        took_ms=3.5,
    )
    assert json_out.document(trend) == {
        "by": "week",
        "periods": ["2021-09-06", "2021-09-13"],
        "series": [
            {
                "query": "harbour",
                "total": 7,
                "undated": 1,
                "counts": [4, 2],
                "shares": [0.666667, 1.0],
            }
        ],
        "articles": [6, 2],
        "collapsed": True,
        "took_ms": 3.5,
    }


def test_an_export_row_is_a_hit_without_snippets_and_a_body_only_when_asked() -> None:
    from searchengine.models import ExportRow

    row = ExportRow(
        "0123456789abcdef",
        "/news/\udce9t\u00e9.txt",
        None,
        "Ferry",
        dt.date(2021, 9, 6),
        "Port Herald",
        None,
        None,
        1.23456789,
        ("00000000000000aa",),
    )
    assert json_out.export_row(row) == {
        "id": "0123456789abcdef",
        "path": "/news/\ufffdt\u00e9.txt",
        "record": None,
        "title": "Ferry",
        "date": "2021-09-06",
        "source": "Port Herald",
        "author": None,
        "url": None,
        "score": 1.234568,
        "duplicates": ["00000000000000aa"],
    }
    with_body = ExportRow(**{**row.__dict__, "body": "The text."})
    assert json_out.export_row(with_body)["body"] == "The text."
