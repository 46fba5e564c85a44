"""The ``searchengine`` command: parse options, call the library, render.

This module holds no search logic.  It is the one error boundary: every
:class:`~searchengine.errors.SearchEngineError` is turned here into a message
on stderr (a JSON object with ``--json``) and an exit code from
:class:`ExitStatus`.  Rich is imported only for human output, so a scripted
``search --json`` starts fast.
"""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click

from searchengine import __version__
from searchengine.errors import RunInterruptedError, SearchEngineError, UsageError

if TYPE_CHECKING:
    from searchengine.models import Result
    from searchengine.query.engine import Engine

DEFAULT_INDEX = "index"


class ExitStatus(enum.IntEnum):
    """Exit codes, as the interface contract fixes them."""

    SUCCESS = 0
    ERROR = 1  # runtime failure: no index, locked or unreadable index, I/O
    USAGE = 2  # bad option, bad date, a query with nothing searchable
    INTERRUPTED = 130  # Ctrl-C


def exit_status_for(error: SearchEngineError) -> ExitStatus:
    if isinstance(error, RunInterruptedError):
        return ExitStatus.INTERRUPTED
    return ExitStatus.USAGE if isinstance(error, UsageError) else ExitStatus.ERROR


def _wants_json(args: Sequence[str]) -> bool:
    for arg in args:
        if arg == "--":
            return False
        if arg == "--json":
            return True
    return False


def _fail(kind: str, message: str, status: ExitStatus, as_json: bool) -> NoReturn:
    if as_json:
        from searchengine.render import json_out

        click.echo(json_out.dumps(json_out.error(kind, message)), err=True)
    else:
        click.echo(f"searchengine: error: {message}", err=True)
    sys.exit(int(status))


class ReaderGone(Exception):
    """stdout's reader closed the pipe (``export Q | head -1``)."""


def _silence_stdout() -> None:
    """Point stdout at /dev/null: what is still buffered for a reader that
    has gone can go nowhere, and flushing it at exit must not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


class SearchEngineGroup(click.Group):
    """A click group whose ``main`` is the error boundary of the program."""

    def invoke(self, ctx: click.Context) -> Any:
        # Click turns a broken pipe into exit code 1 on its own; a reader
        # that has read enough is not a failure, so it is taken out first.
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise ReaderGone() from None

    def main(self, args: Sequence[str] | None = None, *extra: Any, **kwargs: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        as_json = _wants_json(argv)
        kwargs["standalone_mode"] = False
        try:
            result = super().main(argv, *extra, **kwargs)
        except SearchEngineError as error:
            _fail(error.kind, error.message, exit_status_for(error), as_json)
        except click.exceptions.NoArgsIsHelpError as error:
            click.echo(error.ctx.get_help() if error.ctx else str(error), err=True)
            sys.exit(int(ExitStatus.USAGE))
        except click.ClickException as error:  # click.UsageError's exit code is 2
            if as_json:
                kind = "usage" if isinstance(error, click.UsageError) else "error"
                _fail(kind, error.format_message(), ExitStatus(error.exit_code), True)
            error.show()
            sys.exit(error.exit_code)
        except (KeyboardInterrupt, click.exceptions.Abort):
            _fail("interrupted", "interrupted", ExitStatus.INTERRUPTED, as_json)
        except (ReaderGone, BrokenPipeError):
            # `searchengine export x | head`: the reader left; that is fine.
            _silence_stdout()
            sys.exit(int(ExitStatus.SUCCESS))
        except Exception as error:  # the last resort: a message, not a traceback
            if os.environ.get("SEARCHENGINE_DEBUG"):
                raise
            message = (
                f"unexpected {type(error).__name__}: {error}; this is a bug, please report it "
                "(set SEARCHENGINE_DEBUG=1 to see the traceback)"
            )
            _fail("internal", message, ExitStatus.ERROR, as_json)
        try:
            sys.stdout.flush()  # here, not at exit, where a closed pipe is exit code 120
        except BrokenPipeError:
            _silence_stdout()
        if isinstance(result, int):
            sys.exit(result)
        sys.exit(int(ExitStatus.SUCCESS))


#: --index, taken by the group and by every command (before or after its name).
index_option = click.option(
    "--index",
    "index_dir",
    envvar="SEARCHENGINE_INDEX",
    default=DEFAULT_INDEX,
    show_default=True,
    metavar="DIR",
    help="Index folder (env SEARCHENGINE_INDEX).",
)
json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document on stdout."
)
# The bounds are the library's MAX_LIMIT and MAX_PAGE; not imported, to keep
# Whoosh off start-up.
_limit_option = click.option(
    "--limit", type=click.IntRange(1, 1000), default=10, show_default=True, help="Hits per page."
)
_page_option = click.option(
    "--page", type=click.IntRange(1, 1_000_000), default=1, show_default=True, help="Page number."
)
_no_collapse_option = click.option(
    "--no-collapse",
    "no_collapse",
    is_flag=True,
    help="Show near-duplicate copies of a story as hits of their own.",
)


#: The periods of timelines and trends (the library's ``periods.PERIODS``,
#: not imported: numpy stays off start-up).
PERIOD_CHOICES = ("day", "week", "month", "year")
_by_option = click.option(
    "--by",
    type=click.Choice(PERIOD_CHOICES, case_sensitive=False),
    default=None,
    help="Count results per day, week (ISO, Monday to Sunday), month or year "
    "[default: from the span of their dates].",
)


def filter_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--from, --to and --source, as ``search`` takes them."""
    func = click.option(
        "--source", metavar="NAME", help="Only articles from this source (whole name, any case)."
    )(func)
    func = click.option(
        "--to", "date_to", metavar="DATE", help="Only articles on or before DATE (inclusive)."
    )(func)
    return click.option(
        "--from",
        "date_from",
        metavar="DATE",
        help="Only articles on or after DATE (YYYY, YYYY-MM, YYYY-MM-DD).",
    )(func)


_sort_option = click.option(
    "--sort",
    type=click.Choice(["relevance", "newest", "oldest"]),
    default="relevance",
    show_default=True,
    help="Order of results.",
)


def paging_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--limit, --page and --no-collapse, shared by the commands that list hits."""
    return _limit_option(_page_option(_no_collapse_option(func)))


def _index_dir(ctx: click.Context, local: str) -> str:
    """The command's own --index, else the group's, else the default."""
    source = ctx.get_parameter_source("index_dir")
    chosen = local
    if source in (click.core.ParameterSource.DEFAULT, None) and ctx.obj:
        chosen = ctx.obj
    # As load.walk.absolute does, without importing the loaders for a search.
    return os.path.abspath(os.path.expanduser(chosen))


def _engine(ctx: click.Context, local: str) -> Engine:
    """The index the command names (see :func:`_index_dir`), opened for searching."""
    from searchengine.query.engine import Engine

    return Engine(_index_dir(ctx, local))


def _console(file: Any = None) -> Any:
    """A Rich console on ``file`` (stdout by default), made when drawing."""
    from searchengine.render.rich_out import make_console

    return make_console(file or sys.stdout)


def _emit(result: Result, as_json: bool, *, paged: bool = False) -> None:
    """Print a command's result on stdout: its JSON document, or drawn with
    Rich (through the pager when ``paged`` and taller than the terminal; an
    index run's problems on stderr).  Every command ends here, so ``--json``
    means the same thing everywhere."""
    if as_json:
        from searchengine.render import json_out

        click.echo(json_out.dumps(json_out.document(result)))
        return
    from searchengine.render import rich_out

    rich_out.print_drawn(_console(), result, paged=paged, err=_console(sys.stderr))


@click.group(cls=SearchEngineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@index_option
@click.version_option(__version__, prog_name="searchengine")
@click.pass_context
def cli(ctx: click.Context, index_dir: str) -> None:
    """Full-text search for folders of news articles.

    \b
    searchengine index ~/corpus          index (again: only what changed)
    searchengine search 'taliban "front line"' --from 2021-09
    searchengine search panjshir --json | jq '.hits[].title'
    searchengine shell                   search interactively
    searchengine similar ID              articles like article ID
    """
    ctx.obj = index_dir


# -- index --------------------------------------------------------------------
@cli.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--rebuild", is_flag=True, help="Start the index over instead of updating it.")
@click.option(
    "--encoding", metavar="ENC", help="Read every text file in this encoding (e.g. cp1252)."
)
@click.option(
    "--boilerplate-min-articles",
    type=click.IntRange(2),
    metavar="N",
    help="A line is a source's boilerplate when in at least N of its articles "
    "(default 5; kept by the index).",
)
@click.option(
    "--boilerplate-min-share",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    metavar="F",
    help="... and in at least this share of them, 0-1 (default 0.4; kept by the index).",
)
@click.option(
    "--dup-threshold",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    metavar="F",
    help="Articles are near-duplicates from this similarity of their texts, 0-1 "
    "(default 0.5; kept by the index).",
)
@index_option
@json_option
@click.pass_context
def index_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    rebuild: bool,
    encoding: str | None,
    boilerplate_min_articles: int | None,
    boilerplate_min_share: float | None,
    dup_threshold: float | None,
    index_dir: str,
    as_json: bool,
) -> None:
    """Index files and folders (recursively): .txt .md .html .json .jsonl(.gz)."""
    from searchengine.indexer.ledger import ThresholdOptions
    from searchengine.indexer.run import run_index

    target = _index_dir(ctx, index_dir)
    options: dict[str, Any] = {
        "rebuild": rebuild,
        "encoding": encoding,
        "boilerplate": ThresholdOptions(boilerplate_min_articles, boilerplate_min_share),
        "dup_threshold": dup_threshold,
    }
    try:
        if as_json or not sys.stderr.isatty():
            summary = run_index(target, list(paths), **options)
        else:
            from searchengine.render.progress import ProgressDisplay

            with ProgressDisplay(_console(sys.stderr)) as display:
                summary = run_index(target, list(paths), progress=display.update, **options)
    except KeyboardInterrupt:
        raise RunInterruptedError() from None
    _emit(summary, as_json)


# -- search -------------------------------------------------------------------
@cli.command("search")
@click.argument("query", required=False, default="")
@click.option(
    "--from",
    "date_from",
    metavar="DATE",
    help="Only articles on or after DATE (YYYY, YYYY-MM, YYYY-MM-DD).",
)
@click.option(
    "--to",
    "date_to",
    metavar="DATE",
    help="Only articles on or before DATE (inclusive: 2021-09 means to 30 Sep).",
)
@click.option(
    "--source", metavar="NAME", help="Only articles from this source (whole name, any case)."
)
@click.option(
    "--sort",
    type=click.Choice(["relevance", "newest", "oldest"]),
    default="relevance",
    show_default=True,
    help="Order of hits.",
)
@paging_options
@_by_option
@index_option
@json_option
@click.pass_context
def search_command(
    ctx: click.Context,
    query: str,
    date_from: str | None,
    date_to: str | None,
    source: str | None,
    sort: str,
    limit: int,
    page: int,
    no_collapse: bool,
    by: str | None,
    index_dir: str,
    as_json: bool,
) -> None:
    """Search once and exit.  An empty QUERY or * lists everything.

    Near-duplicates (the same story from several outlets) are shown once,
    with "+N similar"; --no-collapse shows every copy.
    """
    request = _request(
        query,
        date_from,
        date_to,
        source,
        sort=sort,
        collapse=not no_collapse,
        limit=limit,
        page=page,
        by=by,
        snippets=True,
    )
    with _engine(ctx, index_dir) as engine:
        result = engine.search(request)
    _emit(result, as_json)


# -- shell --------------------------------------------------------------------
@cli.command("shell")
@index_option
@click.pass_context
def shell_command(ctx: click.Context, index_dir: str) -> int:
    """Search interactively (:help lists the commands)."""
    from searchengine.shell import run_shell

    with _engine(ctx, index_dir) as engine:
        return run_shell(engine, _console())


# -- show ---------------------------------------------------------------------
@cli.command("show")
@click.argument("article_id", metavar="ID")
@click.option("--query", "query_text", metavar="Q", help="Highlight the matches of this query.")
@click.option(
    "--raw", is_flag=True, help="The text as read, boilerplate included (JSON: an added `raw`)."
)
@index_option
@json_option
@click.pass_context
def show_command(
    ctx: click.Context,
    article_id: str,
    query_text: str | None,
    raw: bool,
    index_dir: str,
    as_json: bool,
) -> None:
    """Show one whole article (ids are printed by `search`)."""
    with _engine(ctx, index_dir) as engine:
        view = engine.show(article_id, query_text, raw=raw)
    _emit(view, as_json, paged=True)


# -- similar ------------------------------------------------------------------
@cli.command("similar")
@click.argument("article_id", metavar="ID")
@paging_options
@index_option
@json_option
@click.pass_context
def similar_command(
    ctx: click.Context,
    article_id: str,
    limit: int,
    page: int,
    no_collapse: bool,
    index_dir: str,
    as_json: bool,
) -> None:
    """Articles most like article ID (not its own near-duplicates)."""
    from searchengine.query.similar import similar

    with _engine(ctx, index_dir) as engine:
        found = similar(engine, article_id, limit=limit, page=page, collapse=not no_collapse)
    _emit(found, as_json)


# -- stats --------------------------------------------------------------------
@cli.command("stats")
@index_option
@json_option
@click.pass_context
def stats_command(ctx: click.Context, index_dir: str, as_json: bool) -> None:
    """What the index holds: articles, sources, dates, size."""
    with _engine(ctx, index_dir) as engine:
        stats = engine.stats()
    _emit(stats, as_json)


# -- research: trend, export, kwic -------------------------------------------
def _request(
    query: str,
    date_from: str | None,
    date_to: str | None,
    source: str | None,
    *,
    sort: str = "relevance",
    collapse: bool = True,
    snippets: bool = False,
    limit: int = 10,
    page: int = 1,
    by: str | None = None,
) -> Any:
    """A :class:`SearchRequest` from the filter options ``search`` and the
    research commands share (paging and ``by`` are ``search``'s)."""
    from searchengine.dates import filter_bound
    from searchengine.query.request import SearchRequest

    request = SearchRequest(
        query=query,
        date_from=filter_bound(date_from, "from", what="--from"),
        date_to=filter_bound(date_to, "to", what="--to"),
        source=source,
        sort=sort,  # type: ignore[arg-type]
        collapse=collapse,
        snippets=snippets,
        limit=limit,
        page=page,
        by=by,  # type: ignore[arg-type]
    )
    request.validate()
    return request


@cli.command("trend")
@click.argument("queries", nargs=-1)
@filter_options
@_by_option
@click.option("--share", is_flag=True, help="Divide by all articles of each period (filtered).")
@click.option("--table", "as_table", is_flag=True, help="A table instead of the chart.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV on stdout: a row per period.")
@_no_collapse_option
@index_option
@json_option
@click.pass_context
def trend_command(
    ctx: click.Context,
    queries: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    source: str | None,
    by: str | None,
    share: bool,
    as_table: bool,
    as_csv: bool,
    no_collapse: bool,
    index_dir: str,
    as_json: bool,
) -> None:
    """Results per period of each query, side by side: a chart.

    \b
    searchengine trend flood drought --by week --from 2021
    searchengine trend '"peace talks"' --share --csv > talks.csv
    """
    if sum((as_table, as_csv, as_json)) > 1:
        raise click.UsageError("choose one of --table, --csv and --json")
    if not queries:
        raise UsageError(
            "trend needs at least one query, e.g. searchengine trend flood drought "
            "(one argument per query; quote a query of several words)"
        )
    from searchengine.query.aggregate import trend

    request = _request("", date_from, date_to, source, collapse=not no_collapse)
    with _engine(ctx, index_dir) as engine:
        found = trend(engine, queries, request, by=by, share=share)  # type: ignore[arg-type]
    if as_csv:
        from searchengine.render.tabular import trend_csv

        trend_csv(found, _utf8_stdout())
        return
    if as_table:
        from searchengine.render import chart

        _console().print(chart.trend(found, table=True))
        return
    _emit(found, as_json)


@cli.command("export")
@click.argument("query", required=False, default="")
@filter_options
@_sort_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="JSON Lines (one object a line) or CSV (UTF-8 with BOM, for spreadsheets).",
)
@click.option("--body", is_flag=True, help="Add each article's indexed text.")
@_no_collapse_option
@index_option
@click.pass_context
def export_command(
    ctx: click.Context,
    query: str,
    date_from: str | None,
    date_to: str | None,
    source: str | None,
    sort: str,
    fmt: str,
    body: bool,
    no_collapse: bool,
    index_dir: str,
) -> None:
    """Every result of QUERY on stdout, in order: JSON Lines or CSV.

    \b
    searchengine export flood --from 2021 --format csv > flood.csv
    searchengine export flood | jq -r .title
    """
    from searchengine.query.export import export
    from searchengine.render.tabular import write_export

    request = _request(query, date_from, date_to, source, sort=sort, collapse=not no_collapse)
    out = _utf8_stdout()
    with _engine(ctx, index_dir) as engine:
        total, rows = export(engine, request, body=body)
        if sys.stderr.isatty():
            from searchengine.render.progress import counted

            rows = counted(rows, total, _console(sys.stderr), "exporting")
        write_export(rows, out, fmt, body=body)  # type: ignore[arg-type]
        out.flush()


@cli.command("kwic")
@click.argument("query")
@filter_options
@_sort_option
@click.option(
    "--width",
    type=click.IntRange(1, 1000),
    default=None,
    help="Characters of context each side [default: to fit the terminal, else 40].",
)
@_no_collapse_option
@index_option
@json_option
@click.pass_context
def kwic_command(
    ctx: click.Context,
    query: str,
    date_from: str | None,
    date_to: str | None,
    source: str | None,
    sort: str,
    width: int | None,
    no_collapse: bool,
    index_dir: str,
    as_json: bool,
) -> None:
    """Every occurrence of QUERY's words or phrase in context (a concordance)."""
    from searchengine.query.kwic import DEFAULT_WIDTH, concordance

    request = _request(query, date_from, date_to, source, sort=sort, collapse=not no_collapse)
    with _engine(ctx, index_dir) as engine:
        found = concordance(engine, request, width=width or DEFAULT_WIDTH)
    _emit(found, as_json, paged=True)


class _Utf8Stdout:
    """stdout's bytes as UTF-8 text whatever the locale, line ends as given
    (CSV's CRLF stays CRLF).  Not a ``TextIOWrapper``: one of those closes
    stdout when it is collected."""

    def __init__(self) -> None:
        sys.stdout.flush()
        self._buffer = sys.stdout.buffer

    def write(self, text: str) -> int:
        self._buffer.write(text.encode("utf-8", "replace"))
        return len(text)

    def flush(self) -> None:
        self._buffer.flush()


def _utf8_stdout() -> _Utf8Stdout:
    return _Utf8Stdout()


def main() -> None:
    """Console-script entry point."""
    # numpy's OpenBLAS starts a thread per core when imported, half of
    # numpy's import time; nothing here does linear algebra.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    cli.main(prog_name="searchengine")
