"""What the index stores: the schema of every index this version writes.

Changing a field's type, its analyzer or its posting format changes what old
indexes mean, so it bumps :data:`FORMAT_VERSION`; the index directory refuses
an index of another format with the message to rebuild it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from whoosh import columns, fields

from searchengine.analysis.tokenizer import news_analyzer
from searchengine.index.fieldformat import NewsPositions
from searchengine.index.protocols import Writer

#: Bumped when the schema changes in a way old indexes cannot serve.
#: 2: the written words moved to a lexicon file, compact positions, and the
#: ``minhash`` column (near-duplicates); format-1 indexes must be rebuilt.
#: 3: the analyzer and posting format pickled into the schema moved modules
#: (``searchengine.analysis.tokenizer``, ``searchengine.index.fieldformat``).
#: 4: postings in searchengine's own codec (``searchengine.index.codec``):
#: packed arrays of document gaps, counts and positions instead of W3 blocks.
#: 5: stored fields in compressed blocks of many documents
#: (``searchengine.index.storedblocks``) instead of one W3 record each.
#: 6: a summary per article beside them (``searchengine.index.summary``:
#: what a hit line shows, its lead snippet included), read by result pages.
FORMAT_VERSION = 6
#: Title words count this much more than body words (BM25F field boost).
TITLE_BOOST = 2.5
#: Sort keys of undated articles: last whichever way dates are sorted.
UNDATED_NEWEST = 0
UNDATED_OLDEST = 99_999_999


def make_schema() -> fields.Schema:
    """The schema of every index this version writes."""
    text = news_analyzer()

    def searchable(**options: Any) -> Any:
        field = fields.TEXT(analyzer=text, multitoken_query="phrase", **options)
        field.format = NewsPositions(field_boost=options.get("field_boost", 1.0))
        return field

    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        path=fields.ID(stored=True, sortable=True),
        record=fields.STORED(),
        # "size:mtime_ns" of the file when read: what makes re-runs incremental.
        sig=fields.COLUMN(columns.VarBytesColumn()),
        # MinHash signature of the body (searchengine.analysis.minhash): near-duplicates.
        minhash=fields.COLUMN(columns.VarBytesColumn()),
        title=searchable(stored=True, field_boost=TITLE_BOOST),
        body=searchable(stored=True),
        source=searchable(stored=True),
        source_name=fields.ID(sortable=True),
        author=searchable(stored=True),
        url=fields.STORED(),
        encoding=fields.STORED(),
        date=fields.NUMERIC(int, bits=32, stored=True, signed=False),
        month=fields.ID(sortable=True),
        sort_newest=fields.COLUMN(columns.NumericColumn("I", default=UNDATED_NEWEST)),
        sort_oldest=fields.COLUMN(columns.NumericColumn("I", default=UNDATED_OLDEST)),
        **boilerplate_fields(),
        **row_fields(),
    )


def row_fields() -> dict[str, Any]:
    """``meta``: an article's id, record, title, author and url as one small
    JSON array (and ``digest``, see :func:`article_digest`), so that ``export`` can list thousands of articles a second
    without decompressing each one's stored fields, body and all (the day,
    source and path are columns already).  Articles written before it
    existed have none and are read from their stored fields instead."""
    return {
        "meta": fields.COLUMN(columns.VarBytesColumn()),
        # 8 bytes of BLAKE2b of the article as read (``article_digest``):
        # which articles of a changed file changed, without reading them.
        "digest": fields.COLUMN(columns.VarBytesColumn()),
    }


def meta_value(doc: dict[str, Any]) -> bytes:
    """The ``meta`` column value of a document about to be written."""
    title = doc.get("_stored_title", doc.get("title", ""))
    row = [doc["id"], doc.get("record"), title, doc.get("author"), doc.get("url")]
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")


#: How a ``meta`` value begins: ``["`` and the 16 hex digits of the id,
#: then ``",`` (see :func:`meta_value`).
_META_HEAD = len('["0123456789abcdef",')


def meta_record(meta: bytes) -> int | None:
    """The record number in a ``meta`` value (:func:`meta_value`), read
    without decoding the JSON: an incremental run reads it for every
    stored article of each changed file (a thousand a JSON Lines file),
    and ``json.loads`` was a third of that time."""
    end = meta.find(b",", _META_HEAD)
    if meta[_META_HEAD - 2 : _META_HEAD] == b'",' and end > 0:
        value = meta[_META_HEAD:end]
        if value == b"null":
            return None
        if value.isdigit():
            return int(value)
    record: int | None = json.loads(meta)[1]  # not our usual form: decode it
    return record


def article_digest(
    title: str,
    body: str,
    date: int | None,
    source: str | None,
    author: str | None,
    url: str | None,
    encoding: str | None,
) -> bytes:
    """What tells an article read again apart from the one the index holds:
    8 bytes of BLAKE2b over its title, text as read, day number, source,
    author, url and encoding."""
    digest = hashlib.blake2b(digest_size=8)
    for part in (title, body, date, source or None, author or None, url or None, encoding):
        # Each part led by its length (no two articles hash the same bytes);
        # no value is told apart from an empty one.
        data = b"" if part is None else str(part).encode("utf-8", "surrogatepass")
        digest.update(b"-" if part is None else b"%d:" % len(data))
        digest.update(data)
    return digest.digest()


def boilerplate_fields() -> dict[str, Any]:
    """Fields of boilerplate removal: ``body`` holds the cleaned text; the
    text as read is stored in ``raw`` only when something was cut from it;
    ``cut_lines``/``cut_chars`` say how much (columns: ``stats`` sums them
    without loading documents)."""
    return {
        "raw": fields.STORED(),
        "cut_lines": fields.COLUMN(columns.NumericColumn("I", default=0)),
        "cut_chars": fields.COLUMN(columns.NumericColumn("I", default=0)),
    }


def original_text(fields: dict[str, Any]) -> str:
    """The article text as read, from its stored fields (``raw`` is stored
    only when something was cut)."""
    raw = fields.get("raw")
    return raw if isinstance(raw, str) else str(fields.get("body", ""))


def term_text(value: Any) -> str:
    """A term or column value as text: Whoosh gives them back as bytes or as
    ``str`` depending on the field and the reader.  Ours are UTF-8 (paths are
    stored as valid Unicode, see :func:`searchengine.indexer.document.stored_path`);
    a byte that is not would come back as a surrogate escape rather than fail
    the read.  No value (``None``) is the empty string."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return "" if value is None else str(value)


def ensure_fields(writer: Writer) -> None:
    """Add fields this version writes to an index made before they existed
    (the change is committed with the run; old segments read as defaults)."""
    for name, field in {**boilerplate_fields(), **row_fields()}.items():
        if name not in writer.schema:
            writer.add_field(name, field)
