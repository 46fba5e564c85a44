"""News-API dumps: ``.json`` (an object or an array) and JSON Lines.

Every API names its fields differently, so fields are found through aliases
(first present wins, keys matched case-insensitively, ``a.b`` reaching into a
nested object).  Each record stands alone: a broken line or a record without
a body is reported with its number and the rest are still read.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import zlib
from collections.abc import Container, Iterable, Iterator
from typing import Any

from searchengine.dates import parse_date
from searchengine.load.files import open_regular
from searchengine.load.limits import MAX_ARTICLE_CHARS, too_long
from searchengine.load.problems import InputProblem, failed, skipped
from searchengine.load.textutil import clean_text, shorten_title
from searchengine.models import Article, Problem

TITLE_KEYS = ("title", "headline", "name")
BODY_KEYS = ("body", "text", "content", "article", "maintext", "description")
DATE_KEYS = (
    "date",
    "published",
    "published_at",
    "publishedat",
    "pubdate",
    "datepublished",
    "date_publish",
    "timestamp",
)
SOURCE_KEYS = ("source", "source.name", "publisher", "site", "site_name", "domain")
AUTHOR_KEYS = ("author", "authors", "byline", "creator")
URL_KEYS = ("url", "link", "href")
#: A top-level object with no article fields but a list under one of these
#: keys is a wrapper around the articles (``{"status": "ok", "articles": [...]}``).
WRAPPER_KEYS = ("articles", "results", "items", "data", "documents", "docs", "posts", "entries")

#: The reason given for a record whose values nest deeper than Python's
#: recursion limit allows reading; the file's other records are still read.
NESTED_TOO_DEEPLY = "a value nested too deeply to read"

_LOOKS_LIKE_HTML = re.compile(r"<(p|div|br|span|a|em|strong|b|i|h[1-6]|ul|li)\b[^>]*>", re.I)


def _lookup(obj: dict[str, Any], dotted: str) -> Any:
    current: Any = obj
    for part in dotted.split("."):
        if not isinstance(current, dict):
            return None
        lowered = {str(k).lower(): v for k, v in current.items()}
        current = lowered.get(part)
    return current


def _as_text(value: Any, *, join: str = ", ") -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        return _as_text(_lookup(value, "name"))
    if isinstance(value, list):
        parts = [p for p in (_as_text(v, join=join) for v in value) if p]
        return join.join(parts) or None
    return None


def _first(obj: dict[str, Any], keys: Iterable[str], *, join: str = ", ") -> str | None:
    for key in keys:
        value = _as_text(_lookup(obj, key), join=join)
        if value:
            return value
    return None


def _first_raw(obj: dict[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        value = _lookup(obj, key)
        if value not in (None, "", [], {}):
            return value
    return None


def _html_to_text(fragment: str) -> str:
    import lxml.html

    from searchengine.load.html import element_text

    try:
        return element_text(lxml.html.fragment_fromstring(fragment, create_parent="div"))
    except (ValueError, lxml.etree.ParserError):
        return fragment


def article_from_object(obj: Any, path: str, record: int | None, encoding: str) -> Article:
    """Build one article from one decoded JSON object, or raise a problem."""
    if not isinstance(obj, dict):
        raise failed(f"expected an object, found {type(obj).__name__}", record)
    body = _first(obj, BODY_KEYS, join="\n\n") or ""
    if len(body) > MAX_ARTICLE_CHARS:  # before any copy of it is made
        raise skipped(too_long(len(body)), record)
    if _LOOKS_LIKE_HTML.search(body):
        body = _html_to_text(body)
    body = clean_text(body)
    if not body:
        raise skipped("no body: none of " + ", ".join(BODY_KEYS) + " has text", record)
    source_value = _lookup(obj, "source")
    source = (
        source_value.strip() or None
        if isinstance(source_value, str)
        else _first(obj, SOURCE_KEYS[1:])
    )
    title = _first(obj, TITLE_KEYS)
    return Article(
        path=path,
        record=record,
        title=(clean_text(title) if title else "") or shorten_title(body),
        body=body,
        date=parse_date(_first_raw(obj, DATE_KEYS)),
        source=clean_text(source) if source else None,
        author=_first(obj, AUTHOR_KEYS),
        url=_first(obj, URL_KEYS),
        encoding=encoding,
    )


def _is_article_like(obj: dict[str, Any]) -> bool:
    return any(_lookup(obj, key) is not None for key in (*BODY_KEYS, *TITLE_KEYS))


def load_json(path: str, text: str, encoding: str) -> tuple[list[Article], list[Problem]]:
    """All articles of a ``.json`` file: one object, an array, or a wrapper."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise failed(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise failed("not readable JSON: nested too deeply") from None
    if isinstance(data, dict) and not _is_article_like(data):
        for key in WRAPPER_KEYS:
            inner = _lookup(data, key)
            if isinstance(inner, list):
                data = inner
                break
    if isinstance(data, dict):
        return [article_from_object(data, path, None, encoding)], []
    if not isinstance(data, list):
        raise skipped(f"holds a JSON {type(data).__name__}, not an object or an array of objects")
    articles: list[Article] = []
    problems: list[Problem] = []
    for index, item in enumerate(data):
        try:
            articles.append(article_from_object(item, path, index, encoding))
        except InputProblem as problem:
            problems.append(Problem(path, index, problem.reason, problem.kind))
        except RecursionError:  # one absurd record must not cost the others
            problems.append(Problem(path, index, NESTED_TOO_DEEPLY, "error"))
    if not articles and not problems:
        raise skipped("an empty JSON array")
    return articles, problems


#: A JSON Lines record longer than this is reported and passed over.
MAX_LINE_BYTES = 64 * 1024 * 1024
#: Gzip input inflating more than this many times over is a gzip bomb (news
#: text inflates five- to fifteenfold); checked once this much is inflated.
MAX_INFLATION = 100
INFLATION_CHECK_BYTES = 64 * 1024 * 1024
_CHUNK = 1024 * 1024


class _Bomb(Exception):
    pass


def _lines(
    stream: io.BufferedIOBase, compressed: io.BufferedIOBase | None
) -> Iterator[tuple[int, bytes | None]]:
    """Numbered non-blank lines, read in large chunks so that runs of blank
    lines cost almost nothing.  A line over :data:`MAX_LINE_BYTES` comes out
    as ``None`` (its text is not kept).  With ``compressed`` (the file under
    a gzip stream), raises :class:`_Bomb` when the inflation is implausible.
    """
    number = 0
    inflated = 0
    parts: list[bytes] = []
    pending = 0  # bytes in ``parts``
    overlong = False
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        inflated += len(chunk)
        if (
            compressed is not None
            and inflated > INFLATION_CHECK_BYTES
            and inflated > MAX_INFLATION * max(1, compressed.tell())
        ):
            raise _Bomb
        if not parts and not overlong and not chunk.strip():
            number += chunk.count(b"\n")  # a run of blank lines
            continue
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            if end < 0:
                break
            if overlong:
                yield number, None
            else:
                parts.append(chunk[start:end])
                line = b"".join(parts)
                if line.strip():
                    yield number, line
            parts, pending, overlong = [], 0, False
            number += 1
            start = end + 1
        rest = chunk[start:]
        if rest and not overlong:
            parts.append(rest)
            pending += len(rest)
            if pending > MAX_LINE_BYTES:
                parts, pending, overlong = [], 0, True
    if overlong:
        yield number, None
    elif parts and b"".join(parts).strip():
        yield number, b"".join(parts)


def line_digest(line: bytes) -> bytes:
    """8 bytes of BLAKE2b of one JSON Lines line (as read, without its newline)."""
    return hashlib.blake2b(line, digest_size=8).digest()


def load_jsonl(
    path: str,
    *,
    gzipped: bool,
    encoding: str | None,
    known: Container[tuple[int, bytes]] | None = None,
) -> tuple[list[Article], list[Problem], str, list[bytes], list[int]]:
    """All articles of a JSON Lines file, one per line; broken lines reported.

    Read line by line, so memory follows the longest line, not the file.
    JSON Lines is UTF-8 by definition; ``encoding`` overrides that.  Also
    returns each article's :func:`line_digest` and the numbers of the lines
    passed over unparsed because ``(number, digest)`` is in ``known`` (an
    index's lines of a changed file, where they were: one edited line of a
    thousand costs one line parsed, not a thousand).
    """
    articles: list[Article] = []
    problems: list[Problem] = []
    digests: list[bytes] = []
    unchanged: list[int] = []
    codec = encoding or "utf-8"
    handle = open_regular(path)  # closed below, with the gzip layer
    stream: io.BufferedIOBase = gzip.GzipFile(fileobj=handle, mode="rb") if gzipped else handle
    try:
        with handle, stream:
            for number, line in _lines(stream, handle if gzipped else None):
                if line is None:
                    problems.append(
                        Problem(
                            path, number, f"line longer than {MAX_LINE_BYTES // 2**20} MB", "error"
                        )
                    )
                    continue
                digest = line_digest(line)
                if known is not None and (number, digest) in known:
                    unchanged.append(number)
                    continue
                try:
                    text = line.decode(codec)
                except UnicodeDecodeError:
                    problems.append(
                        Problem(
                            path,
                            number,
                            f"line is not valid {codec}; give the file's encoding with --encoding",
                            "error",
                        )
                    )
                    continue
                if number == 0:
                    text = text.lstrip("\ufeff")
                if not text.strip():
                    continue
                try:
                    obj = json.loads(text)
                except json.JSONDecodeError as exc:
                    problems.append(
                        Problem(
                            path,
                            number,
                            f"not valid JSON: {exc.msg} at column {exc.colno}",
                            "error",
                        )
                    )
                    continue
                except RecursionError:
                    problems.append(
                        Problem(path, number, "not readable JSON: nested too deeply", "error")
                    )
                    continue
                try:
                    articles.append(article_from_object(obj, path, number, codec))
                    digests.append(digest)
                except InputProblem as problem:
                    problems.append(Problem(path, number, problem.reason, problem.kind))
                except RecursionError:
                    problems.append(Problem(path, number, NESTED_TOO_DEEPLY, "error"))
    except _Bomb:
        problems.append(
            Problem(
                path,
                None,
                f"inflates more than {MAX_INFLATION} times over, which text never does (a gzip "
                "bomb?); reading stopped there, the lines before it were read",
                "error",
            )
        )
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        problems.append(Problem(path, None, f"not a readable gzip file: {exc}", "error"))
    except OSError as exc:
        problems.append(Problem(path, None, f"cannot read: {exc.strerror or exc}", "error"))
    if not articles and not problems and not unchanged:
        raise skipped("empty file")
    return articles, problems, codec, digests, unchanged
