"""A search request is checked before anything is searched: bad options are
usage errors."""

from __future__ import annotations

import datetime as dt

import pytest

from searchengine.errors import UsageError
from searchengine.query.engine import Engine
from searchengine.query.request import SearchRequest

from query_index import run


def test_from_after_to_is_a_usage_error(engine: Engine) -> None:
    with pytest.raises(UsageError):
        run(engine, "harvest", date_from=dt.date(2021, 10, 1), date_to=dt.date(2021, 9, 30))


@pytest.mark.parametrize("options", [{"limit": 0}, {"page": 0}, {"sort": "sideways"}])
def test_bad_request_options_are_usage_errors(engine: Engine, options: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        engine.search(SearchRequest(query="harvest", **options))  # type: ignore[arg-type]
