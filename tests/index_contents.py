"""Everything an index holds, as canonical text lines, and their digest.

Two indexes built from the same files hold the same contents when their
lines are equal, however the articles were cut into segments and whatever
the folder the files were in: every term of every field with its postings
(article, weight, positions) and its statistics summed over the segments,
each article's stored fields, summary (index format 6), column values and
field lengths, and the lexicon.  Articles are named by their file's path below the corpus root
and their record; the corpus root is written ``<ROOT>``.  The files' own
signatures (size and modification time) are left out: they differ for
every copy of a corpus.

This is what proves that a faster way of building an index builds the same
one: ``tests/test_index_contents.py`` keeps the digests of indexes built by
the code before the indexing work of issue 14 (main at 19f7854).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from typing import Any

from whoosh import index

from searchengine.index.lexicon import read_words
from searchengine.index.postings import term_postings
from searchengine.index.summary import SummaryReader

#: Column fields that hold the file's size and modification time.
_FILE_SIGNATURE = {"sig"}
_ARTICLE_ID = re.compile(r"\b[0-9a-f]{16}\b")


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        # Decoded so that paths and ids inside can be made canonical.
        return "b:" + value.decode("utf-8", "backslashreplace")
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=repr)


def _stats(info: Any) -> tuple[int, float, float, int, int]:
    return (
        info.doc_frequency(),
        info.weight(),
        info.max_weight(),
        info.min_length(),
        info.max_length(),
    )


def _combined(a: tuple[Any, ...] | None, b: tuple[Any, ...]) -> tuple[Any, ...]:
    if a is None:
        return b
    # W3's shortest length skips segments without the field (length 0).
    shortest = min(x for x in (a[3], b[3]) if x) if a[3] or b[3] else 0
    return (a[0] + b[0], a[1] + b[1], max(a[2], b[2]), shortest, max(a[4], b[4]))


def index_lines(index_dir: str, root: str) -> list[str]:
    """The contents of the index at ``index_dir`` (its files under ``root``),
    one sorted text line per fact."""
    ix = index.open_dir(index_dir)
    lines: list[str] = []
    postings: dict[tuple[str, str], list[str]] = defaultdict(list)
    stats: dict[tuple[str, str], tuple[Any, ...]] = {}
    names: dict[str, str] = {}
    with ix.reader() as reader:
        leaves = list(reader.leaf_readers())
        # Each article's name, first: ids are hashes of absolute paths.
        for leaf, _ in leaves:
            for docnum in leaf.all_doc_ids():
                fields = leaf.stored_fields(docnum)
                path = str(fields["path"]).replace(root, "<ROOT>")
                names[fields["id"]] = f"{path}#{fields.get('record')}"

        def canonical(text: str) -> str:
            text = text.replace(root, "<ROOT>")
            return _ARTICLE_ID.sub(lambda m: names.get(m.group(0), m.group(0)), text)

        for leaf, _ in leaves:
            docs = {d: names[leaf.stored_fields(d)["id"]] for d in leaf.all_doc_ids()}
            for fieldname, tbytes in leaf.all_terms():
                term = canonical(_text(tbytes))
                key = (fieldname, term)
                stats[key] = _combined(stats.get(key), _stats(leaf.term_info(fieldname, tbytes)))
                found = term_postings(leaf, fieldname, tbytes)
                assert found is not None
                offsets, flat = found.positions()
                for i, (doc, weight) in enumerate(
                    zip(found.docs.tolist(), found.weights.tolist(), strict=True)
                ):
                    if doc in docs:  # deleted documents' postings stay until a merge
                        where = flat[offsets[i] : offsets[i + 1]].tolist()
                        postings[key].append(f"{docs[doc]} {weight!r} {where}")
            summaries = SummaryReader(leaf.storage(), leaf.segment())
            for docnum, name in docs.items():
                fields = leaf.stored_fields(docnum)
                for fieldname, value in sorted(fields.items()):
                    lines.append(f"stored {name} {fieldname} {canonical(_text(value))}")
                summary = summaries.summary(docnum)
                for fieldname, value in sorted(summary.fields.items()):
                    lines.append(f"summary {name} {fieldname} {canonical(_text(value))}")
                lines.append(f"summary {name} lead {canonical(_text(summary.lead))}")
                for fieldname in leaf.schema.scorable_names():
                    length = leaf.doc_field_length(docnum, fieldname)
                    lines.append(f"length {name} {fieldname} {length}")
            summaries.close()
            for fieldname in sorted(leaf.schema.names()):
                if fieldname in _FILE_SIGNATURE or not leaf.has_column(fieldname):
                    continue
                column = leaf.column_reader(fieldname)
                for docnum, name in docs.items():
                    value = canonical(_text(column[docnum]))
                    lines.append(f"column {name} {fieldname} {value}")
    for (fieldname, term), rows in postings.items():
        lines.append(f"term {fieldname} {term} {stats[(fieldname, term)]!r}")
        lines.extend(f"posting {fieldname} {term} {row}" for row in sorted(rows))
    lines.extend(f"word {word}" for word in read_words(index_dir))
    return sorted(lines)


def index_digest(index_dir: str, root: str) -> str:
    """The SHA-256 of :func:`index_lines`."""
    data = "\n".join(index_lines(index_dir, root)).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


def ids_in_order(index_dir: str) -> list[str]:
    """The index's article ids in document-number order: what
    :func:`index_lines` leaves out on purpose (it names articles, not
    numbers), and what the last tie-break of equal hits follows."""
    ix = index.open_dir(index_dir)
    with ix.reader() as reader:
        return [fields["id"] for fields in reader.all_stored_fields()]
