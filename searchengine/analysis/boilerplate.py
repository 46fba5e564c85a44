"""Site furniture around a news story, and how it is cut from the indexed text.

Scraped articles carry their site's template: "Share this", "Related
Articles", a comment form, an ad-block notice, a copyright line.  Indexed,
that text matches every article of the site and fills snippets.  Two kinds of
evidence remove it here:

* **Learned lines.**  A normalised line that recurs across many articles of
  one source is furniture.  Counting and deciding is the ledger's job
  (:mod:`searchengine.indexer.ledger`); this module turns a line into its
  key and drops the lines whose key was learned.
* **Conservative rules**, for every article, so that one with no siblings to
  learn from is still cleaned: a tail of short lines after the story that
  holds site-furniture cues (share/related/navigation labels, comment-form
  text, an ad-block notice) is cut from its first cue on, and navigation
  labels standing alone before the story starts are dropped.  The cues are
  common template text, not any one site's strings, and a tail is cut only
  with such a cue in it, so an article ending in a short list or a one-line
  paragraph keeps it.

Cleaning never empties an article: if everything would go, nothing does.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

#: Lines longer than this (characters) are story text: never counted, never cut
#: as learned furniture.  Template lines are short; this also bounds the ledger.
MAX_LINE_CHARS = 200
#: A line of at most this many words may belong to a furniture tail.
SHORT_LINE_WORDS = 12
#: Navigation labels before the story are looked for in this many first lines.
HEAD_LINES = 5

_NON_WORD = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d+")

# Whole-line labels of page furniture (matched on the normalised line).
# Single words that could be a list item in a story ("home", "email") are
# deliberately left out.
_LABEL = re.compile(
    r"""^(?:
      source\ link | sources? | original\ article
    | related(?:\ (?:articles?|posts?|news|stories|content|coverage|topics|reading))?
    | (?:read|see)\ (?:more|next|also)(?:\ (?:news|stories|articles))?
    | more\ (?:news|stories|articles)(?:\ from\ \w+)?
    | share(?:\ this)?(?:\ (?:article|story|post|page))?(?:\ on\ \w+)?
    | share\ via\ \w+ | tweet | whatsapp | pinterest | linkedin | telegram
    | comments?(?:\ 0)? | \d*\ ?comments? | leave\ a\ (?:reply|comment) | post\ a\ comment
    | add\ a\ comment | cancel\ reply | post\ navigation
    | (?:previous|prev|next)\ (?:article|post|story)
    | back\ to\ top(?:\ button)? | scroll\ to\ top | go\ to\ top | translate
    | advertisement | sponsored(?:\ content)? | you\ (?:may|might)\ (?:also\ )?like
    | recommended(?:\ for\ you)? | trending(?:\ now)? | most\ (?:read|popular|viewed)
    | subscribe(?:\ now)? | follow\ us(?:\ on\ \w+)? | adblock\ detected
    | ad\ ?blocker\ detected | skip\ to\ (?:main\ )?content
    )$""",
    re.X,
)
# Labels that open a furniture line with a list after them ("Tags: a, b").
_LABEL_PREFIX = re.compile(
    r"^\s*(?:tags?|topics|categories|filed under|related|read more|see also|share on)\s*:", re.I
)
# Template sentences: comment forms, ad-block notices, cookie and newsletter banners.
_SENTENCE = re.compile(
    r"email address will not be published|required fields are marked"
    r"|(?:un|dis)able (?:your |the )?ad ?block|unblock (?:the |your )?ad ?block"
    r"|(?:whitelist|allowlist) (?:our|this) (?:site|website)"
    r"|all rights reserved|(?:this|our) (?:site|website) uses cookies|we use cookies"
    r"|(?:subscribe|sign up) (?:to|for) (?:our|the) newsletter"
    r"|you must be logged in to post|save my name email|notify me of (?:new|follow)"
)


# normalize: an ASCII character that is not a letter or digit becomes a space.
_ASCII_NON_WORD = str.maketrans({c: " " for c in map(chr, range(128)) if _NON_WORD.match(c)})


def normalize(line: str) -> str:
    """The form lines are compared in: case, accents' composition, punctuation
    and numbers (a year in a copyright line) do not make two lines differ."""
    if line.isascii():
        # The same, without the expression that matches between every two
        # words: NFKC changes no ASCII text and casefold is lower, and a
        # character table does what replacing runs of non-word characters did.
        return " ".join(_DIGITS.sub("0", line.lower()).translate(_ASCII_NON_WORD).split())
    text = unicodedata.normalize("NFKC", line).casefold()
    text = _DIGITS.sub("0", text)
    return " ".join(_NON_WORD.sub(" ", text).split())


def line_key(line: str) -> str | None:
    """A short stable key of a line, or ``None`` for a line that is never
    furniture (too long) or says nothing (only punctuation)."""
    if len(line) > MAX_LINE_CHARS:
        return None
    norm = normalize(line)
    if not norm:
        return None
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=8).hexdigest()


def line_keys(body: str) -> set[str]:
    """The distinct line keys of ``body``: each counts once per article."""
    keys = {line_key(line) for line in body.split("\n")}
    keys.discard(None)
    return keys  # type: ignore[return-value]


def _is_cue(line: str) -> bool:
    norm = normalize(line)
    return bool(_LABEL.match(norm) or _LABEL_PREFIX.match(line) or _SENTENCE.search(norm))


def _is_short(line: str) -> bool:
    return len(line.split()) <= SHORT_LINE_WORDS


def _tail_cut(lines: list[str], live: list[int]) -> int | None:
    """Index into ``live`` where a furniture tail starts, or ``None``.

    The tail is the run of short (or cue) lines ending the article; it is cut
    from its first cue line when it holds at least two cues, or one cue with
    at most two lines after it.
    """
    start = len(live)
    while start > 0 and (_is_short(lines[live[start - 1]]) or _is_cue(lines[live[start - 1]])):
        start -= 1
    cues = [pos for pos in range(start, len(live)) if _is_cue(lines[live[pos]])]
    if not cues:
        return None
    if len(cues) >= 2 or len(live) - cues[0] <= 3:
        return cues[0]
    return None


def _head_cut(lines: list[str], live: list[int]) -> int:
    """How many of the first lines are standalone navigation labels."""
    count = 0
    while (
        count < min(HEAD_LINES, len(live) - 1)
        and _LABEL.match(normalize(lines[live[count]])) is not None
    ):
        count += 1
    return count


@dataclass(frozen=True)
class Cleaned:
    """An article body with its furniture cut, and how much was cut
    (``cut``: the lines cut, one a line, for their words)."""

    body: str
    lines: int = 0
    chars: int = 0
    cut: str = field(default="", compare=False, repr=False)


def clean(body: str, learned: AbstractSet[str] = frozenset()) -> Cleaned:
    """``body`` without the lines whose key is in ``learned`` and without a
    furniture head or tail found by the rules.

    ``body`` is text as the loaders produce it (lines stripped, at most one
    blank line in a row); the result keeps that form.
    """
    lines = body.split("\n")
    drop: set[int] = set()
    live: list[int] = []
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        # Most groups have no learned lines: then no line needs its key.
        if learned and (key := line_key(line)) is not None and key in learned:
            drop.add(number)
        else:
            live.append(number)
    head = _head_cut(lines, live) if live else 0
    drop.update(live[:head])
    live = live[head:]
    cut = _tail_cut(lines, live) if live else None
    if cut is not None:
        drop.update(live[cut:])
        live = live[:cut]
    if not drop:
        return Cleaned(body)
    if not live:  # all of it looks like furniture: keep it rather than lose the article
        return Cleaned(body)
    kept = "\n".join(line for number, line in enumerate(lines) if number not in drop)
    text = re.sub(r"\n{3,}", "\n\n", kept).strip()
    removed = "\n".join(lines[number] for number in sorted(drop))
    return Cleaned(text, lines=len(drop), chars=len(body) - len(text), cut=removed)
