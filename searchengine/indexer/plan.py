"""What a run has to do: the files found, and which of them are new,
changed, unchanged or gone since the index last saw them.

A file is told apart by its signature (size and modification time, see
:func:`searchengine.indexer.document.file_signature`): the same signature
means the same articles, and the file is not read again.  A stored file
that is no longer found under the paths given has gone; files outside
those paths are not this run's business and are left alone.
"""

from __future__ import annotations

import os
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from whoosh.columns import VarBytesColumn

from searchengine.index import whoosh_private
from searchengine.index.protocols import Reader
from searchengine.index.schema import meta_record, term_text
from searchengine.indexer.document import article_as_read, digest_of, file_signature, stored_path
from searchengine.load.walk import WalkStats, walk
from searchengine.models import Problem


@dataclass(frozen=True)
class Found:
    """The files of the paths given, and what the walk passed over."""

    roots: tuple[str, ...]
    files: tuple[str, ...]
    ignored: int  # files of kinds that are not read
    unreadable: tuple[Problem, ...]  # folders that could not be listed
    #: How many files were found (also once their names are let go).
    seen: int = -1

    def __post_init__(self) -> None:
        if self.seen < 0:
            object.__setattr__(self, "seen", len(self.files))

    def counted(self) -> Found:
        """The same without the files' names (a million of them, once planned)."""
        return Found(self.roots, (), self.ignored, self.unreadable, self.seen)


def find(roots: list[str]) -> Found:
    """Walk ``roots`` (absolute paths) for the files a run reads."""
    stats = WalkStats()
    files = tuple(walk(roots, stats))
    unreadable = tuple(
        Problem(p, None, f"folder not readable: {why}", "error") for p, why in stats.unreadable
    )
    return Found(tuple(roots), files, stats.ignored, unreadable)


@dataclass(frozen=True, slots=True)
class Known:
    """What the index knows about one file: the signatures its live
    articles were read at (one, unless only some of a changed file's
    articles were rewritten) and how many articles it has."""

    sigs: tuple[bytes, ...]
    count: int

    def current(self, sig: bytes) -> bool:
        """Whether the file, now at ``sig``, is as the index holds it.

        A run that reads a file brings every article of it up to date
        (rewriting those that changed, leaving the others with the signature
        they were read at), so the index is in step with the file's state
        at any signature one of its articles carries.
        """
        return sig in self.sigs


def known_files(reader: Reader) -> dict[str, Known]:
    """Every file the index holds live articles of, with its signatures.

    The ``path`` and ``sig`` columns are read a segment at a time, in runs
    (:func:`searchengine.index.whoosh_private.var_bytes`), not a value at
    a time: a million articles are read on every run, no-op ones included.
    """
    # Articles counted per (path, signature) in C; then a step per file.
    articles: Counter[tuple[bytes, bytes]] = Counter()
    for leaf, _ in reader.leaf_readers():
        articles.update(_paths_and_sigs(leaf))
    sigs: dict[bytes, list[bytes]] = {}
    counts: Counter[bytes] = Counter()
    for (path, sig), count in articles.items():
        sigs.setdefault(path, []).append(sig)
        counts[path] += count
    return {term_text(path): Known(tuple(sigs[path]), counts[path]) for path in sigs}


def _paths_and_sigs(leaf: Reader) -> Iterable[tuple[bytes, bytes]]:
    """``(stored path, signature)`` of each live article of one segment,
    the path as its column holds it."""
    size = leaf.doc_count_all()
    if not size:
        return ()
    deleted = leaf.is_deleted if leaf.has_deletions() else None
    live = [n for n in range(size) if deleted is None or not deleted(n)]
    return zip(_column(leaf, "path", live), _column(leaf, "sig", live), strict=True)


#: Each segment reader's column readers, opened once: opening one reads
#: its offsets from the file, and an incremental run reads two columns for
#: each changed file.  Kept while the segment reader lives.
_COLUMNS: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def _column(leaf: Reader, name: str, docs: list[int]) -> list[bytes]:
    columns = _COLUMNS.setdefault(leaf, {})
    column = columns.get(name)
    if column is None:
        column = columns[name] = leaf.column_reader(name, translate=False)
    if isinstance(column, VarBytesColumn.Reader):
        return whoosh_private.var_bytes(column, docs)
    return [column[n] for n in docs]


@dataclass(frozen=True)
class StoredArticle:
    """One live article the index holds of a file: its document number, its
    :func:`~searchengine.index.schema.article_digest` (empty when written
    before digests were), and its stored fields when they had to be read."""

    docnum: int
    digest: bytes
    fields: dict[str, Any] | None = None
    #: The digest of its JSON Lines line (empty for other files).
    line: bytes = b""


class StoredFile:
    """The live articles the index holds of one stored file, by record
    number (``None`` for a one-article file), as :func:`stored_articles`
    read them: each a :class:`StoredArticle` only when it is taken (a
    changed file of a thousand articles has most of them passed over)."""

    def __init__(self) -> None:
        self._at: dict[int | None, int] = {}
        self._docnums: list[int] = []
        self._digests: list[bytes] = []
        self._fields: dict[int, dict[str, Any]] = {}

    def add(
        self,
        records: list[int | None],
        docnums: list[int],
        digests: list[bytes],
        fields: list[dict[str, Any] | None] | None = None,
    ) -> None:
        """Add articles: their records, document numbers (in the whole
        index) and digest column values (empty: ``fields``, their stored
        fields, stand in for them)."""
        first = len(self._docnums)
        self._at.update(zip(records, range(first, first + len(records)), strict=True))
        self._docnums += docnums
        self._digests += digests
        for n, found in enumerate(fields or ()):
            if found is not None:
                self._fields[first + n] = found

    def _article(self, at: int) -> StoredArticle:
        digest = self._digests[at]
        if at in self._fields:
            return StoredArticle(self._docnums[at], b"", self._fields[at])
        return StoredArticle(self._docnums[at], digest[:8], line=digest[8:])

    def pop(self, record: int | None) -> StoredArticle | None:
        """The article of ``record``, taken out (None when there is none)."""
        at = self._at.pop(record, None)
        return None if at is None else self._article(at)

    def __delitem__(self, record: int | None) -> None:
        del self._at[record]

    def __len__(self) -> int:
        return len(self._at)

    def values(self) -> Iterator[StoredArticle]:
        """The articles left, in the order added."""
        return map(self._article, sorted(self._at.values()))

    def known_lines(self) -> frozenset[tuple[int, bytes]]:
        """``(record, line digest)`` of the articles of JSON Lines lines
        (whose digest the index holds): lines read again and found with one
        of these are passed over unparsed."""
        digests = self._digests
        return frozenset(
            (record, digests[at][8:])
            for record, at in self._at.items()
            if record is not None and len(digests[at]) > 8 and at not in self._fields
        )


def stored_articles(reader: Reader, path: str) -> StoredFile:
    """The live articles the index holds of the stored file ``path``.

    Read from the ``meta`` and ``digest`` columns a segment at a time (runs
    of values at once), not from the stored fields: a changed JSON Lines
    file of a thousand articles is compared with the index without
    decompressing a thousand articles.  Articles written before those
    columns existed come with their stored fields.
    """
    found = StoredFile()
    for leaf, base in reader.leaf_readers():
        if ("path", path) not in leaf:
            continue
        deleted = leaf.is_deleted if leaf.has_deletions() else None
        docs = [
            n for n in leaf.postings("path", path).all_ids() if deleted is None or not deleted(n)
        ]
        if not docs:
            continue
        metas = _values(leaf, "meta", docs)
        digests = _values(leaf, "digest", docs)
        if all(metas) and all(digests):
            records = list(map(meta_record, metas))
            found.add(records, [base + n for n in docs], digests)
            continue
        fields = [
            None if m and d else leaf.stored_fields(n)
            for n, m, d in zip(docs, metas, digests, strict=True)
        ]
        records = [
            meta_record(m) if f is None else f.get("record")
            for m, f in zip(metas, fields, strict=True)
        ]
        found.add(records, [base + n for n in docs], digests, fields)
    return found


def _values(leaf: Reader, name: str, docs: list[int]) -> list[bytes]:
    """The values of column ``name`` of one segment for its ``docs``
    (ascending), read in runs (empty ones when the column is missing)."""
    if name not in leaf.schema or not leaf.has_column(name):
        return [b""] * len(docs)
    return _column(leaf, name, docs)


def same_article(digest: bytes, stored: StoredArticle) -> bool:
    """Whether the article of ``digest`` (:func:`~searchengine.indexer.document.digest_of`),
    read again from its changed file, is what the index holds for it (then
    it is left as it is): the same title, text as read, date, source,
    author, url and encoding."""
    if stored.digest:
        return stored.digest == digest
    return stored.fields is not None and digest == digest_of(article_as_read(stored.fields))


@dataclass(frozen=True)
class Plan:
    """What a run has to do, decided before anything is read or written."""

    #: New or changed files, as found, with their signatures: read them.
    to_load: tuple[tuple[str, bytes], ...]
    #: The stored paths of the changed ones: their old articles are replaced.
    changed: frozenset[str]
    #: Stored files gone from under the paths given, with their article counts.
    gone: tuple[tuple[str, int], ...]
    #: Articles of the files left as they are.
    unchanged: int
    #: Folders and files that could not be looked at, in the order met.
    problems: tuple[Problem, ...]


def make_plan(found: Found, known: dict[str, Known]) -> Plan:
    """What to do with the files ``found``, given those the index holds (``known``)."""
    problems = list(found.unreadable)
    to_load: list[tuple[str, bytes]] = []
    changed: set[str] = set()
    unchanged = 0
    for path in found.files:
        try:
            sig = file_signature(os.stat(path))
        except OSError as exc:
            problems.append(Problem(path, None, f"cannot read: {exc.strerror or exc}", "error"))
            continue
        previous = known.get(stored_path(path))
        if previous is not None and previous.current(sig):
            unchanged += previous.count
            continue
        to_load.append((path, sig))
        if previous is not None:
            changed.add(stored_path(path))
    seen = {stored_path(p) for p in found.files}
    roots = [stored_path(root) for root in found.roots]
    gone = tuple(
        (path, info.count)
        for path, info in known.items()
        if path not in seen and _under(path, roots)
    )
    return Plan(tuple(to_load), frozenset(changed), gone, unchanged, tuple(problems))


def _under(path: str, roots: Iterable[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)
