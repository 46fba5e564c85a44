"""Which files a run reads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from searchengine.errors import UsageError
from searchengine.load import format_of
from searchengine.load.walk import WalkStats, check_paths, walk

from conftest import WriteFile


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.TXT", "text"),
        ("a.text", "text"),
        ("a.Md", "markdown"),
        ("a.markdown", "markdown"),
        ("a.HTM", "html"),
        ("a.html", "html"),
        ("a.json", "json"),
        ("a.jsonl", "jsonl"),
        ("a.ndjson", "jsonl"),
        ("a.JSONL.GZ", "jsonl.gz"),
        ("a.csv", None),
        ("README", None),
        ("a.gz", None),
        (".txt", None),
    ],
)
def test_format_by_suffix(name: str, fmt: str | None) -> None:
    assert format_of(name) == fmt


def test_walk_is_recursive_sorted_and_counts_other_files(write: WriteFile, corpus: Path) -> None:
    for rel in (
        "b.txt",
        "a.md",
        "sub/c.json",
        "sub/deeper/d.jsonl",
        "notes.csv",
        "sub/img.png",
        ".hidden/e.txt",
    ):
        write(rel, "x")
    stats = WalkStats()
    found = [os.path.relpath(p, corpus) for p in walk([str(corpus)], stats)]
    assert found == ["a.md", "b.txt", "sub/c.json", "sub/deeper/d.jsonl"]
    assert stats.ignored == 2


def test_symlink_loops_and_links_back_up_are_not_followed(write: WriteFile, corpus: Path) -> None:
    write("sub/a.txt", "x")
    os.symlink(corpus, corpus / "sub" / "loop")
    os.symlink(corpus / "sub", corpus / "again")
    found = [os.path.relpath(p, corpus) for p in walk([str(corpus)])]
    assert found == ["sub/a.txt"]


def test_a_file_named_twice_is_read_once(write: WriteFile, corpus: Path) -> None:
    path = str(write("a.txt", "x"))
    assert list(walk([path, path, str(corpus)])) == [path]


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file or folder"):
        check_paths([str(tmp_path / "nope")])


def test_a_file_reached_through_a_link_and_a_linked_folder_is_read_once(
    write: WriteFile, corpus: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.txt").write_text("x")
    (corpus / "b-link.txt").symlink_to(elsewhere / "b.txt")
    (corpus / "linked").symlink_to(elsewhere)
    write("a.txt", "x")
    found = [os.path.relpath(p, corpus) for p in walk([str(corpus)])]
    assert found == ["a.txt", "b-link.txt"]
