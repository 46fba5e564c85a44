"""The internal signal a loader raises when input is not a good article.

Loaders raise :class:`InputProblem`; :func:`searchengine.load.load_file`
turns it into a reported :class:`~searchengine.models.Problem`.  It never
leaves the ``load`` package.
"""

from __future__ import annotations

from searchengine.models import ProblemKind


class InputProblem(Exception):
    """Input that is not an article (``skipped``) or unreadable (``error``)."""

    def __init__(self, kind: ProblemKind, reason: str, record: int | None = None) -> None:
        super().__init__(reason)
        self.kind: ProblemKind = kind
        self.reason = reason
        self.record = record


def skipped(reason: str, record: int | None = None) -> InputProblem:
    return InputProblem("skipped", reason, record)


def failed(reason: str, record: int | None = None) -> InputProblem:
    return InputProblem("error", reason, record)
