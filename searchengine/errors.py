"""The one error hierarchy of the library.

Every failure the library reports on purpose is a :class:`SearchEngineError`.
The CLI catches that one base class and maps each subclass to an exit code, so
a new error type needs no new ``except`` anywhere.  Messages are written for
the person at the prompt: they say what went wrong and how to fix it.
"""

from __future__ import annotations


class SearchEngineError(Exception):
    """Base class of every error the library raises deliberately."""

    #: Short machine-readable name used in JSON error objects.
    kind = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(SearchEngineError):
    """The caller asked for something malformed: a bad date, option or query."""

    kind = "usage"


class BadDateError(UsageError):
    """A date given by the user could not be read."""

    kind = "bad_date"


class QuerySyntaxError(UsageError):
    """A query has nothing searchable in it, even read as plain words."""

    kind = "query_syntax"


class IndexAccessError(SearchEngineError):
    """The index is missing, unreadable, locked or cannot be written."""

    kind = "index"


class IndexMissingError(IndexAccessError):
    """There is no index at the given location."""

    kind = "no_index"


class IndexLockedError(IndexAccessError):
    """Another process holds the index's writer lock."""

    kind = "index_locked"


class IndexCorruptError(IndexAccessError):
    """The index exists but cannot be opened."""

    kind = "index_unreadable"


class IndexWriteError(IndexAccessError):
    """The index folder cannot be written (permissions, full disk)."""

    kind = "index_write"


class ArticleNotFoundError(SearchEngineError):
    """``show`` was given an id that is not in the index."""

    kind = "not_found"


class RunInterruptedError(SearchEngineError):
    """An index run was stopped (Ctrl-C) before it committed."""

    kind = "interrupted"

    def __init__(
        self,
        message: str = "interrupted: nothing from this run was committed, the index is as it "
        "was before it; run the same command again to finish",
    ) -> None:
        super().__init__(message)
