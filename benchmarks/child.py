"""Child-process side of the benchmark: one engine, one job, results as a JSON file.

    python -m benchmarks.child index ENGINE CORPUS INDEX_DIR RESULT
    python -m benchmarks.child queries ENGINE INDEX_DIR QUERIES RESULT [--passes N] ...
    python -m benchmarks.child hostile ENGINE INDEX_DIR RESULT

Each job runs in its own process so that its peak memory (``ru_maxrss``) is
its own and no engine's imports or caches leak into another's figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path
from typing import Any

from benchmarks.engines import load_engine
from benchmarks.querymix import load_queries


def _maxrss() -> dict[str, int]:
    return {
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "children_maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }


def do_index(engine_name: str, corpus: Path, index_dir: Path) -> dict[str, Any]:
    engine = load_engine(engine_name)
    started = time.perf_counter()
    info = engine.build(corpus, index_dir)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, **info, **_maxrss()}


def do_queries(
    engine_name: str,
    index_dir: Path,
    queries_path: Path,
    *,
    passes: int,
    warmup: int,
    budget: float,
) -> dict[str, Any]:
    engine = load_engine(engine_name)
    queries = [q for q in load_queries(queries_path) if q.kind in engine.supports]
    started = time.perf_counter()
    searcher = engine.open(index_dir)
    open_seconds = time.perf_counter() - started
    samples: dict[str, list[float]] = {q.qid: [] for q in queries}
    totals: dict[str, int] = {}
    errors: dict[str, str] = {}
    first_ms: dict[str, float] = {}
    work: dict[str, dict[str, int]] = {}
    measured_passes = 0
    measure_started = time.perf_counter()
    for run in range(warmup + passes):
        measuring = run >= warmup
        if measuring and run == warmup:
            measure_started = time.perf_counter()
        for q in queries:
            if q.qid in errors:
                continue
            t0 = time.perf_counter()
            try:
                total = searcher.search(q)
            except Exception as exc:
                errors[q.qid] = f"{type(exc).__name__}: {exc}"
                continue
            ms = (time.perf_counter() - t0) * 1000.0
            if run == 0:
                totals[q.qid] = total
                first_ms[q.qid] = ms
                read = searcher.work()
                if read is not None:
                    work[q.qid] = read
            if measuring:
                samples[q.qid].append(ms)
        if measuring:
            measured_passes += 1
            if time.perf_counter() - measure_started > budget:
                break
    searcher.close()
    return {
        "open_seconds": open_seconds,
        "passes": measured_passes,
        "warmup_passes": warmup,
        "samples_ms": samples,
        "first_pass_ms": first_ms,
        "totals": totals,
        "errors": errors,
        "work": work,
        **_maxrss(),
    }


#: Queries a new user might type that once ran unbounded (issue 13): each
#: must be answered or refused within a second, whatever the index's size.
HOSTILE = {
    "**": "**",
    "*a": "*a",
    "k*": "k*",
    "1,000 stars": " ".join(["*"] * 1000),
    "5,000 words": " ".join(f"w{n}" for n in range(5000)),
    "5,000 nested parentheses": "(" * 5000 + "harbour" + ")" * 5000,
    "e~2": "e~2",
}


def do_hostile(engine_name: str, index_dir: Path) -> dict[str, Any]:
    """Each :data:`HOSTILE` query, answered once after a warm-up query."""
    engine = load_engine(engine_name)
    searcher = engine.open(index_dir)
    searcher.hostile("harbour")
    out: dict[str, Any] = {}
    for name, text in HOSTILE.items():
        started = time.perf_counter()
        outcome = searcher.hostile(text)
        out[name] = {"ms": round((time.perf_counter() - started) * 1000.0, 1), "outcome": outcome}
    searcher.close()
    return {"queries": out, **_maxrss()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.child")
    sub = parser.add_subparsers(dest="job", required=True)
    p_index = sub.add_parser("index")
    p_index.add_argument("engine")
    p_index.add_argument("corpus", type=Path)
    p_index.add_argument("index_dir", type=Path)
    p_index.add_argument("result", type=Path)
    p_query = sub.add_parser("queries")
    p_query.add_argument("engine")
    p_query.add_argument("index_dir", type=Path)
    p_query.add_argument("queries", type=Path)
    p_query.add_argument("result", type=Path)
    p_query.add_argument("--passes", type=int, default=3)
    p_query.add_argument("--warmup", type=int, default=1)
    p_query.add_argument("--budget", type=float, default=300.0)
    p_hostile = sub.add_parser("hostile")
    p_hostile.add_argument("engine")
    p_hostile.add_argument("index_dir", type=Path)
    p_hostile.add_argument("result", type=Path)
    args = parser.parse_args(argv)
    if args.job == "index":
        result = do_index(args.engine, args.corpus, args.index_dir)
    elif args.job == "hostile":
        result = do_hostile(args.engine, args.index_dir)
    else:
        result = do_queries(
            args.engine,
            args.index_dir,
            args.queries,
            passes=args.passes,
            warmup=args.warmup,
            budget=args.budget,
        )
    args.result.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
