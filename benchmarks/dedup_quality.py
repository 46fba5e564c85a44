"""Precision and recall of the near-duplicate detector, and what it costs.

``python -m benchmarks.dedup_quality [--originals 2000] [--seed 1] [--index-cost]``

Originals come from the benchmark generator (``benchmarks.generate``: Zipf
words, topics, and sentences shared between unrelated articles from a common
pool, which is what makes false positives possible).  One original in four
is "syndicated": it gets one to four edited copies, each made with one kind
of edit at one strength, and a new title and source:

* ``substitute-N%``: N% of the words replaced by other words of the corpus;
* ``insert-N``: N new sentences inserted at random places;
* ``delete-N``: N sentences dropped;
* ``mixed``: 3% of words substituted, one sentence inserted, one dropped;
* ``truncate-N%``: only the first N% of the sentences kept (a shortened
  rewrite; deliberately beyond what the threshold is meant to catch when
  short).

The truth is "same original"; the detector's answer is "same cluster" from
:func:`searchengine.index.clusters.find_groups` over every article's signature.  Pairs
are counted: precision is the share of pairs the detector put together that
are truly copies, recall the share of true pairs it put together.  Recall is
also given per kind of edit (pairs of an original and one copy).  Everything
is seeded: the same arguments give the same figures.
"""

from __future__ import annotations

import argparse
import itertools
import random
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.generate import ArticleStream, Model, build_pool
from searchengine.analysis import minhash as dedup
from searchengine.index.clusters import find_groups

EDITS = (
    "substitute-2%",
    "substitute-5%",
    "substitute-10%",
    "substitute-20%",
    "insert-1",
    "insert-3",
    "delete-1",
    "delete-3",
    "mixed",
    "truncate-70%",
    "truncate-50%",
)


def _sentences(text: str) -> list[str]:
    return [s.strip() + "." for s in text.split(".") if s.strip()]


def edit(text: str, kind: str, rng: random.Random, vocabulary: list[str], pool: list[str]) -> str:
    """``text`` with one kind of edit applied (see the module docstring)."""
    name, _, amount = kind.partition("-")
    if name == "mixed":
        text = edit(text, "substitute-3%", rng, vocabulary, pool)
        text = edit(text, "insert-1", rng, vocabulary, pool)
        return edit(text, "delete-1", rng, vocabulary, pool)
    if name == "substitute":
        words = text.split()
        share = float(amount.rstrip("%")) / 100
        for i in rng.sample(range(len(words)), max(1, round(len(words) * share))):
            words[i] = rng.choice(vocabulary)
        return " ".join(words)
    sentences = _sentences(text)
    if name == "insert":
        for _ in range(int(amount)):
            sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(pool))
    elif name == "delete":
        for _ in range(min(int(amount), len(sentences) - 1)):
            sentences.pop(rng.randrange(len(sentences)))
    elif name == "truncate":
        keep = max(1, round(len(sentences) * float(amount.rstrip("%")) / 100))
        sentences = sentences[:keep]
    return " ".join(sentences)


def build(originals: int, seed: int) -> tuple[list[str], list[int], dict[int, str]]:
    """Texts, each text's original, and the edit kind of every copy."""
    model = Model.build(seed)
    pool, counts = build_pool(model)
    stream = ArticleStream(model, pool, counts)
    rng = random.Random(f"dedup-{seed}")
    vocabulary = [w for w in model.ranked[:20000] if w.isalpha()]
    texts: list[str] = []
    truth: list[int] = []
    kinds: dict[int, str] = {}
    for i in range(originals):
        body = " ".join(stream.next(i).paragraphs)
        origin = len(texts)
        texts.append(body)
        truth.append(origin)
        if i % 4 == 0:
            for _ in range(rng.randint(1, 4)):
                kind = rng.choice(EDITS)
                kinds[len(texts)] = kind
                texts.append(edit(body, kind, rng, vocabulary, pool))
                truth.append(origin)
    return texts, truth, kinds


def _pairs(groups: list[list[int]]) -> set[tuple[int, int]]:
    return {pair for group in groups for pair in itertools.combinations(sorted(group), 2)}


def index_cost(texts: list[str]) -> float:
    """Milliseconds per article of a whole ``index`` run over ``texts`` (JSONL)."""
    import json

    from searchengine.indexer.run import run_index

    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder, "corpus.jsonl")
        with corpus.open("w", encoding="utf-8") as handle:
            for n, text in enumerate(texts):
                handle.write(json.dumps({"title": f"Article {n}", "body": text}) + "\n")
        started = time.perf_counter()
        run_index(str(Path(folder, "index")), [str(corpus)])
        return (time.perf_counter() - started) * 1000 / len(texts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--originals", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--index-cost", action="store_true", help="also time a whole index run")
    args = parser.parse_args(argv)

    texts, truth, kinds = build(args.originals, args.seed)
    dedup.signature("warm up the probe table")
    started = time.perf_counter()
    signatures = [dedup.signature(t) for t in texts]
    signing = time.perf_counter() - started
    started = time.perf_counter()
    found = find_groups(list(enumerate(signatures)))
    clustering = time.perf_counter() - started

    by_origin: dict[int, list[int]] = defaultdict(list)
    for n, origin in enumerate(truth):
        by_origin[origin].append(n)
    true_pairs = _pairs(list(by_origin.values()))
    found_pairs = _pairs(found)
    hits = len(true_pairs & found_pairs)
    precision = hits / len(found_pairs) if found_pairs else 1.0
    recall = hits / len(true_pairs) if true_pairs else 1.0
    words = sum(len(t.split()) for t in texts) / len(texts)

    print(f"articles {len(texts)} ({args.originals} originals, {len(kinds)} edited copies)")
    print(f"mean length {words:.0f} words, threshold {dedup.DEFAULT_THRESHOLD}")
    print(f"pairs: true {len(true_pairs)}, found {len(found_pairs)}, correct {hits}")
    print(f"precision {precision:.4f}  recall {recall:.4f}")
    print(f"signature {signing * 1000 / len(texts):.3f} ms/article")
    print(f"clusters  {clustering * 1000:.0f} ms for {len(texts)} articles")
    print("recall per edit (original, copy):")
    cluster_of = {n: c for c, group in enumerate(found) for n in group}
    for kind in EDITS:
        copies = [n for n, k in kinds.items() if k == kind]
        together = sum(
            1 for n in copies if n in cluster_of and cluster_of.get(truth[n]) == cluster_of[n]
        )
        share = together / len(copies) if copies else 0.0
        print(f"  {kind:<15} {together:4d}/{len(copies):<4d} {share:.3f}")
    if args.index_cost:
        print(f"index run {index_cost(texts):.3f} ms/article (for comparison)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
