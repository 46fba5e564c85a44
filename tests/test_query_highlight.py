"""Highlighting stems only the words that could match, and finds the same
words; on the query corpus, exactly the words that match are highlighted."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchengine.analysis.tokenizer import WORD, stem
from searchengine.query.engine import Engine
from searchengine.query.highlight import MatchSpec, Phrase, matched_positions, tokens, word_spans

from query_index import Corpus, run, span_texts

# Words chosen so stems and first letters collide: forms of one word, short
# words, Porter2's exceptional forms, accents that fold away.
VOCABULARY = [
    *["dying", "die", "dies", "lying", "lie", "tying", "ties", "skies", "sky", "news"],
    *["running", "runner", "run", "a", "aing", "as", "ay", "by", "my", "yes", "yelled"],
    *["Zürich", "zurich", "résumé", "resume", "harbour", "harbours", "harboured"],
    *["generously", "generous", "gently", "early", "only", "ugly", "idly", "o'neill"],
]

words = st.sampled_from(VOCABULARY)


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(words, max_size=40).map(" ".join),
    terms=st.sets(words, max_size=3),
    prefixes=st.sets(st.sampled_from(["d", "di", "ru", "run", "ha", "y", "zu", "a"]), max_size=2),
    phrase=st.lists(words, min_size=2, max_size=3),
)
def test_filtered_stemming_matches_what_full_stemming_matches(
    text: str, terms: set[str], prefixes: set[str], phrase: list[str]
) -> None:
    spec = MatchSpec(
        terms={stem(t) for t in terms},
        prefixes=prefixes,
        phrases={Phrase(tuple(stem(w) for w in phrase), 1)},
    )
    assert matched_positions(tokens(text, spec), spec) == matched_positions(tokens(text), spec)


def test_words_that_cannot_match_are_left_unstemmed() -> None:
    spec = MatchSpec(terms={stem("harbours")})
    found = [t.term for t in tokens("Harbours and the dying river", spec)]
    assert found == ["harbour", "", "", "", ""]
    spec = MatchSpec(terms={stem("die")})
    assert [t.term for t in tokens("Harbours and the dying river", spec)] == ["", "", "", "die", ""]
    assert [t.term for t in tokens("Harbours and", None)] == ["harbour", "and"]


# ---------------------------------------------------------------------------
# Highlights on the query corpus: exactly the words that match
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "name", "words"),
    [
        ("attack", "stem_attacked", ["attacked"]),
        ("attack", "stem_attacks", ["attacks"]),
        ("zurich cafe resume", "accent_marked", ["café", "Zürich", "résumé"]),
        ("zurich cafe resume", "accent_plain", ["Zurich", "resume", "cafe"]),
        ('"front line"', "frontline_exact", ["front", "line"]),
        ('"front line" convoy', "frontline_exact", ["convoy", "front", "line"]),
        ('"front line" OR front', "frontline_exact", ["front", "front", "line"]),
        ('front -"front line"', "frontline_apart", ["front"]),
        ("title:convoy", "frontline_exact", []),
        ("front line", "frontline_exact", ["front", "front", "line"]),
        ("front line", "frontline_apart", ["front", "line"]),
        ('"peace talks"~3', "peace_dist3", ["peace", "talks"]),
        ('"peace talks"~4', "peace_dist4", ["peace", "talks"]),
        ('"bank of arvonia"', "bank_of", ["Bank", "of", "Arvonia"]),
        ("bank arvonia", "bank_in", ["bank", "Arvonia"]),
        ("well-known", "hyphen_wellknown", ["well", "known"]),
        ("al-Zarqin", "hyphen_alzarqin", ["al", "Zarqin"]),
        ("panj*", "prefix_panjdara", ["Panjdara"]),
        ("pandara~", "prefix_panjdara", ["Panjdara"]),
        ("investers~", "fuzzy_investors", ["investors"]),
        ("ferry NOT glacier", "bool_orchard_ferry", ["ferry"]),
        ("glacier OR orchard", "bool_orchard_ferry", ["orchard"]),
        ("body:lighthouse", "field_body", ["lighthouse"]),
    ],
)
def test_exactly_the_matching_words_are_highlighted(
    indexed: Corpus, engine: Engine, query: str, name: str, words: list[str]
) -> None:
    result = run(engine, query)
    hits = {indexed.names.get(h.id): h for h in result.hits}
    assert name in hits
    highlighted = [w for snippet in hits[name].snippets for w in span_texts(snippet)]
    assert highlighted == words


def test_phrase_highlights_only_whole_phrase_occurrences(indexed: Corpus, engine: Engine) -> None:
    # frontline_exact: "Drivers at the front of the convoy waited while the front line held"
    result = run(engine, '"front line"')
    (hit,) = result.hits
    assert indexed.names[hit.id] == "frontline_exact"
    (snippet,) = hit.snippets
    assert snippet.text.count("front") == 2, "the lone 'front' is in the passage"
    assert span_texts(snippet) == ["front", "line"]
    (a, _), (_, d) = snippet.highlights
    assert snippet.text[a:d] == "front line"
    lone = snippet.text.index("front of the convoy")
    assert all(not (x <= lone < y) for x, y in snippet.highlights), (
        "the lone 'front' is not highlighted"
    )


def test_slop_phrase_highlights_the_phrase_words_not_the_gap(
    indexed: Corpus, engine: Engine
) -> None:
    result = run(engine, '"peace talks"~3')
    for hit in result.hits:
        for snippet in hit.snippets:
            assert set(span_texts(snippet)) == {"peace", "talks"}, snippet


# Characters where word boundaries are decided: letters of several scripts,
# digits, the underscore, both apostrophes, spaces, punctuation, a character
# beyond the Basic Multilingual Plane and a lone surrogate.
BOUNDARY_TEXT = (
    st.text(
        alphabet=st.sampled_from([*"ab1_ '’-.\n\té", "ß", "Ж", "中", "٣", "𝔘", "\ud800", "\u00a0"])
    )
    | st.text()
)


@settings(max_examples=400)
@given(BOUNDARY_TEXT)
def test_word_spans_are_where_the_word_pattern_matches(text: str) -> None:
    starts, ends = word_spans(text)
    assert list(zip(starts, ends, strict=True)) == [m.span() for m in WORD.finditer(text)]
