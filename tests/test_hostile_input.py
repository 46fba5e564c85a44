"""Hostile and malformed input: bounded time and memory, inert display.

Real files of absurd shapes go through the real loaders and the real
command; each must end in articles or a reported problem, within a bound,
and nothing a corpus or a query holds may act on the terminal.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from searchengine.cli import cli
from searchengine.load import MAX_FILE_BYTES, load_file
from searchengine.load.html import MAX_HTML_TAGS
from searchengine.load.jsonfmt import NESTED_TOO_DEEPLY
from searchengine.load.limits import MAX_ARTICLE_CHARS
from searchengine.models import LoadResult, article_id
from searchengine.query.parse import MAX_EXPANDING_WORDS, MAX_QUERY_WORDS

from conftest import WriteFile

#: "Never hangs": far beyond what any of these needs on a slow machine.
BOUND = 60.0
GOOD = json.dumps({"title": "Harbour wall", "body": "The harbour wall is fixed."})


def timed_load(path: Path) -> LoadResult:
    started = time.monotonic()
    result = load_file(str(path))
    assert time.monotonic() - started < BOUND
    return result


def reasons(result: LoadResult) -> list[tuple[int | None, str, str]]:
    return [(p.record, p.kind, p.reason) for p in result.problems]


# -- nesting ---------------------------------------------------------------------


def test_json_nested_10000_levels_is_an_error(write: WriteFile) -> None:
    path = write("deep.json", "[" * 10_000 + "]" * 10_000)
    result = timed_load(path)
    assert result.articles == ()
    assert reasons(result) == [(None, "error", "not readable JSON: nested too deeply")]


def test_jsonl_line_nested_10000_levels_costs_only_that_line(write: WriteFile) -> None:
    deep = '{"body": ' + "[" * 10_000 + '"x"' + "]" * 10_000 + "}"
    path = write("deep.jsonl", f"{GOOD}\n{deep}\n{GOOD}\n")
    result = timed_load(path)
    assert [a.record for a in result.articles] == [0, 2]
    assert reasons(result) == [(1, "error", "not readable JSON: nested too deeply")]


@pytest.mark.parametrize("depth", [450, 900, 1800, 3600])
@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_a_record_parsable_but_too_deep_to_read_costs_only_itself(
    write: WriteFile, suffix: str, depth: int
) -> None:
    """Deep records parse, but reading their fields can recurse past the
    limit (450 levels did on Python 3.11; where the parser or the reader
    gives up differs between versions); the whole file used to be lost with
    it.  Whatever the depth, the record is read or reported, alone."""
    deep = '{"body": ' + "[" * depth + '"x"' + "]" * depth + "}"
    text = f"{GOOD}\n{deep}\n{GOOD}\n" if suffix == ".jsonl" else f"[{GOOD}, {deep}, {GOOD}]"
    result = timed_load(write("deep" + suffix, text))
    records = [a.record for a in result.articles]
    if records == [0, 1, 2]:
        assert reasons(result) == []
    elif suffix == ".json" and not records:
        # Too deep for the parser itself: one JSON document, so none of it
        # can be read (as for the 10,000-level file above).
        assert reasons(result) == [(None, "error", "not readable JSON: nested too deeply")]
    else:
        assert records == [0, 2]
        assert reasons(result) in (
            [(1, "error", NESTED_TOO_DEEPLY)],
            [(1, "error", "not readable JSON: nested too deeply")],
        )


# -- size ------------------------------------------------------------------------


@pytest.mark.slow
def test_a_50_mb_jsonl_line_is_skipped_and_its_neighbours_read(write: WriteFile) -> None:
    body = "harbour council river flood storm wall " * (50 * 2**20 // 39)
    line = json.dumps({"title": "Huge", "body": body})
    assert 50 * 2**20 <= len(line) < 64 * 2**20  # read as a line, not refused as one
    result = timed_load(write("huge.jsonl", f"{GOOD}\n{line}\n{GOOD}\n"))
    assert [a.record for a in result.articles] == [0, 2]
    assert reasons(result) == [
        (
            1,
            "skipped",
            f"article text too long ({len(body) - 1:,} characters; "
            f"the limit is {MAX_ARTICLE_CHARS:,})",
        )
    ]


def test_a_text_file_over_the_article_limit_is_skipped(write: WriteFile) -> None:
    text = "Title\n\n" + "The harbour wall is fixed. " * (MAX_ARTICLE_CHARS // 27 + 1)
    result = timed_load(write("long.txt", text))
    assert result.articles == ()
    assert reasons(result) == [
        (
            None,
            "skipped",
            f"article text too long ({len(text):,} characters; the limit is {MAX_ARTICLE_CHARS:,})",
        )
    ]


@pytest.mark.slow
def test_a_200_mb_text_file_is_skipped_unread(corpus: Path) -> None:
    path = corpus / "dump.txt"
    block = b"The harbour wall is fixed and the ferry sails again.\n" * 20_000
    with open(path, "wb") as handle:
        while handle.tell() < 200 * 2**20:
            handle.write(block)
    size = path.stat().st_size
    result = timed_load(path)
    assert result.articles == ()
    assert reasons(result) == [
        (
            None,
            "skipped",
            f"too large ({size // 2**20} MB; the limit is {MAX_FILE_BYTES // 2**20} MB)",
        )
    ]


def test_html_with_a_million_unclosed_tags_is_skipped_quickly(write: WriteFile) -> None:
    page = "<html><body><article><p>The harbour wall is fixed.</p>" + "<p>" * 1_000_000
    result = timed_load(write("tags.html", page))
    assert result.articles == ()
    assert reasons(result) == [
        (
            None,
            "skipped",
            f"too many HTML tags ({page.count('<'):,}; the limit is {MAX_HTML_TAGS:,})",
        )
    ]


@pytest.mark.parametrize("tag", ["p", "a", "li", "div", "b"])
def test_html_with_many_unclosed_tags_under_the_limit_is_read(write: WriteFile, tag: str) -> None:
    """200,000 unclosed tags of a kind trafilatura is slow on: still bounded."""
    page = (
        "<html><head><title>Harbour wall</title></head><body><article>"
        "<p>The harbour wall is fixed, the council said.</p>" + f"<{tag}>x" * 200_000
    )
    result = timed_load(write(f"many-{tag}.html", page))
    assert result.problems == ()
    (article,) = result.articles
    assert article.title == "Harbour wall"
    assert article.body.startswith("The harbour wall is fixed, the council said.")


# -- memory of a whole run ------------------------------------------------------------


@pytest.mark.slow
def test_a_run_over_hostile_files_stays_within_a_few_hundred_mb(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = "harbour council river flood storm wall " * (50 * 2**20 // 39)
    (corpus / "huge.jsonl").write_text(
        f"{GOOD}\n{json.dumps({'title': 'Huge', 'body': body})}\n", encoding="utf-8"
    )
    (corpus / "tags.html").write_text("<html><body>" + "<p>" * 1_000_000)
    (corpus / "deep.json").write_text("[" * 10_000 + "]" * 10_000)
    (corpus / "long.txt").write_text("Title\n\n" + "The wall is fixed. " * 1_000_000)
    (corpus / "ok.txt").write_text("Harbour\n\nThe harbour wall is fixed.\n")
    # A child's peak memory is known once it has ended: measure in a child
    # of its own, so that earlier tests' children do not count.
    probe = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(done.returncode, peak, done.stdout, sep='\\n')\n"
    )
    measured = subprocess.run(
        [
            sys.executable,
            "-c",
            probe,
            sys.executable,
            "-m",
            "searchengine",
            "--index",
            str(tmp_path / "index"),
            "index",
            str(corpus),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=BOUND * 2,
        check=True,
    )
    code, peak_kb, summary_text = measured.stdout.split("\n", 2)
    summary = json.loads(summary_text)
    assert int(code) == 0
    assert summary["articles"] == 2
    assert int(peak_kb) < 400 * 1024, f"peak {int(peak_kb) // 1024} MB"


# -- links --------------------------------------------------------------------------


def run(runner: CliRunner, *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(cli, list(args), input=stdin, catch_exceptions=False)


def test_a_symlink_loop_is_walked_once(runner: CliRunner, corpus: Path, index_dir: str) -> None:
    (corpus / "sub").mkdir()
    (corpus / "sub" / "a.txt").write_text("Harbour\n\nThe harbour wall is fixed.\n")
    (corpus / "sub" / "loop").symlink_to(corpus)
    (corpus / "self").symlink_to(corpus / "self")  # a link to itself: unreadable
    result = run(runner, "--index", index_dir, "index", str(corpus), "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert (summary["added"], summary["articles"], summary["errors"]) == (1, 1, [])


def test_links_to_outside_the_folder_are_followed_and_kept_under_the_link(
    runner: CliRunner, tmp_path: Path, corpus: Path, index_dir: str
) -> None:
    """Decided: a link is followed wherever it points (a corpus assembled
    from links is common), and the article's path is the link's path, so a
    later run over the folder removes it when the link goes."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.txt").write_text("Bridge\n\nThe bridge opens.\n")
    (elsewhere / "c.txt").write_text("Ferry\n\nThe ferry sails.\n")
    (corpus / "a.txt").write_text("Harbour\n\nThe harbour wall is fixed.\n")
    (corpus / "linked").symlink_to(elsewhere)
    (corpus / "c.txt").symlink_to(elsewhere / "c.txt")
    result = run(runner, "--index", index_dir, "index", str(corpus), "--json")
    assert json.loads(result.stdout)["articles"] == 3
    listed = json.loads(run(runner, "--index", index_dir, "search", "", "--json").stdout)
    assert sorted(hit["path"] for hit in listed["hits"]) == [
        str(corpus / "a.txt"),
        str(corpus / "c.txt"),
        str(corpus / "linked" / "b.txt"),
    ]
    (corpus / "linked").unlink()
    (corpus / "c.txt").unlink()
    again = json.loads(run(runner, "--index", index_dir, "index", str(corpus), "--json").stdout)
    assert (again["removed"], again["articles"]) == (2, 1)


# -- terminal safety --------------------------------------------------------------------

CONTROLS = ("\x1b", "\x07", "\x9b", "\r", "\u202e", "\u2066")
HOSTILE_NAME = "evil\x1b[2J\x1b]0;owned\x07\u202ename.txt"
HOSTILE_TEXT = (
    "---\ntitle: [bold red]Harbour[/bold red] \x1b[31mwall\x1b[0m \u202eevil\n"
    "source: \x1b]0;owned\x07[blink]Wire[/blink]\n"
    "author: \u2066Kim\r\n"
    "---\n"
    "The harbour wall \x1b[2J\x1b[H is fixed\r overwritten, \x1b]8;;http://x\x07link\x1b]8;;\x07, "
    "\x9b31m C1 CSI, [bold red]not markup[/bold red] and \u202eevil reversed.\n"
)


def inert(text: str) -> None:
    for control in CONTROLS:
        assert control not in text, (control, text)


@pytest.fixture
def hostile_index(runner: CliRunner, corpus: Path, index_dir: str) -> tuple[Path, Result]:
    (corpus / HOSTILE_NAME).write_text(HOSTILE_TEXT, encoding="utf-8")
    (corpus / ("\x1b[31mempty\u202e.md")).write_text("")
    indexed = run(runner, "--index", index_dir, "index", str(corpus))
    assert indexed.exit_code == 0
    return corpus, indexed


def test_index_summary_and_problem_lines_are_inert(hostile_index: tuple[Path, Result]) -> None:
    _, indexed = hostile_index
    inert(indexed.stdout)
    inert(indexed.stderr)
    assert "empty.md: skipped: empty file" in indexed.stderr


def test_search_show_stats_and_shell_are_inert(
    runner: CliRunner, hostile_index: tuple[Path, Result], index_dir: str
) -> None:
    corpus, _ = hostile_index
    ident = article_id(str(corpus / HOSTILE_NAME), None)
    searched = run(runner, "--index", index_dir, "search", "harbour")
    shown = run(runner, "--index", index_dir, "show", ident, "--query", "harbour")
    stats = run(runner, "--index", index_dir, "stats")
    shell = run(runner, "--index", index_dir, "shell", stdin="harbour\n:open 1\n:stats\n:quit\n")
    for result in (searched, shown, stats, shell):
        assert result.exit_code == 0
        inert(result.stdout)
        inert(result.stderr)
    for result in (searched, shown, shell):
        assert "[bold red]Harbour[/bold red]" in result.stdout  # shown, not applied
    for result in (shown, shell):  # the escapes' bytes gone, their text shown
        unwrapped = "".join(line.strip() for line in result.stdout.splitlines())
        assert "/evil[2J]0;ownedname.txt" in unwrapped
    for result in (shown, shell):
        assert "[bold red]not markup[/bold red]" in result.stdout
    for result in (stats, shell):
        assert "[blink]Wire[/blink]" in result.stdout
    # JSON keeps the text as indexed (a script's business), escaped by JSON.
    as_json = json.loads(run(runner, "--index", index_dir, "show", ident, "--json").stdout)
    assert as_json["title"] == "[bold red]Harbour[/bold red] [31mwall[0m \u202eevil"


# -- query input ---------------------------------------------------------------------------


@pytest.fixture
def small_index(runner: CliRunner, corpus: Path, index_dir: str) -> str:
    for number in range(12):
        (corpus / f"a{number:02d}.txt").write_text(
            f"Harbour {number}\n\nThe harbour wall number {number} is fixed.\n"
        )
    assert run(runner, "--index", index_dir, "index", str(corpus), "--json").exit_code == 0
    return index_dir


def search(runner: CliRunner, index_dir: str, *args: str) -> tuple[int, dict[str, object]]:
    started = time.monotonic()
    result = runner.invoke(cli, ["--index", index_dir, "search", "--json", *args])
    assert time.monotonic() - started < BOUND
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stdout + result.stderr
    if result.exit_code == 0:
        assert result.stderr == ""
        document = json.loads(result.stdout)
    else:
        assert result.stdout == ""
        document = json.loads(result.stderr)
    assert isinstance(document, dict)
    return result.exit_code, document


WORDS_1500 = " ".join(f"w{n}" for n in range(1500))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("harbour " * 12_800, "the query is 102,400 characters long; the limit is 10,000"),
        (
            "(" * 5000 + "harbour" + ")" * 5000,
            "the query is 10,007 characters long; the limit is 10,000",
        ),
        (
            WORDS_1500,
            f"the query has 1,500 words; the limit is {MAX_QUERY_WORDS}: "
            "search for the words that matter most",
        ),
        (
            " OR ".join(f"w{n}" for n in range(1000)),
            f"the query has 1,999 words; the limit is {MAX_QUERY_WORDS}: "
            "search for the words that matter most",
        ),
        (
            " ".join(f"h{n}*" for n in range(60)),
            f"the query has 60 fuzzy, prefix or wildcard words; the limit is {MAX_EXPANDING_WORDS}",
        ),
        (
            " ".join(f"h{n}~2" for n in range(60)),
            f"the query has 60 fuzzy, prefix or wildcard words; the limit is {MAX_EXPANDING_WORDS}",
        ),
        (
            '"' * 5001,
            f'nothing to search for in {chr(34) * 5001!r}; type some words, a "phrase", or * for everything',
        ),
    ],
)
def test_oversized_queries_are_refused_with_exit_2(
    runner: CliRunner, small_index: str, query: str, message: str
) -> None:
    code, document = search(runner, small_index, "--", query)
    assert code == 2
    assert document == {"error": {"type": "query_syntax", "message": message}}


@pytest.mark.parametrize(
    ("query", "total"),
    [
        ("(" * 5000 + "harbour", 12),  # unclosed: repaired
        ("(" * 4996 + "harbour" + ")" * 4996, 12),
        ("*" * 5000, 12),
        (" ".join(["*"] * 3000), 12),
        ("*harbour* *wall* *", 12),
        ("harbour " * 199 + "wall", 12),
        (" OR ".join(f"w{n}" for n in range(99)) + " OR harbour", 12),
        ("-" * 3000 + "harbour", 12),
    ],
)
def test_absurd_but_bounded_queries_get_an_answer(
    runner: CliRunner, small_index: str, query: str, total: int
) -> None:
    code, document = search(runner, small_index, "--", query)
    assert code == 0
    assert document["total"] == total


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--limit", str(10**9)],
            "Invalid value for '--limit': 1000000000 is not in the range 1<=x<=1000.",
        ),
        (
            ["--page", str(10**9)],
            "Invalid value for '--page': 1000000000 is not in the range 1<=x<=1000000.",
        ),
        (["--limit", "-1"], "Invalid value for '--limit': -1 is not in the range 1<=x<=1000."),
    ],
)
def test_huge_limit_and_page_are_usage_errors(
    runner: CliRunner, small_index: str, args: list[str], message: str
) -> None:
    code, document = search(runner, small_index, "harbour", *args)
    assert code == 2
    assert document == {"error": {"type": "usage", "message": message}}


def test_the_last_allowed_page_is_answered_empty(runner: CliRunner, small_index: str) -> None:
    code, document = search(runner, small_index, "harbour", "--page", "1000000", "--limit", "1000")
    assert code == 0
    assert (document["total"], document["page"], document["hits"]) == (12, 1_000_000, [])
    human = run(runner, "--index", small_index, "search", "harbour", "--page", "1000000")
    assert "page 1000000 is past the last page" in human.stdout


def test_the_shell_answers_an_oversized_query_in_one_line_and_carries_on(
    runner: CliRunner, small_index: str
) -> None:
    result = run(runner, "--index", small_index, "shell", stdin=f"{WORDS_1500}\nharbour\n:quit\n")
    assert result.exit_code == 0
    assert "Traceback" not in result.stdout + result.stderr
    assert "the query has 1,500 words; the limit is 200" in result.stdout + result.stderr
    assert "12 articles for 'harbour'" in result.stdout


def test_problem_paths_in_json_are_kept_exactly(
    runner: CliRunner, hostile_index: tuple[Path, Result], index_dir: str
) -> None:
    corpus, _ = hostile_index
    result = run(runner, "--index", index_dir, "index", str(corpus), "--json")
    skipped = json.loads(result.stdout)["skipped"]
    assert skipped == [
        {"path": str(corpus / "\x1b[31mempty\u202e.md"), "record": None, "reason": "empty file"}
    ]


# -- expansions are bounded ---------------------------------------------------------

_CONSONANTS = "bcdfghjlmnprstvz"


def _words(first: str, last: str, count: int) -> list[str]:
    """``count`` distinct invented words (each its own stem) from ``first`` to ``last``."""
    return [
        first + _CONSONANTS[n // 80 % 16] + "aeiou"[n // 16 % 5] + _CONSONANTS[n % 16] + last
        for n in range(count)
    ]


#: 1,100 words starting with k (ending in o) and 1,100 ending in a.
K_WORDS = _words("k", "o", 1100)
A_WORDS = _words("z", "a", 1100)


@pytest.fixture(scope="module")
def wide_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    """44 articles holding 1,100 words that start with k and 1,100 that end in a."""
    root = tmp_path_factory.mktemp("wide")
    corpus = root / "corpus"
    corpus.mkdir()
    for n in range(44):
        words = K_WORDS[n * 25 : n * 25 + 25] + A_WORDS[n * 25 : n * 25 + 25]
        (corpus / f"w{n:02d}.txt").write_text(f"Harbour {n}\n\n{' '.join(words)}.\n")
    index_dir = str(root / "index")
    assert run(CliRunner(), "--index", index_dir, "index", str(corpus)).exit_code == 0
    return index_dir


TOO_MANY = "reaches more than 1,024 words of this index"
#: 80 words each (``kb…o`` to ``kr…o``): 960 words together.
TWELVE_PREFIXES = " OR ".join(f"k{c}*" for c in _CONSONANTS[:12])


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "k*",
            f"`k*` {TOO_MANY}, the most one query may search for; add letters to the prefix (`k…*`)",
        ),
        (
            "*a",
            f"`*a` {TOO_MANY}, the most one query may search for; "
            "put more letters in the pattern, above all before the first *",
        ),
        (
            "k*o",
            f"`k*o` {TOO_MANY}, the most one query may search for; "
            "put more letters in the pattern, above all before the first *",
        ),
        # 960 + 80 words: each word is allowed alone, not all of them together.
        (
            f"{TWELVE_PREFIXES} OR ks*",
            f"`ks*` {TOO_MANY} with the query's other fuzzy, prefix and wildcard words, "
            "the most one query may search for; add letters to the prefix (`ks…*`)",
        ),
        # 1,020 + the 35 or so words within two edits of zbab.
        (
            f"{TWELVE_PREFIXES} OR kt* OR zbab~2",
            f"`zbab~2` {TOO_MANY} with the query's other fuzzy, prefix and wildcard words, "
            "the most one query may search for; use ~1 or type more of the word",
        ),
    ],
)
def test_an_expansion_past_its_bound_is_refused_saying_how_to_narrow_it(
    runner: CliRunner, wide_index: str, query: str, message: str
) -> None:
    code, document = search(runner, wide_index, "--", query)
    assert code == 2
    assert document == {"error": {"type": "query_syntax", "message": message}}


@pytest.mark.parametrize(
    ("query", "total"),
    [
        ("**", 44),  # stars only: every article
        ("*" * 1000, 44),
        (" ".join(["*"] * 1000), 44),
        ("title:**", 44),
        ("kb*", 4),  # words 0-79: articles 0-3
        ("zb*a", 4),
        (f"{TWELVE_PREFIXES} OR kt*", 42),  # 1,020 words: 0-959 and 1,040-1,099
        ("kbab~1", 1),  # kbabo only
    ],
)
def test_expansions_within_the_bound_are_answered(
    runner: CliRunner, wide_index: str, query: str, total: int
) -> None:
    code, document = search(runner, wide_index, "--", query)
    assert code == 0
    assert document["total"] == total
