"""Indexing runs on a real index: incremental add, update, remove, rebuild, lock."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from searchengine.errors import IndexLockedError, UsageError
from searchengine.index import directory as store
from searchengine.indexer.run import run_index
from searchengine.models import IndexSummary, article_id
from searchengine.query.engine import Engine
from searchengine.query.request import SearchRequest

from conftest import WriteFile


def counts(summary: IndexSummary) -> tuple[int, int, int, int, int]:
    return summary.added, summary.updated, summary.unchanged, summary.removed, summary.articles


def all_ids(index_dir: str) -> set[str]:
    with Engine(index_dir) as engine:
        result = engine.search(SearchRequest(query="", limit=1000))
    assert result.total == len(result.hits)
    return {hit.id for hit in result.hits}


def touch_later(path: Path, text: str) -> None:
    """Rewrite ``path`` and make sure its mtime moves on, as an edit would."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


@pytest.fixture
def three(write: WriteFile) -> list[Path]:
    return [
        write("a.txt", "Harbour wall repaired\n\nThe wall is fixed."),
        write("sub/b.md", "# Flood warning\n\nThe river is rising."),
        write(
            "c.jsonl", '{"title": "One", "text": "First."}\n{"title": "Two", "text": "Second."}\n'
        ),
    ]


def test_first_run_adds_everything_and_a_second_changes_nothing(
    three: list[Path], corpus: Path, index_dir: str
) -> None:
    first = run_index(index_dir, [str(corpus)])
    assert counts(first) == (4, 0, 0, 0, 4)
    ids = all_ids(index_dir)
    assert ids == {
        article_id(str(three[0]), None),
        article_id(str(three[1]), None),
        article_id(str(three[2]), 0),
        article_id(str(three[2]), 1),
    }
    toc_before = sorted(os.listdir(index_dir))
    second = run_index(index_dir, [str(corpus)])
    assert counts(second) == (0, 0, 4, 0, 4)
    assert sorted(os.listdir(index_dir)) == toc_before  # no commit at all
    assert all_ids(index_dir) == ids


def test_changed_new_and_deleted_files(
    three: list[Path], corpus: Path, write: WriteFile, index_dir: str
) -> None:
    run_index(index_dir, [str(corpus)])
    touch_later(three[0], "Harbour wall repaired again\n\nA second repair.")
    three[1].unlink()
    new = write("d.txt", "New story\n\nFresh text.")
    summary = run_index(index_dir, [str(corpus)])
    assert counts(summary) == (1, 1, 2, 1, 4)
    assert article_id(str(new), None) in all_ids(index_dir)
    with Engine(index_dir) as engine:
        view = engine.show(article_id(str(three[0]), None))
    assert view.hit.title == "Harbour wall repaired again"


def test_multi_article_file_counts_records(three: list[Path], corpus: Path, index_dir: str) -> None:
    run_index(index_dir, [str(corpus)])
    # Line 0 changes (updated), line 1 goes, lines 2 and 3 are new.
    touch_later(
        three[2],
        '{"title": "One!", "text": "First."}\n\n{"title": "3", "text": "x"}\n{"title": "4", "text": "y"}\n',
    )
    summary = run_index(index_dir, [str(corpus)])
    assert counts(summary) == (2, 1, 2, 1, 5)


def _segment_sizes(index_dir: str) -> list[int]:
    with store.searcher(index_dir) as searcher:
        return [leaf.doc_count_all() for leaf, _ in searcher.reader().leaf_readers()]


def _jsonl(bodies: list[str]) -> str:
    return "".join(f'{{"title": "Story {n}", "text": "{b}"}}\n' for n, b in enumerate(bodies))


def _counting_parses(monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """The record numbers of the JSON Lines lines parsed from now on."""
    from searchengine.load import jsonfmt

    parsed: list[int | None] = []
    original = jsonfmt.article_from_object

    def counting(obj: Any, path: str, record: int | None, encoding: str) -> Any:
        parsed.append(record)
        return original(obj, path, record, encoding)

    monkeypatch.setattr(jsonfmt, "article_from_object", counting)
    return parsed


def test_a_line_moved_in_its_file_is_a_new_record(
    corpus: Path, write: WriteFile, index_dir: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line inserted at the top moves the others down: their bytes are
    known but not where they were, so each is read again under its new
    record number (its id), and the last one is new."""
    bodies = [f"walrus number {n}" for n in range(3)]
    shard = write("s.jsonl", _jsonl(bodies))
    run_index(index_dir, [str(corpus)])
    touch_later(shard, '{"title": "First", "text": "a new first line"}\n' + _jsonl(bodies))
    parsed = _counting_parses(monkeypatch)
    assert counts(run_index(index_dir, [str(corpus)])) == (1, 3, 0, 0, 4)
    assert parsed == [0, 1, 2, 3]
    with Engine(index_dir) as engine:
        found = engine.search(SearchRequest("walrus number 2", limit=10))
    assert [hit.id for hit in found.hits] == [article_id(str(shard), 3)]


@pytest.mark.parametrize("digests", [True, False])
def test_only_the_edited_articles_of_a_changed_file_are_rewritten(
    corpus: Path, write: WriteFile, index_dir: str, monkeypatch: pytest.MonkeyPatch, digests: bool
) -> None:
    """One article of five edited in a JSON Lines file: that one is rewritten,
    the four others are left as they are (compared by their digests, or by
    their stored fields in an index written before digests), and the next
    run finds the file up to date although four articles carry its old
    signature.  Without digests: what an index of an earlier version holds."""
    from searchengine.indexer import build
    from searchengine.indexer.document import document as written

    if not digests:

        def without_digest(*args: Any, **kwargs: Any) -> dict[str, Any]:
            doc = written(*args, **kwargs)
            doc["digest"] = b""
            return doc

        monkeypatch.setattr(build, "document", without_digest)
    bodies = [f"walrus number {n} swims" for n in range(5)]
    shard = write("s.jsonl", _jsonl(bodies))
    write("a.txt", "Other\n\nNothing to do with it.")
    assert counts(run_index(index_dir, [str(corpus)])) == (6, 0, 0, 0, 6)
    monkeypatch.undo()
    bodies[2] = "walrus number 2 dives instead"
    touch_later(shard, _jsonl(bodies))
    parsed = _counting_parses(monkeypatch)
    summary = run_index(index_dir, [str(corpus)])
    assert counts(summary) == (0, 1, 5, 0, 6)
    # With digests, the four lines the index holds are not even parsed.
    assert len(parsed) == (1 if digests else 5)
    assert sorted(_segment_sizes(index_dir)) == [1, 6]  # the edited one alone is new
    with Engine(index_dir) as engine:
        found = engine.search(SearchRequest("dives", limit=10))
        assert [hit.id for hit in found.hits] == [article_id(str(shard), 2)]
        assert engine.search(SearchRequest("swims", limit=10)).total == 4
    again = run_index(index_dir, [str(corpus)])
    assert counts(again) == (0, 0, 6, 0, 6)
    # A record gone and one added; an untouched rewrite changes nothing.
    touch_later(shard, _jsonl([*bodies[:4], "a new walrus"]))
    assert counts(run_index(index_dir, [str(corpus)])) == (0, 1, 5, 0, 6)
    touch_later(shard, _jsonl(bodies[:4]))
    assert counts(run_index(index_dir, [str(corpus)])) == (0, 0, 5, 1, 5)
    toc = sorted(os.listdir(index_dir))
    touch_later(shard, _jsonl(bodies[:4]))  # the same text, a new time
    assert counts(run_index(index_dir, [str(corpus)])) == (0, 0, 5, 0, 5)
    assert sorted(os.listdir(index_dir)) == toc  # nothing to commit


def test_only_files_under_the_given_paths_are_removed(
    three: list[Path], corpus: Path, index_dir: str
) -> None:
    run_index(index_dir, [str(corpus)])
    # Indexing one sub-folder does not remove what lies elsewhere.
    summary = run_index(index_dir, [str(corpus / "sub")])
    assert counts(summary) == (0, 0, 1, 0, 4)
    three[1].unlink()
    assert counts(run_index(index_dir, [str(corpus / "sub")])) == (0, 0, 0, 1, 3)


def test_rebuild_starts_over(
    three: list[Path], corpus: Path, write: WriteFile, index_dir: str
) -> None:
    other = write("../elsewhere/x.txt", "Elsewhere\n\nText.")
    run_index(index_dir, [str(corpus), str(other)])
    summary = run_index(index_dir, [str(corpus)], rebuild=True)
    assert counts(summary) == (4, 0, 0, 0, 4)
    assert article_id(str(other), None) not in all_ids(index_dir)


def test_bad_files_are_reported_and_good_ones_kept(
    write: WriteFile, corpus: Path, index_dir: str
) -> None:
    good = write("good.txt", "Good\n\nA fine article.")
    write("empty.txt", "")
    write("broken.json", "{nope")
    write("feed.jsonl", '{"title": "ok", "text": "fine"}\n{broken\n')
    write("ignored.csv", "a,b")
    summary = run_index(index_dir, [str(corpus)])
    assert summary.added == 2 and summary.articles == 2
    assert [(Path(p.path).name, p.record) for p in summary.skipped] == [("empty.txt", None)]
    assert sorted((Path(p.path).name, p.record) for p in summary.errors) == [
        ("broken.json", None),
        ("feed.jsonl", 1),
    ]
    assert summary.files_ignored == 1 and summary.files_seen == 4
    assert article_id(str(good), None) in all_ids(index_dir)


def test_unknown_encoding_and_missing_path_are_usage_errors(corpus: Path, index_dir: str) -> None:
    with pytest.raises(UsageError, match="unknown encoding"):
        run_index(index_dir, [str(corpus)], encoding="klingon-8")
    with pytest.raises(UsageError, match="no such file"):
        run_index(index_dir, [str(corpus / "missing")])
    assert not os.path.exists(index_dir)


def test_second_writer_waits_then_fails_clearly(
    three: list[Path], corpus: Path, index_dir: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_index(index_dir, [str(corpus)])
    monkeypatch.setattr(store, "LOCK_WAIT", 0.5)
    holder = store.writer(store.open_for_writing(index_dir), index_dir)
    try:
        started = time.monotonic()
        with pytest.raises(IndexLockedError, match="being written by another"):
            run_index(index_dir, [str(corpus)], rebuild=True)
        assert time.monotonic() - started >= 0.4
        # Reading is not blocked by the writer.
        assert len(all_ids(index_dir)) == 4
    finally:
        holder.cancel()
    assert counts(run_index(index_dir, [str(corpus)])) == (0, 0, 4, 0, 4)


def test_interrupted_run_leaves_the_last_commit(
    three: list[Path], corpus: Path, write: WriteFile, index_dir: str
) -> None:
    run_index(index_dir, [str(corpus)])
    for n in range(5):
        write(f"more/{n}.txt", f"More {n}\n\nText {n}.")

    def interrupt(progress: object) -> None:
        if getattr(progress, "files_done", 0) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_index(index_dir, [str(corpus)], progress=interrupt)
    assert len(all_ids(index_dir)) == 4
    assert counts(run_index(index_dir, [str(corpus)])) == (5, 0, 4, 0, 9)


def _pooled_and_serial(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[Any, ...]]:
    """``corpus`` indexed with reader processes and in process: each run's
    counts, errors and article ids, to be compared."""
    import searchengine.indexer.workers as reading

    results = []
    for minimum, name in ((1, "pooled"), (10**9, "serial")):
        monkeypatch.setattr(reading, "POOL_MIN_FILES", minimum)
        target = str(tmp_path / name)
        summary = run_index(target, [str(corpus)])
        results.append(
            (counts(summary), [(p.path, p.reason) for p in summary.errors], all_ids(target))
        )
    return results


def test_reader_processes_give_the_same_index_as_reading_in_process(
    write: WriteFile, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import searchengine.indexer.workers as reading

    for n in range(12):
        write(f"f{n:02d}.txt", f"Story {n}\n\nBody of story {n}.")
    write("bad.json", "{")
    monkeypatch.setattr(reading, "POOL_WINDOW", 3)
    results = _pooled_and_serial(corpus, tmp_path, monkeypatch)
    assert results[0] == results[1]
    assert results[0][0] == (12, 0, 0, 0, 12)


def test_reader_tasks_of_several_files_give_the_same_index(
    write: WriteFile, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reader processes take files in batches (of a few files, fewer when
    they are large); the index is the one read in process."""
    import searchengine.indexer.workers as reading

    for n in range(15):
        write(f"f{n:02d}.txt", f"Story {n}\n\n" + "Body of the story. " * (1 + 40 * (n % 4 == 0)))
    write("bad.json", "{")
    monkeypatch.setattr(reading, "POOL_WINDOW", 2)
    monkeypatch.setattr(reading, "READ_BATCH_FILES", 3)
    monkeypatch.setattr(reading, "READ_BATCH_BYTES", 300)
    files = [(str(p), f"{p.stat().st_size}:0".encode()) for p in sorted(corpus.iterdir())]
    batches = list(reading._batches(files))
    # bad.json, then each large story alone and the small ones by three.
    assert [len(b) for b in batches] == [1, 1, 3, 1, 3, 1, 3, 1, 2]
    assert [p for b in batches for p in b] == files
    results = _pooled_and_serial(corpus, tmp_path, monkeypatch)
    assert results[0] == results[1]
    assert results[0][0] == (15, 0, 0, 0, 15)


def test_file_name_that_is_not_utf8_is_indexed_and_kept_across_runs(
    corpus: Path, index_dir: str
) -> None:
    odd = os.path.join(os.fsencode(str(corpus)), b"caf\xe9-story.txt")
    with open(odd, "wb") as handle:
        handle.write(b"Cafe story\n\nThe harbour cafe reopened.")
    first = run_index(index_dir, [str(corpus)])
    assert counts(first) == (1, 0, 0, 0, 1)
    with Engine(index_dir) as engine:
        (hit,) = engine.search(SearchRequest(query="harbour")).hits
    assert hit.path == str(corpus) + "/caf\\xe9-story.txt"
    assert hit.id == article_id(os.fsdecode(odd), None)
    assert counts(run_index(index_dir, [str(corpus)])) == (0, 0, 1, 0, 1)
    os.remove(odd)
    assert counts(run_index(index_dir, [str(corpus)])) == (0, 0, 0, 1, 0)
