"""Shared fixtures: real files in temporary folders, real indexes on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchengine.indexer.run import run_index
from searchengine.models import IndexSummary

from corpus_builder import ExpectedArticle, ExpectedProblem, build_mixed_corpus

#: The query corpus's index and engine (``indexed``, ``engine``), built once a
#: session and shared by the query tests.
pytest_plugins = ["query_index"]

WriteFile = Callable[..., Path]

#: The mixed corpus indexed: its folder, the index folder, the articles and
#: problems it was written with, and the run's summary.
MixedIndex = tuple[Path, str, list[ExpectedArticle], list[ExpectedProblem], IndexSummary]

#: The keys of one ``--json`` hit of ``search`` and ``similar``, in order
#: (the contract's, plus ``duplicates``, additive with issue 7).
HIT_KEYS = [
    "id",
    "path",
    "record",
    "title",
    "date",
    "source",
    "author",
    "url",
    "score",
    "snippets",
    "duplicates",
]


@pytest.fixture
def write(tmp_path: Path) -> WriteFile:
    """Write a file under ``tmp_path/corpus`` (text in an encoding, or bytes)."""

    def _write(relpath: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / "corpus" / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_bytes(content.encode(encoding))
        else:
            path.write_bytes(content)
        return path

    return _write


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def index_dir(tmp_path: Path) -> str:
    return str(tmp_path / "index")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def mixed_index(tmp_path_factory: pytest.TempPathFactory) -> MixedIndex:
    """The generated mixed corpus (300 articles, seed 7) indexed once a
    session: the ingestion and the boilerplate tests read the same one."""
    root = tmp_path_factory.mktemp("mixed")
    corpus = root / "corpus"
    expected, problems = build_mixed_corpus(corpus, n=300, seed=7)
    index_dir = str(root / "index")
    summary = run_index(index_dir, [str(corpus)])
    return corpus, index_dir, expected, problems, summary
