"""Errors and the per-file reading context shared by the readers."""

from __future__ import annotations

from pathlib import Path

from dyad.components.events.dictionaries.elements import Diagnostic

__all__ = ["MAX_FORMS", "DictionaryError", "ReadContext", "resolve_beside"]

# Surface forms one phrase may expand to (issues' '+', N: and V:; agents' !MARKER! substitutions): real
# dictionaries stay far below (Phoenix.IssueCoding.txt: 64 at most; agents: two markers a line), a damaged
# line past it would fill memory (found by fuzzing, issue 19). Set by hand on the dictionaries of ../shared.
MAX_FORMS = 4096


class DictionaryError(ValueError):
    """A dictionary line that cannot be read. The message names the file, the line number and
    what was expected; ``path``, ``lineno`` and ``line`` are also available as attributes."""

    def __init__(self, path: str | Path, lineno: int, message: str, line: str | None = None):
        self.path = str(path)
        self.lineno = lineno
        self.line = line
        self.headline = f"{self.path}:{lineno}: {message}"  # one line, for a reason or a warning
        text = self.headline
        if line is not None:
            text += f"\n    line {lineno}: {line.strip()!r}"
        super().__init__(text)


class ReadContext:
    """Where a reader is: the file, the current line (for errors) and the quirks tolerated."""

    __slots__ = ("line", "lineno", "path", "warnings")

    def __init__(self, path: str | Path):
        self.path = str(path)
        self.lineno = 0
        self.line = ""
        self.warnings: list[Diagnostic] = []

    def error(self, message: str, lineno: int | None = None) -> DictionaryError:
        lineno = self.lineno if lineno is None else lineno
        return DictionaryError(self.path, lineno, message, self.line if lineno == self.lineno else None)

    def warn(self, message: str, lineno: int | None = None) -> None:
        self.warnings.append(Diagnostic(self.path, self.lineno if lineno is None else lineno, message))


def resolve_beside(path: Path, name: str, ctx: ReadContext, lineno: int | None = None) -> str:
    """A file named in a project or config file, resolved beside that file; a name no file can have (a NUL
    in it, a symbolic-link loop) is an error on its line."""
    try:
        return str((path.parent / name).resolve())
    except (ValueError, OSError, RuntimeError) as error:
        raise ctx.error(f"{name[:80]!r} is not a usable file name ({error})", lineno) from None
