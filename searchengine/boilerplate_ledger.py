"""What boilerplate has been learned, per source, and keeping it true across runs.

A *group* is a source (articles that name one) or, for articles without a
source, the folder their file is in.  For each group the ledger keeps how
many articles it has and, for each short line (by its key, see
:func:`searchengine.boilerplate.line_key`), in how many of them the line
occurs.  A line is learned furniture of the group when it occurs in at least
``min_articles`` articles *and* in at least ``min_share`` of the group.

The ledger lives beside the index as ``boilerplate.json``, written atomically
after each commit and tagged with the index generation it describes.  It is a
cache: when it is missing or describes another generation (a crash between
commit and save, an index from before boilerplate removal) it is learned
again from the original text the index stores, and every article is
re-cleaned.  Counting needs no article text in memory; only changed files are
subtracted and added, so a run with nothing new costs no more than before.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import pickle
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from searchengine import boilerplate
from searchengine.dates import from_day_number
from searchengine.errors import UsageError
from searchengine.models import Article, SourceCut

LEDGER_FILE = "boilerplate.json"
LEDGER_VERSION = 1
#: A line must occur in at least this many articles of a group to be learned.
DEFAULT_MIN_ARTICLES = 5
#: ... and in at least this share of the group's articles.
DEFAULT_MIN_SHARE = 0.4
#: Distinct lines counted per group at most; past it the rarest are forgotten
#: (furniture, being on most pages, is never among the rarest).
MAX_KEYS_PER_GROUP = 50_000


@dataclass(frozen=True)
class Thresholds:
    """When a recurring line counts as learned furniture."""

    min_articles: int = DEFAULT_MIN_ARTICLES
    min_share: float = DEFAULT_MIN_SHARE

    def __post_init__(self) -> None:
        if self.min_articles < 2:
            raise UsageError(
                f"--boilerplate-min-articles must be at least 2, not {self.min_articles}"
            )
        if not 0.0 < self.min_share <= 1.0:
            raise UsageError(
                f"--boilerplate-min-share must be above 0 and at most 1, not {self.min_share}"
            )

    def needed(self, articles: int) -> int:
        """Articles a line must occur in, in a group of ``articles``."""
        return max(self.min_articles, math.ceil(self.min_share * articles - 1e-9))


def thresholds(
    index_dir: str, min_articles: int | None, min_share: float | None
) -> Thresholds | None:
    """Thresholds from command-line options: one left out keeps the index's
    own setting (or the default); both left out is ``None``, keep all."""
    if min_articles is None and min_share is None:
        return None
    saved = Thresholds()
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError, UsageError):
        with open(os.path.join(index_dir, LEDGER_FILE), encoding="utf-8") as handle:
            data = json.load(handle)
        saved = Thresholds(data["min_articles"], data["min_share"])
    return Thresholds(
        saved.min_articles if min_articles is None else min_articles,
        saved.min_share if min_share is None else min_share,
    )


def group_of(source: str | None, path: str) -> str:
    """The group an article learns with: its source, else its folder."""
    return f"source:{source}" if source else f"folder:{os.path.dirname(path)}"


def original_text(fields: dict[str, Any]) -> str:
    """The article text as read, from its stored fields (``raw`` is stored
    only when something was cut)."""
    raw = fields.get("raw")
    return raw if isinstance(raw, str) else str(fields.get("body", ""))


class _Group:
    """Counts of one group (mutable; lives only inside a :class:`Ledger`)."""

    def __init__(self, articles: int = 0, lines: dict[str, int] | None = None) -> None:
        self.articles = articles
        self.lines: Counter[str] = Counter(lines or {})

    def prune(self) -> None:
        floor = 1
        while len(self.lines) > MAX_KEYS_PER_GROUP * 3 // 4:
            for key in [k for k, n in self.lines.items() if n <= floor]:
                del self.lines[key]
            floor += 1


class Ledger:
    """Per-group line counts and the learned furniture decided from them."""

    def __init__(self, thresholds: Thresholds, *, fresh: bool) -> None:
        self.thresholds = thresholds
        #: True when learned from scratch: every stored article must be re-cleaned.
        self.fresh = fresh
        self._groups: dict[str, _Group] = {}
        self._learned: dict[str, frozenset[str]] = {}
        self._touched: set[str] = set()
        self._settings_changed = False

    # -- persistence ------------------------------------------------------

    @classmethod
    def load(
        cls, index_dir: str, generation: int, wanted: Thresholds | None, *, reset: bool = False
    ) -> Ledger:
        """The saved ledger if it describes ``generation``, else an empty,
        fresh one (the caller then relearns it from the stored articles);
        ``reset`` (a rebuild) always starts empty.

        ``wanted`` thresholds replace the saved ones; ``None`` keeps them.
        """
        saved: Thresholds | None = None
        try:
            with open(os.path.join(index_dir, LEDGER_FILE), encoding="utf-8") as handle:
                data = json.load(handle)
            saved = Thresholds(data["min_articles"], data["min_share"])
            if reset or data["version"] != LEDGER_VERSION or data["generation"] != generation:
                raise ValueError("stale")
        except (OSError, ValueError, KeyError, TypeError, UsageError):
            return cls(wanted or saved or Thresholds(), fresh=True)
        ledger = cls(wanted or saved, fresh=False)
        ledger._settings_changed = ledger.thresholds != saved
        for key, group in data["groups"].items():
            ledger._groups[key] = _Group(group["articles"], group["lines"])
            ledger._learned[key] = frozenset(group["learned"])
        return ledger

    def save(self, index_dir: str, generation: int) -> None:
        """Write the ledger atomically; a failure leaves a stale one, which
        the next run notices and relearns."""
        data = {
            "version": LEDGER_VERSION,
            "generation": generation,
            "min_articles": self.thresholds.min_articles,
            "min_share": self.thresholds.min_share,
            "groups": {
                key: {
                    "articles": group.articles,
                    "learned": sorted(self._learned.get(key, ())),
                    "lines": dict(group.lines),
                }
                for key, group in sorted(self._groups.items())
            },
        }
        target = os.path.join(index_dir, LEDGER_FILE)
        temporary = target + ".tmp"
        with contextlib.suppress(OSError):
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump(data, handle, separators=(",", ":"))
            os.replace(temporary, target)

    # -- counting ---------------------------------------------------------

    def add(self, group: str, text: str) -> None:
        """Count one article of ``group`` with body ``text``."""
        counts = self._groups.setdefault(group, _Group())
        counts.articles += 1
        counts.lines.update(boilerplate.line_keys(text))
        if len(counts.lines) > MAX_KEYS_PER_GROUP:
            counts.prune()
        self._touched.add(group)

    def remove(self, group: str, text: str) -> None:
        """Uncount one article (its file changed or is gone)."""
        counts = self._groups.get(group)
        if counts is None:
            return
        counts.articles = max(0, counts.articles - 1)
        for key in boilerplate.line_keys(text):
            left = counts.lines.get(key, 0) - 1
            if left > 0:
                counts.lines[key] = left
            else:
                counts.lines.pop(key, None)
        self._touched.add(group)

    def add_stored(self, reader: Any) -> None:
        """Count every article already in the index (relearning)."""
        for docnum in _docs_of(reader, None):
            fields = reader.stored_fields(docnum)
            self.add(group_of(fields.get("source"), fields["path"]), original_text(fields))

    def remove_stored(self, reader: Any, path: str) -> None:
        """Uncount the live articles of the file ``path`` held by the index."""
        for docnum in reader.postings("path", path).all_ids():
            if not reader.is_deleted(docnum):
                fields = reader.stored_fields(docnum)
                self.remove(group_of(fields.get("source"), fields["path"]), original_text(fields))

    # -- deciding ---------------------------------------------------------

    def decide(self) -> set[str]:
        """Decide the learned lines of every group counted into; return the
        groups whose learned lines changed (their stored articles need
        re-cleaning)."""
        groups = set(self._groups) if self._settings_changed else set(self._touched)
        changed: set[str] = set()
        for key in groups:
            counts = self._groups.get(key)
            learned: frozenset[str] = frozenset()
            if counts is not None and counts.articles >= self.thresholds.min_articles:
                needed = self.thresholds.needed(counts.articles)
                learned = frozenset(k for k, n in counts.lines.items() if n >= needed)
            if learned != self._learned.get(key, frozenset()):
                changed.add(key)
            if learned:
                self._learned[key] = learned
            else:
                self._learned.pop(key, None)
            if counts is not None and counts.articles == 0:
                del self._groups[key]
        self._touched.clear()
        self._settings_changed = False
        return changed

    def learned(self, group: str) -> frozenset[str]:
        return self._learned.get(group, frozenset())

    def clean(self, group: str, text: str) -> boilerplate.Cleaned:
        """``text`` of an article of ``group`` cleaned with the group's learned
        lines and the rules."""
        return boilerplate.clean(text, self.learned(group))

    # -- re-cleaning ------------------------------------------------------

    def stale_articles(
        self, reader: Any, groups: set[str], skip_paths: set[str]
    ) -> Iterator[tuple[int, dict[str, Any], boilerplate.Cleaned]]:
        """Stored articles of ``groups`` (all, when the ledger is fresh) whose
        clean text is not what the index holds: ``(docnum, stored fields,
        new cleaning)``.  Articles of ``skip_paths`` (replaced or removed in
        this run) are passed over."""
        for docnum in _docs_of(reader, None if self.fresh else groups):
            fields = reader.stored_fields(docnum)
            if fields["path"] in skip_paths:
                continue
            group = group_of(fields.get("source"), fields["path"])
            if not self.fresh and group not in groups:
                continue
            cleaned = self.clean(group, original_text(fields))
            if cleaned.body != fields.get("body"):
                yield docnum, fields, cleaned

    def rewrite_stale(
        self,
        writer: Any,
        reader: Any,
        groups: set[str],
        skip_paths: set[str],
        make_document: Callable[[Article, bytes, boilerplate.Cleaned], dict[str, Any]],
    ) -> int:
        """Re-clean the stored articles :meth:`stale_articles` finds, from the
        original text the index keeps, through ``writer`` (delete and add:
        Whoosh cannot change a document in place); return how many."""
        sigs = None
        count = 0
        for docnum, fields, cleaned in self.stale_articles(reader, groups, skip_paths):
            if sigs is None:
                sigs = reader.column_reader("sig")
            date = fields.get("date")
            article = Article(
                path=fields["path"],
                record=fields.get("record"),
                title=fields.get("title", ""),
                body=original_text(fields),
                date=from_day_number(date) if date else None,
                source=fields.get("source"),
                author=fields.get("author"),
                url=fields.get("url"),
                encoding=fields.get("encoding"),
            )
            doc = make_document(article, sigs[docnum], cleaned)
            doc["id"] = fields["id"]  # as stored: the id is of the path as read
            writer.delete_document(docnum)
            writer.add_document(**doc)
            count += 1
        return count


def _docs_of(reader: Any, groups: set[str] | None) -> Iterator[int]:
    """Live document numbers of ``groups`` (a superset), or of all with ``None``.

    Sources are found through their ``source_name`` postings and folders
    through the ``path`` terms under them, so re-cleaning one source does not
    read the whole index.
    """
    if groups is None:
        candidates: Iterator[int] | list[int] = iter(range(reader.doc_count_all()))
    else:
        found: set[int] = set()
        for group in groups:
            kind, _, name = group.partition(":")
            if kind == "source":
                if ("source_name", name) in reader:
                    found.update(reader.postings("source_name", name).all_ids())
                continue
            prefix = name.rstrip(os.sep) + os.sep
            for term in reader.expand_prefix("path", prefix):
                path = term.decode("utf-8") if isinstance(term, bytes) else term
                if os.path.dirname(path) == name:
                    found.update(reader.postings("path", path).all_ids())
        candidates = sorted(found)
    for docnum in candidates:
        if not reader.is_deleted(docnum):
            yield docnum


class Spool:
    """Articles read in a run's first pass, kept on disk (not in memory) until
    the learned lines are decided and they can be cleaned and written.

    The file is anonymous (unlinked at once) in the index folder, so nothing
    is left behind, whatever happens to the run.
    """

    def __init__(self, folder: str) -> None:
        # Open across both passes; closed by close(), also when the run fails.
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115
        self.count = 0

    def close(self) -> None:
        self._file.close()

    def put(self, item: Any) -> None:
        pickle.dump(item, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def items(self) -> Iterator[Any]:
        """Everything put, in order (read back once)."""
        self._file.seek(0)
        for _ in range(self.count):
            yield pickle.load(self._file)  # our own file, written in this run


def cuts_by_source(reader: Any) -> tuple[SourceCut, ...]:
    """How much boilerplate the index's articles lost, per source (per
    folder for articles without one), most characters first.  Read from
    columns, so no article text is loaded."""
    if "cut_chars" not in reader.schema or reader.doc_count() == 0:
        return ()
    totals: dict[tuple[str | None, str | None], list[int]] = {}
    # Segment by segment: a segment written before these columns existed
    # reads as zeros, but Whoosh's multi-segment column reader would skip it
    # and misnumber the documents after it.
    for leaf, _ in reader.leaf_readers():
        chars = leaf.column_reader("cut_chars")
        lines = leaf.column_reader("cut_lines")
        sources = leaf.column_reader("source_name")
        paths = leaf.column_reader("path")
        deleted = leaf.is_deleted if leaf.has_deletions() else None
        for docnum in range(leaf.doc_count_all()):
            cut = chars[docnum]
            if not cut or (deleted is not None and deleted(docnum)):
                continue
            source = _text(sources[docnum]) or None
            folder = None if source else os.path.dirname(_text(paths[docnum]))
            total = totals.setdefault((source, folder), [0, 0, 0])
            total[0] += 1
            total[1] += lines[docnum]
            total[2] += cut
    return tuple(
        sorted(
            (SourceCut(s, f, a, n, c) for (s, f), (a, n, c) in totals.items()),
            key=lambda cut: (-cut.chars, cut.source or cut.folder or ""),
        )
    )


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return str(value or "")
