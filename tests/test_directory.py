"""The index folder (``index/directory.py``): opening it, its format and its
lock; its owner's side files written atomically and durably, the litter of
killed runs removed, a cancelled writer leaving nothing behind, and commits
forced to disk in the right order.

Durability is shown by recording the system calls a real write makes
(``os.fsync``, ``os.replace``, ``os.rename``, wrapped so they still do their
work): the files written are real and read back.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from searchengine.errors import (
    IndexCorruptError,
    IndexLockedError,
    IndexMissingError,
    IndexWriteError,
)
from searchengine.index import clusters
from searchengine.index import directory as store
from searchengine.index.directory import (
    DEDUP_SETTINGS_FILE,
    LEDGER_FILE,
    LEXICON_FILE,
    META_FILE,
    IndexDirectory,
)
from searchengine.index.schema import FORMAT_VERSION
from searchengine.index.whoosh_private import committed_segments
from searchengine.indexer.document import document, file_signature
from searchengine.indexer.run import run_index
from searchengine.load import load_file
from searchengine.query.engine import Engine
from searchengine.query.request import SearchRequest

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


# -- opening, the lock and cancelling: on a real index of two articles ---------

REBUILD = "rebuild it with `searchengine index --rebuild PATH...`"


def files_under(folder: str) -> dict[str, int]:
    """Every file under ``folder``, relative name -> size."""
    found: dict[str, int] = {}
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            found[os.path.relpath(path, folder)] = os.path.getsize(path)
    return found


def count(index_dir: str, query: str = "") -> int:
    with Engine(index_dir) as engine:
        return engine.search(SearchRequest(query, collapse=False)).total


@pytest.fixture
def two_articles(write: WriteFile, corpus: Path, index_dir: str) -> str:
    """An index of two articles (one commit)."""
    write("a.txt", "Harbour wall\n\nThe harbour wall was mended on Monday.\n")
    write("b.txt", "Ferry timetable\n\nThe ferry sails twice a day in winter.\n")
    assert run_index(index_dir, [str(corpus)]).articles == 2
    return index_dir


def add_article(writer: Any, path: Path) -> None:
    (article,) = load_file(str(path)).articles
    writer.add_document(**document(article, file_signature(os.stat(path))))


# -- opening ---------------------------------------------------------------------


def test_no_index_is_missing_with_the_command_that_makes_one(tmp_path: Path) -> None:
    for where in (tmp_path / "nowhere", tmp_path):  # no folder; a folder without an index
        with pytest.raises(IndexMissingError) as info:
            store.open_for_reading(str(where))
        assert info.value.message == (
            f"no index at {where}; create one with `searchengine index PATH...` "
            "(or point --index / SEARCHENGINE_INDEX at an existing one)"
        )


def test_a_new_index_records_its_format(tmp_path: Path) -> None:
    index_dir = str(tmp_path / "deep" / "index")
    ix = store.open_for_writing(index_dir)
    assert ix.doc_count() == 0
    with open(os.path.join(index_dir, store.META_FILE), encoding="utf-8") as handle:
        assert json.load(handle) == {"format": FORMAT_VERSION}
    assert store.open_for_reading(index_dir).doc_count() == 0


def test_another_format_is_refused_with_how_to_rebuild(two_articles: str) -> None:
    meta = Path(two_articles, store.META_FILE)
    meta.write_text(json.dumps({"format": FORMAT_VERSION - 1}), encoding="utf-8")
    expected = (
        f"{two_articles} was built by another version of searchengine (format "
        f"{FORMAT_VERSION - 1}, this one reads {FORMAT_VERSION}); {REBUILD}"
    )
    for opener in (store.open_for_reading, store.open_for_writing):
        with pytest.raises(IndexCorruptError) as info:
            opener(two_articles)
        assert info.value.message == expected
    # A rebuild may replace it: the index is new, empty and of this format.
    assert store.open_for_writing(two_articles, rebuild=True).doc_count() == 0
    assert json.loads(meta.read_text(encoding="utf-8")) == {"format": FORMAT_VERSION}


def test_an_unreadable_format_file_is_refused_with_how_to_rebuild(two_articles: str) -> None:
    Path(two_articles, store.META_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError) as info:
        store.open_for_reading(two_articles)
    assert info.value.message == (
        f"{two_articles}: {store.META_FILE} is unreadable; "
        "rebuild with `searchengine index --rebuild PATH...`"
    )


def test_an_index_without_a_format_file_still_opens(two_articles: str) -> None:
    """Indexes from before the format file are read as they are."""
    os.remove(os.path.join(two_articles, store.META_FILE))
    assert store.open_for_reading(two_articles).doc_count() == 2


def test_a_file_where_the_folder_should_be_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "index"
    blocker.write_text("not a folder\n", encoding="utf-8")
    with pytest.raises(IndexWriteError) as info:
        store.open_for_writing(str(blocker))
    assert info.value.message == f"cannot write to {blocker}: File exists"
    assert blocker.read_text(encoding="utf-8") == "not a folder\n"


def test_write_errors_say_what_failed_and_what_is_left() -> None:
    denied = store.write_error("/x/index", PermissionError(errno.EACCES, "Permission denied"))
    assert denied.message == (
        "cannot write to /x/index: permission denied; choose another folder with --index"
    )
    full = store.write_error("/x/index", OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    assert full.message == (
        "cannot write to /x/index: No space left on device; "
        "the previous index is unchanged (is the disk full?)"
    )


def test_index_bytes_is_the_size_of_the_files_in_the_folder(two_articles: str) -> None:
    top = [e for e in os.scandir(two_articles) if e.is_file()]
    assert len(top) >= 5
    assert store.index_bytes(two_articles) == sum(e.stat().st_size for e in top)
    assert store.index_bytes(two_articles + "-missing") == 0


# -- the lock ----------------------------------------------------------------------


def test_a_second_writer_waits_for_the_lock_and_gets_it_when_released(two_articles: str) -> None:
    holder = store.writer(store.open_for_writing(two_articles), two_articles)
    got: list[Any] = []
    waiting = threading.Thread(
        target=lambda: got.append(store.writer(store.open_for_writing(two_articles), two_articles))
    )
    waiting.start()
    try:
        time.sleep(0.3)
        assert waiting.is_alive() and got == []  # still waiting (LOCK_WAIT is 5 s)
    finally:
        store.cancel(holder)
    waiting.join(timeout=store.LOCK_WAIT + 5)
    assert not waiting.is_alive()
    (second,) = got
    store.cancel(second)
    assert count(two_articles) == 2


def test_a_writer_gives_up_after_the_wait_and_leaves_the_folder_as_it_was(
    two_articles: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "LOCK_WAIT", 0.3)  # the wait itself is the same code
    holder = store.writer(store.open_for_writing(two_articles), two_articles)
    try:
        before = files_under(two_articles)
        with pytest.raises(IndexLockedError) as info:
            store.writer(store.open_for_writing(two_articles), two_articles)
        assert files_under(two_articles) == before
    finally:
        store.cancel(holder)
    assert info.value.message == (
        f"the index at {two_articles} is being written by another `searchengine index` run; "
        "wait for it to finish and try again"
    )


def test_a_writer_removes_tables_of_contents_a_killed_run_left(two_articles: str) -> None:
    (toc,) = [n for n in os.listdir(two_articles) if n.endswith(".toc")]
    left = Path(two_articles, f"_MAIN_9.toc.{time.time()}")
    other = Path(two_articles, "_OTHER_9.toc.1")  # another index's name: not ours
    for path in (left, other):
        path.write_bytes(Path(two_articles, toc).read_bytes())
    store.cancel(store.writer(store.open_for_writing(two_articles), two_articles))
    assert not left.exists()
    assert other.exists() and Path(two_articles, toc).exists()


# -- cancelling --------------------------------------------------------------------


def test_cancel_removes_every_file_the_writer_began(two_articles: str, write: WriteFile) -> None:
    before = files_under(two_articles)
    writer = store.writer(store.open_for_writing(two_articles), two_articles)
    add_article(writer, write("c.txt", "Storm warning\n\nA storm reaches the harbour tonight.\n"))
    begun = set(files_under(two_articles)) - set(before)
    assert {n.rsplit(".", 1)[-1] for n in begun} >= {"terms", "docs", "pos", "ctmp"}
    store.cancel(writer)
    assert files_under(two_articles) == before
    assert count(two_articles) == 2
    store.cancel(store.writer(store.open_for_writing(two_articles), two_articles))  # lock free


def test_cancel_after_a_commit_keeps_the_committed_segment(
    two_articles: str, write: WriteFile
) -> None:
    writer = store.writer(store.open_for_writing(two_articles), two_articles)
    add_article(writer, write("c.txt", "Storm warning\n\nA storm reaches the harbour tonight.\n"))
    writer.commit()
    committed = files_under(two_articles)
    store.cancel(writer)
    assert files_under(two_articles) == committed
    assert (count(two_articles), count(two_articles, "storm")) == (3, 1)
