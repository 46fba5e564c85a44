"""What a run has to do: the files found, and which of them are new,
changed, unchanged or gone since the index last saw them.

A file is told apart by its signature (size and modification time, see
:func:`searchengine.indexer.document.file_signature`): the same signature
means the same articles, and the file is not read again.  A stored file
that is no longer found under the paths given has gone; files outside
those paths are not this run's business and are left alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from searchengine.index.protocols import Reader
from searchengine.index.schema import term_text
from searchengine.indexer.document import file_signature, stored_path
from searchengine.load.walk import WalkStats, walk
from searchengine.models import Problem


@dataclass(frozen=True)
class Found:
    """The files of the paths given, and what the walk passed over."""

    roots: tuple[str, ...]
    files: tuple[str, ...]
    ignored: int  # files of kinds that are not read
    unreadable: tuple[Problem, ...]  # folders that could not be listed


def find(roots: list[str]) -> Found:
    """Walk ``roots`` (absolute paths) for the files a run reads."""
    stats = WalkStats()
    files = tuple(walk(roots, stats))
    unreadable = tuple(
        Problem(p, None, f"folder not readable: {why}", "error") for p, why in stats.unreadable
    )
    return Found(tuple(roots), files, stats.ignored, unreadable)


@dataclass(frozen=True)
class Known:
    """What the index knows about one file: its signature and its records."""

    sig: bytes
    count: int


def known_files(reader: Reader) -> dict[str, Known]:
    """Every file the index holds live articles of, with its signature."""
    known: dict[str, Known] = {}
    if reader.doc_count_all() == 0:
        return known
    paths = reader.column_reader("path")
    sigs = reader.column_reader("sig")
    deleted = reader.is_deleted if reader.has_deletions() else None
    for docnum in range(reader.doc_count_all()):
        if deleted is not None and deleted(docnum):
            continue
        path = term_text(paths[docnum])
        previous = known.get(path)
        known[path] = Known(sigs[docnum], (previous.count if previous else 0) + 1)
    return known


def records_of(reader: Reader, path: str) -> set[int | None]:
    """The record numbers of the live articles of the stored file ``path``
    (``None`` for a one-article file): whether a re-read article is an
    update or an addition."""
    records: set[int | None] = set()
    for docnum in reader.postings("path", path).all_ids():
        if not reader.is_deleted(docnum):
            records.add(reader.stored_fields(docnum).get("record"))
    return records


@dataclass(frozen=True)
class Plan:
    """What a run has to do, decided before anything is read or written."""

    #: New or changed files, as found, with their signatures: read them.
    to_load: tuple[tuple[str, bytes], ...]
    #: The stored paths of the changed ones: their old articles are replaced.
    changed: frozenset[str]
    #: Stored files gone from under the paths given, with their article counts.
    gone: tuple[tuple[str, int], ...]
    #: Articles of the files left as they are.
    unchanged: int
    #: Folders and files that could not be looked at, in the order met.
    problems: tuple[Problem, ...]


def make_plan(found: Found, known: dict[str, Known]) -> Plan:
    """What to do with the files ``found``, given those the index holds (``known``)."""
    problems = list(found.unreadable)
    to_load: list[tuple[str, bytes]] = []
    changed: set[str] = set()
    unchanged = 0
    for path in found.files:
        try:
            sig = file_signature(os.stat(path))
        except OSError as exc:
            problems.append(Problem(path, None, f"cannot read: {exc.strerror or exc}", "error"))
            continue
        previous = known.get(stored_path(path))
        if previous is not None and previous.sig == sig:
            unchanged += previous.count
            continue
        to_load.append((path, sig))
        if previous is not None:
            changed.add(stored_path(path))
    seen = {stored_path(p) for p in found.files}
    roots = [stored_path(root) for root in found.roots]
    gone = tuple(
        (path, info.count)
        for path, info in known.items()
        if path not in seen and _under(path, roots)
    )
    return Plan(tuple(to_load), frozenset(changed), gone, unchanged, tuple(problems))


def _under(path: str, roots: Iterable[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)
