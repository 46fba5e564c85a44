"""A web page's publication date: every way a page states it, and never another's date."""

from __future__ import annotations

import datetime as dt
import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchengine.load import load_file
from searchengine.load.html_datetext import dates_in, first_date

from conftest import WriteFile

STORY = (
    "<p>The harbour board approved the new breakwater on Tuesday after two years of argument "
    "over its cost and the damage it might do to the beach.</p>"
    "<p>Work will start in the spring and should take eighteen months, during which the "
    "ferry will use the north quay.</p>"
)
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def shown(day: dt.date) -> str:
    """A date as a byline shows it: ``5 March 2021``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def page(head: str = "", before: str = "", inside: str = "", after: str = "") -> str:
    """A news page: furniture around an ``<article>`` with a headline and a story."""
    return (
        "<!DOCTYPE html><html><head><title>Breakwater approved | Harbour Times</title>"
        '<meta property="og:site_name" content="Harbour Times">'
        f"{head}</head><body>"
        '<header class="masthead"><a href="/">Harbour Times</a></header>'
        f"{before}<main><article><h1>Breakwater approved</h1>{inside}{STORY}</article></main>"
        f"{after}<footer><p>© 2024 Harbour Times</p></footer></body></html>"
    )


def date_of(write: WriteFile, html: str) -> dt.date | None:
    result = load_file(str(write("p.html", html)))
    assert result.problems == ()
    (article,) = result.articles
    return article.date


# ------------------------------------------------------------ each statement


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="article:published_time" content="2019-09-24T08:00:00Z">',
        '<meta name="DC.date.issued" content="2019-09-24">',
        '<meta name="dc.date" content="2019-09-24">',
        '<meta name="dcterms.issued" content="2019-09-24T10:00:00+02:00">',
        '<meta name="publishdate" content="2019-09-24">',
        '<meta name="publish-date" content="September 24, 2019">',
        '<meta name="sailthru.date" content="2019-09-24 10:00:00">',
        '<meta name="parsely-pub-date" content="2019-09-24T10:00:00Z">',
        '<meta name="date" content="2019-09-24">',
        '<meta name="pubdate" content="20190924">',
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2019-09-24"}</script>',
    ],
)
def test_explicit_meta_tags(write: WriteFile, head: str) -> None:
    assert date_of(write, page(head)) == dt.date(2019, 9, 24)


@pytest.mark.parametrize(
    "inside",
    [
        '<meta itemprop="datePublished" content="2019-09-24T21:00:00-05:00">',
        '<p class="meta"><time itemprop="datePublished" datetime="2019-09-24">Tuesday</time></p>',
        '<p class="dateline"><time datetime="2019-09-24T07:00">24 Sep</time></p>',
        '<p class="byline">By Ana Ruiz · 24 September 2019</p>',
        '<p class="byline">By Ana Ruiz, Sept. 24, 2019, 4:12 PM</p>',
        '<div class="article-info"><span class="time">2019年09月24日 10:32</span></div>',
        '<div class="date">2019년 9월 24일</div>',
        '<div class="article-date">نُشر في ٢٤ سبتمبر ٢٠١٩</div>',
        '<div class="post-date">วันที่ 24 ก.ย. 2562</div>',
        '<p class="datum">Veröffentlicht am 24.09.2019</p>',
        '<p class="fecha">24 de septiembre de 2019</p>',
        '<p class="meta">Publié le 24 septembre 2019</p>',
        '<p class="meta">24 сентября 2019</p>',
    ],
)
def test_visible_dates_of_the_article(write: WriteFile, inside: str) -> None:
    assert date_of(write, page(inside=inside)) == dt.date(2019, 9, 24)


@pytest.mark.parametrize(
    "url",
    [
        "https://harbour.example/2019/09/24/breakwater-approved/",
        "https://harbour.example/news/2019-09-24/breakwater",
        "https://harbour.example/news/breakwater-approved-2019-09-24/",
        "https://harbour.example/20190924/breakwater.html",
    ],
)
def test_a_date_in_the_address(write: WriteFile, url: str) -> None:
    assert date_of(write, page(f'<link rel="canonical" href="{url}">')) == dt.date(2019, 9, 24)


def test_a_date_only_in_og_title(write: WriteFile) -> None:
    head = '<meta property="og:title" content="Breakwater approved (24.09.2019)">'
    assert date_of(write, page(head)) == dt.date(2019, 9, 24)


@pytest.mark.parametrize(
    ("head", "inside"),
    [
        (
            "",
            '<p class="byline">By Ana Ruiz <abbr class="published" title="2019-09-24T10:00:00+02:00">Tuesday</abbr></p>',
        ),
        ('<meta name="bt:pubDate" content="2019-09-24T10:00:00+02:00">', ""),
    ],
)
def test_htmldate_reads_what_the_loaders_own_readers_do_not(
    write: WriteFile, head: str, inside: str
) -> None:
    assert date_of(write, page(head, inside=inside)) == dt.date(2019, 9, 24)


def test_htmldate_never_falls_back_on_a_modified_date_or_a_copyright_year(write: WriteFile) -> None:
    # Alone, htmldate answers 2021-03-03 and 2021-01-01 for these.
    head = '<meta http-equiv="last-modified" content="2021-03-03"><meta itemprop="copyrightYear" content="2021">'
    assert date_of(write, page(head)) is None


def test_commentary_is_a_story_not_a_comment_thread(write: WriteFile) -> None:
    inside = '<div class="commentary-meta"><time datetime="2019-09-24">24 Sep</time></div>'
    assert date_of(write, page(inside=inside)) == dt.date(2019, 9, 24)


def test_no_date_stated_means_none(write: WriteFile) -> None:
    assert (
        date_of(
            write, page('<link rel="canonical" href="https://harbour.example/news/breakwater">')
        )
        is None
    )


# ------------------------------------------------------------ order and rules


def test_a_time_zone_keeps_the_pages_calendar_day(write: WriteFile) -> None:
    head = '<meta property="article:published_time" content="2021-03-01T00:30:00+09:00">'
    assert date_of(write, page(head)) == dt.date(2021, 3, 1)  # 28 February in UTC


def test_open_graph_comes_before_json_ld_and_the_rest(write: WriteFile) -> None:
    head = (
        '<meta name="date" content="2019-01-03">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2019-01-02"}</script>'
        '<meta property="article:published_time" content="2019-01-01">'
    )
    assert date_of(write, page(head, inside='<time datetime="2019-01-04">4 Jan</time>')) == dt.date(
        2019, 1, 1
    )


def test_modified_dates_are_never_read(write: WriteFile) -> None:
    head = (
        '<meta property="article:modified_time" content="2021-03-03T18:20:00+01:00">'
        '<meta name="last-modified" content="2021-03-03">'
        '<meta property="og:updated_time" content="2021-03-03">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "dateModified": "2021-03-03"}</script>'
    )
    assert date_of(write, page(head)) is None
    inside = '<p class="byline">By Ana Ruiz · 1 March 2021</p>'
    assert date_of(write, page(head, inside=inside)) == dt.date(2021, 3, 1)


def test_an_updated_time_never_replaces_the_published_one(write: WriteFile) -> None:
    inside = (
        '<p class="meta">Updated <time datetime="2021-03-03T18:20">3 March</time> · '
        'Published <time datetime="2021-03-01T07:00">1 March</time></p>'
    )
    assert date_of(write, page(inside=inside)) == dt.date(2021, 3, 1)
    german = (
        '<p class="meta">Aktualisiert am 03.03.2021, 18:20 Uhr · Veröffentlicht am 01.03.2021</p>'
    )
    assert date_of(write, page(inside=german)) == dt.date(2021, 3, 1)
    only_update = '<p class="meta"><span class="updated"><time datetime="2021-03-03">3 March</time></span></p>'
    assert date_of(write, page(inside=only_update)) is None


def test_json_ld_of_the_pages_own_article_not_of_a_teaser_in_the_same_graph(
    write: WriteFile,
) -> None:
    graph = {
        "@graph": [
            {
                "@type": "NewsArticle",
                "url": "https://h.example/other",
                "datePublished": "2018-04-09",
            },
            {
                "@type": "NewsArticle",
                "url": "https://h.example/breakwater",
                "datePublished": "2018-04-06",
            },
        ]
    }
    head = f'<link rel="canonical" href="https://h.example/breakwater/"><script type="application/ld+json">{json.dumps(graph)}</script>'
    assert date_of(write, page(head)) == dt.date(2018, 4, 6)


def test_a_json_ld_publisher_reference_is_followed_for_the_source(write: WriteFile) -> None:
    graph = {
        "@graph": [
            {"@type": "WebSite", "@id": "https://h.example/#site", "name": "Valley Voice"},
            {"@type": "NewsArticle", "publisher": {"@id": "https://h.example/#site"}},
        ]
    }
    html = page(f'<script type="application/ld+json">{json.dumps(graph)}</script>').replace(
        '<meta property="og:site_name" content="Harbour Times">', ""
    )
    assert load_file(str(write("p.html", html))).articles[0].source == "Valley Voice"


# ------------------------------------------------------------ visible date text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24 September 2019", dt.date(2019, 9, 24)),
        ("Sept. 24, 2019", dt.date(2019, 9, 24)),
        ("September 24th, 2019", dt.date(2019, 9, 24)),
        ("1er février 2020", dt.date(2020, 2, 1)),
        ("3. März 2021", dt.date(2021, 3, 3)),
        ("24.09.2019", dt.date(2019, 9, 24)),
        ("24/09/2019", dt.date(2019, 9, 24)),
        ("09/24/2019", dt.date(2019, 9, 24)),
        ("2019/09/24", dt.date(2019, 9, 24)),
        ("2019年9月24日", dt.date(2019, 9, 24)),
        ("２０１９年９月２４日", dt.date(2019, 9, 24)),
        ("2023년 4월 15일", dt.date(2023, 4, 15)),
        ("٢٤ سبتمبر ٢٠١٩", dt.date(2019, 9, 24)),
        ("24 أيلول 2019", dt.date(2019, 9, 24)),
        ("27 мая 2022", dt.date(2022, 5, 27)),
        ("24 ก.ย. 2562", dt.date(2019, 9, 24)),
        ("24 กันยายน 2562", dt.date(2019, 9, 24)),
    ],
)
def test_dates_written_for_people(text: str, expected: dt.date) -> None:
    assert first_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "05/06/2020",
        "September 2019",
        "2019",
        "31 February 2020",
        "Flood update",
        "10:30",
        "6,8 Millionen",
    ],
)
def test_not_a_whole_day_or_ambiguous_is_no_date(text: str) -> None:
    assert first_date(text) is None


def test_an_updated_label_marks_its_date() -> None:
    found = dates_in("Updated 3 March 2021 | Published 1 March 2021")
    assert [(d.day, d.updated) for d in found] == [
        (dt.date(2021, 3, 3), True),
        (dt.date(2021, 3, 1), False),
    ]
    assert first_date("Flood update, 12 March 2020: river level falling") == dt.date(2020, 3, 12)


# ------------------------------------------------------------ the property

OWN_FORMS = (
    "og",
    "json-ld",
    "dublin core",
    "microdata",
    "meta name",
    "time",
    "address",
    "byline",
    "none",
)


def _iso(day: dt.date, hour: int, offset: int) -> str:
    sign = "+" if offset >= 0 else "-"
    return f"{day.isoformat()}T{hour:02d}:15:00{sign}{abs(offset):02d}:00"


def _own(form: str, day: dt.date, hour: int, offset: int) -> tuple[str, str, str]:
    """(head, inside the article, page address) stating ``day`` the way ``form`` does."""
    iso = _iso(day, hour, offset)
    address = "https://harbour.example/news/breakwater-approved"
    if form == "og":
        return f'<meta property="article:published_time" content="{iso}">', "", address
    if form == "json-ld":
        item = {"@type": "NewsArticle", "url": address, "datePublished": iso}
        return f'<script type="application/ld+json">{json.dumps(item)}</script>', "", address
    if form == "dublin core":
        return f'<meta name="DC.date.issued" content="{day.isoformat()}">', "", address
    if form == "microdata":
        return "", f'<meta itemprop="datePublished" content="{iso}">', address
    if form == "meta name":
        return f'<meta name="publishdate" content="{iso}">', "", address
    if form == "time":
        return "", f'<p class="dateline"><time datetime="{iso}">{shown(day)}</time></p>', address
    if form == "address":
        return "", "", f"https://harbour.example/{day:%Y/%m/%d}/breakwater-approved/"
    if form == "byline":
        return "", f'<p class="byline">By Ana Ruiz · {shown(day)}</p>', address
    return "", "", address


FOREIGN_KINDS = (
    "tweet",
    "instagram",
    "video figure",
    "updated line",
    "related box",
    "teaser aside",
    "latest section",
    "comments",
    "microdata teasers",
    "modified meta",
    "json-ld teaser graph",
    "json-ld item list",
    "embedded json-ld",
)


def _foreign(kind: str, day: dt.date, n: int) -> tuple[str, str]:
    """(where, html): another date than the article's, in a structure that is not the article's."""
    iso = _iso(day, 12, 0)
    other = f"https://harbour.example/{day:%Y/%m/%d}/other-story-{n}/"
    if kind == "tweet":
        return "inside", (
            '<blockquote class="twitter-tweet"><p>Quay closed today.</p>&mdash; Port (@port) '
            f'<a href="https://social.example/port/status/{n}">{MONTHS[day.month - 1]} {day.day}, {day.year}</a></blockquote>'
        )
    if kind == "instagram":
        return "inside", (
            f'<blockquote class="instagram-media"><a href="https://social.example/p/{n}/">A post shared by Surf Club</a>'
            f'<p><time datetime="{iso}">{shown(day)}</time></p></blockquote>'
        )
    if kind == "video figure":
        return "inside", (
            f'<figure><iframe src="https://video.example/embed/{n}"></iframe>'
            f"<figcaption>Filmed on {shown(day)}.</figcaption></figure>"
        )
    if kind == "updated line":
        return "inside", f'<p class="meta">Updated <time datetime="{iso}">{shown(day)}</time></p>'
    if kind == "related box":
        return "inside", (
            f'<div class="related"><h3>Related</h3><ul><li><a href="{other}">Other story</a> '
            f'<time datetime="{iso}">{shown(day)}</time></li></ul></div>'
        )
    if kind == "teaser aside":
        return "after", (
            f'<aside><h2>Most read</h2><ol><li><a href="{other}">Other story</a> '
            f'<span class="date">{shown(day)}</span></li></ol></aside>'
        )
    if kind == "latest section":
        return "before", (
            f'<section class="latest"><article class="teaser"><h3><a href="{other}">Other story</a></h3>'
            f'<time datetime="{iso}">{shown(day)}</time></article></section>'
        )
    if kind == "comments":
        return "after", (
            f'<section id="comments"><article class="comment"><footer><b>Kim</b> '
            f'<time datetime="{iso}">{shown(day)}</time></footer><p>About time.</p></article></section>'
        )
    if kind == "microdata teasers":
        return "after", (
            f'<ul class="more-stories"><li itemscope itemtype="https://schema.org/NewsArticle">'
            f'<a itemprop="url" href="{other}">Other story</a><meta itemprop="datePublished" content="{iso}"></li></ul>'
        )
    if kind == "modified meta":
        return "head", f'<meta property="article:modified_time" content="{iso}">'
    if kind == "json-ld teaser graph":
        graph = {"@graph": [{"@type": "NewsArticle", "url": other, "datePublished": iso}]}
        return "head", f'<script type="application/ld+json">{json.dumps(graph)}</script>'
    if kind == "json-ld item list":
        items = {
            "@type": "ItemList",
            "itemListElement": [{"@type": "NewsArticle", "url": other, "datePublished": iso}],
        }
        return "head", f'<script type="application/ld+json">{json.dumps(items)}</script>'
    post = {"@type": "SocialMediaPosting", "datePublished": iso}
    return "inside", (
        f'<blockquote class="tiktok-embed"><script type="application/ld+json">{json.dumps(post)}</script>'
        f"<p>Waves over the wall</p></blockquote>"
    )


days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2024, 12, 31))


@settings(
    max_examples=150,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    form=st.sampled_from(OWN_FORMS),
    own_day=days,
    hour=st.integers(0, 23),
    offset=st.integers(-11, 14),
    foreign=st.lists(st.tuples(st.sampled_from(FOREIGN_KINDS), days), min_size=1, max_size=6),
)
def test_an_embedded_teaser_or_comment_date_never_wins(
    write: WriteFile,
    form: str,
    own_day: dt.date,
    hour: int,
    offset: int,
    foreign: list[tuple[str, dt.date]],
) -> None:
    head, inside, address = _own(form, own_day, hour, offset)
    parts: dict[str, list[str]] = {"head": [], "before": [], "inside": [], "after": []}
    for n, (kind, day) in enumerate(foreign):
        where, html = _foreign(kind, day, n)
        parts[where].append(html)
    # The article's own statement is written after the foreign ones wherever
    # they share a place: reading order alone must not decide.
    html = page(
        head="".join(parts["head"]) + head + f'<link rel="canonical" href="{address}">',
        before="".join(parts["before"]),
        inside="".join(parts["inside"]) + inside,
        after="".join(parts["after"]),
    )
    assert date_of(write, html) == (None if form == "none" else own_day)
