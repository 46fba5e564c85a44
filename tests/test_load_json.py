"""JSON and JSON Lines: aliases, arrays, wrappers, broken records."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest

from searchengine.load import load_file

from conftest import WriteFile


def test_single_object_with_aliases(write: WriteFile) -> None:
    obj = {
        "Headline": "Ferry back",
        "maintext": "The ferry is back on its route.",
        "publishedAt": "2021-09-06T07:15:00Z",
        "source": {"id": "x", "name": "Port Herald"},
        "authors": ["A. Byrne", "C. Doyle"],
        "link": "https://example.org/ferry",
    }
    result = load_file(str(write("one.json", json.dumps(obj))))
    (article,) = result.articles
    assert result.problems == ()
    assert article.record is None
    assert (article.title, article.body) == ("Ferry back", "The ferry is back on its route.")
    assert article.date == dt.date(2021, 9, 6)
    assert (article.source, article.author, article.url) == (
        "Port Herald",
        "A. Byrne, C. Doyle",
        "https://example.org/ferry",
    )


def test_first_present_alias_wins_and_empty_values_do_not_count(write: WriteFile) -> None:
    obj = {
        "title": "",
        "headline": "Real headline",
        "body": "  ",
        "text": "Text wins.",
        "content": "not this",
        "date": None,
        "pubDate": "Sun, 05 Sep 2021 10:00:00 +0000",
        "publisher": "Wire",
    }
    (article,) = load_file(str(write("a.json", json.dumps(obj)))).articles
    assert (article.title, article.body, article.source) == ("Real headline", "Text wins.", "Wire")
    assert article.date == dt.date(2021, 9, 5)


def test_array_records_and_their_problems(write: WriteFile) -> None:
    data = [
        {"title": "First", "body": "One."},
        42,
        {"title": "No body here"},
        {
            "title": "Fourth",
            "content": "<p>Four <b>bold</b> words.</p><p>Next para.</p>",
            "timestamp": 1630836000000,
        },
    ]
    path = write("many.json", json.dumps(data))
    result = load_file(str(path))
    assert [(a.record, a.title) for a in result.articles] == [(0, "First"), (3, "Fourth")]
    assert result.articles[1].body == "Four bold words.\n\nNext para."
    assert result.articles[1].date == dt.date(2021, 9, 5)
    assert [(p.record, p.kind) for p in result.problems] == [(1, "error"), (2, "skipped")]
    assert all(p.path == str(path) for p in result.problems)


def test_news_api_wrapper_object(write: WriteFile) -> None:
    data = {
        "status": "ok",
        "totalResults": 2,
        "articles": [
            {"title": "A", "description": "Alpha text."},
            {"title": "B", "description": "Beta text."},
        ],
    }
    result = load_file(str(write("api.json", json.dumps(data))))
    assert [(a.record, a.title) for a in result.articles] == [(0, "A"), (1, "B")]


def test_invalid_json_is_an_error_with_position(write: WriteFile) -> None:
    result = load_file(str(write("bad.json", '{"title": "x", "body": ')))
    (problem,) = result.problems
    assert problem.kind == "error" and "line 1" in problem.reason


def test_missing_title_comes_from_the_body(write: WriteFile) -> None:
    (article,) = load_file(
        str(write("a.json", '{"text": "Storm closes coast road. More later."}'))
    ).articles
    assert article.title == "Storm closes coast road. More later."


JSONL = (
    '{"title": "Line zero", "text": "Zero."}\n'
    '{"title": "Line one", "text": "One.", "date": "5 Sep 2021", "byline": "Kim"}\n'
    '{"title": "broken", "text": \n'
    "\n"
    '{"title": "No body"}\n'
    '{"title": "Line five", "text": "Five.", "site": "Wire"}\n'
)


def test_jsonl_records_are_line_numbers_and_bad_lines_cost_nothing(write: WriteFile) -> None:
    path = write("feed.jsonl", JSONL)
    result = load_file(str(path))
    assert [(a.record, a.title) for a in result.articles] == [
        (0, "Line zero"),
        (1, "Line one"),
        (5, "Line five"),
    ]
    assert result.articles[1].date == dt.date(2021, 9, 5) and result.articles[1].author == "Kim"
    assert result.articles[2].source == "Wire"
    assert [(p.record, p.kind) for p in result.problems] == [(2, "error"), (4, "skipped")]


def test_ndjson_and_gzip_read_the_same(write: WriteFile) -> None:
    plain = load_file(str(write("feed.ndjson", JSONL)))
    zipped = load_file(str(write("feed.jsonl.gz", gzip.compress(JSONL.encode()))))
    assert [(a.record, a.title, a.body) for a in zipped.articles] == [
        (a.record, a.title, a.body) for a in plain.articles
    ]
    assert [(p.record, p.kind) for p in zipped.problems] == [(2, "error"), (4, "skipped")]


def test_not_gzip_is_an_error(write: WriteFile) -> None:
    result = load_file(str(write("feed.jsonl.gz", b"this is not gzip at all")))
    assert result.articles == ()
    assert [(p.record, p.kind) for p in result.problems] == [(None, "error")]


def test_jsonl_with_bom_and_crlf(write: WriteFile) -> None:
    data = "\ufeff" + '{"title": "A", "text": "x"}\r\n{"title": "B", "text": "y"}\r\n'
    result = load_file(str(write("feed.jsonl", data)))
    assert [a.title for a in result.articles] == ["A", "B"]


def test_jsonl_line_not_utf8_is_reported_and_others_kept(write: WriteFile) -> None:
    data = b'{"title": "A", "text": "x"}\n{"title": "caf\xe9", "text": "y"}\n{"title": "C", "text": "z"}\n'
    result = load_file(str(write("feed.jsonl", data)))
    assert [a.title for a in result.articles] == ["A", "C"]
    assert [(p.record, p.kind) for p in result.problems] == [(1, "error")]
    latin = load_file(str(write("feed2.jsonl", data)), "latin-1")
    assert [a.title for a in latin.articles] == ["A", "café", "C"]


def test_overlong_jsonl_line_is_reported_and_the_next_line_read(
    write: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    from searchengine.load import jsonfmt

    monkeypatch.setattr(jsonfmt, "MAX_LINE_BYTES", 1000)
    monkeypatch.setattr(jsonfmt, "_CHUNK", 256)
    data = '{"title": "long", "text": "' + "y" * 5000 + '"}\n\n{"title": "ok", "text": "fine"}'
    result = load_file(str(write("long.jsonl", data)))
    assert [(a.record, a.title) for a in result.articles] == [(2, "ok")]
    assert [(p.record, p.kind, p.reason) for p in result.problems] == [
        (0, "error", "line longer than 0 MB")
    ]


def test_gzip_bomb_stops_early_with_a_reason(
    write: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    from searchengine.load import jsonfmt

    monkeypatch.setattr(jsonfmt, "INFLATION_CHECK_BYTES", 1 << 20)
    good = b'{"title": "first", "text": "kept"}\n'
    path = write("bomb.jsonl.gz", gzip.compress(good + b"\n" * (64 << 20), compresslevel=9))
    result = load_file(str(path))
    assert [a.title for a in result.articles] == ["first"]
    (problem,) = result.problems
    assert problem.record is None and "gzip bomb" in problem.reason


def test_known_lines_are_listed_as_unchanged_and_not_parsed(write: WriteFile) -> None:
    """A JSON Lines file read with the digests of lines the index holds
    (and where): those lines come back as unchanged record numbers, the
    others as articles with their own line digests."""
    from searchengine.load.jsonfmt import line_digest

    lines = [json.dumps({"title": f"T{n}", "text": f"story {n}"}) for n in range(4)]
    path = write("s.jsonl", "\n".join(lines) + "\n\n")
    whole = load_file(str(path))
    assert [a.record for a in whole.articles] == [0, 1, 2, 3]
    assert whole.line_digests == tuple(line_digest(line.encode()) for line in lines)
    assert whole.unchanged == ()
    known = {(0, whole.line_digests[0]), (2, whole.line_digests[2]), (3, whole.line_digests[1])}
    partial = load_file(str(path), known=known)
    assert partial.unchanged == (0, 2)
    assert [a.record for a in partial.articles] == [1, 3]  # line 1's bytes, known at 3: parsed
    assert partial.line_digests == (whole.line_digests[1], whole.line_digests[3])
    everything = {(n, d) for n, d in enumerate(whole.line_digests)}
    assert load_file(str(path), known=everything).unchanged == (0, 1, 2, 3)
    assert load_file(str(path), known=everything).problems == ()
