"""Boilerplate removal through the command line: index options, `stats` per
source, `show --raw`, and the additive JSON fields."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from test_boilerplate import FOOTER, HEADER, SEED, SEED_FURNITURE, seed_story_lines, wire_article

from searchengine.cli import cli
from searchengine.load import load_file
from searchengine.models import article_id

from conftest import WriteFile


def run_json(runner: CliRunner, *args: str) -> Any:
    result = runner.invoke(cli, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_stats_and_show_raw_on_a_source_and_the_lone_seed(
    runner: CliRunner, write: WriteFile, corpus: Path, index_dir: str
) -> None:
    wires = [wire_article(write, n) for n in range(12)]
    tiny = wire_article(write, 12, source="Tiny Post")
    lone = corpus / "lone" / SEED.name
    lone.parent.mkdir()
    shutil.copyfile(SEED, lone)
    summary = run_json(runner, "index", str(corpus), "--index", index_dir)
    assert (summary["added"], summary["recleaned"]) == (14, 0)

    stats = run_json(runner, "stats", "--index", index_dir)
    header_footer = len(HEADER) + 2 + len(FOOTER) + 2  # each line with its blank line
    (seed_article,) = load_file(str(SEED)).articles
    seed_cut = len(seed_article.body) - len("\n\n".join(seed_story_lines()))
    assert seed_cut == 214
    assert stats["boilerplate"] == {
        "articles": 13,
        "lines": 12 * 2 + len(SEED_FURNITURE),
        "chars": 12 * header_footer + seed_cut,
        "by_source": [
            {
                "source": "Coastal Wire",
                "folder": None,
                "articles": 12,
                "lines": 24,
                "chars": 12 * header_footer,
            },
            {
                "source": None,
                "folder": str(lone.parent),
                "articles": 1,
                "lines": len(SEED_FURNITURE),
                "chars": seed_cut,
            },
        ],
    }
    assert "Tiny Post" not in json.dumps(stats["boilerplate"])

    human = runner.invoke(cli, ["stats", "--index", index_dir], catch_exceptions=False)
    assert "boilerplate removed from" in human.stdout
    assert "Coastal Wire" in human.stdout

    wire_id = article_id(str(wires[0]), None)
    shown = run_json(runner, "show", wire_id, "--index", index_dir)
    assert "raw" not in shown  # only when asked for
    assert HEADER not in shown["body"]
    raw = run_json(runner, "show", wire_id, "--raw", "--index", index_dir)
    assert raw["body"] == shown["body"]
    assert raw["raw"] == (
        f"{HEADER}\n\n"
        "The harbour at Ashcombe reopened on Monday after storm repairs.\n\n"
        "Fishermen in Ashcombe said the new wall was higher than the old one.\n\n"
        f"{FOOTER}"
    )
    with_query = run_json(
        runner, "show", wire_id, "--raw", "--query", "coast", "--index", index_dir
    )
    assert with_query["raw_highlights"] == [[20, 25]]  # "Coastal Wire | Your coast"
    assert with_query["highlights"] == []

    tiny_raw = run_json(runner, "show", article_id(str(tiny), None), "--raw", "--index", index_dir)
    assert tiny_raw["raw"] == tiny_raw["body"]  # nothing cut: the same text

    seed_id = article_id(str(lone), None)
    text = runner.invoke(cli, ["show", seed_id, "--raw", "--index", index_dir]).stdout
    assert "Please unblock the ad blocker." in text
    assert "(the text as read, boilerplate included)" in text
    plain = runner.invoke(cli, ["show", seed_id, "--index", index_dir]).stdout
    assert "Please unblock the ad blocker." not in plain
    hits = run_json(runner, "search", '"unblock the ad blocker"', "--index", index_dir)
    assert hits["total"] == 0
    hits = run_json(
        runner, "search", "harbour", "--limit", "100", "--no-collapse", "--index", index_dir
    )
    assert hits["total"] == 13  # the twelve wires and the tiny one
    snippets = {h["id"]: [s["text"] for s in h["snippets"]] for h in hits["hits"]}
    for path in wires:
        (text,) = snippets[article_id(str(path), None)]
        assert text.startswith("The harbour at ")
        assert "Coastal Wire" not in text


def test_threshold_options_reach_the_index_and_are_checked(
    runner: CliRunner, write: WriteFile, corpus: Path, index_dir: str
) -> None:
    for n in range(4):
        wire_article(write, n, source="Tiny Post")
    run_json(runner, "index", str(corpus), "--index", index_dir)
    assert (
        run_json(runner, "search", '"your coast"', "--no-collapse", "--index", index_dir)["total"]
        == 4
    )
    summary = run_json(
        runner, "index", str(corpus), "--boilerplate-min-articles", "3", "--index", index_dir
    )
    assert (summary["unchanged"], summary["recleaned"]) == (4, 4)
    assert (
        run_json(runner, "search", '"your coast"', "--no-collapse", "--index", index_dir)["total"]
        == 0
    )
    bad = runner.invoke(cli, ["index", str(corpus), "--boilerplate-min-share", "0", "--json"])
    assert bad.exit_code == 2
    assert json.loads(bad.stderr)["error"]["type"] == "usage"
    bad = runner.invoke(cli, ["index", str(corpus), "--boilerplate-min-articles", "1"])
    assert bad.exit_code == 2
