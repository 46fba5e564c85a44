"""Measuring tools: child processes with peak memory, wall-clock runs, percentiles, the machine."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4


@dataclass(frozen=True)
class ChildRun:
    returncode: int
    wall_s: float
    #: Highest sum of the resident memory of the child and its descendants,
    #: sampled every 50 ms (0 where /proc is not available).
    peak_tree_rss_kb: int
    timed_out: bool
    #: Highest sum of their proportional set sizes (each shared page split
    #: between the processes sharing it: forked workers share the parent's
    #: pages, which the sum of RSS counts once per process), sampled every
    #: 250 ms (0 where /proc/PID/smaps_rollup is not available).
    peak_tree_pss_kb: int = 0


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * PAGE_KB
    except (OSError, ValueError, IndexError):
        return 0


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{current}/task/{tid}/children", "rb") as handle:
                    children = [int(c) for c in handle.read().split()]
            except (OSError, ValueError):
                continue
            found.extend(children)
            stack.extend(children)
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_pss_kb(pid: int) -> int:
    """Proportional set size of ``pid`` and all its descendants, in KiB."""
    return _pss_kb(pid) + sum(_pss_kb(child) for child in _descendants(pid))


def tree_rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, in KiB."""
    return _rss_kb(pid) + sum(_rss_kb(child) for child in _descendants(pid))


def run_child(
    argv: Sequence[str],
    *,
    timeout: float,
    cwd: Path,
    env: dict[str, str],
    log: Path,
) -> ChildRun:
    """Run ``argv`` with output to ``log``, sampling its process tree's memory."""
    peak = peak_pss = 0
    done = threading.Event()
    with log.open("ab") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=out)

        def sample() -> None:
            nonlocal peak, peak_pss
            samples = 0
            while not done.wait(0.05):
                peak = max(peak, tree_rss_kb(proc.pid))
                samples += 1
                if samples % 5 == 0:  # reading smaps costs the kernel more
                    peak_pss = max(peak_pss, tree_pss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            proc.kill()
            proc.wait()
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
    return ChildRun(proc.returncode, wall, peak, timed_out, peak_pss)


@dataclass(frozen=True)
class Timed:
    wall_s: float
    returncode: int
    stdout: bytes
    stderr: bytes


def timed_run(argv: Sequence[str], *, cwd: Path, env: dict[str, str], timeout: float) -> Timed:
    """Wall time of one process, stdout piped (as a script reading it would)."""
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=timeout, check=False)
    return Timed(time.perf_counter() - started, proc.returncode, proc.stdout, proc.stderr)


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0..100) of sorted values, linearly interpolated."""
    if not sorted_values:
        return float("nan")
    if len(sorted_values) == 1:
        return float(sorted_values[0])
    k = (len(sorted_values) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return float(sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo))


def summarize(samples: Sequence[float]) -> dict[str, float | int]:
    values = sorted(samples)
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50), 3),
        "p95_ms": round(percentile(values, 95), 3),
        "p99_ms": round(percentile(values, 99), 3),
        "mean_ms": round(statistics.fmean(values), 3) if values else float("nan"),
        "max_ms": round(values[-1], 3) if values else float("nan"),
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_gb() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _git(repo: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=repo, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def machine(repo: Path, versions: dict[str, str]) -> dict[str, object]:
    """What the numbers were measured on."""
    commit = _git(repo, "rev-parse", "--short", "HEAD")
    dirty = _git(repo, "status", "--porcelain", "--", "searchengine")
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": _mem_total_gb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "packages": versions,
        "searchengine_commit": commit,
        "searchengine_tree_dirty": bool(dirty),
    }
