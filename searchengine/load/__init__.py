"""Files to articles: which files are read, and how each becomes articles.

:func:`load_file` never raises for bad input: whatever goes wrong with a file
(unreadable, undecodable, not an article) comes back as a
:class:`~searchengine.models.Problem` beside the articles that were good.
"""

from __future__ import annotations

import os
import re
from collections.abc import Container

from searchengine.load.decoding import decode
from searchengine.load.files import open_regular
from searchengine.load.limits import MAX_ARTICLE_CHARS, too_long
from searchengine.load.problems import InputProblem
from searchengine.models import Article, LoadResult, Problem

#: Single-article files larger than this are skipped (a 50 MB "article" is a
#: dump or a mistake, and would dominate every snippet).
MAX_FILE_BYTES = 50 * 1024 * 1024
#: A JSON document (not JSON Lines) is parsed whole, so it is bounded too.
MAX_JSON_BYTES = 512 * 1024 * 1024

#: Suffix (lower-case) -> format name.  Longest suffixes first.
FORMATS: dict[str, str] = {
    ".jsonl.gz": "jsonl.gz",
    ".ndjson.gz": "jsonl.gz",
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def format_of(path: str) -> str | None:
    """The format a file is read as, from its suffix; ``None`` if not read."""
    name = os.path.basename(path).lower()
    for suffix, fmt in FORMATS.items():
        if name.endswith(suffix) and len(name) > len(suffix):
            return fmt
    return None


def _read(path: str, limit: int) -> bytes:
    with open_regular(path) as handle:
        try:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise InputProblem(
                    "skipped",
                    f"too large ({size // (1024 * 1024)} MB; the limit is {limit // (1024 * 1024)} MB)",
                )
            # A file growing while it is read still stops at the limit.
            return handle.read(limit + 1)
        except OSError as exc:
            raise InputProblem("error", f"cannot read: {exc.strerror or exc}") from None


def load_file(
    path: str, encoding: str | None = None, known: Container[tuple[int, bytes]] | None = None
) -> LoadResult:
    """Read one file into articles; every problem is returned, none raised.

    ``path`` should be absolute: it becomes the articles' ``path`` and,
    with the record number, their id.  ``encoding`` forces a text encoding.
    ``known`` holds ``(line number, line digest)`` of JSON Lines lines not
    to parse but to list as unchanged (see :class:`~searchengine.models.LoadResult`).
    """
    result = _load(path, encoding, known)
    if all(len(a.body) <= MAX_ARTICLE_CHARS for a in result.articles):
        return result
    problems = list(result.problems)
    for article in result.articles:
        if len(article.body) > MAX_ARTICLE_CHARS:
            problems.append(Problem(path, article.record, too_long(len(article.body)), "skipped"))
    fits = [len(a.body) <= MAX_ARTICLE_CHARS for a in result.articles]
    articles = tuple(a for a, ok in zip(result.articles, fits, strict=True) if ok)
    digests = tuple(d for d, ok in zip(result.line_digests, fits, strict=False) if ok)
    return LoadResult(articles, tuple(problems), digests, result.unchanged)


def _load(
    path: str, encoding: str | None, known: Container[tuple[int, bytes]] | None = None
) -> LoadResult:
    fmt = format_of(path)
    try:
        if fmt in ("jsonl", "jsonl.gz"):
            from searchengine.load.jsonfmt import load_jsonl

            articles, problems, _, digests, unchanged = load_jsonl(
                path, gzipped=fmt == "jsonl.gz", encoding=encoding, known=known
            )
            return LoadResult(tuple(articles), tuple(problems), tuple(digests), tuple(unchanged))
        data = _read(path, MAX_JSON_BYTES if fmt == "json" else MAX_FILE_BYTES)
        if not data.strip():
            raise InputProblem("skipped", "empty file")
        declared = None
        if fmt == "html":
            match = _META_CHARSET.search(data[:4096])
            declared = match.group(1).decode("ascii") if match else None
        decoded = decode(data, forced=encoding, declared=declared)
        if not decoded.text.strip():
            raise InputProblem("skipped", "empty file")
        if fmt == "json":
            from searchengine.load.jsonfmt import load_json

            json_articles, json_problems = load_json(path, decoded.text, decoded.encoding)
            return LoadResult(tuple(json_articles), tuple(json_problems))
        if fmt == "html":
            from searchengine.load.html import load_html

            return LoadResult((load_html(path, decoded.text, decoded.encoding),))
        if fmt in ("text", "markdown"):
            from searchengine.load.text import load_text

            if len(decoded.text) > MAX_ARTICLE_CHARS:  # before any copy of it is made
                raise InputProblem("skipped", too_long(len(decoded.text)))

            article = load_text(path, decoded.text, decoded.encoding, markdown=fmt == "markdown")
            return LoadResult((article,))
        raise InputProblem("skipped", "not a format searchengine reads")
    except InputProblem as problem:
        return LoadResult(problems=(Problem(path, problem.record, problem.reason, problem.kind),))
    except RecursionError:
        return LoadResult(problems=(Problem(path, None, "nested too deeply to read", "error"),))
    except Exception as exc:  # one hostile file must never stop a run
        reason = f"could not be read ({type(exc).__name__}: {exc}); please report this file"
        return LoadResult(problems=(Problem(path, None, reason, "error"),))


__all__ = ["FORMATS", "Article", "LoadResult", "Problem", "format_of", "load_file"]
