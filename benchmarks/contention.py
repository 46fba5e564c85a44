"""How well this machine itself runs two processes at once.

The scaling step times ``searchengine index`` on one core and on two; how
close two cores can come to twice one depends on the machine as well as on
the indexer.  Two virtual CPUs share caches and memory bandwidth with each
other (and with whatever else their host runs), so work that walks a large
heap, as building a segment does (a vocabulary dictionary looked up for
every word, postings sorted in buffers of megabytes), runs slower when the
other CPU does the same.  This module measures that ceiling with two plain
workloads, each in a process pinned to one CPU, first alone (on each CPU
in turn: the host may slow one of them and not the other, for minutes at
a time), then two at once on two CPUs:

* ``compute``: integer arithmetic in a loop, no memory to speak of;
* ``memory``: a dictionary of two million short strings built, then
  looked up with as many strings made afresh (a vocabulary's work, in
  short).

The ``slowdown`` of each is the median CPU time of a process running
beside the other over that of one running alone: 1.0 means the two CPUs
do not get in each other's way.  On the machine of the recorded runs it
moves with the host's load: ``memory`` measured 1.0 to 1.08 within an
hour, and the indexer's own write stage, the same two shares built one
after the other and then at once, 4 to 15 % more CPU at once.

    python -m benchmarks.contention      # prints the record as JSON
"""

from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

#: Rounds of each measurement (alone, then two at once); the median is kept.
ROUNDS = 3


def compute() -> None:
    """Arithmetic on small integers: what the CPUs do without the memory."""
    total = 0
    for n in range(12_000_000):
        total = (total + n * n) % 1_000_003


def memory() -> None:
    """A dictionary of two million words built, then looked up by as many
    new strings: some 250 MB of heap walked at random, as a segment's
    vocabulary and buffers are (a smaller one fits the caches and shows
    little)."""
    words = {f"w{n * 7919 % 2_000_003:07d}x": n for n in range(2_000_000)}
    found = 0
    for n in range(2_000_000):
        found += words.get(f"w{n * 104729 % 2_000_003:07d}x", 0) & 1
    del words


WORKLOADS: dict[str, Callable[[], None]] = {"compute": compute, "memory": memory}


def _pinned(cpu: int, name: str, results: Any) -> None:
    os.sched_setaffinity(0, [cpu])
    started = time.process_time()
    WORKLOADS[name]()
    results.put(time.process_time() - started)


def _run(name: str, cpus: list[int]) -> list[float]:
    """CPU seconds of ``name`` in one fresh process per CPU of ``cpus``, all at once."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=_pinned, args=(cpu, name, results)) for cpu in cpus]
    for process in processes:
        process.start()
    times = [float(results.get()) for _ in processes]
    for process in processes:
        process.join()
    return times


def measure(cpus: list[int], rounds: int = ROUNDS) -> dict[str, Any]:
    """Each workload alone on ``cpus[0]``, alone on ``cpus[1]`` and two at
    once on ``cpus[:2]``: median CPU seconds a process, the slowdown of two
    at once, and how much slower the second CPU ran alone than the first
    (``second_cpu``: the host may slow one virtual CPU and not the other,
    and a run pinned to one core runs on the first)."""
    record: dict[str, Any] = {}
    for name in WORKLOADS:
        alone: list[float] = []
        second: list[float] = []
        beside: list[float] = []
        for _ in range(rounds):
            alone += _run(name, cpus[:1])
            second += _run(name, cpus[1:2])
            beside += _run(name, cpus[:2])
        solo, duo = statistics.median(alone), statistics.median(beside)
        record[name] = {
            "alone_s": round(solo, 3),
            "second_alone_s": round(statistics.median(second), 3),
            "two_at_once_s": round(duo, 3),
            "slowdown": round(duo / solo, 3),
            "second_cpu": round(statistics.median(second) / solo, 3),
        }
    return record


if __name__ == "__main__":
    print(json.dumps(measure(sorted(os.sched_getaffinity(0))[:2]), indent=2))
