"""``trend``: the chart and table (Rich, at 80 and 40 columns) and the command."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console, RenderableType

from searchengine.cli import cli
from searchengine.indexer.run import run_index
from searchengine.models import Series, Trend
from searchengine.render import chart

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
WEEKS = ("2021-09-06", "2021-09-13", "2021-09-20", "2021-09-27", "2021-10-04", "2021-10-11")
SMALL = Trend(
    by="week",
    periods=WEEKS,
    starts=tuple(dt.date.fromisoformat(w) for w in WEEKS),
    series=(Series("flood", (0, 3, 8, 2, 0, 1), 1), Series("drought", (4, 2, 0, 0, 1, 5), 0)),
)


def draw(renderable: RenderableType, width: int) -> list[str]:
    out = StringIO()
    Console(file=out, width=width, color_system=None).print(renderable)
    return out.getvalue().splitlines()


def test_small_multiples_at_40_columns_exactly() -> None:
    assert draw(chart.trend(SMALL), 40) == [
        "results per week",
        "2021-09-06 … 2021-10-11",
        "■ flood  15 · peak 8 (2021-09-20)",
        "8┤            █████",
        " │            █████",
        " │            █████",
        " │      ▇▇▇▇▇ █████ ▂▂▂▂▂",
        " │      █████ █████ █████       ▅▅▅▅▅",
        "■ drought  12 · peak 5 (2021-10-11)",
        "8┤",
        " │                              ▁▁▁▁▁",
        " │▄▄▄▄▄                         █████",
        " │█████ ▂▂▂▂▂                   █████",
        " │█████ █████             ▅▅▅▅▅ █████",
        "0└────────────────────────────────────",
        "  2021-09-06  2021-09-20  2021-10-04",
    ]


def test_at_80_columns_the_legend_says_what_is_undated() -> None:
    lines = draw(chart.trend(SMALL), 80)
    assert lines[0] == "results per week  2021-09-06 … 2021-10-11"
    assert lines[1] == "■ flood  15 · peak 8 (2021-09-20) · 1 undated"
    assert lines[-1].split() == list(WEEKS)  # every week labelled when there is room


def _year_of_weeks(share: bool) -> Trend:
    first = dt.date(2021, 1, 4)
    starts = tuple(first + dt.timedelta(weeks=n) for n in range(52))
    counts = [tuple((n * (k + 3)) % 17 for n in range(52)) for k in range(3)]
    articles = tuple(40 + n for n in range(52)) if share else None
    return Trend(
        by="week",
        periods=tuple(s.isoformat() for s in starts),
        starts=starts,
        series=tuple(
            Series(
                name,
                c,
                0,
                None
                if articles is None
                else tuple(x / a for x, a in zip(c, articles, strict=True)),
            )
            for name, c in zip(("sea level", "drought", "wildfire smoke"), counts, strict=True)
        ),
        articles=articles,
        filters=(("from", "2021-01-01"), ("source", "Coastal Wire")),
    )


@pytest.mark.parametrize("share", [False, True])
@pytest.mark.parametrize("width", [80, 40])
def test_a_year_of_weeks_fits_80_and_40_columns(width: int, share: bool) -> None:
    lines = draw(chart.trend(_year_of_weeks(share)), width)
    assert all(len(line) <= width for line in lines), lines
    legends = [line for line in lines if line.startswith("■ ")]
    assert [line.split("  ")[0] for line in legends] == [
        "■ sea level",
        "■ drought",
        "■ wildfire smoke",
    ]
    # 52 weeks in 40 columns: two weeks a column, and the header says so.
    assert ("per 2 weeks" in lines[0]) == (width == 40)
    assert "2021-01-04" in lines[-1]
    assert any("source:Coastal Wire" in line for line in lines[:3])
    if not share:
        # The scale is of what a column shows: two weeks summed at 40 columns.
        trend = _year_of_weeks(False)
        run = 2 if width == 40 else 1
        top = max(sum(s.counts[i : i + run]) for s in trend.series for i in range(0, 52, run))
        assert [line.split("┤")[0].strip() for line in lines if "┤" in line] == [str(top)] * 3
    if share:
        assert lines[0].startswith("share of all articles per")
        assert any(line.split("┤")[0].strip().endswith("%") for line in lines if "┤" in line)


def test_the_table_has_a_row_per_period_and_the_totals() -> None:
    assert draw(chart.trend(SMALL, table=True), 80) == [
        " period      flood  drought ",
        " 2021-09-06      0        4 ",
        " 2021-09-13      3        2 ",
        " 2021-09-20      8        0 ",
        " 2021-09-27      2        0 ",
        " 2021-10-04      0        1 ",
        " 2021-10-11      1        5 ",
        " undated         1        0 ",
        " total          15       12 ",
    ]


# -- the command ------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    index_dir = str(tmp_path_factory.mktemp("trend") / "index")
    run_index(index_dir, [str(SEEDS)])
    return index_dir


def trend(index: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--index", index, "trend", *args])
    return result.exit_code, result.stdout_bytes.decode("utf-8"), result.stderr


def test_csv_is_a_row_per_period(seeds_index: str) -> None:
    code, out, err = trend(seeds_index, "harbour", '"peace talks"', "--by", "week", "--csv")
    assert (code, err) == (0, "")
    assert out == ('\ufeffperiod,harbour,"""peace talks"""\r\n2021-09-06,4,3\r\n2021-09-13,2,0\r\n')
    code, out, _ = trend(seeds_index, "harbour", "--by", "week", "--csv", "--share")
    assert (
        out == "\ufeffperiod,harbour,articles\r\n2021-09-06,0.666667,6\r\n2021-09-13,1.000000,2\r\n"
    )


def test_chart_and_table_on_a_terminal_of_any_width(seeds_index: str) -> None:
    code, out, _ = trend(seeds_index, "harbour", "flood", "--by", "week")
    assert code == 0
    assert out.splitlines()[:2] == [
        "results per week  2021-09-06 … 2021-09-13",
        "■ harbour  6 · peak 4 (2021-09-06)",
    ]
    code, out, _ = trend(seeds_index, "harbour", "--table", "--by", "week")
    assert code == 0 and "2021-09-13" in out and "total" in out


@pytest.mark.parametrize(
    ("args", "kind", "message"),
    [
        ((), "usage", "trend needs at least one query, e.g. searchengine trend flood drought"),
        (
            ("x", "--by", "fortnight"),
            "usage",
            "'fortnight' is not one of 'day', 'week', 'month', 'year'",
        ),
        (("x", "--csv", "--table"), "usage", "choose one of --table, --csv and --json"),
        (("x", "--from", "2021-13"), "bad_date", "not a real calendar date"),
    ],
)
def test_bad_input_is_exit_2_saying_what_is_allowed(
    seeds_index: str, args: tuple[str, ...], kind: str, message: str
) -> None:
    code, out, err = trend(seeds_index, *args)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err
    code, out, err = trend(seeds_index, *args, "--json")
    assert code == 2 and out == ""
    error = json.loads(err)["error"]
    assert error["type"] == kind and message in error["message"]
