"""The query language, on top of Whoosh's query parser.

Whoosh's parser does most of it (AND by default, ``OR``/``NOT``/parentheses,
phrases with slop, ``field:``, prefixes).  This module adds what news search
needs and Whoosh gets wrong or leaves out:

* ``date:`` with the same forms as ``--from``/``--to``, ranges and ``>``/``<``,
  as whole calendar periods; an impossible date is an error, not "no hits";
* ``-word`` for NOT, only where the ``-`` starts a word (``al-Qaeda`` is a word);
* ``word~`` fuzzy terms matched on the *unstemmed* words, then mapped to
  stems (a stemmed ``investers`` never gets near ``investor``);
* leniency: what the parser cannot read is searched as plain words.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from whoosh import query
from whoosh.qparser import (
    FuzzyTermPlugin,
    MultifieldParser,
    PlusMinusPlugin,
    SingleQuotePlugin,
    syntax,
)
from whoosh.qparser.plugins import TaggingPlugin

from searchengine.analysis.tokenizer import WORD, fold
from searchengine.dates import day_number, parse_bound
from searchengine.errors import BadDateError, QuerySyntaxError

#: Fields searched by unqualified words.
DEFAULT_FIELDS = ("title", "body")
#: Longest query accepted; beyond it a query is a paste accident.
MAX_QUERY_CHARS = 10_000
#: Most words (operators included) a query may hold.  Each word costs index
#: lookups and a spelling check: a pasted page of 2,000 distinct words took
#: half a minute, so a query is bounded by its words as well as its length.
MAX_QUERY_WORDS = 200
#: Most fuzzy, prefix and wildcard words in one query: each is matched
#: against every word in the index (a thousand fuzzy words ran for minutes).
MAX_EXPANDING_WORDS = 50

#: The empty query, ``*:*`` and any run of stars (``**``, ``* * *``) match everything.
_MATCH_ALL = re.compile(r"^[\s*]*$|^\s*\*:\*\s*$")


class FuzzyWord(query.FuzzyTerm):  # type: ignore[misc]
    """A fuzzy term holding the user's unstemmed word, expanded before searching."""


class DateNode(syntax.SyntaxNode):  # type: ignore[misc]
    """``date:...`` in a query, already resolved to a day range."""

    def __init__(self, original: str, low: int | None, high: int | None) -> None:
        self.original = original
        self.low = low
        self.high = high

    def r(self) -> str:
        return f"date:[{self.low} to {self.high}]"

    def query(self, parser: Any) -> Any:
        return query.NumericRange("date", self.low, self.high)


def date_range(value: str) -> tuple[dt.date | None, dt.date | None]:
    """The inclusive days named by the value of a ``date:`` clause."""
    text = value.strip()
    what = f"query date 'date:{value}'"
    if text.startswith(("[", "{")):
        inner = text[1:-1] if text.endswith(("]", "}")) else text[1:]
        parts = re.split(r"\s+to\s+|^to\s+|\s+to$", inner.strip(), flags=re.I)
        if len(parts) != 2:
            raise BadDateError(f"{what} is not a range; write date:[2021-09-01 to 2021-09-30]")
        low = parse_bound(parts[0], what=what)[0] if parts[0].strip() else None
        high = parse_bound(parts[1], what=what)[1] if parts[1].strip() else None
        if low and high and low > high:
            raise BadDateError(f"{what} ends before it starts; put the earlier date first")
        return low, high
    match = re.match(r"^(>=|=>|<=|=<|>|<)?(.*)$", text)
    assert match is not None
    op, rest = match.group(1), match.group(2)
    first, last = parse_bound(rest, what=what)
    one_day = dt.timedelta(days=1)
    if op in (">=", "=>"):
        return first, None
    if op == ">":
        return last + one_day, None
    if op in ("<=", "=<"):
        return None, last
    if op == "<":
        return None, first - one_day
    return first, last


class DatePlugin(TaggingPlugin):  # type: ignore[misc]
    """Tags ``date:VALUE`` before Whoosh's field plugin sees it."""

    expr = r"(?i)date:(?P<value>[\[{][^\]}]*[\]}]?|[<>]=?[^\s()]+|=[<>][^\s()]+|[^\s()]+)"
    priority = -5

    def create(self, parser: Any, match: Any) -> DateNode:
        low, high = date_range(match.group("value"))
        return DateNode(
            match.group(0),
            day_number(low) if low else None,
            day_number(high) if high else None,
        )


class MinusPlugin(PlusMinusPlugin):  # type: ignore[misc]
    """``-word`` means NOT only when the ``-`` starts a word."""

    def __init__(self) -> None:
        # Every word is required already, so a leading + adds nothing; Whoosh
        # would read it as "only this is required, the rest optional".
        super().__init__(
            plusexpr=r"(?!)",
            minusexpr=r"(?:(?<=^)|(?<=[\s(]))-(?=[^\s-])",
        )

    def do_plusminus(self, parser: Any, group: Any) -> Any:
        # Whoosh applies +/- to the top level only; "x (-y)" needs it inside too.
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode) and not isinstance(node, syntax.Wrapper):
                group[i] = self.do_plusminus(parser, node)
        result = super().do_plusminus(parser, group)
        # Whoosh turns a group of only exclusions ("-sport -weather") into the
        # *inclusion* of those words; it means "everything except them".
        if isinstance(result, syntax.AndNotGroup) and len(result) == 2 and not len(result[0]):
            return syntax.NotGroup([result[1]])
        return result


class FuzzyPlugin(FuzzyTermPlugin):  # type: ignore[misc]
    """``word~`` / ``word~2``, keeping the unstemmed word for expansion.

    Whoosh's ``do_fuzzyterms`` builds ``self.FuzzyTermNode``, so the node
    class is all there is to replace."""

    class FuzzyTermNode(FuzzyTermPlugin.FuzzyTermNode):  # type: ignore[misc]
        def query(self, parser: Any) -> Any:
            text = fold(self.text)
            return FuzzyWord(
                self.fieldname,
                text,
                boost=self.boost,
                maxdist=min(self.maxdist, 2),
                prefixlength=self.prefixlength,
            )


def make_parser(schema: Any) -> MultifieldParser:
    """The parser of the query language, for an index's schema."""
    parser = MultifieldParser(list(DEFAULT_FIELDS), schema)
    parser.remove_plugin_class(SingleQuotePlugin)  # apostrophes are part of words
    parser.add_plugin(DatePlugin())
    parser.add_plugin(MinusPlugin())
    parser.add_plugin(FuzzyPlugin())
    return parser


_TOKEN = re.compile(r'"[^"]*"(?:~\d+)?|\(|\)|[^\s()"]+|\s+')
_BINARY = ("AND", "OR", "ANDNOT", "ANDMAYBE")


_TRAILING_QUESTION = re.compile(r"(?<=\w)\?+(?=[\s)]|$)")


def tidy(text: str) -> str:
    """Repair what a user obviously meant: drop an unpaired quote, unmatched
    parentheses, operators with nothing to join (``taliban AND``), and the
    question mark ending a question (``who owns the lighthouse?``), which
    would otherwise be a one-letter wildcard."""
    text = _TRAILING_QUESTION.sub("", text)
    if text.count('"') % 2:
        cut = text.rfind('"')
        text = text[:cut] + " " + text[cut + 1 :]
    tokens = _TOKEN.findall(text)
    keep = [True] * len(tokens)
    opened: list[int] = []
    for i, token in enumerate(tokens):
        if token == "(":
            opened.append(i)
        elif token == ")":
            if opened:
                opened.pop()
            else:
                keep[i] = False
    for i in opened:
        keep[i] = False
    significant = [i for i, t in enumerate(tokens) if keep[i] and not t.isspace()]
    changed = True
    while changed:
        changed = False
        for n, i in enumerate(significant):
            before = tokens[significant[n - 1]] if n > 0 else None
            after = tokens[significant[n + 1]] if n + 1 < len(significant) else None
            token = tokens[i]
            dangling_binary = token in _BINARY and (
                before in (None, "(", "NOT", *_BINARY) or after in (None, ")", *_BINARY)
            )
            dangling_not = token == "NOT" and after in (None, ")", *_BINARY)
            if dangling_binary or dangling_not:
                keep[i] = False
                significant.remove(i)
                changed = True
                break
    return "".join(t for i, t in enumerate(tokens) if keep[i]).strip()


def _plain_words(text: str) -> str:
    return " ".join(
        m.group(0) for m in WORD.finditer(text) if m.group(0).upper() not in ("AND", "OR", "NOT")
    )


def parse_query(text: str, schema: Any) -> Any:
    """Parse ``text`` into a Whoosh query.

    The empty query and ``*`` match everything.  A query the parser cannot
    make sense of is searched as its plain words; one with no words at all is
    a :class:`QuerySyntaxError`.  Bad ``date:`` values are a
    :class:`BadDateError`.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(
            f"the query is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}"
        )
    words = sum(1 for _ in WORD.finditer(text))
    if words > MAX_QUERY_WORDS:
        raise QuerySyntaxError(
            f"the query has {words:,} words; the limit is {MAX_QUERY_WORDS:,}: "
            "search for the words that matter most"
        )
    if _MATCH_ALL.match(text):
        return query.Every()
    return _bounded(_parse(text, schema))


def _bounded(parsed: Any) -> Any:
    """``parsed``, unless it has more expanding words than the limit allows."""
    # Counted as the user typed them: a word searched in title and body is one.
    expanding = len(
        {
            (type(leaf), leaf.text)
            for leaf in parsed.leaves()
            if isinstance(leaf, FuzzyWord | query.Prefix | query.Wildcard)
        }
    )
    if expanding > MAX_EXPANDING_WORDS:
        raise QuerySyntaxError(
            f"the query has {expanding:,} fuzzy, prefix or wildcard words; "
            f"the limit is {MAX_EXPANDING_WORDS}"
        )
    return parsed


#: Parentheses nested deeper than this are read as plain words: Whoosh's
#: parser recurses per level, and a recursion error raised deep inside it
#: leaves Python printing "Exception ignored" noise on some versions.
MAX_NESTING = 100


def _nesting(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        if ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth = max(0, depth - 1)
    return deepest


def _parse(text: str, schema: Any) -> Any:
    parser = make_parser(schema)
    parsed = None
    if _nesting(text) <= MAX_NESTING:
        try:
            parsed = parser.parse(tidy(text))
        except BadDateError:
            raise
        except Exception:  # any parser failure falls back to plain words
            parsed = None
    if (
        parsed is not None
        and parsed is not query.NullQuery
        and not _has_positive(parsed)
        and _has_negative(parsed)
    ):
        # Only exclusions (``-sport``): everything except those.
        return query.And([query.Every(), parsed])
    if parsed is None or parsed is query.NullQuery or not _has_positive(parsed):
        words = _plain_words(text)
        if not words:
            raise QuerySyntaxError(
                f'nothing to search for in {text!r}; type some words, a "phrase", or * for everything'
            )
        parsed = parser.parse(words)
    return parsed


def _has_positive(q: Any) -> bool:
    """Whether ``q`` can match anything by itself (a bare NOT cannot)."""
    if q is query.NullQuery or isinstance(q, query.NullQuery.__class__):
        return False
    if isinstance(q, query.Not):
        return False
    if isinstance(q, query.And):
        return any(_has_positive(c) for c in q.children())
    if isinstance(q, query.AndNot):
        return _has_positive(q.a)
    if isinstance(q, query.compound.CompoundQuery):
        return any(_has_positive(c) for c in q.children())
    return True


def _has_negative(q: Any) -> bool:
    if isinstance(q, query.Not):
        return True
    if isinstance(q, query.compound.CompoundQuery):
        return any(_has_negative(c) for c in q.children())
    return False
