"""The C heap of the processes that index: freed memory kept for reuse.

On this kind of machine (a virtual one) a page the process has not
touched before costs several microseconds to fault in, and an index run
allocates and frees hundreds of megabytes: numpy arrays of postings,
the pickled articles a reader writes to the spool or a writer reads from
it.  glibc's malloc, left to itself, gives large blocks their own
mappings (returned to the system when freed, so faulted in again the
next time) and trims the top of the heap whenever 128 KB or more of it
is free.  A 20,000-article run took 162,000 page faults on two
cores (58,000 on one); with the settings below 92,000 (40,000), and 11 %
less time on two cores, 7 % on one.

They are set in the processes that read, build or merge: the worker
processes, and the main process when it does that work itself (one
core, or a run too small for workers).  Not otherwise in the main
process: it holds the run's tables from start to end while workers run
beside it, and memory it kept would count in the tree's peak (at a
million articles it grew to ~250 MB while the readers ran, some 70 MB
of it freed memory kept).  Memory is still handed back where it
matters: a worker trims its heap after each share, and the main process
before it forks workers (:func:`give_back_memory`).  Elsewhere than
glibc both are no-ops.
"""

from __future__ import annotations

import ctypes
import functools
import gc
from typing import Any

#: Blocks smaller than this come from the heap, not a mapping of their own
#: (glibc's largest automatic threshold).
MMAP_THRESHOLD = 32 << 20
#: Free memory at the top of the heap kept rather than given back (128 MB
#: took as many page faults at 20,000 articles, and kept more).
TRIM_THRESHOLD = 32 << 20
# mallopt's parameter numbers (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def keep_freed_memory() -> None:
    """Have malloc keep what this process frees for its next allocations:
    blocks up to :data:`MMAP_THRESHOLD` from the heap, and up to
    :data:`TRIM_THRESHOLD` of free heap kept (see the module's docstring)."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)


def give_back_memory() -> None:
    """Collect garbage and hand the freed heap back to the system (glibc's
    ``malloc_trim``; elsewhere nothing more).

    Called before worker processes are forked, so that they do not start
    with (and count as their own) the main process's freed memory, and by
    a worker after each share: a second share otherwise began some 45 MB
    higher than the first.
    """
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


@functools.cache
def _libc() -> Any:
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt, libc.malloc_trim  # noqa: B018 - glibc's, or not glibc
    except (OSError, AttributeError):
        return None
    return libc
