"""The indexing progress bar (stderr, terminals only)."""

from __future__ import annotations

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


class ProgressDisplay:
    """Draws :class:`~searchengine.models.Progress` reports as a Rich bar."""

    def __init__(self, console: Any) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[unit]}  {task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self._task = self._progress.add_task("scanning", total=None, rate="", unit="files")

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
        task = self._progress.tasks[0]
        elapsed = task.elapsed or 0.0
        rate = f"{report.articles_done / elapsed:,.0f} articles/s" if elapsed > 0.5 else ""
        description = {
            "scanning": "scanning",
            "reading": "indexing",
            "writing": "writing",
            "committing": "committing",
            "done": "done",
        }[report.stage]
        self._progress.update(
            self._task,
            description=description,
            total=report.files_total or None,
            completed=report.files_done,
            rate=rate,
            # While writing, the counts are of articles (see the indexer).
            unit="articles" if report.stage == "writing" else "files",
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
