"""Time the research commands on an index of a generated corpus (issue 15).

``python -m benchmarks.research --index DIR [--queries Q1 Q2 Q3] [--rounds N]``

* ``trend`` of three queries by week, warm (one engine, as the shell) and
  cold (the console script, as a script runs it);
* ``search --json`` with its timeline and sources, warm and cold;
* ``export`` of every result of the empty query without bodies, JSON Lines
  and CSV, into /dev/null: articles a second.

Medians of ``--rounds`` runs; wall time and, for the cold runs, the
process's CPU time (the machine is shared, and CPU time moves less).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from searchengine.query.aggregate import trend
from searchengine.query.engine import Engine
from searchengine.query.export import export
from searchengine.query.request import SearchRequest
from searchengine.render.tabular import write_export


class _Null:
    def write(self, text: str, /) -> int:
        return len(text)


def _median_ms(run: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000.0)
    return statistics.median(times)


def _cold(args: list[str], rounds: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of the console script with ``args``."""
    walls, cpus = [], []
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "searchengine", *args],
            stdout=subprocess.DEVNULL,
            check=True,
        )
        walls.append((time.perf_counter() - started) * 1000.0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000.0)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--queries", nargs=3, default=["airport", "fuel", "unemployment"])
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    index, queries, rounds = options.index, options.queries, options.rounds
    with Engine(index) as engine:
        articles = engine.searcher().doc_count()
        print(f"index {index}: {articles:,} articles")
        base = SearchRequest()
        ms = _median_ms(lambda: trend(engine, queries, base, by="week"), rounds)
        print(f"trend {' '.join(queries)} --by week, warm: {ms:.1f} ms")
        for q in queries:
            found = engine.search(SearchRequest(q))
            ms = _median_ms(lambda q=q: engine.search(SearchRequest(q)), rounds)  # type: ignore[misc]
            print(
                f"search {q!r} ({found.total:,} results) with timeline+sources, warm: {ms:.1f} ms"
            )
        for fmt in ("jsonl", "csv"):
            started = time.perf_counter()
            total, rows = export(engine, SearchRequest(""))
            written = write_export(rows, _Null(), fmt, body=False)
            seconds = time.perf_counter() - started
            assert written == total
            print(
                f"export '' --format {fmt}: {written:,} rows in {seconds:.2f} s = {written / seconds:,.0f}/s"
            )
    env_index = ["--index", index]
    wall, cpu = _cold([*env_index, "trend", *queries, "--by", "week", "--json"], rounds)
    print(f"cold trend --by week --json: {wall:.0f} ms wall, {cpu:.0f} ms CPU")
    for q in queries:
        wall, cpu = _cold([*env_index, "search", q, "--json"], rounds)
        print(f"cold search {q!r} --json: {wall:.0f} ms wall, {cpu:.0f} ms CPU")
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        subprocess.run(
            [sys.executable, "-m", "searchengine", *env_index, "export", ""],
            stdout=sink,
            check=True,
        )
    print(f"cold export '' (console script, to /dev/null): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
