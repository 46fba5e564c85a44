"""Turning bytes into text, cautiously, and remembering how.

Order of trust: a byte-order mark; strict UTF-8 (most of the web, and it
rarely decodes by accident); then chardet, but only when it is confident.
When it is not (short Western texts often get confidences under 10%),
Windows-1252 is the fallback: it is what such files nearly always are, and
browsers read ISO-8859-1 as Windows-1252 for the same reason.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from searchengine.load.problems import failed, skipped

#: chardet verdicts below this confidence are not trusted.
CONFIDENCE_FLOOR = 0.5
#: Bytes handed to chardet; more costs time and rarely changes its verdict.
DETECT_BYTES = 64 * 1024
FALLBACK = "cp1252"
#: Text with a larger share of control characters is taken for binary.
BINARY_CONTROL_RATIO = 0.10

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Verdicts read as what browsers read them as.
_ALIASES = {"ascii": "cp1252", "iso8859-1": "cp1252", "latin-1": "cp1252", "latin_1": "cp1252"}


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def canonical_encoding(name: str) -> str:
    """Python's own name for an encoding (``Windows-1252`` -> ``cp1252``)."""
    return codecs.lookup(name).name


# Control characters other than \t \n \v \f \r.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def _control_ratio(text: str) -> float:
    sample = text[:8192]
    if not sample:
        return 0.0
    return len(_CONTROL.findall(sample)) / len(sample)


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(data: bytes, forced: str | None = None, declared: str | None = None) -> Decoded:
    """Decode ``data`` as text, or raise an input problem saying why not.

    ``forced`` (the ``--encoding`` option) is used as given; a file it cannot
    decode is an error that names the encoding, not a silent mojibake.
    ``declared`` is what the file says of itself (an HTML ``<meta charset>``):
    trusted after a BOM and UTF-8, before any guessing.
    """
    if forced is not None:
        name = canonical_encoding(forced)
        text = _strict(data, name)
        if text is None:
            raise failed(f"not valid {name} (given with --encoding); check the file's encoding")
        return Decoded(text, name)

    for bom, name in _BOMS:
        if data.startswith(bom):
            text = _strict(data, name)
            if text is None:
                raise failed(f"starts with a {name} byte-order mark but is not valid {name}")
            return Decoded(text, name)

    text = _strict(data, "utf-8")
    if text is not None:
        if text.count("\x00") > len(text) // 10:  # UTF-16/32 text is half NULs
            return _maybe_bomless_wide(data)
        if _control_ratio(text) > BINARY_CONTROL_RATIO:
            raise skipped("binary file, not text")
        return Decoded(text, "utf-8")
    if declared is not None:
        try:
            stated = canonical_encoding(declared)
        except LookupError:
            stated = None
        if stated is not None:
            stated = _ALIASES.get(stated, stated)
            text = _strict(data, stated)
            if text is not None:
                return Decoded(text, stated)
    return _detect(data)


def _maybe_bomless_wide(data: bytes) -> Decoded:
    """Data with NULs: UTF-16/32 without a BOM, or a binary file."""
    guess = _chardet(data)
    if guess is not None and guess[0].startswith(("utf-16", "utf-32")):
        text = _strict(data, guess[0])
        if text is not None and "\x00" not in text and _control_ratio(text) < 0.01:
            return Decoded(text, guess[0])
    raise skipped("binary file, not text")


def _chardet(data: bytes) -> tuple[str, float] | None:
    import chardet  # lazy: most corpora are UTF-8 and never need it

    verdict = chardet.detect(data[:DETECT_BYTES])
    encoding = verdict.get("encoding")
    if not encoding:
        return None
    try:
        name = canonical_encoding(encoding)
    except LookupError:
        return None
    return _ALIASES.get(name, name), float(verdict.get("confidence") or 0.0)


def _detect(data: bytes) -> Decoded:
    # Not UTF-8 and holding NULs: wide text without a BOM, or binary (the
    # test git and grep use).
    if b"\x00" in data:
        return _maybe_bomless_wide(data)
    guess = _chardet(data)
    candidates: list[str] = []
    if guess is not None and guess[1] >= CONFIDENCE_FLOOR:
        candidates.append(guess[0])
    candidates.append(FALLBACK)
    for name in candidates:
        text = _strict(data, name)
        if text is not None:
            if _control_ratio(text) > BINARY_CONTROL_RATIO:
                raise skipped("binary file, not text")
            return Decoded(text, name)
    raise failed(
        "not UTF-8 and its encoding could not be detected; "
        "give it with --encoding (for example --encoding latin-1)"
    )
