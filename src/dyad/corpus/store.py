"""The corpus store: coded articles and everything dyad found in them, in an embedded DuckDB file.

Tables (one row per ...):
- `articles`: input article, with its status (coded / skipped / failed), reason, text and the
  versions that coded it;
- `events`: event mention (one per coded event in a sentence), flat columns plus the full JSON record;
- `actors`: coded actor mention; `quotes`: quotation; `places`: resolved place mention.
Writes are one transaction per batch: a batch is either all in or not at all, so a run killed at
any point and run again ends with every article exactly once (`ingest` skips ids already stored).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pyarrow as pa

from dyad.records import Result, to_json

SCHEMA = {
    "articles": """id VARCHAR PRIMARY KEY, url VARCHAR, source VARCHAR, title VARCHAR, date DATE,
        dateline VARCHAR, language VARCHAR, origin VARCHAR, status VARCHAR, reason VARCHAR, text VARCHAR,
        dyad_version VARCHAR, knowledge_version VARCHAR""",
    "events": """event_id VARCHAR PRIMARY KEY, article_id VARCHAR, sentence_index INTEGER, sentence VARCHAR,
        date DATE, date_method VARCHAR, source_text VARCHAR, source_code VARCHAR, source_country VARCHAR,
        target_text VARCHAR, target_code VARCHAR, target_country VARCHAR, code VARCHAR, root_code VARCHAR,
        quad_class INTEGER, goldstein DOUBLE, confidence DOUBLE, plover_event VARCHAR, plover_mode VARCHAR,
        plover_context VARCHAR,
        location_name VARCHAR, location_country VARCHAR, location_fips VARCHAR, location_adm1 VARCHAR,
        location_feature VARCHAR, latitude DOUBLE, longitude DOUBLE, geonames_id BIGINT,
        rule VARCHAR, record JSON""",
    "sentences": """article_id VARCHAR, sentence_index INTEGER, start_char INTEGER, end_char INTEGER,
        text VARCHAR""",
    "actors": """article_id VARCHAR, sentence_index INTEGER, start_char INTEGER, end_char INTEGER, text VARCHAR,
        code VARCHAR, country VARCHAR, evidence VARCHAR""",
    "quotes": """article_id VARCHAR, sentence_index INTEGER, start_char INTEGER, end_char INTEGER, text VARCHAR,
        speaker VARCHAR, speaker_name VARCHAR, speaker_code VARCHAR, cue VARCHAR""",
    "places": """article_id VARCHAR, sentence_index INTEGER, start_char INTEGER, end_char INTEGER, name VARCHAR,
        kind VARCHAR, country_iso2 VARCHAR, country_iso3 VARCHAR, latitude DOUBLE, longitude DOUBLE,
        geonames_id BIGINT, feature VARCHAR, method VARCHAR""",
    "stories": """article_id VARCHAR PRIMARY KEY, story_id VARCHAR""",
    # the parse of each coded article (a spaCy DocBin, ~12 KB for 600 words) so `recode` skips parsing
    "parses": """article_id VARCHAR PRIMARY KEY, doc BLOB""",
    "cameo_codes": """code VARCHAR PRIMARY KEY, name VARCHAR""",
}
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


def _columns(table: str) -> list[str]:
    return [part.split()[0] for part in SCHEMA[table].replace("\n", " ").split(",")]


def rows_of(result: Result, versions: tuple[str, str]) -> dict[str, list[tuple]]:
    """The store rows of one Result: table name -> tuples in `SCHEMA` column order, for every table of
    `TABLES` (possibly empty). `versions` is (dyad version, knowledge version) for the articles row.
    The one place a Result becomes rows: `Store.add` and the Spark job (`dyad.corpus.spark`) both use it."""
    a = result.article
    rows: dict[str, list[tuple]] = {table: [] for table in TABLES}
    rows["articles"].append((a.id, a.url, a.source, a.title, a.date, a.dateline, a.language, a.origin,
                             result.status, result.reason, a.text, *versions))
    for e in result.events:
        t, loc = e.target, e.location
        rows["events"].append((
            e.event_id, e.article_id or a.id, e.sentence_index, e.sentence, e.date, e.date_method,
            e.source.text, e.source.code, e.source.country, t.text if t else None, t.code if t else None,
            t.country if t else None, e.code, e.root_code, e.quad_class, e.goldstein, e.confidence, e.plover.event,
            e.plover.mode, e.plover.context, loc.name if loc else None, loc.country_iso3 if loc else None,
            loc.country_fips if loc else None, loc.admin1 if loc else None, loc.feature if loc else None,
            loc.latitude if loc else None, loc.longitude if loc else None, loc.geonames_id if loc else None,
            e.provenance.rule, to_json(e).decode()))
    for s in result.sentences:
        rows["sentences"].append((a.id, s.index, s.start, s.end, a.text[s.start:s.end]))
    for x in result.actors:
        rows["actors"].append((a.id, x.sentence_index, x.start, x.end, x.text, x.code, x.country, x.evidence))
    for q in result.quotes:
        rows["quotes"].append((a.id, q.sentence_index, q.start, q.end, q.text, q.speaker, q.speaker_name,
                               q.speaker_code, q.cue))
    for p in result.places:
        rows["places"].append((a.id, p.sentence_index, p.start, p.end, p.name, p.kind, p.country_iso2,
                               p.country_iso3, p.latitude, p.longitude, p.geonames_id, p.feature, p.method))
    return rows


def _arrow(table: str, rows: list[tuple]) -> pa.Table:
    columns = _columns(table)
    return pa.table({c: [row[k] for row in rows] for k, c in enumerate(columns)})


class Store:
    """A DuckDB corpus store; `Store(":memory:")` for a throwaway one."""

    def __init__(self, path: str | Path = ":memory:", *, read_only: bool = False):
        self.path = str(path)
        self.connection = duckdb.connect(self.path, read_only=read_only)
        if not read_only:
            for table, columns in SCHEMA.items():
                self.connection.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
            if not self.connection.execute("SELECT count(*) FROM cameo_codes").fetchall()[0][0]:
                from dyad.resources.ontology import cameo_table

                names = cameo_table()
                self.connection.register("codes", pa.table({"code": list(names),
                                                            "name": [c.name for c in names.values()]}))
                self.connection.execute("INSERT INTO cameo_codes SELECT * FROM codes")
                self.connection.unregister("codes")
            for view, query in VIEWS.items():
                self.connection.execute(f"CREATE OR REPLACE VIEW {view} AS {query}")

    def add(self, results: Iterable[Result], parses: dict[str, bytes] | None = None) -> int:
        """Write a batch in one transaction; re-adding an article replaces it (and its parse, when
        `parses` gives one). Returns the number of events written."""
        from dyad import __version__
        from dyad.knowledge import KNOWLEDGE_VERSION

        versions = (__version__, KNOWLEDGE_VERSION)
        batch: dict[str, list[tuple]] = {table: [] for table in TABLES}
        for result in results:
            for table, rows in rows_of(result, versions).items():
                batch[table].extend(rows)
        if not batch["articles"]:
            return 0
        con = self.connection
        with self._transaction():
            # Arrow batches: DuckDB takes a columnar batch in one call; row-wise inserts cost ~1 ms each
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
                    con.execute(f"{verb} INTO {table} SELECT * FROM batch_rows")
                    con.unregister("batch_rows")
            con.unregister("batch_ids")
        return len(batch["events"])

    @contextlib.contextmanager
    def _transaction(self):
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
        with self._transaction():
            con.execute("DELETE FROM stories")
            if story:
                con.register("batch_rows", pa.table({"article_id": list(story), "story_id": list(story.values())}))
                con.execute("INSERT INTO stories SELECT * FROM batch_rows")
                con.unregister("batch_rows")
        return con.execute("SELECT count(*) FROM (SELECT story_id FROM stories GROUP BY 1 HAVING count(*) > 1)"
                           ).fetchall()[0][0]

    def stored_parses(self, batch_size: int = 64):
        """(Article, DocBin bytes) of every coded article with a stored parse, in batches."""
        import datetime as dt  # noqa: F401  (DuckDB returns dates as datetime.date)

        from dyad.records import Article

        # the ids first, then one query per batch: the caller writes between batches, and a write on
        # this connection would end an open result set after its first batch
        ids = [row[0] for row in self.connection.execute(
            "SELECT a.id FROM articles a JOIN parses p ON p.article_id = a.id WHERE a.status = 'coded' "
            "ORDER BY a.id").fetchall()]
        for start in range(0, len(ids), batch_size):
            rows = self.connection.execute(
                "SELECT a.id, a.text, a.url, a.source, a.title, a.date, a.dateline, a.language, a.origin, p.doc "
                "FROM articles a JOIN parses p ON p.article_id = a.id WHERE a.id IN (SELECT unnest(?)) "
                "ORDER BY a.id", [ids[start:start + batch_size]]).fetchall()
            yield [(Article(id=r[0], text=r[1], url=r[2], source=r[3], title=r[4], date=r[5], dateline=r[6],
                            language=r[7], origin=r[8]), r[9]) for r in rows]

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

    def close(self) -> None:
        self.connection.close()
