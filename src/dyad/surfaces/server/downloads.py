"""The filtered events as a file, streamed: `GET /api/download/events?format=csv|jsonl|parquet|gdelt`
with the filters of `/api/events` and its `sort=`.

csv: a header, then one line per event, the columns of `/api/events` (`queries.EVENT_COLUMNS`) and after
them the events table's other columns but its JSON record; jsonl: the same rows as JSON objects, one a
line; parquet: the same columns in one Parquet file; gdelt: the filtered events aggregated in GDELT 2.0's
event layout (`dyad.corpus.layouts`, tab-separated, no header, as `dyad export --format gdelt` writes).
The rows come in `/api/events`' order for the same `sort`, so a download holds the API's pages, page
after page; gdelt's in GDELT's order (date, then GLOBALEVENTID), whatever `sort`.

Streamed in bounded memory: DuckDB would sort every matching row at once for one ORDER BY (470 MB for
10^6 events), so the rows are read in chunks of about `CHUNK_ROWS` consecutive rows of the order, each
picked by a range of the sort column (the counts per value say where ranges end; a value with more rows
is split by event id), sorted alone and handed over in Arrow batches. All chunks are read on one cursor
in one read-only transaction, kept for the download's life (one snapshot, as a page's total and rows),
and each batch is read and encoded on a worker thread (the server's `READERS` limit), so a download takes
its turn with other requests. The cursor is closed when the stream ends or the client goes away. Rows
are read through the server's bulk reader (`reading.BulkReader`): a DuckDB instance of bounded memory,
so that reading every block of the events table neither grows the server by the table's size nor
crowds the pages' cache.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Literal

import anyio.to_thread
import duckdb
import msgspec
import pyarrow as pa
import pyarrow.csv
import pyarrow.parquet
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import StreamingResponse

from dyad.corpus.export import tsv_line
from dyad.corpus.layouts import layout_sql
from dyad.corpus.schema import SCHEMA
from dyad.surfaces.server import queries, tables
from dyad.surfaces.server.app import Filter
from dyad.surfaces.server.reading import BulkReader

__all__ = ["CHUNK_ROWS", "DOWNLOAD_COLUMNS", "FORMATS", "add_routes", "chunks", "event_stream"]

# the columns of /api/events, then the events table's others but the JSON record (kilobytes a row)
DOWNLOAD_COLUMNS = (*queries.EVENT_COLUMNS,
                    *(name for name, _ in SCHEMA["events"] if name not in queries.EVENT_COLUMNS and name != "record"))
# Rows sorted at once (one chunk): each chunk scans the filter's columns again, so fewer rows cost time,
# more cost memory. Every event of 10^6 as CSV, read in-process from a cold store: 5,000 rows 25 s and
# a peak of 264 MB; 20,000 6.2 s and 299 MB; 50,000 4.4 s and 331 MB.
CHUNK_ROWS = 20_000
# Rows handed over at once: a text file's batch (DuckDB's vector size, a few hundred kB of text to send);
# Parquet's is a chunk, one row group (row groups want rows by the ten thousand to compress well).
TEXT_BATCH_ROWS = 2048


class _Outbox(io.RawIOBase):
    """A file that keeps what is written until it is taken: the sink of pyarrow's writers, whose output
    is sent after each batch. `tell` counts every byte written, as Parquet's footer needs its offsets."""

    def __init__(self):
        super().__init__()
        self._parts: list[bytes] = []
        self._written = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        self._written += len(data)
        return len(data)

    def tell(self) -> int:
        return self._written

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


class _Encoder:
    """Arrow batches to a file's bytes: `write(batch)` and `close()` give what is ready to send."""

    def __init__(self, schema: pa.Schema):
        self.schema, self.outbox = schema, _Outbox()

    def write(self, batch: pa.RecordBatch) -> bytes:
        raise NotImplementedError

    def close(self) -> bytes:
        return self.outbox.take()


class _Csv(_Encoder):
    def __init__(self, schema: pa.Schema):
        super().__init__(schema)
        self.writer = pyarrow.csv.CSVWriter(self.outbox, schema)  # writes the header now

    def write(self, batch: pa.RecordBatch) -> bytes:
        self.writer.write_batch(batch)
        return self.outbox.take()

    def close(self) -> bytes:
        self.writer.close()
        return self.outbox.take()


class _JsonLines(_Encoder):
    _encoder = msgspec.json.Encoder()

    def write(self, batch: pa.RecordBatch) -> bytes:
        return self._encoder.encode_lines(batch.to_pylist())


class _Parquet(_Encoder):
    def __init__(self, schema: pa.Schema):
        super().__init__(schema)
        self.writer = pyarrow.parquet.ParquetWriter(self.outbox, schema)

    def write(self, batch: pa.RecordBatch) -> bytes:
        self.writer.write_batch(batch)  # one row group, written out whole
        return self.outbox.take()

    def close(self) -> bytes:
        self.writer.close()  # the footer
        return self.outbox.take()


class _Tsv(_Encoder):
    """GDELT's text: `dyad export`'s lines (tabs and line breaks in values become spaces)."""

    def write(self, batch: pa.RecordBatch) -> bytes:
        columns = [column.to_pylist() for column in batch.columns]
        return "".join(tsv_line(row) for row in zip(*columns, strict=True)).encode()


@dataclass(frozen=True)
class Format:
    media_type: str
    suffix: str
    encoder: Callable[[pa.Schema], _Encoder]
    batch_rows: int = TEXT_BATCH_ROWS
    bounded: bool = True  # read through the bulk reader (`reading.BulkReader`), else the pages' connection


# GDELT's aggregation joins each chunk's events to their articles, stories and batches: its hash tables
# grow with the store, not the chunk (128 MB at 10^6 events, where 64 MB fails), so it is not bounded.
FORMATS = {"csv": Format("text/csv; charset=utf-8", "csv", _Csv),
           "jsonl": Format("application/x-ndjson", "jsonl", _JsonLines),
           "parquet": Format("application/vnd.apache.parquet", "parquet", _Parquet, CHUNK_ROWS),
           "gdelt": Format("text/tab-separated-values; charset=utf-8", "gdelt.tsv", _Tsv, bounded=False)}


def chunks(con, where: str, params: list, column: str, descending: bool, rows: int | None = None, *,
           split: bool = True) -> list[tuple[str, list]]:
    """Conditions that cut the events matching `where` into consecutive runs of the order by `column`
    (NULLs last), then event id: each at most `rows` rows (`CHUNK_ROWS`), or one value's rows if they
    are more and not `split`; with `split`, a value with more rows is cut into runs of event ids, each
    about `rows` rows (`_split`)."""
    rows = rows or CHUNK_ROWS
    direction = "DESC" if descending else "ASC"
    counts = con.execute(f"SELECT {column}, count(*) FROM events WHERE {where} GROUP BY 1 "
                         f"ORDER BY 1 {direction} NULLS LAST", params).fetchall()
    out: list[tuple[str, list]] = []
    run: list = []
    run_rows = 0
    for value, count in [*counts, (None, None)]:  # a last step that closes the last run
        if run and (count is None or run_rows + count > rows):
            out.append(_values(column, run))
            run, run_rows = [], 0
        if count is None:
            break
        if split and count > rows:
            out.extend(_split(column, value, math.ceil(count / rows)))
        else:
            run.append(value)
            run_rows += count
    return out


def _values(column: str, values: list) -> tuple[str, list]:
    """The rows whose `column` is one of `values`, consecutive values of the order (NULL last of them)."""
    known = [v for v in values if v is not None]
    if not known:
        return f"{column} IS NULL", []
    condition = f"{column} BETWEEN ? AND ?"
    if len(known) < len(values):
        condition = f"({condition} OR {column} IS NULL)"
    return condition, [min(known), max(known)]


def _split(column: str, value, parts: int) -> list[tuple[str, list]]:
    """One value's rows in `parts` runs of event ids. An event id is a 64-bit hash in hex (events.assemble),
    spread evenly, so evenly spaced bounds cut the runs about equal, and cutting costs no read of the rows:
    an exact quantile of the ids held all of a value's ids at once (16 MB for the 550,000 events of
    Goldstein 0 of 10^6). The first run and the last are open, so every id is in one run, hex or not."""
    same, same_params = _values(column, [value])
    bounds = [None, *(f"{k * 2**64 // parts:016x}" for k in range(1, parts)), None]
    out = []
    for low, high in itertools.pairwise(bounds):
        condition, condition_params = same, list(same_params)
        if low is not None:
            condition, condition_params = f"{condition} AND event_id >= ?", [*condition_params, low]
        if high is not None:
            condition, condition_params = f"{condition} AND event_id < ?", [*condition_params, high]
        out.append((condition, condition_params))
    return out


def _events_plan(con, flt: queries.EventFilter, sort: queries.Sort) -> tuple[str, list[tuple[str, list]]]:
    """A SELECT of no events (the file's columns), and each chunk's SELECT with its parameters, in `sort`'s order."""
    where, params = flt.where()

    columns = ", ".join(DOWNLOAD_COLUMNS)

    def select(condition: str) -> str:
        return f"SELECT {columns} FROM events WHERE {where} AND {condition} ORDER BY {sort.order_by}"

    return f"SELECT {columns} FROM events WHERE FALSE", [
        (select(condition), [*params, *condition_params])
        for condition, condition_params in chunks(con, where, params, sort.column, sort.descending)]


def _gdelt_plan(con, flt: queries.EventFilter) -> tuple[str, list[tuple[str, list]]]:
    """GDELT's aggregated events of the filter, by runs of dates (an aggregate is of one date: not split)."""
    where, params = flt.where()

    def select(condition: str) -> str:
        return layout_sql("gdelt", mentions=f"{where} AND {condition}")

    return layout_sql("gdelt", mentions="FALSE"), [(select(condition), [*params, *condition_params] * 3)
                             for condition, condition_params in chunks(con, where, params, "date", False,
                                                                       split=False)]


def _begin(connection: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    cur = connection.cursor()
    cur.execute("BEGIN TRANSACTION READ ONLY")
    return cur


def _next(reader: pa.RecordBatchReader, encoder: _Encoder) -> bytes | None:
    """The next batch's bytes (maybe empty), None when the reader is done."""
    try:
        batch = reader.read_next_batch()
    except StopIteration:
        return None
    return encoder.write(batch)


async def event_stream(connection: duckdb.DuckDBPyConnection | BulkReader, plan: Callable, file_format: Format
                       ) -> AsyncIterator[bytes]:
    """The file's bytes: `plan(cursor)` gives a SELECT of no rows and no parameters (the file's columns)
    and the chunks' (SELECT, parameters), read in order on one cursor in a read-only transaction."""
    cur = await anyio.to_thread.run_sync(_begin, connection)
    try:
        empty, parts = await anyio.to_thread.run_sync(plan, cur)
        schema = await anyio.to_thread.run_sync(lambda: cur.sql(empty).to_arrow_table().schema)
        out = file_format.encoder(schema)
        if header := out.outbox.take():
            yield header
        for sql, params in parts:
            reader = await anyio.to_thread.run_sync(lambda s=sql, p=params: cur.sql(s, params=p).to_arrow_reader(
                file_format.batch_rows))
            while (data := await anyio.to_thread.run_sync(_next, reader, out)) is not None:
                if data:
                    yield data
        yield await anyio.to_thread.run_sync(out.close)
    finally:
        cur.close()  # ends the transaction


def add_routes(app: FastAPI) -> None:
    """The download route, and `format=csv|json` for the API's tables (`tables.TableFiles`)."""
    app.add_middleware(tables.TableFiles)
    app.description = " ".join(filter(None, (app.description, (
        "Every answer that is a table (a list of rows, or an object holding one list of rows) is also a file: "
        "add `format=csv` or `format=json`. The filtered events, all of them: `/api/download/events`."))))

    @app.get("/api/download/events", tags=["events"],
             summary="The filtered events as a file, streamed: format=csv, jsonl, parquet or gdelt (aggregated, "
             "GDELT 2.0's event layout); the filters and sort of /api/events, its rows in its order")
    async def download_events(request: Request, filters: Filter,
                              file_format: Annotated[Literal["csv", "jsonl", "parquet", "gdelt"], Query(
                                  alias="format", description="csv, jsonl (JSON lines), parquet, or gdelt "
                                  "(aggregated events, tab-separated, no header)")] = "csv",
                              sort: Annotated[str | None, Query(max_length=40, description=(
                                  "the order of /api/events (date, goldstein, confidence, code, source, target; "
                                  "\"-\" before it reverses); gdelt files keep GDELT's order"))] = None):
        flt = filters.filter()
        try:
            order = queries.Sort.parse(sort)
        except ValueError as error:
            raise HTTPException(422, str(error)) from None
        chosen = FORMATS[file_format]
        plan = (lambda con: _gdelt_plan(con, flt)) if file_format == "gdelt" else (
            lambda con: _events_plan(con, flt, order))
        source = request.app.state.bulk if chosen.bounded else request.app.state.connection
        return StreamingResponse(event_stream(source, plan, chosen),
                                 media_type=chosen.media_type,
                                 headers={"Content-Disposition": f'attachment; filename="events.{chosen.suffix}"'})
