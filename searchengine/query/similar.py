"""More like this: the articles most like a given one, by its key terms.

The article's title and body are weighed against the whole index (Whoosh's
Bo1 expansion model: terms frequent in the article and rare in the corpus
weigh most), and its :data:`KEY_TERMS` best terms (weak words left out, see
:data:`WEAK_WORDS`) are searched for in titles and bodies, each boosted by
its weight; an article must share at least :data:`MIN_SHARED` of them to be
related at all.  The article itself and its near-duplicates are masked out:
copies of the same story are not "related stories".  The hits are collapsed like ``search``'s, so a related story
republished by five outlets takes one place on the page.
"""

from __future__ import annotations

import time

from whoosh import query
from whoosh.analysis import STOP_WORDS
from whoosh.lang.stopwords import stoplists

from searchengine.analysis.tokenizer import WORD, fold
from searchengine.index.protocols import Searcher
from searchengine.models import SearchResult, SimilarResult
from searchengine.query.engine import Engine
from searchengine.query.highlight import spec_for
from searchengine.query.request import check_paging

#: Key terms searched for: enough to find a topic, few enough to stay on it.
KEY_TERMS = 12
#: Distinct key terms an article must share to count as related at all: one
#: shared word ("closed", "island") is a coincidence, two begin a topic.
MIN_SHARED = 2
#: Words that are never key terms, compared as written (case and accents
#: folded, not stemmed): Whoosh's stop words and the common English stop
#: list it ships (NLTK's: pronouns, auxiliaries, prepositions, conjunctions),
#: plus what both lack and news is full of: the remaining modal verbs, "also",
#: the verbs of attribution that carry every quote whatever it is about
#: (said, told, according to, added), and the names of weekdays, by which
#: news dates what it reports ("said on Friday"): they tie stories of the
#: same week together, not stories of the same subject.  They are all
#: indexed (phrases need them); they only say nothing about what an article
#: is about.
#:
#: A fixed list rather than a document-frequency ceiling, because a ceiling
#: depends on the corpus: in a small or single-topic index the topic's own
#: words are in most articles (in the tests' ferry corpus "ferry" is in as
#: many articles as "said"), so any ceiling that drops "said" drops the
#: topic with it, while in a big general corpus the same ceiling keeps
#: words that are weak everywhere.  Bo1 alone does not drop them either: it
#: weighs a term by how much more frequent it is in the article than in the
#: corpus, and a long quote-heavy article says "said" far more often than
#: the average.  Compared as written, not stemmed, so that dropping
#: "according" and "added" leaves "accord" and "adding" alone.
WEAK_WORDS = (
    frozenset(STOP_WORDS)
    | frozenset(stoplists["en"])
    | frozenset(
        (
            *("would", "could", "might", "must", "shall", "also"),
            *("say", "says", "said", "saying", "tell", "tells", "told"),
            *("according", "added", "adds"),
            *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        )
    )
)


def _without_weak_words(text: str) -> str:
    return WORD.sub(lambda m: " " if fold(m.group()) in WEAK_WORDS else m.group(), text)


def key_terms(searcher: Searcher, text: str) -> list[tuple[str, float]]:
    """The :data:`KEY_TERMS` most telling terms of ``text`` with their
    weights, its :data:`WEAK_WORDS` left out before weighing."""
    return list(
        searcher.key_terms_from_text(
            "body", _without_weak_words(text), numterms=KEY_TERMS, normalize=True
        )
    )


def sharing(searcher: Searcher, terms: list[str]) -> set[int]:
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
            "relevance",
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
    return SimilarResult(article=engine.article(docnum), terms=terms, result=result)
