"""One adapter per engine: build an index from a corpus, answer the query mix, a cold query.

Each adapter lives in its own module and imports its engine lazily, so a
child process measuring one engine loads nothing of the others.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

from benchmarks.querymix import CLASSES, BenchQuery

#: Engine name -> (module, class).  The order is the report's column order.
ENGINES: dict[str, tuple[str, str]] = {
    "searchengine": ("benchmarks.engines.se", "SearchEngineBench"),
    "plain-whoosh": ("benchmarks.engines.whoosh_plain", "PlainWhooshBench"),
    "fts5": ("benchmarks.engines.fts5", "Fts5Bench"),
    "tantivy": ("benchmarks.engines.tantivy_engine", "TantivyBench"),
}

LABELS: dict[str, str] = {
    "searchengine": "searchengine",
    "plain-whoosh": "plain Whoosh",
    "fts5": "SQLite FTS5",
    "tantivy": "tantivy",
}

#: Results per page, as in searchengine's default.
TOP = 10


class Unsupported(Exception):
    """The engine has no equivalent of this query class (reported as n/a)."""


class Searcher(ABC):
    """An open index answering queries: top 10 with snippets, and the exact total."""

    @abstractmethod
    def search(self, q: BenchQuery) -> int:
        """Run ``q`` (top 10, snippets of the body for each hit); return the total matches."""

    def work(self) -> dict[str, int] | None:
        """What the last search read (``postings`` decoded, ...), if the engine says."""
        return None

    def hostile(self, text: str) -> str:
        """Answer the query ``text`` as typed (top 10, snippets); return its
        total, or the error that refused it, as a short text.  Only engines
        with a hostile-query step implement it."""
        raise Unsupported("no hostile-query step")

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the index."""


class BenchEngine(ABC):
    """How one engine is built and queried in the benchmark."""

    name: str = ""
    #: Query classes this engine can express (the rest are reported as n/a).
    supports: frozenset[str] = frozenset(CLASSES)

    def unavailable(self) -> str | None:
        """Why the engine cannot run here (not installed), or ``None``."""
        return None

    @abstractmethod
    def build(self, corpus: Path, index_dir: Path) -> dict[str, Any]:
        """Index every article under ``corpus`` into ``index_dir``, commit included.

        Returns at least ``{"articles": N}``.
        """

    @abstractmethod
    def open(self, index_dir: Path) -> Searcher:
        """Open the index for querying (once per benchmark)."""

    def cold_argv(self, index_dir: Path, q: BenchQuery) -> list[str] | None:
        """A command line answering ``q`` in a fresh process, or ``None``."""
        return None

    def index_bytes(self, index_dir: Path) -> int:
        total = 0
        for folder, _dirs, names in os.walk(index_dir):
            for name in names:
                with contextlib.suppress(OSError):
                    total += os.path.getsize(os.path.join(folder, name))
        return total

    def versions(self) -> dict[str, str]:
        """Versions of what this engine runs on."""
        return {}


def load_engine(name: str) -> BenchEngine:
    module_name, class_name = ENGINES[name]
    cls: Any = getattr(importlib.import_module(module_name), class_name)
    engine: BenchEngine = cls()
    return engine


def cold_script_argv(code: str, index_dir: Path, q: BenchQuery) -> list[str]:
    """A fresh interpreter running ``code`` for one query: index, text, date
    bounds (empty when open) and whether it is a browse by date."""
    low, high = q.date_bounds()
    return [
        sys.executable,
        "-c",
        code,
        str(index_dir),
        q.text(),
        str(low or ""),
        str(high or ""),
        "1" if q.kind == "browse" else "0",
    ]


def dist_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"
