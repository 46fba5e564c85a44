"""searchengine itself: ``run_index`` for building, ``Engine.search`` for queries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from benchmarks.engines import TOP, BenchEngine, Searcher, dist_version
from benchmarks.querymix import BenchQuery


def _date(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


class _SeSearcher(Searcher):
    def __init__(self, index_dir: Path) -> None:
        from searchengine.query.engine import Engine
        from searchengine.query.request import SearchRequest

        self._request = SearchRequest
        self.engine = Engine(str(index_dir))

    def search(self, q: BenchQuery) -> int:
        request = self._request(
            query=q.text(),
            limit=TOP,
            date_from=_date(q.date_from),
            date_to=_date(q.date_to),
            sort="newest" if q.kind == "browse" else "relevance",
        )
        return self.engine.search(request).total

    def work(self) -> dict[str, int] | None:
        counts = self.engine.last_work
        return None if counts is None else dataclasses.asdict(counts)

    def hostile(self, text: str) -> str:
        from searchengine.errors import SearchEngineError

        try:
            return f"total {self.engine.search(self._request(query=text, limit=TOP)).total:,}"
        except SearchEngineError as error:
            return f"refused: {error}"

    def close(self) -> None:
        self.engine.close()


class SearchEngineBench(BenchEngine):
    name = "searchengine"

    def build(self, corpus: Path, index_dir: Path) -> dict[str, Any]:
        from searchengine.indexer.run import run_index

        summary = run_index(str(index_dir), [str(corpus)])
        return {
            "articles": summary.articles,
            "added": summary.added,
            "skipped": len(summary.skipped),
            "errors": len(summary.errors),
            "took_ms": summary.took_ms,
        }

    def open(self, index_dir: Path) -> Searcher:
        return _SeSearcher(index_dir)

    def cold_argv(self, index_dir: Path, q: BenchQuery) -> list[str] | None:
        argv = [sys.executable, "-m", "searchengine", "--index", str(index_dir), "search"]
        argv += [q.text(), "--json"]
        if q.date_from:
            argv += ["--from", q.date_from]
        if q.date_to:
            argv += ["--to", q.date_to]
        if q.kind == "browse":
            argv += ["--sort", "newest"]
        return argv

    def noop_argv(self, index_dir: Path, corpus: Path) -> list[str]:
        """``searchengine index`` over an unchanged corpus: the no-op re-run, as a user runs it."""
        return [
            sys.executable,
            "-m",
            "searchengine",
            "--index",
            str(index_dir),
            "index",
            str(corpus),
            "--json",
        ]

    def versions(self) -> dict[str, str]:
        return {"searchengine": dist_version("searchengine"), "whoosh3": dist_version("whoosh3")}
