"""More like this: `similar ID`, `:similar N`, and how both are drawn."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from searchengine.cli import cli
from searchengine.errors import ArticleNotFoundError
from searchengine.indexer.run import run_index
from searchengine.models import Duplicate, Hit, SearchResult, SimilarResult, article_id
from searchengine.query.engine import Engine
from searchengine.query.similar import key_terms, similar
from searchengine.render import rich_out
from searchengine.shell import Shell

from conftest import HIT_KEYS
from dedup_corpus import write_corpus

Indexed = tuple[str, dict[str, str], dict[str, str]]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Indexed:
    root = tmp_path_factory.mktemp("similar")
    ids = write_corpus(root / "corpus")
    index_dir = str(root / "index")
    run_index(index_dir, [str(root / "corpus")])
    return index_dir, ids, {v: k for k, v in ids.items()}


def like(indexed: Indexed, name: str, **options: object) -> list[tuple[str, list[str]]]:
    index_dir, ids, names = indexed
    with Engine(index_dir) as engine:
        found = similar(engine, ids[name], **options)  # type: ignore[arg-type]
    assert found.article.id == ids[name]
    assert found.result.total == len(found.result.hits)
    return [(names[h.id], [names[d.id] for d in h.duplicates]) for h in found.result.hits]


def test_the_wire_story_is_like_the_other_harbour_stories_not_its_copies(
    indexed: Indexed,
) -> None:
    assert like(indexed, "wire") == [("fares", []), ("terminal", [])]
    # Any copy gives the same answer: the whole cluster is left out.
    assert like(indexed, "copy_local") == [("fares", []), ("terminal", [])]


def test_a_related_story_finds_the_wire_story_once_with_its_copies(indexed: Indexed) -> None:
    assert like(indexed, "terminal") == [
        ("fares", []),
        ("copy_reshaped", ["copy_substituted", "wire", "copy_local"]),
    ]
    uncollapsed = like(indexed, "terminal", collapse=False)
    assert [name for name, _ in uncollapsed] == [
        "fares",
        "copy_reshaped",
        "copy_substituted",
        "wire",
        "copy_local",
    ]


def test_a_story_about_nothing_else_has_no_similar_articles(indexed: Indexed) -> None:
    assert like(indexed, "library") == []
    assert like(indexed, "bakery") == []


# A story that shares only weak words with the wire story's copies: "said",
# "could", "would", "also", "according", weekdays.
WEATHER = (
    "---\ntitle: Snowfall forecast for the mountains\ndate: 2024-03-08\n"
    "source: Millbrook Times\n---\n\n"
    "Forecasters said on Friday that heavy snow could cut off mountain hamlets, and they "
    "also said drivers would have to fit chains. According to the forecasters, the snow "
    "would melt by Sunday.\n"
)


@pytest.fixture(scope="module")
def with_weather(tmp_path_factory: pytest.TempPathFactory) -> Indexed:
    root = tmp_path_factory.mktemp("weak")
    ids = write_corpus(root / "corpus")
    weather = root / "corpus" / "weather.txt"
    weather.write_text(WEATHER, encoding="utf-8")
    ids["weather"] = article_id(str(weather), None)
    index_dir = str(root / "index")
    run_index(index_dir, [str(root / "corpus")])
    return index_dir, ids, {v: k for k, v in ids.items()}


def test_weak_words_are_never_key_terms(with_weather: Indexed) -> None:
    index_dir, ids, _ = with_weather
    with Engine(index_dir) as engine:
        reshaped = similar(engine, ids["copy_reshaped"]).terms
        weather = similar(engine, ids["weather"]).terms
    # Without the list, "said" and "could" were among the copy's twelve, and
    # "would" and "accord" among the weather story's.
    assert reshaped == (
        "ferri",
        "work",
        "calloway",
        "ine",
        "master",
        "commut",
        "harbour",
        "replac",
        "twice",
        "load",
        "ramp",
        "author",
    )
    assert weather == (
        "forecast",
        "mountain",
        "snow",
        "chain",
        "cut",
        "driver",
        "fit",
        "hamlet",
        "heavi",
        "melt",
    )
    assert {"said", "say", "could", "would", "also", "accord", "friday", "sunday"}.isdisjoint(
        reshaped + weather
    )


def test_sharing_weak_words_does_not_make_a_story_related(with_weather: Indexed) -> None:
    # "said" and "could" were two shared key terms: enough, before, to list
    # the weather story as related to the ferry story.
    assert like(with_weather, "copy_reshaped") == [("terminal", []), ("fares", [])]
    assert like(with_weather, "weather") == []
    # The rest is as exact as without the weather story.
    assert like(with_weather, "terminal") == [
        ("fares", []),
        ("copy_reshaped", ["copy_substituted", "wire", "copy_local"]),
    ]


def test_weak_words_are_compared_as_written_not_stemmed(with_weather: Indexed) -> None:
    # "According" is weak; "accord" (the index holds it, from the weather
    # story) is a word of its own with the same stem, and stays a key term.
    with Engine(with_weather[0]) as engine:
        searcher = engine.searcher()
        treaty = "According to officials, the accord was signed. The accord ends the war."
        assert [t for t, _ in key_terms(searcher, treaty)] == ["accord"]
        assert key_terms(searcher, "According to officials, it was signed, they said.") == []


def test_unknown_id_is_not_found(indexed: Indexed) -> None:
    with Engine(indexed[0]) as engine, pytest.raises(ArticleNotFoundError):
        similar(engine, "0000000000000000")


def test_similar_json_is_shaped_like_search(indexed: Indexed) -> None:
    index_dir, ids, _ = indexed
    args = ["--index", index_dir, "similar", ids["terminal"], "--json"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert list(document) == [
        "id",
        "title",
        "terms",
        "total",
        "total_uncollapsed",
        "page",
        "limit",
        "took_ms",
        "hits",
    ]
    assert document["id"] == ids["terminal"]
    assert document["title"] == "Harbour authority approves new ferry terminal"
    assert "termin" in document["terms"] and "the" not in document["terms"]
    assert (document["total"], document["total_uncollapsed"]) == (2, 5)
    assert [(h["id"], h["duplicates"]) for h in document["hits"]] == [
        (ids["fares"], []),
        (ids["copy_reshaped"], [ids["copy_substituted"], ids["wire"], ids["copy_local"]]),
    ]
    hit = document["hits"][0]
    assert list(hit) == HIT_KEYS
    assert hit["score"] > 0 and hit["snippets"][0]["highlights"]


def test_similar_unknown_id_exits_1_with_a_json_error(indexed: Indexed) -> None:
    args = ["--index", indexed[0], "similar", "feedfacefeedface", "--json"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(result.stderr)["error"]["type"] == "not_found"


def test_similar_human_output(indexed: Indexed) -> None:
    index_dir, ids, _ = indexed
    args = ["--index", index_dir, "similar", ids["wire"], "--limit", "1"]
    out = CliRunner().invoke(cli, args, catch_exceptions=False).stdout
    first = out.splitlines()[0]
    assert first.startswith(
        f"2 articles like 'Greyford ferry to close for ramp repairs' (id {ids['wire']})"
    )
    assert "  1. Ferry fares to rise in April" in out
    assert "page 1 of 2" in out


def test_shell_similar_uses_the_hit_numbers_of_the_page(indexed: Indexed) -> None:
    index_dir, ids, _ = indexed
    lines = iter(["ferry --", "ferry", ":similar 9", ":similar 3", ":quit"])
    out = StringIO()
    console = Console(file=out, width=120, highlight=False, markup=False, emoji=False)
    with Engine(index_dir) as engine:
        code = Shell(engine, console, lambda _prompt: next(lines)).run()
    text = out.getvalue()
    assert code == 0
    assert "error: :similar takes the number of a hit on this page (1-3)" in text
    # Hit 3 of "ferry" is the wire story (its best-ranked copy stands for it).
    assert f"2 articles like 'Commuters face ferry closure' (id {ids['copy_reshaped']})" in text
    tail = text.split("articles like", 1)[1]
    assert tail.index("new ferry terminal") < tail.index("Ferry fares to rise in April")


def test_shell_similar_before_a_search_says_so(indexed: Indexed) -> None:
    lines = iter([":similar 1", ":quit"])
    out = StringIO()
    console = Console(file=out, width=100, highlight=False, markup=False, emoji=False)
    with Engine(indexed[0]) as engine:
        Shell(engine, console, lambda _prompt: next(lines)).run()
    assert "error: no hits to similar; search first" in out.getvalue()


# -- rendering -------------------------------------------------------------------

HIT = Hit(
    id="0123456789abcdef",
    path="/news/wire.txt",
    record=None,
    title="Greyford ferry to close",
    date=dt.date(2024, 3, 1),
    source="Coastal Wire",
    author=None,
    url=None,
    score=3.5,
    duplicates=(
        Duplicate("1111111111111111", "Island ferry halted", "Harbour Post"),
        Duplicate("2222222222222222", "Ferry closure", None),
        Duplicate("3333333333333333", "Commuters face closure", "Harbour Post"),
    ),
)


def render(renderable: object, width: int = 80) -> str:
    out = StringIO()
    Console(file=out, width=width, highlight=False, markup=False, emoji=False).print(renderable)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())


def test_collapsed_hit_and_header_exact_text() -> None:
    result = SearchResult("ferry", 1, 1, 10, 3.0, None, (HIT,), total_uncollapsed=4)
    assert render(rich_out.search_result(result)) == "\n".join(
        [
            "1 article for 'ferry' (+3 similar folded in)  3 ms",
            "",
            "  1. Greyford ferry to close",
            "     2024-03-01 · Coastal Wire · /news/wire.txt · id 0123456789abcdef",
            "     +3 similar (source Harbour Post)",
        ]
    )
    lone = dataclasses.replace(HIT, duplicates=(Duplicate("4444444444444444", "x", None),))
    alone = SearchResult("ferry", 1, 1, 10, 3.0, None, (lone,), total_uncollapsed=2)
    assert "     +1 similar\n" in render(rich_out.search_result(alone)) + "\n"


def test_similar_result_exact_text() -> None:
    plain = dataclasses.replace(HIT, duplicates=(), score=None)
    result = SearchResult("", 1, 1, 10, 2.0, None, (plain,), total_uncollapsed=1)
    article = dataclasses.replace(HIT, id="feedfacefeedface", title="Ferry fares rise")
    found = SimilarResult(article=article, terms=("fare", "ferri"), result=result)
    assert render(rich_out.similar_result(found), width=100) == "\n".join(
        [
            "1 article like 'Ferry fares rise' (id feedfacefeedface)  2 ms",
            "key terms: fare, ferri",
            "",
            "  1. Greyford ferry to close",
            "     2024-03-01 · Coastal Wire · /news/wire.txt · id 0123456789abcdef",
        ]
    )


def test_path_of_the_fixture_is_real(tmp_path: Path) -> None:
    ids = write_corpus(tmp_path, ("wire",))
    assert (tmp_path / "wire.txt").read_text(encoding="utf-8").startswith("---\ntitle: Greyford")
    assert list(ids) == ["wire"]
