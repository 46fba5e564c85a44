"""Reading files for an index run: each run's articles go to its own spool."""

from __future__ import annotations

from pathlib import Path

from searchengine.indexer.spool import Spool, read_items
from searchengine.indexer.workers import load_all


def _corpus(root: Path, name: str) -> list[tuple[str, bytes]]:
    root.mkdir()
    files = []
    for n in range(3):
        path = root / f"{name}-{n}.txt"
        path.write_text(f"{name} story {n}\n\nThe {name} harbour reopened on day {n}.\n")
        files.append((str(path), b"sig"))
    return files


def test_runs_reading_at_once_in_one_process_keep_to_their_own_spools(tmp_path: Path) -> None:
    # Two runs of one program (threads, or generators taken in turns) each
    # read into the spool they were given, never into the other's.
    spools = {name: Spool(str(tmp_path)) for name in ("north", "south")}
    reads = {
        name: load_all(_corpus(tmp_path / name, name), None, spool)
        for name, spool in spools.items()
    }
    for _ in range(3):  # a file of one run, then one of the other
        for name, reading in reads.items():
            _path, read = next(reading)
            spools[name].add(read.starts(list(range(len(read.records)))))
    for name, spool in spools.items():
        titles = [item[0].title for item in read_items(*spool.share(0, spool.count))]
        assert titles == [f"{name} story {n}" for n in range(3)]
        spool.close()
