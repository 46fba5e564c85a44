"""Near-duplicates: MinHash signatures and their clustering, and what the
command line makes of them (search, the threshold option, stats).

The clusters an index keeps per commit are tested in ``test_clusters``,
collapsed search in ``test_query_collapse``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchengine.analysis import minhash as dedup
from searchengine.cli import cli
from searchengine.errors import UsageError
from searchengine.index import clusters
from searchengine.index.clusters import cache_file
from searchengine.index.directory import DEDUP_SETTINGS_FILE as SETTINGS_FILE
from searchengine.indexer.run import run_index
from searchengine.query.engine import Engine
from searchengine.query.similar import similar

from dedup_corpus import ARTICLES, COPIES, Indexed, index_corpus, listing, write_corpus

# -- signatures and clusters ----------------------------------------------------


def test_signature_is_pinned_and_the_same_in_another_process() -> None:
    text = "Ferry services resume after the storm"
    sig = dedup.signature(text)
    assert len(sig) == dedup.BINS * 2
    # Pinned: signatures are stored in indexes, so they must never drift.
    # (Index format 5 keeps the low 16 bits of each value; format 4's
    # pinned bytes were 7d5d1022 5c1d5821 02b94227 5c1d5821.)
    assert sig[:16].hex() == "7d5d5c1d02b95c1d5c1d8c278c277d5d"
    code = f"from searchengine.analysis.minhash import signature; print(signature({text!r}).hex())"
    other = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert other.stdout.strip() == sig.hex()


def test_case_accents_and_punctuation_do_not_matter_and_empty_text_has_no_signature() -> None:
    assert dedup.signature("Zürich ferry, CLOSED!") == dedup.signature("zurich ferry closed")
    assert dedup.signature("") == b"" and dedup.signature(" -- ") == b""
    assert dedup.similarity(b"", b"") == 0.0


def test_edited_copies_are_similar_and_other_stories_are_not() -> None:
    wire = dedup.signature(ARTICLES["wire"][3])
    for name in COPIES:
        assert dedup.similarity(wire, dedup.signature(ARTICLES[name][3])) >= dedup.DEFAULT_THRESHOLD
    for name in ("terminal", "fares", "library", "bakery", "cycling"):
        assert dedup.similarity(wire, dedup.signature(ARTICLES[name][3])) < 0.1


def test_clusters_are_transitive_sorted_and_skip_missing_signatures() -> None:
    w = [f"w{i}" for i in range(60)]
    y = [f"y{i}" for i in range(20)]
    a = " ".join(w)
    b = " ".join(w[:45] + y[:15])  # a with its last quarter replaced
    c = " ".join(w[22:45] + y)  # like b, not like a
    sigs = {n: dedup.signature(t) for n, t in {1: a, 2: b, 3: c}.items()}
    assert dedup.similarity(sigs[1], sigs[3]) < dedup.DEFAULT_THRESHOLD
    assert dedup.similarity(sigs[1], sigs[2]) >= dedup.DEFAULT_THRESHOLD
    assert dedup.similarity(sigs[2], sigs[3]) >= dedup.DEFAULT_THRESHOLD
    pairs = [(9, sigs[3]), (4, b""), (2, sigs[2]), (1, sigs[1]), (7, sigs[1]), (5, b"odd")]
    assert clusters.find_groups(pairs) == [[1, 2, 7, 9]]
    assert (
        clusters.find_groups([(1, sigs[1]), (2, dedup.signature("something else entirely"))]) == []
    )


@pytest.fixture
def indexed(tmp_path: Path) -> Indexed:
    return index_corpus(tmp_path)


# -- the command line -----------------------------------------------------------


def test_search_json_gains_duplicates_and_total_uncollapsed(
    indexed: tuple[str, dict[str, str], dict[str, str]],
) -> None:
    index_dir, ids, _ = indexed
    runner = CliRunner()
    args = ["--index", index_dir, "search", "ferry", "--sort", "oldest", "--json"]
    document = json.loads(runner.invoke(cli, args, catch_exceptions=False).stdout)
    assert (document["total"], document["total_uncollapsed"]) == (3, 6)
    assert [(h["id"], h["duplicates"]) for h in document["hits"]] == [
        (ids["terminal"], []),
        (ids["wire"], [ids["copy_substituted"], ids["copy_reshaped"], ids["copy_local"]]),
        (ids["fares"], []),
    ]
    plain = json.loads(runner.invoke(cli, [*args, "--no-collapse"], catch_exceptions=False).stdout)
    assert (plain["total"], plain["total_uncollapsed"]) == (6, 6)
    assert [h["duplicates"] for h in plain["hits"]] == [[]] * 6


def test_human_search_says_how_many_similar_and_from_where(
    indexed: tuple[str, dict[str, str], dict[str, str]],
) -> None:
    index_dir, _, _ = indexed
    args = ["--index", index_dir, "search", "ferry", "--sort", "oldest"]
    out = CliRunner().invoke(cli, args, catch_exceptions=False).stdout
    assert "3 articles for 'ferry' (+3 similar folded in)" in out
    assert "+3 similar (sources Harbour Post, Valley Herald, Saltmarsh Gazette)" in out
    assert out.count("similar (source") == 1
    plain = CliRunner().invoke(cli, [*args, "--no-collapse"], catch_exceptions=False).stdout
    assert "6 articles for 'ferry'" in plain and "similar" not in plain


def test_signatures_made_in_reader_processes_cluster_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import searchengine.indexer.workers as reading

    ids = write_corpus(tmp_path / "corpus")
    names = {v: k for k, v in ids.items()}
    monkeypatch.setattr(reading, "POOL_WINDOW", 3)
    listings = []
    for minimum, name in ((1, "pooled"), (10**9, "serial")):
        monkeypatch.setattr(reading, "POOL_MIN_FILES", minimum)
        run_index(str(tmp_path / name), [str(tmp_path / "corpus")])
        listings.append(listing(str(tmp_path / name), names, query="ferry", sort="oldest"))
    assert listings[0] == listings[1]
    assert listings[0][2][1] == ("wire", ["copy_substituted", "copy_reshaped", "copy_local"])


# -- the threshold ----------------------------------------------------------------

#: Estimated similarities of the wire story's copies (pinned by the signatures).
#: wire~copy_substituted 0.84, wire~copy_reshaped 0.79, wire~copy_local 0.77,
#: copy_reshaped~copy_local 0.61, terminal~fares 0.03, wire~fares 0.008.
PAIRS = {
    ("wire", "copy_substituted"): 108,
    ("wire", "copy_reshaped"): 101,
    ("wire", "copy_local"): 99,
    ("copy_reshaped", "copy_local"): 78,
    ("terminal", "fares"): 4,
    ("wire", "fares"): 1,
}


def named_clusters(threshold: float) -> list[set[str]]:
    names = list(ARTICLES)
    pairs = [(n, dedup.signature(ARTICLES[name][3])) for n, name in enumerate(names)]
    return [{names[n] for n in group} for group in clusters.find_groups(pairs, threshold)]


def test_the_pairs_of_the_fixture_have_the_similarities_the_threshold_tests_rely_on() -> None:
    for (a, b), bins in PAIRS.items():
        similarity = dedup.similarity(
            dedup.signature(ARTICLES[a][3]), dedup.signature(ARTICLES[b][3])
        )
        assert similarity == bins / dedup.BINS


def test_the_threshold_decides_which_copies_are_one_story() -> None:
    assert named_clusters(0.9) == []
    assert named_clusters(0.8) == [{"wire", "copy_substituted"}]
    assert named_clusters(0.78) == [{"wire", "copy_substituted", "copy_reshaped"}]
    assert named_clusters(dedup.DEFAULT_THRESHOLD) == [{"wire", *COPIES}]
    # Low thresholds use narrower bands, and still find pairs sharing a bin or two.
    assert clusters.rows_for(0.03) == 1
    assert named_clusters(0.03) == [{"wire", *COPIES}, {"terminal", "fares"}]
    assert named_clusters(0.005) == [{"wire", *COPIES, "terminal", "fares"}]


def test_bands_narrow_as_the_threshold_falls_and_a_pair_at_it_stays_likely_found() -> None:
    assert [clusters.rows_for(t) for t in (1.0, 0.5, 0.49, 0.45, 0.2, 0.17, 0.01)] == [
        4,
        4,
        4,
        2,
        2,
        1,
        1,
    ]
    for at in (0.015, 0.1, 0.17, 0.2, 0.3, 0.45, 0.49, 0.5, 0.7, 1.0):
        assert clusters.candidate_chance(at, clusters.rows_for(at)) >= clusters.MIN_CANDIDATE_CHANCE
    # Below that a pair at the threshold shares about one bin of 128: a coin toss.
    assert 0.7 < clusters.candidate_chance(0.01, 1) < clusters.MIN_CANDIDATE_CHANCE
    for bad in (0.0, -0.5, 1.5, float("nan")):
        with pytest.raises(UsageError, match="--dup-threshold must be above 0 and at most 1"):
            clusters.find_groups([], bad)


def folded(runner: CliRunner, index_dir: str, ids: dict[str, str]) -> dict[str, set[str]]:
    """``search ferry``'s hits as name -> the names folded into it."""
    names = {v: k for k, v in ids.items()}
    args = ["--index", index_dir, "search", "ferry", "--sort", "oldest", "--json"]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    hits = json.loads(result.stdout)["hits"]
    return {names[h["id"]]: {names[d] for d in h["duplicates"]} for h in hits}


def index_json(runner: CliRunner, index_dir: str, *args: str) -> dict[str, object]:
    result = runner.invoke(cli, ["--index", index_dir, "index", *args, "--json"])
    assert result.exit_code == 0, result.stderr
    summary: dict[str, object] = json.loads(result.stdout)
    return summary


def test_dup_threshold_is_kept_by_the_index_and_reclusters_without_a_commit(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    corpus = str(tmp_path / "corpus")
    index_dir = str(tmp_path / "index")
    ids = write_corpus(tmp_path / "corpus")
    index_json(runner, index_dir, corpus)
    story = {"wire": {"copy_substituted", "copy_reshaped", "copy_local"}}
    assert folded(runner, index_dir, ids) == {"terminal": set(), **story, "fares": set()}
    assert not Path(index_dir, SETTINGS_FILE).exists()  # nothing set, nothing written

    summary = index_json(runner, index_dir, corpus, "--dup-threshold", "0.8")
    assert (summary["added"], summary["unchanged"]) == (0, 9)
    # No commit: the same generation's cache, computed again at the new threshold.
    cache = json.loads(Path(cache_file(index_dir, 1)).read_text(encoding="utf-8"))
    assert cache["threshold"] == 0.8 and [len(c) for c in cache["clusters"]] == [2]
    assert folded(runner, index_dir, ids) == {
        "terminal": set(),
        "wire": {"copy_substituted"},
        "copy_reshaped": set(),
        "copy_local": set(),
        "fares": set(),
    }
    # Kept: a later run without the option, a rebuild, and `similar` all use it.
    index_json(runner, index_dir, corpus)
    index_json(runner, index_dir, corpus, "--rebuild")
    assert folded(runner, index_dir, ids)["wire"] == {"copy_substituted"}
    with Engine(index_dir) as engine:
        assert engine.clusters().threshold == 0.8
        found = similar(engine, ids["wire"], collapse=False)
    # Only the wire story's own cluster is left out now: the looser copies are related.
    assert {h.id for h in found.result.hits} == {
        ids[name] for name in ("copy_reshaped", "copy_local", "terminal", "fares")
    }

    index_json(runner, index_dir, corpus, "--dup-threshold", "0.5")
    assert folded(runner, index_dir, ids) == {"terminal": set(), **story, "fares": set()}
    assert json.loads(Path(index_dir, SETTINGS_FILE).read_text(encoding="utf-8")) == {
        "threshold": 0.5
    }


@pytest.mark.parametrize("value", ["0", "-0.2", "1.5", "nan", "often"])
def test_a_bad_dup_threshold_is_a_usage_error_and_touches_nothing(
    tmp_path: Path, value: str
) -> None:
    write_corpus(tmp_path / "corpus", ("wire",))
    index_dir = tmp_path / "index"
    args = ["--index", str(index_dir), "index", str(tmp_path / "corpus"), "--dup-threshold"]
    result = CliRunner().invoke(cli, [*args, value, "--json"])
    assert (result.exit_code, result.stdout) == (2, "")
    error = json.loads(result.stderr)["error"]
    assert error["type"] == "usage" and "--dup-threshold" in error["message"]
    assert not index_dir.exists()
    human = CliRunner().invoke(cli, [*args, value])
    assert human.exit_code == 2 and "--dup-threshold" in human.stderr


# -- stats ------------------------------------------------------------------------


def stats_json(runner: CliRunner, index_dir: str) -> dict[str, object]:
    result = runner.invoke(cli, ["--index", index_dir, "stats", "--json"])
    assert (result.exit_code, result.stderr) == (0, "")
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_stats_counts_clusters_and_their_articles_at_the_index_threshold(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    corpus = str(tmp_path / "corpus")
    index_dir = str(tmp_path / "index")
    write_corpus(tmp_path / "corpus")
    index_json(runner, index_dir, corpus)
    document = stats_json(runner, index_dir)
    assert list(document)[-1] == "duplicates"  # added last: scripts keep their keys
    assert document["duplicates"] == {"clusters": 1, "articles": 4, "threshold": 0.5}
    for value, expected in (
        ("0.8", {"clusters": 1, "articles": 2, "threshold": 0.8}),  # wire, copy_substituted
        ("0.9", {"clusters": 0, "articles": 0, "threshold": 0.9}),
        ("0.03", {"clusters": 2, "articles": 6, "threshold": 0.03}),  # + terminal, fares
    ):
        index_json(runner, index_dir, corpus, "--dup-threshold", value)
        assert stats_json(runner, index_dir)["duplicates"] == expected
        # Searching everything folds each cluster into one hit.
        every = runner.invoke(cli, ["--index", index_dir, "search", "", "--json"])
        assert json.loads(every.stdout)["total"] == 9 - expected["articles"] + expected["clusters"]
    human = runner.invoke(cli, ["--index", index_dir, "stats"])
    assert human.exit_code == 0
    lines = [line.rstrip() for line in human.stdout.splitlines()]
    assert "near-duplicates  6 articles in 2 clusters (similarity ≥ 0.03)" in lines
