"""``searchengine export``: every result, streamed as JSON Lines or CSV.

CSV is read back with Python's ``csv`` module and must give exactly the
JSON Lines rows; the console script is run for real behind a pipe that its
reader closes after one line.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from searchengine.cli import cli
from searchengine.indexer.run import run_index
from searchengine.render.tabular import EXPORT_COLUMNS, FORMATS

#: Titles and bodies with everything CSV must quote: commas, quotes, line
#: breaks, accents, a leading formula sign, a tab.
AWKWARD = [
    ('Quay, "new" and old', 'First line, with a comma.\n\nA "quoted" second paragraph.'),
    ("Café résumé in Zürich", "Accents: naïve façade — and a dash.\r\nA Windows line end."),
    ("=SUM(A1:A2) harbour", "A title that looks like a formula.\tTab inside."),
    ("Plain harbour title", "Nothing odd here at all, only the harbour."),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("export")
    corpus = root / "corpus"
    corpus.mkdir()
    for n, (title, body) in enumerate(AWKWARD):
        record = {
            "title": title,
            "body": f"{body} The harbour is mentioned here.",
            "date": f"2021-09-{n + 10:02d}",
            "source": "Coastal Wire" if n % 2 else None,
            "author": "Mira Castellan" if n == 1 else None,
            "url": f"https://example.test/{n}" if n else None,
        }
        with open(corpus / "feed.jsonl", "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    (corpus / "undated-harbour.txt").write_text(
        "Harbour notes\n\nAn undated note about the harbour wall.\n", encoding="utf-8"
    )
    index_dir = str(root / "index")
    assert run_index(index_dir, [str(corpus)]).articles == 5
    return index_dir


def export(index: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--index", index, "export", *args])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stderr == ""
    # Not result.stdout, which turns CRLF into LF.
    return result.stdout_bytes.decode("utf-8")


def jsonl(index: str, *args: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in export(index, *args).splitlines()]


def test_jsonl_rows_are_search_hits_without_snippets(index: str) -> None:
    rows = jsonl(index, "harbour", "--sort", "oldest")
    assert [row["title"] for row in rows] == [title for title, _ in AWKWARD] + ["Harbour notes"]
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert rows[1]["author"] == "Mira Castellan" and rows[0]["author"] is None
    assert [row["date"] for row in rows] == [
        "2021-09-10",
        "2021-09-11",
        "2021-09-12",
        "2021-09-13",
        None,
    ]
    assert [row["record"] for row in rows] == [0, 1, 2, 3, None]
    assert all(row["score"] is None for row in rows)  # sorted by date
    relevance = jsonl(index, "harbour")
    assert all(isinstance(row["score"], float) for row in relevance)
    assert sorted(row["id"] for row in relevance) == sorted(row["id"] for row in rows)


def test_body_is_the_indexed_text(index: str) -> None:
    rows = jsonl(index, "formula", "--body")
    assert len(rows) == 1
    # The loader tidies whitespace: the tab is a space in the indexed text.
    assert (
        rows[0]["body"]
        == "A title that looks like a formula. Tab inside. The harbour is mentioned here."
    )
    shown = CliRunner().invoke(cli, ["--index", index, "show", rows[0]["id"], "--json"])
    assert json.loads(shown.stdout)["body"] == rows[0]["body"]


def test_csv_round_trips_through_the_csv_module(index: str) -> None:
    data = export(index, "harbour", "--sort", "oldest", "--format", "csv", "--body")
    assert data.startswith(
        "\ufeffid,path,record,title,date,source,author,url,score,duplicates,body\r\n"
    )
    rows = list(csv.DictReader(io.StringIO(data.removeprefix("\ufeff"), newline="")))
    expected = jsonl(index, "harbour", "--sort", "oldest", "--body")
    assert len(rows) == len(expected) == 5

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, list):
            return " ".join(value)
        return str(value)

    assert rows == [{key: cell(value) for key, value in row.items()} for row in expected]
    # Line breaks inside a body stay inside its cell.
    assert '\n\nA "quoted" second paragraph.' in rows[0]["body"]


def test_csv_file_opens_with_utf_8_sig(index: str, tmp_path: Path) -> None:
    """What a script does with a file made by ``export --format csv > file``."""
    target = tmp_path / "hits.csv"
    target.write_bytes(export(index, "café", "--format", "csv").encode("utf-8"))
    with open(target, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(EXPORT_COLUMNS)
    assert [row[3] for row in rows[1:]] == ["Café résumé in Zürich"]


def test_no_results_is_an_empty_export(index: str) -> None:
    assert export(index, "zzqqxxnothing") == ""
    assert (
        export(index, "zzqqxxnothing", "--format", "csv")
        == "\ufeff" + ",".join(EXPORT_COLUMNS) + "\r\n"
    )


def test_bad_format_is_a_usage_error(index: str) -> None:
    result = CliRunner().invoke(cli, ["--index", index, "export", "x", "--format", "xml"])
    assert result.exit_code == 2
    assert "'xml' is not one of 'jsonl', 'csv'" in result.stderr


def test_the_cli_offers_exactly_the_formats_the_writer_knows() -> None:
    # cli.py spells the choices out so that --help needs no render import.
    command = cli.commands["export"]
    option = next(p for p in command.params if p.name == "fmt")
    assert isinstance(option.type, click.Choice)
    assert tuple(option.type.choices) == FORMATS


def _console_script() -> str:
    script = shutil.which("searchengine", path=os.path.dirname(sys.executable))
    assert script is not None, "the console script is installed beside the interpreter"
    return script


@pytest.mark.slow
def test_a_reader_closing_the_pipe_ends_the_export_cleanly(tmp_path: Path) -> None:
    """``searchengine export Q | head -1``: exit 0 at once, nothing on stderr."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    paragraph = "The harbour board met again to talk about the sea wall and the ferry. " * 30
    with open(corpus / "feed.jsonl", "w", encoding="utf-8") as handle:
        for n in range(300):
            handle.write(json.dumps({"title": f"Harbour story {n}", "body": paragraph}) + "\n")
    index_dir = tmp_path / "index"
    assert run_index(str(index_dir), [str(corpus)]).articles == 300
    # More than a pipe holds (64 KB), so the writer is still writing when
    # the reader goes away (every copy: the 300 are near-duplicates).
    command = [
        _console_script(),
        *("--index", str(index_dir), "export", "harbour", "--body", "--no-collapse"),
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()
        status = process.wait(timeout=60)
        errors = process.stderr.read()
    assert json.loads(first)["title"].startswith("Harbour story")
    assert status == 0
    assert errors == b""
    # And through a real shell pipeline, as people type it.
    shell = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {' '.join(command)} --format csv | head -1"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.startswith(b"\xef\xbb\xbfid,path,")
    assert shell.stderr == b""


def _without_body(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k != "body"} for row in rows]


def test_rows_from_columns_are_the_rows_from_stored_fields(index: str) -> None:
    """Without --body, rows come from the ``meta`` and ``path`` columns;
    with it, from each article's stored fields: the same rows either way."""
    for args in (("harbour",), ("harbour", "--sort", "newest"), ("",)):
        assert jsonl(index, *args) == _without_body(jsonl(index, *args, "--body"))


def test_an_index_from_before_the_meta_column_exports_the_same(tmp_path: Path) -> None:
    """Articles written before ``meta`` existed are read from their stored
    fields; an index run adds the column for the articles it writes."""
    from whoosh import index as whoosh_index

    seeds = Path(__file__).resolve().parent.parent / "seeds"
    index_dir = str(tmp_path / "index")
    run_index(index_dir, [str(seeds)])
    expected = jsonl(index_dir, "", "--sort", "oldest")
    writer = whoosh_index.open_dir(index_dir).writer()
    writer.remove_field("meta")  # what an index written before issue 15 lacks
    writer.commit()
    assert jsonl(index_dir, "", "--sort", "oldest") == expected
    more = tmp_path / "more"
    more.mkdir()
    (more / "2021-09-20-harbour.txt").write_text("Harbour later\n\nThe harbour again.\n")
    run_index(index_dir, [str(seeds), str(more)])
    after = jsonl(index_dir, "", "--sort", "oldest")
    # Oldest first, undated last: the new article is the last dated one.
    assert after[:-2] + after[-1:] == expected
    assert after[-2]["title"] == "Harbour later"
    assert after == _without_body(jsonl(index_dir, "", "--sort", "oldest", "--body"))


@pytest.mark.slow
def test_progress_goes_to_stderr_only_on_a_terminal(tmp_path: Path) -> None:
    import pty

    seeds = Path(__file__).resolve().parent.parent / "seeds"
    index_dir = str(tmp_path / "index")
    run_index(index_dir, [str(seeds)])
    command = [_console_script(), "--index", index_dir, "export", "harbour"]
    piped = subprocess.run(command, capture_output=True, check=True)
    assert piped.stderr == b""
    master, slave = pty.openpty()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=slave) as process:
        os.close(slave)
        out, _ = process.communicate(timeout=60)
    drawn = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal's other end is closed: all read
            break
        if not chunk:
            break
        drawn += chunk
    os.close(master)
    assert process.returncode == 0
    assert out == piped.stdout  # the rows, and nothing else, on stdout
    assert b"exporting" in drawn
