"""Each article's summary: what a hit line shows, without the article's text.

A result page shows, per hit, the id, title, date, source, author, url, path
and record, and a snippet.  When the query matches nothing in the text (a
browse by date, a field query) the snippet is the article's lead (its
opening, :func:`~searchengine.analysis.passages.lead_snippet`).  Reading
them from the stored fields (:mod:`searchengine.index.storedblocks`)
decompresses a 16 KB block of several whole articles per hit, about 20 µs
each: most of a browse's time.  So each segment also keeps a summary per
article, written beside the stored fields by the same per-document writer
(so merges, which write their documents through it, write it too):

``SEG.summary``
    :data:`MAGIC`; a Zstandard dictionary (none in a small segment); the
    records, one after the other, each one Zstandard frame compressed
    with the dictionary (or, without one, the record itself); the offset of
    each record and of the end of the last (``uint64``, one more than the
    documents); the footer (:data:`_FOOTER`: where the offsets start, the
    dictionary's length, the number of documents, :data:`END`).

A record is the pickled tuple of :data:`FIELDS` (``None`` where the article
has no such field) and the lead's text (empty for an article without
text).  The file is memory-mapped and its offsets read with numpy, so one
summary is a slice, a decompression and an unpickling: about 3 µs.

Why a dictionary: a record is ~530 bytes, too small to compress alone, and
blocks of several records cost a decompression of all of them per hit.
A dictionary trained on the segment's first :data:`TRAIN_DOCS` records
(what they share: the paths of a folder, a source's name and url form,
common words) lets each record be compressed alone to ~0.47 of its size
(blocks of 8 records: 0.51, and ~8 µs a hit).  On the 100,000-article
benchmark corpus the summaries are ~25 MB, 7 % of the raw text.
"""

from __future__ import annotations

import bisect
import contextlib
import mmap
import pickle
import struct
import threading
from array import array
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from searchengine.analysis.passages import lead_snippet

if TYPE_CHECKING:
    import zstandard

#: The extension of a segment's summary file.
SUMMARY_EXT = ".summary"
#: The first and last bytes of a summary file.
MAGIC = b"SEsumm1\n"
END = b"SEsummE\n"
#: The stored fields a summary keeps, in its records' order.
FIELDS = ("id", "path", "record", "title", "date", "source", "author", "url")
#: Records the dictionary is trained on: the segment's first ones, kept
#: back until then (a few hundred kilobytes).
TRAIN_DOCS = 1024
#: A segment with fewer records than this has no dictionary; its records
#: are stored as they are (a dictionary would be larger than what it saves).
MIN_TRAIN_DOCS = 256
#: The dictionary's size (larger ones gain ~1 %).
DICT_BYTES = 16 * 1024
#: The dictionary trainer's segment size and d-mer length (zstd's COVER
#: parameters).  Left to zstd, it tries several and takes 3x as long (50 ms
#: a segment) for records compressed no smaller on the benchmark corpus.
TRAIN_K = 1024
TRAIN_D = 8
#: Zstandard's compression level.
LEVEL = 3

#: Offsets' start, dictionary length, documents, END.
_FOOTER = struct.Struct("<QQI8s")


@dataclass(frozen=True)
class Summary:
    """One article's summary."""

    #: The article's stored fields of :data:`FIELDS` that it has.
    fields: dict[str, Any]
    #: The text of the article's lead snippet; empty when it has no text.
    lead: str


def record(fields: dict[str, Any]) -> bytes:
    """The summary record of an article with these stored fields."""
    body = fields.get("body")
    text = body if isinstance(body, str) else ""
    lead = lead_snippet(text).text if text.strip() else ""
    return pickle.dumps((*(fields.get(name) for name in FIELDS), lead), protocol=5)


def decode(data: bytes) -> Summary:
    """The summary in a record made by :func:`record`."""
    *values, lead = pickle.loads(data)
    found = {name: value for name, value in zip(FIELDS, values, strict=True) if value is not None}
    return Summary(found, lead)


class SummaryWriter:
    """Writes the summaries of a segment's documents, in document order."""

    def __init__(self, handle: Any) -> None:
        self._file = handle
        self._file.write(MAGIC)
        self._at = len(MAGIC)
        self._dictionary = b""
        self._compressor: zstandard.ZstdCompressor | None = None
        self._pending: list[bytes] | None = []
        #: Where each record starts (64-bit: no int object per document).
        self._offsets = array("Q")

    def add(self, fields: dict[str, Any]) -> None:
        """Add the next document's summary, from its stored fields."""
        data = record(fields)
        if self._pending is None:
            self._write(data)
            return
        self._pending.append(data)
        if len(self._pending) >= TRAIN_DOCS:
            self._start()

    def _start(self) -> None:
        """Train the dictionary on the records kept back (when there are
        enough), write it, then those records."""
        pending: list[bytes | bytearray | memoryview] = list(self._pending or [])
        self._pending = None
        if len(pending) >= MIN_TRAIN_DOCS:
            import zstandard

            try:
                trained = zstandard.train_dictionary(DICT_BYTES, pending, k=TRAIN_K, d=TRAIN_D)
            except zstandard.ZstdError:
                trained = None  # records too alike or too few to learn from
            if trained is not None:
                self._dictionary = trained.as_bytes()
                self._compressor = zstandard.ZstdCompressor(level=LEVEL, dict_data=trained)
                self._file.write(self._dictionary)
                self._at += len(self._dictionary)
        for data in pending:
            self._write(bytes(data))

    def _write(self, data: bytes) -> None:
        if self._compressor is not None:
            data = self._compressor.compress(data)
        self._offsets.append(self._at)
        self._file.write(data)
        self._at += len(data)

    def close(self) -> None:
        """Write what is kept back, the offsets and the footer; close the file."""
        if self._pending is not None:
            self._start()
        docs = len(self._offsets)
        self._offsets.append(self._at)
        self._file.write(np.frombuffer(self._offsets, dtype=np.uint64).astype("<u8").tobytes())
        self._file.write(_FOOTER.pack(self._at, len(self._dictionary), docs, END))
        self._file.close()

    def discard(self) -> None:
        """Close the file without finishing it (a cancelled segment)."""
        with contextlib.suppress(OSError, ValueError):
            getattr(self._file, "file", self._file).close()


class SummaryReader:
    """Reads the summaries of one segment's documents (the file mapped on first use)."""

    def __init__(self, storage: Any, segment: Any) -> None:
        self._storage = storage
        self._segment = segment
        self._lock = threading.Lock()
        self._handle: Any = None
        self._data: Any = None
        self._offsets: NDArray[np.uint64] | None = None
        self._decompressor: zstandard.ZstdDecompressor | None = None

    def _open(self) -> NDArray[np.uint64]:
        from searchengine.index.storedblocks import map_file

        name = self._segment.make_filename(SUMMARY_EXT)
        handle = self._storage.open_file(name)
        data = map_file(handle)
        size = len(data)
        if size < len(MAGIC) + _FOOTER.size or data[: len(MAGIC)] != MAGIC:
            handle.close()
            raise ValueError(f"{name} is not a searchengine summary file")
        at, dictionary, docs, end = _FOOTER.unpack_from(data, size - _FOOTER.size)
        if end != END or at + 8 * (docs + 1) + _FOOTER.size != size:
            handle.close()
            raise ValueError(f"{name} is not a whole searchengine summary file")
        if dictionary:
            import zstandard

            start = len(MAGIC)
            trained = zstandard.ZstdCompressionDict(bytes(data[start : start + dictionary]))
            self._decompressor = zstandard.ZstdDecompressor(dict_data=trained)
        self._handle, self._data = handle, data
        self._offsets = np.frombuffer(data, dtype="<u8", count=docs + 1, offset=at)
        return self._offsets

    def summary(self, docnum: int) -> Summary:
        """The summary of document ``docnum`` of the segment."""
        with self._lock:
            offsets = self._offsets if self._offsets is not None else self._open()
            if not 0 <= docnum < len(offsets) - 1:
                raise IndexError(f"no document {docnum} in a segment of {len(offsets) - 1}")
            start, end = offsets[docnum : docnum + 2].tolist()
            data = self._data[start:end]
            if self._decompressor is not None:
                data = self._decompressor.decompress(data)
            return decode(data)

    def close(self) -> None:
        with self._lock:
            # The offsets view the map: let it go first, or the map cannot close.
            self._offsets = None
            self._decompressor = None
            if self._handle is not None:
                if isinstance(self._data, mmap.mmap):
                    self._data.close()
                self._handle.close()
            self._data = self._handle = None


class Summaries:
    """The summaries of every document of one searcher, by its document numbers."""

    def __init__(self, segments: list[tuple[Any, int]]) -> None:
        """``segments``: each segment's reader and the searcher's number of
        its first document, in order."""
        self._starts = [offset for _, offset in segments]
        self._readers = [SummaryReader(r.storage(), r.segment()) for r, _ in segments]

    def summary(self, docnum: int) -> Summary:
        """The summary of the searcher's document ``docnum``."""
        n = bisect.bisect_right(self._starts, docnum) - 1
        if n < 0:
            raise IndexError(docnum)
        return self._readers[n].summary(docnum - self._starts[n])

    def close(self) -> None:
        for reader in self._readers:
            reader.close()
