"""Plain Whoosh, used the way its documentation shows: the baseline searchengine must beat.

A minimal schema (``StemmingAnalyzer`` text fields, a numeric date, a stored
source), a default ``ix.writer()``, one ``add_document`` per article and one
commit.  Queries go through ``MultifieldParser`` (plus ``FuzzyTermPlugin`` for
``word~``); a date range is a ``NumericRange`` filter; snippets are
``hit.highlights("body")``; the total is ``len(results)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.corpus_reader import read_docs
from benchmarks.engines import TOP, BenchEngine, Searcher, cold_script_argv, dist_version
from benchmarks.querymix import BenchQuery


def make_schema() -> Any:
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, NUMERIC, TEXT, Schema

    return Schema(
        title=TEXT(analyzer=StemmingAnalyzer(), stored=True),
        body=TEXT(analyzer=StemmingAnalyzer(), stored=True),
        date=NUMERIC(int, bits=32, stored=True, sortable=True),
        source=ID(stored=True),
    )


class _WhooshSearcher(Searcher):
    def __init__(self, index_dir: Path) -> None:
        from whoosh import index, query
        from whoosh.qparser import FuzzyTermPlugin, MultifieldParser

        self._query = query
        self.ix = index.open_dir(str(index_dir))
        self.searcher = self.ix.searcher()
        self.parser = MultifieldParser(["title", "body"], self.ix.schema)
        self.parser.add_plugin(FuzzyTermPlugin())

    def search(self, q: BenchQuery) -> int:
        query = self._query
        low, high = q.date_bounds()
        flt = query.NumericRange("date", low, high) if (low or high) else None
        if q.kind == "browse":
            results = self.searcher.search(
                query.Every(), limit=TOP, filter=flt, sortedby="date", reverse=True
            )
            for hit in results:
                hit.fields()
            return len(results)
        parsed = self.parser.parse(q.text())
        results = self.searcher.search(parsed, limit=TOP, filter=flt)
        for hit in results:
            hit.fields()
            hit.highlights("body")
        return len(results)

    def close(self) -> None:
        self.searcher.close()


#: A cold query in a fresh process: argv = [index_dir, query, low, high, browse].
COLD_CODE = """
import sys
from whoosh import index, query
from whoosh.qparser import FuzzyTermPlugin, MultifieldParser
d, text, low, high, browse = sys.argv[1:]
ix = index.open_dir(d)
s = ix.searcher()
flt = query.NumericRange("date", int(low) if low else None, int(high) if high else None) if (low or high) else None
if browse == "1":
    r = s.search(query.Every(), limit=10, filter=flt, sortedby="date", reverse=True)
    out = [h.fields() for h in r]
else:
    p = MultifieldParser(["title", "body"], ix.schema)
    p.add_plugin(FuzzyTermPlugin())
    r = s.search(p.parse(text), limit=10, filter=flt)
    out = [(h.fields(), h.highlights("body")) for h in r]
print(len(r), len(out))
"""


class PlainWhooshBench(BenchEngine):
    name = "plain-whoosh"

    def build(self, corpus: Path, index_dir: Path) -> dict[str, Any]:
        from whoosh import index

        index_dir.mkdir(parents=True, exist_ok=True)
        ix = index.create_in(str(index_dir), make_schema())
        writer = ix.writer()
        count = 0
        for doc in read_docs(corpus):
            fields: dict[str, Any] = {"title": doc.title, "body": doc.body}
            if doc.date is not None:
                fields["date"] = doc.date
            if doc.source:
                fields["source"] = doc.source
            writer.add_document(**fields)
            count += 1
        writer.commit()
        return {"articles": count}

    def open(self, index_dir: Path) -> Searcher:
        return _WhooshSearcher(index_dir)

    def cold_argv(self, index_dir: Path, q: BenchQuery) -> list[str] | None:
        return cold_script_argv(COLD_CODE, index_dir, q)

    def versions(self) -> dict[str, str]:
        return {"whoosh3": dist_version("whoosh3")}
