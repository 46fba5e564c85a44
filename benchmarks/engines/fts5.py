"""SQLite FTS5 (stdlib ``sqlite3``): ``tokenize='porter unicode61'``, dates in a content table.

Articles go to an ordinary table ``docs(id, title, body, date, source)`` with
an index on ``date`` (an integer ``YYYYMMDD``); ``fts`` is an external-content
FTS5 table over its title and body.  One transaction for the whole load.
Queries use FTS5's syntax: ``NEAR(a b, 3)`` for slop (unordered, unlike the
others), ``pre*`` for prefixes, ``title : w`` for a field; there is no fuzzy
matching (reported as n/a).  Top 10 by ``rank`` (BM25) with ``snippet()`` of
the body, and ``count(*)`` for the total.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

from benchmarks.corpus_reader import read_docs
from benchmarks.engines import TOP, BenchEngine, Searcher, Unsupported
from benchmarks.querymix import CLASSES, BenchQuery

DB_NAME = "fts.sqlite"

SCHEMA = """
CREATE TABLE docs(id INTEGER PRIMARY KEY, title TEXT, body TEXT, date INTEGER, source TEXT);
CREATE INDEX docs_date ON docs(date);
CREATE VIRTUAL TABLE fts USING fts5(
    title, body, content='docs', content_rowid='id', tokenize='porter unicode61'
);
"""


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def match_expression(q: BenchQuery) -> str:
    """``q`` in FTS5 query syntax."""
    w = q.words
    if q.kind == "single":
        return _quoted(w[0])
    if q.kind == "and":
        return " AND ".join(_quoted(x) for x in w)
    if q.kind == "or":
        return " OR ".join(_quoted(x) for x in w)
    if q.kind in ("phrase", "phrase_date"):
        return _quoted(" ".join(w))
    if q.kind == "slop":
        return f"NEAR({' '.join(_quoted(x) for x in w)}, {q.slop})"
    if q.kind == "prefix":
        return _quoted(w[0]) + " *"
    if q.kind == "field":
        return "title : " + _quoted(w[0])
    raise Unsupported(q.kind)


def statements(q: BenchQuery) -> tuple[str, str, list[Any]]:
    """(top-10 SQL, count SQL, parameters) for ``q``."""
    low, high = q.date_bounds()
    dated = low is not None or high is not None
    params: list[Any] = []
    where: list[str] = []
    if q.kind == "browse":
        if dated:
            where.append("date BETWEEN ? AND ?")
            params += [low or 0, high or 99_999_999]
        cond = (" WHERE " + " AND ".join(where)) if where else ""
        top = (
            f"SELECT id, title, date, source, substr(body, 1, 240) FROM docs{cond} "
            f"ORDER BY date DESC LIMIT {TOP}"
        )
        return top, f"SELECT count(*) FROM docs{cond}", params
    params.append(match_expression(q))
    if dated:
        where.append("d.date BETWEEN ? AND ?")
        params += [low or 0, high or 99_999_999]
    cond = "".join(" AND " + c for c in where)
    top = (
        "SELECT d.id, d.title, d.date, d.source, snippet(fts, 1, '[', ']', '…', 24) "
        f"FROM fts JOIN docs d ON d.id = fts.rowid WHERE fts MATCH ?{cond} "
        f"ORDER BY rank LIMIT {TOP}"
    )
    if dated:
        count = f"SELECT count(*) FROM fts JOIN docs d ON d.id = fts.rowid WHERE fts MATCH ?{cond}"
    else:
        count = "SELECT count(*) FROM fts WHERE fts MATCH ?"
    return top, count, params


class _Fts5Searcher(Searcher):
    def __init__(self, index_dir: Path) -> None:
        self.db = sqlite3.connect(index_dir / DB_NAME)

    def search(self, q: BenchQuery) -> int:
        top, count, params = statements(q)
        self.db.execute(top, params).fetchall()
        total: int = self.db.execute(count, params).fetchone()[0]
        return total

    def close(self) -> None:
        self.db.close()


COLD_CODE = """
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
top, count, params = sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
rows = db.execute(top, params).fetchall()
print(db.execute(count, params).fetchone()[0], len(rows))
"""


class Fts5Bench(BenchEngine):
    name = "fts5"
    supports = frozenset(CLASSES) - {"fuzzy"}

    def build(self, corpus: Path, index_dir: Path) -> dict[str, Any]:
        index_dir.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(index_dir / DB_NAME)
        db.executescript(SCHEMA)
        count = 0
        batch: list[tuple[int, str, str, int | None, str | None]] = []

        def flush() -> None:
            db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?)", batch)
            db.executemany(
                "INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)",
                [(row[0], row[1], row[2]) for row in batch],
            )
            batch.clear()

        with db:
            for doc in read_docs(corpus):
                count += 1
                batch.append((count, doc.title, doc.body, doc.date, doc.source))
                if len(batch) >= 1000:
                    flush()
            flush()
        db.close()
        return {"articles": count}

    def open(self, index_dir: Path) -> Searcher:
        return _Fts5Searcher(index_dir)

    def cold_argv(self, index_dir: Path, q: BenchQuery) -> list[str] | None:
        import json

        top, count, params = statements(q)
        return [
            sys.executable,
            "-c",
            COLD_CODE,
            str(index_dir / DB_NAME),
            top,
            count,
            json.dumps(params),
        ]

    def versions(self) -> dict[str, str]:
        return {"sqlite": sqlite3.sqlite_version}
