"""Opening an input file without ever blocking on something that is not one.

A corpus folder can hold a named pipe (FIFO) or a link to a device under a
name such as ``feed.txt``.  A plain ``open()`` of a FIFO waits for a writer
that may never come, and ``/dev/zero`` never ends; either would hang a whole
run.  So files are opened non-blocking and checked, on the open descriptor
(no race with a rename), to be regular files before a byte is read.
"""

from __future__ import annotations

import io
import os
import stat

from searchengine.load.problems import InputProblem


def open_regular(path: str) -> io.BufferedReader:
    """``path`` opened for binary reading; a problem if it is not a readable
    regular file (gone, a folder, a FIFO, a device, a socket, no permission)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputProblem("error", "vanished before it could be read") from None
    except IsADirectoryError:
        raise InputProblem("error", "is a folder, not a file") from None
    except OSError as exc:
        raise InputProblem("error", f"cannot read: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputProblem("error", "is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise InputProblem("skipped", "not a regular file (a pipe, device or socket)")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
