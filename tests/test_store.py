import datetime as dt
import gzip
import re
import shutil

import duckdb
import pyarrow as pa
import pytest

from dyad.corpus import store as store_module
from dyad.corpus.schema import SCHEMA, SCHEMA_VERSION, TABLES, schema_version
from dyad.corpus.store import Store, StoreVersionError
from dyad.records import Actor, Article, Event, Plover, Provenance, Quote, Result


def result(article_id, n_events, status="coded"):
    article = Article(id=article_id, text="Text.", date=dt.date(2026, 1, 5))
    events = [Event(event_id=f"{article_id}-{i}", article_id=article_id, sentence_index=0, sentence="Text.",
                    source=Actor(text="France", code="FRA"), target=Actor(text="Mali", code="MLI"), code="042",
                    root_code="04", quad_class=1, goldstein=1.9, plover=Plover(event="CONSULT"), date=article.date,
                    provenance=Provenance(rule="test")) for i in range(n_events)]
    quotes = [Quote(text="We came.", start=0, end=8, speaker="she", speaker_name="Ana Roe")]
    return Result(article=article, status=status, events=events, quotes=quotes,
                  actors=[Actor(text="France", code="FRA", basis="seat")])


def test_store_writes_every_table_and_replaces_an_article_on_rewrite(tmp_path):
    store = Store(tmp_path / "dyad.duckdb")
    assert store.add([result("a", 2), result("b", 0, status="skipped")]) == 2
    assert store.add([result("a", 1)]) == 1  # re-coding an article replaces its rows
    assert store.count("articles") == 2 and store.count("events") == 1
    assert store.count("quotes") == 2 and store.count("actors") == 2
    row = store.connection.execute("SELECT source_code, target_code, code, date FROM events").fetchone()
    assert row == ("FRA", "MLI", "042", dt.date(2026, 1, 5))
    assert store.connection.execute("SELECT DISTINCT basis FROM actors").fetchall() == [("seat",)]
    assert dict((s, n) for s, _, n in store.status()) == {"coded": 1, "skipped": 1}
    assert store.known_ids() == {"a", "b"}
    store.close()


def test_an_articles_warnings_are_stored_and_counted(tmp_path):
    store = Store(tmp_path / "dyad.duckdb")
    warned = result("w", 1)
    warned.warnings = ["no publication date: event dates are unresolved", "text repaired: ..."]
    store.add([warned, result("quiet", 0)])
    rows = dict(store.connection.execute("SELECT id, warnings FROM articles").fetchall())
    assert rows == {"w": warned.warnings, "quiet": []}
    assert store.with_warnings() == 1
    store.close()


def test_a_failing_batch_writes_nothing(tmp_path):
    store = Store(tmp_path / "dyad.duckdb")
    bad = result("c", 1)
    bad.events[0].quad_class = "not a number"  # DuckDB rejects it inside the transaction
    with pytest.raises(pa.ArrowInvalid):
        store.add([result("d", 1), bad])
    assert all(store.count(t) == 0 for t in TABLES)


# A store written by dyad before schema versions (how: tests/fixtures/stores/README.md)
V1_STORE = "stores/v1.duckdb.gz"


def v1_store(fixtures, tmp_path):
    path = tmp_path / "v1.duckdb"
    with gzip.open(fixtures / V1_STORE) as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    return path


def table_counts(path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        present = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] if t in present else 0 for t in SCHEMA}
    finally:
        con.close()


def column_types(con) -> list[tuple]:
    return con.execute("SELECT table_name, column_name, data_type FROM duckdb_columns() "
                       "WHERE database_name = current_database() ORDER BY table_name, column_index").fetchall()


def test_a_store_made_before_versions_is_upgraded_in_place(fixtures, tmp_path):
    path = v1_store(fixtures, tmp_path)
    before = table_counts(path)
    assert before["events"] > 0 and before["actors"] > 0 and before["parses"] > 0
    with pytest.raises(StoreVersionError, match=re.escape(f"dyad migrate --db {path}")):
        Store(path, read_only=True)  # a reader cannot upgrade: it says what to run

    store = Store(path)
    assert store.upgraded_from == 1 and schema_version(store.connection) == SCHEMA_VERSION == 6
    fresh = Store(tmp_path / "fresh.duckdb")
    assert column_types(store.connection) == column_types(fresh.connection)  # migrations rebuild SCHEMA
    fresh.close()
    assert {t: store.count(t) for t in SCHEMA} == before
    assert store.connection.execute("SELECT count(*) FROM actors WHERE basis IS NOT NULL").fetchone()[0] == 0
    # version 3: articles stored before it recorded no warnings (NULL, not an empty list)
    assert store.connection.execute("SELECT count(*) FROM articles WHERE warnings IS NOT NULL").fetchone()[0] == 0
    assert store.with_warnings() == 0
    # version 4: every event dated before it was dated to the day
    dated, days = store.connection.execute(
        "SELECT count(date), count(*) FILTER (date_precision = 'day') FROM events").fetchone()
    assert dated == days and dated > 0
    # version 5: the tables of batches, band keys and dyad watch start empty
    assert before["batches"] == before["story_bands"] == before["sources"] == 0
    mentions, aggregated = store.connection.execute(
        "SELECT count(*), (SELECT sum(mentions) FROM aggregated_events) FROM event_mentions").fetchone()
    assert mentions == aggregated == before["events"]
    # version 6: the aggregates hold what the rows give, and the article indexes are there
    from dyad.corpus.aggregates import AGGREGATES

    for aggregate in AGGREGATES:
        held = store.connection.execute(f"SELECT * FROM {aggregate.name}").fetchall()
        assert sorted(held, key=repr) == sorted(store.connection.execute(aggregate.select()).fetchall(), key=repr)
    assert sum(store.connection.execute("SELECT sum(events) FROM agg_dyads").fetchone()) == before["events"]
    indexes = {row[0] for row in store.connection.execute("SELECT index_name FROM duckdb_indexes()").fetchall()}
    assert {"events_article", "actors_article", "sentences_article"} <= indexes
    warned = result("new", 1)
    warned.warnings = ["text repaired: 1 invalid UTF-8 byte sequence(s)"]
    store.add([warned])
    assert store.connection.execute("SELECT basis FROM actors WHERE article_id = 'new'").fetchall() == [("seat",)]
    assert store.connection.execute("SELECT warnings FROM articles WHERE id = 'new'").fetchone()[0] == warned.warnings
    assert store.with_warnings() == 1
    store.update_stories()
    assert store.count("stories") == before["stories"] + 1
    store.close()
    again = Store(path, read_only=True)
    assert again.upgraded_from is None and again.count("articles") == before["articles"] + 1
    again.close()


def test_a_failing_migration_leaves_the_old_store_untouched(fixtures, tmp_path, monkeypatch):
    path = v1_store(fixtures, tmp_path)

    def broken(con):
        raise RuntimeError("migration failed")

    monkeypatch.setattr(store_module, "MIGRATIONS", (*store_module.MIGRATIONS, broken))
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(RuntimeError, match="migration failed"):
        Store(path)
    con = duckdb.connect(str(path), read_only=True)
    assert schema_version(con) == 1
    assert "basis" not in [row[0] for row in con.execute("DESCRIBE actors").fetchall()]
    con.close()


def test_a_store_from_a_newer_dyad_is_refused(tmp_path):
    path = tmp_path / "newer.duckdb"
    Store(path).close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE dyad_meta SET schema_version = schema_version + 1, dyad_version = '9.9.0'")
    con.close()
    for read_only in (True, False):
        with pytest.raises(StoreVersionError, match=r"written by dyad 9\.9\.0.*Open it with dyad 9\.9\.0 or newer"):
            Store(path, read_only=read_only)


def test_reading_a_database_that_is_not_a_store_says_how_to_make_one(tmp_path):
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(StoreVersionError, match="no dyad store here"):
        Store(path, read_only=True)


def test_a_parquet_export_of_an_older_store_loads_into_a_current_one(fixtures, tmp_path):
    from dyad.corpus.ingest import load_parquet

    old = v1_store(fixtures, tmp_path)
    folder = tmp_path / "export"
    folder.mkdir()
    con = duckdb.connect(str(old), read_only=True)  # what the old `dyad export --format parquet` wrote
    for table in (*TABLES, "stories"):
        if table == "events":
            con.execute(f"COPY (SELECT *, year(date) AS year, month(date) AS month FROM events) "
                        f"TO '{folder / table}' (FORMAT parquet, PARTITION_BY (year, month))")
        else:
            con.execute(f"COPY {table} TO '{folder / table}.parquet' (FORMAT parquet)")
    expected = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in (*TABLES, "stories")}
    con.close()
    summary = load_parquet(folder, tmp_path / "loaded.duckdb")
    assert summary.read == expected["articles"]
    loaded = Store(tmp_path / "loaded.duckdb", read_only=True)
    assert {t: loaded.count(t) for t in expected} == expected
    from test_ingest import assert_aggregates_current

    assert_aggregates_current(loaded.connection)  # loaded in bulk, aggregated once
    loaded.close()


def test_dyad_migrate_upgrades_a_store_and_reports_the_versions(fixtures, tmp_path):
    from click.testing import CliRunner

    from dyad.surfaces.cli import main

    path = v1_store(fixtures, tmp_path)
    done = CliRunner().invoke(main, ["migrate", "--db", str(path)])
    assert done.exit_code == 0, done.output
    assert f"1 -> {SCHEMA_VERSION}" in done.output
    store = Store(path, read_only=True)
    assert schema_version(store.connection) == SCHEMA_VERSION
    store.close()
