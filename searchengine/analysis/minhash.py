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
equal bins an unbiased estimate of the Jaccard similarity.  Each distinct word is
hashed once; a text's shingles are then mixed, binned and minimised as numpy
arrays, all at once (``tests/test_minhash.py`` keeps the former item-by-item
code and checks that the bytes are the same).

Each bin's minimum is kept as its low :data:`VALUE_BITS` bits only (b-bit
MinHash): two bins that differ then look equal with a chance of 2**-16,
which moves an estimate by less than 0.0001, and a signature is 256 bytes
instead of 512.  Measured with ``benchmarks/dedup_quality.py`` (8,122
articles, 6,252 true pairs): the same pairs found as with 32-bit values at
thresholds 0.2-0.5, and the same candidates compared; 8-bit values would
halve it again but make the 2-bin bands of thresholds below 0.49 16-bit
keys (nine times the candidates), and 64 bins would err half as much again
near the threshold (benchmarks/README.md).

Signatures are grouped into clusters by locality-sensitive hashing in
:mod:`searchengine.index.clusters`.  Nothing here knows about Whoosh: it is
text in, bytes out.
"""

from __future__ import annotations

import hashlib
from array import array
from functools import cache, lru_cache, partial
from operator import eq, methodcaller
from typing import TYPE_CHECKING

from searchengine.analysis.tokenizer import CACHED_WORDS, WORD, fold
from searchengine.errors import UsageError

if TYPE_CHECKING:  # numpy is imported where signatures are made: queries need none
    import numpy as np
    from numpy.typing import NDArray

#: Words per shingle.
SHINGLE = 3
#: Bins of the signature (a power of two).
BINS = 128
#: Estimated Jaccard similarity of the shingle sets at or above which two
#: articles are near-duplicates, unless the index is set otherwise (``index
#: --dup-threshold``).  Chosen with ``benchmarks/dedup_quality.py``.
DEFAULT_THRESHOLD = 0.5
#: Bits kept of each bin's minimum, and the bytes they take.
VALUE_BITS = 16
VALUE_BYTES = VALUE_BITS // 8
#: A signature's size in bytes.
SIGNATURE_BYTES = BINS * VALUE_BYTES
#: Changed whenever signatures or clusters would come out differently; part
#: of the cluster cache's file name, so an old cache is never believed.
#: 2: 16-bit values.
ALGORITHM_VERSION = 2

_BIN_BITS = BINS.bit_length() - 1
_VALUE_BITS = 31
_VALUE_MASK = (1 << _VALUE_BITS) - 1
_EMPTY = 0xFFFFFFFF
_ITEM = "H"  # 16-bit unsigned values
_K1 = 0x9E3779B97F4A7C15
_K2 = 0xC2B2AE3D27D4EB4F
_K3 = 0xBF58476D1CE4E5B9


#: A word's hash is the 8-byte BLAKE2b digest of its folded form's UTF-8
#: (surrogates passed through), read little-endian: :func:`word_hash` and
#: :func:`folded_hashes` make it from these.
_ENCODE = methodcaller("encode", "utf-8", "surrogatepass")
_DIGEST = methodcaller("digest")
_BLAKE8 = partial(hashlib.blake2b, digest_size=8)


def word_hash(word: str) -> int:
    """A 64-bit hash of a word's folded form, the same in every process."""
    return int.from_bytes(_BLAKE8(_ENCODE(fold(word))).digest(), "little")


_word_hash = lru_cache(maxsize=2 * CACHED_WORDS)(word_hash)


def folded_hashes(folded: list[str]) -> NDArray[np.uint64]:
    """:func:`word_hash` of words already folded, all at once (the calls
    made by ``map``, not a Python loop: a segment hashes tens of thousands)."""
    import numpy as np

    digests = b"".join(map(_DIGEST, map(_BLAKE8, map(_ENCODE, folded))))
    return np.frombuffer(digests, dtype="<u8").astype(np.uint64)


def _mix(a: NDArray[np.uint64], b: NDArray[np.uint64], c: NDArray[np.uint64]) -> NDArray[np.uint64]:
    # Three word hashes to one shingle hash: a keyed combination, then a
    # multiply-xorshift finalizer so that shingles sharing words do not
    # get related hashes.  uint64 arithmetic wraps modulo 2**64, as the
    # definition says.
    import numpy as np

    x = (a * np.uint64(_K1)) ^ (b * np.uint64(_K2)) ^ c
    x = (x ^ (x >> np.uint64(29))) * np.uint64(_K3)
    return x ^ (x >> np.uint64(32))


def shingle_hashes(text: str, words: list[str] | None = None) -> NDArray[np.uint64]:
    """The hashed shingles of ``text`` (runs of :data:`SHINGLE` words), in
    text order, repeats included.

    Words are folded (case and accents) but not stemmed; a text shorter than
    one shingle is its one short shingle (padded with zeros), an empty text
    has none.  Each distinct word is hashed once (and cached); the shingles
    are mixed all at once, as arrays.
    """
    import numpy as np

    hashes = np.array(
        list(map(_word_hash, WORD.findall(text) if words is None else words)), dtype=np.uint64
    )
    return _shingled(hashes)


def _shingled(hashes: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """The shingle hashes of a text from its words' hashes, in text order."""
    import numpy as np

    if len(hashes) < SHINGLE:
        if not len(hashes):
            return hashes
        hashes = np.concatenate([hashes, np.zeros(SHINGLE - len(hashes), dtype=np.uint64)])
    return _mix(hashes[:-2], hashes[1:-1], hashes[2:])


def signature_of_words(hashes: NDArray[np.uint64]) -> bytes:
    """The MinHash signature of a text from the :func:`word_hash` of each of
    its words, in order (a segment's vocabulary keeps them)."""
    return signature_of(_shingled(hashes))


def signature(text: str, words: list[str] | None = None) -> bytes:
    """The MinHash signature of ``text`` (``BINS`` values of ``VALUE_BITS``), or ``b""``
    for a text without words, which is never anyone's near-duplicate.
    ``words`` are the text's words when the caller has them already."""
    return signature_of(shingle_hashes(text, words))


def signature_of(found: NDArray[np.uint64]) -> bytes:
    """The MinHash signature of a text from its hashed shingles
    (:func:`shingle_hashes`)."""
    import numpy as np

    if not len(found):
        return b""
    slots = (found & np.uint64(BINS - 1)).astype(np.intp)
    values = ((found >> np.uint64(_BIN_BITS)) & np.uint64(_VALUE_MASK)).astype(np.uint32)
    mins = np.full(BINS, _EMPTY, dtype=np.uint32)
    np.minimum.at(mins, slots, values)
    empty = mins == _EMPTY
    if empty.any():
        # Optimal densification: an empty bin takes the value of the first
        # filled bin along its own fixed pseudo-random probe sequence, so
        # the borrowed bins of a band come from unrelated places and short
        # texts do not collide in the bands just for sharing one shingle.
        probes = _probe_table()[empty]
        first = np.argmax(~empty[probes], axis=1)
        mins[empty] = mins[probes[np.arange(len(probes)), first]]
    # The minimum is taken over 31 bits; only its low bits are kept.
    return (mins & np.uint32((1 << VALUE_BITS) - 1)).astype("<u2").tobytes()


@cache
def _probes() -> tuple[tuple[int, ...], ...]:
    """Each bin's probe order over the other bins, fixed for all time."""

    def rank(i: int, j: int) -> bytes:
        return hashlib.blake2b(f"{i}:{j}".encode(), digest_size=8).digest()

    return tuple(
        tuple(sorted((j for j in range(BINS) if j != i), key=lambda j: rank(i, j)))
        for i in range(BINS)
    )


@cache
def _probe_table() -> NDArray[np.intp]:
    """:func:`_probes` as a ``BINS`` by ``BINS - 1`` array."""
    import numpy as np

    return np.array(_probes(), dtype=np.intp)


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
