"""Indexes built today hold exactly what the code before issue 14's array
work built from the same files, and each article's summary.

The digests below are computed with ``tests/index_contents.py``: every
term, posting, position, statistic, stored field, summary, column and
lexicon word of the index.  Everything but the summaries is what main at
19f7854 built (index format 5, before the inversion, vocabulary, MinHash
and postings writing of issue 14 became array work; first computed at
3104e82, format 4): the digests of those lines alone were main's
(``0fd7fe10…``, ``1780e9c2…``, ``6027ae95…``, ``0ac6f1c6…``) when the
summaries came (index format 6) and the lines of each article's summary
were added.  They do not depend on the number of cores (how the articles
are cut into segments) or on where the corpus lies.  A change that alters
any of it fails here; if it is meant to, it needs a new index format and
new digests.
"""

from __future__ import annotations

import os
from pathlib import Path

from index_contents import index_digest

from benchmarks.generate import generate
from searchengine.indexer.ledger import Thresholds
from searchengine.indexer.run import run_index

from corpus_builder import build_mixed_corpus

MIXED = "0f07eccc041209eb2950323852e47f1ae1e662a0918dd3e614b5a1ced3745a8b"
GENERATED = "b46059d43561114efc9803e96764279b18b2608971e775ba3ad45aa37de7ce1a"
GENERATED_EDITED = "b2f31cc9f3d0751c7c13b0de753a88bee184a2ec0bba8d338cfe7b22900eb9c9"
MIXED_EDITED = "6fbc41d92c8a11dbcdc6316afd0ccc77d26b69dc271c87b57e8137ee662dadf4"


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
