"""Plain text and Markdown: front matter, titles, dates, markup."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from searchengine.load import load_file
from searchengine.load.textutil import clean_text
from searchengine.models import Article, Problem

from conftest import WriteFile


def one(path: object) -> Article:
    result = load_file(str(path))
    assert result.problems == ()
    (article,) = result.articles
    return article


def problem(path: object) -> Problem:
    result = load_file(str(path))
    assert result.articles == ()
    (found,) = result.problems
    return found


def test_front_matter_gives_every_field(write: WriteFile) -> None:
    path = write(
        "a.txt",
        "---\ntitle: \"Ferry returns: a test\"\ndate: 2021-09-06\nsource: 'Port Herald'\n"
        "author: Maeve H.\nurl: https://example.org/a\n---\n\nThe ferry is back.\n\nSecond paragraph.\n",
    )
    article = one(path)
    assert article.title == "Ferry returns: a test"
    assert article.date == dt.date(2021, 9, 6)
    assert (article.source, article.author, article.url) == (
        "Port Herald",
        "Maeve H.",
        "https://example.org/a",
    )
    assert article.body == "The ferry is back.\n\nSecond paragraph."
    assert article.record is None
    assert article.path == str(path)


def test_first_line_is_the_title_and_leaves_the_body(write: WriteFile) -> None:
    article = one(
        write("2020-03-14-storm.txt", "\n\n  Storm closes the coast road  \nRain fell all night.\n")
    )
    assert article.title == "Storm closes the coast road"
    assert article.body == "Rain fell all night."
    assert article.date == dt.date(2020, 3, 14)


def test_compact_file_name_date(write: WriteFile) -> None:
    assert one(write("20200314_storm.text", "Storm\n\nRain.")).date == dt.date(2020, 3, 14)


def test_front_matter_date_beats_the_file_name(write: WriteFile) -> None:
    article = one(write("2020-03-14-storm.txt", "---\ndate: 5 Sep 2021\n---\nStorm\nRain."))
    assert article.date == dt.date(2021, 9, 5)


def test_no_date_anywhere_is_none(write: WriteFile) -> None:
    assert one(write("storm.txt", "Storm\nRain.")).date is None


def test_front_matter_title_is_not_repeated_in_the_body(write: WriteFile) -> None:
    article = one(
        write("a.txt", "---\ntitle: Storm closes road\n---\nStorm closes road\n\nRain fell.")
    )
    assert article.body == "Rain fell."


def test_dashes_that_are_not_front_matter_stay_text(write: WriteFile) -> None:
    article = one(write("a.txt", "---\nJust a rule, then text\n\nMore text here."))
    assert article.title == "---"
    assert "Just a rule, then text" in article.body


def test_a_paragraph_long_first_line_keeps_its_text_in_the_body(write: WriteFile) -> None:
    line = "word " * 80
    article = one(write("a.txt", line + "\n\nEnd."))
    assert article.title.endswith("…") and len(article.title) <= 121
    assert article.body.startswith("word word")


def test_markdown_heading_title_and_markup_removed(write: WriteFile) -> None:
    text = (
        "---\ndate: 2021-09-08\nsource: Valley Courier\n---\n"
        "# Flood warning for the *Lenne* valley\n\n"
        "The **river** rose by [two metres](http://example.org/gauge) overnight.\n\n"
        "## What to do\n\n- Move cars to high ground\n- Keep `sandbags` ready\n\n"
        "> Stay away from the banks, said the warden.\n\n![a gauge](gauge.png)\n\n"
        "```\ncode stays\n```\n"
    )
    article = one(write("flood.md", text))
    assert article.title == "Flood warning for the Lenne valley"
    assert article.date == dt.date(2021, 9, 8)
    assert article.source == "Valley Courier"
    assert article.body == (
        "The river rose by two metres overnight.\n\nWhat to do\n\nMove cars to high ground\n"
        "Keep sandbags ready\n\nStay away from the banks, said the warden.\n\na gauge\n\ncode stays"
    )


def test_markdown_keeps_underscores_and_asterisks_inside_words(write: WriteFile) -> None:
    article = one(
        write(
            "notes.md",
            "# Build notes\n\nOpen my_file_name.txt and work out 2*3*4 by hand.\n\n"
            "The *draft* and the __final__ copy, and AT&amp;T.\n",
        )
    )
    assert article.title == "Build notes"
    assert article.body == (
        "Open my_file_name.txt and work out 2*3*4 by hand.\n\n"
        "The draft and the final copy, and AT&T."
    )


def test_markdown_tables_raw_html_and_rules(write: WriteFile) -> None:
    text = (
        "# Results\n\nCounts by ward:\n\n| ward | votes |\n|---|---:|\n| North | 1,204 |\n"
        '| South | 987 |\n\n<div class="note">\n<!-- editor: check the count -->\n'
        "Turnout was <b>high</b>.\n</div>\n\n***\n\nEnd of *results*.\n"
    )
    article = one(write("results.md", text))
    assert article.body == (
        "Counts by ward:\n\nward votes\nNorth 1,204\nSouth 987\n\nTurnout was high.\n\n"
        "End of results."
    )


def test_markdown_front_matter_title_wins_over_heading(write: WriteFile) -> None:
    article = one(
        write("a.markdown", "---\ntitle: The real title\n---\n# The real title\n\nBody text.")
    )
    assert article.title == "The real title"
    assert article.body == "Body text."


def test_setext_heading_is_a_title(write: WriteFile) -> None:
    article = one(write("a.md", "Council votes\n=============\n\nThe vote passed."))
    assert article.title == "Council votes"
    assert article.body == "The vote passed."


def test_empty_and_whitespace_files_are_skipped(write: WriteFile) -> None:
    assert problem(write("empty.txt", "")).kind == "skipped"
    assert problem(write("blank.md", "  \n\n\t\n")).kind == "skipped"


def test_title_only_file_is_skipped_as_no_body(write: WriteFile) -> None:
    found = problem(write("a.txt", "---\ntitle: Only a title\n---\n"))
    assert found.kind == "skipped"
    assert "no body" in found.reason
    assert problem(write("b.txt", "Just one line")).reason.startswith("no body")


def test_control_characters_are_removed_from_text(write: WriteFile) -> None:
    article = one(
        write("a.txt", "Title\x1b[31m red\n\nBody \x1b]0;pwned\x07 text\r\nnext\x00 line")
    )
    assert article.title == "Title[31m red"
    assert article.body == "Body ]0;pwned text\nnext line"


# -- clean_text squeezes spaces in one pass, as it did line by line ----------------

_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_RUN = re.compile(r"\n{3,}")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text_line_by_line(text: str) -> str:
    """``clean_text`` as it was written first: spaces squeezed line by line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\x85", "\n")
    text = unicodedata.normalize("NFC", text)
    text = _CONTROLS.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip()


@settings(max_examples=500)
@given(st.text(alphabet=" \t\u00a0\n\r\x0b\x0c\x1c\u2028\u2029\x85\x00\x1fab é\u0301ß") | st.text())
def test_clean_text_is_what_it_was_line_by_line(text: str) -> None:
    assert clean_text(text) == clean_text_line_by_line(text)
