"""The incremental run of the benchmark: 1 % of the articles edited in place.

searchengine indexes a copy of the corpus whose files are hard links to the
corpus's own (:func:`linked_copy`: no data copied, the corpus itself never
written).  After the other measurements, :func:`edit_articles` edits a
fixed share of the articles in that copy, chosen by a seeded random draw
over all articles (so, at 1 %, about ten of every JSON Lines shard of a
thousand, and one in a hundred of the one-article files), and the timed
``searchengine index`` run brings the index up to date.  An edited file is
written anew (a new file renamed over the link), so the corpus keeps its
bytes.  The edit adds a sentence at the end of the article's text; the same
seed edits the same articles the same way.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

from benchmarks.corpus_reader import iter_files

#: The sentence an edit adds (the benchmark's own words).
EDIT = " Editor's note: this report was revised after publication."


def linked_copy(source: Path, target: Path) -> None:
    """``target`` as a tree of hard links to the files under ``source``
    (copies where the file system cannot link)."""
    if target.exists():
        shutil.rmtree(target)
    for folder, _dirs, names in os.walk(source):
        here = target / Path(folder).relative_to(source)
        here.mkdir(parents=True, exist_ok=True)
        for name in names:
            try:
                os.link(Path(folder, name), here / name)
            except OSError:
                shutil.copy2(Path(folder, name), here / name)


def _articles(root: Path) -> list[tuple[Path, int]]:
    """Every article under ``root``: its file and line (0 for one-article files)."""
    out: list[tuple[Path, int]] = []
    for path in iter_files(root):
        if path.suffix == ".jsonl":
            with path.open("rb") as handle:
                out += [(path, n) for n, line in enumerate(handle) if line.strip()]
        else:
            out.append((path, 0))
    return out


def _replace(path: Path, text: str) -> None:
    """Write ``path`` anew (breaking its hard link to the corpus)."""
    temporary = path.with_name(path.name + ".edit")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def edit_articles(root: Path, share: float, seed: int) -> dict[str, int]:
    """Edit ``share`` of the articles under ``root`` (see the module's
    description); returns how many articles and files were edited, and how
    many articles the edited files hold."""
    articles = _articles(root)
    count = max(1, round(len(articles) * share))
    chosen = sorted(random.Random(f"edit-{seed}").sample(range(len(articles)), count))
    by_file: dict[Path, list[int]] = {}
    for n in chosen:
        path, line = articles[n]
        by_file.setdefault(path, []).append(line)
    held = 0
    for path, lines in by_file.items():
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".jsonl":
            rows = text.split("\n")
            held += sum(1 for row in rows if row.strip())
            for line in lines:
                record = json.loads(rows[line])
                key = "content" if "content" in record else "body"
                record[key] = record[key] + EDIT
                rows[line] = json.dumps(record, ensure_ascii=False)
            _replace(path, "\n".join(rows))
        else:
            held += 1
            _replace(path, text.rstrip("\n") + EDIT + "\n")
    return {"articles": count, "files": len(by_file), "articles_in_files": held}
