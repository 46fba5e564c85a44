"""Near-duplicate clusters of one committed state of the index.

Every article carries its MinHash signature (the ``minhash`` column, see
:mod:`searchengine.dedup`).  The clusters are derived from *all* live
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
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

from searchengine import dedup

_CACHE = re.compile(r"dedup-v\d+-\d+\.json")


@dataclass(frozen=True)
class Clusters:
    """Groups of near-duplicate document numbers (two or more each)."""

    groups: tuple[tuple[int, ...], ...] = ()
    #: Document number -> index into ``groups``, for clustered documents only.
    of: dict[int, int] = field(default_factory=dict)

    @classmethod
    def from_groups(cls, groups: list[list[int]]) -> Clusters:
        of = {docnum: n for n, members in enumerate(groups) for docnum in members}
        return cls(tuple(tuple(members) for members in groups), of)

    def members(self, docnum: int) -> tuple[int, ...]:
        """The cluster of ``docnum`` (itself included), or just ``(docnum,)``."""
        group = self.of.get(docnum)
        return (docnum,) if group is None else self.groups[group]


def cache_file(index_dir: str, generation: int) -> str:
    return os.path.join(index_dir, f"dedup-v{dedup.ALGORITHM_VERSION}-{generation}.json")


def compute(reader: Any) -> list[list[int]]:
    """The clusters of every live article the reader sees."""
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
    return dedup.clusters(pairs)


def _stamp(reader: Any) -> dict[str, int]:
    # What the cache must agree with besides the generation: an index folder
    # emptied by hand can reach the same generation number with other documents.
    return {
        "generation": reader.generation(),
        "docs": reader.doc_count_all(),
        "live": reader.doc_count(),
    }


def _read(path: str, stamp: dict[str, int]) -> list[list[int]] | None:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or any(data.get(k) != v for k, v in stamp.items()):
        return None
    groups = data.get("clusters")
    if not isinstance(groups, list):
        return None
    return groups


def _write(path: str, stamp: dict[str, int], groups: list[list[int]]) -> None:
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(
                {**stamp, "threshold": dedup.DEFAULT_THRESHOLD, "clusters": groups},
                handle,
                separators=(",", ":"),
            )
        os.replace(temporary, path)
    except OSError:  # a read-only index folder: compute again next time
        with contextlib.suppress(OSError):
            os.remove(temporary)


def load(reader: Any, index_dir: str) -> Clusters:
    """The clusters of the commit ``reader`` reads, from the cache or computed."""
    generation = reader.generation()
    if generation is None or reader.doc_count() == 0:
        return Clusters()
    path = cache_file(index_dir, generation)
    stamp = _stamp(reader)
    groups = _read(path, stamp)
    if groups is None:
        groups = compute(reader)
        _write(path, stamp, groups)
    return Clusters.from_groups(groups)


def refresh(index_dir: str, reader: Any) -> None:
    """After a commit: cache the new generation's clusters, drop older caches."""
    load(reader, index_dir)
    keep = os.path.basename(cache_file(index_dir, reader.generation() or 0))
    with contextlib.suppress(OSError):
        for name in os.listdir(index_dir):
            if _CACHE.fullmatch(name) and name != keep:
                with contextlib.suppress(OSError):
                    os.remove(os.path.join(index_dir, name))
