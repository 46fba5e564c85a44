"""Reproducible performance benchmarks: searchengine next to plain Whoosh, SQLite FTS5
and (when installed) tantivy, on generated news-like corpora.

``python -m benchmarks.run`` is the one command; see ``benchmarks/README.md``.
"""
