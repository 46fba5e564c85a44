"""The heap settings of indexing processes, observed in fresh processes:
memory freed is kept for reuse after :func:`keep_freed_memory`, handed
back by :func:`give_back_memory`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from searchengine.indexer import heap

pytestmark = pytest.mark.skipif(heap._libc() is None, reason="glibc's malloc only")

_PROBE = """
import os, sys
from searchengine.indexer import heap
def resident():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") >> 20
if sys.argv[1] == "keep":
    heap.keep_freed_memory()
before = resident()
block = bytearray(24 << 20)  # 24 MB, touched
del block
kept = resident()
heap.give_back_memory()
print(kept - before, resident() - before)
"""


def _probe(mode: str) -> tuple[int, int]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, mode], capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[0]), int(out[1])


def test_without_the_settings_a_large_block_freed_is_given_back_at_once() -> None:
    kept, _ = _probe("default")
    assert kept < 4


def test_a_large_block_freed_is_kept_for_reuse_then_given_back_on_request() -> None:
    kept, after = _probe("keep")
    assert kept >= 20
    assert after < 4
