"""Indexes built today hold exactly what the code before issue 14's array
work built from the same files.

The digests below were computed by searchengine 3104e82 (main before the
inversion, stemming, MinHash and postings writing became array work) with
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

MIXED = "f9142e2fe572535a5271e03751581f683544d14616f7b2b950e76048543972a0"
GENERATED = "c528b9f185ae6fb5670f77d5108dba9606a6d13f0de2f998268472a95eda455e"
GENERATED_EDITED = "6662ab87ee56a6b7eff31f6803743c26b32f4870b20f984551b4723fc07557a3"
MIXED_EDITED = "dff4c7445849835894ade4e2b1c27c90b53ac31170780f41b503a64eac5b5a47"


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
