"""A page's bare headline: the site's name taken off, the right candidate chosen.

Pages attach their site's name to the headline at either end, with any of
a dozen separators (``Headline | Site``, ``Site - Headline``,
``Headline › Site``).  Only a part that *is* the site's name, as the page
itself states it (``og:site_name``, JSON-LD publisher, ``application-name``,
the host name), is taken off: a colon or a dash inside a real headline is
left alone.  When ``og:title``, ``<title>`` and ``<h1>`` disagree, the
candidate the others support wins (``og:title`` is sometimes left over from
another article).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from searchengine.load.html_meta import key
from searchengine.load.textutil import same_title

#: Separators between a headline and the site's name.  Bars, guillemets
#: and dots need no spaces; dashes, slashes and tildes do (``Coca-Cola``);
#: a colon needs a space after it (``10:30``).
_SITE_SEPARATOR = re.compile(
    r"\s*(?:\||｜|›|»|·|•|::|_)\s*|\s+[–—]\s*|\s*[–—]\s+|\s+[-~/]\s+|(?<=\S):\s+"
)
#: The same without the colon: ``Brexit: what next`` is one headline, so a
#: candidate before a colon is no evidence that the rest is furniture.
_SUPPORT_SEPARATOR = re.compile(r"\s*(?:\||｜|›|»|·|•|::|_)\s*|\s+[–—]\s*|\s*[–—]\s+|\s+[-~/]\s+")
#: A site name at the end may carry a section: ``… | CNN Politics``.
_EXTRA_WORDS_AT_END = 2
_HOST_WORDS = frozenset({"www", "com", "org", "net", "edu", "gov", "amp", "mobile"})


@dataclass(frozen=True)
class _Site:
    key: str
    words: int


def _sites(names: list[str]) -> list[_Site]:
    sites = []
    for name in names:
        sites.append(_Site(key(name), len(name.split())))
        if "." in name and " " not in name:  # a host name: its labels are names too
            labels = name.split(".")[:-1]
            sites.extend(
                _Site(key(lb), 1) for lb in labels if len(lb) >= 3 and lb not in _HOST_WORDS
            )
    return [s for s in sites if len(s.key) >= 2]


def _is_site(part: str, sites: list[_Site], *, at_end: bool) -> bool:
    k = key(part)
    if not k:
        return False
    for site in sites:
        if k == site.key:
            return True
        if (
            at_end
            and len(site.key) >= 3
            and (k.startswith(site.key) or k.endswith(site.key))
            and len(part.split()) <= site.words + _EXTRA_WORDS_AT_END
        ):
            return True
    return False


def names_site(text: str, site_names: list[str]) -> bool:
    """Whether ``text`` is just the site's name (a logo in an ``<h1>``)."""
    return _is_site(text, _sites(site_names), at_end=False)


def _pieces(title: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """The (start, end) spans of the parts of ``title`` between separators."""
    spans, start = [], 0
    for sep in pattern.finditer(title):
        if sep.start() > start:
            spans.append((start, sep.start()))
        start = max(start, sep.end())
    spans.append((start, len(title)))
    return [(a, b) for a, b in spans if title[a:b].strip()]


def strip_site(title: str, site_names: list[str]) -> str:
    """``title`` without the site's name at either end (as many times as it is there)."""
    title = " ".join(title.split())
    sites = _sites(site_names)
    spans = _pieces(title, _SITE_SEPARATOR)
    while len(spans) > 1 and _is_site(title[slice(*spans[-1])], sites, at_end=True):
        spans.pop()
    while len(spans) > 1 and _is_site(title[slice(*spans[0])], sites, at_end=False):
        spans.pop(0)
    return title[spans[0][0] : spans[-1][1]].strip() if spans else title


def _end_runs(raw: str) -> list[str]:
    """Every way of cutting ``raw`` at one separator: the parts before and after."""
    runs: list[str] = []
    for sep in _SUPPORT_SEPARATOR.finditer(raw):
        runs.extend((raw[: sep.start()], raw[sep.end() :]))
    return runs


@dataclass(frozen=True)
class Candidate:
    """One statement of the headline: where it came from, as given, and without the site."""

    origin: str
    raw: str
    bare: str

    def supports(self, other: Candidate) -> bool:
        """Whether this statement backs ``other``'s headline (the same, or it plus furniture)."""
        return (
            same_title(other.bare, self.bare)
            or same_title(other.bare, self.raw)
            or any(same_title(other.bare, run) for run in _end_runs(self.raw))
        )


def pick_title(statements: list[tuple[str, str | None]], site_names: list[str]) -> str | None:
    """The headline most statements agree on; ties go to the earlier statement.

    ``statements`` are ``(origin, text)`` pairs in order of preference
    (``og:title``, ``<title>``, ``<h1>``, JSON-LD ``headline``).
    """
    candidates = [
        Candidate(origin, " ".join(text.split()), strip_site(text, site_names))
        for origin, text in statements
        if text and text.strip()
    ]
    if not candidates:
        return None
    best, best_score = candidates[0], -1
    for candidate in candidates:
        score = sum(
            1 for other in candidates if other is not candidate and other.supports(candidate)
        )
        if score > best_score:
            best, best_score = candidate, score
    return best.bare
