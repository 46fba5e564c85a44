"""The README's module table stays true: every module has a row, and a
module imports only from its own row or the rows above it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "searchengine"


def table_rows() -> list[list[str]]:
    """The first cell of each row of the README's module table, as the
    module paths it names (``index/schema.py``; the first row of a package
    also holds its ``__init__.py``) or a whole package (``load/``)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| module | does |") :]
    table = table[: table.index("\n\n")]
    rows = []
    for line in table.split("\n")[2:]:
        names = re.findall(r"`([^`]+)`", line.split("|")[1])
        package = next((n for n in names if n.endswith("/")), "")
        files = [n if "/" in n else package + n for n in names if n.endswith(".py")]
        if files and package:
            files.append(package + "__init__.py")
        rows.append(files or [package])
    return rows


def row_of(module: Path, rows: list[list[str]]) -> int | None:
    """The row of ``module`` (a path relative to the package): its own, else its package's."""
    name = module.as_posix()
    for n, names in enumerate(rows):
        if name in names:
            return n
    for n, names in enumerate(rows):
        if any(entry.endswith("/") and name.startswith(entry) for entry in names):
            return n
    return None


def imported(path: Path) -> set[Path]:
    """Our modules ``path`` imports, at the top or inside a function
    (relative to the package; the package itself is left out)."""
    found: set[Path] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] != "searchengine" or len(parts) == 1:
                continue
            module = Path(*parts[1:])
            if (PACKAGE / module).with_suffix(".py").is_file():
                found.add(module.with_suffix(".py"))
            elif (PACKAGE / module / "__init__.py").is_file():
                found.add(module / "__init__.py")
    return found


def our_modules() -> list[Path]:
    return sorted(
        p.relative_to(PACKAGE)
        for p in PACKAGE.rglob("*.py")
        if p.name != "__main__.py" and p.relative_to(PACKAGE) != Path("__init__.py")
    )


def test_every_module_has_a_row() -> None:
    rows = table_rows()
    missing = [m.as_posix() for m in our_modules() if row_of(m, rows) is None]
    assert missing == [], (
        f"{missing} have no row in the README's module table (under Development): "
        "add one below the modules they import"
    )


def test_imports_go_one_way_down_the_table() -> None:
    rows = table_rows()
    upward = []
    for module in our_modules():
        here = row_of(module, rows)
        assert here is not None
        for target in imported(PACKAGE / module):
            there = row_of(target, rows)
            if there is not None and there > here:
                upward.append(f"{module.as_posix()} imports {target.as_posix()}")
    assert upward == [], "imports up the README's module table: " + "; ".join(upward)


def test_the_indexer_and_the_query_layer_never_import_each_other() -> None:
    crossing = [
        f"{module.as_posix()} imports {target.as_posix()}"
        for module in our_modules()
        for target in imported(PACKAGE / module)
        if {module.parts[0], target.parts[0]} == {"indexer", "query"}
    ]
    assert crossing == []
