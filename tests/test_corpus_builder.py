"""Quick checks of the sample-corpus builder itself (not of the loader)."""

from __future__ import annotations

import gzip
import html
import json
import random
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, get_args

import pytest

from corpus_builder import (
    ENCODINGS,
    DateForm,
    ExpectedArticle,
    ExpectedProblem,
    _date_value,
    build_mixed_corpus,
)

BODY_ALIASES = ("body", "text", "content", "article", "maintext", "description")
READ_SUFFIXES = (
    ".txt",
    ".text",
    ".md",
    ".markdown",
    ".html",
    ".htm",
    ".json",
    ".jsonl",
    ".ndjson",
    ".jsonl.gz",
)
Built = tuple[Path, list[ExpectedArticle], list[ExpectedProblem]]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("corpus")
    articles, problems = build_mixed_corpus(root)
    return root, articles, problems


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _suffix(relpath: str) -> str:
    lower = relpath.lower()
    return ".jsonl.gz" if lower.endswith(".jsonl.gz") else Path(lower).suffix


def _body_field(obj: dict[str, Any]) -> str:
    lowered = {k.lower(): v for k, v in obj.items()}
    return next(str(lowered[a]) for a in BODY_ALIASES if a in lowered)


def _plain_text(root: Path, art: ExpectedArticle) -> str:
    """The file's decoded text with markup undone: what the body sentences are checked against."""
    data = (root / art.relpath).read_bytes()
    suffix = _suffix(art.relpath)
    if suffix == ".jsonl.gz":
        data = gzip.decompress(data)
    text = data.decode(art.encoding)
    if suffix == ".json":
        doc = json.loads(text)
        return _body_field(doc if art.record is None else doc[art.record])
    if suffix in (".jsonl", ".ndjson", ".jsonl.gz"):
        assert art.record is not None
        return _body_field(json.loads(text.split("\n")[art.record]))
    return _undo_markup(text, suffix)


def _undo_markup(text: str, suffix: str) -> str:
    if suffix in (".html", ".htm"):
        return html.unescape(re.sub(r"<[^>]+>", "", text))
    if suffix in (".md", ".markdown"):
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
        return re.sub(r"(\*\*|\*|_)(\w+)\1", r"\2", text)
    return text


def test_same_seed_same_corpus(tmp_path: Path) -> None:
    first = build_mixed_corpus(tmp_path / "a", n=120, seed=7)
    second = build_mixed_corpus(tmp_path / "b", n=120, seed=7)
    assert first == second
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    other = build_mixed_corpus(tmp_path / "c", n=120, seed=8)
    assert other[0] != first[0]


def test_small_n_still_has_every_fixed_case(tmp_path: Path) -> None:
    articles, problems = build_mixed_corpus(tmp_path, n=5)
    assert 60 < len(articles) < 150
    assert len(problems) >= 15


def test_shape_and_coverage(built: Built) -> None:
    root, articles, problems = built
    assert len(articles) == 300
    assert len({a.title for a in articles}) == len(articles)
    keys = [(a.relpath, a.record) for a in articles] + [(p.relpath, p.record) for p in problems]
    assert len(set(keys)) == len(keys)
    for art in articles:
        assert "\\" not in art.relpath and not art.relpath.startswith("/")
        assert (root / art.relpath).is_file()
        assert art.encoding in ENCODINGS
        assert 2 <= len(art.body_contains) <= 3
        assert art.title and art.title == art.title.strip()
        if art.date is not None:
            date.fromisoformat(art.date)
        one_article = _suffix(art.relpath) in (".txt", ".text", ".md", ".markdown", ".html", ".htm")
        assert (art.record is None) == one_article or _suffix(art.relpath) == ".json"
        for sentence in art.body_contains:
            assert not any(ex in sentence for ex in art.body_excludes), (art.relpath, sentence)
    suffixes = Counter(_suffix(a.relpath) for a in articles)
    assert set(suffixes) == set(READ_SUFFIXES)
    # Every encoding in every text-like family.
    for family in ((".txt", ".text"), (".md", ".markdown"), (".html", ".htm")):
        found = {a.encoding for a in articles if _suffix(a.relpath) in family}
        assert found == set(ENCODINGS), family
    assert any(a.relpath.count("/") >= 3 for a in articles)
    assert any(a.date is None for a in articles) and any(a.source is None for a in articles)
    assert any(", " in (a.author or "") for a in articles)
    # Non-UTF-8 files have a non-ASCII character in a sentence that must survive.
    for art in articles:
        if art.encoding in ("cp1252", "latin-1"):
            assert any(any(ord(c) > 127 for c in s) for s in art.body_contains), art.relpath


def test_body_sentences_are_in_the_files(built: Built) -> None:
    root, articles, _ = built
    for art in articles:
        text = _plain_text(root, art)
        for sentence in art.body_contains:
            assert sentence in text, (art.relpath, art.record, sentence)


def test_problem_files_exist(built: Built) -> None:
    root, _, problems = built
    kinds = Counter(p.kind for p in problems)
    assert kinds["skipped"] >= 8 and kinds["error"] >= 5
    for prob in problems:
        assert (root / prob.relpath).is_file(), prob.relpath
    assert ExpectedProblem("wire/agency/mixed-lines.jsonl", 2, "error") in problems
    assert ExpectedProblem("wire/agency/mixed-lines.jsonl", 4, "skipped") in problems
    lines = (root / "wire/agency/mixed-lines.jsonl").read_text(encoding="utf-8").split("\n")
    assert lines[3] == "" and len(lines) == 6  # five lines and a final newline


def test_passed_over_files_are_not_expected(built: Built) -> None:
    root, articles, problems = built
    named = {a.relpath for a in articles} | {p.relpath for p in problems}
    others = [rel for rel in _files(root) if not rel.lower().endswith(READ_SUFFIXES)]
    assert {"README", "data/summary.csv", "web/saved/pages/logo.png"} <= set(others)
    assert not named & set(others)
    # Every file that is read is either an article file or a problem.
    read = {rel for rel in _files(root) if rel.lower().endswith(READ_SUFFIXES)}
    assert read == named


def test_legacy_encodings_are_detectable(built: Built) -> None:
    """cp1252/latin-1 files are not UTF-8, and chardet (as the contract reads it) gets them right."""
    chardet = pytest.importorskip("chardet")
    root, articles, _ = built
    as_browsers = {
        "ascii": "cp1252",
        "iso-8859-1": "cp1252",
        "latin-1": "cp1252",
        "windows-1252": "cp1252",
    }
    for art in articles:
        if art.encoding not in ("cp1252", "latin-1"):
            continue
        data = (root / art.relpath).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        guess = str(chardet.detect(data)["encoding"] or "cp1252").lower()
        text = _undo_markup(data.decode(as_browsers.get(guess, guess)), _suffix(art.relpath))
        for sentence in art.body_contains:
            assert sentence in text, (art.relpath, guess, sentence)


@pytest.mark.parametrize("form", get_args(DateForm))
def test_date_values_keep_the_local_day(form: DateForm) -> None:
    rng = random.Random(form)
    for _ in range(200):
        day = date(2019, 1, 1) + timedelta(days=rng.randrange(1500))
        value = _date_value(day, form, rng)
        if isinstance(value, int):
            seconds = value / 1000 if value > 10**11 else value
            parsed = datetime.fromtimestamp(seconds, tz=UTC).date()
        elif form == "rfc2822":
            parsed = parsedate_to_datetime(value).date()
        elif form == "long_us":
            parsed = datetime.strptime(value, "%B %d, %Y").date()
        elif form == "short_uk":
            parsed = datetime.strptime(value, "%d %b %Y").date()
        else:
            parsed = datetime.fromisoformat(value).date()
        assert parsed == day, (form, value)
    if form in ("iso_offset", "rfc2822"):  # some of them change day when shifted to UTC
        shifted = 0
        for _ in range(200):
            value = _date_value(date(2021, 9, 5), form, rng)
            assert isinstance(value, str)
            moment = (
                parsedate_to_datetime(value) if form == "rfc2822" else datetime.fromisoformat(value)
            )
            shifted += moment.astimezone(UTC).date() != date(2021, 9, 5)
        assert shifted > 20
