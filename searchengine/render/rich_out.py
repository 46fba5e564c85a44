"""Human output, drawn with Rich from the same result objects as the JSON.

Every piece of article text goes through :func:`safe` and into
:class:`rich.text.Text` objects, never through Rich's markup parser, so a
corpus that contains ``[bold]`` or terminal escape sequences is shown as
the characters it is.  Highlights are the library's spans, styled here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator

from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.table import Table
from rich.text import Text

from searchengine.models import (
    ArticleView,
    ClusterCount,
    Concordance,
    Hit,
    IndexSummary,
    Problem,
    Result,
    SearchResult,
    SimilarResult,
    Snippet,
    SourceCut,
    Stats,
    Timeline,
    Trend,
)
from searchengine.query import periods
from searchengine.render import chart, path_text

HIGHLIGHT = "bold yellow"
# Control characters and bidirectional overrides: shown as nothing.  They
# could move the cursor, recolour the terminal or reorder what is shown.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")
_SPARK = "▁▂▃▄▅▆▇█"


def safe(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with everything that could act on a terminal removed."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes of a file name
        text = path_text(text)
    if not keep_newlines:
        text = text.replace("\n", " ").replace("\t", " ")
    return _UNSAFE.sub("", text)


def styled(text: str, spans: Iterable[tuple[int, int]], style: str = HIGHLIGHT) -> Text:
    """``text`` as inert Rich text with ``spans`` styled.

    Cleaning removes characters, so spans are mapped through the removal.
    """
    keep = [i for i, ch in enumerate(text) if not _UNSAFE.match(ch)]
    position = {old: new for new, old in enumerate(keep)}
    position[len(text)] = len(keep)
    cleaned = "".join(text[i] for i in keep).replace("\t", " ")
    result = Text(cleaned)
    for start, end in spans:
        a = position.get(start)
        b = position.get(end)
        if a is not None and b is not None and a < b:
            result.stylize(style, a, b)
    return result


def short_path(path: str, width: int = 60) -> str:
    """A path shortened for display: home as ``~``, the middle elided."""
    home = os.path.expanduser("~")
    shown = "~" + path[len(home) :] if home != "/" and path.startswith(home + os.sep) else path
    shown = safe(shown)
    if len(shown) <= width:
        return shown
    keep = width - 1
    return shown[: keep // 3] + "…" + shown[-(keep - keep // 3) :]


def sparkline(counts: list[int]) -> str:
    if not counts:
        return ""
    top = max(counts) or 1
    return "".join(_SPARK[0] if c == 0 else _SPARK[min(7, (c * 8 - 1) // top)] for c in counts)


def _months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    out = []
    while (year, month) <= end:
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


#: Most points a one-line timeline draws; more periods are summed in runs.
TIMELINE_POINTS = 60


def timeline(found: Timeline | None) -> Text | None:
    """A one-line sparkline of results per period, gaps included; the
    period is the timeline's own (chosen from the span unless asked for)."""
    if found is None or not found.counts:
        return None
    by = found.by
    counted = {periods.parse_label(label, by): n for label, n in found.counts}
    keys = periods.between(min(counted), max(counted), by)
    run = -(-len(keys) // TIMELINE_POINTS)
    labels = [periods.label(keys[i], by) for i in range(0, len(keys), run)]
    values = [sum(counted.get(k, 0) for k in keys[i : i + run]) for i in range(0, len(keys), run)]
    line = Text("when  ", style="dim")
    line.append(labels[0], style="dim")
    line.append(" " + sparkline(values) + " ", style="cyan")
    line.append(labels[-1], style="dim")
    peak = labels[values.index(max(values))]
    each = by if run == 1 else f"{run} {by}s"
    line.append(f"   peak {peak} ({max(values):,}) · per {each}", style="dim")
    if found.undated:
        line.append(f" · {found.undated:,} undated", style="dim")
    return line


def hit_lines(number: int, hit: Hit) -> Table:
    """One numbered hit; wrapped lines stay indented under the title."""
    body: list[RenderableType] = [Text(safe(hit.title) or "(untitled)", style="bold")]
    parts = [hit.date.isoformat() if hit.date else "undated"]
    if hit.source:
        parts.append(safe(hit.source))
    record = f" #{hit.record}" if hit.record is not None else ""
    parts.append(short_path(hit.path) + record)
    parts.append(f"id {hit.id}")
    body.append(Text(" · ".join(parts), style="dim"))
    if hit.duplicates:
        body.append(similar_line(hit))
    body.extend(snippet_text(snippet) for snippet in hit.snippets)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", width=4, no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(Text(f"{number}.", style="dim"), Group(*body))
    return grid


def similar_line(hit: Hit) -> Text:
    """``+N similar (sources A, B)``: the near-duplicates folded into ``hit``."""
    sources: list[str] = []
    for duplicate in hit.duplicates:
        if duplicate.source and safe(duplicate.source) not in sources:
            sources.append(safe(duplicate.source))
    line = Text(f"+{len(hit.duplicates)} similar", style="cyan")
    if sources:
        label = "source" if len(sources) == 1 else "sources"
        line.append(f" ({label} {', '.join(sources)})", style="dim")
    return line


def snippet_text(snippet: Snippet) -> Text:
    return styled(snippet.text, snippet.highlights)


def _folded(result: SearchResult) -> Text:
    folded = (result.total_uncollapsed or result.total) - result.total
    return Text(f" (+{folded:,} similar folded in)" if folded > 0 else "", style="cyan")


def _page_rows(result: SearchResult) -> list[RenderableType]:
    """The numbered hits of one page, and where the page is."""
    rows: list[RenderableType] = []
    first = (result.page - 1) * result.limit
    for offset, hit in enumerate(result.hits, start=1):
        rows.append(Text(""))
        rows.append(hit_lines(first + offset, hit))
    if result.total and not result.hits:
        rows.append(Text(f"page {result.page} is past the last page", style="dim"))
    pages = max(1, -(-result.total // result.limit))
    if result.total > result.limit:
        rows.append(Text(""))
        rows.append(Text(f"page {result.page} of {pages:,}", style="dim"))
    return rows


def similar_result(similar: SimilarResult) -> Group:
    """``similar``: the articles most like one article, drawn like search hits."""
    result = similar.result
    header = Text()
    noun = "article" if result.total == 1 else "articles"
    header.append(f"{result.total:,} {noun}", style="bold")
    header.append(f" like {safe(similar.article.title)!r} (id {similar.article.id})")
    header.append(_folded(result))
    header.append(f"  {result.took_ms:.0f} ms", style="dim")
    rows: list[RenderableType] = [header]
    if similar.terms:
        rows.append(Text("key terms: " + ", ".join(safe(t) for t in similar.terms), style="dim"))
    rows.extend(_page_rows(result))
    return Group(*rows)


def search_result(result: SearchResult) -> Group:
    rows: list[RenderableType] = []
    header = Text()
    noun = "article" if result.total == 1 else "articles"
    header.append(f"{result.total:,} {noun}", style="bold")
    header.append(f" for {safe(result.query)!r}" if result.query.strip() else " (everything)")
    header.append(_folded(result))
    if result.filters:
        header.append("  " + "  ".join(f"{k}:{safe(v)}" for k, v in result.filters), style="cyan")
    header.append(f"  {result.took_ms:.0f} ms", style="dim")
    rows.append(header)
    if result.suggestion:
        rows.append(
            Text.assemble(
                ("Did you mean: ", "yellow"), (safe(result.suggestion), "bold yellow"), "?"
            )
        )
    rows.extend(_page_rows(result))
    line = timeline(result.timeline)
    if line is not None:
        rows.append(Text(""))
        rows.append(line)
    return Group(*rows)


def article(view: ArticleView) -> Group:
    hit = view.hit
    rows: list[RenderableType] = [Text(safe(hit.title), style="bold")]
    meta = [hit.date.isoformat() if hit.date else "undated"]
    for value in (hit.source, hit.author):
        if value:
            meta.append(safe(value))
    rows.append(Text(" · ".join(meta), style="dim"))
    location = short_path(hit.path, 200) + (f" #{hit.record}" if hit.record is not None else "")
    rows.append(Text(f"{location}  id {hit.id}  {view.encoding or ''}", style="dim"))
    if hit.url:
        rows.append(Text(safe(hit.url), style="dim underline"))
    rows.append(Text(""))
    if view.raw is not None:
        rows.append(Text("(the text as read, boilerplate included)", style="dim"))
        rows.append(styled(view.raw, view.raw_highlights))
    else:
        rows.append(styled(view.body, view.highlights))
    return Group(*rows)


def histogram(counts: tuple[tuple[str, int], ...], width: int = 40) -> Table | None:
    """Bars per year, or per month when everything is within two years."""
    if not counts:
        return None
    years: dict[str, int] = {}
    for key, value in counts:
        years[key[:4]] = years.get(key[:4], 0) + value
    if len(years) <= 2:
        labels = _months_between(counts[0][0], counts[-1][0])
        by_month = dict(counts)
        rows = [(label, by_month.get(label, 0)) for label in labels]
    else:
        first, last = int(min(years)), int(max(years))
        rows = [(str(y), years.get(str(y), 0)) for y in range(first, last + 1)]
    top = max(value for _, value in rows) or 1
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True)
    table.add_column(style="cyan", no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    for label, value in rows:
        bar = "█" * (value * width // top) or ("▏" if value else "")
        table.add_row(label, bar, f"{value:,}")
    return table


def human_bytes(count: int) -> str:
    size = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{count} B"


def stats(s: Stats) -> Group:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column()
    table.add_row("articles", f"{s.articles:,}")
    span = f"{s.first_date} … {s.last_date}" if s.first_date else "no dates"
    table.add_row("dates", span)
    table.add_row("undated", f"{s.undated:,}")
    if s.duplicates is not None:
        table.add_row("near-duplicates", near_duplicates(s.duplicates))
    table.add_row("index", f"{human_bytes(s.index_bytes)}  {short_path(s.index_path)}")
    rows: list[RenderableType] = [table]
    if s.sources:
        sources = Table(title=None, box=None, padding=(0, 2), show_header=True, header_style="dim")
        sources.add_column("source")
        sources.add_column("articles", justify="right")
        for name, count in s.sources[:10]:
            sources.add_row(Text(safe(name)), f"{count:,}")
        if len(s.sources) > 10:
            sources.add_row(Text(f"… {len(s.sources) - 10} more", style="dim"), "")
        rows += [Text(""), sources]
    chart = histogram(s.by_month)
    if chart is not None:
        rows += [Text(""), chart]
    if s.boilerplate:
        rows += [Text(""), boilerplate_table(s.boilerplate)]
    return Group(*rows)


def near_duplicates(count: ClusterCount) -> str:
    """``9 articles in 3 clusters (similarity ≥ 0.5)``: the threshold is shown
    because it is the index's own setting, not a fixed rule."""
    clusters = "cluster" if count.clusters == 1 else "clusters"
    return (
        f"{count.articles:,} articles in {count.clusters:,} {clusters} "
        f"(similarity ≥ {count.threshold:g})"
    )


def boilerplate_table(cuts: tuple[SourceCut, ...]) -> Table:
    """Boilerplate removed per source (folder for sourceless articles), top ten."""
    table = Table(box=None, padding=(0, 2), show_header=True, header_style="dim")
    table.add_column("boilerplate removed from")
    table.add_column("articles", justify="right")
    table.add_column("lines", justify="right")
    table.add_column("characters", justify="right")
    for cut in cuts[:10]:
        name = safe(cut.source) if cut.source else f"{short_path(cut.folder or '')}/ (folder)"
        table.add_row(Text(name), f"{cut.articles:,}", f"{cut.lines:,}", f"{cut.chars:,}")
    if len(cuts) > 10:
        table.add_row(Text(f"… {len(cuts) - 10} more", style="dim"), "", "", "")
    return table


def index_summary(summary: IndexSummary) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column(justify="right")
    for label, value in (
        ("added", summary.added),
        ("updated", summary.updated),
        ("unchanged", summary.unchanged),
        ("removed", summary.removed),
        ("skipped", len(summary.skipped)),
        ("errors", len(summary.errors)),
        ("articles in index", summary.articles),
    ):
        table.add_row(label, f"{value:,}")
    if summary.recleaned:
        table.add_row("re-cleaned", f"{summary.recleaned:,} (their source's boilerplate changed)")
    table.add_row(
        "files read",
        f"{summary.files_seen:,} ({summary.files_ignored:,} of other kinds passed over)",
    )
    table.add_row("took", f"{summary.took_ms / 1000:.2f} s")
    return table


def problems(items: Iterable[Problem], kind: str) -> Group:
    """One line per problem, ``path[:record]: kind: reason``, like a compiler's."""
    style = "yellow" if kind == "skipped" else "red"
    lines = []
    for p in items:
        where = safe(p.path) + (f":{p.record}" if p.record is not None else "")
        lines.append(Text.assemble(where, ": ", (kind, style), ": ", safe(p.reason)))
    return Group(*lines)


def drawn(result: Result) -> RenderableType:
    """Any command's result, drawn: the human view of ``json_out.document``."""
    if isinstance(result, SearchResult):
        return search_result(result)
    if isinstance(result, SimilarResult):
        return similar_result(result)
    if isinstance(result, ArticleView):
        return article(result)
    if isinstance(result, Stats):
        return stats(result)
    if isinstance(result, Trend):
        return chart.trend(result)
    if isinstance(result, Concordance):
        return concordance(result)
    return index_summary(result)


class ConcordanceLines:
    """``kwic`` drawn: a dim line naming each article, then its occurrences,
    every match starting in the same column (fitted to the width when drawn)."""

    def __init__(self, found: Concordance) -> None:
        self.found = found

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        width = options.max_width
        found = self.found
        longest = max((len(line.match) for line in found.lines), default=0)
        left = max(4, min(found.width, (width - min(longest, width // 3) - 4) // 2))
        current = None
        for line in found.lines:
            if line.id != current:
                current = line.id
                meta = [line.date.isoformat() if line.date else "undated"]
                if line.source:
                    meta.append(safe(line.source))
                meta.append(safe(line.title) or "(untitled)")
                yield Text(" · ".join(meta), style="dim", no_wrap=True, overflow="ellipsis")
            match = safe(line.match)
            row = Text(safe(line.left).rstrip()[-left:].rjust(left))
            row.append(" │ ", style="dim")
            row.append(match, style=HIGHLIGHT)
            row.append(" │ ", style="dim")
            room = max(0, width - left - len(match) - 6)
            row.append(safe(line.right).lstrip()[:room])
            row.truncate(width)
            yield row


def concordance(found: Concordance) -> Group:
    """``kwic``: a header, then every occurrence in context."""
    header = Text()
    noun = "occurrence" if len(found.lines) == 1 else "occurrences"
    header.append(f"{len(found.lines):,} {noun}", style="bold")
    header.append(f" of {safe(found.query)!r} in {found.results:,} results")
    if found.filters:
        header.append("  " + "  ".join(f"{k}:{safe(v)}" for k, v in found.filters), style="cyan")
    header.append(f"  {found.took_ms:.0f} ms", style="dim")
    return Group(header, ConcordanceLines(found))


def print_drawn(
    console: Console, result: Result, *, paged: bool = False, err: Console | None = None
) -> None:
    """Draw ``result`` on ``console``; with ``paged``, through the pager when
    on a terminal and taller than it (a whole article).  An index run's
    skipped and unreadable input is listed on ``err`` first, one line each."""
    if isinstance(result, IndexSummary) and err is not None:
        for kind, found in (("skipped", result.skipped), ("error", result.errors)):
            if found:
                err.print(problems(found, kind), soft_wrap=True)
    if paged:
        print_paged(console, drawn(result))
    else:
        console.print(drawn(result))


def print_paged(console: Console, renderable: RenderableType) -> None:
    """Print, through a pager when on a terminal and taller than the screen."""
    if console.is_terminal:
        height = len(console.render_lines(renderable, console.options, pad=False))
        if height > console.height:
            # The pager is less unless $PAGER says otherwise; without -R it
            # shows colours as "ESC[1m" and wraps lines at their escapes.
            os.environ.setdefault("LESS", "-R")
            with console.pager(styles=True):
                console.print(renderable)
            return
    console.print(renderable)


def make_console(file: object, *, force_plain: bool = False) -> Console:
    """A console that never interprets markup or emoji in our strings."""
    return Console(
        file=file,  # type: ignore[arg-type]
        highlight=False,
        markup=False,
        emoji=False,
        no_color=force_plain or None,
        soft_wrap=False,
    )
