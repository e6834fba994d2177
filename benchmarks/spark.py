"""dyad on Spark: local[2] against local[1] (target >= 1.5 x), and Spark's overhead against `dyad ingest --jobs 2`.

    python benchmarks/spark.py [--articles N] [--partitions P]

Texts: the real articles in ../shared (PolNeAR, then the GeoWebNews, LGL, GeoVirus texts and the HTML
pages, as benchmarks/ingest.py reads them); skipped when ../shared is absent. Each run is a fresh
process, timed wall to wall (JVM and Python worker start-up, model loads, stories and aggregation
included), writing into a fresh folder or store.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import jsonl_feed, require_shared
from ingest import shared_articles

DYAD = str(Path(sys.executable).with_name("dyad"))


def timed(args: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([DYAD, *args], check=True, capture_output=True, text=True)
    return time.perf_counter() - started, done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="how many articles (default 1000)")
    parser.add_argument("--partitions", type=int, default=8, help="input partitions of both Spark runs")
    args = parser.parse_args()
    require_shared()
    records = shared_articles(args.articles)
    with tempfile.TemporaryDirectory() as tmp:
        feed = jsonl_feed(records, tmp)
        figures: dict = {"articles": len(records), "partitions": args.partitions}
        for master in ("local[1]", "local[2]"):
            wall, log = timed(["spark", str(feed), f"{tmp}/out-{master[6]}", "--master", master,
                               "--partitions", str(args.partitions)])
            coding = re.search(r"coding_seconds ([\d.]+)", log)
            figures[f"{master}_articles_per_s"] = round(len(records) / wall, 2)
            figures[f"{master}_coding_seconds"] = float(coding.group(1)) if coding else None
            figures[f"{master}_wall_seconds"] = round(wall, 1)
        wall, _ = timed(["ingest", str(feed), "--db", f"{tmp}/jobs2.duckdb", "--jobs", "2"])
        figures["ingest_jobs2_articles_per_s"] = round(len(records) / wall, 2)
        figures["ingest_jobs2_wall_seconds"] = round(wall, 1)
    figures["local2_vs_local1"] = round(figures["local[2]_articles_per_s"] / figures["local[1]_articles_per_s"], 3)
    # > 1: Spark is slower than ingest on the same two cores (JVM, Arrow transfer, staging, whole-corpus steps)
    figures["spark_overhead_vs_ingest_jobs2"] = round(figures["ingest_jobs2_articles_per_s"]
                                                      / figures["local[2]_articles_per_s"], 3)
    print(f"{len(records)} articles: local[1] {figures['local[1]_articles_per_s']}/s, local[2] "
          f"{figures['local[2]_articles_per_s']}/s = {figures['local2_vs_local1']} x local[1] (>= 1.5); "
          f"ingest --jobs 2 {figures['ingest_jobs2_articles_per_s']}/s: Spark takes "
          f"{figures['spark_overhead_vs_ingest_jobs2']} x its time")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
