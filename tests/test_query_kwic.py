"""``searchengine kwic``: every occurrence of a query in context, aligned on the match."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from click.testing import CliRunner
from rich.console import Console

from searchengine.cli import cli
from searchengine.indexer.run import run_index
from searchengine.models import Concordance, KwicLine
from searchengine.query.highlight import MatchSpec, Phrase
from searchengine.query.kwic import occurrences
from searchengine.render import rich_out

from query_corpus import ARTICLES, build_query_corpus, by_name

META = by_name()


def spans(text: str, spec: MatchSpec) -> list[str]:
    return [text[a:b] for a, b in occurrences(text, spec)]


def test_words_are_matched_by_their_stems() -> None:
    text = "An attack, two attacks; they attacked. Attackers? No: attack-dogs."
    # Porter2 stems "Attackers" to "attack" too, as the index does.
    assert spans(text, MatchSpec(terms={"attack"})) == [
        "attack",
        "attacks",
        "attacked",
        "Attackers",
        "attack",
    ]


def test_a_phrase_is_one_occurrence_and_its_words_are_not_listed_again() -> None:
    text = "The front of the line moved. The front line held. Front  lines, front, line."
    spec = MatchSpec(terms={"held"}, phrases={Phrase(("front", "line"))})
    # Punctuation is not a word: "front, line" is the phrase too, as Whoosh matches it.
    assert spans(text, spec) == ["front line", "held", "Front  lines", "front, line"]
    sloppy = MatchSpec(phrases={Phrase(("front", "line"), slop=4)})
    assert spans(text, sloppy) == ["front of the line", "front line", "Front  lines", "front, line"]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("kwic")
    build_query_corpus(root / "corpus")
    index_dir = str(root / "index")
    assert run_index(index_dir, [str(root / "corpus")]).articles == len(ARTICLES)
    return index_dir


def kwic(index: str, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--index", index, "kwic", *args, "--json"])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def test_phrase_lines_with_context_exactly(index: str) -> None:
    found = kwic(index, '"front line"', "--width", "20")
    exact = META["frontline_exact"]
    assert found["results"] == 1
    assert found["lines"] == [
        {
            "id": found["lines"][0]["id"],
            "date": exact.date.isoformat() if exact.date else None,
            "source": exact.source,
            "title": exact.title,
            "left": "e convoy waited while the "[-20:],
            "match": "front line",
            "right": " held near the Orrin"[:20],
            "offset": exact.body.index("front line"),
        }
    ]


def test_every_stem_in_every_result_in_order(index: str) -> None:
    found = kwic(index, "attack", "--sort", "oldest", "--width", "8")
    assert found["results"] == 3
    assert [(line["date"], line["match"]) for line in found["lines"]] == [
        ("2021-03-04", "attack"),
        ("2021-03-11", "attacks"),
        ("2021-03-18", "attacked"),
    ]
    assert found["lines"][0]["left"] == " single "


def test_a_result_matched_by_its_title_only_gives_no_line(index: str) -> None:
    found = kwic(index, "lighthouse")
    assert found["results"] == 2
    assert [line["match"] for line in found["lines"]] == ["lighthouse"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("",), "kwic needs words or a phrase to look for"),
        (("NOT harvest",), "kwic needs words or a phrase to look for"),
        (("title:lighthouse",), "only exclusions, dates or fields other than the text"),
        (("harvest", "--width", "0"), "Invalid value for '--width'"),
    ],
)
def test_nothing_to_look_for_is_a_usage_error(
    index: str, args: tuple[str, ...], message: str
) -> None:
    result = CliRunner().invoke(cli, ["--index", index, "kwic", *args, "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in json.loads(result.stderr)["error"]["message"]


LINES = tuple(
    KwicLine(
        id=title.encode().hex()[:16],
        title=title,
        date=dt.date(2021, 9, 6 + n),
        source="Coastal Wire",
        left=left,
        match=match,
        right=right,
        offset=10 * n,
    )
    for n, (title, left, match, right) in enumerate(
        [
            ("Ferry returns", "the storm-damaged ", "harbour", " wall. About forty passengers"),
            ("Ferry returns", "should protect the ", "harbour", " from the kind of flooding"),
            ("Dredging plan [bold]", "a plan to dredge the ", "harbour", " entrance this autumn"),
            ("Talks", "on the island, the ", "peace talks", " resumed on Monday morning"),
        ]
    )
)


@pytest.mark.parametrize("width", [80, 40])
def test_lines_align_on_the_match_at_80_and_40_columns(width: int) -> None:
    found = Concordance("harbour", 3, LINES, width=40)
    out = StringIO()
    Console(file=out, width=width, color_system=None).print(rich_out.concordance(found))
    lines = out.getvalue().splitlines()
    assert all(len(line) <= width for line in lines)
    context = [line for line in lines if "│" in line]
    assert len(context) == 4
    assert len({line.index("│") for line in context}) == 1  # one column for every match
    assert [line.split("│")[1].strip() for line in context] == [
        "harbour",
        "harbour",
        "harbour",
        "peace talks",
    ]
    assert lines[0].startswith("4 occurrences of 'harbour' in 3 results")
    headers = [line for line in lines if " · Coastal Wire · " in line]
    assert headers[1].startswith("2021-09-08 · Coastal Wire · Dredging pla"[: width - 1])
    assert len(headers) == 3  # one per article, not per line
