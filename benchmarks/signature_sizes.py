"""How small a MinHash signature the near-duplicate detector can do with.

``python -m benchmarks.signature_sizes [--originals 2000] [--seed 1]``

On the corpus of :mod:`benchmarks.dedup_quality` (originals and their edited
copies), signatures are made as :mod:`searchengine.analysis.minhash` makes
them (one-permutation hashing, the same densification) with 128, 64 or 32
bins, and each bin's minimum cut to its low 32, 16 or 8 bits (b-bit
MinHash).  For each size: how far the estimated similarity of every true
pair (an original and a copy, or two copies) is from the exact Jaccard
similarity of their shingle sets, how many of those pairs fall on the wrong
side of thresholds 0.3/0.5/0.7, and what clustering finds at thresholds
0.5, 0.3 and 0.2 (precision and recall over pairs, as ``dedup_quality``
counts them) and how many candidate pairs the bands make it compare (what
clustering costs).  Bands are chosen as :func:`searchengine.index.clusters.rows_for`
chooses them (the widest with a 0.85 chance for a pair at the threshold),
from 4, 3, 2 or 1 bins.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from collections import defaultdict
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from benchmarks.dedup_quality import _pairs, build
from searchengine.analysis import minhash

#: (bins, bits) measured.
SIZES = ((128, 32), (128, 16), (128, 8), (64, 32), (64, 16), (64, 8), (32, 16))
_EMPTY = 0xFFFFFFFF


@cache
def _probe_table(bins: int) -> NDArray[np.intp]:
    def rank(i: int, j: int) -> bytes:
        return hashlib.blake2b(f"{i}:{j}".encode(), digest_size=8).digest()

    orders = [
        sorted((j for j in range(bins) if j != i), key=lambda j: rank(i, j)) for i in range(bins)
    ]
    return np.array(orders, dtype=np.intp)


def full_signature(text: str, bins: int) -> NDArray[np.uint32] | None:
    """The 31-bit minima of ``text`` in ``bins`` bins, as minhash.signature makes them."""
    found = minhash.shingle_hashes(text)
    if not len(found):
        return None
    slots = (found & np.uint64(bins - 1)).astype(np.intp)
    values = ((found >> np.uint64(bins.bit_length() - 1)) & np.uint64((1 << 31) - 1)).astype(
        np.uint32
    )
    mins = np.full(bins, _EMPTY, dtype=np.uint32)
    np.minimum.at(mins, slots, values)
    empty = mins == _EMPTY
    if empty.any():
        probes = _probe_table(bins)[empty]
        first = np.argmax(~empty[probes], axis=1)
        mins[empty] = mins[probes[np.arange(len(probes)), first]]
    return mins


def _cut(mins: NDArray[np.uint32] | None, bits: int) -> bytes | None:
    if mins is None:
        return None
    kind = {32: "<u4", 16: "<u2", 8: "u1"}[bits]
    return (mins & np.uint32((1 << bits) - 1 if bits < 32 else _EMPTY)).astype(kind).tobytes()


def rows_for(threshold: float, bins: int) -> int:
    for rows in (4, 3, 2):
        if 1 - (1 - threshold**rows) ** (bins // rows) >= 0.85:
            return rows
    return 1


def find_groups(
    sigs: list[bytes | None], threshold: float, bins: int, bits: int
) -> tuple[list[list[int]], int]:
    """As :func:`searchengine.index.clusters.find_groups`, for any size; also
    the number of candidate pairs compared."""
    width = bits // 8
    kind = {1: "u1", 2: "<u2", 4: "<u4"}[width]
    rows = rows_for(threshold, bins)
    same: dict[bytes, list[int]] = defaultdict(list)
    for key, sig in enumerate(sigs):
        if sig is not None:
            same[sig].append(key)
    parent: dict[int, int] = {}

    def root(key: int) -> int:
        while parent.get(key, key) != key:
            key = parent[key]
        return key

    def join(a: int, b: int) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for keys in same.values():
        for other in keys[1:]:
            join(keys[0], other)
    shared: list[list[bytes]] = []
    step = rows * width
    for band in range(bins // rows):
        buckets: dict[bytes, Any] = {}
        for sig in same:
            part = sig[band * step : (band + 1) * step]
            bucket = buckets.get(part)
            if bucket is None:
                buckets[part] = sig
            elif isinstance(bucket, bytes):
                buckets[part] = pair = [bucket, sig]
                shared.append(pair)
            else:
                bucket.append(sig)
    checked: set[tuple[bytes, bytes]] = set()
    for group in shared:
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                ka, kb = same[a][0], same[b][0]
                if root(ka) == root(kb) or (a, b) in checked:
                    continue
                checked.add((a, b))
                equal = np.count_nonzero(np.frombuffer(a, kind) == np.frombuffer(b, kind))
                if equal / bins >= threshold:
                    join(ka, kb)
    groups: dict[int, list[int]] = defaultdict(list)
    for key in list(parent):
        groups[root(key)].append(key)
    for key, members in groups.items():
        if key not in members:
            members.append(key)
    return sorted(sorted(m) for m in groups.values() if len(m) > 1), len(checked)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--originals", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    texts, truth, _ = build(args.originals, args.seed)
    shingles = [set(minhash.shingle_hashes(t).tolist()) for t in texts]
    by_origin: dict[int, list[int]] = defaultdict(list)
    for n, origin in enumerate(truth):
        by_origin[origin].append(n)
    true_pairs = sorted(_pairs(list(by_origin.values())))
    exact = np.array(
        [len(shingles[a] & shingles[b]) / len(shingles[a] | shingles[b]) for a, b in true_pairs]
    )
    print(f"articles {len(texts)}, true pairs {len(true_pairs)}")
    full = {bins: [full_signature(t, bins) for t in texts] for bins in {b for b, _ in SIZES}}
    for bins, bits in SIZES:
        mask = np.uint32((1 << bits) - 1 if bits < 32 else _EMPTY)
        estimates = np.array(
            [
                np.count_nonzero((full[bins][a] & mask) == (full[bins][b] & mask)) / bins  # type: ignore[operator]
                for a, b in true_pairs
            ]
        )
        error = np.abs(estimates - exact)
        line = f"{bins:3d} bins x {bits:2d} bits = {bins * bits // 8:3d} B:"
        line += f" |error| mean {error.mean():.4f} p99 {np.quantile(error, 0.99):.3f}; wrong side"
        for threshold in (0.3, 0.5, 0.7):
            wrong = np.count_nonzero((estimates >= threshold) != (exact >= threshold))
            line += f" {threshold}: {wrong}"
        sigs = [_cut(s, bits) for s in full[bins]]
        for threshold in (0.5, 0.3, 0.2):
            started = time.process_time()
            found, compared = find_groups(sigs, threshold, bins, bits)
            took = time.process_time() - started
            pairs = _pairs(found)
            hits = len(pairs & set(true_pairs))
            precision = hits / len(pairs) if pairs else 1.0
            line += (
                f" | at {threshold}: P {precision:.4f} R {hits / len(true_pairs):.4f}"
                f" compared {compared} ({took * 1000:.0f} ms)"
            )
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
