"""What boilerplate has been learned, per source, and keeping it true across runs.

A *group* is a source (articles that name one) or, for articles without a
source, the folder their file is in.  For each group the ledger keeps how
many articles it has and, for each short line (by its key, see
:func:`searchengine.analysis.boilerplate.line_key`), in how many of them the line
occurs.  A line is learned furniture of the group when it occurs in at least
``min_articles`` articles *and* in at least ``min_share`` of the group.

The ledger lives beside the index as ``boilerplate.json`` (JSON Lines: a
header with the index generation it describes and the thresholds, then one
group a line), written atomically after each commit.  It is a cache: when it
is missing, damaged or describes another generation (a crash between commit
and save, an index from before boilerplate removal) it is learned again from
the original text the index stores, and every article is re-cleaned.
Counting needs no article text in memory; only changed files are subtracted
and added, and a run with nothing new reads the header and nothing more.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from searchengine.analysis import boilerplate
from searchengine.errors import UsageError
from searchengine.index.directory import LEDGER_FILE, IndexDirectory
from searchengine.index.protocols import Reader
from searchengine.index.schema import original_text, term_text

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


@dataclass(frozen=True)
class ThresholdOptions:
    """Thresholds as the command line gives them: one left out (``None``)
    keeps the index's own setting, or the default on a new index.  Resolved
    against the saved ledger by :meth:`Ledger.load`, which reads it anyway."""

    min_articles: int | None = None
    min_share: float | None = None

    def __post_init__(self) -> None:
        self.over(Thresholds())  # a value out of range fails here, before the run

    def over(self, saved: Thresholds) -> Thresholds:
        """The thresholds these options make of the ``saved`` ones."""
        return Thresholds(
            saved.min_articles if self.min_articles is None else self.min_articles,
            saved.min_share if self.min_share is None else self.min_share,
        )


def _read_header(folder: IndexDirectory) -> tuple[int, Thresholds] | None:
    """The generation and thresholds a saved ledger records, or ``None``."""
    try:
        with folder.open_text(LEDGER_FILE) as handle:
            header = json.loads(handle.readline())
        if header["version"] != LEDGER_VERSION:
            return None
        return int(header["generation"]), Thresholds(header["min_articles"], header["min_share"])
    except (OSError, ValueError, KeyError, TypeError, UsageError):
        return None


def group_of(source: str | None, path: str) -> str:
    """The group an article learns with: its source, else its folder."""
    return f"source:{source}" if source else f"folder:{os.path.dirname(path)}"


class _Group:
    """Counts of one group (mutable; lives only inside a :class:`Ledger`).

    A group's line keys (64-bit hashes, written as 16 hex digits) are held
    as two numpy arrays, sorted keys and their counts: 12 bytes a line where
    a dictionary of strings took about 130.  A large run counts well over a
    million distinct lines (one or two per article are unique: headings,
    datelines), which once made the ledger the main process's largest part.
    Keys counted and uncounted are gathered and folded in a batch at a
    time, so that the counts are what counting them one by one gives (a
    removal stops at zero): removals are folded before additions, which
    is their order unless a removal follows an addition of the same key;
    then what was gathered is folded first.  (An incremental run uncounts
    a changed file's old articles and counts the new ones, file after
    file: folding at each turn copied the group's arrays each time.)
    """

    def __init__(self, articles: int = 0, lines: dict[str, int] | None = None) -> None:
        self.articles = articles
        lines = lines or {}
        keys = _from_hex(list(lines))
        counts = np.array(list(lines.values()), dtype=np.int64)
        order = np.argsort(keys)
        self._keys, self._counts = keys[order], counts[order]
        self._adds: list[int] = []
        self._removes: list[int] = []
        #: The keys of ``_adds``, for telling whether a removal follows one.
        self._gathered: set[int] = set()
        #: Where :meth:`set_aside` wrote the counts, and how many.
        self._aside = (0, 0)

    def update(self, keys: Iterable[str], sign: int) -> None:
        """Count (``sign`` 1) or uncount (-1) one article's line ``keys``."""
        values = [int(key, 16) for key in keys]
        if sign > 0:
            self._adds.extend(values)
            self._gathered.update(values)
        else:
            if not self._gathered.isdisjoint(values):
                self.fold()  # the additions gathered come first
            self._removes.extend(values)
        if len(self._adds) + len(self._removes) >= _BATCH:
            self.fold()

    def fold(self) -> None:
        """Fold the gathered keys into the counts, removals first (and
        prune past the cap)."""
        removes, adds = self._removes, self._adds
        self._removes, self._adds, self._gathered = [], [], set()
        self._apply(removes, adding=False)
        self._apply(adds, adding=True)

    def _apply(self, gathered: list[int], *, adding: bool) -> None:
        if not gathered:
            return
        batch, moved = np.unique(np.array(gathered, dtype=np.uint64), return_counts=True)
        # The batch is small beside the counts: found keys are updated in
        # place, new ones inserted (no sort of the whole group).
        at = np.searchsorted(self._keys, batch)
        found = at < len(self._keys)
        found[found] = self._keys[at[found]] == batch[found]
        counts = self._counts.copy()
        if adding:
            counts[at[found]] += moved[found]
            new = ~found
            keys = np.insert(self._keys, at[new], batch[new])
            counts = np.insert(counts, at[new], moved[new])
        else:
            keys = self._keys
            counts[at[found]] = np.maximum(counts[at[found]] - moved[found], 0)
        kept = counts > 0
        self._keys, self._counts = keys[kept], counts[kept]
        if len(self._keys) > MAX_KEYS_PER_GROUP:
            self._prune()

    def set_aside(self, handle: Any) -> None:
        """Write the counts to the file ``handle`` (at its end) and let
        them go from memory; :meth:`take_back` reads them again."""
        self.fold()
        self._aside = (handle.seek(0, os.SEEK_END), len(self._keys))
        handle.write(self._keys.tobytes())
        handle.write(self._counts.tobytes())
        self._keys = np.zeros(0, dtype=np.uint64)
        self._counts = np.zeros(0, dtype=np.int64)

    def take_back(self, handle: Any) -> None:
        """Read the counts :meth:`set_aside` wrote to ``handle``."""
        at, size = self._aside
        handle.seek(at)
        self._keys = np.frombuffer(handle.read(8 * size), dtype=np.uint64).copy()
        self._counts = np.frombuffer(handle.read(8 * size), dtype=np.int64).copy()

    def _prune(self) -> None:
        floor = 1
        while len(self._keys) > MAX_KEYS_PER_GROUP * 3 // 4:
            kept = self._counts > floor
            self._keys, self._counts = self._keys[kept], self._counts[kept]
            floor += 1

    def lines(self) -> dict[str, int]:
        """Every counted line key with its count."""
        self.fold()
        return dict(zip(_to_hex(self._keys), self._counts.tolist(), strict=True))

    def learned(self, needed: int) -> frozenset[str]:
        """The keys counted in at least ``needed`` articles."""
        self.fold()
        return frozenset(_to_hex(self._keys[self._counts >= needed]))


_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_NIBBLES = np.arange(60, -4, -4, dtype=np.uint64)


def _from_hex(keys: list[str]) -> NDArray[np.uint64]:
    """Line keys written as 16 lower-case hex digits, as numbers, all at
    once (a large ledger has hundreds of thousands; ``int(key, 16)`` one
    by one was most of reading it).  Raises ``ValueError`` for a key of
    any other form (upper-case digits included, which this module never
    writes): the saved ledger is then learned again, as for a damaged one."""
    raw = np.frombuffer("".join(keys).encode("ascii", "replace"), dtype=np.uint8)
    decimal = (raw >= ord("0")) & (raw <= ord("9"))
    letter = (raw >= ord("a")) & (raw <= ord("f"))
    if len(raw) != 16 * len(keys) or not bool((decimal | letter).all()):
        raise ValueError("a line key is not 16 lower-case hex digits")
    digits = np.where(letter, raw - (ord("a") - 10), raw - ord("0"))
    shaped = digits.astype(np.uint64).reshape(-1, 16)
    return np.bitwise_or.reduce(shaped << _NIBBLES, axis=1) if len(keys) else shaped[:, 0]


def _to_hex(keys: NDArray[np.uint64]) -> list[str]:
    """Line keys as 16 lower-case hex digits each (:func:`_from_hex`'s inverse)."""
    text = _HEX_DIGITS[(keys[:, None] >> _NIBBLES) & np.uint64(15)].tobytes().decode("ascii")
    return [text[n : n + 16] for n in range(0, len(text), 16)]


#: Keys gathered before a group folds them into its counts.
_BATCH = 1 << 16


class Ledger:
    """Per-group line counts and the learned furniture decided from them."""

    def __init__(self, thresholds: Thresholds, reader: Reader, *, fresh: bool) -> None:
        self.thresholds = thresholds
        #: True when learned from scratch: every stored article must be re-cleaned.
        self.fresh = fresh
        #: True when the saved file must be rewritten even if the index is not.
        self.needs_save = fresh
        self._reader = reader
        self._file: IndexDirectory | None = None  # groups still to be read from its ledger
        self._loaded = False
        self._groups: dict[str, _Group] = {}
        self._learned: dict[str, frozenset[str]] = {}
        self._touched: set[str] = set()
        self._settings_changed = False

    # -- persistence ------------------------------------------------------

    @classmethod
    def load(
        cls,
        index_dir: str,
        reader: Reader,
        generation: int,
        wanted: Thresholds | ThresholdOptions | None,
        *,
        reset: bool = False,
    ) -> Ledger:
        """The ledger of the index ``reader`` reads, at ``generation``.

        Only the first line of the saved file is read here; the counts are
        read when first needed, so a run with nothing to do reads no more.
        A missing or stale file means relearning from ``reader``'s stored
        articles (also when first needed); ``reset`` (a rebuild) starts
        empty.  ``wanted`` thresholds replace the saved ones, options
        replace those they give; ``None`` keeps them.
        """
        folder = IndexDirectory(index_dir)
        header = _read_header(folder)
        saved = header[1] if header else None
        if isinstance(wanted, ThresholdOptions):
            wanted = wanted.over(saved or Thresholds())
        current = header is not None and header[0] == generation and not reset
        ledger = cls(wanted or saved or Thresholds(), reader, fresh=not current)
        if reset:
            ledger._loaded = True
        elif current:
            ledger._file = folder
            ledger._settings_changed = ledger.thresholds != saved
            ledger.needs_save = ledger._settings_changed
        return ledger

    def _ensure(self) -> None:
        """Read the saved counts, or relearn them, once."""
        if self._loaded:
            return
        self._loaded = True
        if self._file is not None:
            try:
                with self._file.open_text(LEDGER_FILE) as handle:
                    handle.readline()
                    for line in handle:
                        group = json.loads(line)
                        key = group["group"]
                        self._groups[key] = _Group(group["articles"], group["lines"])
                        self._learned[key] = frozenset(group["learned"])
                return
            except (OSError, ValueError, KeyError, TypeError):
                self._groups.clear()
                self._learned.clear()
                self.fresh = self.needs_save = True
        for docnum in live_docs(self._reader, None):
            fields = self._reader.stored_fields(docnum)
            self.add(group_of(fields.get("source"), fields["path"]), original_text(fields))

    def save(self, index_dir: str, generation: int) -> None:
        """Write the ledger atomically (JSON Lines: a header, then a group a
        line); a failure leaves a stale one, which the next run relearns."""
        self._ensure()
        header = {
            "version": LEDGER_VERSION,
            "generation": generation,
            "min_articles": self.thresholds.min_articles,
            "min_share": self.thresholds.min_share,
        }
        with contextlib.suppress(OSError):
            IndexDirectory(index_dir).write_text(LEDGER_FILE, self._lines(header))

    def _lines(self, header: dict[str, Any]) -> Iterator[str]:
        yield json.dumps(header) + "\n"
        for key, group in sorted(self._groups.items()):
            line = {
                "group": key,
                "articles": group.articles,
                "learned": sorted(self._learned.get(key, ())),
                "lines": group.lines(),
            }
            yield json.dumps(line, separators=(",", ":")) + "\n"

    @contextlib.contextmanager
    def set_aside(self, folder: str) -> Iterator[None]:
        """Keep the counts in an anonymous file in ``folder`` meanwhile, not
        in memory.  A run's write phase needs only the learned lines, and
        forks its worker processes, which would each count the counts as
        theirs (tens of MB at a million articles).  They are read back
        after, also when the block fails."""
        if not self._groups:
            yield
            return
        with tempfile.TemporaryFile(dir=folder) as handle:
            for group in self._groups.values():
                group.set_aside(handle)
            try:
                yield
            finally:
                for group in self._groups.values():
                    group.take_back(handle)

    # -- counting ---------------------------------------------------------

    def add(self, group: str, text: str) -> None:
        """Count one article of ``group`` with body ``text``."""
        self.add_keys(group, boilerplate.line_keys(text))

    def add_keys(self, group: str, keys: Iterable[str]) -> None:
        """Count one article of ``group`` whose body has the line ``keys``
        (:func:`~searchengine.analysis.boilerplate.line_keys`, computed by a reader)."""
        self._ensure()
        counts = self._groups.get(group)
        if counts is None:  # not setdefault: a _Group made per article cost ~10 µs
            counts = self._groups[group] = _Group()
        counts.articles += 1
        counts.update(keys, 1)
        self._touched.add(group)

    def remove(self, group: str, text: str) -> None:
        """Uncount one article (its file changed or is gone)."""
        self._ensure()
        counts = self._groups.get(group)
        if counts is None:
            return
        counts.articles = max(0, counts.articles - 1)
        counts.update(boilerplate.line_keys(text), -1)
        self._touched.add(group)

    # -- deciding ---------------------------------------------------------

    def decide(self) -> set[str]:
        """Decide the learned lines of every group counted into; return the
        groups whose learned lines changed (their stored articles need
        re-cleaning)."""
        if not (self.fresh or self._settings_changed or self._touched):
            return set()  # nothing counted: the saved counts need not even be read
        self._ensure()
        groups = set(self._groups) if self._settings_changed or self.fresh else set(self._touched)
        changed: set[str] = set()
        for key in groups:
            counts = self._groups.get(key)
            learned: frozenset[str] = frozenset()
            if counts is not None and counts.articles >= self.thresholds.min_articles:
                needed = self.thresholds.needed(counts.articles)
                learned = counts.learned(needed)
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
        self._ensure()
        return self._learned.get(group, frozenset())

    def clean(self, group: str, text: str) -> boilerplate.Cleaned:
        """``text`` of an article of ``group`` cleaned with the group's learned
        lines and the rules."""
        return boilerplate.clean(text, self.learned(group))


def live_docs(reader: Reader, groups: set[str] | None) -> Iterator[int]:
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
                path = term_text(term)
                if os.path.dirname(path) == name:
                    found.update(reader.postings("path", path).all_ids())
        candidates = sorted(found)
    for docnum in candidates:
        if not reader.is_deleted(docnum):
            yield docnum
