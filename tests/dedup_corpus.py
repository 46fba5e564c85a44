"""A small corpus with a syndicated wire story: the fixture of the dedup tests.

Every text here is fictional sample text written for these tests.  One wire
story (``wire``) is republished by three other outlets with edits of the
kinds syndication makes: words changed, a sentence added or dropped, a new
headline, a local paragraph.  Two other stories are about the same harbour
and its ferries (topically related, not copies); three are about something
else entirely.
"""

from __future__ import annotations

from pathlib import Path

from searchengine.indexer.run import run_index
from searchengine.models import article_id
from searchengine.query.engine import Engine
from searchengine.query.request import SearchRequest

WIRE_BODY = (
    "The Greyford Island ferry will stop running for three weeks from Monday while engineers "
    "replace the worn loading ramp at the north pier, the harbour authority said on Friday. "
    "About four hundred commuters use the crossing every weekday, most of them nurses and "
    "teachers who work on the mainland. A replacement bus and a chartered water taxi will "
    "carry passengers between the old customs quay and the Saltmarsh landing twice an hour. "
    "The authority said the ramp had been patched twice since the winter storms and could no "
    "longer be trusted with loaded lorries. Island shopkeepers warned that deliveries of fresh "
    "bread and milk would arrive later in the morning during the closure. The ferry is "
    "expected to return to its normal timetable on the first Monday of April."
)

# Copy 1: a few words changed, a new headline.
COPY_SUBSTITUTED = (
    WIRE_BODY.replace("three weeks", "about three weeks")
    .replace("engineers", "contractors")
    .replace("on Friday", "on Thursday evening")
    .replace("fresh bread and milk", "fresh bread and newspapers")
)

# Copy 2: one sentence dropped, one added, a new headline.
COPY_RESHAPED = WIRE_BODY.replace(
    " Island shopkeepers warned that deliveries of fresh bread and milk would arrive later "
    "in the morning during the closure.",
    "",
).replace(
    " About four hundred commuters",
    " Harbour master Ines Calloway said the work could not wait for the summer. "
    "About four hundred commuters",
)

# Copy 3: changed words and a local paragraph at the end.
COPY_LOCAL = (
    WIRE_BODY.replace("replace the worn loading ramp", "rebuild the worn loading ramp").replace(
        "twice an hour", "every thirty minutes"
    )
    + "\n\nIn Saltmarsh, the parish council has opened the village hall car park to "
    "island commuters for the length of the closure."
)

ARTICLES: dict[str, tuple[str, str, str, str]] = {
    # name: (date, source, title, body)
    "wire": ("2024-03-01", "Coastal Wire", "Greyford ferry to close for ramp repairs", WIRE_BODY),
    "copy_substituted": (
        "2024-03-02",
        "Harbour Post",
        "Island ferry halted for three weeks",
        COPY_SUBSTITUTED,
    ),
    "copy_reshaped": (
        "2024-03-03",
        "Valley Herald",
        "Commuters face ferry closure",
        COPY_RESHAPED,
    ),
    "copy_local": (
        "2024-03-04",
        "Saltmarsh Gazette",
        "Ferry ramp works: what island commuters need to know",
        COPY_LOCAL,
    ),
    "terminal": (
        "2024-02-20",
        "Coastal Wire",
        "Harbour authority approves new ferry terminal",
        "The harbour authority approved plans on Tuesday for a new ferry terminal at the north "
        "pier of Greyford Island, with a covered waiting room, a cycle shelter and a second "
        "loading ramp for lorries. The terminal is due to open in two years. Commuters had "
        "complained for a decade about queuing in the rain for the crossing to Saltmarsh. "
        "The authority will borrow most of the cost and repay it from ferry fares.",
    ),
    "fares": (
        "2024-03-10",
        "Harbour Post",
        "Ferry fares to rise in April",
        "Fares on the Greyford Island ferry will rise by twelve pence in April, the harbour "
        "authority announced, to pay for the new terminal and the repaired loading ramp. "
        "Season tickets for commuters will be frozen until the summer. Islanders said the "
        "crossing to Saltmarsh was already the dearest ferry journey on the coast.",
    ),
    "library": (
        "2024-03-05",
        "Valley Herald",
        "Library extends evening opening hours",
        "The town library in Millbrook will stay open until nine o'clock on weekday evenings "
        "from next month, after volunteers offered to staff the reading room. The librarian "
        "said students preparing for exams had asked for quiet space after school. A new "
        "shelf of large-print novels and a homework club on Wednesdays are also planned.",
    ),
    "bakery": (
        "2024-03-06",
        "Millbrook Times",
        "Family bakery wins regional sourdough prize",
        "A family bakery on Mill Lane has won the regional sourdough prize for the second "
        "year running. The owners start the first loaves at four in the morning and use "
        "flour milled twenty miles away. The judges praised the crust and the open crumb, "
        "and the prize loaf sold out within an hour of the shop opening on Saturday.",
    ),
    "cycling": (
        "2024-03-07",
        "Millbrook Times",
        "Hill climb race draws record field",
        "A record two hundred riders entered the annual hill climb above Millbrook on "
        "Sunday, racing up the old quarry road against the clock. The winner finished in "
        "just under six minutes, four seconds faster than last year's best. Marshals closed "
        "the road for the morning and spectators lined the hairpin bends.",
    ),
}

COPIES = ("copy_substituted", "copy_reshaped", "copy_local")
STORY = ("wire", *COPIES)


def text_of(name: str) -> str:
    date, source, title, body = ARTICLES[name]
    return f"---\ntitle: {title}\ndate: {date}\nsource: {source}\n---\n\n{body}\n"


def write_corpus(folder: Path, names: tuple[str, ...] | None = None) -> dict[str, str]:
    """Write the articles (all, or ``names``) as ``.txt`` files; name -> article id."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = {}
    for name in names or tuple(ARTICLES):
        path = folder / f"{name}.txt"
        path.write_text(text_of(name), encoding="utf-8")
        ids[name] = article_id(str(path), None)
    return ids


#: An index of the whole corpus: its folder, name -> id, id -> name.
Indexed = tuple[str, dict[str, str], dict[str, str]]


def index_corpus(folder: Path) -> Indexed:
    """Write the whole corpus under ``folder/corpus`` and index it in ``folder/index``."""
    ids = write_corpus(folder / "corpus")
    index_dir = str(folder / "index")
    run_index(index_dir, [str(folder / "corpus")])
    return index_dir, ids, {v: k for k, v in ids.items()}


def listing(
    index_dir: str, names: dict[str, str], **options: object
) -> tuple[int, int | None, list[tuple[str, list[str]]]]:
    """A search's total, total before collapsing, and hits as (name, the
    names of its duplicates)."""
    with Engine(index_dir) as engine:
        result = engine.search(SearchRequest(**options))  # type: ignore[arg-type]
    hits = [(names[h.id], [names[d.id] for d in h.duplicates]) for h in result.hits]
    return result.total, result.total_uncollapsed, hits
