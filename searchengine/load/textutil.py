"""Small text helpers shared by the loaders."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_RUN = re.compile(r"\n{3,}")
# C0/C1 controls other than tab and newline carry nothing a reader needs and
# can garble a terminal; they are removed from indexed text (by a character
# table: str.translate takes a third of the time of a regular expression).
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)])


def clean_text(text: str) -> str:
    """Normalise whitespace and Unicode (NFC) without touching the words."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Unicode line and paragraph separators (and NEL) are line breaks too.
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\x85", "\n")
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_CONTROLS)
    # Runs of spaces never cross a line: squeezed in the whole text at once
    # (one regular expression call a text, not one a line), and only in a
    # text that has any (the search costs 40 ns a character, a substring
    # test almost nothing).
    if "  " in text or "\t" in text or "\u00a0" in text:
        text = _SPACES.sub(" ", text)
    text = "\n".join([line.strip() for line in text.split("\n")])
    # The expression scans every character (20 µs a news article); a
    # substring test finds whether it has anything to do.
    if "\n\n\n" in text:
        text = _BLANK_RUN.sub("\n\n", text)
    return text.strip()


def same_title(a: str, b: str) -> bool:
    """Whether two titles are the same apart from case, spaces and end punctuation."""

    def norm(s: str) -> str:
        return " ".join(s.casefold().split()).rstrip(".:!?")

    return norm(a) == norm(b)


def shorten_title(text: str, limit: int = 120) -> str:
    """A title made from the start of a text, cut at a word boundary."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line.rfind(" ", 0, limit)
    return line[: cut if cut > limit // 2 else limit].rstrip(" ,;:") + "…"
