"""Rows for other programs: ``export`` as JSON Lines or CSV, ``trend --csv``.

CSV is what spreadsheets open, so it is written for them: UTF-8 **with a
byte-order mark**, because Excel reads a CSV file without one in the
machine's legacy code page (an accent becomes two wrong letters) and every
other spreadsheet, pandas (``read_csv``) and Python's ``csv`` module (with
``encoding="utf-8-sig"``) take the mark in their stride; RFC 4180 quoting
(fields with commas, quotes or line breaks in double quotes, quotes
doubled) and CRLF line ends, so a body with paragraphs stays one cell.
Values are written as they are; a spreadsheet may read a cell that starts
with ``=`` as a formula.

JSON Lines is for scripts: one JSON object per line, no mark.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Literal, Protocol

from searchengine.models import ExportRow, Trend
from searchengine.render.json_out import export_row


class Sink(Protocol):
    """Where rows go: anything with a text ``write`` (a file, stdout)."""

    def write(self, text: str, /) -> int: ...


Format = Literal["jsonl", "csv"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv")
BOM = "\ufeff"
#: The columns of ``export --format csv``, in order (``body`` last, with ``--body``).
EXPORT_COLUMNS = (
    "id",
    "path",
    "record",
    "title",
    "date",
    "source",
    "author",
    "url",
    "score",
    "duplicates",
)


def write_export(rows: Iterable[ExportRow], out: Sink, fmt: Format, *, body: bool) -> int:
    """Write ``rows`` to ``out`` as ``fmt``; return how many."""
    if fmt == "csv":
        return _export_csv(rows, out, body=body)
    count = 0
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for row in rows:
        out.write(dumps(export_row(row)) + "\n")
        count += 1
    return count


def _export_csv(rows: Iterable[ExportRow], out: Sink, *, body: bool) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    out.write(BOM)
    writer.writerow((*EXPORT_COLUMNS, "body") if body else EXPORT_COLUMNS)
    count = 0
    for row in rows:
        values = export_row(row)
        cells = [_cell(values[name]) for name in EXPORT_COLUMNS]
        if body:
            cells.append(row.body or "")
        writer.writerow(cells)
        count += 1
    return count


def _cell(value: object) -> object:
    """A JSON value as a CSV cell: empty for null, ids space-separated."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return value


def trend_csv(trend: Trend, out: Sink) -> None:
    """``trend --csv``: a row per period, a column per query (counts, or
    shares with ``--share``, then the period's ``articles``)."""
    writer = csv.writer(out, lineterminator="\r\n")
    out.write(BOM)
    header = ["period", *(s.query for s in trend.series)]
    if trend.articles is not None:
        header.append("articles")
    writer.writerow(header)
    for i, period in enumerate(trend.periods):
        row: list[object] = [period]
        for series in trend.series:
            row.append(f"{series.shares[i]:.6f}" if series.shares is not None else series.counts[i])
        if trend.articles is not None:
            row.append(trend.articles[i])
        writer.writerow(row)
