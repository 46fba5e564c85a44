"""Indexes built today hold exactly what the code before issue 14's array
work built from the same files.

The digests below were computed by main at 19f7854 (index format 5, before
the inversion, vocabulary, MinHash and postings writing of issue 14 became
array work; first computed at 3104e82, format 4) with
``tests/index_contents.py``: every term, posting, position, statistic,
stored field, column and lexicon word of the index.  They do not depend on
the number of cores (how the articles are cut into segments) or on where
the corpus lies.  A change that alters any of it fails here; if it is
meant to, it needs a new index format and new digests.
"""

from __future__ import annotations

import os
from pathlib import Path

from index_contents import index_digest

from benchmarks.generate import generate
from searchengine.indexer.ledger import Thresholds
from searchengine.indexer.run import run_index

from corpus_builder import build_mixed_corpus

MIXED = "0fd7fe10ec8532e432c6c87c2794ba322b81889f1ede49cee72be0d1b78f3bc2"
GENERATED = "1780e9c2312604ea2f02f102934b495eb88c35e0b3bb6c9f2c870248154ea587"
GENERATED_EDITED = "6027ae953f0d075aaf2c2b417aaf1e6670a275a21df38df64c244df87948e670"
MIXED_EDITED = "0ac6f1c671a681a3045d20debb824f110ec8d484304d3bdfab337cf8385d16b3"


def _edit(corpus: Path) -> None:
    """Remove some files and change others: the second run deletes the
    removed ones' articles and replaces the changed ones'."""
    texts = sorted(p for p in corpus.rglob("*.txt") if p.read_bytes().isascii())
    for path in texts[:3]:
        path.unlink()
    for path in texts[3:6]:
        path.write_text(path.read_text("utf-8") + "\nA late line: ferries resumed at dawn.\n")
    shard = sorted(corpus.rglob("*.jsonl"))[0]
    lines = shard.read_text("utf-8").splitlines()
    shard.write_text("\n".join(lines[::2]) + "\n", "utf-8")
    # A changed file must not look unchanged to the run (same size, same second).
    for path in [*texts[3:6], shard]:
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def _second_run(index_dir: str, corpus: Path, thresholds: Thresholds | None = None) -> None:
    """The incremental run after :func:`_edit`; with lower boilerplate
    ``thresholds``, more lines are learned and stored articles are cleaned
    again, through the run's own writer."""
    summary = run_index(index_dir, [str(corpus)], boilerplate=thresholds)
    assert summary.removed > 0 and summary.updated > 0
    assert summary.recleaned > 0 or thresholds is None


def test_the_mixed_corpus_indexes_as_before_and_after_an_incremental_run(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    build_mixed_corpus(corpus, n=300, seed=7)
    index_dir = str(tmp_path / "index")
    run_index(index_dir, [str(corpus)])
    assert index_digest(index_dir, str(corpus)) == MIXED
    _edit(corpus)
    _second_run(index_dir, corpus, Thresholds(min_articles=2, min_share=0.05))
    assert index_digest(index_dir, str(corpus)) == MIXED_EDITED


def test_generated_news_indexes_as_before_and_after_an_incremental_run(tmp_path: Path) -> None:
    corpus = tmp_path / "generated"
    generate(400, corpus, seed=3)
    index_dir = str(tmp_path / "index")
    run_index(index_dir, [str(corpus)])
    assert index_digest(index_dir, str(corpus)) == GENERATED
    _edit(corpus)
    _second_run(index_dir, corpus)
    assert index_digest(index_dir, str(corpus)) == GENERATED_EDITED
