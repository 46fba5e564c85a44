"""Near-duplicate clusters per commit (``index/clusters.py``): the threshold
setting file, the cache of each commit's clusters, and recomputation when
the cache is missing, stale or made at another threshold.

Every test works on a real index of the dedup corpus (``tests/dedup_corpus.py``):
the wire story and its three copies are one cluster at the default threshold;
at 0.8 only the wire story and its closest copy are.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchengine.analysis import minhash as dedup
from searchengine.errors import UsageError
from searchengine.index import clusters
from searchengine.index import directory as store
from searchengine.index.clusters import cache_file, threshold
from searchengine.index.directory import DEDUP_SETTINGS_FILE as SETTINGS_FILE
from searchengine.indexer.run import run_index
from searchengine.models import ClusterCount
from searchengine.query.engine import Engine

from dedup_corpus import ARTICLES, COPIES, Indexed, index_corpus, listing, write_corpus


@pytest.fixture
def indexed(tmp_path: Path) -> Indexed:
    return index_corpus(tmp_path)


def docnums(index_dir: str, ids: dict[str, str]) -> dict[str, int]:
    """name -> document number in the index's current commit."""
    numbers = {}
    with store.searcher(index_dir) as searcher:
        for name, article in ids.items():
            number = searcher.document_number(id=article)
            assert number is not None
            numbers[name] = number
    return numbers


def loaded(index_dir: str) -> clusters.Clusters:
    with store.searcher(index_dir) as searcher:
        return clusters.load(searcher.reader(), index_dir)


def named(found: clusters.Clusters, numbers: dict[str, int]) -> list[set[str]]:
    names = {n: name for name, n in numbers.items()}
    return [{names[d] for d in group} for group in found.groups]


# -- the threshold setting -------------------------------------------------------


def test_the_threshold_is_the_default_until_set_then_kept_in_its_file(tmp_path: Path) -> None:
    folder = str(tmp_path)
    settings = tmp_path / SETTINGS_FILE
    assert threshold(folder) == dedup.DEFAULT_THRESHOLD
    assert clusters.set_threshold(folder, 0.8) is True
    assert json.loads(settings.read_text(encoding="utf-8")) == {"threshold": 0.8}
    assert threshold(folder) == 0.8
    assert clusters.set_threshold(folder, 0.8) is False  # no change
    assert clusters.set_threshold(folder, dedup.DEFAULT_THRESHOLD) is True
    assert json.loads(settings.read_text(encoding="utf-8")) == {"threshold": 0.5}
    assert os.listdir(folder) == [SETTINGS_FILE]  # no temporary file left


@pytest.mark.parametrize("value", [0.0, -0.1, 1.5, math.nan])
def test_a_threshold_out_of_range_is_refused_and_nothing_is_written(
    tmp_path: Path, value: float
) -> None:
    with pytest.raises(UsageError) as info:
        clusters.set_threshold(str(tmp_path), value)
    assert info.value.message == (
        f"--dup-threshold must be above 0 and at most 1, not {value}; the default is 0.5"
    )
    assert os.listdir(tmp_path) == []


def test_a_damaged_settings_file_means_the_default(
    indexed: tuple[str, dict[str, str], dict[str, str]],
) -> None:
    index_dir, _, _ = indexed
    for damaged in ("{", '{"threshold": 7}', '{"threshold": "0.8"}', "[]"):
        Path(index_dir, SETTINGS_FILE).write_text(damaged, encoding="utf-8")
        assert threshold(index_dir) == dedup.DEFAULT_THRESHOLD
        with Engine(index_dir) as engine:
            assert len(engine.clusters().groups[0]) == 4


# -- the clusters of a commit, cached -------------------------------------------


def test_a_commit_s_clusters_are_computed_once_and_cached_with_their_stamp(
    indexed: Indexed,
) -> None:
    index_dir, ids, _ = indexed
    numbers = docnums(index_dir, ids)
    found = loaded(index_dir)
    assert named(found, numbers) == [{"wire", *COPIES}]
    story = sorted(numbers[name] for name in ("wire", *COPIES))
    assert found.groups == (tuple(story),)
    assert found.members(numbers["copy_local"]) == tuple(story)
    assert found.members(numbers["terminal"]) == (numbers["terminal"],)
    assert found.count() == ClusterCount(clusters=1, articles=4, threshold=0.5)
    cache = json.loads(Path(cache_file(index_dir, 1)).read_text(encoding="utf-8"))
    assert cache == {
        "generation": 1,
        "docs": len(ARTICLES),
        "live": len(ARTICLES),
        "threshold": 0.5,
        "clusters": [story],
    }


def test_a_cache_that_fits_the_commit_is_believed(indexed: Indexed) -> None:
    """What the file says is what a reader gets: nothing is recomputed."""
    index_dir, ids, _ = indexed
    numbers = docnums(index_dir, ids)
    path = Path(cache_file(index_dir, 1))
    cache = json.loads(path.read_text(encoding="utf-8"))
    cache["clusters"] = [[numbers["terminal"], numbers["fares"]]]
    path.write_text(json.dumps(cache), encoding="utf-8")
    assert named(loaded(index_dir), numbers) == [{"terminal", "fares"}]


def test_another_threshold_recomputes_the_same_commit_s_clusters(indexed: Indexed) -> None:
    index_dir, ids, _ = indexed
    numbers = docnums(index_dir, ids)
    assert clusters.set_threshold(index_dir, 0.8)
    found = loaded(index_dir)
    assert (found.threshold, named(found, numbers)) == (0.8, [{"wire", "copy_substituted"}])
    cache = json.loads(Path(cache_file(index_dir, 1)).read_text(encoding="utf-8"))
    assert (cache["generation"], cache["threshold"]) == (1, 0.8)
    assert cache["clusters"] == [sorted([numbers["wire"], numbers["copy_substituted"]])]
    assert clusters.set_threshold(index_dir, 0.03)
    assert named(loaded(index_dir), numbers) == [{"wire", *COPIES}, {"terminal", "fares"}]


def test_refresh_keeps_only_the_current_commit_s_cache(indexed: Indexed) -> None:
    index_dir, _, _ = indexed
    for old in ("dedup-v1-0.json", "dedup-v0-1.json", "dedup-v1-12.json"):
        Path(index_dir, old).write_text("{}", encoding="utf-8")
    clusters.set_threshold(index_dir, 0.8)
    with store.searcher(index_dir) as searcher:
        clusters.refresh(index_dir, searcher.reader())
    kept = sorted(name for name in os.listdir(index_dir) if name.startswith("dedup"))
    assert kept == [os.path.basename(cache_file(index_dir, 1)), SETTINGS_FILE]


def test_an_empty_index_has_no_clusters_and_writes_no_cache(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    index_dir = str(tmp_path / "index")
    write_corpus(tmp_path / "corpus", ("wire",))
    run_index(index_dir, [str(tmp_path / "corpus")])
    (tmp_path / "corpus" / "wire.txt").unlink()
    run_index(index_dir, [str(tmp_path / "corpus")])
    found = loaded(index_dir)
    assert found == clusters.Clusters(threshold=0.5)
    assert found.count() == ClusterCount(clusters=0, articles=0, threshold=0.5)
    assert not Path(cache_file(index_dir, 2)).exists()


def test_clusters_are_cached_per_commit_and_recomputed_when_missing(
    indexed: tuple[str, dict[str, str], dict[str, str]],
) -> None:
    index_dir, _, names = indexed
    caches = sorted(p.name for p in Path(index_dir).glob("dedup-*.json"))
    assert caches == [Path(cache_file(index_dir, 1)).name]
    cached = json.loads(Path(index_dir, caches[0]).read_text(encoding="utf-8"))
    assert cached["generation"] == 1 and len(cached["clusters"]) == 1
    assert len(cached["clusters"][0]) == 4
    before = listing(index_dir, names, query="ferry")
    Path(index_dir, caches[0]).unlink()
    assert listing(index_dir, names, query="ferry") == before
    assert Path(index_dir, caches[0]).exists()  # kept again for the next search
    # A cache that does not describe this commit's documents is not believed.
    stale = {"generation": 1, "docs": 99, "live": 99, "clusters": [[0, 1, 2, 3, 4, 5, 6, 7, 8]]}
    Path(index_dir, caches[0]).write_text(json.dumps(stale), encoding="utf-8")
    assert listing(index_dir, names, query="ferry") == before


def test_incremental_runs_merge_and_split_clusters(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    index_dir = str(tmp_path / "index")
    ids = write_corpus(folder, ("wire", "copy_substituted", "library"))
    run_index(index_dir, [str(folder)])
    names = {v: k for k, v in ids.items()}
    assert listing(index_dir, names, sort="oldest")[2] == [
        ("wire", ["copy_substituted"]),
        ("library", []),
    ]
    # A new copy joins the cluster.
    ids.update(write_corpus(folder, ("copy_reshaped",)))
    names = {v: k for k, v in ids.items()}
    run_index(index_dir, [str(folder)])
    assert listing(index_dir, names, sort="oldest")[2] == [
        ("wire", ["copy_substituted", "copy_reshaped"]),
        ("library", []),
    ]
    # The original goes: its copies are still each other's near-duplicates.
    (folder / "wire.txt").unlink()
    run_index(index_dir, [str(folder)])
    assert listing(index_dir, names, sort="oldest")[2] == [
        ("copy_substituted", ["copy_reshaped"]),
        ("library", []),
    ]
    # A copy rewritten into another story leaves the cluster: nothing is left to fold.
    rewritten = folder / "copy_reshaped.txt"
    rewritten.write_text(
        "---\ntitle: Other news\ndate: 2024-03-03\n---\n\n" + ARTICLES["bakery"][3] + "\n",
        encoding="utf-8",
    )
    os.utime(rewritten, ns=(1, 1))
    run_index(index_dir, [str(folder)])
    assert listing(index_dir, names, sort="oldest")[:2] == (3, 3)
    # One cluster file, the last commit's: older ones are cleared away.
    assert [p.name for p in Path(index_dir).glob("dedup-*.json")] == ["dedup-v2-4.json"]


# -- the clustering itself, against the former dictionary-based one ------------------


def reference_groups(signatures: list[tuple[int, bytes]], at: float) -> list[list[int]]:
    """The former :func:`clusters.find_groups`: every signature held as bytes,
    one dictionary of band values per band, pairs compared with
    :func:`dedup.similarity`.  The arrays version must give the same groups."""
    rows = clusters.rows_for(at)
    same: dict[bytes, list[int]] = {}
    for key, sig in signatures:
        if len(sig) == dedup.SIGNATURE_BYTES:
            same.setdefault(sig, []).append(key)
    parent: dict[int, int] = {}

    def root(key: int) -> int:
        while parent.get(key, key) != key:
            key = parent[key]
        return key

    def join(a: int, b: int) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for keys in same.values():
        for other in keys[1:]:
            join(keys[0], other)
    width = rows * dedup.VALUE_BYTES
    for band in range(dedup.BINS // rows):
        buckets: dict[bytes, list[bytes]] = {}
        for sig in same:
            buckets.setdefault(sig[band * width : (band + 1) * width], []).append(sig)
        for sigs in buckets.values():
            for i, a in enumerate(sigs):
                for b in sigs[i + 1 :]:
                    if dedup.similarity(a, b) >= at:
                        join(same[a][0], same[b][0])
    groups: dict[int, list[int]] = {}
    for key in {k for keys in same.values() for k in keys}:
        groups.setdefault(root(key), []).append(key)
    return sorted(sorted(members) for members in groups.values() if len(members) > 1)


@st.composite
def signature_sets(draw: st.DrawFn) -> tuple[list[tuple[int, bytes]], float]:
    """Signatures with planted families: each family a base signature and
    copies of it with some bins changed (few: near-copies; many: strangers
    that share a band or two), verbatim copies, and missing or odd ones;
    keys in any order.  Bin values come from a small range, so unrelated
    signatures share bands too."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    spread = draw(st.sampled_from([3, 50, 2**16 - 1]))
    rows: list[bytes] = []
    for _ in range(draw(st.integers(0, 12))):
        base = rng.integers(0, spread, dedup.BINS, dtype=np.uint64).astype(np.uint16)
        rows.append(base.astype("<u2").tobytes())
        for _ in range(draw(st.integers(0, 6))):
            copy = base.copy()
            changed = rng.choice(dedup.BINS, draw(st.integers(0, dedup.BINS)), replace=False)
            copy[changed] = rng.integers(0, spread, len(changed), dtype=np.uint64)
            rows.append(copy.astype("<u2").tobytes())
    rows += draw(st.lists(st.sampled_from([b"", b"odd", bytes(8)]), max_size=3))
    keys = draw(st.permutations(range(1000, 1000 + len(rows))))
    at = draw(st.sampled_from([0.01, 0.03, 0.2, 0.45, 0.5, 0.62, 0.8, 1.0]))
    return list(zip(keys, rows, strict=True)), at


@settings(max_examples=150, deadline=None)
@given(signature_sets(), st.sampled_from([(1 << 15, 512, 64 << 20), (3, 2, 0)]))
def test_find_groups_gives_the_former_groups(
    case: tuple[list[tuple[int, bytes]], float], limits: tuple[int, int, int]
) -> None:
    """Also with tiny chunks and buckets, so that chunked reading and the
    one-member-at-a-time comparison of large buckets are exercised, and
    with the bands read one at a time (as for many signatures) rather
    than all at once."""
    signatures, at = case
    saved = clusters._CHUNK, clusters._BUCKET_AT_ONCE, clusters._RESIDENT_BYTES
    clusters._CHUNK, clusters._BUCKET_AT_ONCE, clusters._RESIDENT_BYTES = limits
    try:
        assert clusters.find_groups(signatures, at) == reference_groups(signatures, at)
    finally:
        clusters._CHUNK, clusters._BUCKET_AT_ONCE, clusters._RESIDENT_BYTES = saved


@pytest.mark.parametrize("resident", [64 << 20, 0])
@pytest.mark.parametrize("unsigned", [True, False])
def test_an_index_s_clusters_are_read_from_its_segments_in_place(
    tmp_path: Path, unsigned: bool, resident: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over several segments, with deleted articles, and with or without an
    article that has no signature (with one, a segment's signatures do not
    follow one another and are gathered byte by byte; without, the live
    rows are taken from a view of all of them), the bands read all at once
    or (as for many articles) one at a time, pages given back as read: the
    groups are those of the live signatures read one by one."""
    monkeypatch.setattr(clusters, "_RESIDENT_BYTES", resident)
    folder = tmp_path / "corpus"
    index_dir = str(tmp_path / "index")
    # Four articles, one later deleted: too few deleted for the segment to be rewritten.
    write_corpus(folder / "a", ("wire", "terminal", "copy_substituted", "fares"))
    if unsigned:
        (folder / "a" / "empty.txt").write_text(
            "---\ntitle: Nothing\n---\n\n--\n", encoding="utf-8"
        )
    run_index(index_dir, [str(folder)])
    write_corpus(folder / "b", ("copy_reshaped", "copy_local", "library"))
    run_index(index_dir, [str(folder)])
    (folder / "a" / "copy_substituted.txt").unlink()
    run_index(index_dir, [str(folder)])
    with store.searcher(index_dir) as searcher:
        reader = searcher.reader()
        assert len(list(reader.leaf_readers())) == 2 and reader.has_deletions()
        column = reader.column_reader("minhash")
        live = [(n, column[n]) for n in range(reader.doc_count_all()) if not reader.is_deleted(n)]
        assert (b"" in [sig for _, sig in live]) == unsigned
        for at in (0.03, 0.5, 0.8):
            found = clusters.compute(reader, at)
            assert found == reference_groups(live, at)
        assert len(clusters.compute(reader)) == 1
