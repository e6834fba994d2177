"""The one reader of dyad's knowledge files (packaged data, read with `importlib.resources`).

Tables are UTF-8 TSV with a header row, `#` comments and `|` between variants; a few files are plain
text with their own sections (boilerplate, quote cues), read whole with :func:`read_text`.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources


class KnowledgeError(ValueError):
    """A knowledge file that cannot be read; the message names file and line."""


def read_bytes(relative_path: str) -> bytes:
    """A packaged knowledge file's bytes (what a cache key hashes)."""
    return resources.files("dyad.knowledge").joinpath(relative_path).read_bytes()


def read_text(relative_path: str) -> str:
    """A packaged knowledge file's text (UTF-8)."""
    return resources.files("dyad.knowledge").joinpath(relative_path).read_text("utf-8")


def read_table(relative_path: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) for each entry of a packaged knowledge table."""
    text = read_text(relative_path)
    header: list[str] | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if header is None:
            header = cells
            continue
        if len(cells) > len(header):
            raise KnowledgeError(
                f"{relative_path}:{lineno}: {len(cells)} columns, the header has {len(header)}"
            )
        yield lineno, dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True))


def variants(cell: str) -> list[str]:
    return [v.strip() for v in cell.split("|") if v.strip()]
