"""Near-duplicate clusters of one committed state of the index.

Every article carries its MinHash signature (the ``minhash`` column, see
:mod:`searchengine.analysis.minhash`).  The clusters are derived from *all* live
signatures of one commit, so adding, changing or removing articles can merge
or split clusters and the result is still exactly what a fresh index of the
same files would give: there is no incremental bookkeeping to get wrong.

Computing them costs one pass over the signatures, so it is done once per
commit: ``index`` does it right after committing and leaves the clusters in
``dedup-v<N>-<generation>.json`` beside the index (document numbers are
stable within one generation).  A reader looks for its own generation's
file; when it is missing (a run killed between commit and cache, an index
folder that cannot be written) the clusters are computed on the spot, and
kept if the folder is writable.  The file is derived data: deleting it is
always safe.

The similarity threshold is a setting of the index, kept in
:data:`~searchengine.index.directory.DEDUP_SETTINGS_FILE` (written only
once someone sets it; the default otherwise).  It changes no stored data, since signatures do not depend on it,
so a new threshold needs no commit: the cache records the threshold it was
computed at and is not believed under another one.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

from searchengine.analysis import minhash as dedup
from searchengine.errors import IndexWriteError, UsageError
from searchengine.index.directory import (
    DEDUP_CACHE,
    DEDUP_SETTINGS_FILE,
    IndexDirectory,
    dedup_cache_name,
)
from searchengine.models import ClusterCount


@dataclass(frozen=True)
class Clusters:
    """Groups of near-duplicate document numbers (two or more each)."""

    groups: tuple[tuple[int, ...], ...] = ()
    #: Document number -> index into ``groups``, for clustered documents only.
    of: dict[int, int] = field(default_factory=dict)
    #: The similarity the clusters were found at.
    threshold: float = dedup.DEFAULT_THRESHOLD

    @classmethod
    def from_groups(cls, groups: list[list[int]], threshold: float) -> Clusters:
        of = {docnum: n for n, members in enumerate(groups) for docnum in members}
        return cls(tuple(tuple(members) for members in groups), of, threshold)

    def count(self) -> ClusterCount:
        """How many clusters, and articles in them, for ``stats``."""
        return ClusterCount(len(self.groups), len(self.of), self.threshold)

    def members(self, docnum: int) -> tuple[int, ...]:
        """The cluster of ``docnum`` (itself included), or just ``(docnum,)``."""
        group = self.of.get(docnum)
        return (docnum,) if group is None else self.groups[group]


def _cache_name(generation: int) -> str:
    return dedup_cache_name(dedup.ALGORITHM_VERSION, generation)


def cache_file(index_dir: str, generation: int) -> str:
    """The path of the cluster cache of commit ``generation``."""
    return IndexDirectory(index_dir).side_file(_cache_name(generation))


def threshold(index_dir: str) -> float:
    """The index's similarity threshold: the one last set, else the default
    (also when the settings file is damaged: it holds nothing else to lose)."""
    try:
        text = IndexDirectory(index_dir).read_text(DEDUP_SETTINGS_FILE)
        if text is None:
            return dedup.DEFAULT_THRESHOLD
        value = json.loads(text)["threshold"]
        if isinstance(value, bool) or not isinstance(value, int | float):
            return dedup.DEFAULT_THRESHOLD
        return dedup.check_threshold(float(value))
    except (OSError, ValueError, KeyError, TypeError, UsageError):
        return dedup.DEFAULT_THRESHOLD


def set_threshold(index_dir: str, value: float) -> bool:
    """Make ``value`` the index's similarity threshold; ``True`` when that
    changed it.  Written atomically, readable like the index's other files.
    Raises :class:`UsageError` for a value out of range and
    :class:`IndexWriteError` when the folder cannot be written."""
    dedup.check_threshold(value)
    if value == threshold(index_dir):
        return False
    folder = IndexDirectory(index_dir)
    try:
        folder.write_text(DEDUP_SETTINGS_FILE, json.dumps({"threshold": value}))
    except OSError as exc:
        raise IndexWriteError(
            f"cannot save the near-duplicate threshold in {folder.side_file(DEDUP_SETTINGS_FILE)}: "
            f"{exc.strerror or exc}"
        ) from None
    return True


def compute(reader: Any, threshold: float = dedup.DEFAULT_THRESHOLD) -> list[list[int]]:
    """The clusters of every live article the reader sees, at ``threshold``."""
    total = reader.doc_count_all()
    if total == 0 or "minhash" not in reader.schema:
        return []
    column = reader.column_reader("minhash")
    deleted = reader.is_deleted if reader.has_deletions() else None
    pairs = (
        (docnum, column[docnum])
        for docnum in range(total)
        if deleted is None or not deleted(docnum)
    )
    return dedup.clusters(pairs, threshold)


def _stamp(reader: Any, threshold: float) -> dict[str, float]:
    # What the cache must agree with besides the generation: an index folder
    # emptied by hand can reach the same generation number with other
    # documents, and a new threshold makes other clusters of the same ones.
    return {
        "generation": reader.generation(),
        "docs": reader.doc_count_all(),
        "live": reader.doc_count(),
        "threshold": threshold,
    }


def _read(folder: IndexDirectory, name: str, stamp: dict[str, float]) -> list[list[int]] | None:
    try:
        text = folder.read_text(name)
        if text is None:
            return None
        data = json.loads(text)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or any(data.get(k) != v for k, v in stamp.items()):
        return None
    groups = data.get("clusters")
    if not isinstance(groups, list):
        return None
    return groups


def _write(
    folder: IndexDirectory, name: str, stamp: dict[str, float], groups: list[list[int]]
) -> None:
    # A read-only index folder: compute again next time.
    with contextlib.suppress(OSError):
        folder.write_text(name, json.dumps({**stamp, "clusters": groups}, separators=(",", ":")))


def load(reader: Any, index_dir: str) -> Clusters:
    """The clusters of the commit ``reader`` reads at the index's threshold,
    from the cache or computed."""
    at = threshold(index_dir)
    generation = reader.generation()
    if generation is None or reader.doc_count() == 0:
        return Clusters(threshold=at)
    folder = IndexDirectory(index_dir)
    name = _cache_name(generation)
    stamp = _stamp(reader, at)
    groups = _read(folder, name, stamp)
    if groups is None:
        groups = compute(reader, at)
        _write(folder, name, stamp, groups)
    return Clusters.from_groups(groups, at)


def refresh(index_dir: str, reader: Any) -> None:
    """After a commit: cache the new generation's clusters, drop older caches."""
    load(reader, index_dir)
    keep = _cache_name(reader.generation() or 0)
    folder = IndexDirectory(index_dir)
    for name in folder.names():
        if DEDUP_CACHE.fullmatch(name) and name != keep:
            folder.remove(name)
