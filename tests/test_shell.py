"""The interactive shell, driven with scripted lines on a real index."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from searchengine.indexer.run import run_index
from searchengine.query.engine import Engine
from searchengine.shell import Shell, completions, history_path, stream_reader

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def seeds_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    index_dir = str(tmp_path_factory.mktemp("shell") / "index")
    run_index(index_dir, [str(SEEDS)])
    return index_dir


def script(
    index_dir: str, *lines: str, interrupt_at: int | None = None
) -> tuple[int, str, list[str]]:
    """Run the shell over ``lines``; return its exit code, output and the prompts shown."""
    prompts: list[str] = []
    feed: Iterator[str] = iter(lines)

    def read(prompt: str) -> str:
        prompts.append(prompt)
        if interrupt_at is not None and len(prompts) == interrupt_at:
            raise KeyboardInterrupt
        try:
            return next(feed)
        except StopIteration:
            raise EOFError from None

    out = StringIO()
    console = Console(file=out, width=100, highlight=False, markup=False, emoji=False)
    with Engine(index_dir) as engine:
        code = Shell(engine, console, read).run()
    return code, out.getvalue(), prompts


def test_search_then_page_through(seeds_index: str) -> None:
    code, out, _ = script(seeds_index, "harbour", ":next", ":next", ":prev", ":page 2", ":quit")
    assert code == 0
    assert out.count("6 articles for 'harbour'") == 4
    assert "  6. " in out and "page 2 of 2" in out
    assert "error: already on the last page" in out


def test_open_a_hit_shows_the_whole_article(seeds_index: str) -> None:
    _, out, _ = script(seeds_index, "taliban", ":open 1", ":open 2", ":o x")
    # The end of the seed article's story: shown whole (its furniture tail,
    # "Source link" and the rest, is boilerplate and not shown).
    assert "completely control and conquer Afghanistan." in out
    assert "Source link" not in out
    assert "error: :open takes the number of a hit on this page (1-1)" in out


def test_filters_show_in_the_prompt_and_rerun_the_search(seeds_index: str) -> None:
    _, out, prompts = script(
        seeds_index,
        "harbour",
        ":from 2021-09-10",
        ":to 2021-09",
        ":source brightline news agency",
        ":sort newest",
        ":clear",
    )
    assert prompts[1] == "search> "
    assert prompts[2] == "[from 2021-09-10] search> "
    assert prompts[3] == "[from 2021-09-10 · to 2021-09-30] search> "
    assert (
        prompts[5]
        == "[from 2021-09-10 · to 2021-09-30 · source brightline news agency · sort newest] search> "
    )
    assert prompts[6] == "search> "
    assert "3 articles for 'harbour'" in out  # after :from
    assert "2 articles for 'harbour'" in out  # after :source
    assert out.count("6 articles for 'harbour'") == 2  # first search, after :clear


def test_filters_before_any_search_are_remembered(seeds_index: str) -> None:
    _, out, prompts = script(seeds_index, ":source Coastal Wire", "", "talks")
    assert prompts[-1] == "[source Coastal Wire] search> "
    assert "1 article for 'talks'" in out


def test_errors_are_one_line_and_the_shell_goes_on(seeds_index: str) -> None:
    code, out, _ = script(
        seeds_index,
        ":from 2021-13",
        ":sort sideways",
        ":bogus",
        ":next",
        ":open 1",
        "!!!",
        ":page x",
        "harbour",
    )
    assert code == 0
    errors = [line for line in out.splitlines() if line.startswith("error: ")]
    assert [e.split(";")[0].split(" (")[0] for e in errors] == [
        "error: :from '2021-13' is not a real calendar date",
        "error: :sort takes one of relevance, newest, oldest",
        "error: unknown command ':bogus'",
        "error: no search yet",
        "error: no hits to open",
        "error: nothing to search for in '!!!'",
        "error: no search yet",
    ]
    assert "6 articles for 'harbour'" in out


def test_stats_and_help(seeds_index: str) -> None:
    _, out, _ = script(seeds_index, ":stats", ":help", "?")
    assert "articles         9" in out  # as wide as "near-duplicates"
    assert out.count(":open N") == 2


def test_ctrl_c_at_the_prompt_returns_to_it_and_eof_exits_zero(seeds_index: str) -> None:
    code, out, prompts = script(seeds_index, "harbour", interrupt_at=1)
    assert code == 0
    assert len(prompts) == 3  # interrupted, then "harbour", then end of input
    assert "6 articles for 'harbour'" in out


def test_stream_reader_reads_piped_lines() -> None:
    read = stream_reader(StringIO("one\ntwo\n"))
    assert [read("> "), read("> ")] == ["one", "two"]
    with pytest.raises(EOFError):
        read("> ")


def test_completion_offers_commands_and_fields() -> None:
    assert completions(":o") == [":o", ":open"]
    assert completions("ti") == ["title:"]
    assert completions(":s") == [":similar", ":sort", ":source", ":stats"]


def test_history_lives_in_the_state_directory() -> None:
    assert history_path({"XDG_STATE_HOME": "/state"}) == "/state/searchengine/history"
    assert history_path({"HOME": "/h"}).endswith(
        os.path.join(".local", "state", "searchengine", "history")
    )


@pytest.mark.slow
def test_real_shell_in_a_pseudo_terminal(seeds_index: str, tmp_path: Path) -> None:
    """The real program in a real terminal: prompt, search, open, quit."""
    pexpect = pytest.importorskip("pexpect")
    env = {
        **os.environ,
        "SEARCHENGINE_INDEX": seeds_index,
        "XDG_STATE_HOME": str(tmp_path),
        "TERM": "xterm",
        "PAGER": "cat",
        "COLUMNS": "100",
        "LINES": "40",
    }
    child = pexpect.spawn(
        sys.executable,
        ["-m", "searchengine", "shell"],
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 100),
    )
    child.expect_exact("search> ")
    child.sendline("harbour")
    child.expect("6 articles")
    child.expect_exact("search> ")
    child.sendline(":from 2021-09-10")
    child.expect_exact("[from 2021-09-10] search> ")
    child.sendline(":quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (tmp_path / "searchengine" / "history").read_text().splitlines()[-2:] == [
        ":from 2021-09-10",
        ":quit",
    ]


def test_trend_kwic_and_export_of_the_current_search(seeds_index: str, tmp_path: Path) -> None:
    target = tmp_path / "hits.csv"
    _, out, _ = script(
        seeds_index,
        ":trend",
        "harbour",
        ":from 2021-09-10",
        ":trend --by week",
        ':trend harbour "peace talks" --by day --share',
        ":kwic --width 12",
        f":export {target}",
        ":trend --by fortnight",
        ":trend 'unclosed",
    )
    assert "error: :trend charts the current search, or the queries given; search first" in out
    # harbour from 10 September: 3 results, in the weeks of 6 and 13 September.
    assert "results per week  2021-09-06 … 2021-09-13  from:2021-09-10" in out
    assert "■ harbour  3 · peak 2 (2021-09-13)" in out
    assert "share of all articles per day" in out and "■ peace talks  " in out
    assert "5 occurrences of 'harbour' in 3 results" in out
    # Twelve characters each side, the space beside the match not shown.
    assert "\n d along the │ harbour │ front for t\n" in out
    assert f"wrote 3 results to {target} (csv)" in out
    assert target.read_bytes().startswith(b"\xef\xbb\xbfid,path,")
    assert len(target.read_text(encoding="utf-8-sig").splitlines()) == 4
    assert "error: --by 'fortnight' is not a period; use one of day, week, month, year" in out
    assert "error: :trend: No closing quotation" in out


def test_research_commands_need_a_search_first(seeds_index: str) -> None:
    _, out, _ = script(seeds_index, ":kwic", ":export x.jsonl", "harbour", ":export")
    assert "error: :kwic shows the current search's words in context; search first" in out
    assert "error: :export writes the current search's results to a file; search first" in out
    assert "error: :export takes one file name, like :export hits.csv (.csv for CSV)" in out
