"""The schema's own encodings (``index/schema.py``): what the ``meta``
column holds, and reading its record number back without decoding it."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from searchengine.index.schema import meta_record, meta_value
from searchengine.models import article_id

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)


@given(
    path=TEXT,
    record=st.none() | st.integers(0, 10**12),
    title=TEXT,
    author=st.none() | TEXT,
    url=st.none() | TEXT,
)
def test_the_record_is_read_from_meta_as_json_reads_it(
    path: str, record: int | None, title: str, author: str | None, url: str | None
) -> None:
    doc = {"id": article_id(path, record), "record": record, "title": title}
    doc.update(author=author, url=url)
    meta = meta_value(doc)
    assert meta_record(meta) == json.loads(meta)[1] == record


def test_a_meta_value_of_another_form_is_decoded() -> None:
    # Spaces after the commas: not the form meta_value writes.
    meta = json.dumps(["0123456789abcdef", 12, "Title", None, None]).encode()
    assert meta_record(meta) == 12
    assert meta_record(b'["0123456789abcdef",null,"Title",null,null]') is None
    assert meta_record(b'["0123456789abcdef",7,"a,b",null,null]') == 7
