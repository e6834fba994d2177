"""An embedded DuckDB store of coded articles and their events.

Tables: `articles` (one row per input article and its status) and `events` (one row per event,
with its full JSON record for anything the columns leave out). The corpus issue extends this
into the resumable, de-duplicated store with stories, quotes and places.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb
import pyarrow as pa

from dyad.records import Result, to_json

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id VARCHAR PRIMARY KEY, url VARCHAR, source VARCHAR, title VARCHAR, date DATE,
    dateline VARCHAR, language VARCHAR, origin VARCHAR, status VARCHAR, reason VARCHAR, text VARCHAR
);
CREATE TABLE IF NOT EXISTS events (
    event_id VARCHAR PRIMARY KEY, article_id VARCHAR, sentence_index INTEGER, date DATE,
    source_code VARCHAR, target_code VARCHAR, code VARCHAR, root_code VARCHAR, quad_class INTEGER,
    goldstein DOUBLE, plover_event VARCHAR, location VARCHAR, record JSON
);
"""

ARTICLE_COLUMNS = ("id", "url", "source", "title", "date", "dateline", "language", "origin", "status",
                   "reason", "text")
EVENT_COLUMNS = ("event_id", "article_id", "sentence_index", "date", "source_code", "target_code", "code",
                 "root_code", "quad_class", "goldstein", "plover_event", "location", "record")


def _arrow(columns: tuple[str, ...], rows: list[tuple]) -> pa.Table:
    if not rows:
        return pa.table({c: pa.array([], pa.string()) for c in columns})
    return pa.table({c: [row[k] for row in rows] for k, c in enumerate(columns)})


class Store:
    def __init__(self, path: str | Path = ":memory:"):
        self.connection = duckdb.connect(str(path))
        self.connection.execute(SCHEMA)

    def add(self, results: Iterable[Result]) -> int:
        """Write a batch in one transaction; re-adding an article replaces it. Returns events written."""
        articles, events = [], []
        for result in results:
            a = result.article
            articles.append((a.id, a.url, a.source, a.title, a.date, a.dateline, a.language, a.origin,
                             result.status, result.reason, a.text))
            for e in result.events:
                events.append((e.event_id, e.article_id, e.sentence_index, e.date, e.source.code,
                               e.target.code if e.target else None, e.code, e.root_code, e.quad_class,
                               e.goldstein, e.plover.event, e.location.name if e.location else None,
                               to_json(e).decode()))
        con = self.connection
        con.execute("BEGIN")
        try:
            # Arrow batches: DuckDB inserts a columnar batch in one call, row-wise inserts cost ~1 ms each
            con.register("batch_articles", _arrow(ARTICLE_COLUMNS, articles))
            con.execute("DELETE FROM events WHERE article_id IN (SELECT id FROM batch_articles)")
            con.execute("DELETE FROM articles WHERE id IN (SELECT id FROM batch_articles)")
            con.execute("INSERT INTO articles SELECT * FROM batch_articles")
            if events:
                con.register("batch_events", _arrow(EVENT_COLUMNS, events))
                con.execute("INSERT OR REPLACE INTO events SELECT * FROM batch_events")
                con.unregister("batch_events")
            con.unregister("batch_articles")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        return len(events)

    def count(self, table: str) -> int:
        if table not in ("articles", "events"):
            raise ValueError(f"unknown table {table!r}")
        return self.connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def close(self) -> None:
        self.connection.close()
