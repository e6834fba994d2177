"""Reading a gold file's text and JSON: every reader fails the same way, with a GoldError naming the file
(and line) and saying what is wrong, never a decoder's exception."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["GoldError", "parse_json", "read_gold_json", "read_gold_text", "text_or_none"]


class GoldError(ValueError):
    """A gold file that cannot be read (missing, of a format that cannot be told, or malformed)."""


def read_gold_text(path: str | Path) -> str:
    """The file's text: UTF-8 (a byte-order mark allowed); other bytes are a GoldError."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise GoldError(f"{path}: not UTF-8 text (invalid byte at offset {error.start}); gold files are "
                        "UTF-8") from None


def parse_json(text: str, where: str, line: int = 1) -> Any:
    """One JSON document (starting at `line` of the file `where`); malformed or too deeply nested JSON is a
    GoldError naming the file and line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise GoldError(f"{where}:{line + error.lineno - 1}: malformed JSON: {error.msg} at column "
                        f"{error.colno}") from None
    except RecursionError:
        raise GoldError(f"{where}:{line}: JSON nested too deeply to read") from None


def read_gold_json(path: str | Path) -> Any:
    """The JSON document a file holds (see :func:`parse_json`)."""
    return parse_json(read_gold_text(path), str(path))


def text_or_none(value: Any) -> str | None:
    """A field read as text: None stays None, anything else its string (a gold file's number or list)."""
    return None if value is None else value if isinstance(value, str) else str(value)
