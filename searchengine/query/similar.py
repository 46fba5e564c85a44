"""More like this: the articles most like a given one, by its key terms.

The article's title and body are weighed against the whole index (Whoosh's
Bo1 expansion model: terms frequent in the article and rare in the corpus
weigh most), and its :data:`KEY_TERMS` best terms (stop words left out) are
searched for in titles and bodies, each boosted by its weight; an article
must share at least :data:`MIN_SHARED` of them to be related at all.  The article itself and its
near-duplicates are masked out: copies of the same story are not "related
stories".  The hits are collapsed like ``search``'s, so a related story
republished by five outlets takes one place on the page.
"""

from __future__ import annotations

import time
from typing import Any

from whoosh import query
from whoosh.analysis import STOP_WORDS

from searchengine.analysis import stem
from searchengine.models import SearchResult, SimilarResult
from searchengine.query.engine import BY_RELEVANCE, Engine, check_paging, hit_from_fields
from searchengine.query.matching import spec_for

#: Key terms searched for: enough to find a topic, few enough to stay on it.
KEY_TERMS = 12
#: Distinct key terms an article must share to count as related at all: one
#: shared word ("closed", "island") is a coincidence, two begin a topic.
MIN_SHARED = 2
#: Stop words are indexed (phrases need them) but are never key terms.
_STOPPED = frozenset(stem(word) for word in STOP_WORDS)


def key_terms(searcher: Any, text: str) -> list[tuple[str, float]]:
    """The :data:`KEY_TERMS` most telling terms of ``text`` with their weights."""
    weighted = searcher.key_terms_from_text("body", text, numterms=KEY_TERMS * 3, normalize=True)
    return [(t, w) for t, w in weighted if t not in _STOPPED][:KEY_TERMS]


def sharing(searcher: Any, terms: list[str]) -> set[int]:
    """Document numbers with at least :data:`MIN_SHARED` of ``terms`` (title or body)."""
    counts: dict[int, int] = {}
    for term in terms:
        docs = set(searcher.docs_for_query(query.Term("body", term)))
        docs.update(searcher.docs_for_query(query.Term("title", term)))
        for docnum in docs:
            counts[docnum] = counts.get(docnum, 0) + 1
    return {docnum for docnum, n in counts.items() if n >= MIN_SHARED}


def similar(
    engine: Engine, article_id: str, *, limit: int = 10, page: int = 1, collapse: bool = True
) -> SimilarResult:
    """A page of the articles most like ``article_id`` (best first).

    Raises :class:`~searchengine.errors.ArticleNotFoundError` for an id not
    in the index, :class:`UsageError` for a bad limit or page.
    """
    started = time.perf_counter()
    check_paging(limit, page)
    searcher = engine.searcher()
    docnum = engine.docnum(article_id)
    fields = searcher.stored_fields(docnum)
    text = f"{fields.get('title', '')}\n{fields.get('body', '')}"
    weighted = key_terms(searcher, text)
    terms = tuple(term for term, _ in weighted)
    hits = []
    total = uncollapsed = 0
    if weighted:
        q = query.Or(
            [
                query.Term(name, term, boost=weight)
                for term, weight in weighted
                for name in ("title", "body")
            ]
        )
        mask = set(engine.clusters().members(docnum))
        results, ranked, total = engine.ranked(
            q,
            BY_RELEVANCE,
            first=(page - 1) * limit,
            count=limit,
            collapsed=collapse,
            flt=sharing(searcher, list(terms)),
            mask=mask,
        )
        uncollapsed = len(results)
        hits = engine.hits(ranked, spec_for(q, "body"), scored=True)
    result = SearchResult(
        query="",
        total=total,
        page=page,
        limit=limit,
        took_ms=round((time.perf_counter() - started) * 1000.0, 3),
        suggestion=None,
        hits=tuple(hits),
        total_uncollapsed=uncollapsed if collapse else None,
    )
    return SimilarResult(article=hit_from_fields(fields, None, ()), terms=terms, result=result)
