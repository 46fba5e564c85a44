"""Indexes built today hold exactly what the code before issue 14's array
work built from the same files, and each article's summary.

The digests below were computed by main at 19f7854 (index format 5, before
the inversion, vocabulary, MinHash and postings writing of issue 14 became
array work; first computed at 3104e82, format 4) with
``tests/index_contents.py``: every term, posting, position, statistic,
stored field, summary, column and lexicon word of the index.  They do not
depend on the number of cores (how the articles are cut into segments) or
on where the corpus lies.  The merge of branch ``scale`` added one column
(``digest``, an article's digest for incremental runs): the digests were
computed again then, after checking that the indexes' lines were main's
plus those of that column alone, and the edit now changes one JSON Lines
article besides halving its file (kept articles are now left alone, not
rewritten).  Index format 6 added each article's summary (branch
``summary``): computed again once more, after checking that the lines
without the summaries' still gave the digests before it (``a7663fe5…``,
``60625e08…``, ``a029e120…``, ``c308e892…``).  A change that alters any of
it fails here; if it is meant to, it needs a new index format and new
digests.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from index_contents import index_digest

from benchmarks.generate import generate
from searchengine.indexer.ledger import Thresholds
from searchengine.indexer.run import run_index

from corpus_builder import build_mixed_corpus

MIXED = "9145d2806e4764448c32ea41c7429c42112e762d4a29894b7441a4dd1563c5c0"
GENERATED = "35f4528eed20f73043a559912b684d3157f0dd9486a36b34eff69204b2fb4aac"
GENERATED_EDITED = "0039c435729494618ee0a14552fb30911b6ee646853d145363a4f624d4506ff5"
MIXED_EDITED = "3ae8f272fab8d685f06134ad78b0167f3f8aac3bc30615904047348355c76678"


def _edit(corpus: Path) -> None:
    """Remove some files and change others: the second run deletes the
    removed ones' articles and replaces the changed ones'."""
    texts = sorted(p for p in corpus.rglob("*.txt") if p.read_bytes().isascii())
    for path in texts[:3]:
        path.unlink()
    for path in texts[3:6]:
        path.write_text(path.read_text("utf-8") + "\nA late line: ferries resumed at dawn.\n")
    shard = sorted(corpus.rglob("*.jsonl"))[0]
    lines = shard.read_text("utf-8").splitlines()[::2]
    # The first article kept is edited too (the others stay as they were).
    first = json.loads(lines[0])
    first["title"] = "Late edition: " + first["title"]
    lines[0] = json.dumps(first)
    shard.write_text("\n".join(lines) + "\n", "utf-8")
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
