"""Two views of the same results: JSON for scripts, Rich for people."""

from __future__ import annotations


def path_text(path: str) -> str:
    """A path as valid Unicode: undecodable bytes in file names become U+FFFD."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
