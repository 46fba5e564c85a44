"""The ingestion acceptance test: a few hundred real-looking articles in every
format and encoding, with bad files among them, indexed for real.

Every article must come back with the right title, date, source, author,
url, text and encoding; every bad file must be reported, and nothing else.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from searchengine.indexer.run import run_index
from searchengine.models import ArticleView, IndexSummary, article_id
from searchengine.query.engine import Engine

from conftest import MixedIndex
from corpus_builder import ExpectedArticle, ExpectedProblem

# Latin-1 files hold no bytes in 0x80-0x9F, where the two differ, so reading
# them as Windows-1252 (as browsers do) gives the same text.
SAME_ENCODING = {"latin-1": "cp1252", "utf-8-sig": "utf-8-sig", "utf-16": "utf-16"}


@pytest.fixture
def indexed(mixed_index: MixedIndex) -> MixedIndex:
    """The mixed corpus of 300 articles, seed 7, indexed (``conftest.py``)."""
    return mixed_index


def _views(
    corpus: Path, index_dir: str, expected: list[ExpectedArticle]
) -> list[tuple[ExpectedArticle, ArticleView]]:
    with Engine(index_dir) as engine:
        return [(e, engine.show(article_id(str(corpus / e.relpath), e.record))) for e in expected]


def test_every_article_is_indexed_once(
    indexed: tuple[Path, str, list[ExpectedArticle], list[ExpectedProblem], IndexSummary],
) -> None:
    _, _, expected, _, summary = indexed
    assert len(expected) >= 300
    assert summary.added == len(expected)
    assert summary.articles == len(expected)


def test_metadata_and_text_of_every_article(
    indexed: tuple[Path, str, list[ExpectedArticle], list[ExpectedProblem], IndexSummary],
) -> None:
    corpus, index_dir, expected, _, _ = indexed
    wrong: list[str] = []
    for want, view in _views(corpus, index_dir, expected):
        got = view.hit
        where = f"{want.relpath}#{want.record}"
        for name, have, should in (
            ("title", got.title, want.title),
            ("date", got.date.isoformat() if got.date else None, want.date),
            ("source", got.source, want.source),
            ("author", got.author, want.author),
            ("url", got.url, want.url),
            ("encoding", view.encoding, SAME_ENCODING.get(want.encoding, want.encoding)),
        ):
            if have != should:
                wrong.append(f"{where}: {name} {have!r} != {should!r}")
        for sentence in want.body_contains:
            if sentence not in view.body:
                wrong.append(f"{where}: body lacks {sentence!r}")
        for text in want.body_excludes:
            if text in view.body:
                wrong.append(f"{where}: body has {text!r}")
        for bad in ("Ã©", "â€", "\ufffd"):
            if bad in view.body or bad in got.title:
                wrong.append(f"{where}: mojibake {bad!r}")
    assert wrong == []


def test_every_bad_input_is_reported_and_nothing_else(
    indexed: tuple[Path, str, list[ExpectedArticle], list[ExpectedProblem], IndexSummary],
) -> None:
    corpus, _, _, problems, summary = indexed

    def rel(path: str) -> str:
        return os.path.relpath(path, corpus).replace(os.sep, "/")

    reported = sorted((rel(p.path), p.record, p.kind) for p in (*summary.skipped, *summary.errors))
    assert reported == sorted((p.relpath, p.record, p.kind) for p in problems)
    assert all(p.reason for p in (*summary.skipped, *summary.errors))


def test_a_second_run_changes_nothing(
    indexed: tuple[Path, str, list[ExpectedArticle], list[ExpectedProblem], IndexSummary],
) -> None:
    corpus, index_dir, expected, _, _ = indexed
    again = run_index(index_dir, [str(corpus)])
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    assert again.unchanged == len(expected) == again.articles
