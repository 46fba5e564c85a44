"""Warm query latency on an index that exists already, for one or more source trees.

    python -m benchmarks.warm --index /work/idx/100k-f4 \\
        --queries benchmarks/corpora/100000-s1/queries.json
    python -m benchmarks.warm --index IDX --queries Q --tree /tmp/base --tree . --rounds 5
    python -m benchmarks.warm --index IDX --queries Q --kinds prefix --text 'the*'

``benchmarks.run`` builds its indexes before timing them; this times the
query mix on an index already built (read only), the same way: each run is
a child process (``benchmarks.child queries``: the engine opened once, a
warm-up pass, then measured passes of ``Engine.search``, top 10 with
snippets and exact totals).  With several ``--tree`` (folders holding a
``searchengine`` package, e.g. an old commit unpacked with ``git archive``)
the runs alternate between the trees, round after round, so that a busy
machine slows all of them alike; each figure printed is the smallest of
the rounds (the one least disturbed by other processes).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.measure import summarize
from benchmarks.querymix import CLASSES, BenchQuery, load_queries, save_queries

REPO = Path(__file__).resolve().parent.parent
STATS = ("p50_ms", "p95_ms", "p99_ms")


def _env(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    # The tree's packages first, then this repository's (for ``benchmarks``).
    env["PYTHONPATH"] = os.pathsep.join([str(tree), str(REPO)])
    env.pop("SEARCHENGINE_INDEX", None)
    return env


def one_run(args: argparse.Namespace, tree: Path, queries: Path, out: Path) -> dict[str, Any]:
    """One child process over the mix: its samples (``benchmarks.child``'s result)."""
    argv = [sys.executable, "-m", "benchmarks.child", "queries", args.engine, str(args.index)]
    argv += [str(queries), str(out), "--passes", str(args.passes), "--warmup", str(args.warmup)]
    subprocess.run(argv, env=_env(tree), cwd=tree, check=True)
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    if data["errors"]:
        raise SystemExit(f"{tree}: queries failed: {data['errors']}")
    return data


def class_figures(data: dict[str, Any], queries: list[BenchQuery]) -> dict[str, dict[str, float]]:
    """p50/p95/p99 per class and over all, from one run's samples."""
    out: dict[str, dict[str, float]] = {}
    every: list[float] = []
    for kind in [*CLASSES, "all"]:
        mine = queries if kind == "all" else [q for q in queries if q.kind == kind]
        samples = [ms for q in mine for ms in data["samples_ms"].get(q.qid, [])]
        if samples:
            out[kind] = {k: float(v) for k, v in summarize(samples).items() if k in STATS}
        every += samples
    return out


def _selected(args: argparse.Namespace) -> list[BenchQuery]:
    queries = load_queries(args.queries)
    if args.kinds:
        queries = [q for q in queries if q.kind in args.kinds.split(",")]
    if args.text:
        queries = [q for q in queries if q.text() in args.text]
    if not queries:
        raise SystemExit("no query of the mix is left after --kinds and --text")
    return queries


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.warm", description=__doc__.split("\n")[0]
    )
    p.add_argument("--index", type=Path, required=True, help="an index folder (only read)")
    p.add_argument("--queries", type=Path, required=True, help="a queries.json of the mix")
    p.add_argument("--engine", default="searchengine")
    p.add_argument("--tree", type=Path, action="append", help="source tree(s); default: this one")
    p.add_argument("--rounds", type=int, default=3, help="runs per tree, interleaved")
    p.add_argument("--passes", type=int, default=3, help="measured passes per run")
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--kinds", default="", help="comma-separated classes (default: all)")
    p.add_argument("--text", action="append", default=[], help="only queries of this text")
    p.add_argument("--slowest", type=int, default=3, help="list the N slowest queries per tree")
    args = p.parse_args(argv)
    trees = [t.resolve() for t in (args.tree or [REPO])]
    queries = _selected(args)
    best: dict[Path, dict[str, dict[str, float]]] = {t: {} for t in trees}
    fastest: dict[Path, dict[str, float]] = {t: {} for t in trees}
    with tempfile.TemporaryDirectory() as tmp:
        mix = Path(tmp) / "queries.json"
        save_queries(mix, queries)
        for round_ in range(args.rounds):
            for tree in trees:
                data = one_run(args, tree, mix, Path(tmp) / "result.json")
                for kind, figures in class_figures(data, queries).items():
                    mine = best[tree].setdefault(kind, dict(figures))
                    for stat, value in figures.items():
                        mine[stat] = min(mine[stat], value)
                for qid, samples in data["samples_ms"].items():
                    fastest[tree][qid] = min([fastest[tree].get(qid, float("inf")), *samples])
                print(f"round {round_ + 1}/{args.rounds}: {tree} done", file=sys.stderr)
    texts = {q.qid: q.text() for q in queries}
    for tree in trees:
        print(f"\n{tree} (smallest of {args.rounds} runs, ms: p50 / p95 / p99)")
        for kind, figures in best[tree].items():
            print(f"  {kind:12} " + " / ".join(f"{figures[s]:7.1f}" for s in STATS))
        slow = sorted(fastest[tree].items(), key=lambda item: -item[1])[: args.slowest]
        listed = ", ".join(f"{texts[qid]!r} {ms:.1f}" for qid, ms in slow)
        print(f"  slowest queries (fastest sample of each, ms): {listed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
