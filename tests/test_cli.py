"""The command line, in-process through CliRunner: exit codes, stdout, stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from searchengine.cli import cli
from searchengine.models import article_id

from conftest import HIT_KEYS, WriteFile

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def run(runner: CliRunner, *args: str, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(cli, list(args), env=env, catch_exceptions=False)


def as_json(text: str) -> object:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text  # exactly one document
    return json.loads(lines[0])


@pytest.fixture
def small(write: WriteFile, corpus: Path) -> Path:
    write(
        "a.txt",
        "---\ntitle: Harbour wall repaired\ndate: 2021-09-06\nsource: Herald\n---\nThe harbour wall is fixed.",
    )
    write(
        "b.jsonl", '{"title": "Flood", "text": "The river rose.", "date": "2021-10-01"}\n{broken\n'
    )
    write("empty.md", "")
    write("notes.csv", "x")
    return corpus


def test_index_json_summary_shape(runner: CliRunner, small: Path, index_dir: str) -> None:
    result = run(runner, "index", str(small), "--index", index_dir, "--json")
    assert result.exit_code == 0
    assert result.stderr == ""
    summary = as_json(result.stdout)
    assert isinstance(summary, dict)
    assert list(summary) == [
        "added",
        "updated",
        "unchanged",
        "removed",
        "skipped",
        "errors",
        "articles",
        "took_ms",
        "recleaned",
    ]
    assert (
        summary["added"],
        summary["updated"],
        summary["unchanged"],
        summary["removed"],
        summary["articles"],
    ) == (2, 0, 0, 0, 2)
    assert summary["skipped"] == [
        {"path": str(small / "empty.md"), "record": None, "reason": "empty file"}
    ]
    (error,) = summary["errors"]
    assert (error["path"], error["record"]) == (str(small / "b.jsonl"), 1)
    assert error["reason"].startswith("not valid JSON")
    assert isinstance(summary["took_ms"], float)


def test_index_human_summary_goes_to_stdout_problems_to_stderr(
    runner: CliRunner, small: Path, index_dir: str
) -> None:
    result = run(runner, "--index", index_dir, "index", str(small))
    assert result.exit_code == 0
    assert "added" in result.stdout and "articles in index" in result.stdout
    assert "empty.md" in result.stderr and "b.jsonl:1" in result.stderr
    assert "\x1b[" not in result.stdout  # not a terminal: no colour


def test_group_and_command_index_options_and_env(
    runner: CliRunner, small: Path, tmp_path: Path
) -> None:
    env_dir = str(tmp_path / "from-env")
    assert (
        run(runner, "index", str(small), "--json", env={"SEARCHENGINE_INDEX": env_dir}).exit_code
        == 0
    )
    stats = as_json(run(runner, "stats", "--json", env={"SEARCHENGINE_INDEX": env_dir}).stdout)
    assert isinstance(stats, dict) and stats["articles"] == 2


def test_stats_json(runner: CliRunner, small: Path, index_dir: str) -> None:
    run(runner, "--index", index_dir, "index", str(small), "--json")
    result = run(runner, "--index", index_dir, "stats", "--json")
    assert result.exit_code == 0
    stats = as_json(result.stdout)
    assert isinstance(stats, dict)
    assert stats["articles"] == 2
    assert stats["sources"] == {"Herald": 1}
    assert (stats["first_date"], stats["last_date"], stats["undated"]) == (
        "2021-09-06",
        "2021-10-01",
        0,
    )
    assert stats["by_month"] == {"2021-09": 1, "2021-10": 1}
    assert stats["index_bytes"] > 0
    assert stats["duplicates"] == {"clusters": 0, "articles": 0, "threshold": 0.5}


def test_stats_human(runner: CliRunner, small: Path, index_dir: str) -> None:
    run(runner, "--index", index_dir, "index", str(small), "--json")
    result = run(runner, "--index", index_dir, "stats")
    assert result.exit_code == 0
    assert "2021-09-06 … 2021-10-01" in result.stdout
    assert "Herald" in result.stdout


def test_show_json_and_human(runner: CliRunner, small: Path, index_dir: str) -> None:
    run(runner, "--index", index_dir, "index", str(small), "--json")
    ident = article_id(str(small / "a.txt"), None)
    shown = as_json(run(runner, "--index", index_dir, "show", ident, "--json").stdout)
    assert shown == {
        "id": ident,
        "path": str(small / "a.txt"),
        "record": None,
        "title": "Harbour wall repaired",
        "date": "2021-09-06",
        "source": "Herald",
        "author": None,
        "url": None,
        "body": "The harbour wall is fixed.",
        "encoding": "utf-8",
    }
    with_query = as_json(
        run(runner, "--index", index_dir, "show", ident, "--query", "walls", "--json").stdout
    )
    assert isinstance(with_query, dict)
    assert with_query["highlights"] == [[12, 16]]
    assert with_query["snippets"] == [
        {"text": "The harbour wall is fixed.", "highlights": [[12, 16]]}
    ]
    human = run(runner, "--index", index_dir, "show", ident)
    assert human.exit_code == 0 and "The harbour wall is fixed." in human.stdout


def test_show_unknown_id_is_exit_1(runner: CliRunner, small: Path, index_dir: str) -> None:
    run(runner, "--index", index_dir, "index", str(small), "--json")
    result = run(runner, "--index", index_dir, "show", "0123456789abcdef", "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    error = as_json(result.stderr)
    assert isinstance(error, dict) and error["error"]["type"] == "not_found"


def test_search_empty_query_lists_articles_with_contract_fields(
    runner: CliRunner, small: Path, index_dir: str
) -> None:
    run(runner, "--index", index_dir, "index", str(small), "--json")
    result = run(runner, "--index", index_dir, "search", "", "--json", "--limit", "1")
    document = as_json(result.stdout)
    assert isinstance(document, dict)
    assert document["total"] == 2 and document["limit"] == 1 and len(document["hits"]) == 1
    hit = document["hits"][0]
    assert list(hit) == HIT_KEYS
    assert hit["title"] == "Flood"  # newest first when there is nothing to rank by


@pytest.mark.parametrize(
    ("args", "code", "kind"),
    [
        (["search", "x", "--from", "2021-13"], 2, "bad_date"),
        (["search", "x", "--to", "soon"], 2, "bad_date"),
        (["search", "!!!"], 2, "query_syntax"),
        (["search", "x", "--limit", "0"], 2, "usage"),
        (["search", "x", "--sort", "sideways"], 2, "usage"),
        (["search", "x", "--bogus"], 2, "usage"),
        (["index", "/no/such/folder"], 2, "usage"),
        (["index", ".", "--encoding", "nope-42"], 2, "usage"),
    ],
)
def test_usage_errors_are_exit_2_with_json_on_stderr(
    runner: CliRunner, small: Path, index_dir: str, args: list[str], code: int, kind: str
) -> None:
    run(runner, "--index", index_dir, "index", str(small), "--json")
    result = run(runner, "--index", index_dir, *args, "--json")
    assert result.exit_code == code
    assert result.stdout == ""
    error = as_json(result.stderr)
    assert isinstance(error, dict)
    assert error["error"]["type"] == kind and error["error"]["message"]


def test_missing_index_is_exit_1_with_a_hint(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "--index", str(tmp_path / "none"), "search", "x")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no index at" in result.stderr and "searchengine index" in result.stderr
    assert "Traceback" not in result.stderr


def test_subprocess_smoke(tmp_path: Path) -> None:
    """The installed entry point really runs, as a separate process."""
    env = {**os.environ, "SEARCHENGINE_INDEX": str(tmp_path / "ix")}
    indexed = subprocess.run(
        [sys.executable, "-m", "searchengine", "index", str(SEEDS), "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert indexed.returncode == 0, indexed.stderr
    assert json.loads(indexed.stdout)["errors"] == []
    searched = subprocess.run(
        [sys.executable, "-m", "searchengine", "search", "taliban", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert searched.returncode == 0, searched.stderr
    document = json.loads(searched.stdout)
    assert [h["path"] for h in document["hits"]] == [str(SEEDS / "000_d46c3578ca95248f.txt")]
    assert searched.stderr == ""
