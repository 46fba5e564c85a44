"""query.execute answers exactly as the reference path does.

The reference is today's path: Whoosh's own matchers, ranked by
``query.ranking`` and collapsed by ``query.collapse``, snippets made by
re-reading each hit's text (``Engine(executor=False)``).  The executor
(the default ``Engine``) must give the same result objects for every
request: totals, hits and their order, scores compared with ``==``,
months, near-duplicate counts and snippets.

The index is real and awkward on purpose: a generated news corpus
(``benchmarks.generate``'s model, a small sentence pool) together with the
hand-written query corpus, indexed in three incremental runs so that it has
several segments, deleted documents (files changed and removed between
runs) and near-duplicate copies (files copied under new titles).  The
requests are the benchmark's query mix and Hypothesis-generated queries.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime as dt
import itertools
import json
import os
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from whoosh import query

from benchmarks.generate import ArticleStream, GeneratedArticle, Model, build_pool, make_queries
from benchmarks.querymix import BenchQuery
from searchengine.errors import SearchEngineError
from searchengine.index import whoosh_private
from searchengine.index.postings import TermPostings
from searchengine.indexer.run import run_index
from searchengine.query import execute as execute_module
from searchengine.query.engine import Engine
from searchengine.query.execute import (
    Counts,
    Found,
    _chain_sum,
    _followers,
    _preloaded_union,
    _present,
    _Shape,
    _union,
    _weighted_tree,
    execute,
)
from searchengine.query.expand import expand
from searchengine.query.parse import parse_query
from searchengine.query.request import SearchRequest

from query_corpus import build_query_corpus

SEED = 7
#: Generated articles indexed by each of the three runs.
RUNS = (240, 80, 60)


@dataclasses.dataclass(frozen=True)
class Corpus:
    index_dir: str
    mix: list[BenchQuery]
    words: list[str]
    sources: list[str]
    #: Days around the near-duplicate copies' dates: date ranges starting or
    #: ending there split a story's copies.
    edges: list[dt.date]


def _article_file(
    a: GeneratedArticle,
    title: str | None = None,
    source: str | None = None,
    date: dt.date | None = None,
) -> str:
    lines = ["---", f'title: "{title or a.title}"']
    dated = date or a.date
    if dated is not None:
        lines.append(f"date: {dated.isoformat()}")
    lines.append(f"source: {source or a.source}")
    if a.author:
        lines.append(f"author: {a.author}")
    lines += ["---", "", "\n\n".join(a.paragraphs), ""]
    return "\n".join(lines)


def _write(folder: Path, articles: list[GeneratedArticle]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for a in articles:
        path = folder / f"article-{a.index:05d}.txt"
        path.write_text(_article_file(a), encoding="utf-8")
        paths.append(path)
    return paths


def _vocabulary(articles: list[GeneratedArticle]) -> list[str]:
    """Words to build queries from: common, middling and rare ones of the corpus."""
    counts = collections.Counter(
        w.lower()
        for a in articles
        for text in [a.title, *a.paragraphs]
        for w in re.findall(r"[A-Za-z]+", text)
    )
    ranked = [w for w, _ in counts.most_common() if len(w) > 1]
    picked = ranked[:30] + ranked[100:400:10] + ranked[-200::10]
    # And the hand-written corpus's words, and a word no article has.
    return [*picked, "harbour", "ferry", "glacier", "front", "line", "peace", "talks", "qzxv"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    root = tmp_path_factory.mktemp("execute")
    model = Model.build(SEED)
    pool, counts = build_pool(model, size=3000)
    stream = ArticleStream(model, pool, counts)
    articles = [stream.next(i) for i in range(sum(RUNS))]
    mix = make_queries(model, pool, stream.stable_sentences, SEED)
    index_dir = str(root / "index")
    first, second, _ = RUNS

    # Run 1: generated articles and the hand-written corpus.
    written = _write(root / "a", articles[:first])
    build_query_corpus(root / "q")
    run_index(index_dir, [str(root / "a"), str(root / "q")])

    # Run 2: more articles, and near-duplicate copies of some of the first:
    # the same day, a day or weeks later (a story crossing a date range's
    # edge), or undated.
    _write(root / "b", articles[first : first + second])
    edges: set[dt.date] = set()
    for n, a in enumerate(articles[:first:6]):
        copy = _article_file(a, title=f"Copy {n}: {a.title}", source="Reprint Desk")
        later = [0, 1, 40, None][n % 4]
        if a.date is not None and later is not None:
            copied = a.date + dt.timedelta(days=later)
            copy = _article_file(a, f"Copy {n}: {a.title}", "Reprint Desk", copied)
            edges.update(day + dt.timedelta(days=d) for day in (a.date, copied) for d in (-1, 0, 1))
        elif a.date is not None:
            copy = copy.replace(f"date: {a.date.isoformat()}\n", "")
        (root / "b" / f"copy-{n:02d}.txt").write_text(copy, encoding="utf-8")
    run_index(index_dir, [str(root / "b")])

    # Run 3: some of the first articles edited or removed (deletions in the
    # first segment), and a third batch.
    for path in written[3:60:7]:
        path.write_text(path.read_text(encoding="utf-8") + "\nA late correction.\n", "utf-8")
    for path in written[5:80:11]:
        path.unlink()
    _write(root / "a", articles[first + second :])
    run_index(index_dir, [str(root / "a")])

    with Engine(index_dir) as engine:
        searcher = engine.searcher()
        assert len(searcher.leaf_searchers()) >= 2
        assert any(sub.reader().has_deletions() for sub, _ in searcher.leaf_searchers())
        assert engine.clusters().groups
    sources = sorted({a.source for a in articles} | {"Reprint Desk", "Coastal Wire"})
    return Corpus(index_dir, mix, _vocabulary(articles), sources, sorted(edges))


@pytest.fixture(scope="module")
def engines(corpus: Corpus) -> Iterator[tuple[Engine, Engine]]:
    with Engine(corpus.index_dir) as fast, Engine(corpus.index_dir, executor=False) as reference:
        yield fast, reference


def _answer(engine: Engine, request: SearchRequest) -> Any:
    try:
        return dataclasses.replace(engine.search(request), took_ms=0.0)
    except SearchEngineError as error:
        return (type(error).__name__, str(error))


def check(engines: tuple[Engine, Engine], request: SearchRequest) -> Any:
    """The executor's answer to ``request``, once it is known to equal the reference's."""
    fast, reference = engines
    before = fast.fallbacks
    got = _answer(fast, request)
    assert fast.fallbacks == before, f"the executor did not evaluate {request.query!r}"
    assert got == _answer(reference, request), request
    return got


def _date(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def test_the_index_is_what_the_tests_need(corpus: Corpus, engines: tuple[Engine, Engine]) -> None:
    fast, _ = engines
    result = fast.search(SearchRequest(query="*", limit=5))
    assert result.total_uncollapsed is not None and result.total < result.total_uncollapsed


@pytest.mark.parametrize("collapse", [True, False])
def test_the_benchmark_mix(corpus: Corpus, engines: tuple[Engine, Engine], collapse: bool) -> None:
    answered = 0
    for q in corpus.mix:
        request = SearchRequest(
            query=q.text(),
            date_from=_date(q.date_from),
            date_to=_date(q.date_to),
            sort="newest" if q.kind == "browse" else "relevance",
            collapse=collapse,
        )
        result = check(engines, request)
        answered += not isinstance(result, tuple) and result.total > 0
    assert answered > len(corpus.mix) // 2  # the mix finds things in this corpus


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
@pytest.mark.parametrize(
    "text",
    [
        "harbour",
        "ferry OR glacier",
        '"front line"',
        '"peace talks"~3',
        "the NOT harbour",
        "-the",
        "harbour ANDMAYBE ferry",
        "* *",
        "title:*",
        "**",
        "source:coast*",
        "title:[a TO c]",
        "harbour OR date:2021",
        "(the OR a) date:>2020",
    ],
)
def test_query_kinds_every_order_and_page(
    engines: tuple[Engine, Engine], text: str, sort: Any
) -> None:
    for page in (1, 2, 7):
        check(engines, SearchRequest(query=text, sort=sort, page=page, limit=4))


def test_filters_by_source_and_dates(corpus: Corpus, engines: tuple[Engine, Engine]) -> None:
    for source in corpus.sources[:6]:
        check(engines, SearchRequest(query="the", source=source.upper()))
        check(
            engines,
            SearchRequest(query="*", source=source, date_from=dt.date(2020, 1, 1), sort="oldest"),
        )
    check(engines, SearchRequest(query="the", date_from=dt.date(2031, 1, 1)))


# -- generated queries --------------------------------------------------------


def _queries(words: list[str]) -> st.SearchStrategy[str]:
    word = st.sampled_from(words)
    # A list of its own rather than ``word.filter(...)``: a filtered draw
    # retries a varying number of times, and replaying such draws once made
    # Hypothesis report the strategy as flaky (FlakyStrategyDefinition).
    long_word = st.sampled_from([w for w in words if len(w) >= 4])
    atom = st.one_of(
        word,
        word,
        long_word.map(lambda w: w[:3] + "*"),
        long_word.map(lambda w: w[:2] + "?" + w[3:]),
        long_word.map(lambda w: w[:-1] + "~"),
        st.tuples(word, word).map(lambda p: f'"{p[0]} {p[1]}"'),
        st.tuples(word, word, word, st.integers(0, 4)).map(
            lambda p: f'"{p[0]} {p[1]} {p[2]}"~{p[3]}'
        ),
        st.tuples(st.sampled_from(["title", "body", "author", "source"]), word).map(":".join),
        st.sampled_from(["date:2021", "date:2020-06", "date:>2022", "date:[2019 to 2020-03]"]),
    )
    return st.recursive(
        atom,
        lambda inner: st.one_of(
            st.lists(inner, min_size=2, max_size=3).map(" ".join),
            st.lists(inner, min_size=2, max_size=3).map(" OR ".join),
            st.tuples(inner, inner).map(lambda p: f"{p[0]} NOT {p[1]}"),
            st.tuples(inner, inner).map(lambda p: f"{p[0]} -{p[1]}"),
            st.tuples(inner, inner).map(lambda p: f"{p[0]} ANDMAYBE {p[1]}"),
            inner.map(lambda q: f"({q})"),
        ),
        max_leaves=6,
    )


def _requests(corpus: Corpus) -> st.SearchStrategy[SearchRequest]:
    day = st.none() | st.dates(dt.date(2018, 6, 1), dt.date(2025, 6, 1))
    return st.builds(
        SearchRequest,
        query=_queries(corpus.words),
        date_from=day,
        date_to=day,
        source=st.none() | st.none() | st.sampled_from(corpus.sources),
        sort=st.sampled_from(["relevance", "relevance", "newest", "oldest"]),
        limit=st.integers(1, 12),
        page=st.integers(1, 3),
        collapse=st.booleans(),
    )


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_generated_queries(
    corpus: Corpus, engines: tuple[Engine, Engine], data: st.DataObject
) -> None:
    request = data.draw(_requests(corpus))
    if request.date_from and request.date_to and request.date_from > request.date_to:
        request = dataclasses.replace(request, date_from=request.date_to, date_to=request.date_from)
    check(engines, request)


# -- the steps of phrase matching, against their definitions ------------------------

#: Sorted distinct keys (a document's index above, a position below, as
#: ``_in_sequence`` makes them): few or many, bunched or spread.
KEYS = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 40) | st.integers(0, 2000)), max_size=80
).map(lambda pairs: sorted({(doc << 32) | position for doc, position in pairs}))


@settings(max_examples=400)
@given(KEYS, KEYS, st.integers(1, 6))
def test_followers_are_the_keys_a_slop_after_an_end(
    ends: list[int], keys: list[int], slop: int
) -> None:
    """Whichever array is searched in the other (the larger is, and each
    is larger in some examples), the keys 1 to ``slop`` after an end, each once."""
    expected = [k for k in keys if any(1 <= k - e <= slop for e in ends)]
    got = _followers(np.array(ends, dtype=np.int64), np.array(keys, dtype=np.int64), slop)
    assert got.tolist() == expected


@settings(max_examples=300)
@given(
    st.lists(
        st.lists(st.integers(0, 300), min_size=1, max_size=40).map(sorted), min_size=1, max_size=12
    ),
    st.data(),
)
def test_present_finds_exactly_the_positions_a_document_has(
    documents: list[list[int]], data: st.DataObject
) -> None:
    """A binary search in each document's positions (one, dozens, repeated
    values; a term has one at least in each of its documents) finds a target exactly when it is there,
    whether single positions are read from the codec or sliced from all of them."""
    offsets = np.zeros(len(documents) + 1, dtype=np.int64)
    np.cumsum([len(d) for d in documents], out=offsets[1:])
    flat = np.array([p for d in documents for p in d], dtype=np.int32)
    asked = data.draw(st.lists(st.tuples(st.integers(0, len(documents) - 1), st.integers(-2, 302))))
    which = np.array([d for d, _ in asked], dtype=np.int64)
    targets = np.array([t for _, t in asked], dtype=np.int64)
    expected = [t in documents[d] for d, t in asked]
    for cached in (False, True):
        postings = TermPostings(
            docs=np.arange(len(documents), dtype=np.int32),
            weights=np.ones(len(documents)),
            _load_positions=lambda: (offsets, flat),
            _load_position_starts=lambda: offsets,
            _load_position_values=lambda index: flat[index],
        )
        if cached:
            postings.positions()
        starts = postings.position_starts()
        lo, hi = starts[which], starts[which + 1]
        assert _present(postings, lo, hi, targets, Counts()).tolist() == expected


@pytest.mark.parametrize("look_up", [True, False])
def test_exact_phrases_either_way(
    corpus: Corpus, engines: tuple[Engine, Engine], look_up: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exact phrase is matched by looking words up next to its rarest
    word (chosen on large indexes when one word is far more frequent) or by
    reading every occurrence (chosen here, on a small one): both are
    compared with the reference path on phrases of the corpus's common,
    middling and rare words, repeated words included."""
    monkeypatch.setattr(execute_module, "_LOOK_UP_FIXED", -(10**9) if look_up else 10**9)
    words = corpus.words
    rng = random.Random(5)
    phrases = [f'"{a} {b}"' for a, b in itertools.pairwise(words)]
    phrases += [f'"{rng.choice(words)} {rng.choice(words)} {rng.choice(words)}"' for _ in range(40)]
    phrases += ['"the the"', '"of the"', '"front line"', '"peace talks"', '"the harbour ferry"']
    for text in phrases:
        check(engines, SearchRequest(query=text, limit=5))
    for q in corpus.mix:
        if q.kind in ("phrase", "phrase_date"):
            check(engines, SearchRequest(query=q.text(), date_from=_date(q.date_from)))


# -- browsing by date ---------------------------------------------------------------
#
# A query without words answered from the searcher's date orders
# (query.browse): pages deep into a range, every order, several date
# filters at once, every timeline period, with and without collapsing.

BROWSE_QUERIES = [
    "",
    "*",
    "* *",
    "date:2021",
    "date:2020-06",
    "date:>2022",
    "date:[2019 to 2020-03]",
    "date:2021 date:2021-03",
    "date:2021 date:2022",
]


@st.composite
def _browses(draw: st.DrawFn, corpus: Corpus) -> SearchRequest:
    edge = st.sampled_from(corpus.edges)
    day = st.none() | edge | st.dates(dt.date(2018, 6, 1), dt.date(2025, 6, 1))
    date_from, date_to = draw(day), draw(day)
    if date_from and date_to and date_from > date_to:
        date_from, date_to = date_to, date_from
    if draw(st.booleans()):
        # A few days from a copy's date: the range's last position is often
        # a copy of a story on the page.
        date_from = draw(edge)
        date_to = date_from + dt.timedelta(days=draw(st.integers(0, 3)))
    return SearchRequest(
        query=draw(st.sampled_from(BROWSE_QUERIES)),
        date_from=date_from,
        date_to=date_to,
        source=draw(st.none() | st.none() | st.none() | st.sampled_from(corpus.sources)),
        sort=draw(st.sampled_from(["relevance", "newest", "oldest"])),
        limit=draw(st.integers(1, 30)),
        page=draw(st.integers(1, 25) | st.integers(1, 3)),
        collapse=draw(st.booleans()),
        by=draw(st.none() | st.sampled_from(["day", "week", "month", "year"])),
        # Without snippets, hits still come from the summaries (and the
        # reference's from the stored fields).
        snippets=draw(st.booleans()),
    )


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_generated_browses(
    corpus: Corpus, engines: tuple[Engine, Engine], data: st.DataObject
) -> None:
    check(engines, data.draw(_browses(corpus)))


def test_browses_of_two_days_around_every_copy(
    corpus: Corpus, engines: tuple[Engine, Engine]
) -> None:
    """Ranges that hold a story's copies or cut them apart, both orders: a
    copy at a run's first or last position, a story's first copy outside."""
    for day in corpus.edges:
        for sort in ("newest", "oldest"):
            request = SearchRequest(
                date_from=day, date_to=day + dt.timedelta(days=1), sort=sort, limit=2, by="day"
            )
            check(engines, request)


def test_a_browse_reads_the_date_orders(engines: tuple[Engine, Engine]) -> None:
    """Browses are answered from the date orders (not by the executor,
    which the generated browses would compare just as well), their hits
    from the articles' summaries (the reference reads stored fields)."""
    fast, reference = engines
    fast.close()
    reference.close()
    for sort in ("newest", "oldest"):
        result = check(engines, SearchRequest(query="date:2020", sort=sort, limit=50))
        assert result.total_uncollapsed is not None and result.total < result.total_uncollapsed
    assert fast._date_orders is not None and set(fast._date_orders._orders) == {"newest", "oldest"}
    assert fast._summaries is not None and reference._summaries is None


# -- a segment of more than 5,000 documents -------------------------------------
#
# Whoosh scores an OR of three or more children one way in segments of up to
# 5,000 documents (adding the children's scores in order) and another in
# larger ones (a tree ordered by the children's sizes); a corpus of short
# articles over a small vocabulary (so that scores tie often) has one.

LARGE_WORDS = [
    "harbour",
    "ferry",
    "council",
    "vote",
    "storm",
    "river",
    "bank",
    "peace",
    "talks",
    "front",
    "line",
    "glacier",
    "orchard",
    "market",
    "price",
    "rates",
    "election",
    "results",
    "minister",
    "school",
    "budget",
    "police",
    "fire",
]


def _short_articles(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    lines = []
    for n in range(count):
        record = {
            "title": " ".join(rng.choice(LARGE_WORDS) for _ in range(3)),
            "body": " ".join(rng.choice(LARGE_WORDS) for _ in range(rng.randint(5, 30))),
            "source": rng.choice(["North Desk", "South Desk", "Wire"]),
        }
        if n % 9:
            record["date"] = (
                f"202{rng.randint(0, 3)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            )
        lines.append(json.dumps(record))
    return lines


@contextlib.contextmanager
def _one_core() -> Iterator[None]:
    """Index runs in the block use one core, so each builds one segment (on
    more cores a run builds one per worker)."""
    cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cores)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, cores)


@pytest.fixture(scope="module")
def large_engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Engine]]:
    """An index whose first segment holds over 5,000 documents (Whoosh's
    scoring differs on such segments, which is what this fixture is for),
    some of them deleted, beside a second segment."""
    root = tmp_path_factory.mktemp("large")
    corpus = root / "corpus"
    corpus.mkdir()
    lines = _short_articles(11, 5200)
    # Two files in one segment: records of the second are changed later, so
    # they are deleted from the large segment while the first file's stay.
    (corpus / "feed.jsonl").write_text("\n".join(lines[:5000]) + "\n", encoding="utf-8")
    edits = lines[5000:]
    (corpus / "edits.jsonl").write_text("\n".join(edits) + "\n", encoding="utf-8")
    index_dir = str(root / "index")
    with _one_core():
        run_index(index_dir, [str(corpus)])
    # Records changed in place (deleted from the large segment, added anew) and more added.
    for n in range(0, len(edits), 97):
        edits[n] = json.dumps({"title": "storm front", "body": "harbour storm front line"})
    (corpus / "edits.jsonl").write_text("\n".join(edits) + "\n", encoding="utf-8")
    (corpus / "more.jsonl").write_text("\n".join(_short_articles(12, 300)) + "\n", encoding="utf-8")
    with _one_core():
        run_index(index_dir, [str(corpus)])
    with Engine(index_dir) as fast, Engine(index_dir, executor=False) as reference:
        leaves = fast.searcher().leaf_searchers()
        assert max(sub.reader().doc_count_all() for sub, _ in leaves) > 5000
        assert any(sub.reader().has_deletions() for sub, _ in leaves)
        yield fast, reference


def _large_requests() -> st.SearchStrategy[SearchRequest]:
    return st.builds(
        SearchRequest,
        query=_queries(LARGE_WORDS),
        source=st.none() | st.sampled_from(["north desk", "Wire"]),
        sort=st.sampled_from(["relevance", "relevance", "newest", "oldest"]),
        limit=st.integers(1, 12),
        page=st.integers(1, 3),
        collapse=st.booleans(),
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_generated_queries_on_a_large_segment(
    large_engines: tuple[Engine, Engine], data: st.DataObject
) -> None:
    check(large_engines, data.draw(_large_requests()))


@pytest.mark.parametrize(
    "text", ["harbour NOT (bank -harbour)", "harbour NOT (date:2021 -harbour)"]
)
@pytest.mark.parametrize("source", [None, "north desk", "Wire"])
def test_a_not_inside_a_not_on_a_large_segment(
    large_engines: tuple[Engine, Engine], text: str, source: str | None
) -> None:
    """Found by Hypothesis: Whoosh's AndNot, skipped past its last match,
    asked its exhausted kept side for an id (our codec's matcher and
    Whoosh's list matcher both raised); the reference path corrects it."""
    check(large_engines, SearchRequest(text, source=source))


# -- wide ORs of terms: many children's scores added in Whoosh's order -------------
#
# A prefix, wildcard or fuzzy word reaches up to 1,024 terms, read together
# and added in one pass (``_Segment.term_union``).  First the two ways of
# adding, against the pairwise unions they replace (``_union`` in the tree
# ``_weighted_tree`` builds, ``_preloaded_union``), which the tests above tie
# to Whoosh; then whole searches against Whoosh's own searcher.


def _random_children(seed: int, count: int, size: int) -> tuple[list[Found], list[int]]:
    """``count`` children over a segment of ``size`` documents, some empty,
    some matching most documents, with scores whose sums depend on the order
    they are added in; and Whoosh's estimate of each (its postings, deleted
    ones included: a few more than it matches)."""
    rng = np.random.default_rng(seed)
    tricky = np.array([0.1, 0.2, 0.3, 0.7, 1 / 3, 1e-3, 12.5, 1e15, 3.0000000000000004])
    children, sizes = [], []
    for _ in range(count):
        share = rng.choice([0.0, 0.01, 0.05, 0.3, 0.9])
        docs = np.flatnonzero(rng.random(size) < share).astype(np.int32)
        scores = np.where(
            rng.random(len(docs)) < 0.5, rng.choice(tricky, len(docs)), rng.random(len(docs))
        )
        children.append(Found(docs, scores))
        sizes.append(len(docs) + int(rng.integers(0, 3)))
    return children, sizes


def _nested(shape: _Shape, node: int) -> Any:
    """The tree of ``shape`` below ``node`` as nested pairs of child numbers."""
    count = len(shape.weights) - len(shape.inner)
    if node < count:
        return node
    left, right = shape.inner[node - count]
    return (_nested(shape, left), _nested(shape, right))


def _end_to_end(children: list[Found], order: NDArray[np.int64]) -> tuple[Any, Any, Any]:
    chosen = [children[i] for i in order]
    bounds = np.cumsum([0, *(len(c) for c in chosen)])
    docs = np.concatenate([c.docs for c in chosen])
    scores = np.concatenate([c.scores for c in chosen if c.scores is not None])
    return docs, scores, bounds


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    count=st.integers(3, 80),
    size=st.integers(1, 400),
    ties=st.booleans(),
)
def test_a_wide_or_adds_as_whooshs_tree_of_unions(
    seed: int, count: int, size: int, ties: bool
) -> None:
    children, sizes = _random_children(seed, count, size)
    if ties:
        sizes = [s // 10 for s in sizes]  # many equal weights: the tree's order of ties
    shape = _Shape.huffman(sizes)
    any_tree: Any = _weighted_tree  # over child numbers, joined into pairs
    expected_tree = any_tree(sizes, list(range(count)), lambda a, b: (a, b))
    assert _nested(shape, shape.root) == expected_tree
    assert sorted(shape.leaves.tolist()) == list(range(count))
    expected = _weighted_tree(sizes, children, lambda a, b: _union(a, b, size))
    got = shape.sum(*_end_to_end(children, shape.leaves), size)
    assert got.docs.tolist() == expected.docs.tolist()
    assert got.scores is not None and expected.scores is not None
    assert got.scores.tolist() == expected.scores.tolist()  # == on every float


@settings(max_examples=200, deadline=None)
@given(
    children=st.lists(st.tuples(st.integers(0, 6), st.booleans()), min_size=1, max_size=40),
    deletions=st.booleans(),
)
def test_the_tree_is_whooshs_for_boosted_and_plain_terms(
    children: list[tuple[int, bool]], deletions: bool
) -> None:
    """Whoosh's own ``make_weighted_tree`` over the matchers a segment gives
    terms, boosted or not, with deletions (filtered) or without."""
    from whoosh.matching import ListMatcher, UnionMatcher, WrappingMatcher
    from whoosh.matching.wrappers import FilterMatcher
    from whoosh.util import make_weighted_tree

    matchers = []
    for n, (_, boosted) in enumerate(children):
        matcher: Any = ListMatcher([n])
        if deletions:
            matcher = FilterMatcher(matcher, frozenset([99]), exclude=True)
        matchers.append(WrappingMatcher(matcher, boost=2.0) if boosted else matcher)
    tree = make_weighted_tree(
        UnionMatcher, [(size, m) for (size, _), m in zip(children, matchers, strict=True)]
    )

    def whooshs(m: Any) -> Any:
        if isinstance(m, UnionMatcher):
            return (whooshs(m.a), whooshs(m.b))
        while not isinstance(m, ListMatcher):
            m = m.child
        return m.id()

    ahead = [boosted and deletions for _, boosted in children]
    shape = _Shape.huffman([size for size, _ in children], ahead)
    assert _nested(shape, shape.root) == whooshs(tree)


@settings(max_examples=100, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    count=st.integers(3, 80),
    size=st.integers(1, 400),
    boost=st.sampled_from([1.0, 0.5, 2.5]),
)
def test_a_preloaded_wide_or_adds_in_child_order(
    seed: int, count: int, size: int, boost: float
) -> None:
    children, _ = _random_children(seed, count, size)
    expected = _preloaded_union(children, boost, True, size)
    docs, scores, _ = _end_to_end(children, np.arange(count))
    got = _chain_sum(docs, scores * boost)
    assert got.docs.tolist() == expected.docs.tolist()
    assert got.scores is not None and expected.scores is not None
    assert got.scores.tolist() == expected.scores.tolist()


#: Letters no stemming rule touches at the end of a word: a stem, then any
#: of these, is a word (and a term) of its own.
CONSONANTS = "bcdfghjkmnpqrtvwxz"
#: Word families and how many words each has; ``vox`` reaches exactly
#: ``MAX_CLAUSES`` terms, the most one query may, so ``vox*`` is an OR of
#: 1,024 terms in each field.
FAMILIES = {"par": 300, "con": 200, "tra": 90, "mer": 40, "vox": 1024}
FILLER = ["harbour", "ferry", "council", "vote", "storm", "river", "bank", "peace", "talks"]


def _family(stem: str, count: int) -> list[str]:
    suffixes = (a + b + c for a in CONSONANTS for b in CONSONANTS for c in ["", *CONSONANTS])
    return [stem + s for s in itertools.islice(suffixes, count)]


def _family_words() -> dict[str, list[str]]:
    return {stem: _family(stem, count) for stem, count in FAMILIES.items()}


def _prefix_articles(seed: int, count: int, start: int) -> list[str]:
    """Short articles whose words come from the families, by a Zipf law
    within each family (a few words in a third of the articles, most in one
    or two), so that an OR of a family has heavy and light children."""
    rng = random.Random(seed)
    families = _family_words()
    zipf = {stem: [1 / (r + 1) for r in range(len(words))] for stem, words in families.items()}

    def word() -> str:
        if rng.random() < 0.7:
            return rng.choice(FILLER)
        stem = rng.choice(["par", "con", "tra", "mer"])
        return rng.choices(families[stem], weights=zipf[stem])[0]

    lines = []
    for n in range(start, start + count):
        body = [word() for _ in range(rng.randint(3, 14))]
        if n % 3 == 0:
            body.append(families["vox"][(n // 3) % FAMILIES["vox"]])
        record = {
            "title": " ".join(word() for _ in range(rng.randint(1, 3))),
            "body": " ".join(body),
            "source": rng.choice(["North Desk", "Wire"]),
            "date": f"202{rng.randint(0, 3)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        }
        lines.append(json.dumps(record))
    return lines


@pytest.fixture(scope="module")
def prefix_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An index of the families: one segment of over 5,000 documents (some
    deleted), where Whoosh adds an OR's children in its weighted tree, and
    smaller ones, where it adds them in order."""
    corpus = tmp_path_factory.mktemp("prefix") / "corpus"
    corpus.mkdir()
    lines = _prefix_articles(21, 5300, 0)
    (corpus / "feed.jsonl").write_text("\n".join(lines[:5100]) + "\n", encoding="utf-8")
    edits = lines[5100:]
    (corpus / "edits.jsonl").write_text("\n".join(edits) + "\n", encoding="utf-8")
    index_dir = str(corpus.parent / "index")
    with _one_core():
        run_index(index_dir, [str(corpus)])
    # Changed records: deleted from the large segment, added again in a new one.
    edits[::7] = _prefix_articles(22, len(edits[::7]), 9000)
    (corpus / "edits.jsonl").write_text("\n".join(edits) + "\n", encoding="utf-8")
    (corpus / "more.jsonl").write_text("\n".join(_prefix_articles(23, 400, 6000)) + "\n", "utf-8")
    with _one_core():
        run_index(index_dir, [str(corpus)])
    return index_dir


@pytest.fixture(scope="module")
def prefix_engines(prefix_index: str) -> Iterator[tuple[Engine, Engine]]:
    with Engine(prefix_index) as fast, Engine(prefix_index, executor=False) as reference:
        yield fast, reference


def _expanded(engine: Engine, text: str) -> Any:
    searcher = engine.searcher()
    return expand(parse_query(text, searcher.schema), engine.lexicon(), searcher.reader())


def _children_of_ors(q: Any) -> list[int]:
    """How many children each OR of terms in ``q`` has."""
    if isinstance(q, query.Or) and all(type(s) is query.Term for s in q.subqueries):
        return [len(q.subqueries)]
    return [
        n for child in (q.children() if not q.is_leaf() else []) for n in _children_of_ors(child)
    ]


def test_the_prefix_index_is_what_the_tests_need(prefix_engines: tuple[Engine, Engine]) -> None:
    fast, _ = prefix_engines
    leaves = fast.searcher().leaf_searchers()
    sizes = [sub.reader().doc_count_all() for sub, _ in leaves]
    assert max(sizes) > 5000 and min(sizes) <= 5000
    assert any(
        sub.reader().has_deletions() for sub, _ in leaves if sub.reader().doc_count_all() > 5000
    )
    # Each family word is a term of its own, so a family's prefix reaches them all.
    assert _children_of_ors(_expanded(fast, "vox*")) == [1024, 1024]
    assert min(_children_of_ors(_expanded(fast, "par*"))) > 250  # a few rare ones drawn by none
    assert min(_children_of_ors(_expanded(fast, "parb?*"))) >= 8


def _whoosh_scores(searcher: Any, q: Any) -> dict[int, float]:
    """Every match of ``q`` and its score, from Whoosh's own searcher."""
    hits = searcher.search(whoosh_private.corrected(q), limit=None)
    return {hit.docnum: hit.score for hit in hits}


def _executor_scores(engine: Engine, q: Any, order: Any = "relevance") -> dict[int, float | None]:
    searcher = engine.searcher()
    run = execute(searcher, engine.segment_columns(), q, order)
    scores = [None] * len(run.docs) if run.scores is None else run.scores.tolist()
    return dict(zip(run.docs.tolist(), scores, strict=True))


def _family_queries() -> st.SearchStrategy[str]:
    """Prefixes, wildcards and fuzzy words reaching many of the families'
    terms, alone, ORed, or with a plain word ANDed or excluded.  (Never two
    wide ones ANDed: Whoosh's own searcher, the reference, takes seconds
    to intersect two trees of hundreds of unions.)"""
    words = [w for family in _family_words().values() for w in family[:60]]
    word = st.sampled_from(words + FILLER)
    prefix = st.sampled_from(["p", "pa", "par", "parb", "parc", "co", "con", "conk", "tr", "tra"])
    wide = st.one_of(
        prefix.map(lambda p: p + "*"),
        st.sampled_from(["mer", "vox", "voxb", "voxbd", "me", "v", "t"]).map(lambda p: p + "*"),
        word.map(lambda w: w[:4] + "?" + w[5:] + "*"),
        st.sampled_from(CONSONANTS).map(lambda c: f"*{c}"),
        st.sampled_from(CONSONANTS).map(lambda c: f"?a{c}*"),
        word.map(lambda w: w + "~"),
        word.map(lambda w: w + "~2"),
        prefix.map(lambda p: f"title:{p}*"),
    )
    plain = st.one_of(word, st.sampled_from(FILLER).map(lambda w: f"title:{w}"))
    return st.one_of(
        wide,
        st.lists(st.one_of(wide, plain), min_size=2, max_size=3).map(" OR ".join),
        st.tuples(plain, wide).map(" ".join),
        st.tuples(st.lists(wide, min_size=2, max_size=2).map(" OR ".join), plain).map(
            lambda p: f"({p[0]}) {p[1]}"
        ),
        st.tuples(wide, plain).map(lambda p: f"{p[0]} -{p[1]}"),
        st.tuples(plain, wide).map(lambda p: f"{p[0]} -{p[1]}"),
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=_family_queries(), data=st.data())
def test_wide_prefix_wildcard_and_fuzzy_ors_score_as_whoosh(
    prefix_engines: tuple[Engine, Engine], text: str, data: st.DataObject
) -> None:
    """Every match and its score (``==``) as Whoosh's searcher finds them,
    and the same page, totals and snippets as the reference path."""
    fast, _ = prefix_engines
    try:
        q = _expanded(fast, text)
    except SearchEngineError:
        q = None  # refused (too many terms): the engines must agree on that below
    if q is not None and q is not query.NullQuery:
        assert _executor_scores(fast, q) == _whoosh_scores(fast.searcher(), q), text
        unscored = _executor_scores(fast, q, "newest")
        assert sorted(unscored) == sorted(_whoosh_scores(fast.searcher(), q)), text
    request = SearchRequest(
        query=text,
        sort=data.draw(st.sampled_from(["relevance", "newest"])),
        limit=data.draw(st.integers(1, 12)),
        page=data.draw(st.integers(1, 2)),
    )
    check(prefix_engines, request)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_wide_ors_of_boosted_terms_score_as_whoosh(
    prefix_engines: tuple[Engine, Engine], data: st.DataObject
) -> None:
    """ORs built by hand: children boosted, repeated, or with no such term."""
    fast, _ = prefix_engines
    searcher: Any = fast.searcher()
    fieldname = data.draw(st.sampled_from(["body", "title"]))
    known = [t.decode() for t in sorted(set(searcher.reader().lexicon(fieldname)))]
    term = st.sampled_from(known) | st.sampled_from(["qqqq", "parzzz"])
    children = data.draw(
        st.lists(
            st.tuples(term, st.sampled_from([1.0, 1.0, 0.5, 2.0, 3.25])),
            min_size=8,
            max_size=60,
        )
    )
    q = query.Or(
        [query.Term(fieldname, t, boost=b) for t, b in children],
        boost=data.draw(st.sampled_from([1.0, 2.5])),
    )
    assert _executor_scores(fast, q) == _whoosh_scores(searcher, q)
