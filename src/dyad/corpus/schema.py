"""The store's tables, views and schema versions: what a dyad store holds, as data.

`SCHEMA` makes the DDL, the Arrow batches, the Parquet loads and the Spark schemas; `rows_of` is the one
place a Result becomes rows; `MIGRATIONS` upgrade an older store (docs/schema.md, "Versions").
"""

from __future__ import annotations

import duckdb

from dyad.records import Result, to_json

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
    # every write (`Store.add`) is a numbered batch; the last one's number keys the server's answer cache,
    # and an article's or an event's batch says when it was stored (`dyad watch --export-dir`)
    "batches": (("batch", "BIGINT"), ("committed_at", "TIMESTAMPTZ"), ("articles", "INTEGER"), ("events", "INTEGER")),
    "article_batches": (("article_id", "VARCHAR"), ("batch", "BIGINT")),  # the last batch that wrote the article
    "event_batches": (("event_id", "VARCHAR"), ("batch", "BIGINT")),  # the first batch that stored the event
    # each coded article's MinHash LSH band keys (stories.band_keys), so new articles join stories without
    # a regroup of the corpus (`Store.add(..., stories=True)`)
    "story_bands": (("article_id", "VARCHAR"), ("band", "INTEGER"), ("key", "VARCHAR")),
    # dyad watch: the feeds and sitemaps followed, with their health (dyad.live.sources)
    "sources": (("url", "VARCHAR"), ("kind", "VARCHAR"), ("site", "VARCHAR"), ("label", "VARCHAR"),
        ("language", "VARCHAR"), ("interval_seconds", "DOUBLE"), ("delay_seconds", "DOUBLE"),
        ("added_at", "TIMESTAMPTZ"), ("last_poll", "TIMESTAMPTZ"), ("next_poll", "TIMESTAMPTZ"),
        ("last_success", "TIMESTAMPTZ"), ("last_error", "VARCHAR"), ("last_error_at", "TIMESTAMPTZ"),
        ("consecutive_failures", "INTEGER"), ("items_seen", "BIGINT"), ("articles_stored", "BIGINT")),
    # dyad watch: every URL fetched (canonical), what came of it, and what a conditional request needs
    "pages": (("url", "VARCHAR"), ("kind", "VARCHAR"), ("source", "VARCHAR"), ("article_id", "VARCHAR"),
        ("content_hash", "VARCHAR"), ("etag", "VARCHAR"), ("last_modified", "VARCHAR"), ("published", "TIMESTAMPTZ"),
        ("first_seen", "TIMESTAMPTZ"), ("fetched_at", "TIMESTAMPTZ"), ("http_status", "INTEGER"),
        ("status", "VARCHAR"), ("reason", "VARCHAR")),
}
# each table's primary key, where it has one
KEYS = {"articles": "id", "events": "event_id", "stories": "article_id", "parses": "article_id", "cameo_codes": "code",
        "batches": "batch", "article_batches": "article_id", "event_batches": "event_id", "sources": "url",
        "pages": "url"}


def columns(table: str) -> list[str]:
    """The column names of a store table, in `SCHEMA` order."""
    return [name for name, _ in SCHEMA[table]]


def ddl(table: str) -> str:
    """The CREATE TABLE statement of a store table, from `SCHEMA` and `KEYS`."""
    key = KEYS.get(table)
    body = ", ".join(f"{name} {kind}{' PRIMARY KEY' if name == key else ''}" for name, kind in SCHEMA[table])
    return f"CREATE TABLE {table} ({body})"


# GDELT-style aggregation: one event per (date, source, target, code, location) with its counts;
# every mention (events row) links to its aggregate through the same aggregate_id, this of an events row `e`
# (also computed from `events` alone where a query must not join articles: dyad.corpus.layouts)
AGGREGATE_ID = "md5(concat_ws('|', e.date, e.source_code, e.target_code, e.code, e.location_name))"


def aggregated(mentions: str = "event_mentions") -> str:
    """The aggregated events of `mentions` (rows of `event_mentions`, or a subquery picking some of them)."""
    return f"""SELECT aggregate_id, date, source_code, target_code, code,
            any_value(root_code) AS root_code, any_value(quad_class) AS quad_class, any_value(goldstein) AS goldstein,
            any_value(plover_event) AS plover_event, location_name, any_value(location_country) AS location_country,
            any_value(latitude) AS latitude, any_value(longitude) AS longitude,
            count(*) AS mentions, count(DISTINCT article_id) AS articles,
            count(DISTINCT coalesce(news_source, article_id)) AS sources,
            count(DISTINCT coalesce(story_id, article_id)) AS stories, min(event_id) AS first_mention
        FROM {mentions} GROUP BY aggregate_id, date, source_code, target_code, code, location_name"""


VIEWS = {
    "event_mentions": f"""SELECT e.*, {AGGREGATE_ID} AS aggregate_id, s.story_id, a.source AS news_source, a.url
        FROM events e JOIN articles a ON a.id = e.article_id LEFT JOIN stories s ON s.article_id = e.article_id""",
    "aggregated_events": aggregated(),
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
# the tables `rows_of` fills from a Result, written with each batch (the others are kept by the store:
# stories are regrouped, codes are fixed, batches are counted, sources and pages belong to dyad watch)
TABLES = ("articles", "events", "sentences", "actors", "quotes", "places")

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


# an article's candidates are the articles sharing one of its band keys: looked up, not scanned
BANDS_INDEX = "CREATE INDEX story_bands_key ON story_bands (key)"


def _v5_live_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Version 5: `batches`, `article_batches`, `event_batches` (which write stored what), `story_bands`
    (stories kept current without a regroup), `sources` and `pages` (dyad watch). They start empty:
    articles stored before have no batch, and their band keys are computed the first time stories are
    updated incrementally."""
    for table in ("batches", "article_batches", "event_batches", "story_bands", "sources", "pages"):
        con.execute(ddl(table))
    con.execute(BANDS_INDEX)


# an article's rows in each of these tables are looked up by its id (the article view, replacing an article)
# rather than scanned: 92 ms -> 10 ms for the article view on the 10^6-event store of benchmarks/bigstore.py
ARTICLE_INDEXED = ("events", "sentences", "actors", "quotes", "places")
ARTICLE_INDEXES = tuple(f"CREATE INDEX {table}_article ON {table} (article_id)" for table in ARTICLE_INDEXED)


def _v6_aggregates(con: duckdb.DuckDBPyConnection) -> None:
    """Version 6: the pre-aggregated tables of `dyad.corpus.aggregates`, built from the rows stored,
    and the indexes of `ARTICLE_INDEXES`."""
    from dyad.corpus import aggregates

    aggregates.create(con)
    aggregates.refresh(con)
    for index in ARTICLE_INDEXES:
        con.execute(index)


# MIGRATIONS[i] upgrades a store of version i + 1 to version i + 2, on the open connection, inside the
# one transaction of the whole upgrade. Every column or table SCHEMA gains appends one here.
MIGRATIONS = (_v2_actor_basis, _v3_article_warnings, _v4_event_date_precision, _v5_live_tables, _v6_aggregates)
SCHEMA_VERSION = 1 + len(MIGRATIONS)


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The store's schema version: 1 for a store made before versions were recorded, None when the
    database holds no dyad store at all."""
    tables = {row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main'").fetchall()}
    if META in tables:
        return con.execute(f"SELECT max(schema_version) FROM {META}").fetchone()[0]
    return 1 if "articles" in tables else None


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
