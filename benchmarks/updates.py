"""Update files from a large store: time and memory of `write_update` (`dyad watch --export-dir`).

    python benchmarks/updates.py [--events N] [--interval-events N]

Builds a store file of N synthetic events (10 an article, with JSON records and article texts of the
size dyad writes) in one batch, then a later batch of --interval-events, and writes, each in a fresh
process: the update of the later batch (a watcher's usual case: its cost should follow the interval,
not the store), the update of the big batch, and `dyad export --format gdelt-mentions` of the whole
store. Prints wall seconds, the peak resident memory above what the opened store took, and Python's
peak allocation (tracemalloc), which stays small however many rows: DuckDB streams them to the file.
The updates run under --memory-limit (DuckDB's, which otherwise takes up to 80% of the machine and keeps
what it read cached): that they finish under it shows their memory does not grow with the rows.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dyad.corpus.store import Store

EVENTS_PER_ARTICLE = 10
RECORD_BYTES, TEXT_CHARS = 1_500, 3_000  # an event's JSON record and an article's text, about as dyad writes them
PYTHON_PEAK_MB = 20  # bar: Python's own allocation while writing; the rows are never in Python


def fill(con, first: int, events: int, batch: int, committed_at: str) -> None:
    """`events` synthetic CAMEO events from number `first`, stored by `batch` at `committed_at` (UTC)."""
    articles, last = first // EVENTS_PER_ARTICLE, (first + events) // EVENTS_PER_ARTICLE
    con.execute(f"""INSERT INTO articles (id, url, source, date, status, text)
        SELECT 'art' || i, 'https://news' || (i % 50) || '.test/' || i, 'news' || (i % 50) || '.test',
               DATE '2026-01-01' + (i % 300)::INTEGER, 'coded', repeat(md5(i::VARCHAR) || ' ', {TEXT_CHARS // 33})
        FROM range({articles}, {last}) t(i)""")
    con.execute(f"""INSERT INTO events (event_id, article_id, sentence_index, sentence, date, source_text,
            source_code, target_text, target_code, code, root_code, quad_class, goldstein, confidence, record)
        SELECT 'ev' || i, 'art' || (i // {EVENTS_PER_ARTICLE}), (i % {EVENTS_PER_ARTICLE})::INTEGER,
               'A sentence of news.', DATE '2026-01-01' + ((i // {EVENTS_PER_ARTICLE}) % 300)::INTEGER, 'Source',
               ['USA', 'FRA', 'MLI', 'RUS', 'CHN'][1 + i % 5], 'Target', ['GBR', 'DEU', 'NGA', 'IND'][1 + (i // 7) % 4],
               ['042', '043', '051', '190', '112'][1 + (i // 3) % 5], '04', 1, 1.9, 0.8,
               '{{"source": {{"start": 3, "end": 9}}, "pad": "'
                   || repeat(md5(i::VARCHAR), {RECORD_BYTES // 32}) || '"}}'
        FROM range({first}, {first + events}) t(i)""")
    con.execute("INSERT INTO batches VALUES (?, CAST(? AS TIMESTAMPTZ), ?, ?)",
                [batch, committed_at, last - articles, events])
    con.execute(f"INSERT INTO event_batches SELECT event_id, {batch} FROM events WHERE event_id NOT IN "
                "(SELECT event_id FROM event_batches)")
    con.execute(f"INSERT INTO article_batches SELECT id, {batch} FROM articles WHERE id NOT IN "
                "(SELECT article_id FROM article_batches)")


CHILD = """
import datetime as dt, json, sys, time, tracemalloc
from dyad.corpus.store import Store
from dyad.corpus.updates import write_update
from dyad.corpus.export import export_store
db, case, out, limit = sys.argv[1:5]
store = Store(db, read_only=True)
if limit:
    store.connection.execute(f"SET memory_limit = '{limit}'")
# KB, from /proc: VmHWM is this program's peak (getrusage's would include the parent's, from before exec)
status = lambda key: int(next(line for line in open("/proc/self/status") if line.startswith(key)).split()[1])
before = status("VmRSS:")
tracemalloc.start()
started = time.perf_counter()
at = lambda hour, minute: dt.datetime(2026, 1, 5, hour, minute, tzinfo=dt.UTC)
if case == "export":
    store.close()
    export_store(db, "gdelt-mentions", out + "/all.mentions.tsv")
else:
    start = at(10, 15) if case == "small" else at(10, 0)
    write_update(store.connection, out, start, start + dt.timedelta(minutes=15))
print(json.dumps({"seconds": time.perf_counter() - started, "python_mb": tracemalloc.get_traced_memory()[1] / 1e6,
                  "rss_mb": (status("VmHWM:") - before) / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--interval-events", type=int, default=5_000)
    parser.add_argument("--memory-limit", default="300MB", help="DuckDB's memory_limit for the updates ('' for none)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "big.duckdb"
        started = time.perf_counter()
        store = Store(db)
        fill(store.connection, 0, args.events, 1, "2026-01-05 10:05:00+00")
        fill(store.connection, args.events, args.interval_events, 2, "2026-01-05 10:20:00+00")
        store.close()
        print(f"store: {args.events:,} + {args.interval_events:,} events in {time.perf_counter() - started:.1f} s, "
              f"{db.stat().st_size / 1e6:.0f} MB")
        failed = False
        limited = f" (memory_limit {args.memory_limit})" if args.memory_limit else ""
        for case, label in (("small", f"update of {args.interval_events:,} events{limited}"),
                            ("big", f"update of {args.events:,} events{limited}"),
                            ("export", "export --format gdelt-mentions, whole store")):
            limit = args.memory_limit if case != "export" else ""
            done = subprocess.run([sys.executable, "-c", CHILD, str(db), case, folder, limit], check=False,
                                  capture_output=True, text=True)
            if done.returncode:  # out of memory under the limit, or a failure: the bar is not met
                print(f"{label}: failed\n{done.stderr[-3000:]}")
                sys.exit(1)
            result = json.loads(done.stdout[done.stdout.rindex('{"seconds"'):])  # after DuckDB's progress bar
            failed |= result["python_mb"] > PYTHON_PEAK_MB
            print(f"{label}: {result['seconds']:.2f} s, peak RSS +{result['rss_mb']:.0f} MB, "
                  f"Python peak {result['python_mb']:.1f} MB (bar {PYTHON_PEAK_MB} MB)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
