"""Stored fields in compressed blocks of many articles, as Lucene's and tantivy's document stores.

Whoosh's ``W3`` codec stores each document's fields as one pickled record,
compressed alone (``PickleColumn(CompressedBytesColumn())``): a news
article is a few kilobytes, too little for a compressor to find much to
share, so the stored text was the largest part of an index and compressing
each one alone was about a fifth of the indexing CPU.  Here the records of
consecutive documents are gathered into blocks of about :data:`BLOCK_BYTES`
and each block is compressed as one Zstandard frame, which also finds what
neighbouring articles share (a source's furniture, a story and its copies).

``SEG.stored``
    :data:`MAGIC`, then the blocks, each one Zstandard frame whose content
    is the number of records ``n`` (``uint32``), their ``n`` lengths
    (``uint32``) and the records one after the other; then the block index:
    each block's offset in the file (``uint64``) and first document number
    (``uint32``); then the footer (:data:`_FOOTER`: where the index starts,
    the number of blocks and of documents, :data:`END`).

A record is the document's stored fields as a pickled ``dict`` (as ``W3``
pickles them, so a field may hold any value Whoosh stores), or nothing for
a document without stored fields.  Reading a document decompresses its
block; the last :data:`CACHED_BLOCKS` blocks stay decompressed, since a
result page and its snippets read a few documents each several times, and
merging and export read documents in order.

Zstandard (the ``zstandard`` package) rather than the standard library's
zlib: on the benchmark corpus, blocks of 16 KB at level 3 come out as small
as zlib's at level 6 (0.49 of the pickled records), are compressed six
times faster (~16 µs an article instead of ~97) and a block is decompressed
four times faster (~20 µs instead of ~78).  16 KB (as tantivy's default):
reading one article at random then costs less than ``W3``'s one record
(~21 µs against ~27), where 32 KB blocks would save another 3% of the bytes
but cost ~32 µs, and a result page reads ten articles at random.  Only the
stored fields are written here; field lengths and columns stay ``W3``'s.
"""

from __future__ import annotations

import bisect
import contextlib
import io
import itertools
import mmap
import pickle
import struct
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from whoosh.codec.whoosh3 import W3PerDocReader, W3PerDocWriter

from searchengine.index.summary import SUMMARY_EXT, SummaryWriter

if TYPE_CHECKING:
    import zstandard

#: The extension of a segment's stored-fields file.
STORED_EXT = ".stored"
#: The first and last bytes of a stored-fields file.
MAGIC = b"SEstor1\n"
END = b"SEstorE\n"
#: A block is compressed once its records reach this many bytes.
BLOCK_BYTES = 16 * 1024
#: ... or this many records (documents with little or nothing stored).
BLOCK_DOCS = 1024
#: Zstandard's compression level (its default: fast; larger levels gain
#: ~2% here at three times the CPU).
LEVEL = 3
#: Decompressed blocks a reader keeps.
CACHED_BLOCKS = 8

_COUNT = struct.Struct("<I")
#: Index offset, blocks, documents, END.
_FOOTER = struct.Struct("<QII8s")


def encode(fields: dict[str, Any]) -> bytes:
    """One document's stored fields as a record."""
    return pickle.dumps(fields, protocol=5) if fields else b""


def decode(record: bytes | memoryview) -> dict[str, Any]:
    """The stored fields of a record made by :func:`encode`."""
    if not record:
        return {}
    fields: dict[str, Any] = pickle.loads(record)
    return fields


class StoredWriter:
    """Writes the records of a segment's documents, in document order, as blocks."""

    def __init__(self, handle: Any) -> None:
        from zstandard import ZstdCompressor

        self._file = handle
        self._file.write(MAGIC)
        self._compressor = ZstdCompressor(level=LEVEL)
        self._records: list[bytes] = []
        self._size = 0
        self._offsets: list[int] = []
        self._first_docs: list[int] = []
        self._docs = 0

    def add(self, fields: dict[str, Any]) -> None:
        """Add the next document's stored fields."""
        record = encode(fields)
        self._records.append(record)
        self._size += len(record)
        if self._size >= BLOCK_BYTES or len(self._records) >= BLOCK_DOCS:
            self._flush()

    def _flush(self) -> None:
        records = self._records
        if not records:
            return
        header = struct.pack(f"<{len(records) + 1}I", len(records), *map(len, records))
        self._offsets.append(self._file.tell())
        self._first_docs.append(self._docs)
        self._file.write(self._compressor.compress(header + b"".join(records)))
        self._docs += len(records)
        self._records = []
        self._size = 0

    def close(self) -> None:
        """Write the last block, the block index and the footer; close the file."""
        self._flush()
        at = self._file.tell()
        blocks = len(self._offsets)
        self._file.write(struct.pack(f"<{blocks}Q", *self._offsets))
        self._file.write(struct.pack(f"<{blocks}I", *self._first_docs))
        self._file.write(_FOOTER.pack(at, blocks, self._docs, END))
        self._file.close()

    def discard(self) -> None:
        """Close the file without finishing it (a cancelled segment, whose
        files are about to be removed; closing may fail on a full disk)."""
        with contextlib.suppress(OSError, ValueError):
            # The raw file: a StructFile would stop at a failing flush.
            getattr(self._file, "file", self._file).close()


class StoredReader:
    """Reads the stored fields of a segment's documents from its blocks."""

    def __init__(self, storage: Any, segment: Any) -> None:
        self._storage = storage
        self._segment = segment
        self._lock = threading.Lock()
        self._data: Any = None
        self._handle: Any = None
        self._offsets: list[int] = []
        self._first_docs: list[int] = []
        self._docs = 0
        self._decompressor: zstandard.ZstdDecompressor | None = None
        self._cache: OrderedDict[int, tuple[memoryview, list[int]]] = OrderedDict()

    def _open(self) -> None:
        """Map the file and read its block index (on first use)."""
        from zstandard import ZstdDecompressor

        name = self._segment.make_filename(STORED_EXT)
        handle = self._storage.open_file(name)
        data = map_file(handle)
        if len(data) < len(MAGIC) + _FOOTER.size or data[: len(MAGIC)] != MAGIC:
            handle.close()
            raise ValueError(f"{name} is not a searchengine stored-fields file")
        at, blocks, docs, end = _FOOTER.unpack_from(data, len(data) - _FOOTER.size)
        if end != END:
            handle.close()
            raise ValueError(f"{name} is not a whole searchengine stored-fields file")
        self._offsets = [*struct.unpack_from(f"<{blocks}Q", data, at), at]
        self._first_docs = list(struct.unpack_from(f"<{blocks}I", data, at + 8 * blocks))
        self._docs = docs
        self._decompressor = ZstdDecompressor()
        self._handle, self._data = handle, data

    def fields(self, docnum: int) -> dict[str, Any]:
        """The stored fields of document ``docnum``."""
        with self._lock:
            if self._data is None:
                self._open()
            if not 0 <= docnum < self._docs:
                raise IndexError(f"no document {docnum} in a segment of {self._docs}")
            block = bisect.bisect_right(self._first_docs, docnum) - 1
            content, starts = self._block(block)
            at = docnum - self._first_docs[block]
            return decode(content[starts[at] : starts[at + 1]])

    def _block(self, block: int) -> tuple[memoryview, list[int]]:
        """Block ``block`` decompressed, and where each of its records starts
        (and the last one ends)."""
        cache = self._cache
        found = cache.get(block)
        if found is not None:
            cache.move_to_end(block)
            return found
        assert self._decompressor is not None
        frame = self._data[self._offsets[block] : self._offsets[block + 1]]
        content = memoryview(self._decompressor.decompress(frame))
        (count,) = _COUNT.unpack_from(content)
        lengths = struct.unpack_from(f"<{count}I", content, _COUNT.size)
        starts = list(itertools.accumulate(lengths, initial=_COUNT.size * (count + 1)))
        found = cache[block] = (content, starts)
        if len(cache) > CACHED_BLOCKS:
            cache.popitem(last=False)
        return found

    def close(self) -> None:
        with self._lock:
            self._cache.clear()
            if self._handle is not None:
                if isinstance(self._data, mmap.mmap):
                    self._data.close()
                self._handle.close()
            self._data = self._handle = None


def map_file(handle: Any) -> Any:
    """A read-only memory map of an open storage file, or its bytes when it
    is not a real file (a compound segment, a RAM index)."""
    raw = getattr(handle, "file", None)
    try:
        return mmap.mmap(raw.fileno(), 0, access=mmap.ACCESS_READ)  # type: ignore[union-attr]
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        handle.seek(0)
        return handle.read()


# The codec's per-document writer and reader.


class NewsPerDocWriter(W3PerDocWriter):  # type: ignore[misc]
    """``W3``'s per-document writer, its stored fields written in blocks.

    Field lengths and columns go to ``W3``'s files as before; each
    document's stored values are kept back from ``W3`` (which would pickle
    and compress them alone) and handed to a :class:`StoredWriter`, and
    its summary (:mod:`searchengine.index.summary`) to a
    :class:`~searchengine.index.summary.SummaryWriter`.  Every segment is
    written through here, merged ones too, so every segment has both.
    """

    def __init__(self, codec: Any, storage: Any, segment: Any) -> None:
        super().__init__(codec, storage, segment)
        self._stored = StoredWriter(segment.create_file(storage, STORED_EXT))
        self._summary = SummaryWriter(segment.create_file(storage, SUMMARY_EXT))
        self._fields: dict[str, Any] = {}
        self._in_doc = False

    def start_doc(self, docnum: int) -> None:
        super().start_doc(docnum)
        self._fields = {}
        self._in_doc = True

    def add_field(self, fieldname: str, fieldobj: Any, value: Any, length: int | None) -> None:
        if value is not None:
            self._fields[fieldname] = value
        # W3 stores nothing for a field without a value, only its length.
        super().add_field(fieldname, fieldobj, None, length)

    def finish_doc(self) -> None:
        # W3's close() calls finish_doc() again, outside any document.
        if self._in_doc:
            self._stored.add(self._fields)
            self._summary.add(self._fields)
            self._fields = {}
            self._in_doc = False
        super().finish_doc()

    def cancel_doc(self) -> None:
        super().cancel_doc()
        self._fields = {}
        self._in_doc = False

    def close(self) -> None:
        try:
            super().close()
            self._stored.close()
            self._summary.close()
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Close the stored-fields and summary files without finishing
        them (see :meth:`StoredWriter.discard`)."""
        self._stored.discard()
        self._summary.discard()


class NewsPerDocReader(W3PerDocReader):  # type: ignore[misc]
    """``W3``'s per-document reader, stored fields read from the blocks."""

    def __init__(self, storage: Any, segment: Any) -> None:
        super().__init__(storage, segment)
        self._stored = StoredReader(storage, segment)

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        return self._stored.fields(docnum)

    def close(self) -> None:
        super().close()
        self._stored.close()
