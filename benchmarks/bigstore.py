"""A realistic big store, reproducibly: >= 1,000,000 events from really coded articles (issue 18).

    python benchmarks/bigstore.py [--events 1000000] [--seed-articles 400] [--db PATH]

1. Seed: real articles coded by `dyad ingest` (the 924 PolNeAR texts from ../shared when it is there,
   with the outlet and date their file names give, plus the bundled examples and the server
   fixtures), kept in benchmarks/output/ and reused by later runs.
2. Copies: every coded seed article is copied until the events reach `--events`. Copy k of an article
   gets the id `ID~k`, a date shifted by a pseudo-random number of days within two years, a news
   source of 60, a small change to its text (a trailing update line), and new event ids; its events,
   sentences, actors, quotes and places go with it. Rows are written in publication order, as `dyad
   watch` or an ingest of a chronological archive writes them (`--order random` shuffles them: the
   worst case for the events' date-ordered scans). Copies come in blocks of four: a third of the
   blocks are wire copies (dates within four days, one story, as near-duplicates are grouped), the
   rest are four unrelated articles (a story each).
3. The store's aggregates (`dyad.corpus.aggregates`) are built as a store's open rebuilds them when they lag.

Not copied: parses (`dyad recode` is measured on its own corpus by benchmarks/ingest.py) and LSH band keys
(a `dyad watch` on this store joins new articles to stories from their own keys). Prints the size on
disk and each table's rows; writes benchmarks/output/bigstore.json. Other benchmarks (serve.py,
pages.py) take the store with `--db`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
OUTPUT = ROOT / "benchmarks" / "output"
SEED_SOURCES = [ROOT / "examples", ROOT / "tests" / "fixtures" / "server"]
BLOCK = 4  # copies of an article per block: a wire story's size here (one block = one story or four)
SOURCES = 60  # news sources the copies are spread over
DAYS = 730  # copies' dates spread over two years around the seed's dates
COPIED = ("events", "sentences", "actors", "quotes", "places")


def polnear_records(limit: int) -> list[dict]:
    """PolNeAR articles (US election news, 2016) with the outlet and publication date their file names give."""
    from corpus import polnear_files

    records = []
    for i, f in enumerate(polnear_files(limit)):
        outlet, _, rest = f.stem.partition("_")
        day = rest[:10] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", rest[:10]) else None
        records.append({"id": f"p{i}", "text": f.read_text(encoding="utf-8", errors="replace"), "date": day,
                        "source": outlet})
    return records


def seed_store(articles: int) -> Path:
    """A store of really coded articles, made once per size and reused."""
    from corpus import SHARED, jsonl_feed

    from dyad.article.readers import read_inputs
    from dyad.corpus.ingest import ingest

    shared = SHARED.is_dir()
    path = OUTPUT / f"bigstore-seed-{articles if shared else 0}.duckdb"
    if path.exists():
        return path
    OUTPUT.mkdir(parents=True, exist_ok=True)
    inputs = [str(p) for p in SEED_SOURCES]
    if shared:
        inputs.append(str(jsonl_feed(polnear_records(articles), OUTPUT)))
    print(f"coding the seed: {'PolNeAR texts, ' if shared else ''}examples and server fixtures ...", flush=True)
    ingest(read_inputs(inputs), path.with_suffix(".tmp.duckdb"), jobs=1)
    path.with_suffix(".tmp.duckdb").rename(path)
    return path


def build(db: Path, seed: Path, events: int, chronological: bool = True) -> dict:
    """Copy the seed's coded articles into `db` until it holds `events` events."""
    from dyad.corpus.store import Store

    started = time.perf_counter()
    db.unlink(missing_ok=True)
    writer = Store(db)  # an empty store of this schema version, with its CAMEO names and the writer's settings
    con = writer.connection
    con.execute(f"ATTACH '{seed}' AS seed (READ_ONLY)")
    seed_events = con.execute("SELECT count(*) FROM seed.events e JOIN seed.articles a ON a.id = e.article_id "
                              "WHERE a.status = 'coded'").fetchone()[0]
    copies = -(-events // seed_events)
    con.execute("BEGIN")
    # one row per copy of an article: its id, its day shift and its story (the block's first copy)
    con.execute(f"""
        CREATE TEMP TABLE copies AS
        WITH c AS (SELECT a.id AS seed_id, k, k // {BLOCK} AS block,
                          hash(a.id || '|' || (k // {BLOCK})) % 3 = 0 AS wire
                   FROM seed.articles a, range(?) r(k) WHERE a.status = 'coded')
        SELECT c.*, a.date + shift AS published FROM (
        SELECT seed_id, k, seed_id || '~' || k AS id,
               CAST(CASE WHEN wire THEN hash(seed_id || '|' || block) % {DAYS} + k % {BLOCK}
                         ELSE hash(seed_id || '|' || k) % {DAYS} END AS INTEGER) - {DAYS // 2} AS shift,
               CASE WHEN wire THEN seed_id || '~' || (block * {BLOCK}) ELSE seed_id || '~' || k END AS story_id,
               'outlet' || (hash(seed_id || '#' || k) % {SOURCES}) AS source
        FROM c) c JOIN seed.articles a ON a.id = c.seed_id""", [copies])
    # the order rows are written in: by publication date, as `dyad watch` or a chronological ingest writes
    # them, or shuffled (an archive ingested in no order: the worst case for date-ordered scans)
    order = "c.published NULLS FIRST, c.id" if chronological else "hash(c.id)"
    columns = {t: [r[0] for r in con.execute(f"DESCRIBE {t}").fetchall()] for t in ("articles", *COPIED)}
    changed = {
        "articles": {"id": "c.id", "date": "s.date + c.shift", "source": "c.source", "url":
                     "'https://' || c.source || '.example/' || c.id",
                     "text": "s.text || chr(10) || chr(10) || 'Updated ' || (s.date + c.shift) || '.'"},
        "events": {"event_id": "md5(s.event_id || '~' || c.k)[:16]", "article_id": "c.id",
                   "date": "s.date + c.shift"},
    }
    for table in ("articles", *COPIED):
        key = "id" if table == "articles" else "article_id"
        select = ", ".join(changed.get(table, {}).get(col, "c.id" if col == "article_id" else "s." + col)
                           for col in columns[table])
        con.execute(f"INSERT INTO {table} SELECT {select} FROM seed.{table} s JOIN copies c ON c.seed_id = s.{key} "
                    f"ORDER BY {order}, s.rowid")
    con.execute("INSERT INTO stories SELECT id, story_id FROM copies")
    con.execute("INSERT INTO batches VALUES (1, now(), (SELECT count(*) FROM articles), (SELECT count(*) FROM events))")
    con.execute("INSERT INTO article_batches SELECT id, 1 FROM articles")
    con.execute("INSERT INTO event_batches SELECT event_id, 1 FROM events")
    con.execute("COMMIT")
    con.execute("DETACH seed")
    writer.close()
    aggregates_started = time.perf_counter()
    store = Store(db)  # the open finds the aggregates behind the batch written above and rebuilds them
    aggregate_seconds = time.perf_counter() - aggregates_started
    store.connection.execute("CHECKPOINT")
    rows = {t: store.count(t) for t in ("articles", *COPIED, "stories")}
    span = store.connection.execute("SELECT min(date), max(date) FROM events").fetchone()
    store.close()
    return {"db": str(db), "seed": str(seed), "seed_events": seed_events, "copies": copies, "rows": rows,
            "first_date": str(span[0]), "last_date": str(span[1]), "bytes": db.stat().st_size,
            "seconds": round(time.perf_counter() - started, 1), "aggregate_seconds": round(aggregate_seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed-articles", type=int, default=1000,
                        help="PolNeAR articles coded for the seed (there are 924: all of them)")
    parser.add_argument("--db", type=Path, default=OUTPUT / "bigstore.duckdb")
    parser.add_argument("--order", choices=("published", "random"), default="published",
                        help="rows written in publication order (as dyad watch writes them) or shuffled")
    args = parser.parse_args()
    seed = seed_store(args.seed_articles)
    figures = build(args.db, seed, args.events, chronological=args.order == "published")
    figures["order"] = args.order
    print(f"{figures['db']} ({args.order} order): {figures['bytes'] / 2**20:,.0f} MB on disk, "
          f"built in {figures['seconds']} s "
          f"(aggregates {figures['aggregate_seconds']} s); {figures['copies']} copies of {figures['seed_events']:,} "
          f"seed events; dates {figures['first_date']} to {figures['last_date']}")
    for table, n in figures["rows"].items():
        print(f"  {table:10s} {n:>12,}")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "bigstore.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
