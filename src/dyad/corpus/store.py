"""The corpus store: coded articles and everything dyad found in them, in an embedded DuckDB file.

docs/schema.md describes every table and view. Writes are one transaction per batch: a batch is
either all in or not at all, so a run killed at any point and run again ends with every article
exactly once (`ingest` skips ids already stored). The store records its schema version; opening an
older store for writing upgrades it in place (`MIGRATIONS`, one transaction), and a read-only open
of one says what to run.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb
import pyarrow as pa

from dyad.corpus import WAIT_SECONDS, aggregates
from dyad.corpus.schema import (
    ARTICLE_INDEXED,
    ARTICLE_INDEXES,
    BANDS_INDEX,
    META,
    META_DDL,
    MIGRATIONS,
    SCHEMA,
    SCHEMA_VERSION,
    TABLES,
    VIEWS,
    columns,
    ddl,
    rows_of,
    schema_version,
)
from dyad.records import Result
from dyad.version import __version__


class StoreError(Exception):
    """A store that cannot be opened as asked; the message names it and says what to do."""


class StoreVersionError(StoreError):
    """A store this dyad cannot use as it is: older and opened read-only, newer, or not a store."""


class StoreBusyError(StoreError):
    """A store another process holds open for writing (DuckDB allows one writer, or many readers)."""


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")
ZSTD_MIN_STRING = 1 << 30  # see Store._prepare: longer than any article, so no text is ZSTD-compressed
# the first pause between attempts to open a held store, doubled after each one up to the last
FIRST_RETRY_SECONDS, LAST_RETRY_SECONDS = 0.05, 1.0


def connect(path: str, read_only: bool, wait: float = 0.0) -> duckdb.DuckDBPyConnection:
    """DuckDB's connection. A store another process holds (DuckDB allows one writer, or many readers)
    is tried again for up to `wait` seconds, pausing longer each time; then a StoreBusyError names the
    store and the process holding its lock."""
    deadline = time.monotonic() + wait
    pause = FIRST_RETRY_SECONDS
    while True:
        try:
            return duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            left = deadline - time.monotonic()
            if left <= 0:
                raise StoreBusyError(_busy_message(path, str(error), wait)) from None
            time.sleep(min(pause, left))
            pause = min(2 * pause, LAST_RETRY_SECONDS)


def _busy_message(path: str, error: str, waited: float) -> str:
    holder = _LOCK_HOLDER.search(error)
    pid = f"PID {holder.group(2)}, {Path(holder.group(1)).name}: " if holder else ""
    after = f" (waited {waited:g} s)" if waited else ""
    return (f"{path}: another dyad process has this store open ({pid}an ingest, recode, watch or serve?){after}; "
            "wait for it to finish or stop it, then run this again")


def migrate(path: str | Path, wait: float = WAIT_SECONDS) -> tuple[int, int]:
    """Upgrade the store at `path` in place (`dyad migrate`); (version before, version after)."""
    store = Store(path, wait=wait)
    store.close()
    return store.upgraded_from or SCHEMA_VERSION, SCHEMA_VERSION



def _arrow(table: str, rows: list[tuple]) -> pa.Table:
    return pa.table({c: [row[k] for row in rows] for k, c in enumerate(columns(table))})


class Store:
    """A DuckDB corpus store; `Store(":memory:")` for a throwaway one. `wait`: seconds to wait for a
    store another process holds (`connect`)."""

    def __init__(self, path: str | Path = ":memory:", *, read_only: bool = False, wait: float = 0.0):
        self.path = str(path)
        self.upgraded_from: int | None = None  # the version this open upgraded the store from
        self._aggregates_deferred = False  # `rewriting`: writes leave the aggregates to one refresh
        self.connection = connect(self.path, read_only, wait)
        try:
            self._prepare(read_only)
        except BaseException:
            self.connection.close()
            raise

    def _prepare(self, read_only: bool) -> None:
        """Check the store's version; a writable open creates a new store or upgrades an older one
        (one transaction: all migrations or none), and refreshes the views."""
        version = schema_version(self.connection)
        if version is not None and version > SCHEMA_VERSION:
            wrote = self.connection.execute(f"SELECT max(dyad_version) FROM {META}").fetchone()[0]
            raise StoreVersionError(
                f"{self.path}: this store has schema version {version}, written by dyad {wrote}; this dyad "
                f"({__version__}) knows versions up to {SCHEMA_VERSION}. Open it with dyad {wrote} or newer "
                "(an older dyad cannot downgrade a store).")
        if read_only:
            if version is None:
                raise StoreVersionError(f"{self.path}: no dyad store here; `dyad ingest PATH... --db {self.path}` "
                                        "makes one")
            if version < SCHEMA_VERSION:
                raise StoreVersionError(
                    f"{self.path}: this store has schema version {version}, made by an older dyad; this dyad "
                    f"reads version {SCHEMA_VERSION}. Upgrade it in place (one transaction, every row kept) "
                    f"with: dyad migrate --db {self.path}")
            return
        con = self.connection
        # Article texts (4-10 KB) stored with DuckDB's light compression, not ZSTD, which it picks for strings
        # over 4 KB: reading one article's text (the article view) then costs 0.6 ms, not 7 ms, for a store
        # 29% larger (benchmarks/bigstore.py's 10^6 events: 1.4 -> 1.8 GB). A setting of the writer.
        con.execute(f"SET zstd_min_string_length = {ZSTD_MIN_STRING}")
        with self.transaction():
            if version is None:
                self._create()
            elif version < SCHEMA_VERSION:
                if version == 1:
                    con.execute(META_DDL)
                for migration in MIGRATIONS[version - 1:]:
                    migration(con)
                self.upgraded_from = version
            if version != SCHEMA_VERSION:
                con.execute(f"DELETE FROM {META}")
                con.execute(f"INSERT INTO {META} VALUES (?, ?)", [SCHEMA_VERSION, __version__])
            for view, query in VIEWS.items():
                con.execute(f"CREATE OR REPLACE VIEW {view} AS {query}")
        self._restore_indexes()
        if con.execute(f"SELECT batch FROM {aggregates.STATE}").fetchone()[0] != self.last_batch():
            self.refresh_aggregates()

    def _create(self) -> None:
        """A new store at SCHEMA_VERSION: every table, and the CAMEO code names."""
        from dyad.resources.ontology import cameo_table

        con = self.connection
        for table in SCHEMA:
            con.execute(ddl(table))
        aggregates.create(con)
        for index in (BANDS_INDEX, *ARTICLE_INDEXES):
            con.execute(index)
        con.execute(META_DDL)
        names = cameo_table()
        con.register("codes", pa.table({"code": list(names), "name": [c.name for c in names.values()]}))
        con.execute("INSERT INTO cameo_codes SELECT * FROM codes")
        con.unregister("codes")

    def add(self, results: Iterable[Result], parses: dict[str, bytes] | None = None, *, stories: bool = False,
            also: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> int:
        """Write a batch in one transaction; re-adding an article replaces it (and its parse, when
        `parses` gives one). `stories`: the batch's articles join their stories in the same transaction
        (`_join_stories`), else a caller regroups later (`update_stories`); `also(connection)` writes more in it
        (dyad watch's pages and sources). Returns the number of events written."""
        from dyad.knowledge import KNOWLEDGE_VERSION

        versions = (__version__, KNOWLEDGE_VERSION)
        batch: dict[str, list[tuple]] = {table: [] for table in TABLES}
        for result in results:
            for table, rows in rows_of(result, versions).items():
                batch[table].extend(rows)
        if not batch["articles"]:
            return 0
        con = self.connection
        ids = [row[0] for row in batch["articles"]]
        with self.transaction():
            # Arrow batches: DuckDB takes a columnar batch in one call, where row-wise inserts cost a call a row
            con.register("batch_ids", pa.table({"id": ids}))
            live = not self._aggregates_deferred
            if live and con.execute("SELECT count(*) FROM articles WHERE id IN (SELECT id FROM batch_ids)"
                                    ).fetchone()[0]:
                aggregates.apply(con, "batch_ids", -1)  # what the articles replaced contributed
            for table in TABLES:
                key = "id" if table == "articles" else "article_id"
                con.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT id FROM batch_ids)")
            if parses:
                con.register("batch_parses", pa.table({"article_id": list(parses), "doc": list(parses.values())}))
                con.execute("INSERT OR REPLACE INTO parses SELECT * FROM batch_parses")
                con.unregister("batch_parses")
            for table in TABLES:
                if batch[table]:
                    con.register("batch_rows", _arrow(table, batch[table]))
                    verb = "INSERT OR REPLACE" if table == "events" else "INSERT"
                    con.execute(f"{verb} INTO {table} BY NAME SELECT * FROM batch_rows")
                    con.unregister("batch_rows")
            number = con.execute("SELECT coalesce(max(batch), 0) + 1 FROM batches").fetchone()[0]
            if live:
                aggregates.apply(con, "batch_ids", 1)
                con.execute(f"UPDATE {aggregates.STATE} SET batch = ?", [number])
            con.execute("INSERT INTO batches VALUES (?, now(), ?, ?)", [number, len(ids), len(batch["events"])])
            con.execute("INSERT OR REPLACE INTO article_batches SELECT id, ? FROM batch_ids", [number])
            con.execute("INSERT OR IGNORE INTO event_batches SELECT event_id, ? FROM events "
                        "WHERE article_id IN (SELECT id FROM batch_ids)", [number])
            con.unregister("batch_ids")
            if stories:
                self._join_stories(ids)
            if also is not None:
                also(con)
        return len(batch["events"])

    @contextlib.contextmanager
    def rewriting(self):
        """For writes that rewrite most of the store (`recode`): the aggregates are left alone and rebuilt
        in full once at the end, and the article indexes dropped and built again, cheaper than keeping
        them up row by row (recode of 150 articles: 4.8-5.0 s without them, 5.4-5.9 s with them). A run
        killed inside the block leaves both behind; the next open for writing restores them."""
        self._aggregates_deferred = True
        for table in ARTICLE_INDEXED:
            self.connection.execute(f"DROP INDEX IF EXISTS {table}_article")
        try:
            yield
        finally:
            self._aggregates_deferred = False
            self._restore_indexes()
            self.refresh_aggregates()

    def _restore_indexes(self) -> None:
        """Create the article indexes a store lacks (after a `rewriting` block, or one killed inside it)."""
        present = {row[0] for row in self.connection.execute(
            "SELECT index_name FROM duckdb_indexes() WHERE database_name = current_database()").fetchall()}
        for table, index in zip(ARTICLE_INDEXED, ARTICLE_INDEXES, strict=True):
            if f"{table}_article" not in present:
                self.connection.execute(index)

    def refresh_aggregates(self) -> None:
        """Rebuild the pre-aggregated tables (`dyad.corpus.aggregates`) from the rows, in one transaction,
        and record the batch they are current at (a store opened for writing whose aggregates lag its
        last batch, after a `recode` was killed, is refreshed at the open)."""
        with self.transaction():
            aggregates.refresh(self.connection)

    def last_batch(self) -> int:
        """The number of the last batch written (0 for none): it changes with every commit of `add`."""
        return self.connection.execute("SELECT coalesce(max(batch), 0) FROM batches").fetchone()[0]

    @contextlib.contextmanager
    def transaction(self):
        """All of the block's writes or none of them."""
        self.connection.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    def update_stories(self) -> int:
        """Regroup every coded article into stories (near-duplicates); returns the number of stories with
        more than one article. Whole-corpus, so the groups never depend on ingest order; a batch written
        with `add(stories=True)` joins its stories without it, to the same groups (`_join_stories`)."""
        with self.transaction():
            self._regroup(None)
        return self.multi_article_stories()

    def _regroup(self, articles: list[str] | None) -> None:
        """Group `articles` (None: every coded article) from scratch, writing their band keys and stories."""
        from dyad.corpus import stories

        con = self.connection
        anchors = None
        if articles is None:
            texts = con.execute("SELECT id, text FROM articles WHERE status = 'coded'").fetchall()
            con.execute("DELETE FROM stories")
            con.execute("DELETE FROM story_bands")
        else:
            con.register("regrouped", pa.table({"id": articles}))
            texts = con.execute("SELECT id, text FROM articles WHERE status = 'coded' AND id IN "
                                "(SELECT id FROM regrouped)").fetchall()
            con.execute("DELETE FROM stories WHERE article_id IN (SELECT id FROM regrouped)")
            anchors = stories.bucket_anchors(con, "regrouped")  # a part of a big bucket pairs as the whole
            con.unregister("regrouped")
        bands: dict[str, list[str] | None] = {}
        story = stories.group_stories(texts, bands if articles is None else None, cap=stories.BUCKET_CAP,
                                      anchors=anchors)
        if story:
            con.register("batch_rows", pa.table({"article_id": list(story), "story_id": list(story.values())}))
            con.execute("INSERT INTO stories SELECT * FROM batch_rows")
            con.unregister("batch_rows")
        if articles is None:
            self._write_bands({article_id: bands[article_id] for article_id, _ in texts})

    def _write_bands(self, keys: dict[str, list[str] | None]) -> None:
        rows = [(article_id, band, key) for article_id, bands in keys.items() for band, key in enumerate(bands or ())]
        if rows:
            self.connection.register("band_rows", pa.table({"article_id": [r[0] for r in rows],
                                                            "band": [r[1] for r in rows], "key": [r[2] for r in rows]}))
            self.connection.execute("INSERT INTO story_bands SELECT * FROM band_rows")
            self.connection.unregister("band_rows")

    def _join_stories(self, changed: list[str]) -> None:
        """Regroup only what `changed` articles touch, inside the caller's transaction. A story none of
        them was in and none of their LSH candidates is in has no pair with them (a pair is a candidate
        whatever else is indexed), so regrouping the touched stories gives what a full regroup gives."""
        from dyad.corpus.stories import band_keys

        con = self.connection
        unbanded = "SELECT NOT EXISTS (SELECT 1 FROM story_bands) AND EXISTS (SELECT 1 FROM stories)"
        if con.execute(unbanded).fetchone()[0]:
            self._regroup(None)  # a store from before band keys were kept (schema 4): once, in full
            return
        # articles never grouped (a batch written without stories) join now too
        ungrouped = "SELECT id FROM articles WHERE status = 'coded' AND id NOT IN (SELECT article_id FROM stories)"
        changed = sorted(set(changed) | {row[0] for row in con.execute(ungrouped).fetchall()})
        if not changed:
            return
        con.register("changed", pa.table({"id": changed}))
        con.execute("DELETE FROM story_bands WHERE article_id IN (SELECT id FROM changed)")
        texts = con.execute("SELECT id, text FROM articles WHERE status = 'coded' AND id IN (SELECT id FROM changed)"
                            ).fetchall()
        self._write_bands({article_id: band_keys(text) for article_id, text in texts})
        touched = [row[0] for row in con.execute("""
            WITH candidates AS (
                SELECT DISTINCT o.article_id FROM story_bands c JOIN story_bands o ON o.band = c.band AND o.key = c.key
                WHERE c.article_id IN (SELECT id FROM changed)),
            stories_touched AS (
                SELECT story_id FROM stories WHERE article_id IN (SELECT id FROM changed)
                   OR article_id IN (SELECT article_id FROM candidates))
            SELECT id FROM changed UNION SELECT article_id FROM candidates
            UNION SELECT article_id FROM stories
                WHERE story_id IN (SELECT story_id FROM stories_touched)""").fetchall()]
        con.unregister("changed")
        self._regroup(touched)

    def multi_article_stories(self) -> int:
        """The number of stories with more than one article."""
        return self.connection.execute(
            "SELECT count(*) FROM (SELECT story_id FROM stories GROUP BY 1 HAVING count(*) > 1)").fetchall()[0][0]

    def stored_parses(self, batch_size: int):
        """(Article, DocBin bytes) of every coded article with a stored parse, `batch_size` at a time."""
        from dyad.records import Article

        # the ids first, then one query per batch: the caller writes between batches (`recode`'s store
        # process), and a write on this connection would end an open result set after its first batch
        ids = [row[0] for row in self.connection.execute(
            "SELECT a.id FROM articles a JOIN parses p ON p.article_id = a.id WHERE a.status = 'coded' "
            "ORDER BY a.id").fetchall()]
        for start in range(0, len(ids), batch_size):
            rows = self.connection.execute(
                "SELECT a.id, a.text, a.url, a.source, a.title, a.date, a.dateline, a.language, a.origin, p.doc, "
                "a.warnings "
                "FROM articles a JOIN parses p ON p.article_id = a.id WHERE a.id IN (SELECT unnest(?)) "
                "ORDER BY a.id", [ids[start:start + batch_size]]).fetchall()
            yield [(Article(id=r[0], text=r[1], url=r[2], source=r[3], title=r[4], date=r[5], dateline=r[6],
                            language=r[7], origin=r[8], warnings=r[10] or []), r[9]) for r in rows]

    def known_ids(self) -> set[str]:
        return {row[0] for row in self.connection.execute("SELECT id FROM articles").fetchall()}

    def count(self, table: str) -> int:
        if table not in SCHEMA and table not in VIEWS:
            raise ValueError(f"unknown table {table!r}; tables: {', '.join(TABLES)}")
        return self.connection.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]

    def status(self) -> list[tuple[str, str | None, int]]:
        """Articles per status and reason (the first words of it), most frequent first."""
        return self.connection.execute(
            "SELECT status, regexp_replace(reason, '[:(].*$', '') AS why, count(*) AS n FROM articles "
            "GROUP BY ALL ORDER BY n DESC").fetchall()

    def with_warnings(self) -> int:
        """The number of articles that carry warnings (`Result.warnings`)."""
        return self.connection.execute("SELECT count(*) FROM articles WHERE len(warnings) > 0").fetchall()[0][0]

    def close(self) -> None:
        self.connection.close()
