"""Near-duplicate detection: MinHash signatures of word shingles.

Wire stories are republished by many outlets with small edits: a word
changed here, a sentence added there, another headline.  Such copies share
most of their *shingles* (runs of :data:`SHINGLE` consecutive words), while
two different stories share almost none.  The Jaccard similarity of the two
shingle sets is what decides: copies are near-duplicates when it is at least
the threshold, :data:`DEFAULT_THRESHOLD` unless the index is set otherwise.

Each article's body gets a MinHash signature when it is indexed (the title
is left out: outlets rewrite headlines).  One-permutation hashing keeps it
fast: every shingle is hashed once (BLAKE2b, so signatures are the same in
every process and on every machine), the hash picks one of :data:`BINS` bins
and the smallest value per bin is kept; empty bins of short texts borrow the
next filled bin's value (rotation densification), which keeps the share of
equal bins an unbiased estimate of the Jaccard similarity.

Signatures are grouped into clusters by locality-sensitive hashing in
:mod:`searchengine.index.clusters`.  Nothing here knows about Whoosh: it is
text in, bytes out.
"""

from __future__ import annotations

import hashlib
from array import array
from functools import cache, lru_cache
from operator import eq

from searchengine.analysis.tokenizer import WORD, fold
from searchengine.errors import UsageError

#: Words per shingle.
SHINGLE = 3
#: Bins of the signature (a power of two).
BINS = 128
#: Estimated Jaccard similarity of the shingle sets at or above which two
#: articles are near-duplicates, unless the index is set otherwise (``index
#: --dup-threshold``).  Chosen with ``benchmarks/dedup_quality.py``.
DEFAULT_THRESHOLD = 0.5
#: Changed whenever signatures or clusters would come out differently; part
#: of the cluster cache's file name, so an old cache is never believed.
ALGORITHM_VERSION = 1

_BIN_BITS = BINS.bit_length() - 1
_VALUE_BITS = 31
_VALUE_MASK = (1 << _VALUE_BITS) - 1
_EMPTY = 0xFFFFFFFF
_ITEM = "I"  # 32-bit unsigned values
_MASK64 = (1 << 64) - 1
_K1 = 0x9E3779B97F4A7C15
_K2 = 0xC2B2AE3D27D4EB4F
_K3 = 0xBF58476D1CE4E5B9


@lru_cache(maxsize=200_000)
def _word_hash(word: str) -> int:
    """A 64-bit hash of a word's folded form, the same in every process."""
    data = fold(word).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def _mix(a: int, b: int, c: int) -> int:
    # Three word hashes to one shingle hash: a keyed combination, then a
    # multiply-xorshift finalizer so that shingles sharing words do not
    # get related hashes.
    x = ((a * _K1) ^ (b * _K2) ^ c) & _MASK64
    x = ((x ^ (x >> 29)) * _K3) & _MASK64
    return x ^ (x >> 32)


def shingle_hashes(text: str, words: list[str] | None = None) -> set[int]:
    """The hashed shingles of ``text``: runs of :data:`SHINGLE` words.

    Words are folded (case and accents) but not stemmed; a text shorter than
    one shingle is its one short shingle, an empty text has none.  Hashing
    each distinct word once (and caching it) is what makes this cheap.
    """
    hashes = list(map(_word_hash, WORD.findall(text) if words is None else words))
    if len(hashes) < SHINGLE:
        return {_mix(*hashes, *([0] * (SHINGLE - len(hashes))))} if hashes else set()
    return {_mix(a, b, c) for a, b, c in zip(hashes, hashes[1:], hashes[2:], strict=False)}


def signature(text: str, words: list[str] | None = None) -> bytes:
    """The MinHash signature of ``text`` (``BINS`` 32-bit values), or ``b""``
    for a text without words, which is never anyone's near-duplicate.
    ``words`` are the text's words when the caller has them already."""
    found = shingle_hashes(text, words)
    if not found:
        return b""
    mins = [_EMPTY] * BINS
    for h in found:
        slot = h & (BINS - 1)
        value = (h >> _BIN_BITS) & _VALUE_MASK
        if value < mins[slot]:
            mins[slot] = value
    if _EMPTY in mins:
        # Optimal densification: an empty bin takes the value of the first
        # filled bin along its own fixed pseudo-random probe sequence, so
        # the borrowed bins of a band come from unrelated places and short
        # texts do not collide in the bands just for sharing one shingle.
        filled = list(mins)
        for i, order in enumerate(_probes()):
            if filled[i] == _EMPTY:
                mins[i] = next(filled[j] for j in order if filled[j] != _EMPTY)
    return array(_ITEM, mins).tobytes()


@cache
def _probes() -> tuple[tuple[int, ...], ...]:
    """Each bin's probe order over the other bins, fixed for all time."""

    def rank(i: int, j: int) -> bytes:
        return hashlib.blake2b(f"{i}:{j}".encode(), digest_size=8).digest()

    return tuple(
        tuple(sorted((j for j in range(BINS) if j != i), key=lambda j: rank(i, j)))
        for i in range(BINS)
    )


def _values(sig: bytes) -> array[int]:
    values = array(_ITEM)
    values.frombytes(sig)
    return values


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the texts behind two signatures."""
    if not a or not b or len(a) != len(b):
        return 0.0
    equal: int = sum(map(eq, _values(a), _values(b)))
    return equal / BINS


def check_threshold(threshold: float) -> float:
    """``threshold`` if it is a similarity a near-duplicate can be asked to
    reach (above 0, at most 1); else :class:`UsageError`.  At 0 every pair
    of articles would be one story."""
    if not 0.0 < threshold <= 1.0:
        raise UsageError(
            f"--dup-threshold must be above 0 and at most 1, not {threshold}; "
            f"the default is {DEFAULT_THRESHOLD}"
        )
    return threshold
