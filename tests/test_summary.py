"""Each article's summary is what its stored fields say, in every segment.

The summary file (:mod:`searchengine.index.summary`) is tested on its own
over real files, small segments (records as they are) and large ones
(records compressed with a dictionary trained on the first ones, the rest
written as they come); then through real indexes on disk: every live
article's summary equals its stored fields and the lead made from its
text, after incremental runs and after segments are merged, and result
pages read from summaries equal the reference path's.  Last, an index of
the previous format (no summaries) is refused with the way to rebuild it.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from whoosh.filedb.filestore import FileStorage

from searchengine.analysis.passages import lead_snippet
from searchengine.cli import cli
from searchengine.errors import IndexCorruptError
from searchengine.index import directory as store
from searchengine.index import summary as summary_module
from searchengine.index.merging import FACTOR
from searchengine.index.schema import FORMAT_VERSION
from searchengine.index.summary import FIELDS, SUMMARY_EXT, Summary, SummaryReader, SummaryWriter
from searchengine.indexer.run import run_index
from searchengine.query.engine import Engine
from searchengine.query.request import SearchRequest

from corpus_builder import build_mixed_corpus
from fault_corpus import write_corpus


def expected(stored: dict[str, Any]) -> Summary:
    """The summary of an article with these stored fields, made the long way."""
    body = stored.get("body") or ""
    lead = lead_snippet(body).text if body.strip() else ""
    return Summary({k: stored[k] for k in FIELDS if stored.get(k) is not None}, lead)


# -- the file alone -----------------------------------------------------------------


class _Segment:
    """What the summary reader asks of a segment: the name of its file."""

    def __init__(self, name: str) -> None:
        self.name = name

    def make_filename(self, ext: str) -> str:
        return self.name + ext


def _write(folder: Path, docs: list[dict[str, Any]]) -> SummaryReader:
    storage = FileStorage(str(folder))
    writer = SummaryWriter(storage.create_file("seg" + SUMMARY_EXT))
    for doc in docs:
        writer.add(doc)
    writer.close()
    return SummaryReader(storage, _Segment("seg"))


def _dictionary_bytes(path: Path) -> int:
    """The dictionary length the footer gives (offsets' start, dictionary, docs, END)."""
    return int.from_bytes(path.read_bytes()[-20:-12], "little")


def _documents(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Stored fields of every shape a summary must keep exactly."""
    words = ["harbour", "ferry", "Zürich", "naïve", "council", "storm", "it's", "don’t"]
    docs: list[dict[str, Any]] = []
    for n in range(count):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 120)))
        doc: dict[str, Any] = {"id": f"{n:016x}", "path": f"/corpus/shard-{n % 7}.jsonl"}
        kind = n % 8
        if kind == 0:
            doc["body"] = text
        elif kind == 1:
            doc["body"] = "  \n\t "  # only whitespace: no lead
        elif kind == 2:
            # No word in the first 480 characters: the lead's other branch.
            doc["body"] = "—— " * 200 + text
        elif kind == 3:
            doc.update(body="\n\n  " + text.replace(" ", "\n \n"), record=n, date=20_210_000 + n)
        elif kind == 4:
            doc.update(title="", source="Coastal Wire", author="Åsa Ñúñez", url=None)
        else:
            doc.update(title=f"Story {n}", body=text, url=f"https://news.example/{n}")
            doc.update(source="The Herald", raw="RAW " + text, encoding="utf-8")
        docs.append(doc)
    return docs


@pytest.mark.parametrize(
    ("count", "dictionary"),
    [
        (0, False),
        (summary_module.MIN_TRAIN_DOCS - 1, False),
        (summary_module.MIN_TRAIN_DOCS + 40, True),
        (summary_module.TRAIN_DOCS * 2 + 7, True),
    ],
)
def test_every_summary_comes_back_in_any_order(
    tmp_path: Path, count: int, dictionary: bool
) -> None:
    rng = random.Random(count)
    docs = _documents(rng, count)
    reader = _write(tmp_path, docs)
    order = list(range(count))
    rng.shuffle(order)
    try:
        for docnum in order + list(range(count)):
            assert reader.summary(docnum) == expected(docs[docnum])
        with pytest.raises(IndexError):
            reader.summary(count)
    finally:
        reader.close()
    assert (_dictionary_bytes(tmp_path / "seg.summary") > 0) == dictionary


def test_summaries_are_smaller_than_the_records_with_a_dictionary(tmp_path: Path) -> None:
    docs = _documents(random.Random(3), summary_module.TRAIN_DOCS * 3)
    _write(tmp_path, docs).close()
    records = sum(len(summary_module.record(doc)) for doc in docs)
    assert (tmp_path / "seg.summary").stat().st_size < records * 0.6


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: b"NOTMAGIC" + data[8:], "is not a searchengine summary file"),
        (lambda data: data[:-3], "is not a whole searchengine summary file"),
        (lambda data: data[:40] + data[41:], "is not a whole searchengine summary file"),
    ],
)
def test_a_damaged_file_is_refused_with_its_name(tmp_path: Path, damage: Any, message: str) -> None:
    _write(tmp_path, [{"id": "a", "body": "One."}, {"id": "b"}]).close()
    path = tmp_path / "seg.summary"
    path.write_bytes(damage(path.read_bytes()))
    reader = SummaryReader(FileStorage(str(tmp_path)), _Segment("seg"))
    with pytest.raises(ValueError, match=f"seg.summary {message}"):
        reader.summary(0)


# -- real indexes ---------------------------------------------------------------------


def _check_summaries(index_dir: str) -> int:
    """Every live article's summary is what its stored fields give; returns how many."""
    with Engine(index_dir) as engine:
        searcher = engine.searcher()
        reader = searcher.reader()
        live = [d for d in range(reader.doc_count_all()) if not reader.is_deleted(d)]
        for docnum in live:
            stored = searcher.stored_fields(docnum)
            assert engine.summaries().summary(docnum) == expected(stored)
    return len(live)


def _same_result(ours: Any, reference: Any) -> None:
    assert ours.total == reference.total
    assert ours.total_uncollapsed == reference.total_uncollapsed
    assert ours.hits == reference.hits
    assert ours.timeline == reference.timeline
    assert ours.sources == reference.sources


def test_the_mixed_corpus_has_a_summary_of_every_article(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    build_mixed_corpus(corpus, n=300, seed=7)
    index_dir = str(tmp_path / "index")
    run_index(index_dir, [str(corpus)])
    assert _check_summaries(index_dir) > 250
    with Engine(index_dir) as ours, Engine(index_dir, executor=False) as reference:
        for sort in ("newest", "oldest"):
            for collapse in (True, False):
                request = SearchRequest(sort=sort, limit=200, collapse=collapse)
                _same_result(ours.search(request), reference.search(request))


def test_summaries_survive_merges_and_deletions(tmp_path: Path) -> None:
    """Ten small runs make ten segments, and the tenth run's commit merges
    them into one (:mod:`searchengine.index.merging`): the merged segment's
    summaries are its articles', and so are they after articles are
    changed and removed."""
    root = tmp_path / "corpus"
    index_dir = str(tmp_path / "index")
    total = 0
    for run in range(FACTOR):
        written = write_corpus(root / f"batch{run}", seed=30 + run, text_files=30, tag="walrus")
        total += written.articles
        run_index(index_dir, [str(root)])
    with Engine(index_dir) as engine:
        assert len(engine.searcher().leaf_searchers()) == 1
    summaries = [name for name in os.listdir(index_dir) if name.endswith(SUMMARY_EXT)]
    assert len(summaries) == 1
    assert _dictionary_bytes(Path(index_dir, summaries[0])) > 0  # 300 articles: one trained
    assert _check_summaries(index_dir) == total

    # Articles edited (deleted and written again) and removed.
    texts = sorted((root / "batch0").rglob("*.txt"))
    for path in texts[:5]:
        path.write_text(path.read_text("utf-8").replace("walrus", "walrus edited", 1), "utf-8")
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    for path in texts[5:9]:
        path.unlink()
    run_index(index_dir, [str(root)])
    assert _check_summaries(index_dir) == total - 4
    with Engine(index_dir) as ours, Engine(index_dir, executor=False) as reference:
        for request in (
            SearchRequest(sort="newest", limit=100),
            SearchRequest(query="date:2021-03", sort="oldest", limit=10, page=2),
            SearchRequest(query="title:walrus", limit=40),
            SearchRequest(query="walrus", limit=40, snippets=False),
        ):
            _same_result(ours.search(request), reference.search(request))


# -- an index of the previous format ------------------------------------------------------


def test_an_index_without_summaries_is_refused_with_how_to_rebuild(tmp_path: Path) -> None:
    """A format-5 index is this format's files but the summaries."""
    corpus = tmp_path / "corpus"
    write_corpus(corpus, seed=5, text_files=12, tag="walrus")
    index_dir = str(tmp_path / "index")
    run_index(index_dir, [str(corpus)])
    for name in os.listdir(index_dir):
        if name.endswith(SUMMARY_EXT):
            os.remove(os.path.join(index_dir, name))
    Path(index_dir, store.META_FILE).write_text('{"format": 5}', encoding="utf-8")

    message = (
        f"{index_dir} was built by another version of searchengine (format 5, this one "
        f"reads {FORMAT_VERSION}); rebuild it with `searchengine index --rebuild PATH...`"
    )
    assert FORMAT_VERSION == 6
    with pytest.raises(IndexCorruptError) as info:
        Engine(index_dir)
    assert info.value.message == message
    result = CliRunner().invoke(cli, ["--index", index_dir, "search", "--sort", "newest", "--json"])
    assert result.exit_code == 1
    assert "searchengine index --rebuild" in result.stderr
    assert result.stdout == ""

    result = CliRunner().invoke(cli, ["--index", index_dir, "index", str(corpus), "--rebuild"])
    assert result.exit_code == 0, result.output
    assert any(name.endswith(SUMMARY_EXT) for name in os.listdir(index_dir))
    assert _check_summaries(index_dir) == 12
