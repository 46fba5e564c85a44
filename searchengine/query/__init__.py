"""Asking the index questions: parsing, searching, snippets, suggestions.

Nothing here imports click or Rich: the result is plain data
(:class:`~searchengine.models.SearchResult`) that the JSON and terminal
renderers draw in their own ways.
"""
