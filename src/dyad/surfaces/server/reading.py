"""How requests read the store: each on a cursor of its own in a read-only transaction, and API answers
kept in a cache keyed by the store's last committed batch.

The server reads either a store it opened read-only (`dyad serve`: no process can write it meanwhile) or
the connection of the process writing it (`dyad watch --serve`: DuckDB lets no other process open a
store being written). Both work the same way here: a read-only transaction gives a request one snapshot
for all its statements (a page's total and rows agree even if a batch commits meanwhile) and refuses any
write, even on a writable connection; the batch number in the cache key retires every answer a commit
could change.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator

import duckdb
import msgspec
from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

_encoder = msgspec.json.Encoder()


@contextlib.contextmanager
def reading(connection: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of `connection` in a read-only transaction, closed (the transaction ended) after.

    A cursor, because DuckDB connections are not shared across threads and cursors are their
    thread-safe duplicates."""
    cur = connection.cursor()
    try:
        cur.execute("BEGIN TRANSACTION READ ONLY")
        yield cur
    finally:
        cur.close()  # ends the transaction: it wrote nothing, so nothing is lost


async def read(request: Request, query):
    """`query(cursor)` run in one worker thread on a cursor of its own, for a route that shapes the answer
    itself. One trip to the thread pool: a route taking its cursor as a (sync) dependency makes three
    (enter, handler, exit), each queued for a reader's turn, and under benchmarks/serve.py's load the
    article view waited 360 ms (p50) for 20 ms of work that way."""
    def run():
        with reading(request.app.state.connection) as cur:
            return query(cur)
    return await run_in_threadpool(run)


def store_path(connection: duckdb.DuckDBPyConnection) -> str:
    """The path of the store file `connection` opened ("STORE" for one in memory)."""
    with reading(connection) as cur:
        path = cur.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
                           ).fetchone()
    return path[0] if path and path[0] else "STORE"


class ResultCache:
    """API answers by the store's last committed batch, path and query string, least recently used first out.

    `last_batch()` says the number of the last batch committed; it is called on the event loop for every
    answer, so it must be cheap (`dyad watch` passes a number it keeps in memory), and it must give the
    new number only once the batch has committed: then an answer is never older than its key, and when the
    number moves on every older answer is dropped, so no stale answer survives a commit. Without
    `last_batch` nothing is cached (nothing would say when an answer goes stale).
    """

    def __init__(self, size: int, last_batch: Callable[[], int] | None):
        self.size = size if last_batch is not None else 0
        self.last_batch = last_batch
        self._items: OrderedDict = OrderedDict()
        self._batch: int | None = None  # the batch the kept answers were computed at
        self._lock = threading.Lock()

    async def answer(self, request: Request, query) -> Response:
        """The cached answer, or `query(cursor)` run in a worker thread on a cursor of its own."""
        if self.size <= 0:
            return self._response(await run_in_threadpool(self._compute, request.app.state.connection, query))
        batch = self.last_batch()
        key = (request.url.path, tuple(sorted(request.query_params.multi_items())))
        with self._lock:
            if self._batch is None or batch > self._batch:
                self._items.clear()  # a batch committed: every kept answer may be stale
                self._batch = batch
            body = self._items.get(key) if batch == self._batch else None
            if body is not None:
                self._items.move_to_end(key)
        if body is None:
            body = await run_in_threadpool(self._compute, request.app.state.connection, query)
            with self._lock:
                if batch == self._batch:  # else a later batch committed meanwhile: not kept
                    self._items[key] = body
                    while len(self._items) > self.size:
                        self._items.popitem(last=False)
        return self._response(body)

    @staticmethod
    def _response(body: bytes) -> Response:
        return Response(body, media_type="application/json")

    @staticmethod
    def _compute(connection, query) -> bytes:
        with reading(connection) as cur:
            return _encoder.encode(query(cur))


# The memory of each bulk read's own DuckDB instance: its cache of the store's blocks and its operators'
# working memory. A bulk read re-reads blocks it no longer holds from the file (the system's page cache),
# so the bound costs little time. Every event of 10^6 (benchmarks/download.py, a fresh server): read
# through the pages' instance, the server grew by 150 MB (CSV) and 160 MB (Parquet); read through
# instances of 64 MB, by 101 and 114 MB; of 32 MB, by 66 and 85 MB, in the same 4.8-5.0 s. A chunk of
# downloads.CHUNK_ROWS rows needs 14 MB: 16 MB fails, 24 MB is the least that works; 32 MB leaves room.
BULK_MEMORY = "32MB"


class BulkReader:
    """Whole-table reads (downloads) through a DuckDB instance of their own, of bounded memory, as
    PostgreSQL's sequential scans read through a small ring of buffers: a download of every event reads
    each block of the events table, and through the pages' instance it would fill that instance's
    cache with blocks no page asks for, growing the server by the table's size. Each bulk read opens an
    instance (20-35 ms), holding at most `BULK_MEMORY`, gone when its cursor is closed.

    Only for a store the server opened read-only by path (`dyad serve`): no process writes it meanwhile,
    so every instance sees the same data. The connection of a writing process (`dyad watch --serve`) or a
    store in memory is read as every request reads it: `cursor()` gives one of it."""

    def __init__(self, shared: duckdb.DuckDBPyConnection, path: str | None):
        self._shared, self._path = shared, path

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection reading the store: of an instance of its own, or a cursor of the shared one."""
        if self._path is None:
            return self._shared.cursor()
        own = duckdb.connect(":memory:", config={
            "memory_limit": BULK_MEMORY, "threads": 1, "temp_directory": tempfile.gettempdir()})
        try:
            own.execute("ATTACH ? AS store (READ_ONLY)", [self._path])
            own.execute("USE store")
        except BaseException:
            own.close()
            raise
        return own
