"""How well saved web pages are read: dates, titles, sources, story text, furniture.

``python -m benchmarks.html_quality [FOLDER] [--expected FILE] [--compare] [--repeat N] [-v]``

FOLDER (default ``tests/pages``) holds ``.html`` pages and, beside them,
``expected.json``: for each page file name, either ``{"skipped": true}`` (a
page with no story) or

    {"title": "...", "date": "YYYY-MM-DD" or null, "source": "...",
     "body": ["paragraph", ...], "furniture": ["text that must not be in the body", ...],
     "other_dates": ["YYYY-MM-DD", ...]}

``other_dates`` are dates the page shows that are not its publication date
(an embedded post's, a teaser's, a comment's, an update's): taking one is
counted apart from other wrong dates.  A held-out set of real pages can be
scored the same way by writing its ``expected.json`` and pointing FOLDER at
it (real pages are not kept in this repository).

The plain run goes through ``searchengine.load.load_file`` only, so it also
scores an older checkout (``PYTHONPATH=/path/to/old python -m
benchmarks.html_quality``).  ``--compare`` also scores the alternatives the
loader's choices were made against, on the same parsed trees: for dates,
htmldate (fast and extensive search) and trafilatura's metadata extraction,
alone and behind the loader's explicit readers; for the body, trafilatura's
precision / balanced / recall settings, with and without its fallback
extractors (``fast``) and with and without the furniture filter.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")


def sentences(paragraph: str) -> list[str]:
    """A paragraph cut into sentences (a paragraph without end marks is one sentence)."""
    return [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()]


def _norm(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Score:
    """Counts over a folder of pages."""

    stories: int = 0
    indexed: int = 0
    non_articles: int = 0
    non_articles_skipped: int = 0
    dated: int = 0
    dates_right: int = 0
    undated: int = 0
    undated_right: int = 0
    other_dates_taken: int = 0
    titles_exact: int = 0
    sources_right: int = 0
    sentences: int = 0
    sentences_kept: int = 0
    furniture_leaked: int = 0
    bodies_exact: int = 0
    ms: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        ms = statistics.median(self.ms) if self.ms else 0.0
        return [
            f"pages with a story indexed  {self.indexed}/{self.stories}",
            f"pages without one skipped   {self.non_articles_skipped}/{self.non_articles}",
            f"publication date right      {self.dates_right}/{self.dated}",
            f"undated pages left undated  {self.undated_right}/{self.undated}",
            f"date of other content taken {self.other_dates_taken}",
            f"title exactly the headline  {self.titles_exact}/{self.stories}",
            f"source right                {self.sources_right}/{self.stories}",
            f"story sentences kept        {self.sentences_kept}/{self.sentences}",
            f"furniture strings leaked    {self.furniture_leaked}",
            f"body exactly the story      {self.bodies_exact}/{self.stories}",
            f"ms per page (median)        {ms:.1f}",
        ]


def load_expected(folder: Path, expected: Path | None) -> dict[str, dict[str, Any]]:
    path = expected or folder / "expected.json"
    data: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def score_body(score: Score, name: str, want: dict[str, Any], body: str) -> None:
    """Add one page's story sentences and furniture to ``score``."""
    flat = _norm(body)
    for paragraph in want["body"]:
        for sentence in sentences(paragraph):
            score.sentences += 1
            if _norm(sentence) in flat:
                score.sentences_kept += 1
            else:
                score.misses.append(f"{name}: sentence lost: {sentence[:60]!r}")
    for text in want.get("furniture", []):
        if text in body:
            score.furniture_leaked += 1
            score.misses.append(f"{name}: furniture leaked: {text!r}")
    if body == "\n\n".join(want["body"]):
        score.bodies_exact += 1


def score_date(score: Score, name: str, want: dict[str, Any], got: str | None) -> None:
    """Add one page's date to ``score``."""
    if want["date"] is None:
        score.undated += 1
        score.undated_right += got is None
    else:
        score.dated += 1
        score.dates_right += got == want["date"]
    if got is not None and got in want.get("other_dates", []):
        score.other_dates_taken += 1
    if got != want["date"]:
        score.misses.append(f"{name}: date {got} != {want['date']}")


def run_loader(folder: Path, expected: dict[str, dict[str, Any]], repeat: int) -> Score:
    """Score ``load_file`` on every page."""
    from searchengine.load import load_file

    score = Score()
    for name, want in sorted(expected.items()):
        path = str(folder / name)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            result = load_file(path)
            times.append((time.perf_counter() - start) * 1000)
        score.ms.append(min(times))
        if want.get("skipped"):
            score.non_articles += 1
            score.non_articles_skipped += not result.articles
            if result.articles:
                score.misses.append(f"{name}: indexed, but it has no story")
            continue
        score.stories += 1
        if not result.articles:
            score.misses.append(f"{name}: not indexed: {[p.reason for p in result.problems]}")
            score.sentences += sum(len(sentences(p)) for p in want["body"])
            continue
        article = result.articles[0]
        score.indexed += 1
        score_date(score, name, want, article.date.isoformat() if article.date else None)
        score.titles_exact += article.title == want["title"]
        if article.title != want["title"]:
            score.misses.append(f"{name}: title {article.title!r}")
        score.sources_right += article.source == want["source"]
        if article.source != want["source"]:
            score.misses.append(f"{name}: source {article.source!r}")
        score_body(score, name, want, article.body)
    return score


# ---------------------------------------------------------------- --compare


def _date_readers() -> dict[str, Callable[[Any], str | None]]:
    """Each date reader, given a ``read_page`` result, returns ``YYYY-MM-DD`` or ``None``."""
    import htmldate
    from trafilatura.metadata import extract_metadata

    from searchengine.load.html import page_date

    def ours(page: Any) -> str | None:
        found = page_date(page, htmldate=False)
        return found.isoformat() if found else None

    def ours_then_htmldate(page: Any) -> str | None:
        found = page_date(page, htmldate=True)
        return found.isoformat() if found else None

    def htmldate_reader(extensive: bool) -> Callable[[Any], str | None]:
        def read(page: Any) -> str | None:
            found: str | None = htmldate.find_date(
                page.doc, extensive_search=extensive, original_date=True, url=page.meta.url
            )
            return found

        return read

    def trafilatura_reader(page: Any) -> str | None:
        found: str | None = extract_metadata(page.doc).date
        return found

    def behind_ours(reader: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
        return lambda page: ours(page) or reader(page)

    return {
        "explicit readers alone (steps 1-9)": ours,
        "htmldate fast, original": htmldate_reader(False),
        "htmldate extensive, original": htmldate_reader(True),
        "trafilatura metadata": trafilatura_reader,
        "explicit readers, then htmldate fast on the whole page": behind_ours(
            htmldate_reader(False)
        ),
        "explicit readers, then htmldate extensive on the whole page": behind_ours(
            htmldate_reader(True)
        ),
        "explicit readers, then htmldate fast on the own region (the loader)": ours_then_htmldate,
    }


def compare_dates(folder: Path, expected: dict[str, dict[str, Any]], repeat: int) -> None:
    from searchengine.load.html import read_page

    pages = {
        name: read_page((folder / name).read_text(encoding="utf-8"))
        for name, want in sorted(expected.items())
        if not want.get("skipped")
    }
    print("\n## Dates (the date step alone, on the parsed tree)\n")
    print(
        "| reader | date right | undated left undated | other content's date taken | ms per page |"
    )
    print("|---|---|---|---|---|")
    for label, reader in _date_readers().items():
        score = Score()
        for name, page in pages.items():
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                got = reader(page)
                times.append((time.perf_counter() - start) * 1000)
            score.ms.append(min(times))
            score_date(score, name, expected[name], got)
        print(
            f"| {label} | {score.dates_right}/{score.dated} | {score.undated_right}/{score.undated} "
            f"| {score.other_dates_taken} | {statistics.mean(score.ms):.2f} |"
        )


def compare_bodies(folder: Path, expected: dict[str, dict[str, Any]], repeat: int) -> None:
    from searchengine.load.html import read_page
    from searchengine.load.html_body import BodySettings, extract_body

    print("\n## Bodies (the body step alone, on the parsed tree)\n")
    print(
        "| trafilatura focus | fallback extractors | furniture | sentences kept "
        "| furniture leaked | bodies exact | non-articles skipped | ms per page |"
    )
    print("|---|---|---|---|---|---|---|---|")
    texts = {name: (folder / name).read_text(encoding="utf-8") for name in sorted(expected)}
    handling = {
        "kept": (False, False),
        "filtered": (False, True),
        "pruned + filtered": (True, True),
    }
    for focus in ("precision", "balanced", "recall"):
        for fast in (False, True):
            for label, (prune, furniture) in handling.items():
                settings = BodySettings(
                    focus=focus, fast=fast, prune=prune, furniture_filter=furniture
                )
                score = Score()
                for name, text in texts.items():
                    times, body = [], ""
                    for _ in range(repeat):
                        page = read_page(text)  # extraction prunes the tree: a fresh one each time
                        start = time.perf_counter()
                        body = extract_body(page.doc, page.headline, list(page.headlines), settings)
                        times.append((time.perf_counter() - start) * 1000)
                    score.ms.append(min(times))
                    want = expected[name]
                    if want.get("skipped"):
                        score.non_articles += 1
                        score.non_articles_skipped += not body
                        continue
                    score.stories += 1
                    score_body(score, name, want, body)
                print(
                    f"| {focus} | {'no' if fast else 'yes'} | {label} "
                    f"| {score.sentences_kept}/{score.sentences} | {score.furniture_leaked} "
                    f"| {score.bodies_exact}/{score.stories} "
                    f"| {score.non_articles_skipped}/{score.non_articles} | {statistics.mean(score.ms):.2f} |"
                )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default="tests/pages", type=Path)
    parser.add_argument("--expected", type=Path, default=None)
    parser.add_argument("--compare", action="store_true", help="also score the alternatives")
    parser.add_argument("--repeat", type=int, default=3, help="timing: best of N runs per page")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    expected = load_expected(args.folder, args.expected)
    load = run_loader(args.folder, expected, args.repeat)
    print(f"# {args.folder}: {len(expected)} pages\n")
    print("\n".join(load.lines()))
    if args.verbose:
        print("\n".join(["", *load.misses]))
    if args.compare:
        compare_dates(args.folder, expected, args.repeat)
        compare_bodies(args.folder, expected, args.repeat)


if __name__ == "__main__":
    main()
