"""``trend`` in the terminal: a chart of each query's results over time, or a table.

The chart is small multiples: one panel per query, stacked, all on the same
scale and the same date axis, so two subjects are compared by eye without
colours (a pipe, ``NO_COLOR``) and without lines crossing.  Bars are drawn
with eighth blocks (``▁▂▃▄▅▆▇█``), a column or more per period; when there
are more periods than columns (a year of weeks in a 40-column pane), each
column holds several consecutive periods, summed, and the header says so.
The width is the console's at drawing time, so the same object draws at 80
columns and at 40.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.table import Table
from rich.text import Text

from searchengine.models import Series, Trend

_BLOCKS = "▁▂▃▄▅▆▇█"
#: Series colours, in turn; the label, not the colour, says which is which.
COLOURS = ("cyan", "magenta", "yellow", "green", "blue", "red")
_UNITS = {"day": "day", "week": "week", "month": "month", "year": "year"}


def _safe(text: str) -> str:
    from searchengine.render.rich_out import safe

    return safe(text)


class TrendChart:
    """A Rich renderable: the panels of a :class:`Trend`, fitted to the width."""

    def __init__(self, trend: Trend, *, height: int | None = None) -> None:
        self.trend = trend
        self.height = height or (5 if len(trend.series) <= 2 else 3)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        yield from self.lines(options.max_width)

    def lines(self, width: int) -> Iterator[Text]:
        trend = self.trend
        if not trend.periods:
            yield Text("no dated results to chart", style="dim")
            yield from (self._legend(i, s, None, width) for i, s in enumerate(trend.series))
            return
        values = [self._values(s) for s in trend.series]
        # The gutter holds the scale, which depends on the columns, which
        # depend on the room the gutter leaves: the widest label decides.
        widest = len(self._number(sum(max(v) for v in values if v) or 0.0))
        plot = max(4, width - widest - 1)
        group = -(-len(trend.periods) // plot)
        columns = -(-len(trend.periods) // group)
        step = max(1, plot // columns)
        grouped = [self._grouped(s, group) for s in trend.series]
        top = max((max(g) for g in grouped if g), default=0.0)
        scale = self._number(top)
        gutter = len(scale)
        yield from self._header(group, width)
        for i, (series, own) in enumerate(zip(trend.series, values, strict=True)):
            yield self._legend(i, series, own, width)
            heights = [self._eighths(v, top) for v in grouped[i]]
            yield from self._bars(heights, step, gutter, scale, COLOURS[i % len(COLOURS)])
        yield Text("0".rjust(gutter) + "└" + "─" * min(plot, columns * step), style="dim")
        yield self._ticks(group, step, gutter, min(plot, columns * step))

    # -- values -------------------------------------------------------------

    def _values(self, series: Series) -> list[float]:
        if series.shares is not None:
            return [100.0 * v for v in series.shares]
        return [float(c) for c in series.counts]

    def _grouped(self, series: Series, group: int) -> list[float]:
        """Values per column: ``group`` consecutive periods together (a
        share is recomputed from the summed counts and articles)."""
        out = []
        for first in range(0, len(series.counts), group):
            count = sum(series.counts[first : first + group])
            if self.trend.articles is None:
                out.append(float(count))
            else:
                articles = sum(self.trend.articles[first : first + group])
                out.append(100.0 * count / articles if articles else 0.0)
        return out

    def _number(self, value: float) -> str:
        if self.trend.share:
            return f"{value:.1f}%" if value < 10 else f"{value:.0f}%"
        return f"{value:,.0f}"

    def _eighths(self, value: float, top: float) -> int:
        if value <= 0 or top <= 0:
            return 0
        return max(1, round(value / top * self.height * 8))

    # -- drawing ------------------------------------------------------------

    def _header(self, group: int, width: int) -> Iterator[Text]:
        """What is counted, per what, over which dates, and the filters: on
        one line when they fit, else on as few as they fit on."""
        trend = self.trend
        unit = _UNITS[trend.by]
        if trend.share:
            what = "share of all articles"
        else:
            what = "results" if trend.collapsed else "articles"
        each = f"{group} {unit}s" if group > 1 else unit
        parts = [
            Text(f"{what} per {each}", style="bold"),
            Text(f"{trend.periods[0]} … {trend.periods[-1]}", style="dim"),
        ]
        if trend.filters:
            parts.append(Text("  ".join(f"{k}:{_safe(v)}" for k, v in trend.filters), style="cyan"))
        line = parts[0]
        for part in parts[1:]:
            if line.cell_len + 2 + part.cell_len <= width:
                line = line.append_text(Text("  ")).append_text(part)
            else:
                yield line
                line = part
        yield line

    def _legend(self, i: int, series: Series, values: list[float] | None, width: int) -> Text:
        """``■ query  1,234 · peak 56 (2021-09) · 3 undated``, as much of it as fits."""
        colour = COLOURS[i % len(COLOURS)]
        line = Text("■ ", style=colour)
        line.append(_safe(series.query) or "(everything)", style=f"bold {colour}")
        parts = [f"  {series.total:,}"]
        if values and max(values) > 0:
            peak = values.index(max(values))
            parts.append(f" · peak {self._number(max(values))} ({self.trend.periods[peak]})")
        if series.undated:
            parts.append(f" · {series.undated:,} undated")
        for part in parts:
            if line.cell_len + len(part) > width:
                break
            line.append(part, style="dim")
        line.truncate(width, overflow="ellipsis")
        return line

    def _bars(
        self, heights: list[int], step: int, gutter: int, scale: str, colour: str
    ) -> Iterator[Text]:
        """The panel's rows, top down; the top row is labelled with the scale."""
        bar = step - 1 if step >= 3 else step
        for row in range(self.height):
            floor = (self.height - 1 - row) * 8
            label = scale if row == 0 else ""
            line = Text(label.rjust(gutter) + ("┤" if label else "│"), style="dim")
            cells = []
            for h in heights:
                level = min(8, h - floor)
                block = _BLOCKS[level - 1] if level > 0 else " "
                cells.append(block * bar + " " * (step - bar))
            line.append("".join(cells).rstrip(), style=colour)
            yield line

    def _ticks(self, group: int, step: int, gutter: int, width: int) -> Text:
        """Period labels under the columns they start, as many as fit."""
        chars = [" "] * width
        free = 0
        for column, first in enumerate(range(0, len(self.trend.periods), group)):
            at = column * step
            label = self.trend.periods[first]
            if at >= free and at + len(label) <= width:
                chars[at : at + len(label)] = label
                free = at + len(label) + 2
        return Text(" " * (gutter + 1) + "".join(chars).rstrip(), style="dim")


def trend_table(trend: Trend) -> Table:
    """``trend --table``: a row per period, a column per query."""
    table = Table(box=None, padding=(0, 1), show_header=True, header_style="bold")
    table.add_column("period", style="dim", no_wrap=True)
    for i, series in enumerate(trend.series):
        table.add_column(
            Text(_safe(series.query) or "(everything)", style=COLOURS[i % len(COLOURS)]),
            justify="right",
        )
    if trend.articles is not None:
        table.add_column("articles", justify="right", style="dim")
    for i, period in enumerate(trend.periods):
        cells = [period]
        for series in trend.series:
            if series.shares is not None:
                cells.append(f"{100 * series.shares[i]:.1f}% ({series.counts[i]:,})")
            else:
                cells.append(f"{series.counts[i]:,}")
        if trend.articles is not None:
            cells.append(f"{trend.articles[i]:,}")
        table.add_row(*cells)
    undated = [f"{s.undated:,}" for s in trend.series]
    if any(s.undated for s in trend.series):
        table.add_row("undated", *undated, *([""] if trend.articles is not None else []))
    table.add_row(
        Text("total", style="bold"),
        *(f"{s.total:,}" for s in trend.series),
        *([""] if trend.articles is not None else []),
    )
    return table


def trend(trend: Trend, *, table: bool = False) -> RenderableType:
    """The chart (or with ``table``, the table) of a trend."""
    if table:
        return trend_table(trend)
    return Group(TrendChart(trend))
