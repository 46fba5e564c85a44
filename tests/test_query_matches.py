"""Match sets against the ranking path: the same results, in the same order, counted the same.

``Engine.matches`` finds every match without ranking it
(``ranking.match_arrays``) and orders it on arrays; ``Engine.search`` ranks
with ``ranking.rank`` and collapses with ``collapse``.  On many generated
queries over the query corpus and the near-duplicate corpus, in every order
and with and without collapsing, both give the same results in the same
order, and the same totals.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchengine.indexer.run import run_index
from searchengine.query.engine import Engine
from searchengine.query.request import SearchRequest

import dedup_corpus
from query_corpus import build_query_corpus

WORDS = [
    "harvest",
    "ferry",
    "attack",
    "bushfire",
    "front",
    "line",
    "coastal",
    "harbour",
    "the",
    "island",
    "commuters",
    "glacier",
    "zzqqxx",
]


@dataclass(frozen=True)
class Corpora:
    queries: str
    dedup: str


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> Corpora:
    root = tmp_path_factory.mktemp("matches")
    build_query_corpus(root / "q")
    run_index(str(root / "qi"), [str(root / "q")])
    dedup_corpus.write_corpus(root / "d")
    run_index(str(root / "di"), [str(root / "d")])
    return Corpora(str(root / "qi"), str(root / "di"))


word = st.sampled_from(WORDS)
queries = st.one_of(
    st.just(""),
    word,
    st.builds(lambda a, b: f"{a} {b}", word, word),
    st.builds(lambda a, b: f"{a} OR {b}", word, word),
    st.builds(lambda a, b: f"{a} NOT {b}", word, word),
    st.builds(lambda a, b: f'"{a} {b}"', word, word),
    st.builds(lambda a: f"{a[:3]}*", word),
    st.builds(
        lambda a, d: f"{a} date:>={d}", word, st.sampled_from(["2021", "2021-09", "2024-03"])
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=queries,
    sort=st.sampled_from(["relevance", "newest", "oldest"]),
    collapse=st.booleans(),
    dedup=st.booleans(),
)
def test_match_sets_list_and_count_what_search_does(
    corpora: Corpora, text: str, sort: str, collapse: bool, dedup: bool
) -> None:
    request = SearchRequest(text, sort=sort, limit=1000, collapse=collapse)  # type: ignore[arg-type]
    with Engine(corpora.dedup if dedup else corpora.queries) as engine:
        found = engine.search(request)
        matches = engine.matches(request)
        ids = [engine.current().stored_fields(d)["id"] for d in matches.docnums[matches.ordered()]]
    assert ids == [hit.id for hit in found.hits]
    assert matches.total == found.total
    assert len(matches) == (found.total_uncollapsed if collapse else found.total)
    assert found.timeline is not None and found.timeline.total == found.total
    assert found.sources is not None and found.sources.total == found.total
