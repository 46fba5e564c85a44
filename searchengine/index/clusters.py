"""Near-duplicate clusters of one committed state of the index.

Every article carries its MinHash signature (the ``minhash`` column, see
:mod:`searchengine.analysis.minhash`).  The clusters are derived from *all* live
signatures of one commit, so adding, changing or removing articles can merge
or split clusters and the result is still exactly what a fresh index of the
same files would give: there is no incremental bookkeeping to get wrong.

Clusters are found by locality-sensitive hashing: the signature is cut into
bands of a few bins, articles sharing a whole band are candidates, and a
candidate pair whose estimated similarity reaches the threshold is joined
(union-find, so clusters are the transitive closure).  At the default
threshold the bands are :data:`BANDS` of :data:`ROWS` bins: a pair at
similarity 0.5 becomes a candidate with probability 0.87, at 0.6 with 0.99;
unrelated articles (similarity near 0) almost never do, so the work is about
one dictionary lookup per band per article.  A threshold below about 0.49
needs narrower bands to find its pairs as surely (:func:`rows_for`): two or
four times as many bands, so as many times the lookups and bucket tables,
and more candidates to compare.  Candidates are always compared exactly, so
the banding decides what clustering costs and misses, never what it joins.

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
once someone sets it; the default otherwise).  It changes no stored data,
since signatures do not depend on it, so a new threshold needs no commit:
the cache records the threshold it was computed at and is not believed
under another one.
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from searchengine.analysis import minhash as dedup
from searchengine.errors import IndexWriteError, UsageError
from searchengine.index.directory import (
    DEDUP_CACHE,
    DEDUP_SETTINGS_FILE,
    IndexDirectory,
    dedup_cache_name,
)
from searchengine.index.protocols import Reader
from searchengine.models import ClusterCount

#: LSH bands, and bins per band (``BANDS * ROWS`` is the signature's
#: ``BINS``), at the default threshold and any above it; lower thresholds
#: use narrower bands.
BANDS = 32
ROWS = 4
#: The chance that a pair exactly at the threshold shares a band (and so is
#: compared at all) that :func:`rows_for` keeps for any threshold: what the
#: default banding gives at the default threshold.
MIN_CANDIDATE_CHANCE = 0.85


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


def candidate_chance(similarity: float, rows: int) -> float:
    """The chance that two signatures of this similarity share at least one
    of the ``dedup.BINS // rows`` bands of ``rows`` bins."""
    return 1.0 - (1.0 - similarity**rows) ** (dedup.BINS // rows)


def rows_for(threshold: float) -> int:
    """Bins per LSH band for ``threshold``: the widest band (fewest spurious
    candidates, least memory) that still makes a pair exactly at the
    threshold a candidate with :data:`MIN_CANDIDATE_CHANCE`.

    4 (32 bands) from a threshold of about 0.49 up, 2 (64 bands) from about
    0.17, 1 (128 bands, every bin on its own) below that.  Under about 0.015
    not even that reaches the chance (a pair there shares one or two bins of
    the 128), so pairs at such a threshold are found only now and then.
    """
    for rows in (ROWS, 2):
        if candidate_chance(threshold, rows) >= MIN_CANDIDATE_CHANCE:
            return rows
    return 1


def find_groups(
    signatures: Iterable[tuple[int, bytes]], threshold: float = dedup.DEFAULT_THRESHOLD
) -> list[list[int]]:
    """Groups of near-duplicates among ``(key, signature)`` pairs: pairs whose
    estimated similarity is at least ``threshold``, and everything linked
    through them.

    Returns every group of two or more keys, each sorted, groups ordered by
    their first key; keys without a signature (or of another signature
    size) are left out.  Deterministic for the same input.
    """
    dedup.check_threshold(threshold)
    rows = rows_for(threshold)
    expected = dedup.SIGNATURE_BYTES
    same: dict[bytes, list[int]] = defaultdict(list)
    for key, sig in signatures:
        if len(sig) == expected:
            same[sig].append(key)

    parent: dict[int, int] = {}

    def root(key: int) -> int:
        while parent.get(key, key) != key:
            grand = parent.get(parent[key], parent[key])
            parent[key] = grand
            key = grand
        return key

    def join(a: int, b: int) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    # Identical signatures (verbatim copies) are joined outright; only one
    # of them goes on to the bands, so a flood of copies costs nothing.
    for keys in same.values():
        for other in keys[1:]:
            join(keys[0], other)
    # One band at a time: a band's buckets are dropped once its shared ones
    # are noted, so memory holds one band's table, not all of them (at
    # 100,000 articles all bands together took some 300 MB).  Most band
    # values are seen once: a bucket holds the one signature and becomes a
    # list only when a second one arrives (no list per bucket).
    band_width = rows * dedup.VALUE_BYTES
    shared: list[list[bytes]] = []
    for band in range(dedup.BINS // rows):
        start, end = band * band_width, (band + 1) * band_width
        buckets: dict[bytes, bytes | list[bytes]] = {}
        for sig in same:
            part = sig[start:end]
            bucket = buckets.get(part)
            if bucket is None:
                buckets[part] = sig
            elif isinstance(bucket, bytes):
                pair = [bucket, sig]
                buckets[part] = pair
                shared.append(pair)
            else:
                bucket.append(sig)
        del buckets
    checked: set[tuple[bytes, bytes]] = set()
    for sigs in shared:
        for i, a in enumerate(sigs):
            for b in sigs[i + 1 :]:
                ka, kb = same[a][0], same[b][0]
                if root(ka) == root(kb) or (a, b) in checked:
                    continue
                checked.add((a, b))
                if dedup.similarity(a, b) >= threshold:
                    join(ka, kb)

    groups: dict[int, list[int]] = defaultdict(list)
    for key in list(parent):
        groups[root(key)].append(key)
    for key, members in groups.items():
        if key not in members:
            members.append(key)
    return sorted(sorted(members) for members in groups.values() if len(members) > 1)


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


def compute(reader: Reader, threshold: float = dedup.DEFAULT_THRESHOLD) -> list[list[int]]:
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
    return find_groups(pairs, threshold)


def _stamp(reader: Reader, generation: int, threshold: float) -> dict[str, float]:
    # What the cache must agree with besides the generation: an index folder
    # emptied by hand can reach the same generation number with other
    # documents, and a new threshold makes other clusters of the same ones.
    return {
        "generation": generation,
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


def load(reader: Reader, index_dir: str) -> Clusters:
    """The clusters of the commit ``reader`` reads at the index's threshold,
    from the cache or computed."""
    at = threshold(index_dir)
    generation = reader.generation()
    if generation is None or reader.doc_count() == 0:
        return Clusters(threshold=at)
    folder = IndexDirectory(index_dir)
    name = _cache_name(generation)
    stamp = _stamp(reader, generation, at)
    groups = _read(folder, name, stamp)
    if groups is None:
        groups = compute(reader, at)
        _write(folder, name, stamp, groups)
    return Clusters.from_groups(groups, at)


def refresh(index_dir: str, reader: Reader) -> None:
    """After a commit: cache the new generation's clusters, drop older caches."""
    load(reader, index_dir)
    keep = _cache_name(reader.generation() or 0)
    folder = IndexDirectory(index_dir)
    for name in folder.names():
        if DEDUP_CACHE.fullmatch(name) and name != keep:
            folder.remove(name)
