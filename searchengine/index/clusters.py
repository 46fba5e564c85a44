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
import mmap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from searchengine.analysis import minhash as dedup
from searchengine.errors import IndexWriteError, UsageError
from searchengine.index import whoosh_private
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
    expected = dedup.SIGNATURE_BYTES
    kept = [(key, sig) for key, sig in signatures if len(sig) == expected]
    keys = np.array([key for key, _ in kept], dtype=np.int64)
    rows = np.frombuffer(b"".join(sig for _, sig in kept), dtype=_VALUE).reshape(-1, dedup.BINS)
    return _groups(keys, _InMemory(rows), threshold)


class _Rows:
    """Signatures as rows of ``BINS`` 32-bit values, read a band at a time
    (the columns ``start:end`` of every row) or a few whole rows at once:
    the clustering never holds all of them (512 MB at a million articles)."""

    count: int

    def band(self, start: int, end: int) -> NDArray[np.uint16]:
        raise NotImplementedError

    def rows(self, which: NDArray[np.int64]) -> NDArray[np.uint16]:
        raise NotImplementedError

    def parts(self) -> list[_Rows]:
        """The rows as parts, one after another."""
        return [self]


class _InMemory(_Rows):
    def __init__(self, rows: NDArray[np.uint16]) -> None:
        self._rows = rows
        self.count = len(rows)

    def band(self, start: int, end: int) -> NDArray[np.uint16]:
        return np.ascontiguousarray(self._rows[:, start:end])

    def rows(self, which: NDArray[np.int64]) -> NDArray[np.uint16]:
        return self._rows[which]


class _Mapped(_Rows):
    """The signatures of one segment's ``minhash`` column, read in place
    from the mapped column file (``buffer``): whole signatures starting at
    ``offsets``.

    With ``release``, pages of the mapping that were read are given back
    as each chunk of rows is done (``MADV_DONTNEED``; the file stays in the
    page cache), so that the process's resident memory does not grow by the
    whole column (256 MB at a million articles) as the bands are read; each
    band then maps them again, which costs more than reading them.
    """

    def __init__(
        self,
        buffer: Any,
        offsets: NDArray[np.int64],
        taken: NDArray[np.int64] | None = None,
        *,
        release: bool = True,
    ) -> None:
        # ``offsets`` are every document's, ``taken`` the documents read
        # (all when None): the deleted ones' signatures are still in the file.
        self._buffer = buffer
        self._releasing = release
        self._data = np.frombuffer(buffer, dtype=np.uint8)
        self._taken = taken
        self._offsets = offsets if taken is None else offsets[taken]
        self.count = len(self._offsets)
        width = dedup.SIGNATURE_BYTES
        first = int(offsets[0]) if len(offsets) else 0
        self._matrix: NDArray[np.uint16] | None = None
        if (
            len(offsets)
            and first % dedup.VALUE_BYTES == 0
            and np.array_equal(offsets, first + width * np.arange(len(offsets)))
        ):
            # One signature after another (every document has one): a view,
            # whose rows are gathered whole rather than byte by byte.
            block = self._data[first : first + width * len(offsets)]
            self._matrix = block.view(_VALUE).reshape(-1, dedup.BINS)

    def _matrix_rows(self, which: Any) -> Any:
        """The matrix rows of the documents read at positions ``which``."""
        return which if self._taken is None else self._taken[which]

    def band(self, start: int, end: int) -> NDArray[np.uint16]:
        out = np.empty((self.count, end - start), dtype=np.uint16)
        for at in range(0, self.count, _CHUNK):
            stop = min(at + _CHUNK, self.count)
            if self._matrix is not None:
                out[at:stop] = self._matrix[self._matrix_rows(slice(at, stop)), start:end]
            else:
                out[at:stop] = self._gather(self._offsets[at:stop], start, end)
            self._release(
                int(self._offsets[at]), int(self._offsets[stop - 1]) + dedup.SIGNATURE_BYTES
            )
        return out

    def rows(self, which: NDArray[np.int64]) -> NDArray[np.uint16]:
        if not len(which):
            return np.empty((0, dedup.BINS), dtype=np.uint16)
        if self._matrix is not None:
            out: NDArray[np.uint16] = self._matrix[self._matrix_rows(which)]
        else:
            out = self._gather(self._offsets[which], 0, dedup.BINS)
        if len(which) >= _CHUNK // 2:  # a run of rows (hashing them all), not a few pairs
            self._release(
                int(self._offsets[which.min()]),
                int(self._offsets[which.max()]) + dedup.SIGNATURE_BYTES,
            )
        return out

    def _gather(self, offsets: NDArray[np.int64], start: int, end: int) -> NDArray[np.uint16]:
        within = np.arange(start * dedup.VALUE_BYTES, end * dedup.VALUE_BYTES, dtype=np.int64)
        raw = self._data[offsets[:, None] + within]
        out: NDArray[np.uint16] = raw.view(_VALUE).reshape(len(offsets), end - start)
        return out

    def _release(self, first: int, end: int) -> None:
        if self._releasing and isinstance(self._buffer, mmap.mmap):
            first -= first % mmap.PAGESIZE
            self._buffer.madvise(mmap.MADV_DONTNEED, first, end - first)


class _Joined(_Rows):
    """Several segments' rows, one after another."""

    def __init__(self, parts: list[_Rows]) -> None:
        self._parts = parts
        self._starts = np.cumsum([0, *(p.count for p in parts)])
        self.count = int(self._starts[-1])

    def parts(self) -> list[_Rows]:
        return self._parts

    def band(self, start: int, end: int) -> NDArray[np.uint16]:
        if not self._parts:
            return np.zeros((0, end - start), dtype=np.uint16)
        return np.concatenate([p.band(start, end) for p in self._parts])

    def rows(self, which: NDArray[np.int64]) -> NDArray[np.uint16]:
        out = np.empty((len(which), dedup.BINS), dtype=np.uint16)
        part_of = np.searchsorted(self._starts, which, side="right") - 1
        for n in np.unique(part_of).tolist():
            mine = part_of == n
            out[mine] = self._parts[n].rows(which[mine] - self._starts[n])
        return out


#: A signature's values as stored (:data:`~searchengine.analysis.minhash.VALUE_BITS`).
_VALUE = f"<u{dedup.VALUE_BYTES}"
#: Signatures (bytes, all segments') read in place and left resident while
#: the clusters are found: a quarter of a million articles'.  Above it
#: each chunk of rows is given back as it is read (:class:`_Mapped`).
_RESIDENT_BYTES = 64 << 20
#: Rows gathered, or pairs compared, at a time: bounds the temporary arrays.
_CHUNK = 1 << 13
#: A band bucket up to this size has all its pairs compared at once; a
#: larger one (a flood of near-copies) one member against the rest at a
#: time, so that its pairs are never all held.
_BUCKET_AT_ONCE = 512
#: Multipliers of the row and band hashes (odd 64-bit constants).
_MIX = np.uint64(0x9E3779B97F4A7C15)
_MIX2 = np.uint64(0xC2B2AE3D27D4EB4F)


def _hashed(values: NDArray[np.unsignedinteger[Any]]) -> NDArray[np.uint64]:
    """A 64-bit hash of each row of ``values`` (equal rows, equal hashes)."""
    h = np.zeros(len(values), dtype=np.uint64)
    for column in range(values.shape[1]):
        h = (h ^ values[:, column].astype(np.uint64)) * _MIX
        h ^= h >> np.uint64(29)
    return h * _MIX2


def _same_hash(hashes: NDArray[np.uint64]) -> Iterator[NDArray[np.int64]]:
    """The sets of two or more positions of ``hashes`` holding one value,
    each as ascending positions (found by one sort; not a stable one, 6x
    faster on 64-bit keys, since each set is sorted after)."""
    order = np.argsort(hashes)
    ordered = hashes[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    sizes = np.diff(np.concatenate((starts, [len(order)])))
    for first, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
        yield np.sort(order[first : first + size])


def _runs(values: NDArray[np.unsignedinteger[Any]]) -> list[NDArray[np.int64]]:
    """The sets of two or more rows of ``values`` that are equal, each as
    ascending row numbers.  Rows are sorted by a hash; rows that share one
    are checked to be equal, not believed."""
    if len(values) < 2:
        return []
    if values.shape[1] * values.itemsize == 8:
        # A row of eight bytes (a band at the default banding) is its own
        # 64-bit key: rows sharing one are equal, nothing to hash or check.
        return list(_same_hash(np.ascontiguousarray(values).view(np.uint64).reshape(-1)))
    out: list[NDArray[np.int64]] = []
    for members in _same_hash(_hashed(values)):
        same = (values[members] == values[members[0]]).all(axis=1)
        if same.all():
            out.append(members)
            continue
        # Different rows with one hash: split them by their values.
        _, which = np.unique(values[members], axis=0, return_inverse=True)
        for label in np.unique(which).tolist():
            part = members[which.reshape(-1) == label]
            if len(part) > 1:
                out.append(part)
    return out


class _Components:
    """Union-find over row numbers, with every row's root kept in an array
    (so that pairs already joined are dropped a whole array at a time)."""

    def __init__(self, count: int) -> None:
        self.parent = np.arange(count, dtype=np.int64)

    def root(self, row: int) -> int:
        parent = self.parent
        top = row
        while parent[top] != top:
            top = int(parent[top])
        while parent[row] != top:
            parent[row], row = top, int(parent[row])
        return top

    def join(self, a: NDArray[np.int64], b: NDArray[np.int64]) -> None:
        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            rx, ry = self.root(x), self.root(y)
            if rx != ry:
                self.parent[max(rx, ry)] = min(rx, ry)

    def roots_of(self, rows: NDArray[np.int64]) -> NDArray[np.int64]:
        """The roots of ``rows``."""
        parent = self.parent
        found = parent[rows]
        while True:
            up = parent[found]
            if np.array_equal(up, found):
                return found
            found = up

    def roots(self) -> NDArray[np.int64]:
        """Every row's root (and the parents flattened to them)."""
        parent = self.parent
        while True:
            up = parent[parent]
            if np.array_equal(up, parent):
                return parent
            parent[:] = up


def _similar(
    rows: _Rows, a: NDArray[np.int64], b: NDArray[np.int64], threshold: float
) -> NDArray[np.bool_]:
    """Whether each pair ``(a[i], b[i])`` reaches ``threshold``: the share of
    equal bins, computed as :func:`searchengine.analysis.minhash.similarity` does."""
    out = np.zeros(len(a), dtype=np.bool_)
    for at in range(0, len(a), _CHUNK):
        equal = (rows.rows(a[at : at + _CHUNK]) == rows.rows(b[at : at + _CHUNK])).sum(axis=1)
        # Small whole numbers divide exactly as Python's ``equal / BINS`` does.
        out[at : at + _CHUNK] = equal / dedup.BINS >= threshold
    return out


def _band_pairs(
    buckets: list[NDArray[np.int64]],
    components: _Components,
    rows: _Rows,
    threshold: float,
) -> None:
    """Compare the pairs of each band bucket not joined already, and join
    those similar enough."""
    small_a: list[NDArray[np.int64]] = []
    small_b: list[NDArray[np.int64]] = []
    for members in buckets:
        if len(members) <= _BUCKET_AT_ONCE:
            first, second = np.triu_indices(len(members), 1)
            small_a.append(members[first])
            small_b.append(members[second])
            continue
        for i in range(len(members) - 1):
            later = members[i + 1 :]
            later = later[components.roots_of(later) != components.root(int(members[i]))]
            if len(later):
                mine = np.full(len(later), members[i], dtype=np.int64)
                hit = _similar(rows, mine, later, threshold)
                components.join(mine[hit], later[hit])
    if not small_a:
        return
    a, b = np.concatenate(small_a), np.concatenate(small_b)
    roots = components.roots()
    apart = roots[a] != roots[b]
    a, b = a[apart], b[apart]
    hit = _similar(rows, a, b, threshold)
    components.join(a[hit], b[hit])


def _groups(keys: NDArray[np.int64], rows: _Rows, threshold: float) -> list[list[int]]:
    """:func:`find_groups` of the signatures ``rows`` (row ``i`` is the
    signature of ``keys[i]``).

    Identical signatures (verbatim copies) are joined outright and only one
    of each goes on to the bands, so a flood of copies costs nothing.  Then
    one band at a time: the band's values of every row (8 bytes a row at
    the default banding), the rows sharing a value found by sorting, and
    their pairs compared.  Memory holds the bands' values and the
    union-find arrays; for many signatures (:data:`_RESIDENT_BYTES`) one
    band's values at a time, never every signature.
    """
    count = rows.count
    if count < 2:
        return []
    components = _Components(count)
    per_band = rows_for(threshold)
    at_once = _band_keys(rows, per_band)
    if at_once is not None:
        copies = _identical_keys(at_once)
    elif count <= _CHUNK:
        copies = _runs(rows.band(0, dedup.BINS))
    else:
        copies = _identical(rows)
    single = np.ones(count, dtype=np.bool_)
    for members in copies:
        components.join(np.full(len(members) - 1, members[0]), members[1:])
        single[members[1:]] = False
    banded = np.flatnonzero(single)
    if at_once is not None and len(banded) < count:
        at_once = at_once[:, banded]
    for band in range(dedup.BINS // per_band):
        if at_once is not None:
            buckets = [banded[members] for members in _same_hash(at_once[band])]
        else:
            values = rows.band(band * per_band, (band + 1) * per_band)[banded]
            buckets = [banded[members] for members in _runs(values)]
            del values
        if buckets:
            _band_pairs(buckets, components, rows, threshold)
    roots = components.roots()
    order = np.argsort(roots, kind="stable")
    ordered = roots[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    ends = np.concatenate((starts[1:], [count]))
    groups = [
        sorted(keys[order[s:e]].tolist())
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True)
        if e - s > 1
    ]
    return sorted(groups)


def _band_keys(rows: _Rows, per_band: int) -> NDArray[np.uint64] | None:
    """Every band of every row as a 64-bit key, one band a row of the
    result, read in one pass over the signatures instead of one per band;
    None unless a band is eight bytes (the default banding) and the
    signatures are few enough to hold twice (:data:`_RESIDENT_BYTES`)."""
    if per_band * dedup.VALUE_BYTES != 8 or rows.count * dedup.SIGNATURE_BYTES > _RESIDENT_BYTES:
        return None
    keys = np.empty((dedup.BINS // per_band, rows.count), dtype=np.uint64)
    at = 0
    for part in rows.parts():
        # A chunk of rows at a time: the copies stay small, and reuse memory
        # (fresh pages cost more than the copying).
        for first in range(0, part.count, _CHUNK):
            which = np.arange(first, min(first + _CHUNK, part.count), dtype=np.int64)
            keys[:, at + first : at + first + len(which)] = part.rows(which).view(np.uint64).T
        at += part.count
    return keys


def _identical_keys(keys: NDArray[np.uint64]) -> list[NDArray[np.int64]]:
    """:func:`_identical` of signatures given as their band keys (rows
    whose every key is equal): the keys hashed band by band, then the rows
    sharing a hash checked equal."""
    hashes = np.zeros(keys.shape[1], dtype=np.uint64)
    for band in keys:
        hashes = (hashes ^ band) * _MIX
        hashes ^= hashes >> np.uint64(29)
    out: list[NDArray[np.int64]] = []
    for members in _same_hash(hashes):
        same = np.ascontiguousarray(keys[:, members].T)
        out.extend(members[part] for part in _runs(same) if len(part) > 1)
    return out


def _identical(rows: _Rows) -> list[NDArray[np.int64]]:
    """The sets of rows with identical signatures, for many rows: first
    the rows sharing a hash of the whole signature (hashed a chunk of rows
    at a time), then those checked equal."""
    hashes = np.empty(rows.count, dtype=np.uint64)
    for at in range(0, rows.count, _CHUNK):
        which = np.arange(at, min(at + _CHUNK, rows.count), dtype=np.int64)
        hashes[at : at + len(which)] = _hashed(rows.rows(which))
    out: list[NDArray[np.int64]] = []
    for members in _same_hash(hashes):
        out.extend(members[part] for part in _runs(rows.rows(members)) if len(part) > 1)
    return out


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
    """The clusters of every live article the reader sees, at ``threshold``.

    Each segment's signatures are read in place from its mapped ``minhash``
    column, a band at a time (:func:`_groups`): at a million articles the
    signatures are 512 MB, and were once all held as Python bytes.
    """
    if reader.doc_count_all() == 0 or "minhash" not in reader.schema:
        return []
    dedup.check_threshold(threshold)
    keys: list[NDArray[np.int64]] = []
    parts: list[_Rows] = []
    release = reader.doc_count_all() * dedup.SIGNATURE_BYTES > _RESIDENT_BYTES
    for leaf, offset in reader.leaf_readers():
        size = leaf.doc_count_all()
        if not size or not leaf.has_column("minhash"):
            continue
        column = leaf.column_reader("minhash", translate=False)
        buffer, offsets, lengths = whoosh_private.var_bytes_buffer(column, size, mapped=release)
        chosen = lengths == dedup.SIGNATURE_BYTES
        if leaf.has_deletions():
            gone = np.fromiter(cast(Any, leaf).deleted_docs_set, dtype=np.int64)
            chosen[gone[gone < size]] = False
        local = np.flatnonzero(chosen)
        keys.append(local + offset)
        parts.append(
            _Mapped(buffer, offsets, None if len(local) == size else local, release=release)
        )
    if not keys:
        return []
    return _groups(np.concatenate(keys), _Joined(parts), threshold)


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
