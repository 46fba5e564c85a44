"""Ratios, the issue's targets, and the Markdown table of one run."""

from __future__ import annotations

from typing import Any

from benchmarks.engines import ENGINES, LABELS
from benchmarks.querymix import CLASSES

BASELINES = ("plain-whoosh", "fts5")
SE = "searchengine"


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
    return obj


def _metrics(rec: dict[str, Any]) -> dict[str, float]:
    """The figures of one engine that ratios are taken of."""
    out: dict[str, float] = {}
    for key, path in (
        ("articles_per_s", ("index", "articles_per_s")),
        ("peak_rss_mb", ("index", "peak_tree_rss_mb")),
        ("size_ratio", ("index", "size_ratio")),
        ("cold_median_ms", ("cold", "median_ms")),
    ):
        value = _get(rec, *path)
        if isinstance(value, int | float):
            out[key] = float(value)
    for kind in [*CLASSES, "all"]:
        entry = (
            _get(rec, "queries", "all") if kind == "all" else _get(rec, "queries", "classes", kind)
        )
        for p in ("p50_ms", "p95_ms", "p99_ms"):
            value = _get(entry, p)
            if isinstance(value, int | float):
                out[f"{kind}.{p}"] = float(value)
    return out


def ratios(results: dict[str, Any]) -> dict[str, Any]:
    """Every engine's figures divided by plain Whoosh's and by FTS5's (engine ÷ baseline)."""
    metrics = {name: _metrics(rec) for name, rec in results["engines"].items()}
    out: dict[str, Any] = {}
    for name, mine in metrics.items():
        for base in BASELINES:
            theirs = metrics.get(base, {})
            if name == base or not theirs:
                continue
            out.setdefault(name, {})[f"vs_{base}"] = {
                k: round(v / theirs[k], 3) for k, v in mine.items() if theirs.get(k)
            }
    return out


def evaluate_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets for searchengine, each with the value measured in this run."""
    se = results["engines"].get(SE, {})
    size = results["size"]
    targets: list[dict[str, Any]] = []

    def add(tid: str, text: str, value: Any, ok: bool | None, at: int, unit: str = "") -> None:
        targets.append(
            {
                "id": tid,
                "target": text,
                "value": value,
                "unit": unit,
                "met": ok if value is not None else None,
                "applies_at": at,
                "applies_here": size == at,
            }
        )

    speed = _get(results, "ratios", SE, "vs_plain-whoosh", "articles_per_s")
    add("indexing", "indexing ≥ 5× plain Whoosh articles/s", speed, (speed or 0) >= 5, 20000, "×")
    rate = _get(se, "index", "articles_per_s")
    add("rate", "≥ 1,000 articles/s, commit included", rate, (rate or 0) >= 1000, 20000, "/s")
    scaling = _get(se, "scaling", "ratio_median")
    add(
        "scaling",
        "throughput on 2 cores ≥ 1.8× one core (median of the pairs' ratios)",
        scaling,
        (scaling or 0) >= 1.8,
        20000,
        "×",
    )
    rss = _get(se, "index", "peak_tree_rss_mb")
    add("memory", "peak RSS < 500 MB while indexing", rss, (rss or 0) < 500, 100000, "MB")
    for kind in CLASSES:
        p95 = _get(se, "queries", "classes", kind, "p95_ms")
        add(f"p95.{kind}", f"{kind}: p95 ≤ 30 ms warm", p95, (p95 or 0) <= 30, 100000, "ms")
    p99s = [_get(se, "queries", "classes", kind, "p99_ms") for kind in CLASSES]
    worst = max((v for v in p99s if isinstance(v, int | float)), default=None)
    add(
        "p99",
        "every class: p99 ≤ 60 ms warm (the worst class)",
        worst,
        (worst or 0) <= 60,
        100000,
        "ms",
    )
    fts5 = results["engines"].get("fts5", {})
    faster = [
        kind
        for kind in CLASSES
        if isinstance(mine := _get(se, "queries", "classes", kind, "p95_ms"), int | float)
        and isinstance(theirs := _get(fts5, "queries", "classes", kind, "p95_ms"), int | float)
        and mine < theirs
    ]
    compared = _get(fts5, "queries", "classes") is not None
    add(
        "vs_fts5",
        "faster than SQLite FTS5 at p95 in ≥ 8 of 10 classes",
        len(faster) if compared else None,
        len(faster) >= 8,
        100000,
        "classes",
    )
    query_rss = _get(se, "queries", "peak_rss_mb")
    add(
        "query_memory",
        "peak RSS of a search process < 500 MB",
        query_rss,
        (query_rss or 0) < 500,
        100000,
        "MB",
    )
    hostile = _get(se, "hostile", "queries")
    slowest = max((q["ms"] for q in hostile.values()), default=None) if hostile else None
    add("hostile", "every hostile query ≤ 1 s", slowest, (slowest or 0) <= 1000, 100000, "ms")
    plain = _get(se, "queries", "classes", "phrase", "p50_ms")
    dated = _get(se, "queries", "classes", "phrase_date", "p50_ms")
    cost = round(dated / plain, 2) if plain and dated else None
    add(
        "date_filter",
        "a date filter adds little (phrase+date p50 ÷ phrase p50)",
        cost,
        None,
        20000,
        "×",
    )
    cold = _get(se, "cold", "median_ms")
    add("cold", "cold scripted query ≤ 250 ms wall", cold, (cold or 0) <= 250, 100000, "ms")
    noop = _get(results, "noop_files", "noop", "wall_s")
    files = _get(results, "noop_files", "files")
    add(
        "noop",
        f"no-op re-run of 20k files ≤ 3 s (measured: {files or 0:,} files)",
        noop,
        (noop or 0) <= 3,
        20000,
        "s",
    )
    ratio = _get(se, "index", "size_ratio")
    add("size", "index size ≤ 1.5× raw text", ratio, (ratio or 0) <= 1.5, 20000, "×")
    share = _get(se, "incremental", "share_of_full")
    add(
        "incremental",
        "incremental run editing 1 % of the articles ≤ 5 % of the full run (wall)",
        round(share * 100, 2) if isinstance(share, int | float) else None,
        (share or 0) <= 0.05,
        100000,
        "%",
    )
    return targets


# -- Markdown -------------------------------------------------------------------


def _num(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, int | float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.{digits}f}"
    return str(value)


def _ratio(value: Any) -> str:
    return "–" if value is None else f"{value:.2f}×"


def _engines(results: dict[str, Any]) -> list[str]:
    return [n for n in ENGINES if n in results["engines"]]


def _cell(rec: dict[str, Any], *path: str, digits: int = 1) -> str:
    if "skipped" in rec:
        return "skipped"
    if "error" in rec.get("index", {}):
        return "failed"
    return _num(_get(rec, *path), digits)


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    c = results["corpus"]
    s = results["settings"]
    engines = _engines(results)
    recs = results["engines"]
    se_ratios = _get(results, "ratios", SE) or {}
    pk = m["packages"]
    lines: list[str] = []
    title = f"{results['size']:,} articles" + (" (quick)" if results.get("quick") else "")
    lines.append(f"## Benchmark: {title}")
    lines.append("")
    commit = (m.get("searchengine_commit") or "?") + (
        " + uncommitted changes" if m.get("searchengine_tree_dirty") else ""
    )
    lines.append(
        f"Measured {results['started']} on {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, "
        f"{m['os']}; Python {m['python']}; searchengine {commit}, whoosh3 {pk.get('whoosh3')}, "
        f"SQLite {pk.get('sqlite')}, tantivy {pk.get('tantivy')}."
    )
    fmt = c["articles_by_format"]
    lines.append("")
    lines.append(
        f"Corpus (seed {c['seed']}): {c['count']:,} articles — {fmt['jsonl']:,} in "
        f"{c['files']['jsonl']} JSONL shards, {fmt['txt']:,} `.txt`, {fmt['md']:,} `.md` — "
        f"{c['raw_text_bytes'] / 1e6:.1f} MB of raw text (title + body), median "
        f"{c['words_median']} words, {c['undated']:,} undated. Queries: {s['queries']} "
        f"({', '.join(f'{n} {k}' for k, n in s['queries_per_class'].items())}); "
        f"{s['warmup_passes']} warm-up pass, then {s['passes']} measured."
    )
    lines.append("")

    head = "| | " + " | ".join(LABELS[e] for e in engines) + " | ÷ Whoosh | ÷ FTS5 |"
    rule = "|---|" + "--:|" * (len(engines) + 2)
    lines += ["### Indexing, size, cold start", "", head, rule]

    def row(label: str, path: tuple[str, ...], metric: str | None, digits: int = 1) -> None:
        cells = [_cell(recs[e], *path, digits=digits) for e in engines]
        rw = _get(se_ratios, "vs_plain-whoosh", metric) if metric else None
        rf = _get(se_ratios, "vs_fts5", metric) if metric else None
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {_ratio(rw)} | {_ratio(rf)} |")

    row(
        "indexing, articles/s (whole run, commit included)",
        ("index", "articles_per_s"),
        "articles_per_s",
        0,
    )
    row("indexing, s", ("index", "seconds"), None)
    row(
        "peak RSS while indexing, MB (process tree)",
        ("index", "peak_tree_rss_mb"),
        "peak_rss_mb",
        0,
    )
    row(
        "peak PSS while indexing, MB (process tree, shared pages split)",
        ("index", "peak_tree_pss_mb"),
        None,
        0,
    )
    row("index size ÷ raw text", ("index", "size_ratio"), "size_ratio", 2)
    row("cold query as a process, ms (median)", ("cold", "median_ms"), "cold_median_ms", 0)
    row("peak RSS of the query process, MB", ("queries", "peak_rss_mb"), None, 0)
    se = recs.get(SE, {})
    noop = se.get("noop")
    if isinstance(noop, dict) and "wall_s" in noop:
        lines.append(
            f"| no-op re-run, s (`searchengine index` wall; in run_index) | "
            f"{noop['wall_s']:.2f} ({noop['run_index_s']:.2f})"
            + " | –" * (len(engines) - 1)
            + " | | |"
        )
    scaling = se.get("scaling")
    if isinstance(scaling, dict) and "pairs" in scaling:
        pairs = ", ".join(f"{p['ratio']:.2f}×" for p in scaling["pairs"])
        lines.append(
            f"| throughput on two cores ÷ one (`index`, pinned; pairs {pairs}) | "
            f"{scaling['ratio_median']:.2f}× ({scaling['one_s_median']:.1f} s on one core, "
            f"{scaling['two_s_median']:.1f} s on two; process wall "
            f"{scaling['wall_ratio_median']:.2f}×)" + " | –" * (len(engines) - 1) + " | | |"
        )
        machine = scaling.get("machine")
        if isinstance(machine, dict) and "memory" in machine:
            lines.append(
                "| this machine, two processes at once ÷ one alone (CPU time; "
                "`benchmarks/contention.py`) | "
                f"arithmetic {machine['compute']['slowdown']:.2f}×, "
                f"dictionary of two million words {machine['memory']['slowdown']:.2f}×"
                + " | –" * (len(engines) - 1)
                + " | | |"
            )
        if isinstance(machine, dict) and "second_cpu" in machine.get("memory", {}):
            lines.append(
                "| this machine, the second CPU alone ÷ the first (the one-core runs' CPU) | "
                f"arithmetic {machine['compute']['second_cpu']:.2f}×, "
                f"dictionary {machine['memory']['second_cpu']:.2f}×"
                + " | –" * (len(engines) - 1)
                + " | | |"
            )
    inc = se.get("incremental")
    if isinstance(inc, dict) and "wall_s" in inc:
        edited = inc["edited"]
        lines.append(
            f"| incremental run, s ({edited['articles']:,} articles edited in "
            f"{edited['files']:,} files of {edited['articles_in_files']:,} articles; "
            f"wall, CPU) | {inc['wall_s']:.1f} ({inc['cpu_s']:.1f} CPU, "
            f"{inc['share_of_full']:.1%} of the full run)" + " | –" * (len(engines) - 1) + " | | |"
        )
    lines.append("")
    lines.append(
        "Ratios are searchengine ÷ the other engine (for articles/s higher is better, "
        "for everything else lower is better)."
    )
    lines.append("")

    lines += [
        "### Warm query latency, ms: p50 / p95 / p99 (top 10 with snippets, exact total)",
        "",
        "| class | " + " | ".join(LABELS[e] for e in engines) + " | p95 ÷ Whoosh | p95 ÷ FTS5 |",
        rule,
    ]
    for kind in [*CLASSES, "all"]:
        cells = []
        for e in engines:
            rec = recs[e]
            entry = (
                _get(rec, "queries", "all")
                if kind == "all"
                else _get(rec, "queries", "classes", kind)
            )
            if "skipped" in rec:
                cells.append("skipped")
            elif not isinstance(entry, dict):
                cells.append("–")
            elif entry.get("n/a"):
                cells.append("n/a")
            elif not entry.get("n"):
                cells.append("–")
            else:
                cells.append(
                    f"{_num(entry['p50_ms'])} / {_num(entry['p95_ms'])} / {_num(entry['p99_ms'])}"
                )
        rw = _get(se_ratios, "vs_plain-whoosh", f"{kind}.p95_ms")
        rf = _get(se_ratios, "vs_fts5", f"{kind}.p95_ms")
        label = f"**{kind}**" if kind == "all" else kind
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {_ratio(rw)} | {_ratio(rf)} |")
    cost_cells = []
    for e in engines:
        plain = _get(recs[e], "queries", "classes", "phrase", "p50_ms")
        dated = _get(recs[e], "queries", "classes", "phrase_date", "p50_ms")
        cost_cells.append(_ratio(dated / plain) if plain and dated else "–")
    lines.append(
        "| date filter cost (phrase_date p50 ÷ phrase p50) | " + " | ".join(cost_cells) + " | | |"
    )
    lines.append("")

    lines += [
        "Mean matches per query (the engines answer comparable questions; stemmers and "
        "FTS5's unordered NEAR differ):",
        "",
        "| class | " + " | ".join(LABELS[e] for e in engines) + " |",
        "|---|" + "--:|" * len(engines),
    ]
    for kind in CLASSES:
        cells = []
        for e in engines:
            entry = _get(recs[e], "queries", "classes", kind)
            if isinstance(entry, dict) and entry.get("n/a"):
                cells.append("n/a")
            else:
                cells.append(_num(_get(entry, "mean_total"), 0))
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    lines.append("")

    lines += _work_table(recs.get(SE, {}))
    lines += _hostile_table(recs.get(SE, {}))

    base = results.get("baselines", {})
    if base:
        lines.append(
            "Process baselines (median wall): "
            + "; ".join(f"`{k}` {v['median_ms']:.0f} ms" for k, v in base.items())
            + "."
        )
        lines.append("")
    nf = results.get("noop_files")
    if isinstance(nf, dict) and "noop" in nf and "wall_s" in nf["noop"]:
        ix = nf["index"]
        lines.append(
            f"One file per article ({nf['files']:,} `.txt`/`.md` files): searchengine indexed "
            f"{ix['articles_per_s']:,.0f} articles/s (peak RSS {ix['peak_tree_rss_mb']:.0f} MB); "
            f"no-op re-run {nf['noop']['wall_s']:.2f} s wall "
            f"({nf['noop']['run_index_s']:.2f} s in run_index)."
        )
        lines.append("")

    lines += [
        "### Targets (searchengine)",
        "",
        "| target | applies at | measured | met |",
        "|---|--:|--:|:-:|",
    ]
    for t in results.get("targets", []):
        met = t["met"]
        mark = "–" if met is None else ("yes" if met else "**no**")
        if not t["applies_here"] and met is not None:
            mark += " (size differs)"
        value = "–" if t["value"] is None else f"{_num(t['value'], 2)} {t['unit']}".strip()
        lines.append(f"| {t['target']} | {t['applies_at']:,} | {value} | {mark} |")
    lines.append("")
    return "\n".join(lines)


def _work_table(se: dict[str, Any]) -> list[str]:
    """What searchengine's queries read, per class: the time at another size
    is about the postings read there times the cost of one."""
    classes = _get(se, "queries", "classes") or {}
    if not any(isinstance(c, dict) and "mean_postings" in c for c in classes.values()):
        return []
    lines = [
        "What a searchengine query reads (means per query) and its mean latency per "
        "posting or position read:",
        "",
        "| class | terms | postings | positions | µs per posting |",
        "|---|--:|--:|--:|--:|",
    ]
    for kind in CLASSES:
        entry = classes.get(kind, {})
        cells = [
            _num(entry.get(key), 0) for key in ("mean_terms", "mean_postings", "mean_positions")
        ]
        cells.append(_num(entry.get("us_per_posting"), 3))
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def _hostile_table(se: dict[str, Any]) -> list[str]:
    queries = _get(se, "hostile", "queries")
    if not queries:
        return []
    lines = [
        "Hostile queries (searchengine, warm, each once):",
        "",
        "| query | ms | outcome |",
        "|---|--:|---|",
    ]
    for name, entry in queries.items():
        outcome = str(entry["outcome"]).replace("|", "\\|")
        lines.append(f"| {name} | {_num(entry['ms'])} | {outcome} |")
    lines.append("")
    return lines
