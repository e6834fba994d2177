"""TABARI validation files (TABARI 0.8.4b2 manual, 10.1 "Validation").

A record is a header line ``YYMMDD  ID`` (a date of 6 to 9 digits, blanks, the record ID; further
words on the line, such as a story number, are ignored, and so is a repeated date), the text, and a
``/* ... */`` comment in which every ``{...}`` block is a validation field:

- ``{ SRC / TGT / CODE }``: an event that must be coded (blank-trimmed; anything after the ``}``,
  such as a time-shifted date or a label, is ignored);
- ``{---}`` no event, ``{###}`` discard, ``{+++}`` complex: these special codes win over any event
  block of the record, as in TABARI ("checked first");
- ``-{ ... }`` ends the checked list: the events before it must be coded and nothing after it is
  checked; a record with no event before it is not checked at all;
- ``{ OPTION: <.options command> }`` changes a setting for the records after it; a record with only
  such blocks is an option-setting record, not a test.

The text runs from the line after the header to the start of the comment (``/*``, possibly at the
end of a text line) or to the first line starting with ``\\n`` (one record forgot its ``/*``).
Validation blocks are read from the rest of the record, up to the next header; a block left open
ends at ``*/`` or at the end of its line. Lines starting with ``#`` between records are banners.
Reading stops at the record ``FINAL-01``: the records after it make TABARI terminate.
The dictionaries are those of the ``.project`` file beside the text that names it as its
``<textfile>`` (else one with the same stem, else the only ``.project`` there).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from dyad.components.events.dictionaries.errors import DictionaryError
from dyad.components.events.dictionaries.tabari import read_options, read_project
from dyad.evaluate.gold.model import GoldEvent, GoldRecord, GoldSet, category_of

__all__ = ["STOP_ID", "find_project", "parse_tabari_date", "read_tabari"]

STOP_ID = "FINAL-01"

_HEADER = re.compile(r"^(\d{6,9})[ \t]+(\S.*?)\s*$")
_BLOCK = re.compile(r"(-?)\{([^{}\n]*?)(?:\}|(?=\*/)|$)", re.M)


def parse_tabari_date(raw: str) -> dt.date | None:
    """``YYMMDD`` (years 00-30 are 2000-2030, as in TABARI's date restrictions) or ``YYYYMMDD``
    (TABARI's ``SET: YYYY = TRUE``); ``None`` for anything else or an impossible date."""
    try:
        if len(raw) == 6:
            yy = int(raw[:2])
            return dt.date(2000 + yy if yy <= 30 else 1900 + yy, int(raw[2:4]), int(raw[4:6]))
        if len(raw) == 8:
            return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        return None
    return None


def _record_id(rest: str) -> str:
    words = rest.split()
    while len(words) > 1 and words[0].isdigit():  # "950101  950101  AGENTS-11"
        words.pop(0)
    return words[0]


def find_project(path: Path) -> Path | None:
    """The TABARI ``.project`` beside ``path`` that names it as its text file, else one with the
    same stem, else the only one in the directory."""
    projects = sorted(path.parent.glob("*.project"))
    for project in projects:
        try:
            names = read_project(project).files.get("text", [])
        except (DictionaryError, OSError, UnicodeError):
            continue
        if any(Path(n).name == path.name for n in names):
            return project
    same = path.with_suffix(".project")
    if same.is_file():
        return same
    return projects[0] if len(projects) == 1 else None


def _option(command: str, where: str) -> dict[str, str]:
    """One ``.options`` command line, keyed as :func:`read_options` keys it."""
    parsed = read_options(where, text=command + "\n")
    return {key: option.value for key, option in parsed.options.items()}


def _split_body(body: list[str]) -> tuple[list[str], int, str]:
    """A record's lines -> (text lines, index of the first line after the text, the rest as one
    string without ``#`` lines). The text runs up to "/*" or a "\\n..." comment line."""
    text_lines: list[str] = []
    rest_at = len(body)
    for i, line in enumerate(body):
        if line.lstrip().startswith("\\n"):
            rest_at = i
            break
        if "/*" in line:
            text_lines.append(line[: line.index("/*")])
            rest_at = i
            break
        text_lines.append(line)
    rest_lines = body[rest_at:]
    if rest_at < len(body) and "/*" in body[rest_at]:
        rest_lines = [body[rest_at][body[rest_at].index("/*") :], *body[rest_at + 1 :]]
    return text_lines, rest_at, "\n".join(line for line in rest_lines if not line.startswith("#"))


def _settle_kind(gold: GoldSet, record: GoldRecord, specials: set[str], truncated: bool, sets_options: bool) -> None:
    """What a record checks, from its special codes, events and options (see the module docstring)."""
    if "+++" in specials:
        record.kind, record.checked, record.skip = "complex", False, "complex {+++}"
    elif "###" in specials:
        record.kind = "discard"
    elif "---" in specials:
        record.kind = "no_event"
    elif record.events:
        record.truncated = truncated
    elif truncated:
        record.checked, record.skip = False, "nothing checked before -{"
    elif sets_options:
        record.kind, record.checked, record.skip = "options", False, "sets options only"
    else:
        record.kind = "no_event"
        gold.warnings.append(f"{record.where}: {record.id}: no validation field; read as no event")
    if specials and record.events:
        gold.warnings.append(f"{record.where}: {record.id}: special code {sorted(specials)[0]} given "
                             "with events; the special code wins")


def read_tabari(path: str | Path, *, stop_id: str | None = STOP_ID, text: str | None = None) -> GoldSet:
    """Read a TABARI validation file into a :class:`GoldSet` (see the module docstring)."""
    path = Path(path)
    if text is None:
        text = path.read_bytes().decode("utf-8", errors="replace")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    origin = str(path)
    gold = GoldSet(path=origin, format="tabari")
    project = find_project(path) if path.parent.is_dir() else None
    if project is not None:
        gold.dictionaries = [str(project.resolve())]
        gold.environment["project"] = str(project.resolve())

    headers = [i for i, line in enumerate(lines) if _HEADER.match(line)]
    options: dict[str, str] = {}
    option_lines: list[str] = []
    for n, start in enumerate(headers):
        end = headers[n + 1] if n + 1 < len(headers) else len(lines)
        m = _HEADER.match(lines[start])
        assert m is not None
        record_id = _record_id(m.group(2))
        if stop_id is not None and record_id == stop_id:
            break
        text_lines, rest_at, rest = _split_body(lines[start + 1 : end])
        record = GoldRecord(id=record_id, text=" ".join(" ".join(text_lines).split()), date_raw=m.group(1),
                            date=parse_tabari_date(m.group(1)), lineno=start + 1, origin=origin,
                            options_before=dict(options), option_lines=list(option_lines))
        events: list[GoldEvent] = []
        specials: set[str] = set()
        new_options: list[str] = []
        truncated = False
        for block in _BLOCK.finditer(rest):
            dash, content = block.group(1), block.group(2).strip()
            if content.upper().startswith("OPTION"):
                command = content.split(":", 1)[1].strip() if ":" in content else ""
                if command:
                    new_options.append(command)
                continue
            if truncated:
                continue
            if dash:
                truncated = True
                continue
            if not content:
                continue
            compact = content.replace(" ", "")
            if compact in ("---", "###", "+++"):
                specials.add(compact)
                continue
            parts = [p.strip() for p in content.split("/")]
            if len(parts) != 3 or not parts[0] or not parts[2]:
                lineno = start + 1 + rest_at + rest[: block.start()].count("\n") + 1
                gold.warnings.append(f"{origin}:{lineno}: {record_id}: validation block {{{content}}} "
                                     "is not { SRC / TGT / CODE }; ignored")
                continue
            events.append(GoldEvent(parts[0], parts[1] or None, parts[2]))
        record.events = events
        _settle_kind(gold, record, specials, truncated, bool(new_options))
        record.category = category_of(record_id)
        gold.records.append(record)
        for command in new_options:
            try:
                options.update(_option(command, f"{origin}:{start + 1}"))
            except DictionaryError as error:
                gold.warnings.append(f"{record.where}: {record_id}: option {command!r} not understood: "
                                     f"{error.headline}")
                continue
            option_lines.append(command)
    return gold

