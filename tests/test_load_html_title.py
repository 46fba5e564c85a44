"""The bare headline: the site's name taken off wherever it is, the supported candidate chosen."""

from __future__ import annotations

import pytest

from searchengine.load import load_file
from searchengine.load.html_title import names_site, pick_title, strip_site

from conftest import WriteFile

SITES = ["Harbour Times", "harbourtimes.example"]


@pytest.mark.parametrize(
    "title",
    [
        "Breakwater approved | Harbour Times",
        "Breakwater approved - Harbour Times",
        "Breakwater approved – Harbour Times",
        "Breakwater approved — Harbour Times",
        "Breakwater approved › Harbour Times",
        "Breakwater approved » Harbour Times",
        "Breakwater approved · Harbour Times",
        "Breakwater approved｜Harbour Times",
        "Breakwater approved :: Harbour Times",
        "Harbour Times: Breakwater approved",
        "Harbour Times | Breakwater approved",
        "Harbour Times - Breakwater approved",
        "HARBOUR TIMES » Breakwater approved",
        "Breakwater approved | Harbour Times Politics",
        "Breakwater approved | harbourtimes.example",
        "Breakwater approved | HarbourTimes",
        "Harbour Times | Breakwater approved | Harbour Times",
    ],
)
def test_the_sites_name_is_taken_off_either_end(title: str) -> None:
    assert strip_site(title, SITES) == "Breakwater approved"


@pytest.mark.parametrize(
    "title",
    [
        "Brexit: what happens next",  # a colon inside a headline
        "Harbour wall - a history",  # a dash inside a headline
        "Spider-Man returns to the pier",
        "Harbour Times editor steps down",  # the site's name inside the headline
        "Times change - for the harbour",
        "Breakwater approved | Coastal Wire",  # another outlet: the page does not say it is the site
    ],
)
def test_only_the_sites_own_name_is_taken_off(title: str) -> None:
    assert strip_site(title, SITES) == title


def test_the_site_at_the_start_must_be_its_whole_name() -> None:
    # "Harbour Times editor" names the site and more: only the end may carry a section.
    assert (
        strip_site("Harbour Times editor: a farewell", SITES) == "Harbour Times editor: a farewell"
    )


def test_a_title_that_is_only_the_site_is_kept() -> None:
    assert strip_site("Harbour Times", SITES) == "Harbour Times"
    assert names_site("Harbour Times", SITES)
    assert not names_site("Breakwater approved", SITES)


def test_og_title_naming_another_article_loses_to_title_and_h1() -> None:
    chosen = pick_title(
        [
            ("og:title", "Christmas markets open this weekend"),
            ("title", "Library extends its hours — Harbour Times"),
            ("h1", "Library extends its hours"),
        ],
        SITES,
    )
    assert chosen == "Library extends its hours"


def test_h1_wins_when_both_titles_carry_an_unknown_suffix() -> None:
    chosen = pick_title(
        [
            ("og:title", "Clinic opens in Zarechye — Vesti Zarechya"),
            ("title", "Clinic opens in Zarechye — Vesti Zarechya"),
            ("h1", "Clinic opens in Zarechye"),
        ],
        [],
    )
    assert chosen == "Clinic opens in Zarechye"


def test_og_title_wins_ties_and_a_colon_is_no_evidence() -> None:
    chosen = pick_title(
        [
            ("og:title", "Brexit: what happens next"),
            ("h1", "Brexit"),
            ("title", "Brexit: what happens next"),
        ],
        [],
    )
    assert chosen == "Brexit: what happens next"
    assert pick_title([("og:title", "A"), ("h1", "B")], []) == "A"
    assert pick_title([("og:title", None), ("title", "  "), ("h1", "B")], []) == "B"
    assert pick_title([], []) is None


def _page(head: str, h1: str = "Breakwater approved") -> str:
    return (
        f"<html><head>{head}</head><body><header><h1 class='logo'>Harbour Times</h1></header>"
        f"<article><h1>{h1}</h1><p>The harbour board approved the new breakwater on Tuesday after "
        "two years of argument over its cost.</p><p>Work starts in spring.</p></article></body></html>"
    )


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="og:title" content="Breakwater approved | Harbour Times"><meta property="og:site_name" content="Harbour Times">',
        '<title>Harbour Times - Breakwater approved</title><meta name="application-name" content="Harbour Times">',
        '<title>Breakwater approved » Harbour Times</title><link rel="canonical" href="https://www.harbourtimes.example/x">',
        '<title>Breakwater approved · Harbour Times</title><script type="application/ld+json">{"@type": "NewsArticle", "publisher": {"name": "Harbour Times"}}</script>',
        '<title>Breakwater approved | Some Site</title><meta property="og:title" content="Breakwater approved | Some Site">',
    ],
)
def test_loaded_title_is_the_bare_headline(write: WriteFile, head: str) -> None:
    (article,) = load_file(str(write("p.html", _page(head)))).articles
    assert article.title == "Breakwater approved"


def test_the_site_logo_h1_is_not_the_headline(write: WriteFile) -> None:
    html = _page('<meta property="og:site_name" content="Harbour Times">')
    (article,) = load_file(str(write("p.html", html))).articles
    assert article.title == "Breakwater approved"
    assert not article.body.startswith("Breakwater approved")
