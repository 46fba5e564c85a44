"""One article as the index stores it: its Whoosh document.

Shared by the two ways an article reaches the index: written by a run
(:mod:`searchengine.indexer.run`) and re-cleaned in place when its source's
learned boilerplate changes (:mod:`searchengine.indexer.reclean`).
"""

from __future__ import annotations

import os
from typing import Any

from searchengine.analysis import minhash as dedup
from searchengine.analysis.boilerplate import Cleaned
from searchengine.dates import day_number, from_day_number
from searchengine.index import schema
from searchengine.index.fieldformat import Tokens
from searchengine.models import Article


def stored_path(path: str) -> str:
    """``path`` as the index keeps it: valid Unicode even when the file name
    is not (its undecodable bytes written as ``\\xe9``), since Whoosh terms
    must be UTF-8.  Runs compare files by this form."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    return path


def file_signature(stat: os.stat_result) -> bytes:
    """What tells a changed file from an unchanged one: its size and modification time."""
    return f"{stat.st_size}:{stat.st_mtime_ns}".encode()


def digest_of(article: Article) -> bytes:
    """The article's :func:`~searchengine.index.schema.article_digest`."""
    date = day_number(article.date) if article.date is not None else None
    return schema.article_digest(
        article.title,
        article.body,
        date,
        article.source,
        article.author,
        article.url,
        article.encoding,
    )


def article_as_read(fields: dict[str, Any]) -> Article:
    """The article as it was read, from the stored fields the index holds
    of it (the text before boilerplate was cut)."""
    date = fields.get("date")
    return Article(
        path=fields["path"],
        record=fields.get("record"),
        title=fields.get("title", ""),
        body=schema.original_text(fields),
        date=from_day_number(date) if date else None,
        source=fields.get("source"),
        author=fields.get("author"),
        url=fields.get("url"),
        encoding=fields.get("encoding"),
    )


def signature_size(sig: bytes) -> int:
    """The file size a :func:`file_signature` holds (0 if it holds none)."""
    size = sig.split(b":", 1)[0]
    return int(size) if size.isdigit() else 0


def document(
    article: Article,
    sig: bytes,
    cleaned: Cleaned | None = None,
    *,
    texts: dict[str, Tokens] | None = None,
    minhash: bytes | None = None,
    line: bytes = b"",
) -> dict[str, Any]:
    """The Whoosh document of one article.

    ``cleaned`` is its body without boilerplate (what is indexed and
    signed); ``texts`` its fields analysed ahead and ``minhash`` the cleaned
    body's signature (:func:`searchengine.indexer.workers.prepare`), computed here
    when not given; ``line`` the digest of its JSON Lines line, if it has
    one (kept after its own digest in the ``digest`` column).
    """
    cleaned = cleaned or Cleaned(article.body)
    texts = texts or {}
    doc: dict[str, Any] = {
        "id": article.id,
        "path": stored_path(article.path),
        "record": article.record,
        "sig": sig,
        "minhash": dedup.signature(cleaned.body) if minhash is None else minhash,
        "title": article.title,
        "body": cleaned.body,
        "cut_lines": cleaned.lines,
        "cut_chars": cleaned.chars,
        "encoding": article.encoding,
        # Always written: a segment with no value at all would have no column
        # to sort on.
        "sort_newest": schema.UNDATED_NEWEST,
        "sort_oldest": schema.UNDATED_OLDEST,
    }
    if cleaned.body != article.body:
        doc["raw"] = article.body
    if article.source:
        doc["source"] = article.source
        doc["source_name"] = article.source
    if article.author:
        doc["author"] = article.author
    if article.url:
        doc["url"] = article.url
    if article.date is not None:
        number = day_number(article.date)
        doc["date"] = number
        doc["month"] = article.date.strftime("%Y-%m")
        doc["sort_newest"] = number
        doc["sort_oldest"] = number
    doc["meta"] = schema.meta_value(doc)
    doc["digest"] = digest_of(article) + line
    for name, analyzed in texts.items():
        # Stored as the plain text; indexed from the postings computed ahead.
        doc[f"_stored_{name}"] = doc[name]
        doc[name] = analyzed
    return doc
