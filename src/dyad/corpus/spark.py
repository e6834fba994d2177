"""dyad on Apache Spark: code a corpus on a cluster and write the store's tables as Parquet.

    dyad spark INPUT OUTPUT [--master URL] [--partitions N]
    spark-submit [options] src/dyad/corpus/spark.py INPUT OUTPUT [--partitions N]

Reading: JSONL (one article per line, as `dyad ingest` reads it), Parquet (columns `text` and optionally
`id`, `url`, `title`, `date`, `source`, `format`) or text/HTML files (one article per file), at any
path Spark can read (local, HDFS, S3 ...).

Coding: `mapInArrow` runs the library pipeline (`dyad.corpus.ingest.code_batch`, as `dyad ingest` does)
over each partition; the model and knowledge load once per Python worker (`dyad.pipeline.load` is
cached per process). Each Result becomes its store rows (`dyad.corpus.store.rows_of`), emitted as
`(table, payload JSON, doc)` rows next to one `_minhash` row per coded article (its LSH band keys and
hashed 5-shingles) and one `parses` row (its parse, in `doc`, for `dyad recode`). The rows are staged
once as Parquet, then split per table with `from_json` against Spark schemas derived from
`dyad.corpus.store.SCHEMA`, so the column lists live in one place.

Whole-corpus steps run as Spark operations, not per partition: stories (`dyad.corpus.spark_stories`:
band join for candidates, bounded per bucket as in `dyad.corpus.stories`, exact shingle Jaccard to
confirm, connected components; the same parameters and seeds, hence the same groups as `dyad ingest`)
and the GDELT-style aggregation of the `aggregated_events` view.

Output (the layout of `dyad export --format parquet`): `OUTPUT/<table>.parquet` for articles,
sentences, actors, quotes, places, stories, aggregated_events and parses; `OUTPUT/events/year=Y/month=M/`
(one file per month folder, or per EVENTS_PER_FILE events).
`dyad ingest --parquet OUTPUT --db X.duckdb` loads it into a store.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from collections.abc import Iterator

from dyad.corpus.schema import SCHEMA, TABLES

# DuckDB column types (dyad.corpus.store.SCHEMA) -> Spark SQL types (pyspark.sql.types class names);
# a DuckDB list (`VARCHAR[]`) is a Spark array of its element's type
SPARK_TYPES = {"VARCHAR": "StringType", "INTEGER": "IntegerType", "BIGINT": "LongType", "DOUBLE": "DoubleType",
               "DATE": "DateType", "JSON": "StringType", "BLOB": "BinaryType", "TIMESTAMPTZ": "TimestampType"}
# the per-article MinHash row each coded article adds to the coded output (not a store table)
MINHASH = "_minhash"
# the rows carrying each coded article's parse (`parses` in the store; written to OUTPUT/parses.parquet)
PARSES = "parses"
STAGED_SCHEMA = "table string, payload string, doc binary"
# Articles per `dyad.corpus.ingest.code_batch` call inside a partition, hence per Arrow batch out (it pipes
# them to spaCy pipeline.BATCH_SIZE at a time, so this bounds the Results held, not the parse's memory).
# A setting, not tuned: 64 since the first Spark job; `python benchmarks/spark.py --articles 1000` measures it.
CHUNK = 64
# Input rows per Arrow batch sent to a Python worker: a few chunks, so the JVM-to-Python hand-over is
# amortised. A setting, not tuned (the same command measures it).
ARROW_BATCH = 4 * CHUNK
# Output files of each per-article table but `articles`: one per this many input partitions (articles,
# the largest, keep one per partition). A setting against many small files, not tuned.
PARTITIONS_PER_FILE = 4
# Rows per events Parquet file at most (Spark's maxRecordsPerFile): a month folder holds one file per
# this many events. An event row took 354 bytes in Parquet in tests/test_spark.py's output (285 KB for
# 804 events in three small files: an upper bound, footers weigh more in small files), so a file stays
# under ~700 MB, within the 128 MB-1 GB that object stores and Parquet readers handle well. Set by hand.
EVENTS_PER_FILE = 2_000_000
# Spark SQL settings in local mode, where one machine's data is small beside the coding and each query's
# fixed costs dominate what follows it. Whole-stage code generation compiles Java for every distinct
# plan (~0.5-1 s each, ~a dozen plans a job): off, the tables phase of 60 PolNeAR articles on local[2]
# took 6.2 s instead of 12.1 s (first pass, machine load ~5). Shuffle partitions: Spark's 200 mean
# 200 map outputs per shuffle for a few MB; twice the cores instead (`session`). Settings, not tuned.
LOCAL_CONF = {"spark.sql.codegen.wholeStage": "false"}
# The JVM's options in local mode (where this process starts it): the client compiler only and the serial
# collector. A local job's JVM only moves rows between Python workers and Parquet, and on a few cores
# the optimising compiler's and the parallel collector's threads compete with the workers for them.
# Measured with `python benchmarks/spark.py --articles 8 --no-ingest` (fixed costs only, machine load
# 4-7): CPU of the whole process tree 35.5 -> 22.9 s on local[1], 39.4 -> 24.8 s on local[2].
LOCAL_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def spark_schema(table: str):
    """The Spark StructType of a store table, from `dyad.corpus.store.SCHEMA`."""
    from pyspark.sql import types

    def spark_type(kind: str):
        if kind.endswith("[]"):
            return types.ArrayType(spark_type(kind[:-2]), containsNull=True)
        return getattr(types, SPARK_TYPES[kind])()

    return types.StructType([types.StructField(name, spark_type(kind), nullable=True) for name, kind in SCHEMA[table]])


MINHASH_SCHEMA = "struct<article_id: string, bands: array<string>, shingles: array<bigint>>"


# ---------------------------------------------------------------- Python worker side

def _shingle_hash(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def minhash_row(article_id: str, text: str) -> dict | None:
    """An article's LSH band keys (`stories.bands_of`) and its 5-shingles hashed to 64 bits (for the
    exact Jaccard; a collision among 10^8 articles' shingles is improbable, ~2^-64 per pair of shingles).
    None for a text without words (its own story, as in `group_stories`)."""
    from dyad.corpus.stories import bands_of, shingles

    own = shingles(text)
    if not own:
        return None
    return {"article_id": article_id, "bands": bands_of(own), "shingles": sorted({_shingle_hash(s) for s in own})}


def _item(kind: str, data: str, origin: str):
    from dyad.article.readers import from_html, from_jsonl_line, from_text

    if kind == "jsonl":
        return from_jsonl_line(data, origin)
    if kind == "html":
        return from_html(data, origin)
    return from_text(data, origin)


def code_rows(kinds: list[str], datas: list[str], origins: list[str]) -> tuple[list[str], list[str], list]:
    """Code a chunk of inputs: (tables, payloads, docs), one entry per store row (payload: the row as
    JSON), one `_minhash` row per coded article, and one `parses` row per coded article (payload: its
    id, doc: its parse as `dyad.corpus.ingest.code_batch` serialises it for `dyad recode`; docs are None
    elsewhere). Plain Python (no Spark), so the test suite and the worker share it."""
    import msgspec

    from dyad.corpus.ingest import code_batch
    from dyad.corpus.schema import columns, rows_of
    from dyad.knowledge import KNOWLEDGE_VERSION
    from dyad.version import __version__

    versions = (__version__, KNOWLEDGE_VERSION)
    names = {table: columns(table) for table in TABLES}
    encode = msgspec.json.Encoder().encode
    tables: list[str] = []
    payloads: list[str] = []
    docs: list = []
    items = [_item(k, d, o) for k, d, o in zip(kinds, datas, origins, strict=True)]
    results, parses = code_batch(items)
    for result in results:
        for table, rows in rows_of(result, versions).items():
            names_ = names[table]
            for row in rows:
                tables.append(table)
                payloads.append(encode(dict(zip(names_, row, strict=True))).decode())
                docs.append(None)
        if result.status == "coded":
            article_id = result.article.id
            row = minhash_row(article_id, result.article.text)
            if row is not None:
                tables.append(MINHASH)
                payloads.append(encode(row).decode())
                docs.append(None)
            if article_id in parses:
                tables.append(PARSES)
                payloads.append(article_id)
                docs.append(parses[article_id])
    return tables, payloads, docs


def code_batches(batches: Iterator) -> Iterator:
    """mapInArrow function: Arrow batches of (kind, data, origin) -> batches of (table, payload, doc)."""
    import pyarrow as pa

    for batch in batches:
        columns_ = batch.to_pydict()
        for start in range(0, batch.num_rows, CHUNK):
            end = start + CHUNK
            tables, payloads, docs = code_rows(columns_["kind"][start:end], columns_["data"][start:end],
                                               columns_["origin"][start:end])
            yield pa.RecordBatch.from_arrays([pa.array(tables, pa.string()), pa.array(payloads, pa.string()),
                                              pa.array(docs, pa.binary())], names=["table", "payload", "doc"])


# ---------------------------------------------------------------- driver side

def session(master: str | None = None, app: str = "dyad"):
    """A SparkSession; `master` None keeps what spark-submit (or PySpark's default, local[*]) gives."""
    from pyspark.sql import SparkSession

    # local mode: Python workers run this interpreter (the one with dyad and its model installed). On a
    # cluster, spark-submit's `spark.pyspark.python` names the executors' Python (docs/scale.md).
    launched_here = "PYSPARK_GATEWAY_PORT" not in os.environ  # not under spark-submit
    if (master or "local").startswith("local") and launched_here:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app)
    if master:
        builder = builder.master(master)
    if (master or "local").startswith("local") and launched_here:
        builder = builder.config("spark.driver.extraJavaOptions", LOCAL_JAVA_OPTIONS)
    builder = (builder.config("spark.sql.execution.arrow.maxRecordsPerBatch", str(ARROW_BATCH))
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.ui.showConsoleProgress", "false"))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    if spark.sparkContext.master.startswith("local"):
        for key, value in LOCAL_CONF.items():
            spark.conf.set(key, value)
        spark.conf.set("spark.sql.shuffle.partitions", str(2 * spark.sparkContext.defaultParallelism))
    return spark


def _input_kind(path: str) -> str:
    lower = path.rstrip("/").lower()
    if lower.endswith((".jsonl", ".json", ".jsonl.gz", ".json.gz")):
        return "jsonl"
    if lower.endswith(".parquet"):
        return "parquet"
    return "text"


def read_inputs(spark, path: str, input_format: str = "auto"):
    """A DataFrame of (kind, data, origin): one row per article to code."""
    from pyspark.sql import functions as F

    kind = _input_kind(path) if input_format == "auto" else input_format
    if kind == "jsonl":
        frame = spark.read.text(path).where(F.trim("value") != "")
        # origin: the file and a hash of the line (Spark has no line numbers); unique per distinct line
        return frame.select(F.lit("jsonl").alias("kind"), F.col("value").alias("data"),
                            F.concat(F.input_file_name(), F.lit("#"), F.substring(F.md5("value"), 1, 12))
                            .alias("origin"))
    if kind == "parquet":
        frame = spark.read.parquet(path)
        if "text" not in frame.columns:
            raise ValueError(f"{path}: Parquet input needs a 'text' column (found {', '.join(frame.columns)})")
        keep = [c for c in ("id", "text", "url", "title", "date", "source", "format") if c in frame.columns]
        record = F.to_json(F.struct(*[F.col(c).cast("string").alias(c) for c in keep]))
        origin = F.concat(F.input_file_name(), F.lit("#"),
                          F.col("id").cast("string") if "id" in keep else F.substring(F.md5("text"), 1, 12))
        return frame.select(F.lit("jsonl").alias("kind"), record.alias("data"), origin.alias("origin"))
    if kind == "text":
        frame = spark.read.option("recursiveFileLookup", "true").text(path, wholetext=True)
        name = F.input_file_name()
        is_html = F.lower(name).rlike(r"\.html?$")
        return frame.select(F.when(is_html, "html").otherwise("text").alias("kind"), F.col("value").alias("data"),
                            name.alias("origin"))
    raise ValueError(f"unknown input format {kind!r}: jsonl, parquet or text")


def table_frame(staged, table: str):
    """One store table out of the staged (table, payload) rows, typed by `dyad.corpus.store.SCHEMA`."""
    from pyspark.sql import functions as F

    schema = spark_schema(table) if table != MINHASH else MINHASH_SCHEMA
    parsed = staged.where(F.col("table") == table).select(F.from_json("payload", schema).alias("r"))
    return parsed.select("r.*")


def aggregated_events(events, articles, story_table):
    """The `aggregated_events` view of dyad.corpus.store, over the whole output."""
    from pyspark.sql import functions as F

    key = F.md5(F.concat_ws("|", F.col("date").cast("string"), "source_code", "target_code", "code",
                            "location_name"))
    mentions = (events.join(articles.select(F.col("id").alias("article_id"), F.col("source").alias("news_source")),
                            "article_id", "left")
                .join(story_table, "article_id", "left")
                .withColumn("aggregate_id", key))
    return (mentions.groupBy("aggregate_id", "date", "source_code", "target_code", "code", "location_name")
            .agg(F.any_value("root_code").alias("root_code"), F.any_value("quad_class").alias("quad_class"),
                 F.any_value("goldstein").alias("goldstein"), F.any_value("plover_event").alias("plover_event"),
                 F.any_value("location_country").alias("location_country"),
                 F.any_value("latitude").alias("latitude"), F.any_value("longitude").alias("longitude"),
                 F.count(F.lit(1)).alias("mentions"), F.countDistinct("article_id").alias("articles"),
                 F.countDistinct(F.coalesce("news_source", "article_id")).alias("sources"),
                 F.countDistinct(F.coalesce("story_id", "article_id")).alias("stories"),
                 F.min("event_id").alias("first_mention"))
            .select("aggregate_id", "date", "source_code", "target_code", "code", "root_code", "quad_class",
                    "goldstein", "plover_event", "location_name", "location_country", "latitude", "longitude",
                    "mentions", "articles", "sources", "stories", "first_mention"))


def write_events(events, path: str) -> None:
    """Events under `path/year=Y/month=M/`: one shuffle partition per month, so each month folder gets
    one file (one per EVENTS_PER_FILE rows past that), however many input partitions coded it."""
    from pyspark.sql import functions as F

    months = events.withColumn("year", F.year("date")).withColumn("month", F.month("date")).repartition("year", "month")
    (months.write.mode("overwrite").option("maxRecordsPerFile", EVENTS_PER_FILE)
     .partitionBy("year", "month").parquet(path))


def _delete(spark, path: str) -> None:
    jvm = spark._jvm
    target = jvm.org.apache.hadoop.fs.Path(path)
    target.getFileSystem(spark._jsc.hadoopConfiguration()).delete(target, True)


def run(spark, input_path: str, output: str, *, partitions: int | None = None, input_format: str = "auto",
        keep_staging: bool = False) -> dict:
    """Code `input_path` into Parquet tables under `output`; returns counts and seconds per phase."""
    started = time.perf_counter()
    output = output.rstrip("/")
    inputs = read_inputs(spark, input_path, input_format)
    partitions = partitions or max(2, spark.sparkContext.defaultParallelism)
    staging = f"{output}/_staging"
    (inputs.repartition(partitions).mapInArrow(code_batches, STAGED_SCHEMA)
     .write.mode("overwrite").partitionBy("table").parquet(staging))
    coding = time.perf_counter() - started
    counts = write_tables(spark.read.parquet(staging), output, partitions)
    if not keep_staging:
        _delete(spark, staging)
    statuses = counts["statuses"]
    return {"articles": sum(statuses.values()), **statuses, "events": counts["events"],
            "multi_article_stories": counts["multi_article_stories"], "coding_seconds": round(coding, 2),
            "tables_seconds": round(time.perf_counter() - started - coding, 2),
            "seconds": round(time.perf_counter() - started, 2)}


def write_tables(staged, output: str, partitions: int) -> dict:
    """The store tables, the parses, the stories and the aggregated events out of the staged rows, and
    the summary's counts. Independent jobs run together (`_together`): one's planning and small tasks
    overlap another's, and a core idle in one job's last task serves the next; only the aggregation
    waits, for the stories."""
    from pyspark.sql import functions as F

    from dyad.corpus.spark_stories import stories

    spark = staged.sparkSession
    frames = {table: table_frame(staged, table) for table in TABLES}
    # an article given twice is stored once, as `dyad ingest` does (its rows are identical); one small
    # job finds out, and without duplicates the tables are written without a shuffle each
    given_twice = frames["articles"].groupBy("id").count().where(F.col("count") > 1).limit(1).collect()
    if given_twice:
        frames["articles"] = frames["articles"].dropDuplicates(["id"])
        frames["events"] = frames["events"].dropDuplicates(["event_id"])
        for table in ("sentences", "actors", "quotes", "places"):
            frames[table] = frames[table].dropDuplicates()
    counts: dict = {}

    def write_table(table: str) -> None:
        if table == "events":
            write_events(frames[table], f"{output}/events")
        else:
            frames[table].coalesce(max(1, partitions // PARTITIONS_PER_FILE) if table != "articles" else partitions) \
                .write.mode("overwrite").parquet(f"{output}/{table}.parquet")

    def write_parses() -> None:
        parses = staged.where(F.col("table") == PARSES).select(F.col("payload").alias("article_id"), "doc")
        parses = parses.dropDuplicates(["article_id"]) if given_twice else parses
        parses.coalesce(partitions).write.mode("overwrite").parquet(f"{output}/{PARSES}.parquet")

    def write_stories_and_aggregates() -> None:
        coded = frames["articles"].where(F.col("status") == "coded")
        minhashes = table_frame(staged, MINHASH)
        minhashes = minhashes.dropDuplicates(["article_id"]) if given_twice else minhashes
        stories(coded, minhashes).write.mode("overwrite").parquet(f"{output}/stories.parquet")
        story_table = spark.read.parquet(f"{output}/stories.parquet")

        def count_stories() -> None:
            counts["multi_article_stories"] = (story_table.groupBy("story_id").count()
                                               .where(F.col("count") > 1).count())

        _together([lambda: aggregated_events(frames["events"], frames["articles"], story_table)
                   .write.mode("overwrite").parquet(f"{output}/aggregated_events.parquet"), count_stories])

    def count_rows() -> None:
        counts["statuses"] = {row["status"]: row["count"]
                              for row in frames["articles"].groupBy("status").count().collect()}
        counts["events"] = frames["events"].count()

    # the longest chain (stories, then the aggregation) first
    _together([write_stories_and_aggregates] + [lambda table=table: write_table(table) for table in TABLES]
              + [write_parses, count_rows])
    return counts


def _together(jobs: list) -> None:
    """Run Spark jobs from driver threads at once (Spark schedules concurrent jobs; PySpark pins each
    thread to its own JVM thread); the first error is raised."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()


def main(argv: list[str] | None = None) -> None:
    """Entry point for spark-submit (`spark-submit .../dyad/corpus/spark.py INPUT OUTPUT`) and `dyad spark`."""
    parser = argparse.ArgumentParser(prog="dyad spark", description=__doc__.splitlines()[0])
    parser.add_argument("input", help="JSONL, Parquet or text/HTML files: any path Spark can read")
    parser.add_argument("output", help="output folder (the layout of `dyad export --format parquet`)")
    parser.add_argument("--master", default=None, help="Spark master URL, e.g. local[2]; default: spark-submit's")
    parser.add_argument("--partitions", type=int, default=None, help="input partitions (default: the parallelism)")
    parser.add_argument("--input-format", choices=["auto", "jsonl", "parquet", "text"], default="auto")
    parser.add_argument("--keep-staging", action="store_true", help="keep OUTPUT/_staging (the coded rows)")
    args = parser.parse_args(argv)
    spark = session(args.master)
    try:
        summary = run(spark, args.input, args.output, partitions=args.partitions, input_format=args.input_format,
                      keep_staging=args.keep_staging)
    finally:
        spark.stop()
    print("dyad: " + ", ".join(f"{k} {v}" for k, v in summary.items()) + f" -> {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
