"""Postings computed ahead, and the compact position encoding."""

from __future__ import annotations

import pickle
from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generate import ArticleStream, Model, build_pool
from searchengine.analysis.minhash import word_hash
from searchengine.analysis.tokenizer import WORD, news_analyzer, stem
from searchengine.index.fieldformat import (
    Analyzed,
    NewsPositions,
    Vocabulary,
    analyze,
    decode_positions,
    encode_positions,
    tokens,
)


@given(st.lists(st.integers(min_value=0, max_value=5_000_000), max_size=300))
def test_positions_round_trip(gaps: list[int]) -> None:
    positions = []
    position = 0
    for gap in gaps:
        position += gap
        positions.append(position)
    data = encode_positions(positions)
    assert decode_positions(data) == positions
    assert NewsPositions().decode_frequency(data) == len(positions)


def test_a_word_seen_once_early_takes_two_bytes() -> None:
    assert encode_positions([7]) == b"\x01\x07"
    assert encode_positions([1, 300]) == b"\x02\x01\xab\x02"
    assert decode_positions(b"\x02\x01\xab\x02") == [1, 300]


def test_analyzed_text_gives_the_postings_of_the_plain_text() -> None:
    text = "The harbour walls held; the harbour's wall did not. Zürich!"
    fmt = NewsPositions(field_boost=2.5)
    from_text = sorted(fmt.word_values(text, news_analyzer()))
    analyzed = analyze(text)
    assert isinstance(analyzed, str) and analyzed == text
    assert sorted(fmt.word_values(analyzed, news_analyzer())) == from_text
    assert ("harbour", 2, 5.0, encode_positions([1, 5])) in from_text
    assert ("zurich", 1, 2.5, encode_positions([9])) in from_text


def test_analyzed_text_survives_the_trip_from_a_worker_process() -> None:
    analyzed = analyze("Flood warning for the river")
    copy = pickle.loads(pickle.dumps(analyzed))
    assert isinstance(copy, Analyzed)
    assert copy == "Flood warning for the river"
    assert list(copy.postings()) == list(analyzed.postings())


def test_single_positions_at_the_edges_of_the_table() -> None:
    # Single positions below 2**14 come from a table made once; above it they
    # are encoded as they come.  Both must decode alike.
    for position in (0, 127, 128, 16_383, 16_384, 2_000_000):
        assert decode_positions(encode_positions([position])) == [position]
    assert encode_positions([16_383]) == b"\x01\xff\x7f"
    assert encode_positions([16_384]) == b"\x01\x80\x80\x01"


def test_an_empty_text_has_no_postings() -> None:
    analyzed = analyze("")
    assert analyzed.term_list() == []
    assert list(analyzed.postings()) == []
    assert analyzed.length() == 0
    assert analyze("... !!").length() == 0


# -- analyze as array work, against the word-by-word original ---------------------


def reference_postings(text: str) -> dict[bytes, tuple[int, bytes]]:
    """Each term of ``text`` with its count and encoded positions, computed
    word by word as ``analyze`` did before it worked on arrays."""
    positions: dict[str, list[int]] = {}
    for position, word in enumerate(WORD.findall(text)):
        positions.setdefault(stem(word), []).append(position)
    return {
        term.encode("utf-8"): (len(found), encode_positions(found))
        for term, found in positions.items()
    }


def analysed_postings(
    text: str, vocabulary: Vocabulary | None = None
) -> dict[bytes, tuple[int, bytes]]:
    analyzed = analyze(text, vocabulary=vocabulary)
    found = {term: (count, data) for term, count, data in analyzed.postings()}
    assert len(found) == len(analyzed.counts) == len(analyzed.tids)
    assert analyzed.length() == len(WORD.findall(text))
    return found


def generated_texts(count: int) -> Iterator[str]:
    """The texts of the first ``count`` articles of the benchmark's generator."""
    model = Model.build(4)
    pool, counts = build_pool(model)
    stream = ArticleStream(model, pool, counts)
    for n in range(count):
        yield "\n\n".join(stream.next(n).paragraphs)


def test_generated_news_texts_analyse_as_word_by_word() -> None:
    shared = Vocabulary()
    for text in generated_texts(150):
        assert analysed_postings(text, shared) == reference_postings(text)
        assert analysed_postings(text) == reference_postings(text)


def test_long_texts_with_wide_gaps_and_positions_analyse_as_word_by_word() -> None:
    # Positions past 2**7 and 2**14 and gaps of every width take 1 to 3 bytes.
    words = [f"filler{n % 997}" for n in range(40_000)]
    for position in (0, 127, 128, 129, 16_383, 16_384, 16_385, 39_999):
        words[position] = "harbour"
    words[200:260] = ["ferry"] * 60
    text = " ".join(words)
    assert analysed_postings(text) == reference_postings(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Harbour", "harbours", "ferry", "Zürich", "a", "the", "2021", "don't"]),
        max_size=150,
    )
)
def test_any_word_sequence_analyses_as_word_by_word(words: list[str]) -> None:
    text = " ".join(words)
    assert analysed_postings(text) == reference_postings(text)


def test_analysed_text_pickles_with_its_terms() -> None:
    analyzed = analyze("Ferry fares rise as the ferry company raises fares")
    again = pickle.loads(pickle.dumps(analyzed))
    assert str(again) == str(analyzed)
    assert list(again.postings()) == list(analyzed.postings())
    assert again.vocabulary is not analyzed.vocabulary


# -- Tokens: a text's term ids, word by word --------------------------------------


def test_tokens_are_the_stems_of_the_words_in_order() -> None:
    shared = Vocabulary()
    for text in generated_texts(100):
        found = tokens(text, vocabulary=shared)
        assert found == text and found.length() == len(WORD.findall(text))
        terms = [shared.terms[tid].decode("utf-8") for tid in found.ids.tolist()]
        assert terms == [stem(word) for word in WORD.findall(text)]
    # Each distinct word is stemmed once: one id per word, one per stem.
    assert len(shared) == len(shared.by_word) and len(shared.terms) <= len(shared)


@given(st.lists(st.sampled_from(["Harbour", "harbours", "Zürich", "don't", "2021", "x"])))
def test_word_hashes_are_minhashs(words: list[str]) -> None:
    vocabulary = Vocabulary()
    ids = vocabulary.lookup(words)
    assert vocabulary.word_hashes(ids).tolist() == [word_hash(w) for w in words]
    assert vocabulary.word_ids(words) == vocabulary.term_ids(ids).tolist()


@given(
    st.lists(
        st.lists(
            st.sampled_from(
                [
                    "Harbour",
                    "harbour",
                    "HARBOUR",
                    "harbours",
                    "Zürich",
                    "zurich",
                    "ZÜRICH",
                    "don't",
                    "Don\u2019t",
                    "2021",
                    "x",
                    "Ærø",
                    "straße",
                    "STRASSE",
                    "café",
                    "cafe",
                ]
            )
        ),
        max_size=6,
    )
)
def test_words_of_one_folded_form_share_its_term_and_hash(texts: list[list[str]]) -> None:
    """New words arrive a text at a time and are stemmed and hashed by
    folded form: every word still gets the term and hash of its own."""
    vocabulary = Vocabulary()
    for words in texts:
        ids = vocabulary.lookup(words)
        assert [vocabulary.terms[t].decode() for t in vocabulary.term_ids(ids).tolist()] == [
            stem(w) for w in words
        ]
        assert vocabulary.word_hashes(ids).tolist() == [word_hash(w) for w in words]
    seen = {w for words in texts for w in words}
    assert len(vocabulary) == len(seen)
    assert len(vocabulary.terms) == len({stem(w) for w in seen})


def test_tokens_cross_processes_as_their_text() -> None:
    found = tokens("Flood warning for the river")
    copy = pickle.loads(pickle.dumps(found))
    assert type(copy) is str and copy == "Flood warning for the river"


def test_written_words_are_marked_and_carried_to_the_next_vocabulary() -> None:
    first = Vocabulary()
    ids = first.lookup(["Harbour", "ferry", "Harbour", "Source"])
    first.mark_written(ids[:3])
    assert first.written_words() == {"Harbour", "ferry"}
    second = Vocabulary(first.written_words())
    second.mark_written(second.lookup(["Zürich"]))
    second.lookup(["unmarked", "HARBOUR", "Ferry"])
    assert second.written_words() == {"Harbour", "ferry", "Zürich"}
    # The same words once folded (the lexicon's forms come from these).
    assert second.written_forms() == {"harbour", "ferry", "zurich"}


def test_a_vocabulary_of_its_words_only_keeps_them_and_drops_keyword_terms() -> None:
    full = Vocabulary({"carried"})
    ids = full.lookup(["Harbour", "harbours", "ferry", "Zürich"])
    full.mark_written(ids[1:3])
    full.term_id(b"article-0001")  # a keyword value: a term no word has
    full.term_id(b"ferri")  # a keyword value that is also a word's stem
    assert full.other_terms() == 1
    stems = [full.terms[t] for t in full.term_ids(ids).tolist()]
    hashes = full.word_hashes(ids).tolist()

    words = full.words_only()
    assert words.other_terms() == 0
    assert sorted(words.terms) == sorted(set(stems))
    again = words.lookup(["Harbour", "harbours", "ferry", "Zürich"])
    assert again.tolist() == ids.tolist()  # no word is new
    assert [words.terms[t] for t in words.term_ids(again).tolist()] == stems
    assert words.word_hashes(again).tolist() == hashes
    assert words.written_words() == {"carried", "harbours", "ferry"}
    words.mark_written(words.lookup(["ZÜRICH", "Ferry"]))  # a new word of a known form
    assert words.written_forms() == {"carried", "harbours", "ferry", "zurich"}
    assert words.word_hashes(words.lookup(["ZÜRICH"])).tolist() == [hashes[3]]
    new = words.term_id(b"article-0001")  # a new id, after the words' terms
    assert words.terms[new] == b"article-0001" and new == len(set(stems))
    assert words.other_terms() == 1
    assert len(full) == 0  # the words moved
