"""The benchmark: searchengine next to plain Whoosh, SQLite FTS5 and tantivy, on one corpus.

    python -m benchmarks.run                     # 20,000 articles (what `make bench` runs)
    python -m benchmarks.run --sizes 1000,20000,100000
    python -m benchmarks.run --quick             # smoke test: 1,000 articles, a few queries
    python -m benchmarks.run --size 100000 --skip plain-whoosh,tantivy

For each size: generate (or reuse) the corpus, then for each engine in its
own child process build the index from the files (timed, peak memory
sampled), measure its size, run the query mix warm (opened once, a warm-up
pass, then measured passes), and time cold queries as fresh processes.
searchengine also gets its no-op re-run timed, on the corpus and on a corpus
of one file per article.  Results go to ``OUT/results-SIZE.json`` and
``OUT/results-SIZE.md``.  See ``benchmarks/README.md`` for what each figure means.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import contention
from benchmarks.engines import ENGINES, BenchEngine, dist_version, load_engine
from benchmarks.engines.se import SearchEngineBench
from benchmarks.generate import ensure_corpus
from benchmarks.incremental import edit_articles, linked_copy
from benchmarks.measure import machine, run_child, summarize, timed_run
from benchmarks.querymix import CLASSES, BenchQuery, limit_per_class, load_queries, save_queries
from benchmarks.report import evaluate_targets, markdown, ratios

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"
#: Query classes timed as cold processes (one query of each, in turn).
COLD_KINDS = ("single", "and", "phrase", "phrase_date", "field")
STEPS = ("queries", "hostile", "cold", "noop", "noop-files", "scaling", "incremental")
#: Share of the articles the incremental step edits (``benchmarks.incremental``).
INCREMENTAL_SHARE = 0.01
#: Sizes up to which the scaling step runs (one core against two), and the
#: pairs of runs it times (a run's speed here varies by some 10 % from one
#: to the next: five pairs, for a median to say something): at 20,000 a
#: pair takes about 20 s.
SCALING_MAX_SIZE = 20000
SCALING_PAIRS = 5
#: Runs a command with the process pinned to the CPUs in its first argument
#: (what ``taskset -c`` does, with nothing to install).
_PINNED = (
    "import os, sys; os.sched_setaffinity(0, [int(c) for c in sys.argv[1].split(',')]); "
    "os.execv(sys.argv[2], sys.argv[2:])"
)


def log(message: str) -> None:
    stamp = dt.datetime.now().strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (
        os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""
    )
    env.pop("SEARCHENGINE_INDEX", None)
    return env


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.skip: set[str] = args.skip
        self.env = child_env()
        # Cold queries time a process as a user runs it, from an installed
        # package whose bytecode pip compiled at install time.  An editable
        # install compiles on first import, except where
        # PYTHONDONTWRITEBYTECODE is set (it is on some machines, where every
        # process then compiled searchengine's 30-odd modules again: about
        # 120 ms of each cold query).  Compile them once, here.
        compileall.compile_dir(str(REPO / "searchengine"), quiet=1)

    # -- one engine -----------------------------------------------------------

    def build(
        self, name: str, engine: BenchEngine, corpus: Path, index_dir: Path, raw_bytes: int
    ) -> dict[str, Any]:
        if index_dir.exists():
            shutil.rmtree(index_dir)
        result = index_dir.parent / f"{index_dir.name}-index.json"
        result.unlink(missing_ok=True)
        logfile = index_dir.parent / f"{index_dir.name}.log"
        argv = [sys.executable, "-m", "benchmarks.child", "index", name]
        argv += [str(corpus), str(index_dir), str(result)]
        run = run_child(argv, timeout=self.args.index_timeout, cwd=REPO, env=self.env, log=logfile)
        if run.timed_out:
            return {"error": f"indexing timed out after {self.args.index_timeout:.0f} s"}
        if run.returncode != 0 or not result.exists():
            return {"error": f"indexing failed (exit {run.returncode}): {_tail(logfile)}"}
        info = json.loads(result.read_text(encoding="utf-8"))
        size = engine.index_bytes(index_dir)
        seconds = float(info.pop("seconds"))
        articles = int(info.pop("articles"))
        return {
            "articles": articles,
            "seconds": round(seconds, 3),
            "articles_per_s": round(articles / seconds, 1) if seconds else None,
            "process_wall_s": round(run.wall_s, 3),
            "peak_rss_mb": round(info.pop("maxrss_kb") / 1024, 1),
            "peak_rss_children_mb": round(info.pop("children_maxrss_kb") / 1024, 1),
            "peak_tree_rss_mb": round(run.peak_tree_rss_kb / 1024, 1),
            "peak_tree_pss_mb": round(run.peak_tree_pss_kb / 1024, 1),
            "index_bytes": size,
            "size_ratio": round(size / raw_bytes, 3) if raw_bytes else None,
            "detail": info,
        }

    def queries(
        self, name: str, engine: BenchEngine, index_dir: Path, queries_file: Path
    ) -> dict[str, Any]:
        result = index_dir.parent / f"{index_dir.name}-queries.json"
        result.unlink(missing_ok=True)
        logfile = index_dir.parent / f"{index_dir.name}.log"
        budget = self.args.query_budget
        argv = [sys.executable, "-m", "benchmarks.child", "queries", name, str(index_dir)]
        argv += [str(queries_file), str(result), "--passes", str(self.args.passes)]
        argv += ["--warmup", str(self.args.warmup), "--budget", str(budget)]
        run = run_child(argv, timeout=budget * 4 + 900, cwd=REPO, env=self.env, log=logfile)
        if run.timed_out or run.returncode != 0 or not result.exists():
            why = "timed out" if run.timed_out else f"failed (exit {run.returncode})"
            return {"error": f"queries {why}: {_tail(logfile)}"}
        data = json.loads(result.read_text(encoding="utf-8"))
        queries = load_queries(queries_file)
        by_class: dict[str, Any] = {}
        every: list[float] = []
        for kind in CLASSES:
            mine = [q for q in queries if q.kind == kind]
            if kind not in engine.supports:
                by_class[kind] = {"n/a": True}
                continue
            samples = [ms for q in mine for ms in data["samples_ms"].get(q.qid, [])]
            totals = [data["totals"][q.qid] for q in mine if q.qid in data["totals"]]
            firsts = sorted(data["first_pass_ms"][q.qid] for q in mine if q.qid in data["totals"])
            errors = {q.qid: data["errors"][q.qid] for q in mine if q.qid in data["errors"]}
            every += samples
            entry: dict[str, Any] = summarize(samples) if samples else {"n": 0}
            entry["queries"] = len(mine)
            entry["mean_total"] = round(statistics.fmean(totals), 1) if totals else None
            entry["zero_hits"] = sum(1 for t in totals if t == 0)
            entry["first_pass_p50_ms"] = round(firsts[len(firsts) // 2], 3) if firsts else None
            entry |= _work(mine, data.get("work", {}), entry.get("mean_ms"))
            if errors:
                entry["errors"] = errors
            by_class[kind] = entry
        return {
            "open_seconds": round(data["open_seconds"], 3),
            "passes": data["passes"],
            "warmup_passes": data["warmup_passes"],
            "peak_rss_mb": round(data["maxrss_kb"] / 1024, 1),
            "classes": by_class,
            "all": summarize(every) if every else {"n": 0},
            "totals": data["totals"],
        }

    def hostile(self, name: str, index_dir: Path) -> dict[str, Any]:
        """The hostile queries (``benchmarks.child.HOSTILE``), each timed once."""
        result = index_dir.parent / f"{index_dir.name}-hostile.json"
        result.unlink(missing_ok=True)
        logfile = index_dir.parent / f"{index_dir.name}-hostile.log"
        argv = [sys.executable, "-m", "benchmarks.child", "hostile", name, str(index_dir)]
        run = run_child([*argv, str(result)], timeout=900, cwd=REPO, env=self.env, log=logfile)
        if run.timed_out or run.returncode != 0 or not result.exists():
            why = "timed out" if run.timed_out else f"failed (exit {run.returncode})"
            return {"error": f"hostile queries {why}: {_tail(logfile)}"}
        data: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
        return data

    def cold(
        self, engine: BenchEngine, index_dir: Path, cold_set: list[BenchQuery]
    ) -> dict[str, Any]:
        argvs = [(q, engine.cold_argv(index_dir, q)) for q in cold_set]
        runnable = [(q, a) for q, a in argvs if a is not None]
        if not runnable:
            return {"n/a": True}
        # One untimed run first: "cold" is a fresh process, not a cold disk cache.
        timed_run(runnable[0][1], cwd=REPO, env=self.env, timeout=600)
        walls: list[float] = []
        failures: list[str] = []
        per_query: dict[str, list[float]] = {}
        for i in range(self.args.cold_runs):
            q, argv = runnable[i % len(runnable)]
            t = timed_run(argv, cwd=REPO, env=self.env, timeout=600)
            if t.returncode != 0:
                failures.append(f"{q.qid}: exit {t.returncode}: {t.stderr.decode()[-300:]}")
                continue
            walls.append(t.wall_s * 1000.0)
            per_query.setdefault(q.qid, []).append(round(t.wall_s * 1000.0, 1))
        out: dict[str, Any] = {"runs": len(walls), "queries": per_query}
        if walls:
            out |= {
                "median_ms": round(statistics.median(walls), 1),
                "min_ms": round(min(walls), 1),
                "max_ms": round(max(walls), 1),
            }
        if failures:
            out["failures"] = failures
        return out

    def noop(self, index_dir: Path, corpus: Path, runs: int = 3) -> dict[str, Any]:
        argv = SearchEngineBench().noop_argv(index_dir, corpus)
        walls: list[float] = []
        took: list[float] = []
        last: dict[str, Any] = {}
        for _ in range(runs):
            t = timed_run(argv, cwd=REPO, env=self.env, timeout=3600)
            if t.returncode != 0:
                return {"error": f"exit {t.returncode}: {t.stderr.decode()[-500:]}"}
            last = json.loads(t.stdout)
            walls.append(t.wall_s)
            took.append(float(last["took_ms"]) / 1000.0)
        return {
            "wall_s": round(statistics.median(walls), 3),
            "run_index_s": round(statistics.median(took), 3),
            "runs": runs,
            "added": last.get("added"),
            "updated": last.get("updated"),
            "removed": last.get("removed"),
            "unchanged": last.get("unchanged"),
        }

    def incremental(self, index_dir: Path, corpus: Path, full_s: float) -> dict[str, Any]:
        """Edit :data:`INCREMENTAL_SHARE` of the articles of ``corpus`` (the
        linked copy searchengine indexed) in place, then time the run that
        brings the index up to date: wall, CPU of the process tree, and what
        it did.  The copy is left edited (this is the size's last step)."""
        edited = edit_articles(corpus, INCREMENTAL_SHARE, self.args.seed)
        argv = SearchEngineBench().noop_argv(index_dir, corpus)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = timed_run(argv, cwd=REPO, env=self.env, timeout=7200)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if t.returncode != 0:
            return {"edited": edited, "error": f"exit {t.returncode}: {t.stderr.decode()[-500:]}"}
        summary = json.loads(t.stdout)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return {
            "edited": edited,
            "wall_s": round(t.wall_s, 3),
            "cpu_s": round(cpu, 3),
            "run_index_s": round(float(summary["took_ms"]) / 1000.0, 3),
            "share_of_full": round(t.wall_s / full_s, 4) if full_s else None,
            "load_average": [round(x, 2) for x in os.getloadavg()],
            **{k: summary.get(k) for k in ("added", "updated", "removed", "unchanged", "articles")},
        }

    def scaling(self, corpus: Path, work: Path, pairs: int = SCALING_PAIRS) -> dict[str, Any]:
        """The same full run (``searchengine index`` into a new folder, as
        a user runs it) pinned to one core and to two, ``pairs`` times,
        in alternating order so that a drift of the machine's speed falls
        on both: each pair's ratio of throughput (articles/s over the
        run's own time, ``took_ms``, as the indexing figure is measured:
        commit included, interpreter start-up not), the same over each
        process's wall time, their medians, and the CPU each run spent
        (its process tree's)."""
        cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        if len(cpus) < 2:
            return {"skipped": "fewer than two cores to pin to"}
        one, two = str(cpus[0]), f"{cpus[0]},{cpus[1]}"
        index_dir = work / "searchengine-scaling"
        runs: list[dict[str, Any]] = []
        for n in range(pairs):
            pair: dict[str, Any] = {}
            for label, pinned in ((("one", one), ("two", two)), (("two", two), ("one", one)))[
                n % 2
            ]:
                shutil.rmtree(index_dir, ignore_errors=True)
                argv = [sys.executable, "-c", _PINNED, pinned]
                argv += SearchEngineBench().noop_argv(index_dir, corpus)
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = timed_run(argv, cwd=REPO, env=self.env, timeout=3600)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                if t.returncode != 0:
                    return {"error": f"exit {t.returncode}: {t.stderr.decode()[-500:]}"}
                summary = json.loads(t.stdout)
                took = float(summary["took_ms"]) / 1000.0
                cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                pair[f"{label}_s"] = round(took, 3)
                pair[f"{label}_wall_s"] = round(t.wall_s, 3)
                pair[f"{label}_cpu_s"] = round(cpu, 3)
                pair[f"{label}_articles_per_s"] = round(int(summary["added"]) / took, 1)
            pair["ratio"] = round(pair["one_s"] / pair["two_s"], 3)
            pair["wall_ratio"] = round(pair["one_wall_s"] / pair["two_wall_s"], 3)
            runs.append(pair)
            log(f"searchengine: scaling pair {n + 1}: {pair}")
        shutil.rmtree(index_dir, ignore_errors=True)
        log("searchengine: the machine's own two-core ceiling (benchmarks.contention)")
        ceiling = contention.measure([cpus[0], cpus[1]])
        log(f"searchengine: machine {ceiling}")
        one_s = statistics.median(p["one_s"] for p in runs)
        two_s = statistics.median(p["two_s"] for p in runs)
        return {
            "cpus": [cpus[0], cpus[1]],
            "pairs": runs,
            "ratio_median": round(statistics.median(p["ratio"] for p in runs), 3),
            "wall_ratio_median": round(statistics.median(p["wall_ratio"] for p in runs), 3),
            "one_s_median": round(one_s, 3),
            "two_s_median": round(two_s, 3),
            "ratio_of_medians": round(one_s / two_s, 3),
            "machine": ceiling,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }

    # -- one size -------------------------------------------------------------

    def run_size(self, size: int) -> dict[str, Any]:
        args = self.args
        tag = f"{size}-quick" if args.quick else str(size)
        out: Path = args.out
        out.mkdir(parents=True, exist_ok=True)
        work = out / "work" / tag
        work.mkdir(parents=True, exist_ok=True)

        corpus_root = args.corpora / f"{size}-s{args.seed}"
        log(f"corpus: {size:,} articles in {corpus_root}")
        manifest = ensure_corpus(size, corpus_root, seed=args.seed)
        articles_dir = corpus_root / "articles"
        raw = int(manifest["raw_text_bytes"])
        queries = load_queries(corpus_root / "queries.json")
        if args.per_class:
            queries = limit_per_class(queries, args.per_class)
        queries_file = work / "queries.json"
        save_queries(queries_file, queries)
        cold_set = limit_per_class([q for q in queries if q.kind in COLD_KINDS], 1)

        versions = {"sqlite": __import__("sqlite3").sqlite_version}
        for dist in ("searchengine", "whoosh3", "tantivy"):
            versions[dist] = dist_version(dist)
        results: dict[str, Any] = {
            "size": size,
            "quick": args.quick,
            "started": dt.datetime.now().isoformat(timespec="seconds"),
            "machine": machine(REPO, versions),
            "corpus": manifest,
            "settings": {
                "seed": args.seed,
                "queries": len(queries),
                "queries_per_class": {k: sum(q.kind == k for q in queries) for k in CLASSES},
                "warmup_passes": args.warmup,
                "passes": args.passes,
                "query_budget_s": args.query_budget,
                "cold_runs": args.cold_runs,
                "cold_queries": [q.qid for q in cold_set],
                "top": 10,
            },
            "engines": {},
            "baselines": {},
        }
        json_path = out / f"results-{tag}.json"

        def save() -> None:
            json_path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")

        for name in ENGINES:
            if name in self.skip:
                results["engines"][name] = {"skipped": "--skip"}
                continue
            engine = load_engine(name)
            why = engine.unavailable()
            if why:
                log(f"{name}: skipped: {why}")
                results["engines"][name] = {"skipped": why}
                continue
            rec: dict[str, Any] = {"versions": engine.versions()}
            results["engines"][name] = rec
            index_dir = work / name
            corpus = articles_dir
            if name == "searchengine" and "incremental" not in self.skip:
                # A copy of hard links, which the incremental step edits.
                corpus = work / "searchengine-corpus"
                linked_copy(articles_dir, corpus)
            log(f"{name}: indexing {size:,} articles")
            rec["index"] = self.build(name, engine, corpus, index_dir, raw)
            save()
            if "error" in rec["index"]:
                log(f"{name}: {rec['index']['error']}")
                continue
            ix = rec["index"]
            log(
                f"{name}: {ix['articles']:,} articles in {ix['seconds']:.1f} s "
                f"({ix['articles_per_s']:,.0f}/s), peak RSS {ix['peak_tree_rss_mb']:.0f} MB, "
                f"index {ix['size_ratio']:.2f}x raw text"
            )
            if name == "searchengine" and "noop" not in self.skip:
                rec["noop"] = self.noop(index_dir, corpus)
                log(f"{name}: no-op re-run {rec['noop']}")
            if (
                name == "searchengine"
                and "scaling" not in self.skip
                and size <= SCALING_MAX_SIZE
                and not args.quick
            ):
                log(f"{name}: {SCALING_PAIRS} runs on one core and on two, alternately")
                rec["scaling"] = self.scaling(articles_dir, work)
                save()
            if "queries" not in self.skip:
                log(f"{name}: {len(queries)} queries, warm")
                rec["queries"] = self.queries(name, engine, index_dir, queries_file)
                if "all" in rec["queries"]:
                    log(f"{name}: all queries {rec['queries']['all']}")
                else:
                    log(f"{name}: {rec['queries'].get('error')}")
                save()
            if name == "searchengine" and "hostile" not in self.skip:
                rec["hostile"] = self.hostile(name, index_dir)
                log(f"{name}: hostile queries {rec['hostile']}")
                save()
            if "cold" not in self.skip:
                rec["cold"] = self.cold(engine, index_dir, cold_set)
                log(f"{name}: cold query {rec['cold'].get('median_ms')} ms (median)")
            if name == "searchengine" and "incremental" not in self.skip:
                log(f"{name}: editing {INCREMENTAL_SHARE:.0%} of the articles, then indexing again")
                rec["incremental"] = self.incremental(index_dir, corpus, ix["seconds"])
                log(f"{name}: incremental run {rec['incremental']}")
            save()
            if not args.keep_indexes:
                shutil.rmtree(index_dir, ignore_errors=True)

        if "cold" not in self.skip:
            base: dict[str, Any] = {}
            for label, code in (
                ("python -c pass", "pass"),
                ("python -c 'import searchengine.cli'", "import searchengine.cli"),
            ):
                walls = [
                    timed_run(
                        [sys.executable, "-c", code], cwd=REPO, env=self.env, timeout=120
                    ).wall_s
                    for _ in range(max(3, args.cold_runs))
                ]
                base[label] = {"median_ms": round(statistics.median(walls) * 1000.0, 1)}
            results["baselines"] = base

        files_n = min(size, args.noop_files)
        if "noop-files" not in self.skip and "searchengine" not in self.skip and files_n > 0:
            results["noop_files"] = self.noop_files(files_n, work)
            save()

        results["ratios"] = ratios(results)
        results["targets"] = evaluate_targets(results)
        results["finished"] = dt.datetime.now().isoformat(timespec="seconds")
        save()
        md_path = out / f"results-{tag}.md"
        md_path.write_text(markdown(results), encoding="utf-8")
        log(f"wrote {json_path} and {md_path}")
        if not args.keep_indexes:
            shutil.rmtree(work, ignore_errors=True)
        return results

    def noop_files(self, n: int, work: Path) -> dict[str, Any]:
        """searchengine over ``n`` one-article files: indexing, then the no-op re-run."""
        root = self.args.corpora / f"{n}-s{self.args.seed}-files"
        log(f"searchengine: {n:,} one-article files in {root}")
        manifest = ensure_corpus(n, root, seed=self.args.seed, layout="files")
        files = sum(manifest["files"].values())
        index_dir = work / "searchengine-files"
        engine = SearchEngineBench()
        built = self.build(
            "searchengine", engine, root / "articles", index_dir, int(manifest["raw_text_bytes"])
        )
        if "error" in built:
            return {"files": files, "index": built}
        noop = self.noop(index_dir, root / "articles")
        log(f"searchengine: {files:,} files indexed at {built['articles_per_s']}/s; no-op {noop}")
        if not self.args.keep_indexes:
            shutil.rmtree(index_dir, ignore_errors=True)
        return {"files": files, "articles": n, "index": built, "noop": noop}


def _work(
    queries: list[BenchQuery], work: dict[str, dict[str, int]], mean_ms: float | None
) -> dict[str, Any]:
    """Mean postings (and positions, terms) a query of the class read, and
    what its mean latency comes to per posting read: what the time at other
    sizes can be predicted from."""
    read = [work[q.qid] for q in queries if q.qid in work]
    if not read:
        return {}
    out: dict[str, Any] = {
        f"mean_{key}": round(statistics.fmean(r.get(key, 0) for r in read), 1)
        for key in ("terms", "postings", "positions")
    }
    decoded = out["mean_postings"] + out["mean_positions"]
    if mean_ms is not None and decoded:
        out["us_per_posting"] = round(mean_ms * 1000.0 / decoded, 3)
    return out


def _sizes(text: str) -> list[int]:
    return [int(s.replace("_", "").replace("k", "000")) for s in text.split(",") if s.strip()]


def _skips(text: str) -> set[str]:
    names = {s.strip() for s in text.split(",") if s.strip()}
    unknown = names - set(ENGINES) - set(STEPS)
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown --skip {', '.join(sorted(unknown))}; use {', '.join([*ENGINES, *STEPS])}"
        )
    return names


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="searchengine vs plain Whoosh, SQLite FTS5 and tantivy on generated news corpora.",
    )
    p.add_argument("--size", type=int, help="articles (default 20000)")
    p.add_argument("--sizes", type=_sizes, help="comma-separated sizes, e.g. 1000,20000,100000")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, default=BENCH / "out", help="results folder")
    p.add_argument(
        "--corpora",
        type=Path,
        default=BENCH / "corpora",
        help="folder of the generated corpora (SIZE-sSEED each; made when missing)",
    )
    p.add_argument(
        "--skip",
        type=_skips,
        default=set(),
        help=f"comma-separated: engines ({', '.join(ENGINES)}) or steps ({', '.join(STEPS)})",
    )
    p.add_argument("--quick", action="store_true", help="smoke test: 1,000 articles, few queries")
    p.add_argument("--passes", type=int, default=3, help="measured passes over the mix")
    p.add_argument("--warmup", type=int, default=1, help="warm-up passes (not measured)")
    p.add_argument("--per-class", type=int, default=0, help="queries per class (0: all 30)")
    p.add_argument(
        "--query-budget",
        type=float,
        default=300.0,
        help="seconds of measured passes per engine; passes stop once over it",
    )
    p.add_argument("--index-timeout", type=float, default=3600.0, help="seconds per engine")
    p.add_argument("--cold-runs", type=int, default=10)
    p.add_argument(
        "--noop-files",
        type=int,
        default=20000,
        help="one-article files for the no-op re-run figure (at most the size; 0: none)",
    )
    p.add_argument("--keep-indexes", action="store_true", help="leave OUT/work/ in place")
    args = p.parse_args(argv)
    sizes = (args.sizes or []) + ([args.size] if args.size else [])
    if args.quick:
        sizes = sizes or [1000]
        args.per_class = args.per_class or 3
        args.passes = min(args.passes, 1)
        args.cold_runs = min(args.cold_runs, 3)
        args.query_budget = min(args.query_budget, 30.0)
        args.noop_files = min(args.noop_files, 1000)
    args.sizes = sizes or [20000]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    bench = Bench(args)
    started = time.perf_counter()
    for size in args.sizes:
        bench.run_size(size)
    log(f"done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
