"""Plain-text and Markdown articles, with optional front matter.

A file is one article.  Front matter (``---`` lines around ``key: value``
pairs at the very top) gives the title, date, source, author and url; what
it does not give is taken from the text: the title from a leading heading or
the first non-empty line, the date from the file name.
"""

from __future__ import annotations

import os
import re

from searchengine.dates import date_from_filename, parse_date
from searchengine.load.problems import skipped
from searchengine.load.textutil import clean_text, same_title, shorten_title
from searchengine.models import Article

#: A first line longer than this is a paragraph, not a title: the title is
#: then a shortened copy and the line stays in the body.
MAX_TITLE_LINE = 200

_KEY_VALUE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Return ``(fields, rest)``; ``fields`` is empty without front matter."""
    if not text.startswith("---"):
        return {}, text
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text
    fields: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return fields, "\n".join(lines[number + 1 :])
        match = _KEY_VALUE.match(line)
        if match:
            key, value = match.group(1).lower(), match.group(2)
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            fields.setdefault(key, value.strip())
        elif line.strip() and not line.startswith((" ", "\t", "-", "#")):
            return {}, text  # not a key: value block after all
    return {}, text  # never closed: the dashes were a rule, not front matter


def _pop_first_line(body: str) -> tuple[str, str]:
    """The first non-blank line of ``body`` and everything after it."""
    rest = body
    while rest:
        first, _, rest = rest.partition("\n")
        if first.strip():
            return first.strip(), rest
    return "", ""


def load_text(path: str, text: str, encoding: str, *, markdown: bool = False) -> Article:
    """Build the article of one ``.txt`` or ``.md`` file from its decoded text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fields, rest = split_front_matter(text)
    title = fields.get("title", "").strip()
    if markdown:
        rest = markdown_to_text(rest, keep_heading_marks=True)
    first, after_first = _pop_first_line(rest)
    heading = first[2:].strip() if markdown and first.startswith("# ") else None

    if title:
        if first and same_title(heading or first, title):
            rest = after_first
    elif heading is not None:
        title, rest = heading, after_first
    elif first and len(first) <= MAX_TITLE_LINE:
        title, rest = first.lstrip("#").strip(), after_first
    elif first:
        title = shorten_title(first)

    if markdown:
        rest = re.sub(r"(?m)^#{1,6}\s+", "", rest)
    body = clean_text(rest)
    if not body:
        raise skipped("no body: the file holds a title and nothing else" if title else "empty file")
    date = parse_date(fields["date"]) if fields.get("date") else None
    if date is None:
        date = date_from_filename(os.path.basename(path))
    return Article(
        path=path,
        record=None,
        title=clean_text(title) or shorten_title(body),
        body=body,
        date=date,
        source=fields.get("source") or None,
        author=fields.get("author") or None,
        url=fields.get("url") or None,
        encoding=encoding,
    )


_FENCE = re.compile(r"^\s*(```|~~~)")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+.*$")
_AUTOLINK = re.compile(r"<(https?://[^>]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~)(?=\S)(.+?)(?<=\S)\1")
_CODE = re.compile(r"`+([^`]+)`+")
_LIST = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+")
_QUOTE = re.compile(r"^\s*>\s?")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_SETEXT = re.compile(r"^\s*(=+|-+)\s*$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def markdown_to_text(text: str, *, keep_heading_marks: bool = False) -> str:
    """Remove Markdown markup, keeping the words a reader sees.

    ``keep_heading_marks`` leaves ``#`` in front of headings so the caller can
    still find a leading title heading; it strips them afterwards.
    """
    out: list[str] = []
    in_fence = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            out.append(line)
            continue
        if _REF_DEF.match(line) or _TABLE_SEP.match(line):
            continue
        if _SETEXT.match(line) and out and out[-1].strip() and not out[-1].startswith("#"):
            words = out[-1].strip()
            level = 1 if line.strip().startswith("=") else 2
            out[-1] = ("#" * level + " " + words) if keep_heading_marks else words
            continue
        if _RULE.match(line):
            out.append("")
            continue
        line = _QUOTE.sub("", line)
        line = _LIST.sub(r"\1", line)
        if line.lstrip().startswith("#"):
            level = len(line.lstrip()) - len(line.lstrip().lstrip("#"))
            words = line.lstrip()[level:].strip().rstrip("#").strip()
            line = ("#" * level + " " + words) if keep_heading_marks else words
        line = _IMAGE.sub(r"\1", line)
        line = _LINK.sub(r"\1", line)
        line = _REF_LINK.sub(r"\1", line)
        line = _AUTOLINK.sub(r"\1", line)
        line = _HTML_TAG.sub("", line)
        line = _CODE.sub(r"\1", line)
        for _ in range(2):  # nested emphasis: ***word***
            line = _EMPHASIS.sub(r"\2", line)
        if "|" in line and line.count("|") >= 2:
            line = " ".join(cell.strip() for cell in line.strip().strip("|").split("|"))
        out.append(line)
    return "\n".join(out)
