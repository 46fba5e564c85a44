"""``searchengine shell``: search a corpus interactively at a prompt.

The shell is a front-end like ``cli.py``: it reads lines, asks the
:class:`~searchengine.query.engine.Engine`, and draws the same result objects
with :mod:`searchengine.render.rich_out`.  Lines come from an injectable
reader, so tests script it and ``printf 'q\\n:quit\\n' | searchengine shell``
works without a terminal.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shlex
import sys
from collections.abc import Callable, Iterator
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from searchengine.dates import filter_bound
from searchengine.errors import SearchEngineError, UsageError
from searchengine.models import Hit, SearchResult
from searchengine.query.aggregate import trend
from searchengine.query.engine import Engine
from searchengine.query.export import export
from searchengine.query.kwic import DEFAULT_WIDTH, check_width, concordance
from searchengine.query.periods import check_by
from searchengine.query.request import SORT_ORDERS, SearchRequest
from searchengine.query.similar import similar
from searchengine.render import chart, rich_out
from searchengine.render.tabular import Format, write_export

LineReader = Callable[[str], str]

COMMANDS: dict[str, str] = {
    ":next": "next page of results (also :n)",
    ":prev": "previous page (also :p)",
    ":page N": "go to page N",
    ":open N": "show hit N whole, with its matches highlighted (also :o N)",
    ":similar N": "articles most like hit N, not its near-duplicates",
    ":from DATE": "only articles on or after DATE (YYYY, YYYY-MM, YYYY-MM-DD); :from alone clears",
    ":to DATE": "only articles on or before DATE; :to alone clears",
    ":source NAME": "only articles from NAME (whole name, any case); :source alone clears",
    ":sort ORDER": "relevance, newest or oldest",
    ":clear": "clear every filter and the sort",
    ":stats": "what the index holds",
    ":trend [Q ...]": "results per period of the search, or of each query Q, as a chart "
    "(--by day|week|month|year, --share)",
    ":kwic": "every occurrence of the search's words in context (--width N)",
    ":export FILE": "every result of the search into FILE: CSV if it ends in .csv, "
    "else JSON Lines (--body adds the text)",
    ":help": "this list (also :h, ?)",
    ":quit": "leave (also :q, Ctrl-D)",
}
ALIASES = {
    ":n": ":next",
    ":p": ":prev",
    ":o": ":open",
    ":h": ":help",
    "?": ":help",
    ":q": ":quit",
    ":exit": ":quit",
}
#: Words offered by Tab completion besides the commands.
FIELD_WORDS = ("title:", "body:", "source:", "author:", "date:", "AND", "OR", "NOT")


class Shell:
    """The interactive loop, with its state: the query, filters and page."""

    def __init__(
        self, engine: Engine, console: Console, read_line: LineReader, *, page_size: int = 5
    ) -> None:
        self.engine = engine
        self.console = console
        self.read_line = read_line
        self.request = SearchRequest(limit=page_size)
        self.result: SearchResult | None = None

    # -- the loop -------------------------------------------------------

    def prompt(self) -> str:
        filters = [f"{k} {v}" for k, v in self.request.filters()]
        return (f"[{' · '.join(filters)}] " if filters else "") + "search> "

    def run(self) -> int:
        """Read and answer lines until :quit or end of input; the exit code."""
        self.console.print(
            Text("Type words to search, :help for commands, :quit to leave.", style="dim")
        )
        while True:
            try:
                line = self.read_line(self.prompt())
            except EOFError:
                self.console.print()
                return 0
            except KeyboardInterrupt:  # Ctrl-C at the prompt: a fresh line
                self.console.print()
                continue
            try:
                if not self.handle(line.strip()):
                    return 0
            except KeyboardInterrupt:
                self.console.print(Text("(cancelled)", style="dim"))
            except SearchEngineError as error:
                self.error(error.message)

    def error(self, message: str) -> None:
        self.console.print(Text.assemble(("error: ", "bold red"), rich_out.safe(message)))

    def handle(self, line: str) -> bool:
        """Act on one line; ``False`` means leave."""
        if not line:
            return True
        if not (line.startswith(":") or line == "?"):
            self.request = dataclasses.replace(self.request, query=line, page=1)
            self.search()
            return True
        command, _, argument = line.partition(" ")
        command = ALIASES.get(command.lower(), command.lower())
        argument = argument.strip()
        handler = self._handlers().get(command)
        if handler is None:
            self.error(f"unknown command {command!r}; :help lists the commands")
            return True
        return handler(argument) is not False

    def _handlers(self) -> dict[str, Callable[[str], bool | None]]:
        return {
            ":next": lambda _: self.turn(+1),
            ":prev": lambda _: self.turn(-1),
            ":page": self.goto,
            ":open": self.open,
            ":similar": self.similar,
            ":from": lambda a: self.set_date("from", a),
            ":to": lambda a: self.set_date("to", a),
            ":source": self.set_source,
            ":sort": self.set_sort,
            ":clear": self.clear,
            ":stats": lambda _: self.console.print(rich_out.stats(self.engine.stats())),
            ":trend": self.trend,
            ":kwic": self.kwic,
            ":export": self.export,
            ":help": lambda _: self.help(),
            ":quit": lambda _: False,
        }

    # -- commands -------------------------------------------------------

    def search(self) -> None:
        self.result = self.engine.search(self.request)
        self.console.print(rich_out.search_result(self.result))

    def research(self) -> None:
        """Run the current query again after a filter changed (if there is one)."""
        self.request = dataclasses.replace(self.request, page=1)
        if self.result is not None:
            self.search()
        else:
            self.console.print(Text("filters set: " + (self.prompt()[:-8] or "none"), style="dim"))

    def turn(self, step: int) -> None:
        if self.result is None:
            self.error("no search yet; type some words first")
            return
        pages = max(1, -(-self.result.total // self.request.limit))
        page = self.request.page + step
        if not 1 <= page <= pages:
            self.error("already on the last page" if step > 0 else "already on the first page")
            return
        self.request = dataclasses.replace(self.request, page=page)
        self.search()

    def goto(self, argument: str) -> None:
        if self.result is None:
            self.error("no search yet; type some words first")
            return
        if not argument.isdigit() or int(argument) < 1:
            self.error(":page takes a page number, like :page 2")
            return
        self.turn(int(argument) - self.request.page)

    def hit_numbered(self, command: str, argument: str) -> Hit | None:
        """Hit number ``argument`` of the page shown, or ``None`` (and a message)."""
        if self.result is None or not self.result.hits:
            self.error(f"no hits to {command[1:]}; search first")
            return None
        first = (self.result.page - 1) * self.result.limit + 1
        last = first + len(self.result.hits) - 1
        if not argument.isdigit() or not first <= int(argument) <= last:
            self.error(f"{command} takes the number of a hit on this page ({first}-{last})")
            return None
        return self.result.hits[int(argument) - first]

    def open(self, argument: str) -> None:
        hit = self.hit_numbered(":open", argument)
        if hit is not None:
            view = self.engine.show(hit.id, self.request.query or None)
            rich_out.print_paged(self.console, rich_out.article(view))

    def similar(self, argument: str) -> None:
        """The articles most like hit N; the current search stays as it was."""
        hit = self.hit_numbered(":similar", argument)
        if hit is not None:
            found = similar(self.engine, hit.id, limit=self.request.limit)
            self.console.print(rich_out.similar_result(found))

    # -- research -------------------------------------------------------

    def _options(self, command: str, argument: str, flags: dict[str, bool]) -> list[str]:
        """``argument`` split as a shell would (quotes group words), with the
        ``--flag`` and ``--option VALUE`` words in ``flags`` (name -> takes a
        value) taken out into :attr:`_taken`; the other words returned."""
        try:
            words = shlex.split(argument)
        except ValueError as error:
            raise UsageError(f"{command}: {error}") from None
        self._taken: dict[str, str] = {}
        rest: list[str] = []
        while words:
            word = words.pop(0)
            if word not in flags:
                rest.append(word)
            elif not flags[word]:
                self._taken[word] = ""
            elif not words:
                raise UsageError(f"{command}: {word} needs a value")
            else:
                self._taken[word] = words.pop(0)
        return rest

    def trend(self, argument: str) -> None:
        """``:trend [Q ...] [--by P] [--share]``: the current search's query
        (or the queries given) per period, under the current filters."""
        queries = self._options(":trend", argument, {"--by": True, "--share": False})
        if not queries:
            if self.result is None:
                self.error(":trend charts the current search, or the queries given; search first")
                return
            queries = [self.request.query]
        by = check_by(self._taken["--by"], what="--by") if "--by" in self._taken else None
        base = dataclasses.replace(self.request, query="", page=1)
        found = trend(self.engine, queries, base, by=by, share="--share" in self._taken)
        self.console.print(chart.trend(found))

    def kwic(self, argument: str) -> None:
        """``:kwic [--width N]``: the current search's occurrences in context."""
        if self.result is None:
            self.error(":kwic shows the current search's words in context; search first")
            return
        self._options(":kwic", argument, {"--width": True})
        width = self._taken.get("--width", str(DEFAULT_WIDTH))
        if not width.isdigit():
            self.error(":kwic --width takes a number of characters, like --width 30")
            return
        found = concordance(self.engine, self.request, width=check_width(int(width)))
        rich_out.print_paged(self.console, rich_out.concordance(found))

    def export(self, argument: str) -> None:
        """``:export FILE [--body]``: every result of the current search."""
        if self.result is None:
            self.error(":export writes the current search's results to a file; search first")
            return
        words = self._options(":export", argument, {"--body": False})
        if len(words) != 1:
            self.error(":export takes one file name, like :export hits.csv (.csv for CSV)")
            return
        target = os.path.expanduser(words[0])
        fmt: Format = "csv" if target.lower().endswith(".csv") else "jsonl"
        body = "--body" in self._taken
        _, rows = export(self.engine, self.request, body=body)
        try:
            with open(target, "w", encoding="utf-8", newline="") as handle:
                written = write_export(rows, handle, fmt, body=body)
        except OSError as error:
            self.error(f"cannot write {target}: {error.strerror or error}")
            return
        self.console.print(Text(f"wrote {written:,} results to {target} ({fmt})", style="dim"))

    def set_date(self, which: str, argument: str) -> None:
        value = filter_bound(argument or None, which, what=f":{which}")
        if which == "from":
            changed = dataclasses.replace(self.request, date_from=value)
        else:
            changed = dataclasses.replace(self.request, date_to=value)
        changed.validate()
        self.request = changed
        self.research()

    def set_source(self, argument: str) -> None:
        self.request = dataclasses.replace(self.request, source=argument or None)
        self.research()

    def set_sort(self, argument: str) -> None:
        order = argument.lower()
        if order not in SORT_ORDERS:
            self.error(f":sort takes one of {', '.join(SORT_ORDERS)}")
            return
        # Indexing SORT_ORDERS gives the value its Literal type back.
        self.request = dataclasses.replace(self.request, sort=SORT_ORDERS[SORT_ORDERS.index(order)])
        self.research()

    def clear(self, _: str) -> None:
        self.request = SearchRequest(query=self.request.query, limit=self.request.limit)
        self.research()

    def help(self) -> None:
        self.console.print(
            Text("Type words to search (the full query language works). Commands:", style="bold")
        )
        # A grid, so that a description too long for the line wraps under itself.
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="cyan", no_wrap=True)
        grid.add_column()
        for name, text in COMMANDS.items():
            grid.add_row(name, text)
        self.console.print(grid)


# -- line readers ---------------------------------------------------------


def history_path(environ: dict[str, str] | None = None) -> str:
    """Where the prompt's history is kept: ``$XDG_STATE_HOME/searchengine/history``."""
    env = os.environ if environ is None else environ
    state = env.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(state, "searchengine", "history")


def completions(text: str) -> list[str]:
    """What Tab offers for the word being typed."""
    words = [*COMMANDS, *ALIASES, *FIELD_WORDS]
    names = sorted({w.split(" ")[0] for w in words})
    return [name for name in names if name.startswith(text)]


def terminal_reader(history: str) -> tuple[LineReader, Callable[[], None]]:
    """A reader with line editing, history and completion, and its closer."""
    import readline

    with contextlib.suppress(OSError):  # no history yet
        readline.read_history_file(history)
    readline.set_history_length(1000)
    readline.set_completer_delims(' \t\n"()')

    def complete(text: str, state: int) -> str | None:
        options = completions(text)
        return options[state] if state < len(options) else None

    readline.set_completer(complete)
    readline.parse_and_bind("tab: complete")

    def save() -> None:
        try:
            os.makedirs(os.path.dirname(history), exist_ok=True)
            readline.write_history_file(history)
        except OSError:
            pass  # history is a convenience; never fail a session over it

    return input, save


def stream_reader(stream: Any) -> LineReader:
    """A reader for piped input: no prompt echo, EOF at the end."""
    lines: Iterator[str] = iter(stream.readline, "")

    def read(_prompt: str) -> str:
        try:
            return next(lines).rstrip("\n")
        except StopIteration:
            raise EOFError from None

    return read


def run_shell(engine: Engine, console: Console) -> int:
    """Run the shell on the process's own terminal (or piped stdin)."""
    if sys.stdin.isatty():
        read, save = terminal_reader(history_path())
        try:
            return Shell(engine, console, read).run()
        finally:
            save()
    return Shell(engine, console, stream_reader(sys.stdin)).run()
