"""The query executor: a parsed query answered with whole-array operations.

Whoosh answers a query by stepping matcher objects from one match to the
next, 10–20 µs of Python a match; a common word matches thousands of
articles, and every match is visited (the total is exact, the timeline and
the collapse counts need every match).  Here each term's postings are read
as arrays (:func:`searchengine.index.postings.term_postings`) and the query
tree is evaluated segment by segment on sorted arrays of document numbers:
AND, OR and NOT are array set operations, BM25F is computed for all of a
term's matches at once, phrases are matched by searching arrays of
positions, and the date filter, the month timeline (``np.bincount``), the
page (``argpartition``) and the near-duplicate counts work on the columns of
:mod:`searchengine.index.columns` (the timeline and source counts are made
from the matches by :mod:`searchengine.query.matches`).

The results are exactly Whoosh's, scores included, compared with ``==``
(``tests/test_execute.py`` checks it on generated queries).  That needs
Whoosh's order of floating-point operations, which follows the matcher tree
Whoosh would build for the same query in the same segment:

* a term scores ``bm25(idf, weight, byte_to_length(length byte), avgfl)``,
  written out as in ``whoosh.scoring.bm25``, times its boost;
* AND and OR with several children combine them in a Huffman-like tree
  ordered by each child's estimated size in the segment (``estimate_size``,
  ``whoosh.util.make_weighted_tree``); an OR of more than two children in
  a segment of at most 5,000 documents (or of 1,024 children or more) adds
  its children's scores left to right instead (``PreloadedOr``);
* a phrase adds its words' scores in a balanced tree in word order
  (``make_binary_tree``), a NOT scores 1.0, a date range its boost;
* a compound query with a single child is that child, its boost ignored.

A node of a kind not listed in :func:`_Segment.evaluate` raises
:class:`Unsupported`; the engine then answers with the reference path
(:mod:`searchengine.query.ranking`), so a rare query is slower, never wrong.
"""

from __future__ import annotations

import bisect
import collections
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from whoosh import query

from searchengine.index import whoosh_private
from searchengine.index.columns import Columns, SegmentColumns
from searchengine.index.postings import (
    RangePostings,
    TermPostings,
    range_postings,
    select_ranges,
    term_postings,
)
from searchengine.query.ranking import Order

Docs = NDArray[np.int32]
Scores = NDArray[np.float64]

#: An OR with this many children is scored by summing arrays (Whoosh's
#: ``Or.TOO_MANY_CLAUSES``), as in a segment of at most ...
_PRELOAD_CLAUSES = 1024
#: ... this many documents (``Or._matcher``'s heuristic).
_PRELOAD_DOCS = 5000
#: An OR of at least this many terms of one field reads and adds them all
#: together (:meth:`_Segment.term_union`).
_BATCH_CHILDREN = 8


class Unsupported(Exception):
    """The query holds a node the executor does not evaluate (the engine
    falls back to Whoosh's matchers for it)."""


@dataclass(frozen=True)
class Found:
    """What one query node matches in one segment: ascending, live document
    numbers, and their scores when scored."""

    docs: Docs
    scores: Scores | None

    def __len__(self) -> int:
        return len(self.docs)


_NO_DOCS: Docs = np.zeros(0, dtype=np.int32)


def _empty(scored: bool) -> Found:
    return Found(_NO_DOCS, np.zeros(0, dtype=np.float64) if scored else None)


#: ``(B, K1, average length, each document's length)`` of a scored field.
_FieldScoring = tuple[float, float, float, NDArray[np.float64]] | tuple[()]
#: A field scored by weight alone (Whoosh's ``WeightScorer``: not scorable).
_WEIGHT_ONLY: tuple[()] = ()


@dataclass
class Counts:
    """What a query read: terms looked up, postings and positions decoded."""

    terms: int = 0
    postings: int = 0
    positions: int = 0


# -- sets of sorted document numbers --------------------------------------------
#
# numpy's own set functions sort or hash both inputs every time; the inputs
# here are sorted already and drawn from one segment's documents.  Small
# against large is answered by binary search, large against large by a
# table over the segment (``size`` documents).


def _distinct(ascending: NDArray[np.int64]) -> NDArray[np.int64]:
    """The distinct values of an ascending array.  (``np.unique`` sorts
    again, and its first call imports ``numpy.ma``: 25 ms of a scripted query.)"""
    if len(ascending) == 0:
        return ascending
    keep = np.ones(len(ascending), dtype=np.bool_)
    np.not_equal(ascending[1:], ascending[:-1], out=keep[1:])
    distinct: NDArray[np.int64] = ascending[keep]
    return distinct


def _dense(count: int, size: int) -> bool:
    """Whether ``count`` numbers are better handled with a table of ``size``."""
    return count * 8 > size


def _index_in(haystack: Docs, needles: Docs, size: int) -> NDArray[np.int64]:
    """Where each of ``needles`` is in ``haystack`` (both sorted), -1 where absent."""
    if len(haystack) == 0 or len(needles) == 0:
        return np.full(len(needles), -1, dtype=np.int64)
    if _dense(len(needles) + len(haystack), size):
        table = np.full(size, -1, dtype=np.int64)
        table[haystack] = np.arange(len(haystack))
        found: NDArray[np.int64] = table[needles]
        return found
    at = np.minimum(np.searchsorted(haystack, needles), len(haystack) - 1)
    return np.where(haystack[at] == needles, at, -1)


def _members(docs: Docs, of: Docs, size: int) -> NDArray[np.bool_]:
    """Which of ``docs`` are among ``of`` (both sorted)."""
    if _dense(len(docs) + len(of), size):
        table = np.zeros(size, dtype=np.bool_)
        table[of] = True
        found: NDArray[np.bool_] = table[docs]
        return found
    return _index_in(of, docs, size) >= 0


def _sorted_union(parts: list[Docs], size: int) -> Docs:
    """The documents of any of ``parts`` (each sorted), sorted."""
    if _dense(sum(len(p) for p in parts), size):
        table = np.zeros(size, dtype=np.bool_)
        for part in parts:
            table[part] = True
        return np.flatnonzero(table).astype(np.int32)
    joined = np.concatenate(parts)
    joined.sort(kind="stable")
    keep = np.ones(len(joined), dtype=np.bool_)
    np.not_equal(joined[1:], joined[:-1], out=keep[1:])
    union: Docs = joined[keep]
    return union


def _common(a: Docs, b: Docs, size: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Indexes into ``a`` and into ``b`` of the documents both hold."""
    if len(a) > len(b):
        in_b, in_a = _common(b, a, size)
        return in_a, in_b
    at = _index_in(b, a, size)
    in_a = np.flatnonzero(at >= 0)
    return in_a, at[in_a]


# -- combining two matches ----------------------------------------------------


def _intersect(a: Found, b: Found, size: int) -> Found:
    """AND of two children (``IntersectionMatcher``): scores added, ``a + b``."""
    ia, ib = _common(a.docs, b.docs, size)
    docs = a.docs[ia]
    if a.scores is None or b.scores is None:
        return Found(docs, None)
    return Found(docs, a.scores[ia] + b.scores[ib])


def _union(a: Found, b: Found, size: int) -> Found:
    """OR of two children (``UnionMatcher``): ``a + b`` where both match,
    else the one that does (adding to 0.0 changes no score)."""
    if a.scores is None or b.scores is None:
        return Found(_sorted_union([a.docs, b.docs], size), None)
    if _dense(len(a) + len(b), size):
        table = np.zeros(size, dtype=np.float64)
        table[a.docs] = a.scores
        table[b.docs] += b.scores
        docs = _sorted_union([a.docs, b.docs], size)
        return Found(docs, table[docs])
    docs = _sorted_union([a.docs, b.docs], size)
    scores = np.zeros(len(docs), dtype=np.float64)
    scores[np.searchsorted(docs, a.docs)] += a.scores
    scores[np.searchsorted(docs, b.docs)] += b.scores
    return Found(docs, scores)


def _boosted(found: Found, boost: float) -> Found:
    """``WrappingMatcher(m, boost)``: every score times ``boost``."""
    if boost == 1.0 or found.scores is None:
        return found
    return Found(found.docs, found.scores * boost)


def _weighted_tree(
    weights: list[int], children: list[Found], combine: Callable[[Found, Found], Found]
) -> Found:
    """``whoosh.util.make_weighted_tree``: repeatedly combine the two
    lightest, the result re-inserted after any of equal weight.  (Whoosh
    sorts ``(weight, matcher)`` tuples; matchers never compare as less
    than one another, so equal weights keep their order: a stable sort.)"""
    order = sorted(range(len(children)), key=weights.__getitem__)
    items = [(weights[i], children[i]) for i in order]
    keys = [w for w, _ in items]
    while len(items) > 1:
        (wa, a), (wb, b) = items[0], items[1]
        del items[:2], keys[:2]
        weight = wa + wb
        at = bisect.bisect_right(keys, weight)
        keys.insert(at, weight)
        items.insert(at, (weight, combine(a, b)))
    return items[0][1]


def _binary_tree(children: list[Found], combine: Callable[[Found, Found], Found]) -> Found:
    """``whoosh.util.make_binary_tree``: halves, in order."""
    if len(children) == 1:
        return children[0]
    half = len(children) // 2
    return combine(_binary_tree(children[:half], combine), _binary_tree(children[half:], combine))


def _sum_tree(scores: list[Scores]) -> Scores:
    """Scores added as :func:`_binary_tree` adds its children's."""
    if len(scores) == 1:
        return scores[0]
    half = len(scores) // 2
    return _sum_tree(scores[:half]) + _sum_tree(scores[half:])


@dataclass
class _Shared:
    """What the segments of one query share (the same in every segment)."""

    #: Each OR of terms's terms, by the node's id.
    ors: dict[int, _TermOr] = field(default_factory=dict)
    #: Each query word's bytes as indexed, by field and word.
    words: dict[tuple[str, type, Any], bytes | None] = field(default_factory=dict)
    #: Whether an OR (by its id) is one to read and add in one pass.
    wide: dict[int, bool] = field(default_factory=dict)

    def of_terms(self, node: Any, subs: list[Any]) -> bool:
        """Whether ``node`` is an OR of :data:`_BATCH_CHILDREN` terms or
        more of one field (:meth:`_Segment.term_union`)."""
        known = self.wide.get(id(node))
        if known is None:
            fieldname = getattr(subs[0], "fieldname", None)
            known = self.wide[id(node)] = len(subs) >= _BATCH_CHILDREN and all(
                type(s) is query.Term and s.fieldname == fieldname for s in subs
            )
        return known


@dataclass(frozen=True)
class _TermOr:
    """What every segment needs of an OR of one field's terms, made once a query."""

    fieldname: str
    #: The children's distinct terms, sorted (what is read), numbered.
    slot: dict[bytes, int]
    #: Each child's term: its number in ``slot``, -1 for none.
    terms: NDArray[np.int64]
    #: The same, ``len(slot)`` for none (an empty range after the last).
    slots: NDArray[np.int64]
    #: Each child's boost, or ``None`` when all are 1.
    boosts: NDArray[np.float64] | None
    #: Each distinct term's idf when scored.
    idf: NDArray[np.float64] | None

    @classmethod
    def of(cls, segment: _Segment, subs: list[Any], scored: bool) -> _TermOr:
        fieldname = subs[0].fieldname
        schema = segment.reader.schema
        btexts: list[bytes | None] = [None] * len(subs)
        if fieldname in schema:
            to_bytes = schema[fieldname].to_bytes
            for n, s in enumerate(subs):
                with contextlib.suppress(ValueError):
                    btexts[n] = to_bytes(s.text)
        distinct = sorted({b for b in btexts if b is not None})
        slot = {b: i for i, b in enumerate(distinct)}
        terms = np.array([-1 if b is None else slot[b] for b in btexts], dtype=np.int64)
        boosts = np.array([float(s.boost) for s in subs], dtype=np.float64)
        idf = None
        if scored:
            idf = np.array([segment.parent.idf(fieldname, b) for b in distinct], dtype=np.float64)
        return cls(
            fieldname=fieldname,
            slot=slot,
            terms=terms,
            slots=np.where(terms >= 0, terms, len(distinct)),
            boosts=boosts if (boosts != 1.0).any() else None,
            idf=idf,
        )


# -- one segment --------------------------------------------------------------


@dataclass
class _Segment:
    """Evaluates query nodes over one segment."""

    parent: Any
    leaf: Any
    columns: SegmentColumns
    counts: Counts
    postings_cache: dict[tuple[str, bytes], TermPostings | None] = field(default_factory=dict)
    #: Terms' posting counts read from their entries (:meth:`frequency`).
    frequencies: dict[tuple[str, bytes], int] = field(default_factory=dict)
    #: Terms read with others (:meth:`term_range`): their run and place in it.
    runs: list[tuple[str, dict[bytes, int], RangePostings]] = field(default_factory=list)
    #: Terms whose positions were read (counted once each).
    positioned: set[int] = field(default_factory=set)
    _scoring: dict[str, _FieldScoring] = field(default_factory=dict)
    _norms: dict[str, Scores] = field(default_factory=dict)
    #: What one query's segments share.
    shared: _Shared = field(default_factory=lambda: _Shared())
    #: Whoosh's estimates of ORs of terms already read here (by the node's id).
    estimated: dict[int, int] = field(default_factory=dict)

    @property
    def reader(self) -> Any:
        return self.leaf.reader()

    # -- reading ------------------------------------------------------------

    def postings(self, fieldname: str, btext: bytes) -> TermPostings | None:
        """One term's postings in this segment (read once per query)."""
        key = (fieldname, btext)
        if key in self.postings_cache:
            return self.postings_cache[key]
        ranged = self.ranged(fieldname, btext)
        if ranged is not None:
            found = ranged[0].term(ranged[1])
        else:
            found = term_postings(self.reader, fieldname, btext)
            self.counts.terms += 1
            self.counts.postings += 0 if found is None else len(found)
        self.postings_cache[key] = found
        return found

    def frequency(self, fieldname: str, btext: bytes) -> int:
        """How many postings a term has in this segment (deleted documents
        included, as in its postings): Whoosh's ``doc_frequency``, read from
        the term's entry without decoding its postings when they are not
        read yet (an estimate needs no more; a phrase whose rare word is
        absent never decodes its common one)."""
        key = (fieldname, btext)
        if key in self.postings_cache:
            postings = self.postings_cache[key]
            return 0 if postings is None else len(postings)
        known = self.frequencies.get(key)
        if known is not None:
            return known
        ranged = self.ranged(fieldname, btext)
        if ranged is not None:
            run, i = ranged
            known = int(run.offsets[i + 1] - run.offsets[i])
        elif fieldname not in self.reader.schema:
            known = 0
        else:
            known = int(self.reader.doc_frequency(fieldname, btext))
        self.frequencies[key] = known
        return known

    def term_range(self, fieldname: str, slots: dict[bytes, int]) -> RangePostings:
        """The postings of the terms ``slots`` numbers (in that order) in
        this segment, read together (once per query)."""
        found = range_postings(self.reader, fieldname, list(slots))
        self.runs.append((fieldname, slots, found))
        self.counts.terms += len(slots)
        self.counts.postings += len(found)
        return found

    def ranged(self, fieldname: str, btext: bytes) -> tuple[RangePostings, int] | None:
        """The run a term was read in here, and its place there (``None``: not so read)."""
        for name, slots, found in self.runs:
            i = slots.get(btext) if name == fieldname else None
            if i is not None:
                return found, i
        return None

    def positions_in(
        self, postings: TermPostings, docs: Docs
    ) -> tuple[NDArray[np.int64], NDArray[Any]]:
        """The term's positions in each of ``docs`` (all among its documents):
        ``(offsets, positions)``, those of ``docs[i]`` at
        ``positions[offsets[i]:offsets[i + 1]]``.

        Only those documents' positions are decoded when they are a small
        part of the term's (a phrase with ``of`` needs ``of``'s positions in
        the documents of its rarer word only); otherwise all of them, once.
        """
        return self.positions_at(postings, np.searchsorted(postings.docs, docs))

    def positions_at(
        self, postings: TermPostings, at: NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], NDArray[Any]]:
        """:meth:`positions_in` for the postings numbered ``at``."""
        if 2 * len(at) > len(postings) or id(postings) in self.positioned:
            offsets, positions = postings.positions()
            if id(postings) not in self.positioned:
                self.positioned.add(id(postings))
                self.counts.positions += len(positions)
            chosen, flat = select_ranges(offsets, at)
            return chosen, positions[flat]
        if postings.random_access:
            # Where each posting's positions start is kept once known (a
            # phrase reads it, its snippets read the page's positions again).
            chosen, flat = select_ranges(postings.position_starts(), at)
            some = postings.position_values(flat)
        else:
            chosen, some = postings.positions_at(at)
        self.counts.positions += len(some)
        return chosen, some

    def _term_bytes(self, fieldname: str, text: Any) -> bytes | None:
        # By type too: 1 and 1.0 are equal keys, not always equal terms.
        key = (fieldname, type(text), text)
        words = self.shared.words
        if key in words:
            return words[key]
        schema = self.reader.schema
        btext: bytes | None = None
        if fieldname in schema:
            with contextlib.suppress(ValueError):
                btext = schema[fieldname].to_bytes(text)
        words[key] = btext
        return btext

    def live(self, docs: Docs) -> NDArray[np.bool_] | None:
        """Which of ``docs`` are not deleted (``None``: all of them)."""
        deleted = self.columns.deleted
        return None if deleted is None else ~deleted[docs]

    def all_live(self) -> Docs:
        docs = np.arange(self.columns.size, dtype=np.int32)
        keep = self.live(docs)
        return docs if keep is None else docs[keep]

    # -- sizes (Whoosh's ``estimate_size``, which shapes its matcher trees) ----

    def estimate(self, node: Any) -> int:
        known = self.estimated.get(id(node))
        if known is not None:
            return known
        if isinstance(node, query.Term):
            btext = self._term_bytes(node.fieldname, node.text)
            if btext is None:
                return 0
            return self.frequency(node.fieldname, btext)
        if isinstance(node, query.Phrase):
            return min(self.estimate(query.Term(node.fieldname, w)) for w in node.words)
        if isinstance(node, query.And):
            return min(self.estimate(c) for c in node.subqueries)
        if isinstance(node, query.Require):
            return self.estimate(node.b)
        if isinstance(node, query.Or | query.AndNot | query.AndMaybe):
            total = sum(self.estimate(c) for c in node.subqueries)
            return min(total, int(self.reader.doc_count()))
        if isinstance(node, query.Not | query.Every):
            return int(self.reader.doc_count())
        if node is query.NullQuery:
            return 0
        size: int = node.estimate_size(self.reader)
        return size

    # -- matching -----------------------------------------------------------

    def evaluate(self, node: Any, scored: bool) -> Found:
        """What ``node`` matches here, scored as Whoosh scores it when ``scored``."""
        if node is query.NullQuery:
            return _empty(scored)
        # By exact type: a subclass may match otherwise (FuzzyTerm is a Term).
        method = _EVALUATORS.get(type(node))
        if method is None:
            raise Unsupported(f"{type(node).__name__} queries")
        return method(self, node, scored)

    def term(self, node: Any, scored: bool) -> Found:
        btext = self._term_bytes(node.fieldname, node.text)
        postings = None if btext is None else self.postings(node.fieldname, btext)
        if btext is None or postings is None:
            return _empty(scored)
        found = self._scored_term(node.fieldname, btext, postings, scored)
        return _boosted(found, node.boost)

    def _scored_term(
        self, fieldname: str, btext: bytes, postings: TermPostings, scored: bool
    ) -> Found:
        docs, weights = postings.docs, postings.weights
        keep = self.live(docs)
        if keep is not None:
            docs, weights = docs[keep], weights[keep]
        if not scored:
            return Found(docs, None)
        return Found(docs, self._bm25f(fieldname, btext, docs, weights))

    def _bm25f(self, fieldname: str, btext: bytes, docs: Docs, weights: Scores) -> Scores:
        """``whoosh.scoring.bm25`` for every posting, in its order of operations."""
        return self._bm25(fieldname, self.parent.idf(fieldname, btext), docs, weights)

    def _bm25(self, fieldname: str, idf: float | Scores, docs: Docs, weights: Scores) -> Scores:
        """:meth:`_bm25f` with the term's idf given (an array: each posting's term's)."""
        field = self._scoring.get(fieldname)
        if field is None:
            field = self._scoring[fieldname] = self._field_scoring(fieldname)
        if not field:
            return np.array(weights, dtype=np.float64)  # WeightScorer: the weight
        b, k1, avgfl, lengths = field
        if 4 * len(docs) > len(lengths):
            # Many postings: the length part once per document, then looked up.
            norm = self._norms.get(fieldname)
            if norm is None:
                norm = self._norms[fieldname] = k1 * ((1 - b) + b * lengths / avgfl)
            part = norm[docs]
        else:
            fl = lengths[docs]
            part = k1 * ((1 - b) + b * fl / avgfl)
        scores: Scores = idf * ((weights * (k1 + 1)) / (weights + part))
        return scores

    def _field_scoring(self, fieldname: str) -> _FieldScoring:
        """What BM25F needs of a field, the same for all its terms: ``B``,
        ``K1``, the average length and every document's length."""
        if not self.reader.schema[fieldname].scorable:
            return _WEIGHT_ONLY
        parameters = whoosh_private.bm25f_parameters(self.parent.weighting, fieldname)
        if parameters is None:
            raise Unsupported("a weighting other than BM25F")
        b, k1 = parameters
        avgfl = self.parent.avg_field_length(fieldname) or 1
        return b, k1, avgfl, self.columns.lengths(fieldname)

    def phrase(self, node: Any, scored: bool) -> Found:
        fieldname = node.fieldname
        schema = self.reader.schema
        if fieldname not in schema:
            return _empty(scored)
        fieldobj = schema[fieldname]
        if not fieldobj.format or not fieldobj.format.supports("positions"):
            raise Unsupported("a phrase in a field without positions")
        terms: list[bytes] = []
        for word in node.words:
            btext = self._term_bytes(fieldname, word)
            if btext is None or self.frequency(fieldname, btext) == 0:
                return _empty(scored)
            terms.append(btext)
        # The documents holding every word, rarest word first: when they run
        # out, the commoner words' postings are never decoded (a rare word
        # is seldom in a title, where ``the`` or ``was`` often is).
        size = self.columns.size
        docs = _NO_DOCS
        for n, btext in enumerate(sorted(set(terms), key=lambda t: self.frequency(fieldname, t))):
            postings = self.postings(fieldname, btext)
            assert postings is not None
            other = self._scored_term(fieldname, btext, postings, False).docs
            docs = other if n == 0 else docs[_common(docs, other, size)[0]]
            if len(docs) == 0:
                return _empty(scored)
        words: list[tuple[bytes, TermPostings]] = []
        for btext in terms:
            postings = self.postings(fieldname, btext)
            assert postings is not None
            words.append((btext, postings))
        # No distance in a document reaches 2**30 words; a slop below 1 matches nothing.
        slop = max(0, min(int(node.slop), 1 << 30))
        if slop == 1:
            docs = self._adjacent(docs, [p for _, p in words])
        else:
            docs = self._in_sequence(docs, [p for _, p in words], slop)
        if not scored:
            return Found(docs, None)
        # Each word scored where the phrase matches only (a score depends on
        # its own document alone), added as SpanNear2's intersections add.
        parts = [
            self._bm25f(fieldname, btext, docs, p.weights[np.searchsorted(p.docs, docs)])
            for btext, p in words
        ]
        return _boosted(Found(docs, _sum_tree(parts)), node.boost)

    def _adjacent(self, docs: Docs, words: list[TermPostings]) -> Docs:
        """Those of ``docs`` (each holding every word) where the words occur
        one right after another (an exact phrase: ``_in_sequence`` with a
        slop of 1, which this hands the phrase to when its words occur about
        as often as each other: :func:`_looked_up_is_cheaper`).

        The occurrences of the word with the fewest of them in ``docs`` (the
        anchor) are read; each other word, rarest first, must then be at one
        place relative to each remaining occurrence, looked up by binary
        search among that document's positions of the word
        (:func:`_present`), which reads a few of them, not all: ``of`` in
        ``died of`` occurs forty times in a document, ``died`` once.
        """
        if len(docs) == 0 or len(words) == 1:
            return docs
        # Each word's occurrences in each document, as its weights hold
        # them (its count times the field's boost, the same for all words):
        # enough to choose, without the positions' starts.
        ats = [np.searchsorted(postings.docs, docs) for postings in words]
        weights = [p.weights[at] for p, at in zip(words, ats, strict=True)]
        sizes = [float(w.sum()) for w in weights]
        widest = [float(w.max()) for w in weights]
        anchor = min(range(len(words)), key=sizes.__getitem__)
        if not _looked_up_is_cheaper(sizes, anchor, widest):
            return self._in_sequence(docs, words, 1, ats)
        ranges = []
        for postings, at in zip(words, ats, strict=True):
            starts = postings.position_starts()
            ranges.append((starts[at], starts[at + 1]))
        offsets, positions = self.positions_at(words[anchor], ats[anchor])
        # Each remaining occurrence: its document's index in ``docs``, its position.
        which = np.repeat(np.arange(len(docs), dtype=np.int64), np.diff(offsets))
        where = positions.astype(np.int64)
        for i in sorted(range(len(words)), key=sizes.__getitem__):
            if i == anchor:
                continue
            lo, hi = ranges[i]
            found = _present(words[i], lo[which], hi[which], where + (i - anchor), self.counts)
            which, where = which[found], where[found]
            if len(which) == 0:
                break
        adjacent: Docs = docs[_distinct(which)]
        return adjacent

    def _in_sequence(
        self,
        docs: Docs,
        words: list[TermPostings],
        slop: int,
        ats: list[NDArray[np.int64]] | None = None,
    ) -> Docs:
        """Those of ``docs`` where the words occur in order, each 1 to
        ``slop`` positions after the one before (``SpanNear2``, ordered,
        ``mindist=1``: only where the previous word ended matters).
        ``ats``, when known: where each of ``docs`` is among each word's
        postings."""
        if len(docs) == 0 or len(words) == 1:
            return docs
        if ats is None:
            ats = [np.searchsorted(postings.docs, docs) for postings in words]
        # A key per occurrence: the document's index in ``docs`` above, the
        # position (shifted by ``slop + 1`` so that the window below a
        # position never reaches the document before) below.
        alive = np.arange(len(docs), dtype=np.int64)
        ends = self._occurrences(words[0], ats[0], alive, slop)
        for following, at in zip(words[1:], ats[1:], strict=True):
            # The next word's positions are read in documents still in the running only.
            alive = _distinct(ends >> 32)
            if len(alive) == 0:
                break
            keys = self._occurrences(following, at, alive, slop)
            ends = _followers(ends, keys, slop)
        matched: Docs = docs[_distinct(ends >> 32)]
        return matched

    def _occurrences(
        self, postings: TermPostings, at: NDArray[np.int64], alive: NDArray[np.int64], slop: int
    ) -> NDArray[np.int64]:
        """Sorted keys ``(index into docs) << 32 | (position + slop + 1)`` of
        the term's occurrences in the documents ``docs[alive]`` (``at``: where
        each of ``docs`` is among its postings)."""
        offsets, positions = self.positions_at(postings, at[alive])
        which = np.repeat(alive, np.diff(offsets))
        keys: NDArray[np.int64] = (which << 32) | (positions.astype(np.int64) + slop + 1)
        return keys

    def conjunction(self, node: Any, scored: bool) -> Found:
        subs = list(node.subqueries)
        if not subs:
            return _empty(scored)
        if len(subs) == 1:
            return self.evaluate(subs[0], scored)
        children = []
        for sub in subs:
            child = self.evaluate(sub, scored)
            if len(child) == 0:
                return _empty(scored)
            children.append(child)
        weights = [-self.estimate(s) for s in subs]
        size = self.columns.size
        combined = _weighted_tree(weights, children, lambda a, b: _intersect(a, b, size))
        return _boosted(combined, node.boost)

    def disjunction(self, node: Any, scored: bool) -> Found:
        subs = list(node.subqueries)
        if not subs:
            return _empty(scored)
        if len(subs) == 1:
            return self.evaluate(subs[0], scored)
        if node.scale:
            raise Unsupported("an OR with a coordination scale")
        preload = len(subs) >= _PRELOAD_CLAUSES or (
            len(subs) != 2 and self.columns.size <= _PRELOAD_DOCS
        )
        if self.shared.of_terms(node, subs):
            return self.term_union(node, subs, scored, preload)
        children = [self.evaluate(s, scored) for s in subs]
        size = self.columns.size
        if preload:
            return _preloaded_union(children, node.boost, scored, size)
        weights = [self.estimate(s) for s in subs]
        combined = _weighted_tree(weights, children, lambda a, b: _union(a, b, size))
        return _boosted(combined, node.boost)

    def term_union(self, node: Any, subs: list[Any], scored: bool, preload: bool) -> Found:
        """An OR of terms of one field (a prefix's, a wildcard's or a fuzzy
        word's expansion): the terms read together, every child's matches
        scored at once, and the scores added in Whoosh's order, all children
        together (:meth:`_Shape.sum`, :func:`_chain_sum`)."""
        ors = self.shared.ors.get(id(node))
        if ors is None:
            ors = self.shared.ors[id(node)] = _TermOr.of(self, subs, scored)
        postings = self.term_range(ors.fieldname, ors.slot)
        # Whoosh's estimate of a child: its term's postings here, deleted included.
        sizes = np.append(postings.frequencies(), 0)[ors.terms]
        self.estimated[id(node)] = min(int(sizes.sum()), int(self.reader.doc_count()))
        # Each term's live postings, scored, end to end.
        docs, weights = postings.docs, postings.weights
        keep = self.live(docs)
        offsets = postings.offsets
        if keep is not None:
            kept = np.zeros(len(keep) + 1, dtype=np.int64)
            np.cumsum(keep, out=kept[1:])
            docs, weights, offsets = docs[keep], weights[keep], kept[offsets]
        term_scores = None
        if ors.idf is not None:
            idf = np.repeat(ors.idf, np.diff(offsets))
            term_scores = self._bm25(ors.fieldname, idf, docs, weights)
        # The children's matches, children in the order their scores are
        # added (a child without its term here: an empty range).
        shape = None
        if not preload:
            # Boosted terms' matchers sort first among equals where deletions are filtered.
            ahead = None
            if ors.boosts is not None and self.columns.deleted is not None:
                ahead = (ors.boosts != 1.0).tolist()
            shape = _Shape.huffman(sizes.tolist(), ahead)
        leaves = np.arange(len(subs)) if shape is None else shape.leaves
        slots = ors.slots[leaves]
        spans, flat = select_ranges(np.append(offsets, offsets[-1]), slots)
        counts = np.diff(spans)
        entry_docs = docs[flat]
        size = self.columns.size
        if term_scores is None:
            return Found(_sorted_union([entry_docs], size), None)
        entry_scores = term_scores[flat]
        if ors.boosts is not None:
            entry_scores *= np.repeat(ors.boosts[leaves], counts)
        if shape is None:
            return _chain_sum(entry_docs, entry_scores * node.boost)
        return _boosted(shape.sum(entry_docs, entry_scores, spans, size), node.boost)

    def and_not(self, node: Any, scored: bool) -> Found:
        kept = self.evaluate(node.a, scored)
        if len(kept) == 0:
            return kept
        excluded = self.evaluate(node.b, False).docs
        keep = ~_members(kept.docs, excluded, self.columns.size)
        return Found(kept.docs[keep], None if kept.scores is None else kept.scores[keep])

    def negation(self, node: Any, scored: bool) -> Found:
        # InverseMatcher: every live document the child does not match, scoring 1.0.
        excluded = self.evaluate(node.query, False).docs
        live = self.all_live()
        docs = live[~_members(live, excluded, self.columns.size)]
        return Found(docs, np.ones(len(docs)) if scored else None)

    def and_maybe(self, node: Any, scored: bool) -> Found:
        a = self.evaluate(node.a, scored)
        if len(a) == 0 or a.scores is None:
            return a
        b = self.evaluate(node.b, scored)
        assert b.scores is not None
        ia, ib = _common(a.docs, b.docs, self.columns.size)
        scores = a.scores.copy()
        scores[ia] = a.scores[ia] + b.scores[ib]
        return Found(a.docs, scores)

    def require(self, node: Any, scored: bool) -> Found:
        a = self.evaluate(node.a, scored)
        if len(a) == 0:
            return a
        b = self.evaluate(node.b, False)
        keep = _members(a.docs, b.docs, self.columns.size)
        return Found(a.docs[keep], None if a.scores is None else a.scores[keep])

    def every(self, node: Any, scored: bool) -> Found:
        if node.fieldname is None:
            docs = self.all_live()
        else:
            # Every document with a word in the field: a length byte above 0.
            schema = self.reader.schema
            if node.fieldname not in schema or not schema[node.fieldname].scorable:
                raise Unsupported(f"{node.fieldname}:* on a field without lengths")
            docs = np.flatnonzero(self.columns.has_words(node.fieldname)).astype(np.int32)
            keep = self.live(docs)
            docs = docs if keep is None else docs[keep]
        return Found(docs, np.full(len(docs), float(node.boost)) if scored else None)

    def numeric_range(self, node: Any, scored: bool) -> Found:
        if node.fieldname != "date" or not node.constantscore:
            raise Unsupported("a numeric range other than a date range")
        days = self.columns.days
        inside = days > 0
        if node.start is not None:
            inside &= days > node.start if node.startexcl else days >= node.start
        if node.end is not None:
            inside &= days < node.end if node.endexcl else days <= node.end
        docs = np.flatnonzero(inside).astype(np.int32)
        keep = self.live(docs)
        docs = docs if keep is None else docs[keep]
        # ConstantScoreQuery: every match scores the range's boost.
        return Found(docs, np.full(len(docs), float(node.boost)) if scored else None)


#: What reading every occurrence costs beyond the occurrences, and what
#: looking them up costs beyond the lookups, in occurrences read (measured
#: at 100,000 articles: a lookup, one position read a round, costs about
#: half of an occurrence read and matched).
_READ_ALL_FIXED = 2000
_LOOK_UP_FIXED = 6000


def _looked_up_is_cheaper(sizes: list[float], anchor: int, widest: list[float]) -> bool:
    """Whether an exact phrase is matched faster by looking its words up
    next to the anchor's occurrences (:func:`_present`) than by reading all
    of their occurrences (``_in_sequence``): when one word occurs far more
    often than another in the documents holding both (``died of``, ``the
    but``), not when they occur about as often (``election results``).
    ``sizes`` are each word's occurrences there, ``widest`` its most in
    one document (a binary search's rounds)."""
    found = sizes[anchor]
    looked_up = found + _LOOK_UP_FIXED
    for i, most in enumerate(widest):
        if i != anchor:
            looked_up += found * (int(most).bit_length() + 2) / 2
    return looked_up < sum(sizes) + _READ_ALL_FIXED


def _present(
    postings: TermPostings,
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
    targets: NDArray[np.int64],
    counts: Counts,
) -> NDArray[np.bool_]:
    """Whether each of ``targets`` is among the term's positions numbered
    ``lo .. hi - 1`` (one document's: ascending, at least one): a binary
    search in all ranges at once, reading one position per range a round,
    as many rounds as the longest range needs.  Branch-free: each round
    halves every range (``base`` and the ``width`` from it), so that a
    round is a few whole-array operations."""
    base = lo
    width = hi - lo
    rounds = 0
    while True:
        widest = int(width.max()) if len(width) else 0
        if widest <= 1:
            break
        half = width >> 1
        middle = base + half
        # The first position not below a target is at ``middle`` or after
        # when the one there is below it, else at ``base`` .. ``middle``.
        base = np.where(postings.position_values(middle) < targets, middle, base)
        width = width - half
        rounds += 1
    value = postings.position_values(base)
    # The first position not below the target: ``base``, or the one after.
    after = np.minimum(base + 1, hi - 1)
    found: NDArray[np.bool_] = (value == targets) | (
        (value < targets) & (postings.position_values(after) == targets)
    )
    counts.positions += (rounds + 2) * len(base)
    return found


def _followers(ends: NDArray[np.int64], keys: NDArray[np.int64], slop: int) -> NDArray[np.int64]:
    """Those of ``keys`` 1 to ``slop`` after one of ``ends`` (both sorted,
    distinct), in order.  The smaller array is searched in the larger: a
    common word after a rare one (``died of``) has hundreds of thousands of
    occurrences, each looked up in a few thousand ends otherwise."""
    if len(keys) <= 2 * len(ends):
        low = np.searchsorted(ends, keys - slop, side="left")
        high = np.searchsorted(ends, keys, side="left")
        kept: NDArray[np.int64] = keys[high > low]
        return kept
    # The keys after each end, ``first[i] .. last[i]``; later ends' runs
    # start where earlier ones stop, so that none is taken twice.
    first = np.searchsorted(keys, ends, side="right")
    last = np.searchsorted(keys, ends + slop, side="right")
    if len(first) > 1:
        first[1:] = np.maximum(first[1:], last[:-1])
    counts = np.maximum(last - first, 0)
    total = int(counts.sum())
    taken = np.arange(total, dtype=np.int64)
    taken += np.repeat(first - (np.cumsum(counts) - counts), counts)
    followers: NDArray[np.int64] = keys[taken]
    return followers


def _preloaded_union(children: list[Found], boost: float, scored: bool, size: int) -> Found:
    """``ArrayUnionMatcher``: each child's score times the boost, added in
    child order to 0.0; only documents scoring above 0 match when scored."""
    docs = _sorted_union([c.docs for c in children], size)
    if not scored:
        return Found(docs, None)
    table = np.zeros(size, dtype=np.float64)
    for child in children:
        assert child.scores is not None
        table[child.docs] += child.scores * boost
    scores = table[docs]
    keep = scores > 0
    return Found(docs[keep], scores[keep])


# -- adding many children's scores in Whoosh's order -----------------------------
#
# An OR's score of a document adds the scores of the children that match
# it, in the tree of ``UnionMatcher`` Whoosh builds (a child that does not
# match passes its sibling's score up unchanged).  Floating-point addition
# is commutative but not associative, so only the tree's grouping matters:
# with the leaves in the tree's left-to-right order, the children matching
# one document are added pairwise, deepest common ancestor first.


#: Inner nodes covering at least this share of the segment's documents
#: (by Whoosh's estimate) add whole arrays over the segment; the others,
#: light subtrees of rare terms, add only the matches they have.
_DENSE_SHARE = 8


@dataclass
class _Shape:
    """The tree of ``UnionMatcher`` Whoosh builds over an OR's children.

    Nodes ``0 .. n-1`` are the children, ``n ..`` the inner nodes in the
    order they were made (children before parents); ``leaves`` are the
    children in the tree's left-to-right order, ``depths`` the depth of the
    node joining each two neighbours there, ``spans`` each node's range of
    positions in ``leaves``.
    """

    weights: list[int]
    inner: list[tuple[int, int]]
    leaves: NDArray[np.int64] = field(init=False)
    depths: NDArray[np.int64] = field(init=False)
    spans: list[tuple[int, int]] = field(init=False)

    @classmethod
    def huffman(cls, sizes: list[int], ahead: list[bool] | None = None) -> _Shape:
        """The tree :func:`_weighted_tree` builds over children of ``sizes``;
        children marked ``ahead`` go before the others of their size.

        Whoosh sorts ``(size, matcher)`` pairs, and matchers of one class
        compare equal, of unrelated classes neither less nor greater (a
        stable order); but Python asks a subclass's reflected comparison
        first, so a boosted term's ``WrappingMatcher`` is less than an
        unboosted term's ``FilterMatcher`` (a subclass: the matcher of a
        segment with deletions), and boosted terms of one size come first there.
        """
        # Two queues, as the sorted list there behaves: the children by
        # size (stable), and the joined nodes in the order made, whose sizes
        # never decrease; a joined node goes after children of its size.
        weights = list(sizes)
        inner: list[tuple[int, int]] = []
        first = ahead or [False] * len(sizes)
        order = sorted(range(len(sizes)), key=lambda i: (sizes[i], not first[i]))
        children = collections.deque(order)
        joined: collections.deque[int] = collections.deque()

        def lightest() -> int:
            if joined and (not children or weights[joined[0]] < weights[children[0]]):
                return joined.popleft()
            return children.popleft()

        while len(children) + len(joined) > 1:
            a = lightest()
            b = lightest()
            inner.append((a, b))
            weights.append(weights[a] + weights[b])
            joined.append(len(weights) - 1)
        shape = cls(weights, inner)
        shape._lay_out()
        return shape

    @property
    def root(self) -> int:
        return len(self.weights) - 1

    def _lay_out(self) -> None:
        count = len(self.weights) - len(self.inner)
        leaves: list[int] = []
        depths: list[int] = []
        spans = [(0, 0)] * len(self.weights)
        # Left subtree, the node itself (as the separator), the right subtree;
        # a node's span closes once its right subtree is done.
        stack: list[tuple[int, int, int]] = [(self.root, 0, 0)]
        while stack:
            node, depth, step = stack.pop()
            if node < count:
                spans[node] = (len(leaves), len(leaves) + 1)
                leaves.append(node)
            elif step == 0:
                left, right = self.inner[node - count]
                stack += [(node, len(leaves), 2), (right, depth + 1, 0)]
                stack += [(node, depth, 1), (left, depth + 1, 0)]
            elif step == 1:
                depths.append(depth)
            else:
                spans[node] = (depth, len(leaves))
        self.leaves = np.array(leaves, dtype=np.int64)
        self.depths = np.array(depths, dtype=np.int64)
        self.spans = spans

    def sum(self, docs: Docs, scores: Scores, bounds: NDArray[np.int64], size: int) -> Found:
        """Every document any child matches, with the children's scores
        added as the tree adds them.  ``docs`` and ``scores`` are the
        children's matches end to end in the order of :attr:`leaves`, the
        ``i``-th child's from ``bounds[i]`` to ``bounds[i + 1]``.

        Heavy inner nodes add arrays over the whole segment (0.0 for a
        document a side does not match, which adds nothing); the light
        subtrees below them are summed match by match (:func:`_join_runs`).
        """
        count = len(self.weights) - len(self.inner)
        heavy = [n >= count and w * _DENSE_SHARE >= size for n, w in enumerate(self.weights)]
        light = [n for n in range(count, len(self.weights)) if not heavy[n]]
        parents = {c: count + i for i, pair in enumerate(self.inner) for c in pair}
        light = [n for n in light if n == self.root or heavy[parents[n]]]
        groups = _join_runs(docs, scores, bounds, [self.spans[n] for n in light], self.depths)
        sparse: dict[int, tuple[Docs, Scores]] = dict(zip(light, groups, strict=True))
        if not heavy[self.root]:
            return Found(*sparse[self.root])

        def matches(node: int) -> tuple[Docs, Scores]:
            if node in sparse:
                return sparse[node]
            at = self.spans[node][0]
            return docs[bounds[at] : bounds[at + 1]], scores[bounds[at] : bounds[at + 1]]

        tables: dict[int, Scores] = {}
        for node in range(count, len(self.weights)):
            if not heavy[node]:
                continue
            left, right = self.inner[node - count]
            table = tables.pop(left, None)
            if table is None:
                table = np.zeros(size, dtype=np.float64)
                found, values = matches(left)
                table[found] = values
            if heavy[right]:
                table += tables.pop(right)
            else:
                found, values = matches(right)
                table[found] += values
            tables[node] = table
        hit = np.zeros(size, dtype=np.bool_)
        hit[docs] = True
        union = np.flatnonzero(hit).astype(np.int32)
        return Found(union, tables[self.root][union])


def _sort_keys(keys: NDArray[np.int64]) -> NDArray[np.int64]:
    """The order that sorts ``keys`` (non-negative), equal keys in their given order."""
    count = len(keys)
    shift = max(count.bit_length(), 1)
    if int(keys.max(initial=0)).bit_length() + shift > 62:
        return np.argsort(keys, kind="stable")
    packed = (keys << shift) | np.arange(count, dtype=np.int64)
    packed.sort()
    order: NDArray[np.int64] = packed & ((1 << shift) - 1)
    return order


def _shallowest(
    depths: NDArray[np.int64], left: NDArray[np.int64], right: NDArray[np.int64]
) -> NDArray[np.int64]:
    """For each pair of leaf positions ``left < right``, the depth of the
    leaves' lowest common ancestor: the shallowest inner node between them
    (a range minimum, from a table of minimums over powers of two)."""
    table = [depths]
    while 2 ** len(table) <= len(depths):
        last, half = table[-1], 2 ** (len(table) - 1)
        table.append(np.minimum(last[:-half], last[half:]))
    level = np.frexp((right - left).astype(np.float64))[1] - 1
    out = np.empty(len(left), dtype=np.int64)
    for n, mins in enumerate(table):
        chosen = np.flatnonzero(level == n)
        if len(chosen):
            out[chosen] = np.minimum(mins[left[chosen]], mins[right[chosen] - (1 << n)])
    return out


def _join_runs(
    docs: Docs,
    scores: Scores,
    bounds: NDArray[np.int64],
    spans: list[tuple[int, int]],
    depths: NDArray[np.int64],
) -> list[tuple[Docs, Scores]]:
    """For each subtree whose leaves are the positions ``spans[g]`` (see
    :meth:`_Shape.sum`), its documents and their scores added as it adds
    them, all subtrees at once.

    A subtree's matches of one document, in leaf order, are joined pairwise
    at the depth of their leaves' common ancestor, deepest first, all joins
    of one depth together: a run of matches lies under a single node of each
    depth, so it takes part in one join of that depth at most.  A run keeps
    its value at both its ends.
    """
    if not spans:
        return []
    firsts = bounds[[lo for lo, _ in spans]]
    lengths = bounds[[hi for _, hi in spans]] - firsts
    ends = np.cumsum(lengths)
    flat = np.arange(int(ends[-1]), dtype=np.int64) + np.repeat(firsts - (ends - lengths), lengths)
    group = np.repeat(np.arange(len(spans), dtype=np.int64), lengths)
    # The leaf position of each of those matches (the subtrees' leaves only).
    lows = np.array([lo for lo, _ in spans], dtype=np.int64)
    widths = np.array([hi - lo for lo, hi in spans], dtype=np.int64)
    positions = np.arange(int(widths.sum()), dtype=np.int64)
    positions += np.repeat(lows - (np.cumsum(widths) - widths), widths)
    leaf = np.repeat(positions, np.diff(bounds)[positions])
    size = int(docs.max(initial=0)) + 1
    keys = group * size + docs[flat]
    order = _sort_keys(keys)
    keys, leaf = keys[order], leaf[order]
    at_start = scores[flat[order]]
    at_end = at_start.copy()
    start_of = np.arange(len(keys), dtype=np.int64)
    end_of = start_of.copy()
    joins = np.flatnonzero(keys[1:] == keys[:-1])
    if len(joins):
        level = _shallowest(depths, leaf[joins], leaf[joins + 1])
        deepest_first = np.argsort((level.max() - level).astype(np.uint16), kind="stable")
        joins, level = joins[deepest_first], level[deepest_first]
        for same in np.split(joins, np.flatnonzero(level[1:] != level[:-1]) + 1):
            first, last = start_of[same], end_of[same + 1]
            joined = at_end[same] + at_start[same + 1]
            at_start[first] = joined
            at_end[last] = joined
            end_of[first] = last
            start_of[last] = first
    heads = np.ones(len(keys), dtype=np.bool_)
    np.not_equal(keys[1:], keys[:-1], out=heads[1:])
    keys, values = keys[heads], at_start[heads]
    cuts = np.searchsorted(keys, np.arange(1, len(spans)) * size)
    return [
        ((k % size).astype(np.int32), v)
        for k, v in zip(np.split(keys, cuts), np.split(values, cuts), strict=True)
    ]


def _chain_sum(docs: Docs, scores: Scores) -> Found:
    """``ArrayUnionMatcher``'s sums: each document's scores added to 0.0 in
    the given order (children in order); only documents above 0 match."""
    order = _sort_keys(docs.astype(np.int64))
    sorted_docs, values = docs[order], scores[order]
    heads = np.ones(len(sorted_docs), dtype=np.bool_)
    np.not_equal(sorted_docs[1:], sorted_docs[:-1], out=heads[1:])
    starts = np.flatnonzero(heads)
    lengths = np.diff(np.append(starts, len(values)))
    # Documents by how many children match them, most first: the documents
    # still adding at step ``j`` are a prefix.
    most_first = np.argsort(-lengths, kind="stable")
    starts, ranked_lengths = starts[most_first], lengths[most_first]
    totals = np.zeros(len(starts), dtype=np.float64)
    for j in range(int(ranked_lengths[0]) if len(starts) else 0):
        adding = int(np.count_nonzero(ranked_lengths > j))
        totals[:adding] += values[starts[:adding] + j]
    summed = np.empty(len(starts), dtype=np.float64)
    summed[most_first] = totals
    docs_out = sorted_docs[heads]
    keep = summed > 0
    return Found(docs_out[keep], summed[keep])


_EVALUATORS: dict[type, Callable[[_Segment, Any, bool], Found]] = {
    query.Term: _Segment.term,
    query.Phrase: _Segment.phrase,
    query.And: _Segment.conjunction,
    query.Or: _Segment.disjunction,
    query.AndNot: _Segment.and_not,
    query.Not: _Segment.negation,
    query.AndMaybe: _Segment.and_maybe,
    query.Require: _Segment.require,
    query.Every: _Segment.every,
    query.NumericRange: _Segment.numeric_range,
}


# -- the whole searcher ---------------------------------------------------------


@dataclass
class Execution:
    """Every match of a query: global document numbers (ascending), their
    scores, and the ranking of the best of them on demand."""

    columns: Columns
    order: Order
    docs: NDArray[np.int64]
    scores: Scores | None
    counts: Counts
    segments: list[_Segment]

    @property
    def total(self) -> int:
        return len(self.docs)

    def ranked(self, depth: int) -> NDArray[np.int64]:
        """Indexes into :attr:`docs` of the best ``depth`` matches, in order:
        relevance is (score descending, newest first, document number); the
        date orders are (date, document number), undated last."""
        count = len(self.docs)
        depth = min(depth, count)
        if depth <= 0:
            return np.zeros(0, dtype=np.int64)
        if self.order == "relevance":
            assert self.scores is not None
            negated = -self.scores
            if depth < count:
                boundary = np.partition(negated, depth - 1)[depth - 1]
                candidates = np.flatnonzero(negated <= boundary)
            else:
                candidates = np.arange(count)
            docs = self.docs[candidates]
            newest = self.columns.newest_key[docs]
            order = np.lexsort((docs, newest, negated[candidates]))
            ranked: NDArray[np.int64] = candidates[order[:depth]]
            return ranked
        keys = self.columns.newest_key if self.order == "newest" else self.columns.oldest_key
        composite = keys[self.docs] * max(self.columns.size, 1) + self.docs
        everything = depth >= count
        best = np.arange(count) if everything else np.argpartition(composite, depth - 1)[:depth]
        result: NDArray[np.int64] = best[np.argsort(composite[best], kind="stable")]
        return result

    def score_of(self, index: int) -> float | None:
        return None if self.scores is None else float(self.scores[index])

    def page(self, first: int, count: int) -> list[tuple[int, float | None, tuple[int, ...]]]:
        """``(docnum, score, ())`` of the matches ranked ``first .. first+count``."""
        ranked = self.ranked(first + count)[first:]
        return [(int(self.docs[i]), self.score_of(int(i)), ()) for i in ranked]

    def collapsed(
        self, first: int, count: int, clusters: NDArray[np.integer[Any]]
    ) -> tuple[list[tuple[int, float | None, tuple[int, ...]]], int]:
        """The collapsed page (each story once: its best-ranked matching copy,
        the other matching copies as its duplicates, in rank order) and the
        number of stories.  Same rules as :func:`searchengine.query.collapse.collapse`."""
        total = self.total
        groups = clusters[self.docs]
        clustered = groups >= 0
        if not clustered.any():
            return self.page(first, count), total
        matched = np.bincount(groups[clustered])
        stories = total - int(np.maximum(matched - 1, 0).sum())
        wanted = min(first + count, stories)
        depth = first + count
        while True:
            ranked = self.ranked(depth)
            g = groups[ranked]
            firsts = np.zeros(len(ranked), dtype=np.bool_)
            inside = np.flatnonzero(g >= 0)
            # The first (best-ranked) of each cluster's members: a stable sort
            # by cluster keeps rank order within each.
            by_group = inside[np.argsort(g[inside], kind="stable")]
            starts = np.ones(len(by_group), dtype=np.bool_)
            np.not_equal(g[by_group[1:]], g[by_group[:-1]], out=starts[1:])
            firsts[by_group[starts]] = True
            reps = np.flatnonzero((g < 0) | firsts)
            page = reps[first : first + count]
            seen = np.bincount(g[inside], minlength=len(matched))
            complete = all(seen[g[p]] == matched[g[p]] for p in page if g[p] >= 0)
            if (len(reps) >= wanted and complete) or len(ranked) >= total:
                break
            depth = min(total, max(2 * len(ranked), first + count))
        entries = []
        for p in page:
            index = int(ranked[p])
            copies: tuple[int, ...] = ()
            if g[p] >= 0:
                same = np.flatnonzero(g == g[p])
                copies = tuple(int(self.docs[ranked[q]]) for q in same if q != p)
            entries.append((int(self.docs[index]), self.score_of(index), copies))
        return entries, stories

    # -- what snippets need -------------------------------------------------

    def positions(
        self, docnums: list[int], fieldname: str, terms: set[str]
    ) -> dict[int, dict[str, list[int]]]:
        """For each of ``docnums``: the positions of each of ``terms`` it has
        in ``fieldname`` (what its snippets highlight), read for all of them
        at once, term by term."""
        found: dict[int, dict[str, list[int]]] = {d: {} for d in docnums}
        by_segment: dict[int, list[int]] = {}
        for docnum in sorted(set(docnums)):
            by_segment.setdefault(id(self._segment_of(docnum)), []).append(docnum)
        for segment in self.segments:
            mine = by_segment.get(id(segment))
            if not mine:
                continue
            local = np.array(mine, dtype=np.int64) - segment.columns.offset
            done = _ranged_positions(segment, fieldname, terms, local, found)
            for term in terms - done:
                btext = segment._term_bytes(fieldname, term)
                postings = None if btext is None else segment.postings(fieldname, btext)
                if postings is None or len(postings) == 0:
                    continue
                at = np.minimum(np.searchsorted(postings.docs, local), len(postings) - 1)
                has = np.flatnonzero(postings.docs[at] == local)
                if len(has) == 0:
                    continue
                offsets, positions = segment.positions_at(postings, at[has])
                bounds = offsets.tolist()
                values = positions.tolist()
                for n, i in enumerate(has.tolist()):
                    found[mine[i]][term] = values[bounds[n] : bounds[n + 1]]
        return found

    def _segment_of(self, docnum: int) -> _Segment:
        for segment in reversed(self.segments):
            if docnum >= segment.columns.offset:
                return segment
        raise IndexError(docnum)


def _ranged_positions(
    segment: _Segment,
    fieldname: str,
    terms: set[str],
    local: NDArray[np.int64],
    found: dict[int, dict[str, list[int]]],
) -> set[str]:
    """:meth:`Execution.positions` for the terms the segment read in runs
    (a prefix's hundreds of terms): each run's postings of the documents
    ``local`` found and their positions read at once, not term by term.
    Returns the terms done."""
    runs: dict[int, tuple[RangePostings, dict[int, str]]] = {}
    for term in terms:
        btext = segment._term_bytes(fieldname, term)
        ranged = None if btext is None else segment.ranged(fieldname, btext)
        if ranged is not None:
            runs.setdefault(id(ranged[0]), (ranged[0], {}))[1][ranged[1]] = term
    wanted = np.zeros(segment.columns.size, dtype=np.bool_)
    wanted[local] = True
    offset = segment.columns.offset
    done: set[str] = set()
    for postings, names in runs.values():
        done.update(names.values())
        entries = np.flatnonzero(wanted[postings.docs])
        owner = np.searchsorted(postings.offsets, entries, side="right") - 1
        asked = np.zeros(len(postings.offsets), dtype=np.bool_)
        asked[list(names)] = True
        entries, owner = entries[asked[owner]], owner[asked[owner]]
        bounds, positions = postings.positions_at(entries)
        segment.counts.positions += len(positions)
        edges, values = bounds.tolist(), positions.tolist()
        for n, (doc, i) in enumerate(
            zip(postings.docs[entries].tolist(), owner.tolist(), strict=True)
        ):
            found[doc + offset][names[i]] = values[edges[n] : edges[n + 1]]
    return done


def execute(
    searcher: Any,
    columns: Columns,
    q: Any,
    order: Order,
    *,
    allow: NDArray[np.bool_] | None = None,
) -> Execution:
    """Every match of ``q`` among the documents ``allow`` marks (all when
    ``None``), scored when ``order`` is relevance."""
    scored = order == "relevance"
    counts = Counts()
    shared = _Shared()
    segments: list[_Segment] = []
    docs: list[NDArray[np.int64]] = []
    scores: list[Scores] = []
    for (leaf, offset), cols in zip(searcher.leaf_searchers(), columns.segments, strict=True):
        segment = _Segment(searcher, leaf, cols, counts, shared=shared)
        segments.append(segment)
        if allow is not None and isinstance(q, query.Every) and q.fieldname is None:
            # Browsing a date range: the range's articles are the matches.
            local = np.flatnonzero(allow[offset : offset + cols.size]).astype(np.int32)
            keep = segment.live(local)
            found = Found(local if keep is None else local[keep], None)
            if scored:
                found = Found(found.docs, np.full(len(found.docs), float(q.boost)))
        else:
            found = segment.evaluate(q, scored)
        global_docs = found.docs.astype(np.int64) + offset
        found_scores = found.scores
        if allow is not None:
            inside = allow[global_docs]
            global_docs = global_docs[inside]
            found_scores = None if found_scores is None else found_scores[inside]
        docs.append(global_docs)
        if found_scores is not None:
            scores.append(found_scores)
    all_docs = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
    all_scores = None
    if scored:
        all_scores = np.concatenate(scores) if scores else np.zeros(0, dtype=np.float64)
    return Execution(columns, order, all_docs, all_scores, counts, segments)
