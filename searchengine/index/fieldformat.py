"""Posting formats that analyse text in one pass, without Token objects.

Whoosh's formats pull a ``Token`` object through the analyzer chain for
every word, then count and encode.  For our one-stage tokenizer the same
postings come straight from a regular expression and two cached functions,
which is most of the indexing time saved.  Positions are stored as varints
rather than Whoosh's pickled lists (:func:`encode_positions`); readers
decode them through the format object, which, like the analyzer, is pickled
into the index's schema: renaming this class stops old indexes opening.

:func:`analyze` computes a text's postings ahead of time, so that reader
processes do the analysis and the one writer process only files postings.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh import formats

from searchengine.analysis.tokenizer import WORD, NewsTokenizer, stem


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


def analyze(text: str, words: list[str] | None = None) -> Analyzed:
    """``text`` with its terms, their counts and their encoded positions.

    ``words`` are the text's words (``WORD.findall(text)``) when the caller
    has them already.
    """
    positions: dict[str, list[int]] = {}
    for position, term in enumerate(map(stem, WORD.findall(text) if words is None else words)):
        found = positions.get(term)
        if found is None:
            positions[term] = [position]
        else:
            found.append(position)
    encoded = list(map(encode_positions, positions.values()))
    analyzed = Analyzed(text)
    analyzed.terms = "\0".join(positions).encode("utf-8")
    analyzed.counts = array("I", map(len, positions.values()))
    analyzed.values = b"".join(encoded)
    analyzed.value_lengths = array("I", map(len, encoded))
    return analyzed


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
