"""dyad on Spark: local[2] against local[1] (target >= 1.8 x), and Spark's overhead against `dyad ingest --jobs 2`.

    python benchmarks/spark.py [--articles N] [--partitions P] [--masters local[1],local[2]] [--no-ingest]

Both masters run in one invocation, one after the other, and the ratio is printed with its bar; judge
it on a quiet machine (the load average before the run is printed: it should be below 1).

Texts: the real articles in ../shared (PolNeAR, then the GeoWebNews, LGL, GeoVirus texts and the HTML
pages, as benchmarks/ingest.py reads them); skipped when ../shared is absent. Each run is a fresh
process, timed wall to wall (JVM and Python worker start-up, model loads, stories and aggregation
included), writing into a fresh folder or store.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from corpus import core_scaling, jsonl_feed, require_shared
from ingest import shared_articles

DYAD = str(Path(sys.executable).with_name("dyad"))
BAR = 1.8  # issue 18: local[2] >= 1.8 x local[1] on 1,000 articles
PHASES = ("coding", "tables")


def _tree_cpu(root: int, seen: dict[int, float]) -> None:
    """Record the CPU seconds (user + system) of `root` and each of its descendants, read from /proc."""
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(pid)
        cpu[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    stack = [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        if pid in cpu:
            seen[pid] = cpu[pid]


def timed(args: list[str]) -> tuple[float, str, float]:
    """Wall seconds, stderr, and the CPU seconds of the process tree (the driver, the JVM, the Python
    workers; sampled every 0.2 s, so a process living less than that is missed): on a busy machine wall
    time is noise, CPU time still shows what a change saved."""
    seen: dict[int, float] = {}
    started = time.perf_counter()
    with subprocess.Popen([DYAD, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as process:
        log: list[str] = []
        reader = threading.Thread(target=lambda: log.append(process.stderr.read()))
        reader.start()
        while process.poll() is None:
            _tree_cpu(process.pid, seen)
            time.sleep(0.2)
        reader.join()
    wall = time.perf_counter() - started
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, args, stderr="".join(log))
    return wall, "".join(log), sum(seen.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="how many articles (default 1000)")
    parser.add_argument("--partitions", type=int, default=8, help="input partitions of both Spark runs")
    parser.add_argument("--masters", default="local[1],local[2]", help="Spark masters to run, comma-separated")
    parser.add_argument("--no-ingest", action="store_true", help="skip the `dyad ingest --jobs 2` run")
    args = parser.parse_args()
    require_shared()
    records = shared_articles(args.articles)
    load = os.getloadavg()
    print(f"load average before the runs: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (quiet: < 1)", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        feed = jsonl_feed(records, tmp)
        figures: dict = {"articles": len(records), "partitions": args.partitions, "load_average": load[0]}
        for master in args.masters.split(","):
            wall, log, cpu = timed(["spark", str(feed), f"{tmp}/out-{len(figures)}", "--master", master,
                               "--partitions", str(args.partitions)])
            figures[f"{master}_articles_per_s"] = round(len(records) / wall, 2)
            figures[f"{master}_wall_seconds"] = round(wall, 1)
            figures[f"{master}_cpu_seconds"] = round(cpu, 1)
            seconds = re.search(r" seconds ([\d.]+)", log)
            # start-up: the driver's imports, the JVM and the SparkSession, before the job's own clock
            figures[f"{master}_startup_seconds"] = round(wall - float(seconds.group(1)), 1) if seconds else None
            for name in PHASES:
                found = re.search(rf"{name}_seconds ([\d.]+)", log)
                figures[f"{master}_{name}_seconds"] = float(found.group(1)) if found else None
            print(master, {k.split("_", 1)[1]: v for k, v in figures.items() if k.startswith(master)}, flush=True)
        if not args.no_ingest:
            wall, _, _ = timed(["ingest", str(feed), "--db", f"{tmp}/jobs2.duckdb", "--jobs", "2"])
            figures["ingest_jobs2_articles_per_s"] = round(len(records) / wall, 2)
            figures["ingest_jobs2_wall_seconds"] = round(wall, 1)
    figures["load_average_after"] = round(os.getloadavg()[0], 2)
    if "local[1]_articles_per_s" in figures and "local[2]_articles_per_s" in figures:
        ratio = round(figures["local[2]_articles_per_s"] / figures["local[1]_articles_per_s"], 3)
        figures["local2_vs_local1"] = ratio
        figures["core_scaling"] = core_scaling()
        print(f"{len(records)} articles: local[1] {figures['local[1]_articles_per_s']}/s, local[2] "
              f"{figures['local[2]_articles_per_s']}/s = {ratio} x local[1] (bar >= {BAR}: "
              f"{'met' if ratio >= BAR else 'NOT met'}; load average {load[0]:.2f} before, "
              f"{figures['load_average_after']} after; two busy processes on this machine now do "
              f"{figures['core_scaling']} x the work of one, 2.0 on two whole cores)")
        if "ingest_jobs2_articles_per_s" in figures:
            # > 1: Spark is slower than ingest on the same two cores (JVM, Arrow transfer, staging, whole-corpus steps)
            figures["spark_overhead_vs_ingest_jobs2"] = round(figures["ingest_jobs2_articles_per_s"]
                                                              / figures["local[2]_articles_per_s"], 3)
            print(f"ingest --jobs 2 {figures['ingest_jobs2_articles_per_s']}/s: Spark takes "
                  f"{figures['spark_overhead_vs_ingest_jobs2']} x its time")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
