"""tantivy (Python bindings), when installed: a Rust engine for scale.

Schema: title and body ``en_stem`` text (stored), date an indexed fast
integer ``YYYYMMDD``, source a raw stored string.  One default writer
(tantivy picks its threads), one commit.  Queries go through
``Index.parse_query`` over title and body with AND by default; prefixes are
``regex_query("pre.*")`` and fuzzy words ``fuzzy_term_query`` (distance 1,
a transposition counting as one edit), over both fields; a date range is a
fast-field ``range_query``; snippets come from ``SnippetGenerator``.

The module is imported through :mod:`importlib` so the benchmark (and mypy)
work without tantivy installed.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from benchmarks.corpus_reader import read_docs
from benchmarks.engines import TOP, BenchEngine, Searcher, cold_script_argv, dist_version
from benchmarks.querymix import BenchQuery

FIELDS = ["title", "body"]


def _tantivy() -> Any:
    return importlib.import_module("tantivy")


def make_schema() -> Any:
    t = _tantivy()
    sb = t.SchemaBuilder()
    sb.add_text_field("title", stored=True, tokenizer_name="en_stem")
    sb.add_text_field("body", stored=True, tokenizer_name="en_stem")
    sb.add_integer_field("date", stored=True, indexed=True, fast=True)
    sb.add_text_field("source", stored=True, tokenizer_name="raw")
    return sb.build()


class _TantivySearcher(Searcher):
    def __init__(self, index_dir: Path) -> None:
        self.t = _tantivy()
        self.ix = self.t.Index.open(str(index_dir))
        self.schema = self.ix.schema
        self.searcher = self.ix.searcher()

    def _either_field(self, make: Any) -> Any:
        t = self.t
        return t.Query.boolean_query([(t.Occur.Should, make(f)) for f in FIELDS])

    def _query(self, q: BenchQuery) -> Any:
        t, schema = self.t, self.schema
        if q.kind == "browse":
            return t.Query.all_query()
        if q.kind == "prefix":
            pattern = q.words[0] + ".*"
            return self._either_field(lambda f: t.Query.regex_query(schema, f, pattern))
        if q.kind == "fuzzy":
            word = q.words[0]
            return self._either_field(
                lambda f: t.Query.fuzzy_term_query(
                    schema, f, word, distance=1, transposition_cost_one=True, prefix=False
                )
            )
        return self.ix.parse_query(q.text(), FIELDS, conjunction_by_default=True)

    def search(self, q: BenchQuery) -> int:
        t = self.t
        query = self._query(q)
        low, high = q.date_bounds()
        if low or high:
            dates = t.Query.range_query(
                self.schema, "date", t.FieldType.Integer, low or 0, high or 99_999_999
            )
            query = t.Query.boolean_query([(t.Occur.Must, query), (t.Occur.Must, dates)])
        searcher = self.searcher
        if q.kind == "browse":
            result = searcher.search(query, TOP, order_by_field="date", order=t.Order.Desc)
            for _key, address in result.hits:
                searcher.doc(address).to_dict()
            count: int = result.count
            return count
        result = searcher.search(query, TOP)
        snippets = t.SnippetGenerator.create(searcher, query, self.schema, "body")
        for _score, address in result.hits:
            doc = searcher.doc(address)
            doc.to_dict()
            snippets.snippet_from_doc(doc).to_html()
        count = result.count
        return count


COLD_CODE = """
import sys
import tantivy as t
d, text, low, high, browse = sys.argv[1:]
ix = t.Index.open(d)
s = ix.searcher()
q = t.Query.all_query() if browse == "1" else ix.parse_query(text, ["title", "body"], conjunction_by_default=True)
if low or high:
    r = t.Query.range_query(ix.schema, "date", t.FieldType.Integer, int(low or 0), int(high or 99999999))
    q = t.Query.boolean_query([(t.Occur.Must, q), (t.Occur.Must, r)])
if browse == "1":
    res = s.search(q, 10, order_by_field="date", order=t.Order.Desc)
    out = [s.doc(a).to_dict() for _, a in res.hits]
else:
    res = s.search(q, 10)
    g = t.SnippetGenerator.create(s, q, ix.schema, "body")
    out = [g.snippet_from_doc(s.doc(a)).to_html() for _, a in res.hits]
print(res.count, len(out))
"""


class TantivyBench(BenchEngine):
    name = "tantivy"

    def unavailable(self) -> str | None:
        try:
            _tantivy()
        except ImportError:
            return "tantivy is not installed (pip install tantivy)"
        return None

    def build(self, corpus: Path, index_dir: Path) -> dict[str, Any]:
        t = _tantivy()
        index_dir.mkdir(parents=True, exist_ok=True)
        ix = t.Index(make_schema(), path=str(index_dir))
        writer = ix.writer()
        count = 0
        for doc in read_docs(corpus):
            fields: dict[str, Any] = {"title": doc.title, "body": doc.body}
            if doc.date is not None:
                fields["date"] = doc.date
            if doc.source:
                fields["source"] = doc.source
            writer.add_document(t.Document(**fields))
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        return {"articles": count}

    def open(self, index_dir: Path) -> Searcher:
        return _TantivySearcher(index_dir)

    def cold_argv(self, index_dir: Path, q: BenchQuery) -> list[str] | None:
        if q.kind in ("prefix", "fuzzy"):
            return None
        return cold_script_argv(COLD_CODE, index_dir, q)

    def versions(self) -> dict[str, str]:
        return {"tantivy": dist_version("tantivy")}
