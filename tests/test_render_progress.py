"""The indexing progress: what a run reports, and how the bar shows it."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from searchengine.index.merging import FACTOR
from searchengine.indexer.run import run_index
from searchengine.models import Progress
from searchengine.render.progress import ProgressDisplay, rate_text

from fault_corpus import write_corpus


def test_reading_tells_files_and_articles_a_second() -> None:
    report = Progress(40, 100, 120, stage="reading")
    assert rate_text(report, 2.0) == "20 files/s, 60 articles/s"


def test_indexing_tells_articles_a_second() -> None:
    report = Progress(3_000, 9_000, 3_000, stage="writing")
    assert rate_text(report, 2.5) == "1,200 articles/s"


def test_no_speed_for_a_stage_too_young_or_without_a_count() -> None:
    assert rate_text(Progress(1, 100, 1, stage="reading"), 0.1) == ""
    assert rate_text(Progress(9, 9, 9, stage="committing"), 30.0) == ""
    assert rate_text(Progress(9, 9, 9, current="2 segments", stage="merging"), 30.0) == ""


def test_each_stage_restarts_the_bar_and_a_merge_is_named() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=160)
    with ProgressDisplay(console) as display:
        display.update(Progress(0, 0, 0, stage="scanning"))
        display.update(Progress(50, 100, 200, stage="reading"))
        task = display._progress.tasks[0]
        assert (task.description, task.total, task.completed) == ("reading", 100, 50)
        display.update(Progress(10, 400, 10, stage="writing"))
        task = display._progress.tasks[0]
        assert (task.description, task.total, task.completed) == ("indexing", 400, 10)
        assert task.fields["unit"] == "articles"
        display.update(
            Progress(100, 100, 400, current="10 segments (5,000 articles)", stage="merging")
        )
        task = display._progress.tasks[0]
        assert task.description == "merging 10 segments (5,000 articles)"
        assert task.total is None
        display.update(Progress(100, 100, 400, stage="committing"))
        assert display._progress.tasks[0].description == "committing"


def test_a_run_that_merges_reports_the_merge_and_one_that_does_not_the_commit(
    tmp_path: Path,
) -> None:
    root, index_dir = tmp_path / "corpus", tmp_path / "index"
    total = 0
    stages: list[list[tuple[str, str | None]]] = []
    for run in range(FACTOR):
        total += write_corpus(root / f"b{run}", seed=50 + run, text_files=3).articles
        seen: list[Progress] = []
        run_index(str(index_dir), [str(root)], progress=seen.append)
        stages.append([(p.stage, p.current) for p in seen if p.stage in ("merging", "committing")])
    assert stages[0] == [("committing", None)]
    assert stages[FACTOR - 2] == [("committing", None)]
    # The tenth segment fills tier 0: the nine before are merged with it.
    # The merge is reported as it starts and as its articles are done, then the commit.
    merging = f"{FACTOR} segments ({{}} of {total:,} articles)"
    assert stages[FACTOR - 1] == [
        ("merging", merging.format(0)),
        ("merging", merging.format(f"{total:,}")),
        ("committing", None),
    ]
