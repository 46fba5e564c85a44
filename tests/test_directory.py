"""The index folder's owner: side files written atomically and durably, the
litter of killed runs removed, and commits forced to disk in the right order.

Durability is shown by recording the system calls a real write makes
(``os.fsync``, ``os.replace``, ``os.rename``, wrapped so they still do their
work): the files written are real and read back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from searchengine.index import clusters
from searchengine.index import directory as store
from searchengine.index.directory import (
    DEDUP_SETTINGS_FILE,
    LEDGER_FILE,
    LEXICON_FILE,
    META_FILE,
    IndexDirectory,
)
from searchengine.index.whoosh_private import committed_segments
from searchengine.indexer.run import run_index

from conftest import WriteFile


@dataclass
class Calls:
    """The fsync, replace and rename calls made, in order: ``("fsync", path)``,
    ``("replace", source, target)``, ``("rename", source, target)``."""

    made: list[tuple[str, ...]] = field(default_factory=list)

    def fsynced(self) -> list[str]:
        return [call[1] for call in self.made if call[0] == "fsync"]

    def index(self, *call: str) -> int:
        return self.made.index(call)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[Calls]:
    """Record os.fsync/os.replace/os.rename (which still do their work)."""
    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc to name the file behind a descriptor")
    recorded = Calls()
    real_fsync, real_replace, real_rename = os.fsync, os.replace, os.rename

    def fsync(fd: int) -> None:
        recorded.made.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(source: str, target: str) -> None:
        recorded.made.append(("replace", os.fspath(source), os.fspath(target)))
        real_replace(source, target)

    def rename(source: str, target: str) -> None:
        recorded.made.append(("rename", os.fspath(source), os.fspath(target)))
        real_rename(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "rename", rename)
    yield recorded


def test_a_side_file_is_replaced_whole_and_nothing_else_is_left(tmp_path: Path) -> None:
    folder = IndexDirectory(str(tmp_path))
    assert folder.read_text(LEXICON_FILE) is None
    folder.write_text(LEXICON_FILE, "harbour\nstrike")
    folder.write_text(LEXICON_FILE, iter(["bridge\n", "flood"]))
    assert folder.read_text(LEXICON_FILE) == "bridge\nflood"
    assert os.listdir(tmp_path) == [LEXICON_FILE]
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / LEXICON_FILE).stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    folder = IndexDirectory(str(tmp_path))
    folder.write_text(LEDGER_FILE, "old\n")

    def parts() -> Iterator[str]:
        yield "new, half"
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        folder.write_text(LEDGER_FILE, parts())
    assert folder.read_text(LEDGER_FILE) == "old\n"
    assert os.listdir(tmp_path) == [LEDGER_FILE]


def test_a_side_file_write_is_durable_in_order(tmp_path: Path, calls: Calls) -> None:
    IndexDirectory(str(tmp_path)).write_text(DEDUP_SETTINGS_FILE, '{"threshold": 0.7}')
    target = str(tmp_path / DEDUP_SETTINGS_FILE)
    ((_, temporary, replaced),) = [call for call in calls.made if call[0] == "replace"]
    assert replaced == target and os.path.dirname(temporary) == str(tmp_path)
    assert calls.made == [
        ("fsync", temporary),
        ("replace", temporary, target),
        ("fsync", str(tmp_path)),
    ]


def test_only_the_files_kept_beside_the_index_are_its_to_write(tmp_path: Path) -> None:
    folder = IndexDirectory(str(tmp_path))
    for name in ("_MAIN_1.toc", "MAIN_abc.trm", "notes.txt", "../words.txt"):
        with pytest.raises(ValueError, match="not a file kept beside the index"):
            folder.write_text(name, "x")
    assert os.listdir(tmp_path) == []
    folder.write_text("dedup-v1-7.json", "{}")
    assert folder.read_text("dedup-v1-7.json") == "{}"


def _dead_pid() -> int:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(child.stdout)


def test_the_lock_holder_removes_what_killed_runs_left(tmp_path: Path) -> None:
    folder = IndexDirectory(str(tmp_path))
    dead, alive = _dead_pid(), os.getpid()
    litter = [f"{LEXICON_FILE}.{dead}.0.tmp", f"{LEDGER_FILE}.{dead}.3.tmp", "_MAIN_4.toc.1712.5"]
    kept = [
        f"{LEXICON_FILE}.{alive}.0.tmp",  # a live process's write under way
        f"notes.txt.{dead}.0.tmp",  # not ours
        "_MAIN_3.toc",
        META_FILE,
    ]
    for name in litter + kept:
        (tmp_path / name).write_text("x", encoding="utf-8")
    folder.remove_litter("MAIN")
    assert sorted(os.listdir(tmp_path)) == sorted(kept)


def test_an_index_run_writes_every_side_file_durably(
    write: WriteFile, corpus: Path, index_dir: str, calls: Calls
) -> None:
    for n in range(6):
        write(f"n{n}.txt", f"Harbour news {n}\n\nThe harbour opened a berth, number {n}.")
    run_index(index_dir, [str(corpus)], dup_threshold=0.7)
    folder = os.path.abspath(index_dir)
    written = {}
    for position, call in enumerate(calls.made):
        if call[0] == "replace" and os.path.dirname(call[2]) == folder:
            name = os.path.basename(call[2])
            written[name] = position
            assert calls.made[position - 1] == ("fsync", call[1]), f"{name}: not synced first"
            assert calls.made[position + 1] == ("fsync", folder), f"{name}: folder not synced"
    assert set(written) == {
        META_FILE,
        LEXICON_FILE,
        LEDGER_FILE,
        DEDUP_SETTINGS_FILE,
        os.path.basename(clusters.cache_file(index_dir, 1)),  # the first commit's
    }
    assert json.loads(Path(index_dir, DEDUP_SETTINGS_FILE).read_text(encoding="utf-8")) == {
        "threshold": 0.7
    }


def test_a_commit_is_on_disk_before_its_table_of_contents_is_renamed_into_place(
    write: WriteFile, corpus: Path, index_dir: str, calls: Calls
) -> None:
    for n in range(4):
        write(f"a{n}.txt", f"Harbour news {n}\n\nThe harbour opened berth {n}.")
    run_index(index_dir, [str(corpus)])
    ix = store.open_for_reading(index_dir)
    before = {s.segment_id() for s in committed_segments(ix.storage, ix.indexname)}
    calls.made.clear()
    for n in range(3):
        write(f"b{n}.txt", f"Bridge news {n}\n\nThe bridge reopened to trams {n}.")
    assert run_index(index_dir, [str(corpus)]).added == 3

    folder = os.path.abspath(index_dir)
    generation = ix.latest_generation()
    toc = os.path.join(folder, f"_MAIN_{generation}.toc")
    ((_, temporary, _),) = [c for c in calls.made if c[0] == "rename" and c[2] == toc]
    renamed = calls.index("rename", temporary, toc)
    new = [s for s in committed_segments(ix.storage, ix.indexname) if s.segment_id() not in before]
    assert len(new) == 1
    files = [os.path.join(folder, name) for name in new[0].list_files(ix.storage)]
    assert any(name.endswith(".pos") for name in files) and len(files) > 5
    synced = calls.fsynced()
    for path in [*files, temporary]:
        assert path in synced, f"{os.path.basename(path)} was never forced to disk"
        assert calls.index("fsync", path) < renamed, f"{os.path.basename(path)} synced too late"
    # The folder is synced between the last file and the rename (the new
    # files' names), and after the rename (the rename itself).
    last_file = max(calls.index("fsync", path) for path in [*files, temporary])
    assert ("fsync", folder) in calls.made[last_file:renamed]
    assert calls.made[renamed + 1] == ("fsync", folder)
    with store.searcher(index_dir) as searcher:
        assert searcher.doc_count() == 7
