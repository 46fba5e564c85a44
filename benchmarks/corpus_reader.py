"""Minimal reading of the generated corpora, for the engines that are not searchengine.

Just enough for the files :mod:`benchmarks.generate` writes: JSON Lines in
its two record styles, and ``.txt``/``.md`` with front matter (the ``# title``
heading of a Markdown file is dropped; other markup is indexed as it is).
No encoding detection, no error recovery: this is the "naive" side.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Doc:
    title: str
    body: str
    #: ``YYYYMMDD`` or ``None`` when undated.
    date: int | None
    source: str | None


def parse_date(text: str | None) -> int | None:
    """``YYYYMMDD`` of the date forms the generator writes (the day as written)."""
    if not text:
        return None
    text = text.strip()
    if text[:4].isdigit() and text[4:5] == "-":
        return int(text[:10].replace("-", ""))
    try:
        if text[:3].isalpha() and "," in text[:4]:
            return int(email.utils.parsedate_to_datetime(text).strftime("%Y%m%d"))
        return int(dt.datetime.strptime(text, "%B %d, %Y").strftime("%Y%m%d"))
    except (TypeError, ValueError):
        return None


def _from_record(obj: dict[str, Any]) -> Doc:
    source = obj.get("source")
    if isinstance(source, dict):
        source = source.get("name")
    return Doc(
        title=str(obj.get("title") or ""),
        body=str(obj.get("body") or obj.get("content") or ""),
        date=parse_date(obj.get("date") or obj.get("publishedAt")),
        source=source if isinstance(source, str) else None,
    )


def _from_text(text: str, markdown: bool) -> Doc:
    meta: dict[str, str] = {}
    rest = text
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            for line in text[4:end].split("\n"):
                key, sep, value = line.partition(":")
                if sep:
                    value = value.strip()
                    if len(value) >= 2 and value[0] == value[-1] == '"':
                        value = value[1:-1]
                    meta[key.strip().lower()] = value
            rest = text[end + 5 :]
    rest = rest.lstrip("\n")
    title = meta.get("title", "")
    if markdown and rest.startswith("# "):
        heading, _, rest = rest.partition("\n")
        title = title or heading[2:].strip()
    elif not title:
        title, _, rest = rest.partition("\n")
    return Doc(title, rest.strip(), parse_date(meta.get("date")), meta.get("source"))


def iter_files(root: Path) -> Iterator[Path]:
    """Every ``.jsonl``, ``.txt`` and ``.md`` file under ``root``, in sorted order."""
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            if name.endswith((".jsonl", ".txt", ".md")):
                yield Path(folder, name)


def read_docs(root: Path) -> Iterator[Doc]:
    """The articles under ``root``, file by file."""
    for path in iter_files(root):
        if path.suffix == ".jsonl":
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        yield _from_record(json.loads(line))
        else:
            yield _from_text(path.read_text(encoding="utf-8"), path.suffix == ".md")
