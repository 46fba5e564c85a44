"""Posting formats that analyse text in one pass, without Token objects.

Whoosh's formats pull a ``Token`` object through the analyzer chain for
every word, then count and encode.  For our one-stage tokenizer the same
postings come straight from a regular expression and two cached functions,
which is most of the indexing time saved.  Positions are stored as varints
rather than Whoosh's pickled lists (:func:`encode_positions`); readers
decode them through the format object, which, like the analyzer, is pickled
into the index's schema: renaming this class stops old indexes opening.

An indexing worker turns a text into :class:`Tokens`: the term id of each
of its words in the segment's :class:`Vocabulary`, which stems and hashes
each distinct word once; the segment writer files the ids and inverts all
documents' words at once (:mod:`searchengine.index.inversion`).
:func:`analyze` computes one text's postings ahead of time, the same ones,
for Whoosh's own formats and writers.
"""

from __future__ import annotations

import itertools
import operator
from array import array
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from whoosh import formats

from searchengine.analysis.minhash import folded_hashes
from searchengine.analysis.tokenizer import WORD, NewsTokenizer, fold, split_words, stem_folded

if TYPE_CHECKING:  # numpy is imported where texts are analysed: queries need none
    import numpy as np
    from numpy.typing import NDArray


class Analyzed(str):
    """A text together with its postings, computed by :func:`analyze`.

    A ``str``, so Whoosh takes it as a field value; :class:`NewsPositions`
    then files the postings instead of analysing the text again.  The
    postings are kept as four flat values (the distinct terms, UTF-8 and
    NUL-separated; their counts; their encoded positions, one after the
    other; and the length of each) rather than a tuple per term: they cross
    from reader processes to the writer and through the run's spool, and
    flat bytes pickle in a fraction of the time.  Pass the plain text as the
    stored value (``_stored_FIELD``): stored, this object would keep its
    postings too.
    """

    terms: bytes
    counts: array[int]
    values: bytes
    value_lengths: array[int]
    #: The terms' ids in ``vocabulary`` (numpy, in the order of ``counts``):
    #: what a segment writer sharing the vocabulary files directly.
    tids: Any
    vocabulary: Vocabulary

    def __reduce__(self) -> tuple[Any, ...]:
        # Across processes the ids mean nothing: the terms travel as bytes.
        return (_rebuilt, (str(self), self.terms, self.counts, self.values, self.value_lengths))

    def term_list(self) -> list[bytes]:
        """The distinct terms, UTF-8 encoded, in the order of ``counts``."""
        return self.terms.split(b"\0") if self.counts else []

    def postings(self) -> Iterator[tuple[bytes, int, bytes]]:
        """Each distinct term (UTF-8) with its count and encoded positions."""
        values = self.values
        offset = 0
        for term, count, length in zip(
            self.term_list(), self.counts, self.value_lengths, strict=True
        ):
            yield term, count, values[offset : offset + length]
            offset += length

    def length(self) -> int:
        """The number of words: the field length Whoosh scores with."""
        return sum(self.counts)


def _rebuilt(
    text: str, terms: bytes, counts: array[int], values: bytes, lengths: array[int]
) -> Analyzed:
    """An :class:`Analyzed` unpickled: the terms with a vocabulary of their own."""
    import numpy as np

    analyzed = Analyzed(text)
    analyzed.vocabulary = vocabulary = Vocabulary()
    analyzed.terms, analyzed.counts, analyzed.values, analyzed.value_lengths = (
        terms,
        counts,
        values,
        lengths,
    )
    analyzed.tids = np.array([vocabulary.term_id(t) for t in analyzed.term_list()], dtype=np.uint32)
    return analyzed


def encode_positions(positions: list[int]) -> bytes:
    """The count of ``positions``, then the gaps between them, as varints.

    Whoosh's own ``Positions`` pickles the gaps behind a 4-byte count,
    about 16 bytes for a word seen once; this takes 2.  Postings are most of
    an index, so this is most of its size.
    """
    if len(positions) == 1:
        position = positions[0]
        if position < _SINGLES:
            return _SINGLE[position]
    values = [len(positions)]
    previous = 0
    for position in positions:
        values.append(position - previous)
        previous = position
    if max(values) < 0x80:
        return bytes(values)
    return b"".join(_VARINT[v] if v < _SINGLES else _varint(v) for v in values)


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


#: Varints and one-position encodings of small numbers, made once: most
#: terms occur once in an article, early enough to be found here.
_SINGLES = 1 << 14
# Built directly rather than through _varint: this module is imported by every
# query (the format class is in the schema), so the tables must cost little.
_VARINT = [bytes((n,)) for n in range(0x80)] + [
    bytes((n & 0x7F | 0x80, n >> 7)) for n in range(0x80, _SINGLES)
]
_SINGLE = [b"\x01" + v for v in _VARINT]


def _decode_varints(data: bytes) -> list[int]:
    if max(data, default=0) < 0x80:
        return list(data)
    values: list[int] = []
    value = shift = 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
        else:
            values.append(value)
            value = shift = 0
    return values


def decode_positions(data: bytes) -> list[int]:
    """The positions :func:`encode_positions` encoded."""
    gaps = _decode_varints(data)
    positions: list[int] = []
    position = 0
    for gap in gaps[1:]:
        position += gap
        positions.append(position)
    return positions


#: What a word not in a vocabulary looks up as.
_MISSING = itertools.repeat(-1)
_UTF8 = operator.methodcaller("encode", "utf-8")


class Vocabulary:
    """Term ids for :func:`analyze` and :func:`tokens`: each distinct term
    (stem) gets a small integer, and each distinct written word one too,
    with its term's id and its MinHash word hash computed once.

    A segment writer keeps one vocabulary per segment
    (:class:`searchengine.index.segments.TermPool`), so the ids of analysed
    documents are its own term ids and filing them needs no lookup.  A word
    seen before costs one dictionary lookup, done for a whole text at once
    (``map``).  A word's term and hash follow from its folded form, so
    stemming and hashing happen once per distinct folded form ("Harbour"
    and "harbour" share them; a segment's words are some 40 % fewer
    folded), for all of a text's new ones at once.
    """

    __slots__ = (
        "_by_fold",
        "_carried",
        "_fold_hashes",
        "_fold_terms",
        "_hashes",
        "_stems",
        "_word_folds",
        "_word_terms",
        "_written",
        "by_term",
        "by_word",
        "terms",
    )

    def __init__(self, written: set[str] | None = None) -> None:
        #: Term id -> the term, UTF-8.
        self.terms: list[bytes] = []
        self.by_term: dict[bytes, int] = {}
        #: Written word -> its word id (an index into the arrays below).
        self.by_word: dict[str, int] = {}
        self._word_terms = array("I")
        self._hashes = array("Q")
        #: Folded form -> its fold id, an index into its term id and hash.
        self._by_fold: dict[str, int] = {}
        #: Word id -> its folded form's fold id.
        self._word_folds = array("I")
        self._fold_terms = array("I")
        self._fold_hashes = array("Q")
        #: 1 for the words :meth:`mark_written` marked.
        self._written = array("B")
        #: Words marked in the vocabularies this one follows (:meth:`written_words`).
        self._carried = written or set()
        #: Terms first given out as a word's stem.
        self._stems = 0

    def term_id(self, term: bytes) -> int:
        """The id of ``term`` (UTF-8), given one if new."""
        tid = self.by_term.get(term)
        if tid is None:
            tid = self.by_term[term] = len(self.terms)
            self.terms.append(term)
        return tid

    def words_only(self) -> Vocabulary:
        """This vocabulary's words (their stems, hashes and written marks)
        without the terms no word has: a keyword field's values (an
        article's id, path, url) are terms of the vocabulary too, one or
        more per article, and a 125,000-article segment's took ~30 MB.
        The words move to the new vocabulary (this one is left without
        them), so nothing is stemmed or hashed again."""
        import numpy as np

        kept, word_terms = np.unique(
            np.frombuffer(self._word_terms, dtype=np.uint32), return_inverse=True
        )
        words = Vocabulary(self._carried)
        words.terms = [self.terms[t] for t in kept.tolist()]
        words.by_term = {term: n for n, term in enumerate(words.terms)}
        words._stems = len(words.terms)
        words.by_word, self.by_word = self.by_word, {}
        words._word_terms = array("I", word_terms.astype(np.uint32).tobytes())
        words._hashes, self._hashes = self._hashes, array("Q")
        words._written, self._written = self._written, array("B")
        self._word_terms = array("I")
        # Every folded form's term is some word's: among those kept.
        fold_terms = np.searchsorted(kept, np.frombuffer(self._fold_terms, dtype=np.uint32))
        words._fold_terms = array("I", fold_terms.astype(np.uint32).tobytes())
        words._by_fold, self._by_fold = self._by_fold, {}
        words._word_folds, self._word_folds = self._word_folds, array("I")
        words._fold_hashes, self._fold_hashes = self._fold_hashes, array("Q")
        self._fold_terms = array("I")
        return words

    def other_terms(self) -> int:
        """Terms given out other than as a word's stem (keyword values)."""
        return len(self.terms) - self._stems

    def lookup(self, words: list[str]) -> NDArray[np.int64]:
        """The word id of each of ``words``, in order (new words added)."""
        import numpy as np

        # One pass in C over the words seen before; new ones (-1) after.
        by_word = self.by_word
        ids = np.fromiter(map(by_word.get, words, _MISSING), dtype=np.int64, count=len(words))
        new = np.flatnonzero(ids < 0)
        if len(new):
            missing = list(map(words.__getitem__, new.tolist()))
            self._add_words(list(dict.fromkeys(missing)))
            ids[new] = np.fromiter(map(by_word.__getitem__, missing), np.int64, len(missing))
        return ids

    def _add_words(self, fresh: list[str]) -> None:
        """Give word ids to ``fresh`` (distinct words not seen before), in
        order: each new folded form among them stemmed and hashed, all at
        once."""
        import numpy as np

        # An ASCII word folds to its lower case (``fold``'s own first step).
        ascii_only = "".join(fresh).isascii()
        folded = list(map(str.lower if ascii_only else fold, fresh))
        by_fold = self._by_fold
        unseen = [form for form in dict.fromkeys(folded) if form not in by_fold]
        if unseen:
            terms, first = len(self.terms), len(self._fold_terms)
            self._fold_terms.extend(map(self.term_id, map(_UTF8, stem_folded(unseen))))
            self._stems += len(self.terms) - terms
            self._fold_hashes.frombytes(folded_hashes(unseen).tobytes())
            by_fold.update(zip(unseen, range(first, first + len(unseen)), strict=True))
        forms = np.fromiter(map(by_fold.__getitem__, folded), np.int64, len(folded))
        self._word_folds.frombytes(forms.astype(np.uint32).tobytes())
        self._word_terms.frombytes(
            np.frombuffer(self._fold_terms, dtype=np.uint32)[forms].tobytes()
        )
        self._hashes.frombytes(np.frombuffer(self._fold_hashes, dtype=np.uint64)[forms].tobytes())
        self._written.frombytes(bytes(len(fresh)))
        start = len(self.by_word)
        self.by_word.update(zip(fresh, range(start, start + len(fresh)), strict=True))

    def mark_written(self, word_ids: NDArray[np.int64]) -> None:
        """Mark words as written in an article's title or body (the words
        the lexicon holds): a flag per distinct word, not a set insertion
        per word of every article."""
        import numpy as np

        np.frombuffer(self._written, dtype=np.uint8)[word_ids] = 1

    def written_words(self) -> set[str]:
        """The words marked written, in this vocabulary or one it follows."""
        import numpy as np

        marked = np.frombuffer(self._written, dtype=np.uint8)
        words = list(self.by_word)
        return self._carried.union(words[n] for n in np.flatnonzero(marked).tolist())

    def written_forms(self) -> set[str]:
        """The folded forms (:func:`~searchengine.analysis.tokenizer.fold`)
        of :meth:`written_words`: one per folded form, not per word."""
        import numpy as np

        marked = np.flatnonzero(np.frombuffer(self._written, dtype=np.uint8))
        forms = np.unique(np.frombuffer(self._word_folds, dtype=np.uint32)[marked])
        folds = list(self._by_fold)
        return set(map(fold, self._carried)).union(map(folds.__getitem__, forms.tolist()))

    def term_ids(self, word_ids: NDArray[np.int64]) -> NDArray[np.uint32]:
        """The term id of each word id."""
        import numpy as np

        return np.frombuffer(self._word_terms, dtype=np.uint32)[word_ids]

    def word_hashes(self, word_ids: NDArray[np.int64]) -> NDArray[np.uint64]:
        """The MinHash word hash (:func:`~searchengine.analysis.minhash.word_hash`)
        of each word id."""
        import numpy as np

        return np.frombuffer(self._hashes, dtype=np.uint64)[word_ids]

    def word_ids(self, words: list[str]) -> list[int]:
        """The term id of each word (stemmed), in order."""
        found: list[int] = self.term_ids(self.lookup(words)).tolist()
        return found

    def __len__(self) -> int:
        """The number of distinct words seen."""
        return len(self.by_word)


class Tokens(str):
    """A text with the term id of each of its words, in order: what a
    segment writer sharing the ``vocabulary`` files directly
    (:meth:`searchengine.index.segments.TermPool.add_tokens`), inverting
    many documents' ids at once instead of one document's at a time.

    A ``str``, so Whoosh takes it as a field value; pass the plain text as
    the stored value (``_stored_FIELD``).  Pickled, it is the plain text:
    the ids mean nothing in another process.
    """

    ids: NDArray[np.uint32]
    vocabulary: Vocabulary

    def __reduce__(self) -> tuple[Any, ...]:
        return (str, (str(self),))

    def length(self) -> int:
        """The number of words: the field length Whoosh scores with."""
        return len(self.ids)


def tokens(
    text: str, words: list[str] | None = None, vocabulary: Vocabulary | None = None
) -> Tokens:
    """``text`` with its words' term ids in ``vocabulary`` (a throwaway one
    by default); ``words`` are its words (``split_words(text)``) when the
    caller has them already."""
    vocab = Vocabulary() if vocabulary is None else vocabulary
    return tokens_of(text, vocab.lookup(split_words(text) if words is None else words), vocab)


def tokens_of(text: str, word_ids: NDArray[np.int64], vocabulary: Vocabulary) -> Tokens:
    """``text`` with its words' term ids, from their ids in ``vocabulary``
    (:meth:`Vocabulary.lookup`)."""
    found = Tokens(text)
    found.vocabulary = vocabulary
    found.ids = vocabulary.term_ids(word_ids)
    return found


def analyze(
    text: str, words: list[str] | None = None, vocabulary: Vocabulary | None = None
) -> Analyzed:
    """``text`` with its terms, their counts and their encoded positions.

    ``words`` are the text's words (``WORD.findall(text)``) when the caller
    has them already; ``vocabulary`` gives the term ids (a throwaway one by
    default).  The words become an array of term ids once; grouping by term,
    counting and encoding the positions (:func:`encode_positions`'s bytes,
    for all terms at once) are numpy operations on it.
    """
    import numpy as np

    vocab = Vocabulary() if vocabulary is None else vocabulary
    word_ids = vocab.word_ids(WORD.findall(text) if words is None else words)
    if len(word_ids) < _ARRAY_WORDS:
        return _analyze_short(text, word_ids, vocab)
    ids = np.array(word_ids, dtype=np.int64)
    analyzed = Analyzed(text)
    analyzed.vocabulary = vocab
    if not len(ids):
        analyzed.tids = np.zeros(0, np.uint32)
        analyzed.terms = b""
        analyzed.counts = array("I")
        analyzed.values = b""
        analyzed.value_lengths = array("I")
        return analyzed
    # Positions grouped by term, each term's in increasing order.
    order = np.argsort(ids, kind="stable")
    grouped = ids[order]
    starts = np.flatnonzero(np.concatenate(([True], grouped[1:] != grouped[:-1])))
    tids = grouped[starts]
    counts = np.diff(np.concatenate((starts, [len(ids)])))
    # Each term's value: its count, then the gaps between its positions.
    gaps = order.copy()
    gaps[1:] -= order[:-1]
    gaps[starts] = order[starts]
    value_starts = starts + np.arange(len(starts))
    sequence = np.empty(len(ids) + len(starts), np.int64)
    is_count = np.zeros(len(sequence), bool)
    is_count[value_starts] = True
    sequence[value_starts] = counts
    sequence[~is_count] = gaps
    data, widths = _varints(sequence)
    analyzed.tids = tids.astype(np.uint32)
    analyzed.terms = b"\0".join(map(vocab.terms.__getitem__, tids.tolist()))
    analyzed.counts = array("I", counts.astype(np.uint32).tobytes())
    analyzed.values = data
    analyzed.value_lengths = array(
        "I", np.add.reduceat(widths, value_starts).astype(np.uint32).tobytes()
    )
    return analyzed


#: Texts of fewer words (titles, names) are analysed item by item: for them
#: numpy's cost per call is more than the work.
_ARRAY_WORDS = 64


def _analyze_short(text: str, word_ids: list[int], vocab: Vocabulary) -> Analyzed:
    """:func:`analyze` for a short text, the same result without numpy."""
    import numpy as np

    positions: dict[int, list[int]] = {}
    for position, tid in enumerate(word_ids):
        found = positions.get(tid)
        if found is None:
            positions[tid] = [position]
        else:
            found.append(position)
    tids = sorted(positions)
    encoded = [encode_positions(positions[tid]) for tid in tids]
    analyzed = Analyzed(text)
    analyzed.vocabulary = vocab
    analyzed.tids = np.array(tids, dtype=np.uint32)
    analyzed.terms = b"\0".join(map(vocab.terms.__getitem__, tids))
    analyzed.counts = array("I", [len(positions[tid]) for tid in tids])
    analyzed.values = b"".join(encoded)
    analyzed.value_lengths = array("I", map(len, encoded))
    return analyzed


def _varints(values: Any) -> tuple[bytes, Any]:
    """``values`` (non-negative) as LEB128 varints, one after another, and
    the bytes each took: what :func:`encode_positions` writes, all at once."""
    import numpy as np

    if not len(values) or int(values.max()) < 0x80:
        return values.astype(np.uint8).tobytes(), np.ones(len(values), np.int64)
    widths = np.ones(len(values), np.int64)
    for bits in (7, 14, 21, 28, 35):
        widths += values >= (1 << bits)
    owner = np.repeat(np.arange(len(values)), widths)
    first = np.cumsum(widths) - widths
    shift = (np.arange(len(owner)) - first[owner]) * 7
    more = (shift // 7) < (widths[owner] - 1)
    out = ((values[owner] >> shift) & 0x7F) | (more.astype(np.int64) << 7)
    return out.astype(np.uint8).tobytes(), widths


class NewsPositions(formats.Positions):  # type: ignore[misc]
    """``Positions`` postings (for phrases), computed in one pass and stored
    compactly (:func:`encode_positions`)."""

    def encode(self, poslist: Any) -> bytes:
        return encode_positions(list(poslist))

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return decode_positions(valuestring)

    def decode_frequency(self, valuestring: bytes) -> int:
        first = valuestring[0]
        if first < 0x80:
            return first
        return _decode_varints(valuestring)[0]

    def word_values(
        self, value: Any, analyzer: Any, **kwargs: Any
    ) -> Iterable[tuple[str, int, float, bytes]]:
        boost = self.field_boost
        if isinstance(value, Analyzed):
            return [
                (term.decode("utf-8"), n, n * boost, data) for term, n, data in value.postings()
            ]
        if isinstance(analyzer, NewsTokenizer) and analyzer.stemming and isinstance(value, str):
            return self.word_values(analyze(value), analyzer)
        return super().word_values(value, analyzer, **kwargs)  # type: ignore[no-any-return]
