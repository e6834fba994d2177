"""`dyad spark`'s stories: `dyad.corpus.stories.group_stories` as DataFrame operations over the per-article
MinHash rows the coding stage emits (`dyad.corpus.spark.minhash_row`): candidate pairs from shared LSH
band keys (bounded per bucket by `stories.BUCKET_CAP`), confirmed by exact shingle Jaccard, then
connected components (story id = the smallest article id)."""

from __future__ import annotations

from dyad.corpus.stories import BUCKET_CAP

# Confirmed story pairs (edges) at most for connected components on the driver (union-find, one job)
# rather than min-label propagation (a few Spark jobs a round, ~1 s each in local mode): a bound on
# driver memory, ~200 bytes an edge in Python, so ~200 MB. Set by hand, not tuned.
DRIVER_EDGES = 1_000_000
# Coded articles at most for stories grouped on the driver altogether (their band keys and hashed
# shingles collected: ~40 KB an article as Python objects, so ~200 MB), which spares a local run the
# chain of joins on its critical path. A bound on driver memory, set by hand.
DRIVER_ARTICLES = 5_000
# A bound on min-label propagation, not a tuned value: wire-copy groups converge in 3-5 rounds.
MAX_PROPAGATION_ROUNDS = 100


def candidate_pairs(minhashes, cap: int | None = BUCKET_CAP):
    """(a, b) article id pairs, a < b, sharing an LSH band key: `dyad.corpus.stories.candidate_pairs`
    over DataFrames. A bucket's `cap` (default `stories.BUCKET_CAP`) smallest ids are its anchors; every
    member pairs with the anchors below it, so a bucket of n ids gives at most cap x n pairs (all pairs
    when n <= cap), and one bucket of a million boilerplate texts cannot make the join quadratic.
    `cap` None: every pair."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    bands = minhashes.select("article_id", F.posexplode("bands").alias("band", "key"))
    anchors = bands
    if cap is not None:
        rank = F.row_number().over(Window.partitionBy("band", "key").orderBy("article_id"))
        anchors = bands.withColumn("rank", rank).where(F.col("rank") <= cap).drop("rank")
    left, right = bands.alias("l"), anchors.alias("r")
    return (left.join(right, (F.col("l.band") == F.col("r.band")) & (F.col("l.key") == F.col("r.key"))
                      & (F.col("l.article_id") > F.col("r.article_id")))
            .select(F.col("r.article_id").alias("a"), F.col("l.article_id").alias("b")).distinct())


def _components(edges) -> dict[str, str]:
    """Union-find over (a, b) edges: each vertex -> the smallest id of its component."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def _propagate_labels(edges, max_iterations: int):
    """(id, label) by min-label propagation over the undirected edges (a, b): for edge sets too large
    for the driver; each round a join and a group-by, wire-copy groups converge in 3-5 rounds."""
    from pyspark.sql import functions as F

    both = edges.union(edges.select(F.col("b").alias("a"), F.col("a").alias("b"))).localCheckpoint()
    labels = both.select(F.col("a").alias("id")).distinct().withColumn("label", F.col("id")).localCheckpoint()
    for _ in range(max_iterations):
        offered = (both.join(labels.withColumnRenamed("id", "a"), "a")
                   .groupBy(F.col("b").alias("id")).agg(F.min("label").alias("offered")))
        updated = (labels.join(offered, "id", "left")
                   .select("id", F.least("label", F.coalesce("offered", "label")).alias("label"))
                   .localCheckpoint())
        changed = updated.join(labels.withColumnRenamed("label", "old"), "id").where(F.col("label") != F.col("old"))
        labels = updated
        if changed.isEmpty():
            return labels
    raise RuntimeError(f"story grouping did not converge in {max_iterations} iterations")


def _driver_stories(rows: list, coded_ids: list[str], cap: int | None) -> list[tuple[str, str]]:
    """(article_id, story_id) on the driver from collected MinHash rows: `stories.candidate_pairs` over
    the band buckets, the exact Jaccard of the hashed shingle sets, union-find."""
    from dyad.corpus.stories import CONFIRM_JACCARD, jaccard
    from dyad.corpus.stories import candidate_pairs as pairs_of

    sets = {row["article_id"]: set(row["shingles"]) for row in rows}
    buckets: dict[tuple[int, str], list[str]] = {}
    for row in sorted(rows, key=lambda row: row["article_id"]):
        for band, key in enumerate(row["bands"]):
            buckets.setdefault((band, key), []).append(row["article_id"])
    edges = [(a, b) for a, b in pairs_of(((k, m) for k, m in buckets.items() if len(m) > 1), cap)
             if jaccard(sets[a], sets[b]) >= CONFIRM_JACCARD]  # as group_stories compares
    labels = _components(edges)
    return [(article_id, labels.get(article_id, article_id)) for article_id in coded_ids]


def stories(coded_articles, minhashes, max_iterations: int = MAX_PROPAGATION_ROUNDS,
            cap: int | None = BUCKET_CAP, driver_edges: int = DRIVER_EDGES, driver_articles: int = DRIVER_ARTICLES):
    """(article_id, story_id) for every coded article: `dyad.corpus.stories.group_stories` as DataFrame
    operations. Candidates share one LSH band key (`candidate_pairs`, bounded per bucket by `cap`); a
    pair is confirmed by exact shingle Jaccard >= CONFIRM_JACCARD; story id = the smallest article id of
    the connected component: found on the driver when there are at most `driver_edges` confirmed
    pairs, else by min-label propagation (`_propagate_labels`). At most `driver_articles` coded
    articles are grouped on the driver altogether (`_driver_stories`)."""
    from pyspark.sql import functions as F

    from dyad.corpus.stories import CONFIRM_JACCARD

    spark = minhashes.sparkSession
    rows = minhashes.limit(driver_articles + 1).collect()
    if len(rows) <= driver_articles:
        coded_ids = [row["id"] for row in coded_articles.select("id").collect()]
        return spark.createDataFrame(_driver_stories(rows, coded_ids, cap), "article_id string, story_id string")
    candidates = candidate_pairs(minhashes, cap)
    sets = minhashes.select("article_id", "shingles")
    pairs = (candidates.join(sets.withColumnRenamed("article_id", "a").withColumnRenamed("shingles", "sa"), "a")
             .join(sets.withColumnRenamed("article_id", "b").withColumnRenamed("shingles", "sb"), "b"))
    jaccard = (F.size(F.array_intersect("sa", "sb")).cast("double")
               / F.size(F.array_union("sa", "sb")).cast("double"))
    edges = pairs.where(jaccard >= F.lit(CONFIRM_JACCARD)).select("a", "b")
    few = edges.limit(driver_edges + 1).collect()
    if len(few) <= driver_edges:  # components on the driver: one job instead of a few per round
        labels = spark.createDataFrame(sorted(_components((r["a"], r["b"]) for r in few).items()),
                                                    "id string, label string")
    else:
        labels = _propagate_labels(edges.localCheckpoint(), max_iterations)
    return (coded_articles.select(F.col("id").alias("article_id"))
            .join(labels.withColumnRenamed("id", "article_id"), "article_id", "left")
            .select("article_id", F.coalesce("label", "article_id").alias("story_id")))
