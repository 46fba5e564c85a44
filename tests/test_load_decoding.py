"""Encodings, through real files and :func:`load_file`."""

from __future__ import annotations

import codecs

import pytest

from searchengine.load import load_file

from conftest import WriteFile

# Long enough for a detector, with the characters that go wrong in mojibake.
STORY = (
    "The café on the quay reopened on Monday. “We never expected this,” said the owner, "
    "Renée Müller — who has run it since 1998. Señor Muñoz, a regular, called it "
    "“a small miracle for a small town.” The façade was repainted and the crème brûlée is back.\n\n"
    "Visitors queued along the harbour wall; the naïve hope of a quiet opening faded by ten o’clock. "
    "Staff served coffee until the evening, and the council’s officer said the licence was in order."
)
LATIN1_STORY = (
    "The café on the quay reopened on Monday, said Renée Müller, who has run it since 1998. "
    "Señor Muñoz, a regular, praised the façade and the crème brûlée; the garçon agreed.\n\n"
    "Visitors queued along the harbour wall. Staff served coffee until the evening and the "
    "council officer said the licence was in order. ¿Qué más? Über alles, a good day."
)


def _one(path: str, encoding: str | None = None) -> tuple[str, str | None]:
    result = load_file(path, encoding)
    assert result.problems == ()
    (article,) = result.articles
    return article.body, article.encoding


@pytest.mark.parametrize(
    ("encoding", "bom", "recorded"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
        ("utf-32-le", codecs.BOM_UTF32_LE, "utf-32"),
    ],
)
def test_unicode_files_are_read_exactly(
    write: WriteFile, encoding: str, bom: bytes, recorded: str
) -> None:
    path = write("cafe.txt", bom + ("Café reopens\n\n" + STORY).encode(encoding))
    body, used = _one(str(path))
    assert body == STORY
    assert used == recorded


def test_cp1252_with_curly_quotes_is_detected(write: WriteFile) -> None:
    path = write("cafe.txt", "Café reopens\n\n" + STORY, "cp1252")
    body, used = _one(str(path))
    assert body == STORY
    assert used == "cp1252"


def test_latin1_is_read_as_windows_1252_without_mojibake(write: WriteFile) -> None:
    path = write("cafe.txt", "Café reopens\n\n" + LATIN1_STORY, "latin-1")
    body, used = _one(str(path))
    assert body == LATIN1_STORY
    assert used == "cp1252"


def test_forced_encoding_wins(write: WriteFile) -> None:
    text = "Москва\n\nЖурналисты собрались на площади, чтобы услышать заявление мэра."
    path = write("moscow.txt", text, "koi8-r")
    body, used = _one(str(path), encoding="koi8-r")
    assert body == text.split("\n\n", 1)[1]
    assert used == "koi8-r"


def test_forced_encoding_that_does_not_fit_is_an_error_naming_it(write: WriteFile) -> None:
    path = write("bad.txt", b"Title\n\n\xff\xfe\xfa broken \x81\x8d")
    result = load_file(str(path), "utf-8")
    assert result.articles == ()
    (problem,) = result.problems
    assert problem.kind == "error"
    assert "utf-8" in problem.reason and "--encoding" in problem.reason


def test_binary_file_is_skipped(write: WriteFile) -> None:
    path = write("photo.txt", bytes(range(256)) * 40)
    result = load_file(str(path))
    assert result.articles == ()
    (problem,) = result.problems
    assert (problem.kind, problem.reason) == ("skipped", "binary file, not text")


def test_bomless_utf16_text_is_still_read(write: WriteFile) -> None:
    path = write("wide.txt", ("Harbour news\n\n" + STORY).encode("utf-16-le"))
    body, used = _one(str(path))
    assert body == STORY
    assert used == "utf-16-le"


def test_html_meta_charset_is_trusted_before_guessing(write: WriteFile) -> None:
    page = (
        '<html><head><meta charset="windows-1252"><title>Caf\xe9 news</title></head>'
        "<body><article><p>" + STORY.replace("\n\n", "</p><p>") + "</p></article></body></html>"
    )
    path = write("cafe.html", page, "cp1252")
    result = load_file(str(path))
    (article,) = result.articles
    assert article.title == "Café news"
    assert "Renée Müller" in article.body and "“a small miracle" in article.body
    assert article.encoding == "cp1252"
