"""A small deterministic generator of news-like corpora for the fault tests.

The fault tests need corpora big enough that an ``index`` run takes a few
seconds (so it can be killed part-way), written quickly and the same every
time.  Every article is fictional; words come from a fixed list, picked by a
``random.Random`` seeded by the caller.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

_WORDS = [
    "harbour",
    "council",
    "river",
    "flood",
    "storm",
    "wall",
    "repair",
    "budget",
    "minister",
    "election",
    "vote",
    "school",
    "teacher",
    "hospital",
    "nurse",
    "strike",
    "union",
    "wage",
    "price",
    "market",
    "bank",
    "loan",
    "farmer",
    "harvest",
    "drought",
    "rain",
    "bridge",
    "road",
    "railway",
    "station",
    "train",
    "driver",
    "police",
    "court",
    "judge",
    "trial",
    "witness",
    "museum",
    "library",
    "festival",
    "concert",
    "theatre",
    "film",
    "actor",
    "writer",
    "poet",
    "village",
    "town",
    "city",
    "county",
    "province",
    "border",
    "coast",
    "island",
    "mountain",
    "valley",
    "forest",
    "fire",
    "smoke",
    "crew",
    "rescue",
    "boat",
    "ferry",
    "port",
    "cargo",
    "ship",
    "fisherman",
    "catch",
    "quota",
    "report",
    "survey",
    "study",
    "science",
    "research",
    "climate",
    "energy",
    "wind",
    "solar",
    "grid",
    "power",
    "plant",
    "factory",
    "worker",
    "job",
    "contract",
    "deal",
    "talks",
    "treaty",
    "peace",
    "army",
    "soldier",
    "general",
    "mayor",
    "governor",
    "senator",
    "parliament",
    "law",
    "bill",
    "reform",
    "tax",
    "pension",
    "health",
    "vaccine",
    "clinic",
    "doctor",
    "patient",
    "water",
    "supply",
    "pipe",
    "drain",
    "street",
    "house",
    "rent",
    "tenant",
    "landlord",
    "housing",
    "plan",
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "on",
    "at",
    "for",
    "with",
    "by",
    "from",
    "after",
    "before",
    "during",
    "over",
    "under",
    "about",
]
SOURCES = ("Coastal Wire", "Valley Herald", "Island Post", "Border Times", "Hill Gazette")


def sentence(rng: random.Random, words: int) -> str:
    picked = [rng.choice(_WORDS) for _ in range(words)]
    return " ".join(picked).capitalize() + "."


def body(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng, rng.randint(8, 18)) for _ in range(sentences))


@dataclass(frozen=True)
class Written:
    """What a generated corpus holds: files and articles."""

    files: int
    articles: int


def write_corpus(
    folder: Path,
    *,
    seed: int,
    text_files: int,
    jsonl_files: int = 0,
    lines_per_jsonl: int = 0,
    sentences: int = 12,
    tag: str = "",
) -> Written:
    """Write ``text_files`` ``.txt`` articles and ``jsonl_files`` JSON Lines files.

    Files go into sub-folders of 250 (as a scraper would shard them).
    ``tag`` is put in every title so a test can find this corpus's articles.
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(text_files):
        shard = folder / f"t{number // 250:03d}"
        shard.mkdir(exist_ok=True)
        day = 1 + number % 28
        month = 1 + (number // 28) % 12
        title = f"{tag} {sentence(rng, 5)}".strip()
        text = (
            f"---\ntitle: {title}\ndate: 2021-{month:02d}-{day:02d}\n"
            f"source: {rng.choice(SOURCES)}\n---\n{body(rng, sentences)}\n"
        )
        (shard / f"article-{seed}-{number:06d}.txt").write_text(text, encoding="utf-8")
    for number in range(jsonl_files):
        lines = []
        for line in range(lines_per_jsonl):
            lines.append(
                json.dumps(
                    {
                        "headline": f"{tag} {sentence(rng, 6)}".strip(),
                        "text": body(rng, sentences),
                        "publishedAt": f"2022-{1 + line % 12:02d}-{1 + line % 28:02d}T08:00:00Z",
                        "source": {"name": rng.choice(SOURCES)},
                    }
                )
            )
        (folder / f"dump-{seed}-{number:04d}.jsonl").write_text(
            "\n".join(lines) + "\n", encoding="utf-8"
        )
    return Written(
        files=text_files + jsonl_files, articles=text_files + jsonl_files * lines_per_jsonl
    )


def write_uneven_corpus(folder: Path) -> Written:
    """300 articles whose first half is short (some 100 words each) and
    second half long (some 2,600): on two cores the first writer's share is
    done long before the second's, which is what a steal is for, and not so
    soon that the second writer might not have begun (a share not begun is
    never stolen from)."""
    short = write_corpus(folder / "a", seed=1, text_files=150, sentences=8, tag="walrus")
    long = write_corpus(folder / "b", seed=2, text_files=150, sentences=200, tag="walrus")
    return Written(short.files + long.files, short.articles + long.articles)
