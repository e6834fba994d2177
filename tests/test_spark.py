"""dyad on Spark (local[2]) gives what `dyad ingest` gives: the same mention-level events, stories and
aggregated events, over 200 invented articles with near-duplicate copies (edited leads, trimmed ends)."""

from __future__ import annotations

import importlib.util
import json
import random
import shutil
from pathlib import Path

import duckdb
import pytest

pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(shutil.which("java") is None,
                       reason="Spark needs Java 17 (apt-get install openjdk-17-jre-headless)"),
    pytest.mark.skipif(importlib.util.find_spec("pyspark") is None,
                       reason="pyspark is not installed (pip install 'dyad[spark]')"),
]

ACTORS = ["Russia", "Ukraine", "France", "Germany", "Sudan", "Kenya", "Turkey", "Greece", "Israel", "Iran",
          "China", "Japan", "the United Nations", "Police", "Rebels", "Egypt", "India", "Pakistan"]
PLACES = ["Nairobi", "Athens", "Cairo", "Kabul", "Lagos", "Lima", "Manila", "Ankara", "Delhi", "Tokyo"]
EVENTS = ["{a} accused {b} of violating the ceasefire near {p} on {d}.",
          "{a} condemned {b} after the attack in {p}.",
          "{a} urged {b} to protect civilians in {p}.",
          "{a} met {b} in {p} to discuss the dispute over water rights.",
          "{a} threatened {b} with new sanctions over the seizure of a tanker.",
          "{a} praised {b} for releasing {n} prisoners in {p}.",
          "{a} attacked {b} positions outside {p} overnight.",
          "{a} signed an agreement with {b} in {p} on trade and fishing quotas."]
FILLER = ["Officials in {p} said {n} people had been displaced since the spring.",
          "The talks are expected to resume in {m} weeks, according to diplomats in {p}.",
          "Markets in {p} fell by {n} percent after the announcement was broadcast.",
          "Witnesses described long queues of trucks at the crossing north of {p}.",
          "A spokesman declined to say whether {n} observers would be allowed to stay.",
          "Local newspapers in {p} reported that schools closed for {m} days."]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _sentence(rng: random.Random, pool: list[str]) -> str:
    a, b = rng.sample(ACTORS, 2)
    return rng.choice(pool).format(a=a, b=b, p=rng.choice(PLACES), d=rng.choice(DAYS), n=rng.randint(2, 900),
                                   m=rng.randint(2, 12))


def corpus(n: int = 200, seed: int = 7) -> list[dict]:
    """`n` JSONL records: originals of five to six short paragraphs and near-duplicate copies (a new lead,
    a trimmed end, or both), plus a skipped (non-English) and a failed (no text) record."""
    rng = random.Random(seed)
    records: list[dict] = []
    originals: list[list[str]] = []
    while len(records) < n - 2:
        date = f"2026-0{rng.randint(1, 3)}-{rng.randint(10, 28)}"
        if originals and rng.random() < 0.3:
            body = list(rng.choice(originals))
            if rng.random() < 0.6:
                body[0] = _sentence(rng, EVENTS)  # edited lead
            if rng.random() < 0.6:
                body = body[:-1]  # trimmed end
        else:
            body = [_sentence(rng, EVENTS if k % 2 == 0 else FILLER) for k in range(rng.randint(5, 6))]
            originals.append(body)
        records.append({"id": f"a{len(records):03d}", "text": "\n\n".join(body), "date": date,
                        "source": f"paper{rng.randint(1, 6)}"})
    records.append({"id": "fr", "text": "Le gouvernement a annoncé lundi une nouvelle réforme des retraites, "
                                         "provoquant la colère des syndicats dans tout le pays."})
    records.append({"id": "broken", "title": "no text field"})
    return records


PARTITIONS = 4  # more input partitions than the corpus has months: each would write its own file per month


@pytest.fixture(scope="module")
def spark():
    from dyad.corpus.spark import session

    spark = session("local[2]", app="dyad-test")
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def runs(spark, tmp_path_factory):
    from dyad.article.readers import read_inputs
    from dyad.corpus.ingest import ingest, load_parquet
    from dyad.corpus.spark import run

    tmp = tmp_path_factory.mktemp("spark")
    feed = tmp / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in corpus()))
    single = tmp / "single.duckdb"
    ingest(read_inputs([feed]), single)
    summary = run(spark, str(feed), str(tmp / "out"), partitions=PARTITIONS)
    loaded = tmp / "loaded.duckdb"
    load_parquet(tmp / "out", loaded)
    return single, tmp / "out", loaded, summary


def _sorted(rows: list[tuple]) -> list[tuple]:
    return sorted(rows, key=lambda row: tuple((value is None, str(value)) for value in row))


def _single(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return _sorted(con.execute(sql).fetchall())
    finally:
        con.close()


def _parquet(out: Path, sql: str) -> list[tuple]:
    con = duckdb.connect()
    con.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet('{out}/events/**/*.parquet', "
                "hive_partitioning = true)")
    for table in ("articles", "stories", "aggregated_events"):
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{out}/{table}.parquet/*.parquet')")
    return _sorted(con.execute(sql).fetchall())


def test_same_mention_level_events(runs):
    single, out, loaded, summary = runs
    expected = _single(single, "SELECT event_id, article_id, code, source_code, target_code, date FROM events")
    assert len(expected) > 100 and summary["events"] == len(expected)
    assert _parquet(out, "SELECT event_id, article_id, code, source_code, target_code, date FROM events") == expected
    assert _single(loaded, "SELECT event_id, article_id, code, source_code, target_code, date FROM events") == expected


def test_same_article_statuses(runs):
    single, out, _, summary = runs
    # a record that cannot be read is named by its origin, which is `file:line` for ingest and `file#hash` here
    sql = "SELECT id, status FROM articles WHERE status != 'failed'"
    assert _parquet(out, sql) == _single(single, sql)
    sql = "SELECT status, count(*) FROM articles GROUP BY 1"
    assert _parquet(out, sql) == _single(single, sql)
    assert summary["coded"] == 198 and summary["skipped"] == 1 and summary["failed"] == 1


def test_same_stories(runs):
    single, out, loaded, summary = runs
    expected = _single(single, "SELECT article_id, story_id FROM stories")
    assert summary["multi_article_stories"] >= 10
    assert _parquet(out, "SELECT article_id, story_id FROM stories") == expected
    assert _single(loaded, "SELECT article_id, story_id FROM stories") == expected


def test_same_aggregated_events(runs):
    single, out, loaded, _ = runs
    full = ("SELECT aggregate_id, date, source_code, target_code, code, location_name, mentions, articles, "
            "sources, stories, first_mention FROM aggregated_events")
    per_code = "SELECT code, sum(mentions), sum(articles), sum(stories), count(*) FROM aggregated_events GROUP BY 1"
    per_dyad = ("SELECT source_code, target_code, sum(mentions), sum(stories), count(*) FROM aggregated_events "
                "GROUP BY 1, 2")
    for sql in (full, per_code, per_dyad):
        expected = _single(single, sql)
        assert _parquet(out, sql) == expected
        assert _single(loaded, sql) == expected
    # the copies are counted as one story each
    assert any(row[9] < row[7] for row in _single(single, full))


def test_spark_schemas_come_from_the_store_schema():
    from dyad.corpus.schema import SCHEMA, columns
    from dyad.corpus.spark import spark_schema

    for table in SCHEMA:
        assert spark_schema(table).fieldNames() == columns(table)
    types = {f.name: f.dataType.simpleString() for f in spark_schema("events")}
    assert types["date"] == "date" and types["geonames_id"] == "bigint" and types["quad_class"] == "int"


def test_band_keys_are_datasketch_lsh_keys():
    from datasketch import MinHashLSH

    from dyad.corpus.spark import minhash_row
    from dyad.corpus.stories import LSH_THRESHOLD, NUM_PERM, shingles, signature

    text = corpus(3)[0]["text"]
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    lsh.insert("x", signature(shingles(text)))
    row = minhash_row("x", text)
    assert len(row["bands"]) == lsh.b
    for band, table in zip(row["bands"], lsh.hashtables, strict=True):
        assert list(table.keys()) == [bytes.fromhex(band)]


def test_ingest_parquet_command_loads_the_output(runs, tmp_path):
    from click.testing import CliRunner

    from dyad.surfaces.cli import main

    single, out, _, _ = runs
    db = tmp_path / "cli.duckdb"
    done = CliRunner().invoke(main, ["ingest", "--parquet", str(out), "--db", str(db)])
    assert done.exit_code == 0, done.output
    sql = "SELECT count(*), count(DISTINCT article_id) FROM events"
    assert _single(db, sql) == _single(single, sql)


def test_each_month_folder_holds_one_file(runs):
    _, out, _, _ = runs
    months = [folder for folder in (out / "events").glob("year=*/month=*") if folder.is_dir()]
    assert len(months) == 3
    for folder in months:
        assert len(list(folder.glob("*.parquet"))) == 1 < PARTITIONS


def test_a_month_past_events_per_file_is_split(spark, tmp_path, monkeypatch):
    import datetime as dt

    from pyspark.sql import functions as F

    from dyad.corpus import spark as job

    monkeypatch.setattr(job, "EVENTS_PER_FILE", 40)
    events = (spark.range(300).repartition(7)
              .select(F.col("id").cast("string").alias("event_id"),
                      F.when(F.col("id") < 100, F.lit(dt.date(2026, 1, 5))).otherwise(F.lit(dt.date(2026, 2, 9)))
                      .alias("date")))
    job.write_events(events, str(tmp_path / "events"))
    files = {folder.name: len(list(folder.glob("*.parquet"))) for folder in (tmp_path / "events").glob("year=*/*")}
    assert files == {"month=1": 3, "month=2": 5}  # 100 and 200 rows, 40 a file, from 7 partitions


def test_recode_after_ingest_parquet_equals_recode_after_ingest(runs, tmp_path):
    from dyad.corpus.ingest import recode

    single, _, loaded, summary = runs
    sql = ("SELECT event_id, article_id, code, source_code, target_code, date, location_name, confidence "
           "FROM events")
    recoded = {}
    for name, db in (("single", single), ("loaded", loaded)):
        copy = tmp_path / f"{name}.duckdb"
        shutil.copy(db, copy)
        done = recode(copy)
        assert done.read == summary["coded"]  # every coded article had its parse
        recoded[name] = _single(copy, sql)
    assert recoded["loaded"] == recoded["single"] == _single(single, sql)
    assert _single(loaded, "SELECT count(*) FROM parses") == [(summary["coded"],)]


def _copies(n: int) -> list[tuple[str, str]]:
    lead = " ".join(corpus(12, seed=11)[k]["text"] for k in range(10))
    return [(f"w{k:03d}", f"{lead} Filed by correspondent {k} for edition {k * 7}.") for k in range(n)]


def test_story_guard_bounds_a_huge_bucket_and_keeps_the_groups(spark):
    """One wire story carried 150 times (every band bucket of 150 ids, cap 4) among other articles: the
    candidate pairs stay within cap x bucket size per bucket, and the stories equal group_stories's
    (capped or not: the copies are near-identical)."""
    from dyad.corpus.spark import MINHASH_SCHEMA, minhash_row
    from dyad.corpus.spark_stories import candidate_pairs, stories
    from dyad.corpus.stories import group_stories

    texts = _copies(150) + [(r["id"], r["text"]) for r in corpus(60, seed=5)[:58]]
    rows = [minhash_row(i, t) for i, t in texts]
    minhashes = spark.createDataFrame([(r["article_id"], r["bands"], r["shingles"]) for r in rows], MINHASH_SCHEMA)
    coded = spark.createDataFrame([(i,) for i, _ in texts], "id string")
    every = candidate_pairs(minhashes, None).count()
    capped = candidate_pairs(minhashes, 4).count()
    assert every >= 150 * 149 // 2 and capped < every // 5
    got = {row["article_id"]: row["story_id"] for row in stories(coded, minhashes, cap=4).collect()}  # driver
    assert got == group_stories(texts, cap=4) == group_stories(texts, cap=None)
    # the same stories from the join with components on the driver, and by min-label propagation
    for driver_edges in (10**6, 0):
        joined = stories(coded, minhashes, cap=4, driver_edges=driver_edges, driver_articles=0).collect()
        assert {row["article_id"]: row["story_id"] for row in joined} == got
    assert {got[f"w{k:03d}"] for k in range(150)} == {"w000"}


def test_an_article_given_twice_is_stored_once(spark, tmp_path):
    from dyad.article.readers import read_inputs
    from dyad.corpus.ingest import ingest
    from dyad.corpus.spark import run

    records = corpus(8, seed=3)[:6]
    feed = tmp_path / "twice.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in [*records, records[2], records[4]]))
    single = tmp_path / "twice.duckdb"
    ingest(read_inputs([feed]), single)
    summary = run(spark, str(feed), str(tmp_path / "out"), partitions=3)
    assert summary["coded"] == 6
    for sql in ("SELECT event_id, article_id, code FROM events", "SELECT id, status FROM articles",
                "SELECT article_id, story_id FROM stories"):
        assert _parquet(tmp_path / "out", sql) == _single(single, sql)
    con = duckdb.connect()
    assert con.execute(f"SELECT count(*), count(DISTINCT article_id) FROM read_parquet('{tmp_path}/out/"
                       "parses.parquet/*.parquet')").fetchall() == [(6, 6)]
