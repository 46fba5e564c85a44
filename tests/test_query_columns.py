"""Whole columns as arrays: every document's day and source, against its stored fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from searchengine.indexer.run import run_index
from searchengine.query import columns
from searchengine.query.engine import Engine

from query_corpus import ARTICLES, build_query_corpus

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("columns")
    build_query_corpus(root / "corpus")
    index_dir = str(root / "index")
    run_index(index_dir, [str(SEEDS)])
    # A second run adds a segment of its own.
    run_index(index_dir, [str(SEEDS), str(root / "corpus")])
    return index_dir


def test_every_document_has_its_day_and_source(index_dir: str) -> None:
    with Engine(index_dir) as engine:
        searcher = engine.searcher()
        reader = searcher.reader()
        found = columns.read(engine.segment_columns(), engine.clusters())
        assert len(found.days) == reader.doc_count_all()
        checked = 0
        for docnum in range(reader.doc_count_all()):
            if reader.is_deleted(docnum):
                continue
            stored = searcher.stored_fields(docnum)
            assert found.days[docnum] == stored.get("date", 0)
            code = int(found.sources[docnum])
            assert (found.names[code] if code >= 0 else None) == stored.get("source")
            checked += 1
    assert checked == len(ARTICLES) + 9
    assert sorted(found.names) == sorted(
        {a.source for a in ARTICLES if a.source}
        | {
            "Brightline News Agency",
            "Coastal Wire",
            "Eastbrook Evening News",
            "Lenne Valley Courier",
            "Port Annick Herald",
        }
    )
