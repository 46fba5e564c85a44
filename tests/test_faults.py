"""Faults an index run must survive, each done for real.

Real ``searchengine`` processes are killed (SIGKILL, SIGINT) at moments
chosen by watching the index folder; other processes search while a run
writes; a second writer meets a held lock; the index folder is made
unwritable; files vanish, shrink or turn out to be pipes between the walk
and the read.  No Whoosh, file-system or library code is mocked.

Whatever moment a kill lands on, the invariant is the same: the index opens,
search works, it holds the article count from before the run or the one
from after it (nothing in between), and running the command again finishes
the job.  A kill is proven to land at the moment it names: the run is
stopped (SIGSTOP) when the moment shows, and killed only if, stopped, it is
still running and its folder still shows that moment and no later one; its
return code then says SIGKILL, never a run that ended by itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from index_contents import ids_in_order, index_digest
from whoosh import index as whoosh_index

from searchengine.index import clusters
from searchengine.index import directory as store
from searchengine.index.directory import LEDGER_FILE, LEXICON_FILE
from searchengine.index.merging import FACTOR
from searchengine.index.storedblocks import MAGIC as STORED_MAGIC
from searchengine.index.whoosh_private import committed_segments
from searchengine.indexer.run import run_index
from searchengine.models import Progress
from searchengine.query.engine import Engine
from searchengine.query.request import SearchRequest

from fault_corpus import write_corpus, write_uneven_corpus

COMMAND = [sys.executable, "-m", "searchengine"]
#: "Never hangs": far beyond what any of these runs needs.
HANG = 120.0


def cli(index_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """One ``searchengine`` command in its own process."""
    return subprocess.run(
        [*COMMAND, "--index", str(index_dir), *args],
        capture_output=True,
        text=True,
        timeout=HANG,
        check=False,
    )


def _ctrl_c_as_at_a_terminal() -> None:
    # A job started in the background (``make test &``, nohup, some CI
    # runners) inherits SIGINT ignored, and Python then leaves it ignored:
    # the run would finish instead of stopping.  A terminal's foreground
    # command gets it with its default action.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn_index(index_dir: Path, *paths: Path, as_json: bool = True) -> subprocess.Popen[str]:
    """Start ``searchengine index`` in a new session, so that the test can
    signal it and its reader processes together, as a terminal would."""
    args = [*COMMAND, "--index", str(index_dir), "index", *map(str, paths)]
    return subprocess.Popen(
        [*args, "--json"] if as_json else args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_ctrl_c_as_at_a_terminal,
    )


def folder_state(index_dir: Path) -> dict[str, int]:
    """Every file under the index folder (relative name -> size)."""
    state: dict[str, int] = {}
    for root, _dirs, files in os.walk(index_dir):
        for name in files:
            full = os.path.join(root, name)
            with contextlib.suppress(OSError):
                state[os.path.relpath(full, index_dir)] = os.path.getsize(full)
    return state


Moment = Callable[[dict[str, int]], bool]


def _size(new: dict[str, int], suffix: str | tuple[str, ...]) -> int:
    return sum(size for name, size in new.items() if name.endswith(suffix))


def _has(new: dict[str, int], suffix: str) -> bool:
    return any(name.endswith(suffix) for name in new)


def committed(new: dict[str, int]) -> bool:
    """The run's table of contents is in place (renamed from its temporary
    name): its commit is done."""
    return any(re.fullmatch(r"_MAIN_\d+\.toc", name) for name in new)


#: Moments of a run, recognised by the files Whoosh creates in the index
#: folder (names new since the run started, with their sizes).
MOMENTS: dict[str, Moment] = {
    # The writer is open and files are being read and parsed.
    "parsing": lambda new: _has(new, ".terms"),
    # Documents are being written: the per-document temp file (columns) or
    # the stored-fields blocks (index format 5) are growing.
    "writing": lambda new: _size(new, (".ctmp", ".stored")) > 100_000,
    # Commit under way: the new segment's columns are being written.
    "commit": lambda new: _has(new, ".col"),
    # Commit well under way: the new segment's postings are being written
    # (after its columns, before the table of contents).
    "commit-postings": lambda new: _has(new, ".col") and _size(new, (".docs", ".pos")) > 50_000,
    # Committed: the run's own files beside the index (the boilerplate
    # ledger, the cluster cache) may still be being written.
    "committed": committed,
}

#: What shows that a moment has passed: a later phase's files.
PASSED: dict[str, Moment] = {
    # Document data reached the disk: the writing pass has begun.
    "parsing": lambda new: (
        _size(new, ".ctmp") > 0
        or _size(new, ".stored") > len(STORED_MAGIC)
        or _has(new, ".col")
        or committed(new)
    ),
    "writing": lambda new: _has(new, ".col") or committed(new),
    "commit": committed,
    "commit-postings": committed,
    # Only the run's end, which the process's state shows.
    "committed": lambda new: False,
}

#: Runs a SIGKILL test starts before giving up on catching its moment.
KILL_TRIES = 5


def wait_for(
    proc: subprocess.Popen[str],
    index_dir: Path,
    moment: Moment,
    before: dict[str, int] | None = None,
) -> bool:
    """Poll the index folder until ``moment``; ``False`` if the run ended first.

    ``before`` is the folder as it was before the run started (taken now
    when not given)."""
    known = set(before if before is not None else folder_state(index_dir))
    deadline = time.monotonic() + HANG
    while proc.poll() is None:
        state = folder_state(index_dir)
        if moment({n: s for n, s in state.items() if n not in known}):
            return True
        if time.monotonic() > deadline:
            raise AssertionError("the index run neither reached the moment nor ended")
        time.sleep(0.002)
    return False


def session_states(session: int) -> dict[int, str]:
    """Every process of a session, zombies included, with its state letter
    (``R`` running, ``S`` sleeping, ``T`` stopped, ``Z`` zombie, ...)."""
    if not os.path.isdir("/proc"):
        pytest.skip("needs /proc to list a session's processes")
    states = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:
            states[int(entry)] = fields[0]
    return states


def live_processes(session: int) -> list[int]:
    """Processes of a session that are still alive (zombies do not count)."""
    return [pid for pid, state in session_states(session).items() if state not in ("Z", "X")]


def freeze(session: int) -> dict[int, str]:
    """Stop every process of a session where it is (SIGSTOP cannot be caught
    or ignored) and wait until each is stopped or has ended; their states."""
    deadline = time.monotonic() + HANG
    while True:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(session, signal.SIGSTOP)  # again: a process forked meanwhile
        states = session_states(session)
        if all(state in ("T", "Z", "X") for state in states.values()):
            return states
        assert time.monotonic() < deadline, f"processes would not stop: {states}"
        time.sleep(0.001)


def article_count(index_dir: Path) -> int:
    """The committed count, from a search in another process (which must
    work) and from the library (which must open the index); they agree."""
    searched = cli(index_dir, "search", "", "--json", "--limit", "1")
    assert searched.returncode == 0, searched.stderr
    total = json.loads(searched.stdout)["total"]
    assert isinstance(total, int)
    with Engine(str(index_dir)) as engine:
        assert engine.stats().articles == total
        assert engine.search(SearchRequest("harbour", limit=1)).total > 0
    return total


def only_committed_files(index_dir: Path) -> set[str]:
    """Names in the index folder that belong to no committed segment and are
    none of the files kept beside it (lexicon, boilerplate ledger, the
    current commit's cluster cache)."""
    ix = whoosh_index.open_dir(str(index_dir))
    committed = committed_segments(ix.storage, ix.indexname)
    segments = {name for segment in committed for name in segment.list_files(ix.storage)}
    generation = ix.latest_generation()
    toc = f"_MAIN_{generation}.toc"
    beside = {
        LEXICON_FILE,
        LEDGER_FILE,
        os.path.basename(clusters.cache_file(str(index_dir), generation)),
    }
    expected = {*segments, toc, "MAIN_WRITELOCK", store.META_FILE, *beside}
    return set(os.listdir(index_dir)) - expected


@dataclass(frozen=True)
class Prepared:
    """A corpus folder whose ``base`` part is indexed and whose ``more``
    part is not yet: an ``index`` run over ``root`` adds ``after - before``."""

    root: Path
    base_index: Path
    before: int
    after: int


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    folder = tmp_path_factory.mktemp("faults")
    root = folder / "corpus"
    base = write_corpus(root / "base", seed=1, text_files=100)
    base_index = folder / "base-index"
    first = cli(base_index, "index", str(root), "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["articles"] == base.articles
    more = write_corpus(
        root / "more", seed=2, text_files=160, jsonl_files=2, lines_per_jsonl=120, tag="narwhal"
    )
    return Prepared(root, base_index, base.articles, base.articles + more.articles)


@pytest.fixture
def fresh_index(prepared: Prepared, tmp_path: Path) -> Path:
    """A private copy of the prepared index, holding ``prepared.before`` articles."""
    target = tmp_path / "index"
    shutil.copytree(prepared.base_index, target)
    return target


# -- SIGKILL ---------------------------------------------------------------------


def kill_at(prepared: Prepared, folder: Path, moment: str) -> tuple[Path, int]:
    """Run ``index`` over a fresh copy of the prepared index and SIGKILL it
    at ``moment``; the killed run's index folder and return code.

    As soon as the moment shows, every process of the run is stopped where
    it is (SIGSTOP); only when, stopped, the run is still alive and its
    folder still shows the moment and nothing later is it killed.  A run
    that got past the moment first (or never showed it) is killed and
    another one tried, up to :data:`KILL_TRIES` runs; then the test fails.
    """
    for attempt in range(KILL_TRIES):
        index_dir = folder / f"index-{attempt}"
        shutil.copytree(prepared.base_index, index_dir)
        before = folder_state(index_dir)
        proc = spawn_index(index_dir, prepared.root)
        caught = False
        try:
            if wait_for(proc, index_dir, MOMENTS[moment], before):
                states = freeze(proc.pid)
                new = {n: s for n, s in folder_state(index_dir).items() if n not in before}
                caught = (
                    states.get(proc.pid) == "T" and MOMENTS[moment](new) and not PASSED[moment](new)
                )
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=HANG)
        # No process of the run outlives it.
        deadline = time.monotonic() + 10
        while live_processes(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert live_processes(proc.pid) == []
        if caught:
            return index_dir, proc.returncode
    raise AssertionError(f"none of {KILL_TRIES} index runs was caught at the moment {moment!r}")


@pytest.mark.slow
@pytest.mark.parametrize("moment", list(MOMENTS))
def test_sigkill_leaves_the_before_or_after_index_and_a_rerun_finishes(
    prepared: Prepared, tmp_path: Path, moment: str
) -> None:
    index_dir, returncode = kill_at(prepared, tmp_path, moment)
    assert returncode == -signal.SIGKILL  # killed, not ended by itself

    count = article_count(index_dir)
    # Killed before its table of contents was in place, a run committed
    # nothing; after, all of it.
    assert count == (prepared.after if moment == "committed" else prepared.before)

    rerun = cli(index_dir, "index", str(prepared.root), "--json")
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert summary["articles"] == prepared.after
    assert summary["errors"] == [] and summary["removed"] == 0
    if count == prepared.before:
        assert (summary["added"], summary["unchanged"]) == (
            prepared.after - prepared.before,
            prepared.before,
        )
        # The killed run's temporary and half-written segment files are gone.
        assert only_committed_files(index_dir) == set()
    else:
        assert (summary["added"], summary["unchanged"]) == (0, prepared.after)


@dataclass(frozen=True)
class Merging:
    """An index of ``FACTOR - 1`` small segments and a corpus whose next run
    adds the segment that fills tier 0, so that its commit merges them all;
    ``duration`` is how long that run took once, uninterrupted."""

    root: Path
    index: Path
    before: int
    after: int
    duration: float


@pytest.fixture(scope="module")
def merging(tmp_path_factory: pytest.TempPathFactory) -> Merging:
    folder = tmp_path_factory.mktemp("merging")
    root, index_dir = folder / "corpus", folder / "index"
    before = 0
    for run in range(FACTOR - 1):
        written = write_corpus(
            root / f"b{run}", seed=20 + run, text_files=4, jsonl_files=1, lines_per_jsonl=60
        )
        before += written.articles
        done = cli(index_dir, "index", str(root), "--json")
        assert done.returncode == 0, done.stderr
    last = write_corpus(root / "last", seed=40, text_files=20, tag="narwhal")
    trial = folder / "trial"
    shutil.copytree(index_dir, trial)
    started = time.monotonic()
    done = cli(trial, "index", str(root), "--json")
    duration = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    ix = whoosh_index.open_dir(str(trial))
    assert len(committed_segments(ix.storage, ix.indexname)) == 1, "the run did not merge"
    return Merging(root, index_dir, before, before + last.articles, duration)


@pytest.mark.slow
@pytest.mark.parametrize("fraction", [0.4, 0.6, 0.75, 0.85, 0.95])
def test_sigkill_during_a_merging_commit_leaves_the_before_or_after_index(
    merging: Merging, tmp_path: Path, fraction: float
) -> None:
    """Killed at any moment of a run whose commit merges ten segments into
    one (the later moments fall in the merge), the index holds the old
    segments or the merged one, and the next run finishes the job."""
    index_dir = tmp_path / "index"
    shutil.copytree(merging.index, index_dir)
    proc = spawn_index(index_dir, merging.root)
    time.sleep(merging.duration * fraction)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=HANG)
    assert proc.returncode in (-signal.SIGKILL, 0)
    deadline = time.monotonic() + 10
    while live_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live_processes(proc.pid) == []

    count = article_count(index_dir)
    assert count in (merging.before, merging.after)
    rerun = cli(index_dir, "index", str(merging.root), "--json")
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert (summary["articles"], summary["errors"]) == (merging.after, [])
    assert summary["added"] == (merging.after - count)
    if count == merging.before:
        # The killed run's segments and half-merged files are gone.
        assert only_committed_files(index_dir) == set()
    ix = whoosh_index.open_dir(str(index_dir))
    assert len(committed_segments(ix.storage, ix.indexname)) == 1


#: An index run in which any steal pays (:mod:`searchengine.indexer.claims`),
#: so that the uneven corpus makes one; prints the articles added.
_STEALING_RUN = """
import sys
from searchengine.indexer import claims
from searchengine.indexer.run import run_index
claims.STEAL_OVERHEAD = claims.STEAL_MIN_SECONDS = claims.STEAL_MIN_SHARE = 0.0
summary = run_index(sys.argv[1], [sys.argv[2]])
print(summary.added)
"""


def segment_names(state: dict[str, int]) -> set[str]:
    """The segments whose files are in the folder (committed or not)."""
    return {name.split(".")[0] for name in state if name.startswith("MAIN_") and "." in name}


def holder_of(session: int, prefix: str) -> int | None:
    """The process of ``session`` that has a file named ``prefix...`` open."""
    for pid in live_processes(session):
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.path.basename(os.readlink(f"/proc/{pid}/fd/{fd}")).startswith(prefix):
                        return pid
    return None


def kill_a_thief(root: Path, folder: Path) -> Path:
    """Run an index of ``root`` that steals, and SIGKILL the writer that
    builds a stolen tail (the third segment begun) while it does; the
    run's index folder once the run has ended by itself."""
    for attempt in range(KILL_TRIES):
        index_dir = folder / f"index-{attempt}"
        proc = subprocess.Popen(
            [sys.executable, "-c", _STEALING_RUN, str(index_dir), str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        seen: list[str] = []  # segments, as their files appear
        killed = False
        deadline = time.monotonic() + HANG
        while proc.poll() is None and not killed and time.monotonic() < deadline:
            names = segment_names(folder_state(index_dir)) if index_dir.exists() else set()
            seen += sorted(names - set(seen))
            # The two shares' segments are begun at once, the tail's later,
            # by the writer that then has its files open.
            thief = holder_of(proc.pid, seen[2] + ".") if len(seen) >= 3 else None
            if thief is not None and thief != proc.pid:
                os.kill(thief, signal.SIGKILL)
                killed = True
            time.sleep(0.002)
        out, err = proc.communicate(timeout=HANG)
        assert proc.returncode == 0, err
        assert out.split() == ["300"]
        if killed:
            return index_dir
    raise AssertionError(f"none of {KILL_TRIES} runs was caught building a stolen tail")


@pytest.mark.slow
@pytest.mark.skipif(
    len(os.sched_getaffinity(0)) < 2, reason="worker processes need two cores or more"
)
def test_a_writer_killed_building_a_stolen_tail_leaves_the_rest_to_the_run(
    tmp_path: Path,
) -> None:
    """The out-of-memory killer takes a writer that has stolen the tail of
    another's share (the victim's articles end where the tail begins):
    the run builds every article no writer finished, and the index is the
    one a single process builds, in the same order."""
    root = tmp_path / "corpus"
    write_uneven_corpus(root)
    index_dir = kill_a_thief(root, tmp_path)
    reference = tmp_path / "reference"
    run_index(str(reference), [str(root)])
    assert index_digest(str(index_dir), str(root)) == index_digest(str(reference), str(root))
    assert ids_in_order(str(index_dir)) == ids_in_order(str(reference))
    assert article_count(index_dir) == 300
    assert only_committed_files(index_dir) == set()


def test_a_table_of_contents_left_half_written_is_removed_by_the_next_run(
    prepared: Prepared, fresh_index: Path
) -> None:
    """Killed between writing the new TOC and renaming it into place, a run
    leaves ``_MAIN_<gen>.toc.<time>``, which Whoosh's clean-up never matches."""
    (toc,) = [name for name in os.listdir(fresh_index) if name.endswith(".toc")]
    stale = fresh_index / f"_MAIN_2.toc.{time.time()}"
    shutil.copyfile(fresh_index / toc, stale)
    assert article_count(fresh_index) == prepared.before  # ignored by readers
    rerun = cli(fresh_index, "index", str(prepared.root / "base"), "--json")
    assert rerun.returncode == 0, rerun.stderr
    assert not stale.exists()
    assert only_committed_files(fresh_index) == set()


def test_killing_only_the_main_process_ends_its_readers(
    prepared: Prepared, fresh_index: Path
) -> None:
    """``kill -9 PID`` (or the out-of-memory killer) hits one process; the
    reader processes it started must not linger waiting for work."""
    before = folder_state(fresh_index)
    proc = spawn_index(fresh_index, prepared.root)
    # Readers run while files are read (before the writing pass): wait for them.
    deadline = time.monotonic() + HANG
    while len(live_processes(proc.pid)) < 2:
        assert proc.poll() is None, "the run ended before its reader processes started"
        assert time.monotonic() < deadline, "no reader processes started"
        time.sleep(0.002)
    # Stopped where it is, the main process is shown to be alive, with its
    # readers, and not yet committed when it is killed.
    os.kill(proc.pid, signal.SIGSTOP)
    while (states := session_states(proc.pid)).get(proc.pid) not in ("T", "Z", "X"):
        assert time.monotonic() < deadline, f"the main process would not stop: {states}"
        time.sleep(0.001)
    readers = [pid for pid, state in states.items() if pid != proc.pid and state not in "ZX"]
    assert states[proc.pid] == "T" and readers, f"the run ended before it was stopped: {states}"
    assert not committed({n: s for n, s in folder_state(fresh_index).items() if n not in before})
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=HANG)
    assert proc.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 20
    while live_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live_processes(proc.pid) == []
    assert article_count(fresh_index) == prepared.before


#: A main process that forks a reader and is killed before the reader's
#: set-up runs (the test above kills at the first reader it sees, so it meets
#: this when the machine is busy); prints whether the reader ended.
_KILLED_BEFORE_SETUP = """
import os, select, time
from searchengine.indexer import workers as reading
r, w = os.pipe()
if os.fork() == 0:  # the main process
    parent = os.getpid()
    if os.fork() == 0:  # its reader, holding w open while it lives
        os.close(r)
        while os.getppid() == parent:
            time.sleep(0.01)
        try:
            reading._quiet_worker(parent)
        except BaseException as error:  # not the ending under test
            os.write(w, repr(error).encode())
            os._exit(1)
        time.sleep(30)  # waiting for work that will never come
        os._exit(0)
    os._exit(0)  # killed
os.close(w)
os.wait()
said = b""
deadline = time.monotonic() + 10 * reading.ORPHAN_CHECK
while time.monotonic() < deadline:
    if select.select([r], [], [], 0.05)[0]:
        chunk = os.read(r, 64)
        if not chunk:
            print(said.decode() or "ended")
            break
        said += chunk
else:
    print(said.decode() or "lingers")
"""


def test_a_reader_whose_parent_died_before_its_setup_still_ends() -> None:
    """The reader must watch the parent that forked it, not whatever
    ``getppid`` says once that one is dead (the reaper, forever alive)."""
    run = subprocess.run(
        [sys.executable, "-c", _KILLED_BEFORE_SETUP],
        capture_output=True,
        text=True,
        timeout=HANG,
        check=True,
    )
    assert run.stdout.strip() == "ended"


# -- SIGINT (Ctrl-C) ---------------------------------------------------------------


def interrupt_at(
    prepared: Prepared, index_dir: Path, moment: str, *, as_json: bool
) -> subprocess.Popen[str]:
    """Run ``index`` over ``index_dir`` (a copy of the prepared index) and
    press Ctrl-C at ``moment``; the interrupted run, to be waited for.

    As in :func:`kill_at`, the run is stopped (SIGSTOP) as soon as the
    moment shows, and only interrupted when, stopped, it is still alive and
    at that moment; otherwise (a loaded machine can let a small run finish
    between the look and the signal) the folder is restored and another run
    tried, up to :data:`KILL_TRIES`; then the test fails.
    """
    pristine = index_dir.with_name(index_dir.name + "-pristine")
    shutil.copytree(index_dir, pristine)
    for _attempt in range(KILL_TRIES):
        before = folder_state(index_dir)
        proc = spawn_index(index_dir, prepared.root, as_json=as_json)
        if wait_for(proc, index_dir, MOMENTS[moment], before):
            states = freeze(proc.pid)
            new = {n: s for n, s in folder_state(index_dir).items() if n not in before}
            if states.get(proc.pid) == "T" and MOMENTS[moment](new) and not PASSED[moment](new):
                os.killpg(proc.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
                os.killpg(proc.pid, signal.SIGCONT)
                return proc
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=HANG)
        shutil.rmtree(index_dir)
        shutil.copytree(pristine, index_dir)
    raise AssertionError(f"none of {KILL_TRIES} index runs was caught at the moment {moment!r}")


@pytest.mark.parametrize("moment", ["parsing", "writing"])
def test_ctrl_c_stops_at_once_commits_nothing_and_says_so(
    prepared: Prepared, fresh_index: Path, moment: str
) -> None:
    """ "parsing" is the moment the writer creates its files, which Ctrl-C
    once interrupted half-way, leaving them behind."""
    files_before = folder_state(fresh_index)
    proc = interrupt_at(prepared, fresh_index, moment, as_json=False)
    # "Within a second or two"; the bound here is only against a hang.
    stdout, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 130, (stdout, stderr)
    assert stdout == ""
    assert stderr == (
        "searchengine: error: interrupted: nothing from this run was committed, the index is "
        "as it was before it; run the same command again to finish\n"
    )
    assert article_count(fresh_index) == prepared.before
    # Not even litter: the begun segment's files are removed.
    assert folder_state(fresh_index) == files_before


def test_ctrl_c_with_json_reports_an_interrupted_error(
    prepared: Prepared, fresh_index: Path
) -> None:
    proc = interrupt_at(prepared, fresh_index, "parsing", as_json=True)
    stdout, stderr = proc.communicate(timeout=10)
    assert (proc.returncode, stdout) == (130, "")
    error = json.loads(stderr)["error"]
    assert error["type"] == "interrupted"
    assert "nothing from this run was committed" in error["message"]


# -- concurrent use ----------------------------------------------------------------

#: Run by reader processes: search in a loop with one Engine (as the shell
#: does), print one JSON line per round, stop after the first round begun
#: once ``stop`` exists.  Each search is one snapshot; the three of a round
#: may straddle a commit.  The empty query's total and its per-month
#: timeline come from one searcher, so together they fingerprint one state.
SEARCH_LOOP = """
import json, os, sys
from searchengine.query.engine import Engine
from searchengine.query.request import SearchRequest
index_dir, stop = sys.argv[1], sys.argv[2]
with Engine(index_dir) as engine:
    while True:
        last = os.path.exists(stop)
        everything = engine.search(SearchRequest("", limit=3))
        seen = [
            [everything.total, [list(pair) for pair in everything.timeline.counts]],
            engine.search(SearchRequest("narwhal", limit=3)).total,
            engine.search(SearchRequest("zeppelin", limit=3)).total,
        ]
        print(json.dumps(seen), flush=True)
        if last:
            break
"""


@pytest.mark.slow
def test_searches_in_other_processes_see_only_committed_states(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    index_dir = tmp_path / "index"
    gone = write_corpus(root / "gone", seed=3, text_files=40, tag="zeppelin")
    changing = write_corpus(root / "changing", seed=4, text_files=40, tag="quokka")
    kept = write_corpus(root / "kept", seed=5, text_files=60)
    first = cli(index_dir, "index", str(root), "--json")
    assert first.returncode == 0, first.stderr

    # The next run removes, updates and adds, all in one commit.
    shutil.rmtree(root / "gone")
    write_corpus(root / "changing", seed=4, text_files=40, tag="narwhal narwhal")
    added = write_corpus(root / "added", seed=6, text_files=200, tag="narwhal")
    totals = (gone.articles + changing.articles + kept.articles, 0, gone.articles)
    narwhals = changing.articles + added.articles
    new_totals = (changing.articles + kept.articles + added.articles, narwhals, 0)

    stop = tmp_path / "stop"
    outputs = [tmp_path / f"loop{n}.jsonl" for n in range(2)]
    loops = []
    for output in outputs:
        with open(output, "w") as sink:  # a file, not a pipe: it never fills up
            loops.append(
                subprocess.Popen(
                    [sys.executable, "-c", SEARCH_LOOP, str(index_dir), str(stop)],
                    stdout=sink,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
    try:
        deadline = time.monotonic() + HANG
        while not all(output.read_text().count("\n") for output in outputs):
            assert time.monotonic() < deadline  # both search before the run starts
            time.sleep(0.01)
        scripted: list[int] = []
        run = spawn_index(index_dir, root)
        while run.poll() is None:  # a script's searches, one process each
            result = cli(index_dir, "search", "narwhal", "--json", "--limit", "1")
            assert result.returncode == 0, result.stderr
            scripted.append(json.loads(result.stdout)["total"])
        out, err = run.communicate(timeout=HANG)
        assert run.returncode == 0, err
        assert json.loads(out)["articles"] == new_totals[0]
        stop.touch()
        for loop in loops:
            _, err = loop.communicate(timeout=HANG)
            assert (loop.returncode, err) == (0, "")
    finally:
        for loop in loops:
            if loop.poll() is None:
                loop.kill()
                loop.communicate()
    observations = [
        [json.loads(line) for line in output.read_text().splitlines()] for output in outputs
    ]
    for seen in observations:
        before, after = seen[0], seen[-1]
        assert (before[0][0], before[1], before[2]) == totals
        assert (after[0][0], after[1], after[2]) == new_totals
        for which in range(3):  # each search saw one committed state
            states = [state[which] for state in seen]
            assert [s for s in states if s not in (before[which], after[which])] == []
            # Once a reader has seen the new commit it never sees the old one.
            flipped = states.index(after[which])
            assert all(s == after[which] for s in states[flipped:])
    assert [total for total in scripted if total not in (0, narwhals)] == []


def test_a_second_writer_waits_then_fails_clearly(prepared: Prepared, fresh_index: Path) -> None:
    files_before = folder_state(fresh_index)
    holder = whoosh_index.open_dir(str(fresh_index)).writer()  # the lock, held for real
    try:
        started = time.monotonic()
        second = cli(fresh_index, "index", str(prepared.root))
        waited = time.monotonic() - started
    finally:
        store.cancel(holder)
    assert second.returncode == 1
    assert second.stdout == ""
    assert second.stderr == (
        f"searchengine: error: the index at {fresh_index} is being written by another "
        "`searchengine index` run; wait for it to finish and try again\n"
    )
    assert waited >= store.LOCK_WAIT  # it waited for the lock before giving up
    assert article_count(fresh_index) == prepared.before
    assert folder_state(fresh_index) == files_before
    as_json = cli(fresh_index, "index", str(prepared.root / "base"), "--json")
    assert as_json.returncode == 0, as_json.stderr  # lock released: runs again


# -- an index folder that cannot be written ----------------------------------------


@contextlib.contextmanager
def unwritable(folder: Path) -> Iterator[None]:
    """Make ``folder`` unwritable for this process, and undo it afterwards.

    ``chmod`` does not stop root, so as root the folder is marked immutable
    with ``chattr +i`` (which stops root too); where that is not possible the
    test is skipped, saying why.
    """
    if os.geteuid() != 0:
        mode = folder.stat().st_mode
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(mode)
        return
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("running as root, where chmod does not stop writes, and chattr is missing")
    made = subprocess.run([chattr, "+i", str(folder)], capture_output=True, check=False)
    if made.returncode != 0 or _can_create(folder):
        subprocess.run([chattr, "-i", str(folder)], capture_output=True, check=False)
        pytest.skip(
            "running as root, where chmod does not stop writes, and this file system "
            "refuses chattr +i: " + made.stderr.decode(errors="replace").strip()
        )
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True)


def _can_create(folder: Path) -> bool:
    probe = folder / ".probe"
    try:
        probe.touch()
    except OSError:
        return False
    probe.unlink()
    return True


def digest(folder: Path) -> dict[str, str]:
    return {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in sorted(os.listdir(folder))
        if (folder / name).is_file()
    }


def test_unwritable_index_folder_is_exit_1_and_the_index_is_untouched(
    prepared: Prepared, fresh_index: Path
) -> None:
    before = digest(fresh_index)
    with unwritable(fresh_index):
        result = cli(fresh_index, "index", str(prepared.root))
        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr == (
            f"searchengine: error: cannot write to {fresh_index}: permission denied; "
            "choose another folder with --index\n"
        )
        as_json = cli(fresh_index, "index", str(prepared.root), "--json")
        assert as_json.returncode == 1
        assert json.loads(as_json.stderr)["error"]["type"] == "index_write"
        # Searching a read-only index works.
        assert article_count(fresh_index) == prepared.before
        stats = cli(fresh_index, "stats")
        assert stats.returncode == 0 and stats.stderr == ""
    assert digest(fresh_index) == before


def test_index_path_that_is_a_file_is_exit_1(prepared: Prepared, tmp_path: Path) -> None:
    """A file where the index folder should be: cannot be written, whoever runs."""
    blocker = tmp_path / "index"
    blocker.write_text("not a folder\n")
    result = cli(blocker, "index", str(prepared.root / "base"))
    assert result.returncode == 1
    assert result.stderr.startswith(f"searchengine: error: cannot write to {blocker}: ")
    assert "Traceback" not in result.stderr
    assert blocker.read_text() == "not a folder\n"


@contextlib.contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path]:
    """A real file system of ``size`` mounted at ``folder`` (a tmpfs).

    Mounting needs root; elsewhere the test is skipped, saying why.
    """
    folder.mkdir()
    mount = shutil.which("mount")
    if os.geteuid() != 0 or mount is None:
        pytest.skip("filling a disk for real needs root, to mount a small tmpfs")
    made = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here: " + made.stderr.strip())
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` to the last byte, then give back ``leave`` bytes."""
    filler = disk / "filler"
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    with open(filler, "r+b") as handle:
        handle.truncate(max(0, filler.stat().st_size - leave))
    return filler


@pytest.mark.parametrize("leave", [0, 256 * 1024], ids=["full", "full-at-commit"])
def test_a_full_disk_is_exit_1_and_the_index_is_untouched(
    prepared: Prepared, tmp_path: Path, leave: int
) -> None:
    """With no room at all the run fails as soon as it writes; with a little
    it fails later, typically in the commit.  Either way: exit 1, a message saying so,
    the index byte for byte as it was, and no half-written files left to
    fill the disk further."""
    with small_disk(tmp_path / "disk", "8m") as disk:
        index_dir = disk / "index"
        assert cli(index_dir, "index", str(prepared.root / "base")).returncode == 0
        filler = fill(disk, leave)
        before, files = digest(index_dir), folder_state(index_dir)
        result = cli(index_dir, "index", str(prepared.root))
        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr == (
            f"searchengine: error: cannot write to {index_dir}: No space left on device; "
            "the previous index is unchanged (is the disk full?)\n"
        )
        assert (digest(index_dir), folder_state(index_dir)) == (before, files)
        assert article_count(index_dir) == prepared.before
        filler.unlink()  # room again: the same command finishes the job
        rerun = cli(index_dir, "index", str(prepared.root), "--json")
        assert rerun.returncode == 0, rerun.stderr
        assert json.loads(rerun.stdout)["articles"] == prepared.after


# -- files that vanish, shrink or are not files ---------------------------------------


def test_files_changing_between_walk_and_read_are_reported_not_fatal(tmp_path: Path) -> None:
    """The run's own progress report (after each file) is the hook: while it
    runs, later files are deleted and truncated on disk, for real."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Harbour\n\nThe harbour wall is fixed.\n")
    (corpus / "b.txt").write_text("Bridge\n\nThe bridge opens.\n")
    (corpus / "c.txt").write_text("Ferry\n\nThe ferry sails again.\n")
    good = json.dumps({"title": "Flood", "body": "The river rose."})
    (corpus / "d.jsonl").write_text(good + "\n" + good + "\n")
    (corpus / "e.txt").symlink_to(corpus / "nowhere.txt")  # broken from the start
    os.mkfifo(corpus / "f.txt")  # would block a plain open() forever

    def meddle(progress: Progress) -> None:
        if progress.stage == "reading" and progress.current == str(corpus / "a.txt"):
            (corpus / "b.txt").unlink()
            (corpus / "c.txt").write_bytes(b"")
            with open(corpus / "d.jsonl", "r+b") as handle:
                handle.truncate(len(good) + 1 + 10)  # the second line cut short

    summary = run_index(str(tmp_path / "index"), [str(corpus)], progress=meddle)
    assert (summary.added, summary.articles) == (2, 2)
    assert [(p.path, p.record, p.reason) for p in summary.errors] == [
        (str(corpus / "e.txt"), None, "cannot read: No such file or directory"),
        (str(corpus / "b.txt"), None, "vanished before it could be read"),
        (
            str(corpus / "d.jsonl"),
            1,
            "not valid JSON: Expecting value at column 11",
        ),
    ]
    assert [(p.path, p.reason) for p in summary.skipped] == [
        (str(corpus / "c.txt"), "empty file"),
        (str(corpus / "f.txt"), "not a regular file (a pipe, device or socket)"),
    ]


@pytest.mark.parametrize("name", ["feed.jsonl", "page.html", "dump.json", "note.txt"])
def test_a_fifo_is_skipped_not_waited_on(tmp_path: Path, name: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "real.txt").write_text("Harbour\n\nThe harbour wall is fixed.\n")
    os.mkfifo(corpus / name)
    result = cli(tmp_path / "index", "index", str(corpus), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["articles"] == 1
    assert summary["skipped"] == [
        {
            "path": str(corpus / name),
            "record": None,
            "reason": "not a regular file (a pipe, device or socket)",
        }
    ]
