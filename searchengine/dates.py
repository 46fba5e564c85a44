"""Reading dates: from article metadata, from file names, and from users.

An article's date is the calendar date its source states.  A time with a zone
keeps its own local date: ``2021-09-05T23:30:00-05:00`` is 5 September, even
though it is already the 6th in UTC, because that is the day the outlet put
on its page.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from searchengine.errors import BadDateError

#: Years outside this range are treated as noise, not as dates.
MIN_YEAR, MAX_YEAR = 1800, 2200

ACCEPTED_FORMS = "YYYY, YYYY-MM or YYYY-MM-DD (for example 2021, 2021-09 or 2021-09-05)"

_UNIX_MS_THRESHOLD = 10**11
#: Smaller numbers (before March 1973) are counts or ids, not timestamps.
_UNIX_MIN = 10**8
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_FILENAME_DATE = re.compile(r"(?<!\d)(\d{4})(-?)(\d{2})\2(\d{2})(?!\d)")
_BOUND = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def _plausible(day: dt.date) -> dt.date | None:
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def _from_timestamp(seconds: float) -> dt.date | None:
    if abs(seconds) > _UNIX_MS_THRESHOLD:
        seconds /= 1000.0
    if seconds < _UNIX_MIN:
        return None
    try:
        # Unix time has no zone of its own; UTC is the only honest reading.
        return _plausible(dt.datetime.fromtimestamp(seconds, tz=dt.UTC).date())
    except (OverflowError, OSError, ValueError):
        return None


def parse_date(value: object) -> dt.date | None:
    """Return the date ``value`` states, or ``None`` when it states none.

    Accepts ISO 8601 dates and date-times (with or without zone), RFC 2822,
    Unix time in seconds or milliseconds (numbers or digit strings), and
    common English forms such as ``September 5, 2021`` and ``5 Sep 2021``.
    Never raises: metadata that is not a date is simply no date.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return _plausible(value.date())
    if isinstance(value, dt.date):
        return _plausible(value)
    if isinstance(value, int | float):
        return _from_timestamp(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 100:
        return None
    if _NUMBER.match(text):
        if len(text) == 8 and text.isdigit():  # 20210905
            return _iso_date(f"{text[:4]}-{text[4:6]}-{text[6:]}")
        if len(text) == 4 and text.isdigit():  # a bare year is not a day
            return None
        return _from_timestamp(float(text))
    iso = _iso_date(text)
    if iso is not None:
        return iso
    if "," in text or text[:3].isalpha():
        import email.utils  # only here: it imports socket, a cost every query paid

        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None:
            return _plausible(parsed.date())
    return _english_date(text)


def _iso_date(text: str) -> dt.date | None:
    candidate = text.replace("Z", "+00:00").replace("z", "+00:00")
    try:
        return _plausible(dt.datetime.fromisoformat(candidate).date())
    except ValueError:
        pass
    try:
        return _plausible(dt.date.fromisoformat(text[:10])) if len(text) >= 10 else None
    except ValueError:
        return None


def _english_date(text: str) -> dt.date | None:
    # dateutil fills missing parts from a default, so without a four-digit
    # year in the text it would invent one; demand the year.
    if not _YEAR.search(text):
        return None
    from dateutil import parser as dateutil_parser  # lazy: only odd dates need it

    try:
        parsed = dateutil_parser.parse(text, default=dt.datetime(2000, 1, 1))
    except (ValueError, OverflowError, TypeError):
        return None
    return _plausible(parsed.date())


def date_from_filename(name: str) -> dt.date | None:
    """Return a date written in a file name (``2021-09-05`` or ``20210905``)."""
    for match in _FILENAME_DATE.finditer(name):
        year, _, month, day = match.groups()
        try:
            found = dt.date(int(year), int(month), int(day))
        except ValueError:
            continue
        if 1900 <= found.year <= 2100:
            return found
    return None


def parse_bound(text: str, *, what: str = "date") -> tuple[dt.date, dt.date]:
    """Read a user-given date as the inclusive range of days it names.

    ``2021`` is all of 2021, ``2021-09`` all of September 2021 and
    ``2021-09-05`` that one day.  Raises :class:`BadDateError` with the
    accepted forms for anything else, including impossible dates.
    """
    match = _BOUND.match(text.strip())
    if not match:
        raise BadDateError(f"{what} {text!r} is not a date; use {ACCEPTED_FORMS}")
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    try:
        if month is None:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1), dt.date(year, month, last)
        exact = dt.date(year, month, day)
    except ValueError:
        raise BadDateError(
            f"{what} {text!r} is not a real calendar date; use {ACCEPTED_FORMS}"
        ) from None
    return exact, exact


def filter_bound(text: str | None, which: str, *, what: str) -> dt.date | None:
    """The day a ``from`` or ``to`` filter given as ``text`` stands for: the
    first day it names for ``from`` and the last for ``to``, so both ends are
    included (``--to 2021-09`` runs to 30 September); ``None`` without one.
    ``what`` names the option in errors (``--from``, ``:to``)."""
    if text is None:
        return None
    first, last = parse_bound(text, what=what)
    return first if which == "from" else last


def day_number(day: dt.date) -> int:
    """The integer ``YYYYMMDD`` under which a date is indexed and sorted."""
    return day.year * 10000 + day.month * 100 + day.day


def from_day_number(number: int) -> dt.date:
    return dt.date(number // 10000, number // 100 % 100, number % 100)
