"""``searchengine search --json``: the scripted interface, exactly as the contract shapes it.

Every run goes through the real command (``CliRunner``) against a real index
of the query corpus.  Success is one JSON document on stdout that validates
against the contract's schema; failure is an exit code and one JSON error
object on stderr with nothing on stdout.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from click.testing import CliRunner, Result

from searchengine.cli import cli
from searchengine.indexer.run import run_index
from searchengine.models import article_id

from conftest import HIT_KEYS
from query_corpus import ARTICLES, build_query_corpus, by_name

META = by_name()

NULLABLE_STRING: dict[str, Any] = {"type": ["string", "null"]}

SNIPPET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["text", "highlights"],
    "properties": {
        "text": {"type": "string", "minLength": 1, "maxLength": 245},
        "highlights": {
            "type": "array",
            "items": {
                "type": "array",
                "minItems": 2,
                "maxItems": 2,
                "items": {"type": "integer", "minimum": 0},
            },
        },
    },
}

HIT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": HIT_KEYS,
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "path": {"type": "string", "minLength": 1},
        "record": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
        "title": {"type": "string"},
        "date": {
            "anyOf": [{"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}, {"type": "null"}]
        },
        "source": NULLABLE_STRING,
        "author": NULLABLE_STRING,
        "url": NULLABLE_STRING,
        "score": {"type": ["number", "null"]},
        "snippets": {"type": "array", "maxItems": 3, "items": SNIPPET_SCHEMA},
        # Additive (issue 7): ids of the near-duplicates collapsed into this hit.
        "duplicates": {"type": "array", "items": {"type": "string", "minLength": 1}},
    },
}

SEARCH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "query",
        "total",
        "total_uncollapsed",
        "page",
        "limit",
        "took_ms",
        "suggestion",
        "hits",
        "timeline",
        "sources",
    ],
    "properties": {
        "query": {"type": "string"},
        "total": {"type": "integer", "minimum": 0},
        # Additive (issue 7): matching articles before near-duplicates were collapsed.
        "total_uncollapsed": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "limit": {"type": "integer", "minimum": 1},
        "took_ms": {"type": "number", "minimum": 0},
        "suggestion": NULLABLE_STRING,
        "hits": {"type": "array", "items": HIT_SCHEMA},
        # Additive (issue 15): every result counted per period and per source.
        "timeline": {
            "type": "object",
            "additionalProperties": False,
            "required": ["by", "counts", "undated"],
            "properties": {
                "by": {"enum": ["day", "week", "month", "year"]},
                "counts": {
                    "type": "object",
                    "patternProperties": {
                        r"^\d{4}(-\d{2}(-\d{2})?)?$": {"type": "integer", "minimum": 1}
                    },
                    "additionalProperties": False,
                },
                "undated": {"type": "integer", "minimum": 0},
            },
        },
        "sources": {
            "type": "object",
            "additionalProperties": False,
            "required": ["counts", "no_source"],
            "properties": {
                "counts": {
                    "type": "object",
                    "additionalProperties": {"type": "integer", "minimum": 1},
                },
                "no_source": {"type": "integer", "minimum": 0},
            },
        },
    },
}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "additionalProperties": False,
            "required": ["type", "message"],
            "properties": {
                "type": {"type": "string", "minLength": 1},
                "message": {"type": "string", "minLength": 1},
            },
        }
    },
}


@dataclass(frozen=True)
class Setup:
    index_dir: str
    root: Path
    ids: dict[str, str]  # name -> id
    names: dict[str, str]  # id -> name
    paths: dict[str, str]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    root = tmp_path_factory.mktemp("search_json")
    paths = build_query_corpus(root / "corpus")
    index_dir = str(root / "index")
    summary = run_index(index_dir, [str(root / "corpus")])
    assert summary.articles == len(ARTICLES)
    ids = {name: article_id(path, META[name].record) for name, path in paths.items()}
    return Setup(index_dir, root, ids, {v: k for k, v in ids.items()}, paths)


def one_document(text: str) -> Any:
    """The single JSON document ``text`` holds; fails on anything around it."""
    assert text.strip(), "no output"
    document, end = json.JSONDecoder().raw_decode(text.lstrip())
    assert text.lstrip()[end:].strip() == "", f"more than one JSON document: {text!r}"
    return document


def invoke(setup: Setup, *args: str, index_dir: str | None = None) -> Result:
    runner = CliRunner()
    return runner.invoke(cli, ["--index", index_dir or setup.index_dir, "search", *args])


def search_ok(setup: Setup, *args: str) -> dict[str, Any]:
    result = invoke(setup, "--json", *args)
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    document = one_document(result.stdout)
    jsonschema.validate(document, SEARCH_SCHEMA)
    _check_values(document)
    assert isinstance(document, dict)
    return document


def _check_values(document: dict[str, Any]) -> None:
    """What a schema cannot say: spans inside their text, hits within the
    page, the timeline and the sources adding up to the total."""
    timeline, sources = document["timeline"], document["sources"]
    assert sum(timeline["counts"].values()) + timeline["undated"] == document["total"]
    assert sum(sources["counts"].values()) + sources["no_source"] == document["total"]
    assert list(timeline["counts"]) == sorted(timeline["counts"])
    assert len(document["hits"]) <= document["limit"]
    assert len(document["hits"]) <= document["total"]
    for hit in document["hits"]:
        assert os.path.isabs(hit["path"])
        assert hit["id"] == article_id(hit["path"], hit["record"])
        for snippet in hit["snippets"]:
            previous = 0
            for start, end in snippet["highlights"]:
                assert previous <= start < end <= len(snippet["text"]), snippet
                previous = end


def hit_names(setup: Setup, document: dict[str, Any]) -> list[str]:
    return [setup.names.get(hit["id"], "?" + hit["id"]) for hit in document["hits"]]


# ---------------------------------------------------------------------------
# The document validates, whatever the query
# ---------------------------------------------------------------------------

VALID_RUNS: list[Sequence[str]] = [
    ['"front line"'],
    ["front line", "--limit", "1"],
    ["bushfire"],
    ["bushfier"],
    ["harvest", "--sort", "newest"],
    ["harvest", "--sort", "oldest", "--limit", "3", "--page", "2"],
    ["", "--from", "2021-09", "--to", "2021-09"],
    ["*", "--source", "coastal wire", "--limit", "100"],
    ["zzqqxxnothing"],
    ["al-Zarqin"],
    ["Zürich café résumé"],
    ["harvest date:>=2021-09"],
    ['"peace talks"~3'],
    ["panj*"],
    ["investers~"],
    ["(glacier OR ferry"],
    ["harvest", "--page", "99"],
    ["--", "-glacier"],
    [],
]


@pytest.mark.parametrize("args", VALID_RUNS, ids=[" ".join(a) or "<no query>" for a in VALID_RUNS])
def test_search_json_validates_against_the_contract(setup: Setup, args: Sequence[str]) -> None:
    result = invoke(setup, "--json", *args)
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    document = one_document(result.stdout)
    jsonschema.validate(document, SEARCH_SCHEMA)
    _check_values(document)
    query = [a for a in args if not a.startswith("--")][:1]
    assert document["query"] == (query[0] if query else "")


def test_stdout_is_one_line_and_nothing_else(setup: Setup) -> None:
    result = invoke(setup, "--json", "bushfire")
    assert result.exit_code == 0
    assert result.stdout.endswith("\n")
    assert result.stdout.count("\n") == 1
    assert json.loads(result.stdout)["total"] == 5


def test_echoes_page_and_limit(setup: Setup) -> None:
    document = search_ok(setup, "harvest", "--limit", "3", "--page", "2")
    assert (document["page"], document["limit"], document["total"]) == (2, 3, 8)
    assert len(document["hits"]) == 3


def test_total_is_exact_and_hits_are_one_page(setup: Setup) -> None:
    document = search_ok(setup, "", "--limit", "2")
    assert document["total"] == len(ARTICLES)
    assert len(document["hits"]) == 2
    document = search_ok(setup, "harvest", "--page", "99")
    assert document["total"] == 8
    assert document["hits"] == []


# ---------------------------------------------------------------------------
# Field values
# ---------------------------------------------------------------------------


def test_hit_fields_hold_the_articles_metadata(setup: Setup) -> None:
    document = search_ok(setup, "*", "--limit", "100")
    assert document["total"] == len(ARTICLES)
    assert {hit["id"] for hit in document["hits"]} == set(setup.ids.values())
    for hit in document["hits"]:
        article = META[setup.names[hit["id"]]]
        assert hit["path"] == setup.paths[article.name]
        assert hit["record"] == article.record
        assert hit["title"] == article.title
        assert hit["date"] == (article.date.isoformat() if article.date else None)
        assert hit["source"] == article.source
        assert hit["author"] == article.author
        assert hit["url"] == article.url


def test_jsonl_record_and_one_article_file(setup: Setup) -> None:
    document = search_ok(setup, "bushfire", "--limit", "100")
    by = {setup.names[hit["id"]]: hit for hit in document["hits"]}
    assert by["jsonl_bushfire"]["record"] == 0
    assert by["jsonl_bushfire"]["path"].endswith("wire_feed.jsonl")
    assert by["bushfire_long"]["record"] is None
    assert by["bushfire_long"]["url"] == "https://coastalwire.example/2019/fire-season"
    assert by["bushfire_claims"]["author"] is None


def test_undated_and_sourceless_articles_have_nulls(setup: Setup) -> None:
    document = search_ok(setup, "library")
    (hit,) = document["hits"]
    assert setup.names[hit["id"]] == "undated_plain"
    assert (hit["date"], hit["source"], hit["author"], hit["url"]) == (None, None, None, None)


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_sort_gives_null_scores(setup: Setup, sort: str) -> None:
    document = search_ok(setup, "harvest", "--sort", sort)
    assert document["hits"]
    assert all(hit["score"] is None for hit in document["hits"])


def test_relevance_gives_number_scores_best_first(setup: Setup) -> None:
    document = search_ok(setup, "bushfire OR harvest", "--limit", "100")
    scores = [hit["score"] for hit in document["hits"]]
    assert all(isinstance(score, int | float) and not isinstance(score, bool) for score in scores)
    assert scores == sorted(scores, reverse=True)


def test_sort_newest_order_with_undated_last(setup: Setup) -> None:
    document = search_ok(setup, "harvest", "--sort", "newest")
    assert hit_names(setup, document) == [
        "harvest_2022_01_01",
        "harvest_2021_12_31",
        "harvest_2021_10_01",
        "harvest_2021_09_30",
        "harvest_2021_09_01",
        "harvest_2021_08_31",
        "harvest_2020_06_15",
        "harvest_undated",
    ]
    assert [hit["date"] for hit in document["hits"]][-1] is None


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["harvest", "--from", "2021-09", "--to", "2021-09"],
            {"harvest_2021_09_01", "harvest_2021_09_30"},
        ),
        (
            ["harvest", "--to", "2021-09"],
            {
                "harvest_2020_06_15",
                "harvest_2021_08_31",
                "harvest_2021_09_01",
                "harvest_2021_09_30",
            },
        ),
        (["harvest", "--from", "2022"], {"harvest_2022_01_01"}),
        (["harvest", "--from", "2021-09-30", "--to", "2021-09-30"], {"harvest_2021_09_30"}),
        (["harvest", "--source", "COASTAL WIRE"], {"harvest_2021_08_31", "harvest_2021_12_31"}),
        (["harvest", "--source", "coastal wire weekly"], {"harvest_2021_09_01", "harvest_undated"}),
        (["harvest", "--source", "Coastal"], set()),
        (['"front line"'], {"frontline_exact"}),
        (["--", "-glacier"], set(META) - {"bool_glacier", "bool_glacier_ferry"}),
    ],
)
def test_options_select_exactly(setup: Setup, args: list[str], expected: set[str]) -> None:
    document = search_ok(setup, "--limit", "100", *args)
    assert set(hit_names(setup, document)) == expected
    assert document["total"] == len(expected)


def test_suggestion_is_the_corrected_query(setup: Setup) -> None:
    document = search_ok(setup, "bushfier")
    assert document["total"] == 0
    assert document["suggestion"] == "bushfire"
    assert search_ok(setup, "bushfire")["suggestion"] is None


def test_phrase_highlights_in_json(setup: Setup) -> None:
    document = search_ok(setup, '"front line"')
    (hit,) = document["hits"]
    (snippet,) = hit["snippets"]
    assert [snippet["text"][a:b] for a, b in snippet["highlights"]] == ["front", "line"]


# ---------------------------------------------------------------------------
# Errors: exit code, one JSON object on stderr, nothing on stdout
# ---------------------------------------------------------------------------


def check_error(result: Result, exit_code: int) -> dict[str, Any]:
    assert result.exit_code == exit_code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    document = one_document(result.stderr)
    jsonschema.validate(document, ERROR_SCHEMA)
    assert isinstance(document, dict)
    error: dict[str, Any] = document["error"]
    return error


@pytest.mark.parametrize(
    "args",
    [
        ["harvest", "--from", "2021-13"],
        ["harvest", "--from", "2021-02-30"],
        ["harvest", "--to", "soon"],
        ["harvest", "--from", "21-09"],
    ],
)
def test_bad_date_option_is_exit_2_with_the_accepted_forms(setup: Setup, args: list[str]) -> None:
    error = check_error(invoke(setup, "--json", *args), 2)
    assert "YYYY-MM-DD" in error["message"]


@pytest.mark.parametrize(
    "query", ["harvest date:2021-13", "date:2021-02-30", "date:[2021-10 to 2021-09]"]
)
def test_bad_date_in_query_is_exit_2(setup: Setup, query: str) -> None:
    check_error(invoke(setup, "--json", query), 2)


@pytest.mark.parametrize("query", ["!!!", "()", "( )"])
def test_nothing_searchable_is_exit_2(setup: Setup, query: str) -> None:
    check_error(invoke(setup, "--json", query), 2)


@pytest.mark.parametrize(
    "args",
    [
        ["harvest", "--limit", "0"],
        ["harvest", "--page", "0"],
        ["harvest", "--sort", "sideways"],
        ["harvest", "--no-such-option"],
        ["harvest", "--from", "2021-10", "--to", "2021-09"],
    ],
)
def test_bad_usage_is_exit_2(setup: Setup, args: list[str]) -> None:
    check_error(invoke(setup, "--json", *args), 2)


def test_missing_index_is_exit_1(setup: Setup, tmp_path: Path) -> None:
    missing = str(tmp_path / "no-index-here")
    error = check_error(invoke(setup, "--json", "harvest", index_dir=missing), 1)
    assert missing in error["message"]
    assert not os.path.exists(os.path.join(missing, "MAIN_WRITELOCK"))


def test_json_flag_after_the_query_still_gives_json_errors(setup: Setup) -> None:
    result = CliRunner().invoke(cli, ["--index", setup.index_dir, "search", "!!!", "--json"])
    check_error(result, 2)


def test_unparsable_query_is_still_searched(setup: Setup) -> None:
    document = search_ok(setup, '"front line')
    assert set(hit_names(setup, document)) == {"frontline_exact", "frontline_apart"}
    document = search_ok(setup, "glacier AND")
    assert set(hit_names(setup, document)) == {"bool_glacier", "bool_glacier_ferry"}
