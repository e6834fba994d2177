"""Regenerate README.md: the template with real output of the current code on examples/.

Maintainer tool, run from anywhere after a change that shows in the README (`make readme`):

    python tools/readme/build_readme.py

`template.md` holds the prose; `figures.md` the measured figures table (update it from `make eval`
and `make bench`). Everything shown as dyad's output is produced here by running `dyad`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import screenshots  # noqa: E402 (this folder's module, found once the folder is on the path)

ROOT = HERE.parents[1]
DYAD = str(Path(sys.executable).parent / "dyad")
ENV = {**os.environ, "COLUMNS": "110"}


def run(*args: str) -> str:
    return subprocess.run([DYAD, *args], capture_output=True, text=True, env=ENV, cwd=ROOT, check=True).stdout.rstrip()


def main() -> None:
    article = (ROOT / "examples/sahel_raid.txt").read_text(encoding="utf-8").rstrip()
    table = run("code", "--date", "2024-05-14", "--format", "table", "examples/sahel_raid.txt")
    lines = run("code", "--date", "2024-05-14", "examples/sahel_raid.txt").splitlines()
    pretty = json.dumps(json.loads(lines[-1]), indent=2, ensure_ascii=False)
    quotes = run("quotes", "examples/border_talks.txt").splitlines()[0]
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "readme.duckdb")
        run("ingest", "--date", "2024-05-14", "--db", db, "examples/")
        top = run("query", "--db", db, "top-dyads", "--limit", "5")
        shots = screenshots.take(db, ROOT / "docs" / "images")
    figures = (HERE / "figures.md").read_text(encoding="utf-8").rstrip()
    readme = (HERE / "template.md").read_text(encoding="utf-8").format(
        article=article, table=table, pretty=pretty, quotes=quotes, top=top, figures=figures, nevent=len(lines))
    (ROOT / "README.md").write_text(readme, encoding="utf-8")
    print(f"wrote README.md ({len(readme):,} characters, {len(lines)} events in the example)"
          + (f"; {len(shots)} screenshots in docs/images/" if shots else ""))


if __name__ == "__main__":
    main()
