"""The fixed query mix: classes, one neutral description per query, and I/O.

A :class:`BenchQuery` says *what* is asked (the words, a slop, a date range);
each engine adapter turns it into its own syntax.  :meth:`BenchQuery.text` is
the Lucene-like form that searchengine, Whoosh and tantivy all read.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

#: Query classes, in report order, with a one-line description each.
CLASSES: dict[str, str] = {
    "single": "one word",
    "and": "two words, both required",
    "or": "two words, either",
    "phrase": '"w1 w2": exact phrase',
    "slop": '"w1 w2"~3: in order, at most 3 positions apart',
    "phrase_date": "the phrase class's phrases, with a date range (month, quarter or year)",
    "prefix": "pre*: words starting with 3-5 letters",
    "fuzzy": "word~: within one edit of a misspelled word",
    "field": "title:word",
    "browse": "empty query, date range, newest first",
}

#: Classes whose queries carry a date range.
DATED_CLASSES = ("phrase_date", "browse")


@dataclass(frozen=True)
class BenchQuery:
    """One query of the mix, engine-neutral."""

    qid: str
    kind: str
    words: tuple[str, ...] = ()
    slop: int = 0
    #: Inclusive ISO dates (``YYYY-MM-DD``) or ``None``.
    date_from: str | None = None
    date_to: str | None = None

    def text(self) -> str:
        """The query in the Lucene-like syntax of searchengine, Whoosh and tantivy."""
        w = self.words
        if self.kind in ("single",):
            return w[0]
        if self.kind == "and":
            return " ".join(w)
        if self.kind == "or":
            return " OR ".join(w)
        if self.kind in ("phrase", "phrase_date"):
            return '"' + " ".join(w) + '"'
        if self.kind == "slop":
            return '"' + " ".join(w) + f'"~{self.slop}'
        if self.kind == "prefix":
            return w[0] + "*"
        if self.kind == "fuzzy":
            return w[0] + "~"
        if self.kind == "field":
            return "title:" + w[0]
        if self.kind == "browse":
            return ""
        raise ValueError(f"unknown query class {self.kind!r}")

    def date_bounds(self) -> tuple[int | None, int | None]:
        """The date range as ``YYYYMMDD`` integers (``None`` for an open end)."""
        return (_day(self.date_from), _day(self.date_to))

    @staticmethod
    def from_json(obj: dict[str, Any]) -> BenchQuery:
        return BenchQuery(
            qid=str(obj["qid"]),
            kind=str(obj["kind"]),
            words=tuple(str(w) for w in obj.get("words", ())),
            slop=int(obj.get("slop", 0)),
            date_from=obj.get("date_from"),
            date_to=obj.get("date_to"),
        )


def _day(iso: str | None) -> int | None:
    return int(iso.replace("-", "")) if iso else None


def save_queries(path: Path, queries: list[BenchQuery]) -> None:
    path.write_text(
        json.dumps([asdict(q) for q in queries], indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )


def load_queries(path: Path) -> list[BenchQuery]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [BenchQuery.from_json(obj) for obj in data]


def limit_per_class(queries: list[BenchQuery], per_class: int) -> list[BenchQuery]:
    """The first ``per_class`` queries of each class, in the original order."""
    seen: dict[str, int] = {}
    kept = []
    for q in queries:
        if seen.get(q.kind, 0) < per_class:
            kept.append(q)
            seen[q.kind] = seen.get(q.kind, 0) + 1
    return kept
