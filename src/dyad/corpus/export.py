"""Serialising records and exporting the store: JSON lines, CSV and Parquet."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import msgspec

from dyad.corpus.layouts import LAYOUTS, layout_sql
from dyad.corpus.store import TABLES, Store
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
    return str(value).replace("\t", " ").replace("\n", " ")


def export_store(db: str | Path, output_format: str, output: str = "-", *, since: dt.date | None = None,
                 until: dt.date | None = None, one_a_day: bool = False) -> None:
    """jsonl: one event record per line; csv: the flat event columns; parquet: a folder with one
    dataset per table, events partitioned by year and month (`events/year=2024/month=2/...`);
    gdelt, phoenix, icews: those layouts as tab-separated text (see layouts.py)."""
    store = Store(db, read_only=True)
    con = store.connection
    where, params = _date_filter(since, until)
    try:
        if output_format == "parquet":
            if output == "-":
                raise ValueError("--format parquet writes a folder: give it with --output")
            folder = Path(output)
            folder.mkdir(parents=True, exist_ok=True)
            for table in (*TABLES, "stories"):
                target = folder / table
                if table == "events":
                    con.execute(f"COPY (SELECT *, year(date) AS year, month(date) AS month FROM events{where}) "
                                f"TO '{target}' (FORMAT parquet, PARTITION_BY (year, month), OVERWRITE_OR_IGNORE)",
                                params)
                else:
                    con.execute(f"COPY {table} TO '{target}.parquet' (FORMAT parquet)")
            return
        if output_format == "csv":
            relation = con.execute(f"SELECT * EXCLUDE (record) FROM events{where} ORDER BY date, event_id", params)
            names = [d[0] for d in relation.description]
            import csv

            handle = sys.stdout if output == "-" else open(output, "w", newline="", encoding="utf-8")  # noqa: SIM115
            try:
                writer = csv.writer(handle)
                writer.writerow(names)
                while rows := relation.fetchmany(10_000):
                    writer.writerows(rows)
            finally:
                if handle is not sys.stdout:
                    handle.close()
            return
        if output_format == "jsonl":
            relation = con.execute(f"SELECT record FROM events{where} ORDER BY date, event_id", params)
            handle = sys.stdout.buffer if output == "-" else open(output, "wb")  # noqa: SIM115
            try:
                while rows := relation.fetchmany(10_000):
                    handle.write(b"".join(row[0].encode() + b"\n" for row in rows))
            finally:
                if handle is not sys.stdout.buffer:
                    handle.close()
            return
        if output_format in LAYOUTS:
            relation = con.execute(layout_sql(output_format, where, one_a_day), params)
            names = [d[0] for d in relation.description]
            handle = sys.stdout if output == "-" else open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115
            try:
                if output_format != "gdelt":  # GDELT's files carry no header
                    handle.write("\t".join(names) + "\n")
                while rows := relation.fetchmany(10_000):
                    handle.writelines("\t".join(_tsv(v) for v in row) + "\n" for row in rows)
            finally:
                if handle is not sys.stdout:
                    handle.close()
            return
        raise ValueError(f"unknown export format {output_format!r}")
    finally:
        store.close()
