"""Plain-text and Markdown articles, with optional front matter.

A file is one article.  Front matter (``---`` lines around ``key: value``
pairs at the very top) gives the title, date, source, author and url; what
it does not give is taken from the text: the title from a leading heading or
the first non-empty line, the date from the file name.
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any

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


def _markdown_parts(text: str) -> tuple[int, str, str, str]:
    """The Markdown ``text`` as plain text: its first non-blank line's
    heading level (0 when not a heading) and text, the text after that
    line, and the whole text."""
    lines = markdown_lines(text)
    whole = "\n".join(line for _, line in lines)
    for number, (level, line) in enumerate(lines):
        if line.strip():
            after = "\n".join(rest for _, rest in lines[number + 1 :])
            return level, line.strip(), after, whole
    return 0, "", "", whole


def load_text(path: str, text: str, encoding: str, *, markdown: bool = False) -> Article:
    """Build the article of one ``.txt`` or ``.md`` file from its decoded text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fields, rest = split_front_matter(text)
    title = fields.get("title", "").strip()
    heading = None
    if markdown:
        level, first, after_first, rest = _markdown_parts(rest)
        heading = first if level == 1 else None
    else:
        first, after_first = _pop_first_line(rest)

    if title:
        if first and same_title(heading or first, title):
            rest = after_first
    elif heading is not None:
        title, rest = heading, after_first
    elif first and len(first) <= MAX_TITLE_LINE:
        title, rest = first.lstrip("#").strip(), after_first
    elif first:
        title = shorten_title(first)

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


#: Tags and comments in raw HTML blocks: a reader sees the text between them.
_HTML_MARKUP = re.compile(r"<!--.*?-->|</?[A-Za-z][^>]*>", re.DOTALL)
#: Emphasis, strong emphasis and strikethrough: the delimiters go, the text stays.
_EMPHASIS_OPEN = {"em_open", "strong_open", "s_open"}
_EMPHASIS_CLOSE = {"em_close", "strong_close", "s_close"}
#: Blocks whose text is their content, as written.
_LITERAL_BLOCKS = {"fence", "code_block", "html_block"}
#: Tokens that open a block of its own, with the source lines it spans.
_BLOCK_STARTS = {"paragraph_open", "heading_open", "tr_open", "hr", *_LITERAL_BLOCKS}


def markdown_lines(text: str) -> list[tuple[int, str]]:
    """The lines a reader of the Markdown ``text`` sees, each with its
    heading level (0 for a line that is not a heading).

    The text is parsed as CommonMark (with tables and strikethrough) by
    markdown-it-py, so markup is told from text as a Markdown renderer
    tells it: ``my_file_name.txt`` keeps its underscores.  Links keep their
    text, images their alt text, code its content; raw HTML loses its tags.
    A paragraph keeps its line breaks; blocks apart in the text are
    separated by a blank line, as are a table's rows from what surrounds it.
    """
    lines: list[tuple[int, str]] = []
    end = 0  # the source line after the last block written
    level = 0
    rows = 0  # rows of the table being read so far
    row: list[str] | None = None  # the cells of the row being read
    for token in _parser().parse(text):
        kind = token.type
        if token.map is not None and kind in _BLOCK_STARTS:
            start, block_end = token.map
            next_row = kind == "tr_open" and rows > 0  # a table's rows are lines
            if lines and start > end and not next_row:
                lines.append((0, ""))
            end = max(end, block_end)
        if kind == "table_open":
            rows = 0
        elif kind == "heading_open":
            level = int(token.tag[1:])
        elif kind == "heading_close":
            level = 0
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            lines.append((0, " ".join(cell.strip() for cell in row)))
            rows += 1
            row = None
        elif kind == "inline":
            inline = _inline_text(token.children or [])
            if row is not None:
                row.append(inline)
            else:
                lines.extend((level, line) for line in inline.split("\n"))
        elif kind in _LITERAL_BLOCKS:
            content = token.content.rstrip("\n")
            if kind == "html_block":
                content = _HTML_MARKUP.sub("", content)
            lines.extend((0, line) for line in content.split("\n"))
        elif kind == "hr":
            lines.append((0, ""))
    return lines


def _inline_text(tokens: list[Any]) -> str:
    """The text of a paragraph's (or heading's, or cell's) inline tokens.

    Emphasis inside a word (``2*3*4``, which CommonMark reads as ``2``,
    an emphasised ``3`` and ``4``) is arithmetic or a name far more often
    than emphasis in news: its delimiters are kept as written.
    """
    pieces: list[str] = []
    opened: list[int] = []
    marked: list[tuple[int, int, str]] = []  # (opening slot, closing slot, delimiter)
    for token in tokens:
        kind = token.type
        if kind in ("softbreak", "hardbreak"):
            pieces.append("\n")
        elif kind == "image":
            pieces.append(_inline_text(token.children or []))
        elif kind in _EMPHASIS_OPEN:
            opened.append(len(pieces))
            pieces.append("")
        elif kind in _EMPHASIS_CLOSE:
            marked.append((opened.pop(), len(pieces), token.markup))
            pieces.append("")
        elif kind in ("text", "code_inline", "text_special"):
            pieces.append(token.content)
        # Links and raw HTML tags: their delimiters go, their text stays.
    for start, end, delimiter in marked:
        if _word_char(pieces, range(start - 1, -1, -1), -1) and _word_char(
            pieces, range(end + 1, len(pieces)), 0
        ):
            pieces[start] = pieces[end] = delimiter
    return "".join(pieces)


def _word_char(pieces: list[str], order: range, at: int) -> bool:
    """Whether the first non-empty piece in ``order`` has a letter or digit
    at ``at`` (its last character with -1, its first with 0)."""
    for i in order:
        if pieces[i]:
            return pieces[i][at].isalnum()
    return False


@functools.cache
def _parser() -> Any:
    # Imported on first use: most runs and every search need no Markdown.
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])
