"""The fixture pages of tests/pages: one per kind of real news page seen (issue 11).

Each page was written for this repository to reproduce one structure that
real saved pages have (a date only in Dublin Core, an embedded post with
its own date, a story in an ``<aside>``, a site name in ``og:title``, ...),
in several languages and scripts.  ``expected.json`` beside them says what
the loader must produce: the exact title, date, source and body, and the
page's furniture that must not be in the body.  The same files feed
``benchmarks/html_quality.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.html_quality import run_loader
from searchengine.load import load_file

PAGES = Path(__file__).parent / "pages"
EXPECTED: dict[str, dict[str, Any]] = json.loads((PAGES / "expected.json").read_text("utf-8"))
STORIES = sorted(name for name, want in EXPECTED.items() if not want.get("skipped"))


def test_every_page_has_expectations_and_every_expectation_a_page() -> None:
    assert sorted(p.name for p in PAGES.glob("*.html")) == sorted(EXPECTED)


def test_the_pages_cover_several_languages_and_scripts() -> None:
    languages = {name.split("-")[0] for name in EXPECTED}
    assert {"ar", "de", "en", "es", "fr", "ja", "ko", "ru", "th", "zh"} <= languages


@pytest.mark.parametrize("name", STORIES)
def test_page_metadata(name: str) -> None:
    want = EXPECTED[name]
    result = load_file(str(PAGES / name))
    assert result.problems == ()
    (article,) = result.articles
    assert article.title == want["title"]
    assert (article.date.isoformat() if article.date else None) == want["date"]
    assert article.source == want["source"]


@pytest.mark.parametrize("name", STORIES)
def test_page_body_is_the_whole_story_and_nothing_else(name: str) -> None:
    want = EXPECTED[name]
    (article,) = load_file(str(PAGES / name)).articles
    assert article.body.split("\n\n") == want["body"]
    assert [text for text in want["furniture"] if text in article.body] == []


@pytest.mark.parametrize("name", STORIES)
def test_no_date_from_embedded_teaser_comment_or_update(name: str) -> None:
    want = EXPECTED[name]
    (article,) = load_file(str(PAGES / name)).articles
    shown = article.date.isoformat() if article.date else None
    assert shown not in want["other_dates"]


def test_a_page_without_a_story_is_skipped() -> None:
    result = load_file(str(PAGES / "en-no-article.html"))
    assert result.articles == ()
    assert [(p.kind, p.reason) for p in result.problems] == [
        ("skipped", "no article text in the page")
    ]


def test_the_evaluation_script_scores_the_fixtures() -> None:
    score = run_loader(PAGES, EXPECTED, repeat=1)
    assert score.misses == []
    assert (score.indexed, score.stories) == (22, 22)
    assert (score.dates_right, score.dated, score.undated_right, score.undated) == (21, 21, 1, 1)
    assert (score.titles_exact, score.sources_right, score.bodies_exact) == (22, 22, 22)
    assert (score.sentences_kept, score.sentences, score.furniture_leaked) == (115, 115, 0)
