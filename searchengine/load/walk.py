"""Finding the files to read under the paths a user gives.

Folders are walked recursively in a stable (sorted) order.  No folder is
walked twice, compared by real path, so a symlink loop or a link back up the
tree is skipped rather than followed forever; no file is read twice either.
Links are followed wherever they point, inside the given folders or not;
articles keep the path they were found under (the link's).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from searchengine.errors import UsageError
from searchengine.load import format_of


@dataclass
class WalkStats:
    """What the walk passed over: files of other kinds, and unreadable folders."""

    ignored: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)


def absolute(path: str) -> str:
    """The absolute, normalised form of a user-given path (links not resolved)."""
    return os.path.abspath(os.path.expanduser(path))


def check_paths(paths: list[str]) -> list[str]:
    """Absolute forms of ``paths``; a path that does not exist is a usage error."""
    if not paths:
        raise UsageError("no path given; name the files or folders to index")
    result = []
    for path in paths:
        full = absolute(path)
        if not os.path.exists(full):
            raise UsageError(f"{path}: no such file or folder; check the path")
        result.append(full)
    return result


def walk(roots: list[str], stats: WalkStats | None = None) -> Iterator[str]:
    """Yield the absolute path of every readable-format file under ``roots``."""
    stats = stats if stats is not None else WalkStats()
    seen_dirs: set[str] = set()
    seen_files: set[str] = set()
    for root in roots:
        if os.path.isdir(root):
            yield from _walk_dir(root, seen_dirs, seen_files, stats)
        elif os.path.realpath(root) not in seen_files:
            seen_files.add(os.path.realpath(root))
            if format_of(root) is not None:
                yield root
            else:
                stats.ignored += 1


def _walk_dir(
    top: str, seen_dirs: set[str], seen_files: set[str], stats: WalkStats
) -> Iterator[str]:
    # Real folders first, linked ones after: a file reachable both ways is
    # then known by its real place, not by the link.
    stack = [top]
    linked: list[str] = []
    while stack or linked:
        folder = stack.pop() if stack else linked.pop(0)
        real = os.path.realpath(folder)
        if real in seen_dirs:
            continue
        seen_dirs.add(real)
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            stats.unreadable.append((folder, exc.strerror or str(exc)))
            continue
        subdirs: list[str] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
                is_link = entry.is_symlink()
            except OSError:
                continue
            if is_dir:
                if not entry.name.startswith("."):
                    (linked if is_link else subdirs).append(entry.path)
                continue
            # Files are known by their real place too: a file reached through
            # a link and through a linked folder is read once.
            place = os.path.realpath(entry.path) if is_link else os.path.join(real, entry.name)
            if place in seen_files:
                continue
            seen_files.add(place)
            if format_of(entry.name) is not None:
                yield entry.path
            else:
                stats.ignored += 1
        stack.extend(reversed(subdirs))
