"""GDELT-style update files: every interval, the events first stored and the mentions stored in it.

GDELT 2.0 publishes every 15 minutes `YYYYMMDDHHMMSS.export.CSV.zip` and `...mentions.CSV.zip` and
rewrites `lastupdate.txt` to name them; consumers poll that one small file. `dyad watch --export-dir`
writes the same from the store: `write_update` one interval, `due_updates` the intervals a watcher owes
(aligned to the wall clock, each once, also after a restart), `last_update_end` where it left off.

An interval is [start, end) of batch commit times (`batches.committed_at`): the events file holds the
aggregated events whose first mention was stored in it (each aggregate in exactly one update; its counts
may include mentions stored later, as GDELT's do), the mentions file every mention whose article was
last written in it (a re-coded article's mentions come again in the update that re-wrote it). An
interval with nothing new still writes both files, empty, and lastupdate.txt: consumers see the update
happened, and the folder says where the watcher left off.

A batch's `committed_at` is DuckDB's now(), the start of its transaction: an interval is complete once no
batch begun before its end can still commit. A watcher writes updates between its batches (Store.add
returns after the commit), or passes `due_updates` a `now` that far behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import zipfile
from pathlib import Path

import duckdb

from dyad.corpus.layouts import LAYOUTS, layout_sql

# the files of one update, after its end time (GDELT's names) and the layout each holds
EXPORT_SUFFIX, MENTIONS_SUFFIX = ".export.CSV.zip", ".mentions.CSV.zip"
FILES = ((EXPORT_SUFFIX, "gdelt"), (MENTIONS_SUFFIX, "gdelt-mentions"))
LAST_UPDATE = "lastupdate.txt"  # one line per file of the latest update: size, md5, name
STAMP = "%Y%m%d%H%M%S"  # GDELT's timestamps, UTC
_NAME = re.compile(r"^(\d{14})(\.export\.CSV\.zip|\.mentions\.CSV\.zip)$")
CHUNK = 1 << 20  # bytes read at a time while zipping and hashing: files are never read whole
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # intervals are multiples of `every` from here


def _utc(moment: dt.datetime) -> dt.datetime:
    """`moment` in UTC; a naive datetime is taken to be UTC already (the store's times are)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def write_update(connection: duckdb.DuckDBPyConnection, folder: str | Path, start: dt.datetime,
                 end: dt.datetime) -> list[Path]:
    """Write the update of [start, end) into `folder` (made if missing): the export and mentions zips,
    named after `end`, then lastupdate.txt naming them. Returns the two zip paths. Every file appears
    whole or not at all (written aside, then renamed), so a crash leaves the previous update in place,
    and writing an interval again replaces its files. Reads what was committed when it starts, in one
    snapshot, on a cursor of its own (the caller's open transaction, if any, is not seen)."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        raise ValueError(f"an update ends after it starts: [{start}, {end})")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    cursor = connection.cursor()
    try:
        cursor.execute("SET enable_progress_bar = false")  # a watcher's output is its log
        cursor.execute("BEGIN TRANSACTION")  # both files from one snapshot of the store
        for suffix, layout in FILES:
            target = folder / f"{end:{STAMP}}{suffix}"
            _write_zip(cursor, layout, [start, end], target, end)
            written.append(target)
        cursor.execute("COMMIT")
    finally:
        cursor.close()
    _write_last_update(folder, written)
    return written


def _text_sql(layout: str) -> str:
    """The layout of rows stored in [?, ?) with every value as text and no tab or line break inside one
    (GDELT's files are unquoted: a tab or newline in a name would shift every column after it)."""
    columns = ", ".join(f"""translate(CAST("{name}" AS VARCHAR), chr(9) || chr(10) || chr(13), '   ') AS "{name}\""""
                        for name, _ in LAYOUTS[layout])
    return f"SELECT {columns} FROM ({layout_sql(layout, stored_between=True)})"


def _aside(target: Path, name: str | None = None) -> Path:
    """Where `target` (or a file of that `name` beside it) is written before it is renamed into place:
    hidden, and this process's own."""
    return target.with_name(f".{name or target.name}.{os.getpid()}.part")


def _write_zip(cursor: duckdb.DuckDBPyConnection, layout: str, params: list, target: Path,
               stamp: dt.datetime) -> None:
    """DuckDB streams the rows to a CSV file beside `target` (no row is held in Python), which is then
    copied chunk by chunk into a zip holding one entry named like `target` without `.zip`."""
    inner = target.name.removesuffix(".zip")
    rows, packed = _aside(target, inner), _aside(target)
    path = str(rows).replace("'", "''")
    try:
        cursor.execute(f"COPY ({_text_sql(layout)}) TO '{path}' "
                       "(FORMAT csv, DELIMITER '\t', HEADER false, QUOTE '')", params)
        # the entry's time is the update's end, so the same rows always zip to the same bytes (and md5)
        entry = zipfile.ZipInfo(inner, date_time=stamp.timetuple()[:6])
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.file_size = rows.stat().st_size  # zipfile chooses ZIP64 from it for a file over 2 GiB
        with zipfile.ZipFile(packed, "w") as archive, rows.open("rb") as source, archive.open(entry, "w") as out:
            shutil.copyfileobj(source, out, CHUNK)
        _settle(packed, target)
    finally:
        rows.unlink(missing_ok=True)
        packed.unlink(missing_ok=True)


def _settle(written: Path, target: Path) -> None:
    """Move a file written aside into place, on disk first: a crash leaves the old file or the new one."""
    with written.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(written, target)


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_last_update(folder: Path, files: list[Path]) -> None:
    """lastupdate.txt in GDELT's format, `<size in bytes> <md5 hex> <name>` a line (GDELT gives URLs
    where dyad gives names in the same folder), replaced at once."""
    target = folder / LAST_UPDATE
    aside = _aside(target)
    aside.write_text("".join(f"{f.stat().st_size} {_md5(f)} {f.name}\n" for f in files), encoding="utf-8")
    _settle(aside, target)


def _end_of(name: str) -> tuple[dt.datetime, str] | None:
    """The end time and suffix of an update file's name (or URL: its last part); None for another file."""
    found = _NAME.match(name.rsplit("/", 1)[-1])
    if found is None:
        return None
    return dt.datetime.strptime(found.group(1), STAMP).replace(tzinfo=dt.UTC), found.group(2)


def last_update_end(folder: str | Path) -> dt.datetime | None:
    """The end of the latest update written in `folder` (UTC), None if none: what lastupdate.txt names,
    or a later update whose two files are both there (a write stopped before lastupdate.txt)."""
    folder = Path(folder)
    ends = []
    try:
        lines = (folder / LAST_UPDATE).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    for line in lines:
        parts = line.split()
        if len(parts) == 3 and (named := _end_of(parts[2])):
            ends.append(named[0])
    found: dict[dt.datetime, set[str]] = {}
    if folder.is_dir():
        for path in folder.glob("*.CSV.zip"):
            if named := _end_of(path.name):
                found.setdefault(named[0], set()).add(named[1])
    complete = {suffix for suffix, _ in FILES}
    ends += [end for end, suffixes in found.items() if suffixes == complete]
    return max(ends, default=None)


def _floor(moment: dt.datetime, every: dt.timedelta) -> dt.datetime:
    """The latest wall-clock multiple of `every` at or before `moment` (:00, :15, :30, :45 for 15 minutes)."""
    return _EPOCH + (moment - _EPOCH) // every * every


def due_updates(last_end: dt.datetime | None, now: dt.datetime,
                every: dt.timedelta) -> list[tuple[dt.datetime, dt.datetime]]:
    """The intervals (start, end), oldest first, that are over by `now` and not yet written after
    `last_end` (the end of the last update, `last_update_end`): ends are multiples of `every` on the wall
    clock (UTC), so a watcher down for an hour owes each missed interval once, and one that restarts
    owes none it wrote. A `last_end` off the grid (`every` changed) gives a shorter first interval to the
    next multiple: nothing skipped, nothing twice. With no `last_end` (a new folder), only the last
    interval over is due. The caller passes a `now` by which every batch that began before the ends has
    committed (a batch's time is its start)."""
    if every <= dt.timedelta(0):
        raise ValueError(f"an update interval is positive, not {every}")
    boundary = _floor(_utc(now), every)
    if last_end is None:
        return [(boundary - every, boundary)]
    due = []
    start = _utc(last_end)
    while (end := _floor(start, every) + every) <= boundary:
        due.append((start, end))
        start = end
    return due
