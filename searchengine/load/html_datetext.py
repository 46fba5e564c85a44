"""Dates written for people: bylines, datelines and headlines, in many languages.

``24 September 2019``, ``Sept. 24, 2019``, ``24.09.2019``, ``2019年9月24日``,
``2023년 4월 15일``, ``٢٤ سبتمبر ٢٠١٩``, ``27 мая 2022``, ``24 ก.ย. 2562``
(Thai years count from 543 BC).  Only whole days are dates: a month and a
year, or a bare year, are not.  A date a label calls an update
("Updated", "Aktualisiert", "mis à jour", "更新") is reported as such, so
that it never stands in for the publication date.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "januar", "jänner", "janvier", "janv", "enero", "ene", "gennaio",
        "janeiro", "januari", "ocak", "января", "январь", "يناير", "كانون الثاني", "جانفي",
        "มกราคม", "ม.ค."),
    2: ("february", "feb", "februar", "février", "févr", "fevrier", "febrero", "febbraio",
        "fevereiro", "februari", "şubat", "февраля", "февраль", "فبراير", "شباط", "فيفري",
        "กุมภาพันธ์", "ก.พ."),
    3: ("march", "mar", "märz", "mär", "mars", "marzo", "março", "maart", "mart", "марта",
        "март", "مارس", "آذار", "มีนาคม", "มี.ค."),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile", "nisan", "апреля", "апрель",
        "أبريل", "ابريل", "نيسان", "أفريل", "เมษายน", "เม.ย."),
    5: ("may", "mai", "mayo", "maggio", "maio", "mei", "mayıs", "мая", "май", "مايو", "أيار",
        "ماي", "พฤษภาคม", "พ.ค."),
    6: ("june", "jun", "juni", "juin", "junio", "giugno", "junho", "haziran", "июня", "июнь",
        "يونيو", "حزيران", "جوان", "มิถุนายน", "มิ.ย."),
    7: ("july", "jul", "juli", "juillet", "juil", "julio", "luglio", "julho", "temmuz", "июля",
        "июль", "يوليو", "تموز", "جويلية", "กรกฎาคม", "ก.ค."),
    8: ("august", "aug", "août", "aout", "agosto", "ago", "augustus", "ağustos", "августа",
        "август", "أغسطس", "اغسطس", "آب", "أوت", "สิงหาคม", "ส.ค."),
    9: ("september", "sep", "sept", "septembre", "septiembre", "setiembre", "settembre",
        "setembro", "eylül", "сентября", "сентябрь", "سبتمبر", "أيلول", "กันยายน", "ก.ย."),
    10: ("october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "outubro", "ekim",
         "октября", "октябрь", "أكتوبر", "اكتوبر", "تشرين الأول", "ตุลาคม", "ต.ค."),
    11: ("november", "nov", "novembre", "noviembre", "novembro", "kasım", "ноября", "ноябрь",
         "نوفمبر", "تشرين الثاني", "พฤศจิกายน", "พ.ย."),
    12: ("december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre",
         "dic", "dicembre", "dezembro", "aralık", "декабря", "декабрь", "ديسمبر", "كانون الأول",
         "ธันวาคม", "ธ.ค."),
}  # fmt: skip
_MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names}
_MONTH = "|".join(re.escape(n) for n in sorted(_MONTHS, key=len, reverse=True))
_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"

_YMD = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*[-/.年년]\s*(?P<m>\d{1,2})\s*[-/.月월]\s*(?P<d>\d{1,2})(?!\d)"
)
_DMY_DOTS = re.compile(r"(?<![\d.])(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?(?P<y>\d{4})(?!\d)")
_DMY_SLASH = re.compile(r"(?<![\d/])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})(?!\d)")
_DAY_MONTH = re.compile(
    rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|º|\.)?\s*(?:de\s+|of\s+)?"
    rf"{_NOT_LETTER_BEFORE}(?P<mon>{_MONTH}){_NOT_LETTER_AFTER}\.?,?\s*(?:de\s+)?(?P<y>\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_MONTH_DAY = re.compile(
    rf"{_NOT_LETTER_BEFORE}(?P<mon>{_MONTH}){_NOT_LETTER_AFTER}\.?\s+(?P<d>\d{{1,2}})"
    rf"(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})(?!\d)",
    re.IGNORECASE,
)

#: Words that say the date after them is an update, not the publication.
UPDATE_CUES = (
    "updated", "update:", "last update", "modified", "edited", "last changed", "aktualisiert", "geändert",
    "stand:", "actualizado", "actualización", "mis à jour", "modifié", "màj", "atualizado",
    "aggiornato", "bijgewerkt", "güncellen", "обновлено", "изменено", "更新", "修改",
    "수정", "업데이트", "تحديث", "محدث", "อัปเดต",
)  # fmt: skip
#: Words that say the date after them is the publication.
PUBLISH_CUES = (
    "published", "posted", "publié", "posté", "publicado", "veröffentlicht", "erschienen",
    "pubblicato", "gepubliceerd", "опубликовано", "发布", "发表", "公開", "配信", "입력",
    "게재", "نشر", "เผยแพร่",
)  # fmt: skip
#: How far before a date its label may be.
_CUE_REACH = 40
_BREAKS = re.compile(r"[|·•\n;]")
#: Years counted in the Thai (Buddhist) era are this much larger.
_BUDDHIST_ERA = 543


@dataclass(frozen=True)
class TextDate:
    """One date found in a text, where it starts, and whether a label calls it an update."""

    day: dt.date
    start: int
    updated: bool


def ascii_digits(text: str) -> str:
    """``text`` with every decimal digit (Arabic-Indic, fullwidth, ...) as ASCII."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def _day(year: int, month: int, day: int, latest_year: int) -> dt.date | None:
    if year > latest_year:  # a Thai year: 2562 is 2019
        year -= _BUDDHIST_ERA
    if not 1900 <= year <= latest_year:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def label_at_end(text: str) -> str:
    """The last words of ``text``, back to the previous separator, lower-case: a label."""
    window = text[-_CUE_REACH:]
    cut = max((m.end() for m in _BREAKS.finditer(window)), default=0)
    return window[cut:].casefold()


def is_update_label(label: str) -> bool:
    """Whether ``label`` (lower-case) says what follows is an update."""
    return any(cue in label for cue in UPDATE_CUES)


def dates_in(text: str, latest_year: int | None = None) -> list[TextDate]:
    """Every whole-day date written in ``text``, in reading order."""
    text = ascii_digits(text)
    latest = latest_year or dt.date.today().year + 1
    found: dict[int, dt.date | None] = {}
    for m in _YMD.finditer(text):
        found.setdefault(m.start(), _day(int(m["y"]), int(m["m"]), int(m["d"]), latest))
    for m in _DMY_DOTS.finditer(text):
        found.setdefault(m.start(), _day(int(m["y"]), int(m["m"]), int(m["d"]), latest))
    for m in _DMY_SLASH.finditer(text):
        a, b = int(m["a"]), int(m["b"])
        if (a > 12) != (b > 12):  # only when the order is plain: 24/09 or 09/24
            day, month = (a, b) if a > 12 else (b, a)
            found.setdefault(m.start(), _day(int(m["y"]), month, day, latest))
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for m in pattern.finditer(text):
            named = _MONTHS.get(m["mon"].casefold())
            if named is not None:
                found.setdefault(m.start(), _day(int(m["y"]), named, int(m["d"]), latest))
    return [
        TextDate(day, start, is_update_label(label_at_end(text[:start])))
        for start, day in sorted(found.items())
        if day is not None
    ]


def first_date(text: str) -> dt.date | None:
    """The first date in ``text`` that is not labelled as an update."""
    return next((d.day for d in dates_in(text) if not d.updated), None)
