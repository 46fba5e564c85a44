"""Highlighting stems only the words that could match, and finds the same words."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from searchengine.analysis.tokenizer import WORD, stem
from searchengine.query.highlight import MatchSpec, Phrase, matched_positions, tokens, word_spans

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
