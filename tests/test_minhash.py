"""MinHash signatures made with numpy are byte for byte the ones made before.

Signatures are stored in every index and compared across runs: one made
differently would split a story from its copies indexed earlier.  The
pure-Python implementation that made them up to the numpy switch is kept
here as the reference (:func:`reference_signature`), and the two are
compared on thousands of generated news texts, on their edited copies (the
near-duplicates the signatures are for), on short and odd texts, and on
Hypothesis-generated text.
"""

from __future__ import annotations

import hashlib
import random
from array import array
from functools import cache

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.dedup_quality import build as build_dedup_corpus
from benchmarks.generate import ArticleStream, Model, build_pool
from searchengine.analysis import minhash
from searchengine.analysis.tokenizer import WORD, fold

# -- the reference: the signature as it was made before numpy ---------------------

_MASK64 = (1 << 64) - 1
_K1 = 0x9E3779B97F4A7C15
_K2 = 0xC2B2AE3D27D4EB4F
_K3 = 0xBF58476D1CE4E5B9


def _word_hash(word: str) -> int:
    data = fold(word).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def _mix(a: int, b: int, c: int) -> int:
    x = ((a * _K1) ^ (b * _K2) ^ c) & _MASK64
    x = ((x ^ (x >> 29)) * _K3) & _MASK64
    return x ^ (x >> 32)


def _shingles(text: str) -> set[int]:
    hashes = [_word_hash(w) for w in WORD.findall(text)]
    if len(hashes) < 3:
        return {_mix(*hashes, *([0] * (3 - len(hashes))))} if hashes else set()
    return {_mix(a, b, c) for a, b, c in zip(hashes, hashes[1:], hashes[2:], strict=False)}


@cache
def _probes() -> tuple[tuple[int, ...], ...]:
    def rank(i: int, j: int) -> bytes:
        return hashlib.blake2b(f"{i}:{j}".encode(), digest_size=8).digest()

    return tuple(
        tuple(sorted((j for j in range(128) if j != i), key=lambda j: rank(i, j)))
        for i in range(128)
    )


def reference_signature(text: str) -> bytes:
    """The signature of ``text`` as ``minhash.signature`` made it before numpy."""
    found = _shingles(text)
    if not found:
        return b""
    empty = 0xFFFFFFFF
    mins = [empty] * 128
    for h in found:
        slot = h & 127
        value = (h >> 7) & ((1 << 31) - 1)
        if value < mins[slot]:
            mins[slot] = value
    if empty in mins:
        filled = list(mins)
        for i, order in enumerate(_probes()):
            if filled[i] == empty:
                mins[i] = next(filled[j] for j in order if filled[j] != empty)
    # Index format 5 keeps each minimum's low 16 bits.
    return array("H", [value & 0xFFFF for value in mins]).tobytes()


# -- the comparisons -------------------------------------------------------------


@cache
def generated_texts(count: int) -> list[str]:
    """``count`` bodies of the benchmark's generated news corpus (seed 3)."""
    model = Model.build(3)
    pool, counts = build_pool(model)
    stream = ArticleStream(model, pool, counts)
    return ["\n\n".join(stream.next(i).paragraphs) for i in range(count)]


def test_the_constants_are_those_the_signatures_were_made_with() -> None:
    assert (minhash.BINS, minhash.SHINGLE) == (128, 3)
    assert reference_signature("Ferry services resume after the storm") == minhash.signature(
        "Ferry services resume after the storm"
    )


def test_generated_news_texts_get_the_same_signatures() -> None:
    texts = generated_texts(600)
    assert sum(len(t) for t in texts) > 1_000_000
    different = [t[:60] for t in texts if minhash.signature(t) != reference_signature(t)]
    assert different == []


def test_edited_copies_get_the_same_signatures() -> None:
    texts, _, _ = build_dedup_corpus(120, seed=5)
    assert len(texts) > 150
    different = [t[:60] for t in texts if minhash.signature(t) != reference_signature(t)]
    assert different == []


def test_short_texts_with_empty_bins_get_the_same_signatures() -> None:
    # Texts of a few words fill few of the 128 bins: the densification path.
    rng = random.Random(13)
    vocabulary = ["harbour", "Zürich", "ferry", "don't", "ÆRØ", "2021", "a", "the", "x"]
    texts = [
        " ".join(rng.choice(vocabulary) for _ in range(length))
        for length in range(0, 60)
        for _ in range(20)
    ]
    different = [t for t in texts if minhash.signature(t) != reference_signature(t)]
    assert different == []
    assert minhash.signature("") == reference_signature("") == b""
    assert minhash.signature("one") == reference_signature("one") != b""


def test_the_words_given_by_the_caller_give_the_same_signature() -> None:
    for text in generated_texts(600)[:20]:
        assert minhash.signature(text, WORD.findall(text)) == reference_signature(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_the_same_signature(text: str) -> None:
    assert minhash.signature(text) == reference_signature(text)


def _from_word_hashes(text: str) -> bytes:
    """The signature as an indexing worker makes it: from the word hashes
    its segment's vocabulary keeps for each distinct word."""
    hashes = np.array([minhash.word_hash(w) for w in WORD.findall(text)], dtype=np.uint64)
    return minhash.signature_of_words(hashes)


def test_signatures_from_word_hashes_are_the_same() -> None:
    texts = [*generated_texts(600)[:200], "", "one", "two words", "Zürich ÆRØ don't"]
    different = [t[:60] for t in texts if _from_word_hashes(t) != reference_signature(t)]
    assert different == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gets_the_same_signature_from_its_word_hashes(text: str) -> None:
    assert _from_word_hashes(text) == reference_signature(text)


@given(st.lists(st.text(max_size=12)))
def test_folded_words_hashed_at_once_hash_as_one_at_a_time(words: list[str]) -> None:
    folded = [fold(word) for word in words]
    assert minhash.folded_hashes(folded).tolist() == [minhash.word_hash(w) for w in words]
