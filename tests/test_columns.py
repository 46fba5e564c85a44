"""index.columns reads the same values as Whoosh's column readers, whole.

A real index of the hand-written query corpus, grown over three runs (so
it has several segments) with a file changed and one removed (so it has
deletions), is read both ways for every document.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from searchengine.index import directory as store
from searchengine.index.columns import Columns
from searchengine.indexer.run import run_index

from query_corpus import build_query_corpus


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = tmp_path_factory.mktemp("columns")
    paths = build_query_corpus(root / "corpus")
    index_dir = str(root / "index")
    run_index(index_dir, [str(root / "corpus")])
    extra = root / "extra"
    extra.mkdir()
    (extra / "late.txt").write_text(
        "---\ntitle: Late news\ndate: 2023-02-28\n---\nThe ferry ran late again.\n", "utf-8"
    )
    (extra / "undated.txt").write_text("---\ntitle: No date\n---\nA quiet harbour.\n", "utf-8")
    run_index(index_dir, [str(extra)])
    changed = Path(paths["bool_glacier"])
    changed.write_text(changed.read_text(encoding="utf-8") + "\nUpdated.\n", encoding="utf-8")
    Path(paths["bool_ferry"]).unlink()
    run_index(index_dir, [str(root / "corpus")])
    with store.searcher(index_dir) as opened:
        assert len(opened.leaf_searchers()) >= 2
        assert opened.reader().has_deletions()
        yield opened


def _per_document(searcher: Any, read: Any) -> list[Any]:
    """``read(segment reader, local docnum)`` for every document of the searcher."""
    values: list[Any] = []
    for sub, _offset in searcher.leaf_searchers():
        reader = sub.reader()
        values.extend(read(reader, d) for d in range(reader.doc_count_all()))
    return values


def test_days_and_sort_keys(searcher: Any) -> None:
    columns = Columns(searcher)

    def column(name: str) -> Any:
        return lambda reader, d: reader.column_reader(name)[d]

    assert columns.days.tolist() == _per_document(searcher, column("sort_newest"))
    assert columns.oldest_key.tolist() == _per_document(searcher, column("sort_oldest"))
    assert (-columns.newest_key).tolist() == columns.days.tolist()
    assert 0 in columns.days.tolist()  # undated articles are there


@pytest.mark.parametrize("fieldname", ["title", "body", "source", "author"])
def test_field_lengths_are_what_bm25f_scores_with(searcher: Any, fieldname: str) -> None:
    columns = Columns(searcher)
    for segment, (sub, _) in zip(columns.segments, searcher.leaf_searchers(), strict=True):
        reader = sub.reader()
        expected = [reader.doc_field_length(d, fieldname) or 0 for d in range(segment.size)]
        assert segment.lengths(fieldname).tolist() == expected
        assert segment.has_words(fieldname).tolist() == [n > 0 for n in expected]


def test_deletions(searcher: Any) -> None:
    columns = Columns(searcher)
    assert columns.deleted is not None
    assert columns.deleted.tolist() == [
        searcher.reader().is_deleted(d) for d in range(columns.size)
    ]
