"""The indexing progress bar (stderr, terminals only)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Any, TypeVar

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from searchengine.models import Progress as IndexProgress

#: What each stage is called on screen, and what it counts.
STAGES: dict[str, tuple[str, str]] = {
    "scanning": ("scanning", "files"),
    "reading": ("reading", "files"),
    "writing": ("indexing", "articles"),
    "merging": ("merging segments", ""),
    "committing": ("committing", ""),
    "done": ("done", ""),
}


def rate_text(report: IndexProgress, seconds: float) -> str:
    """The speed of the stage under way, ``seconds`` after it began: files
    and articles a second while reading, articles while indexing; nothing
    for a stage without a count or too young to tell."""
    if seconds < 0.5:
        return ""
    if report.stage == "reading":
        return (
            f"{report.files_done / seconds:,.0f} files/s, "
            f"{report.articles_done / seconds:,.0f} articles/s"
        )
    if report.stage == "writing":
        return f"{report.files_done / seconds:,.0f} articles/s"
    return ""


class ProgressDisplay:
    """Draws :class:`~searchengine.models.Progress` reports as a Rich bar.

    Each stage starts the bar afresh, so its speed and time left are the
    stage's own (reading files and indexing articles go at different
    speeds); the commit, and the merge when it has one, are shown by name,
    without a count.
    """

    def __init__(self, console: Any) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[unit]}  {task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[left]}"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self._task = self._progress.add_task("scanning", total=None, rate="", unit="files", left="")
        self._stage = "scanning"
        self._started = time.monotonic()

    def __enter__(self) -> ProgressDisplay:
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def update(self, report: IndexProgress) -> None:
        description, unit = STAGES[report.stage]
        has_count = report.stage in ("reading", "writing")
        total = report.files_total or None if has_count else None
        if report.stage != self._stage:
            self._stage = report.stage
            self._started = time.monotonic()
            # A new task: its speed and time left are this stage's alone,
            # and a stage without a count has no total at all.
            self._progress.remove_task(self._task)
            self._task = self._progress.add_task(
                description, total=total, rate="", unit=unit, left=""
            )
        if report.stage == "merging" and report.current:
            description = f"merging {report.current}"
        self._progress.update(
            self._task,
            description=description,
            total=total,
            completed=report.files_done if has_count else 0,
            rate=rate_text(report, time.monotonic() - self._started),
            unit=unit,
            left="left" if total else "",
        )


T = TypeVar("T")


def counted(items: Iterable[T], total: int, console: Any, what: str) -> Iterator[T]:
    """``items`` passed through, with a transient bar of how many went by
    (``export`` on a terminal: rows to stdout, the bar on stderr)."""
    progress = Progress(
        TextColumn(what),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    task = progress.add_task(what, total=total)
    with progress:
        for done, item in enumerate(items, start=1):
            yield item
            if done % 500 == 0:
                progress.update(task, completed=done)
        progress.update(task, completed=total)
