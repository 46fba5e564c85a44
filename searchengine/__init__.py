"""searchengine: full-text search for folders of news articles, on Whoosh.

The package is layered the way the data flows: ``load`` turns files into
:class:`~searchengine.models.Article` objects, ``analysis`` turns text into
terms, ``store`` and ``indexer`` write them to a Whoosh index, ``query`` asks it
questions, ``render`` turns results into JSON or Rich output and ``cli`` /
``shell`` talk to people.  Imports only go down that path; nothing below
``render`` imports click or Rich, and nothing in the library exits.
"""

__version__ = "0.1.0"
