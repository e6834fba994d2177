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
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pyarrow as pa

from dyad.records import Result, to_json
from dyad.version import __version__

# The tables: name -> ((column, DuckDB type), ...), in the order `rows_of` fills them. The DDL, the
# Arrow batches, the Parquet loads and the Spark schemas (dyad.corpus.spark) are all made from it.
# A column or table added here needs a migration (MIGRATIONS below; docs/schema.md, "Versions").
SCHEMA: dict[str, tuple[tuple[str, str], ...]] = {
    "articles": (("id", "VARCHAR"), ("url", "VARCHAR"), ("source", "VARCHAR"), ("title", "VARCHAR"), ("date", "DATE"),
        ("dateline", "VARCHAR"), ("language", "VARCHAR"), ("origin", "VARCHAR"), ("status", "VARCHAR"),
        ("reason", "VARCHAR"), ("text", "VARCHAR"), ("dyad_version", "VARCHAR"), ("knowledge_version", "VARCHAR"),
        ("warnings", "VARCHAR[]")),
    "events": (("event_id", "VARCHAR"), ("article_id", "VARCHAR"), ("sentence_index", "INTEGER"),
        ("sentence", "VARCHAR"), ("date", "DATE"), ("date_method", "VARCHAR"), ("source_text", "VARCHAR"),
        ("source_code", "VARCHAR"), ("source_country", "VARCHAR"), ("target_text", "VARCHAR"),
        ("target_code", "VARCHAR"), ("target_country", "VARCHAR"), ("code", "VARCHAR"), ("root_code", "VARCHAR"),
        ("quad_class", "INTEGER"), ("goldstein", "DOUBLE"), ("confidence", "DOUBLE"), ("plover_event", "VARCHAR"),
        ("plover_mode", "VARCHAR"), ("plover_context", "VARCHAR"), ("location_name", "VARCHAR"),
        ("location_country", "VARCHAR"), ("location_fips", "VARCHAR"), ("location_adm1", "VARCHAR"),
        ("location_feature", "VARCHAR"), ("latitude", "DOUBLE"), ("longitude", "DOUBLE"), ("geonames_id", "BIGINT"),
        ("rule", "VARCHAR"), ("record", "JSON"), ("date_precision", "VARCHAR")),
    "sentences": (("article_id", "VARCHAR"), ("sentence_index", "INTEGER"), ("start_char", "INTEGER"),
        ("end_char", "INTEGER"), ("text", "VARCHAR")),
    "actors": (("article_id", "VARCHAR"), ("sentence_index", "INTEGER"), ("start_char", "INTEGER"),
        ("end_char", "INTEGER"), ("text", "VARCHAR"), ("code", "VARCHAR"), ("country", "VARCHAR"),
        ("evidence", "VARCHAR"), ("basis", "VARCHAR")),
    "quotes": (("article_id", "VARCHAR"), ("sentence_index", "INTEGER"), ("start_char", "INTEGER"),
        ("end_char", "INTEGER"), ("text", "VARCHAR"), ("speaker", "VARCHAR"), ("speaker_name", "VARCHAR"),
        ("speaker_code", "VARCHAR"), ("cue", "VARCHAR")),
    "places": (("article_id", "VARCHAR"), ("sentence_index", "INTEGER"), ("start_char", "INTEGER"),
        ("end_char", "INTEGER"), ("name", "VARCHAR"), ("kind", "VARCHAR"), ("country_iso2", "VARCHAR"),
        ("country_iso3", "VARCHAR"), ("latitude", "DOUBLE"), ("longitude", "DOUBLE"), ("geonames_id", "BIGINT"),
        ("feature", "VARCHAR"), ("method", "VARCHAR")),
    "stories": (("article_id", "VARCHAR"), ("story_id", "VARCHAR")),
    # the parse of each coded article (a spaCy DocBin, see ingest.PARSE_ATTRS) so `recode` skips parsing
    "parses": (("article_id", "VARCHAR"), ("doc", "BLOB")),
    "cameo_codes": (("code", "VARCHAR"), ("name", "VARCHAR")),
}
# each table's primary key, where it has one
KEYS = {"articles": "id", "events": "event_id", "stories": "article_id", "parses": "article_id", "cameo_codes": "code"}


def columns(table: str) -> list[str]:
    """The column names of a store table, in `SCHEMA` order."""
    return [name for name, _ in SCHEMA[table]]


def ddl(table: str) -> str:
    """The CREATE TABLE statement of a store table, from `SCHEMA` and `KEYS`."""
    key = KEYS.get(table)
    body = ", ".join(f"{name} {kind}{' PRIMARY KEY' if name == key else ''}" for name, kind in SCHEMA[table])
    return f"CREATE TABLE {table} ({body})"


# GDELT-style aggregation: one event per (date, source, target, code, location) with its counts;
# every mention (events row) links to its aggregate through the same aggregate_id.
VIEWS = {
    "event_mentions": """SELECT e.*, md5(concat_ws('|', e.date, e.source_code, e.target_code, e.code,
            e.location_name)) AS aggregate_id, s.story_id, a.source AS news_source, a.url
        FROM events e JOIN articles a ON a.id = e.article_id LEFT JOIN stories s ON s.article_id = e.article_id""",
    "aggregated_events": """SELECT aggregate_id, date, source_code, target_code, code,
            any_value(root_code) AS root_code, any_value(quad_class) AS quad_class, any_value(goldstein) AS goldstein,
            any_value(plover_event) AS plover_event, location_name, any_value(location_country) AS location_country,
            any_value(latitude) AS latitude, any_value(longitude) AS longitude,
            count(*) AS mentions, count(DISTINCT article_id) AS articles,
            count(DISTINCT coalesce(news_source, article_id)) AS sources,
            count(DISTINCT coalesce(story_id, article_id)) AS stories, min(event_id) AS first_mention
        FROM event_mentions GROUP BY aggregate_id, date, source_code, target_code, code, location_name""",
    # a story with every source and URL that carried it
    "story_summary": """SELECT s.story_id, count(*) AS articles, list(DISTINCT a.source) FILTER (a.source IS NOT NULL)
            AS sources, list(DISTINCT a.url) FILTER (a.url IS NOT NULL) AS urls, min(a.date) AS first_date,
            max(a.date) AS last_date
        FROM stories s JOIN articles a ON a.id = s.article_id GROUP BY s.story_id""",
    # what the exchange layouts (layouts.py) read: mentions with code names and city names
    "event_mentions_geo": """SELECT m.*, c.name AS code_name,
            CASE WHEN m.location_feature = 'city' THEN m.location_name END AS location_city
        FROM event_mentions m LEFT JOIN cameo_codes c ON c.code = m.code""",
}
# per-article tables, written with each batch (stories are regrouped over the corpus, codes are fixed)
TABLES = tuple(t for t in SCHEMA if t not in ("stories", "cameo_codes", "parses"))

# ---------------------------------------------------------------- versions

# The schema version is a row of its own table, which any DuckDB client (Python, R, the shell) can read:
# DuckDB has no `user_version` pragma as SQLite has. A store made before versions were recorded has no
# such table and is version 1. `dyad_version` is the dyad that created or last upgraded the store.
META = "dyad_meta"
META_DDL = f"CREATE TABLE {META} (schema_version INTEGER NOT NULL, dyad_version VARCHAR)"


def _v2_actor_basis(con: duckdb.DuckDBPyConnection) -> None:
    """Version 2: `actors.basis`, how the actor was coded (`records.ActorBasis`). Actors stored before
    it hold NULL there until `dyad recode` (or a re-ingest) writes them again."""
    con.execute("ALTER TABLE actors ADD COLUMN basis VARCHAR")


def _v3_article_warnings(con: duckdb.DuckDBPyConnection) -> None:
    """Version 3: `articles.warnings`, what a reader should know about an article coded anyway
    (`Result.warnings`). Articles stored before it hold NULL there (not recorded) until `dyad recode`
    (the coding's warnings) or a re-ingest (all of them) writes them again."""
    con.execute("ALTER TABLE articles ADD COLUMN warnings VARCHAR[]")


def _v4_event_date_precision(con: duckdb.DuckDBPyConnection) -> None:
    """Version 4: `events.date_precision`, what the event's date fixes ("day", "month", "year";
    `Event.date_precision`). Every date stored before it was a day, so dated events get "day"."""
    con.execute("ALTER TABLE events ADD COLUMN date_precision VARCHAR")
    con.execute("UPDATE events SET date_precision = 'day' WHERE date IS NOT NULL")


# MIGRATIONS[i] upgrades a store of version i + 1 to version i + 2, on the open connection, inside the
# one transaction of the whole upgrade. Every column or table SCHEMA gains appends one here.
MIGRATIONS = (_v2_actor_basis, _v3_article_warnings, _v4_event_date_precision)
SCHEMA_VERSION = 1 + len(MIGRATIONS)


class StoreError(Exception):
    """A store that cannot be opened as asked; the message names it and says what to do."""


class StoreVersionError(StoreError):
    """A store this dyad cannot use as it is: older and opened read-only, newer, or not a store."""


class StoreBusyError(StoreError):
    """A store another process holds open for writing (DuckDB allows one writer, or many readers)."""


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")
# Seconds a writing command (ingest, recode, migrate) waits for a store another process is writing
# (`--wait`): long enough to ride out a short write (a `dyad migrate`, the end of an ingest), short enough
# that a store held by a long ingest fails soon with its holder named. A setting, not tuned.
WAIT_SECONDS = 10.0
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
    return (f"{path}: another dyad process has this store open ({pid}an ingest, recode or serve?){after}; "
            "wait for it to finish or stop it, then run this again")


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The store's schema version: 1 for a store made before versions were recorded, None when the
    database holds no dyad store at all."""
    tables = {row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main'").fetchall()}
    if META in tables:
        return con.execute(f"SELECT max(schema_version) FROM {META}").fetchone()[0]
    return 1 if "articles" in tables else None


def migrate(path: str | Path, wait: float = WAIT_SECONDS) -> tuple[int, int]:
    """Upgrade the store at `path` in place (`dyad migrate`); (version before, version after)."""
    store = Store(path, wait=wait)
    store.close()
    return store.upgraded_from or SCHEMA_VERSION, SCHEMA_VERSION



def rows_of(result: Result, versions: tuple[str, str]) -> dict[str, list[tuple]]:
    """The store rows of one Result: table name -> tuples in `SCHEMA` column order, for every table of
    `TABLES` (possibly empty). `versions` is (dyad version, knowledge version) for the articles row.
    The one place a Result becomes rows: `Store.add` and the Spark job (`dyad.corpus.spark`) both use it."""
    a = result.article
    rows: dict[str, list[tuple]] = {table: [] for table in TABLES}
    rows["articles"].append((a.id, a.url, a.source, a.title, a.date, a.dateline, a.language, a.origin,
                             result.status, result.reason, a.text, *versions, result.warnings))
    for e in result.events:
        t, loc = e.target, e.location
        rows["events"].append((
            e.event_id, e.article_id or a.id, e.sentence_index, e.sentence, e.date, e.date_method,
            e.source.text, e.source.code, e.source.country, t.text if t else None, t.code if t else None,
            t.country if t else None, e.code, e.root_code, e.quad_class, e.goldstein, e.confidence, e.plover.event,
            e.plover.mode, e.plover.context, loc.name if loc else None, loc.country_iso3 if loc else None,
            loc.country_fips if loc else None, loc.admin1 if loc else None, loc.feature if loc else None,
            loc.latitude if loc else None, loc.longitude if loc else None, loc.geonames_id if loc else None,
            e.provenance.rule, to_json(e).decode(), e.date_precision))
    for s in result.sentences:
        rows["sentences"].append((a.id, s.index, s.start, s.end, a.text[s.start:s.end]))
    for x in result.actors:
        rows["actors"].append((a.id, x.sentence_index, x.start, x.end, x.text, x.code, x.country, x.evidence,
                               x.basis))
    for q in result.quotes:
        rows["quotes"].append((a.id, q.sentence_index, q.start, q.end, q.text, q.speaker, q.speaker_name,
                               q.speaker_code, q.cue))
    for p in result.places:
        rows["places"].append((a.id, p.sentence_index, p.start, p.end, p.name, p.kind, p.country_iso2,
                               p.country_iso3, p.latitude, p.longitude, p.geonames_id, p.feature, p.method))
    return rows


def _arrow(table: str, rows: list[tuple]) -> pa.Table:
    return pa.table({c: [row[k] for row in rows] for k, c in enumerate(columns(table))})


class Store:
    """A DuckDB corpus store; `Store(":memory:")` for a throwaway one. `wait`: seconds to wait for a
    store another process holds (`connect`)."""

    def __init__(self, path: str | Path = ":memory:", *, read_only: bool = False, wait: float = 0.0):
        self.path = str(path)
        self.upgraded_from: int | None = None  # the version this open upgraded the store from
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

    def _create(self) -> None:
        """A new store at SCHEMA_VERSION: every table, and the CAMEO code names."""
        from dyad.resources.ontology import cameo_table

        con = self.connection
        for table in SCHEMA:
            con.execute(ddl(table))
        con.execute(META_DDL)
        names = cameo_table()
        con.register("codes", pa.table({"code": list(names), "name": [c.name for c in names.values()]}))
        con.execute("INSERT INTO cameo_codes SELECT * FROM codes")
        con.unregister("codes")

    def add(self, results: Iterable[Result], parses: dict[str, bytes] | None = None) -> int:
        """Write a batch in one transaction; re-adding an article replaces it (and its parse, when
        `parses` gives one). Returns the number of events written."""
        from dyad.knowledge import KNOWLEDGE_VERSION

        versions = (__version__, KNOWLEDGE_VERSION)
        batch: dict[str, list[tuple]] = {table: [] for table in TABLES}
        for result in results:
            for table, rows in rows_of(result, versions).items():
                batch[table].extend(rows)
        if not batch["articles"]:
            return 0
        con = self.connection
        with self.transaction():
            # Arrow batches: DuckDB takes a columnar batch in one call, where row-wise inserts cost a call a row
            con.register("batch_ids", pa.table({"id": [row[0] for row in batch["articles"]]}))
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
            con.unregister("batch_ids")
        return len(batch["events"])

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
        """Regroup every coded article into stories (near-duplicates); returns the number of stories
        with more than one article. Whole-corpus, so the groups never depend on ingest order."""
        from dyad.corpus.stories import group_stories

        texts = self.connection.execute("SELECT id, text FROM articles WHERE status = 'coded'").fetchall()
        story = group_stories(texts)
        con = self.connection
        with self.transaction():
            con.execute("DELETE FROM stories")
            if story:
                con.register("batch_rows", pa.table({"article_id": list(story), "story_id": list(story.values())}))
                con.execute("INSERT INTO stories SELECT * FROM batch_rows")
                con.unregister("batch_rows")
        return self.multi_article_stories()

    def multi_article_stories(self) -> int:
        """The number of stories with more than one article."""
        return self.connection.execute(
            "SELECT count(*) FROM (SELECT story_id FROM stories GROUP BY 1 HAVING count(*) > 1)").fetchall()[0][0]

    def stored_parses(self, batch_size: int):
        """(Article, DocBin bytes) of every coded article with a stored parse, `batch_size` at a time."""
        from dyad.records import Article

        # the ids first, then one query per batch: the caller writes between batches, and a write on
        # this connection would end an open result set after its first batch
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
