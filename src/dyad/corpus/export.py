"""Serialising records and exporting the store: JSON lines, CSV and Parquet."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import sys
from pathlib import Path

import msgspec

from dyad.corpus.layouts import GDELT_LAYOUTS, LAYOUTS, layout_sql
from dyad.corpus.schema import TABLES
from dyad.corpus.store import Store
from dyad.records import Event, Quote, Result, to_json


def event_to_json(event: Event) -> bytes:
    return to_json(event)


def result_to_json(result: Result) -> bytes:
    return to_json(result)


def quote_to_json(article_id: str, quote: Quote) -> bytes:
    return msgspec.json.encode({"article_id": article_id, **msgspec.to_builtins(quote)})


def _date_filter(since: dt.date | None, until: dt.date | None) -> tuple[str, list]:
    clauses, params = [], []
    if since is not None:
        clauses.append("date >= ?")
        params.append(since)
    if until is not None:
        clauses.append("date <= ?")
        params.append(until)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _tsv(value) -> str:
    if value is None:
        return ""
    return str(value).replace("\t", " ").replace("\n", " ").replace("\r", " ")


def tsv_line(row) -> str:
    """A row of a layout as a line of tab-separated text (tabs and line breaks in values become spaces)."""
    return "\t".join(_tsv(v) for v in row) + "\n"


# Rows fetched at a time while streaming an export: bounds memory on a large store; not tuned.
FETCH_ROWS = 10_000


@contextlib.contextmanager
def _opened(output: str, binary: bool = False):
    """`output` opened for writing, or standard output for '-' (which stays open)."""
    if output == "-":
        yield sys.stdout.buffer if binary else sys.stdout
        return
    with open(output, "wb") if binary else open(output, "w", encoding="utf-8", newline="") as handle:
        yield handle


def _rows(relation):
    while rows := relation.fetchmany(FETCH_ROWS):
        yield from rows


def _export_parquet(con, folder: Path, where: str, params: list) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for table in (*TABLES, "stories"):
        target = folder / table
        if table == "events":
            con.execute(f"COPY (SELECT *, year(date) AS year, month(date) AS month FROM events{where}) "
                        f"TO '{target}' (FORMAT parquet, PARTITION_BY (year, month), OVERWRITE_OR_IGNORE)", params)
        else:
            con.execute(f"COPY {table} TO '{target}.parquet' (FORMAT parquet)")


def export_store(db: str | Path, output_format: str, output: str = "-", *, since: dt.date | None = None,
                 until: dt.date | None = None, one_a_day: bool = False) -> None:
    """jsonl: one event record per line; csv: the flat event columns; parquet: a folder with one
    dataset per table, events partitioned by year and month (`events/year=2024/month=2/...`);
    gdelt, gdelt-mentions, phoenix, icews: those layouts as tab-separated text (see layouts.py)."""
    if output_format not in ("jsonl", "csv", "parquet", *LAYOUTS):
        raise ValueError(f"unknown export format {output_format!r}")
    if output_format == "parquet" and output == "-":
        raise ValueError("--format parquet writes a folder: give it with --output")
    store = Store(db, read_only=True)
    con = store.connection
    where, params = _date_filter(since, until)
    try:
        if output_format == "parquet":
            _export_parquet(con, Path(output), where, params)
        elif output_format == "jsonl":
            relation = con.execute(f"SELECT record FROM events{where} ORDER BY date, event_id", params)
            with _opened(output, binary=True) as handle:
                handle.writelines(row[0].encode() + b"\n" for row in _rows(relation))
        elif output_format == "csv":
            relation = con.execute(f"SELECT * EXCLUDE (record) FROM events{where} ORDER BY date, event_id", params)
            with _opened(output) as handle:
                writer = csv.writer(handle)
                writer.writerow([d[0] for d in relation.description])
                writer.writerows(_rows(relation))
        else:
            relation = con.execute(layout_sql(output_format, where, one_a_day), params)
            with _opened(output) as handle:
                if output_format not in GDELT_LAYOUTS:  # GDELT's files carry no header
                    handle.write("\t".join(d[0] for d in relation.description) + "\n")
                handle.writelines(tsv_line(row) for row in _rows(relation))
    finally:
        store.close()
