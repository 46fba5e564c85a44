"""A small, hand-written news corpus with a known answer for every query feature.

Every article is invented sample text: the towns, rivers, people, banks and
news outlets do not exist.  Each group of articles exists to pin down one part
of the query language, and the words a group is about appear nowhere else, so
the exact set of articles a query must return can be read off this file:

* stemming: ``attack``/``attacks``/``attacked``; ``running``/``run``;
  ``news`` (one article) is not ``new`` (another);
* accent folding: ``Zürich café résumé`` in one article, ``Zurich cafe resume``
  in another;
* phrases: ``front line`` as a phrase in one article (which also has a lone
  ``front`` a few words earlier), ``front`` and ``line`` far apart in another;
* slop: ``peace talks`` (adjacent), ``peace and security talks`` (3 positions
  apart), ``peace and regional security talks`` (4 apart);
* stop words in phrases: ``Bank of Arvonia`` vs ``bank in Arvonia``;
* boolean operators: ``glacier``/``ferry``/``orchard`` combinations;
* hyphenated words: ``well-known`` (with lone ``well`` and lone ``known``
  elsewhere) and ``al-Zarqin`` (with a lone ``Al`` elsewhere);
* fields and the title boost: ``lighthouse`` once in one title, once in
  another article's body;
* prefix and fuzzy: ``Panjdara``, ``Panjlor``, ``Pandara``; ``investors``;
* dates: ``harvest`` on 2020-06-15, 2021-08-31, 2021-09-01, 2021-09-30,
  2021-10-01, 2021-12-31, 2022-01-01 and once undated; every dated article of
  the corpus has its own day, so date orders are total;
* spelling: ``bushfire`` in five articles (one long, for snippet tests);
* sources ``Coastal Wire`` and ``Coastal Wire Weekly``; three undated
  articles; two articles in a JSON Lines file.

Pure standard library; it does not import ``searchengine``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ARTICLES", "JSONL_FILE", "QueryArticle", "build_query_corpus", "by_name"]

#: The JSON Lines file holding the articles that have a ``record``.
JSONL_FILE = "wire_feed.jsonl"

COASTAL = "Coastal Wire"
WEEKLY = "Coastal Wire Weekly"
VALLEY = "Valley Herald"
LEDGER = "Northern Ledger"

CASTELLAN = "Mira Castellan"
WREN = "Tobias Wren"
MARCHETTI = "Ilse Marchetti"
RENEE = "Renée Dubois-Varga"


@dataclass(frozen=True)
class QueryArticle:
    """One article of the corpus and the metadata a correct index must hold."""

    name: str
    title: str
    body: str
    date: dt.date | None
    source: str | None
    author: str | None
    url: str | None = None
    #: The 0-based line in :data:`JSONL_FILE`; ``None`` for a ``.txt`` file.
    record: int | None = None


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


_LONG_BUSHFIRE = (
    "The bushfire season has arrived early in the Tallowind hills, and volunteer brigades "
    "from six townships spent the weekend clearing firebreaks along the ridge roads. Brigade "
    "captain Oren Lasky said the dry winter had left the scrub brittle and the creeks lower "
    "than anyone could remember.\n\n"
    "Residents were asked to check their gutters, trim overhanging branches and keep a bag "
    "packed by the door. The regional council opened two evacuation centres as a precaution, "
    "one in the Tallowind school gymnasium and one in the church hall at Broadwater, and said "
    "both would stay open until the first autumn rain.\n\n"
    "Farmers on the western slopes moved cattle onto irrigated paddocks. Several said they had "
    "not seen conditions like these in thirty years, and the agricultural college lent its "
    "water tankers to the brigades for the coming months.\n\n"
    "By Sunday evening a small bushfire near the Kessel quarry had been contained by two crews "
    "working from the quarry road, with help from a water bomber based at Ferrand airfield. "
    "No homes were damaged and the road reopened before nightfall.\n\n"
    "Officials will publish a bushfire readiness map for every township on Friday, and the "
    "brigades are asking for more volunteers to join their spring training weekends, which "
    "begin at the Broadwater depot.\n\n"
    "A final reminder came from the hospital in Tallowind, which asked anyone with breathing "
    "problems to stay indoors on smoky days and to keep their medicines close; the hospital "
    "expects a busy bushfire summer."
)

ARTICLES: tuple[QueryArticle, ...] = (
    # -- stemming ------------------------------------------------------------
    QueryArticle(
        "stem_attack",
        "Depot guards describe night-time attack",
        "Guards at the Brindlemoor grain depot said a single attack on the east gate was "
        "stopped within minutes. Nobody was hurt, and the depot reopened at dawn.",
        _d("2021-03-04"),
        VALLEY,
        CASTELLAN,
    ),
    QueryArticle(
        "stem_attacks",
        "Farmers count the cost of crow raids",
        "Repeated attacks by crows on the Hollin Ridge seed beds have cost growers two weeks "
        "of sowing, the cooperative said.",
        _d("2021-03-11"),
        VALLEY,
        WREN,
    ),
    QueryArticle(
        "stem_attacked",
        "Goalkeeper praises defence",
        "The Fernwick goalkeeper said her side defended calmly and attacked with patience in "
        "the second half.",
        _d("2021-03-18"),
        LEDGER,
        MARCHETTI,
    ),
    QueryArticle(
        "stem_running",
        "Coast path marathon draws record field",
        "More than four hundred people were running along the Selby coast path on Saturday, "
        "organisers of the charity event said.",
        _d("2021-04-02"),
        COASTAL,
        CASTELLAN,
    ),
    QueryArticle(
        "stem_run",
        "Bus company extends island service",
        "The company will run an extra bus to Corrow Island each evening from May.",
        _d("2021-04-09"),
        WEEKLY,
        None,
    ),
    QueryArticle(
        "stem_news",
        "Radio station marks fifty years on air",
        "Staff at Radio Kelmsey played clips from their first news bulletin, read live in 1971 "
        "by a teenage volunteer.",
        _d("2021-04-16"),
        LEDGER,
        WREN,
    ),
    QueryArticle(
        "stem_new",
        "Footbridge opens over the Dunnock",
        "A new footbridge over the river Dunnock opened to walkers this morning after two "
        "years of work.",
        _d("2021-04-23"),
        VALLEY,
        MARCHETTI,
    ),
    # -- accent folding ------------------------------------------------------
    QueryArticle(
        "accent_marked",
        "Chess club wins in Zürich",
        "Players from the Tarrow chess club celebrated at a café near the station in Zürich, "
        "where their captain handed out copies of her résumé as a joke.",
        _d("2021-05-07"),
        VALLEY,
        RENEE,
    ),
    QueryArticle(
        "accent_plain",
        "Exchange students return home",
        "The Zurich exchange group will resume classes on Monday; several students worked "
        "shifts at a cafe to pay for the trip.",
        _d("2021-05-14"),
        COASTAL,
        RENEE,
    ),
    # -- phrases -------------------------------------------------------------
    QueryArticle(
        "frontline_exact",
        "Volunteers keep supply convoy moving",
        "Drivers at the front of the convoy waited while the front line held near the Orrin "
        "river. Helpers from Maddock handed out bread and blankets until the road was clear "
        "again late in the evening.",
        _d("2021-06-01"),
        LEDGER,
        WREN,
    ),
    QueryArticle(
        "frontline_apart",
        "School gate reopens after repairs",
        "Parents gathered by the front gate of Ashdown primary school as builders packed up "
        "their tools. Later that afternoon a long line of cars formed on Mill Lane when the "
        "bell rang.",
        _d("2021-06-08"),
        VALLEY,
        CASTELLAN,
    ),
    # -- slop ----------------------------------------------------------------
    QueryArticle(
        "peace_adjacent",
        "Border villages welcome mediators",
        "Elders from both sides of the Sallow said peace talks would begin in the market hall "
        "next week.",
        _d("2021-07-05"),
        COASTAL,
        MARCHETTI,
    ),
    QueryArticle(
        "peace_dist3",
        "Mediators set out agenda",
        "The mediators said peace and security talks would cover grazing rights and the "
        "shared spring.",
        _d("2021-07-12"),
        WEEKLY,
        WREN,
    ),
    QueryArticle(
        "peace_dist4",
        "Hill councils meet mediators",
        "Both councils endorsed peace and regional security talks but asked for a written "
        "timetable.",
        _d("2021-07-19"),
        LEDGER,
        CASTELLAN,
    ),
    # -- stop words inside phrases -------------------------------------------
    QueryArticle(
        "bank_of",
        "Lender opens rural branch",
        "The Bank of Arvonia opened a branch in Pellow on Tuesday, its first outside the capital.",
        _d("2021-08-02"),
        VALLEY,
        MARCHETTI,
    ),
    QueryArticle(
        "bank_in",
        "Savings cooperative grows",
        "Members say the cooperative is now the largest savings bank in Arvonia by number of "
        "accounts.",
        _d("2021-08-09"),
        COASTAL,
        WREN,
    ),
    # -- boolean operators ---------------------------------------------------
    QueryArticle(
        "bool_glacier_ferry",
        "Sightseers crowd the morning sailing",
        "Tourists on the morning ferry crowded the rails to photograph the Skarn glacier as it "
        "calved into the fjord.",
        _d("2020-02-03"),
        COASTAL,
        CASTELLAN,
    ),
    QueryArticle(
        "bool_glacier",
        "Survey team measures ice retreat",
        "Researchers said the Skarn glacier had retreated forty metres since their last visit.",
        _d("2020-02-10"),
        LEDGER,
        MARCHETTI,
    ),
    QueryArticle(
        "bool_ferry",
        "Crossing cancelled in high winds",
        "The evening ferry to Corrow Island was cancelled because of gusts above sixty knots.",
        _d("2020-02-17"),
        WEEKLY,
        WREN,
    ),
    QueryArticle(
        "bool_orchard_ferry",
        "Apple growers ship first crates",
        "The Lowther orchard sent its first crates of apples to the mainland on the cargo ferry.",
        _d("2020-02-24"),
        VALLEY,
        CASTELLAN,
    ),
    # -- hyphenated words are words, not negations ---------------------------
    QueryArticle(
        "hyphen_wellknown",
        "Baker retires after forty years",
        "The owner of a well-known bakery on Tamsin Street baked her last loaf on Friday.",
        _d("2020-03-02"),
        VALLEY,
        WREN,
    ),
    QueryArticle(
        "hyphen_known_only",
        "Village bakery changes hands",
        "The bakery, known locally for its rye loaves, has been sold to two former apprentices.",
        _d("2020-03-09"),
        COASTAL,
        MARCHETTI,
    ),
    QueryArticle(
        "hyphen_well_only",
        "Square's old pump restored",
        "Stonemasons have restored the old well in Gatcombe square, which had been covered "
        "since the 1950s.",
        _d("2020-03-16"),
        LEDGER,
        CASTELLAN,
    ),
    QueryArticle(
        "hyphen_alzarqin",
        "Desert road resurfaced",
        "Crews finished resurfacing the road through the al-Zarqin district ahead of schedule.",
        _d("2020-03-23"),
        WEEKLY,
        WREN,
    ),
    QueryArticle(
        "hyphen_al_only",
        "Mayor opens summer fair",
        "Mayor Al Fenwick cut the ribbon at the Brackley summer fair on Sunday.",
        _d("2020-03-30"),
        VALLEY,
        MARCHETTI,
    ),
    # -- fields and the title boost ------------------------------------------
    QueryArticle(
        "field_title",
        "Lighthouse keeper's cottage for sale",
        "The stone cottage on Harl Point, empty since the beacon was automated, will be "
        "auctioned in spring.",
        _d("2022-03-01"),
        LEDGER,
        WREN,
    ),
    QueryArticle(
        "field_body",
        "Coastal walk guide published",
        "The guide describes twelve walks, from the dunes at Merrow to the lighthouse on Harl "
        "Point.",
        _d("2022-03-08"),
        VALLEY,
        MARCHETTI,
    ),
    # -- prefix and fuzzy ----------------------------------------------------
    QueryArticle(
        "prefix_panjdara",
        "Shepherds move flocks early",
        "Shepherds in the Panjdara valley moved their flocks to lower pasture a month early.",
        _d("2022-04-04"),
        COASTAL,
        CASTELLAN,
    ),
    QueryArticle(
        "prefix_panjlor",
        "Snow closes mountain pass",
        "The Panjlor pass was closed on Monday after heavy snow.",
        _d("2022-04-11"),
        LEDGER,
        WREN,
    ),
    QueryArticle(
        "prefix_pandara",
        "Pottery fair returns",
        "Potters from Pandara brought glazed bowls and jugs to the spring fair.",
        _d("2022-04-18"),
        VALLEY,
        MARCHETTI,
    ),
    QueryArticle(
        "fuzzy_investors",
        "Harbour redevelopment finds backers",
        "Private investors have pledged funds to rebuild the fish market on Quay Row.",
        _d("2022-05-02"),
        WEEKLY,
        CASTELLAN,
    ),
    # -- dates ---------------------------------------------------------------
    QueryArticle(
        "harvest_2020_06_15",
        "Early strawberry harvest",
        "Growers near Kettleby began the strawberry harvest a fortnight early after a warm spring.",
        _d("2020-06-15"),
        LEDGER,
        WREN,
    ),
    QueryArticle(
        "harvest_2021_08_31",
        "Barley harvest nears its end",
        "Contractors worked through the night to bring in the last of the barley harvest "
        "before the forecast storms.",
        _d("2021-08-31"),
        COASTAL,
        CASTELLAN,
    ),
    QueryArticle(
        "harvest_2021_09_01",
        "Hop pickers arrive",
        "Seasonal pickers arrived in Wendle for the hop harvest, which growers expect to be the "
        "largest in years.",
        _d("2021-09-01"),
        WEEKLY,
        MARCHETTI,
    ),
    QueryArticle(
        "harvest_2021_09_30",
        "Grape harvest ends in the valley",
        "Vineyards along the Aske reported a small but sweet grape harvest, finishing on the "
        "last day of the month.",
        _d("2021-09-30"),
        VALLEY,
        WREN,
    ),
    QueryArticle(
        "harvest_2021_10_01",
        "Apple festival opens",
        "The Lowther apple festival opened with a parade of carts loaded with the harvest from "
        "local farms.",
        _d("2021-10-01"),
        LEDGER,
        CASTELLAN,
    ),
    QueryArticle(
        "harvest_2021_12_31",
        "Year in review: farming",
        "Farmers looked back on a year of floods, a late harvest and rising feed prices.",
        _d("2021-12-31"),
        COASTAL,
        MARCHETTI,
    ),
    QueryArticle(
        "harvest_2022_01_01",
        "Winter swim raises funds",
        "Swimmers braved the cold sea at Merrow to raise money for the harvest festival fund.",
        _d("2022-01-01"),
        VALLEY,
        WREN,
    ),
    QueryArticle(
        "harvest_undated",
        "Notes from the allotments",
        "Allotment holders compared notes on the bean harvest and swapped seeds for next year.",
        None,
        WEEKLY,
        MARCHETTI,
    ),
    # -- spelling suggestions and snippets -----------------------------------
    QueryArticle(
        "bushfire_long",
        "Volunteers brace for a long fire season",
        _LONG_BUSHFIRE,
        _d("2019-11-20"),
        COASTAL,
        CASTELLAN,
        url="https://coastalwire.example/2019/fire-season",
    ),
    QueryArticle(
        "bushfire_smoke",
        "Bushfire smoke closes schools",
        "Schools across the Tallowind district stayed shut on Wednesday as smoke from a "
        "bushfire in the northern ranges drifted over the valley. Two bushfires are still "
        "burning.",
        _d("2019-12-04"),
        WEEKLY,
        WREN,
    ),
    QueryArticle(
        "bushfire_donors",
        "Brigade thanks donors",
        "The Broadwater brigade thanked local businesses that donated food and fuel during the "
        "bushfire, which burned for nine days across the ranges.",
        _d("2019-12-18"),
        VALLEY,
        MARCHETTI,
    ),
    QueryArticle(
        "bushfire_claims",
        "Insurers count bushfire claims",
        "Insurers have received more than three thousand claims since the bushfire emergency "
        "began, most for smoke damage and lost fences.",
        _d("2020-01-08"),
        LEDGER,
        None,
    ),
    # -- JSON Lines records ---------------------------------------------------
    QueryArticle(
        "jsonl_bushfire",
        "Rain ends a quiet bushfire season",
        "Heavy rain across the Tallowind hills has brought the bushfire season to a close, with "
        "brigades reporting the fewest callouts in a decade.",
        _d("2023-02-14"),
        COASTAL,
        WREN,
        url="https://coastalwire.example/2023/rain",
        record=0,
    ),
    QueryArticle(
        "jsonl_undated",
        "Community garden seeks volunteers",
        "The Pellow community garden is looking for volunteers to build raised beds and a tool "
        "shed before the summer.",
        None,
        VALLEY,
        None,
        record=1,
    ),
    # -- undated, no source, no author ---------------------------------------
    QueryArticle(
        "undated_plain",
        "Library extends opening hours",
        "The Greyford library will open until eight on weekdays, after readers asked for more "
        "evening hours.",
        None,
        None,
        None,
    ),
)


def by_name() -> dict[str, QueryArticle]:
    """The articles of :data:`ARTICLES` by their short name."""
    return {a.name: a for a in ARTICLES}


def _front_matter(article: QueryArticle) -> str:
    lines = ["---", f"title: {article.title}"]
    if article.date is not None:
        lines.append(f"date: {article.date.isoformat()}")
    if article.source is not None:
        lines.append(f"source: {article.source}")
    if article.author is not None:
        lines.append(f"author: {article.author}")
    if article.url is not None:
        lines.append(f"url: {article.url}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def _json_record(article: QueryArticle) -> str:
    record: dict[str, str] = {"title": article.title, "body": article.body}
    if article.date is not None:
        record["date"] = article.date.isoformat()
    if article.source is not None:
        record["source"] = article.source
    if article.author is not None:
        record["author"] = article.author
    if article.url is not None:
        record["url"] = article.url
    return json.dumps(record, ensure_ascii=False)


def build_query_corpus(root: Path) -> dict[str, str]:
    """Write the corpus under ``root``; return each article's absolute file path by name.

    ``.txt`` files are named after the article (no date in any file name, so
    undated articles stay undated); records live in :data:`JSONL_FILE` at the
    line given by :attr:`QueryArticle.record`.
    """
    root.mkdir(parents=True, exist_ok=True)
    folder = root.absolute()
    paths: dict[str, str] = {}
    lines: dict[int, str] = {}
    jsonl_path = folder / JSONL_FILE
    for article in ARTICLES:
        if article.record is not None:
            lines[article.record] = _json_record(article)
            paths[article.name] = str(jsonl_path)
            continue
        path = folder / f"{article.name}.txt"
        path.write_text(_front_matter(article) + "\n" + article.body + "\n", encoding="utf-8")
        paths[article.name] = str(path)
    if lines:
        text = "\n".join(lines.get(i, "") for i in range(max(lines) + 1)) + "\n"
        jsonl_path.write_text(text, encoding="utf-8")
    return paths
