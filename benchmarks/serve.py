"""`dyad serve` under load: concurrent API clients over a big store (issues 9 and 18).

    python benchmarks/serve.py --db benchmarks/output/bigstore.duckdb --cache-size 0 --seconds 60
    python benchmarks/serve.py [--events 100000] [--clients 20] [--seconds 30] [--keep]

The store: `--db`, an existing one (benchmarks/bigstore.py makes 10^6 events), else the example
articles and the server test fixtures, coded for real, then resampled in SQL to the size asked (every
article copied with a new id and a shifted date, its events with it). The server runs in its own
process on a free loopback port; the time from its start to the first 200 on `/` is measured (target
<= 2 s). The load generator (aiohttp, a bounded connection pool) runs here, on the same machine: each
client sends its next request when the last one is answered, drawn from the mix of `WEIGHTS`. Prints
the request rate and p50/p90/p99/max latency; target: no errors and p99 <= 300 ms. `--cache-size 0`
turns the server's answer cache off (the issue 18 bar is measured so). Writes benchmarks/output/serve.json
(serve-coding.json with `--code-bytes`).

`--code-bytes 900000` (issue 20): while the clients run, one more posts an article of that many characters
(the seed articles' texts, repeated) to `/api/code`, which codes it in a worker process under its time
budget; the clients go on until it is answered. Reported: the mix's p99 over the requests made while it
was being coded, the coding's answer and time, and whether it finished within the budget. The coder is
started first with a short text, as a running server's would have been.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import duckdb
import httpx

from dyad.budget import ARTICLE_TIMEOUT
from dyad.surfaces.server.app import CACHE_SIZE
from dyad.surfaces.server.coding import GRACE

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "examples", ROOT / "tests" / "fixtures" / "server"]
OUTPUT = ROOT / "benchmarks" / "output"
TARGET_P99_MS = 300.0
TARGET_START_S = 2.0
# The request mix, in percent: event lists (by dyad, dates, root code, plain pages 1-5), a dyad's
# series, the top dyads, root codes per period, an article's view and the map's points. Set by hand:
# what an explorer's user asks, the event lists most.
WEIGHTS = {"dyad": 15, "dates": 10, "root": 10, "page": 10, "series": 15, "top dyads": 10, "roots": 10,
           "article": 10, "locations": 10}


def build_store(db: Path, events: int) -> dict:
    """Code the seed articles, then copy them (and their events) until the store has `events` events."""
    from dyad.article.readers import read_inputs
    from dyad.corpus.ingest import ingest

    t0 = time.perf_counter()
    ingest(read_inputs([str(p) for p in SOURCES]), db)
    con = duckdb.connect(str(db))
    seed = con.execute("SELECT count(*) FROM events WHERE date IS NOT NULL").fetchone()[0]
    copies = -(-events // seed)
    con.execute("BEGIN")
    # copy k shifts every date by a pseudo-random number of days within two years
    con.execute("CREATE TEMP TABLE copies AS SELECT range AS k, ((range * 7919) % 730) - 365 AS shift "
                "FROM range(1, ?)", [copies])
    article_columns = [r[0] for r in con.execute("DESCRIBE articles").fetchall()]
    event_columns = [r[0] for r in con.execute("DESCRIBE events").fetchall()]
    a_select = ", ".join({"id": "a.id || '~' || c.k", "date": "a.date + CAST(c.shift AS INTEGER)"}.get(col, "a." + col)
                         for col in article_columns)
    e_select = ", ".join({"event_id": "md5(e.event_id || '~' || c.k)[:16]",
                          "article_id": "e.article_id || '~' || c.k",
                          "date": "e.date + CAST(c.shift AS INTEGER)"}.get(col, "e." + col) for col in event_columns)
    con.execute("CREATE TEMP TABLE seed_articles AS SELECT * FROM articles")
    con.execute("CREATE TEMP TABLE seed_events AS SELECT * FROM events WHERE date IS NOT NULL")
    con.execute(f"INSERT INTO articles SELECT {a_select} FROM seed_articles a, copies c")
    con.execute(f"INSERT INTO events SELECT {e_select} FROM seed_events e, copies c")
    con.execute("COMMIT")
    con.execute("CHECKPOINT")
    counts = con.execute("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM articles), "
                         "(SELECT min(date) FROM events), (SELECT max(date) FROM events)").fetchone()
    con.close()
    return {"events": counts[0], "articles": counts[1], "first_date": counts[2], "last_date": counts[3],
            "seed_events": seed, "build_seconds": round(time.perf_counter() - t0, 1)}


def existing_store(db: Path) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        # the date ranges asked are drawn between the 1st and 99th percentiles (a few events lie far out)
        counts = con.execute("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM articles), "
                             "quantile_disc(date, 0.01), quantile_disc(date, 0.99) FROM events").fetchone()
    return {"events": counts[0], "articles": counts[1], "first_date": counts[2], "last_date": counts[3],
            "seed_events": "(an existing store)", "build_seconds": 0}


def long_article(chars: int) -> str:
    """The seed articles' texts, one after another and again, up to `chars` characters (cut after a paragraph)."""
    from dyad.article.readers import read_inputs

    texts = [a.text.strip() for a in read_inputs([str(p) for p in SOURCES]) if a.text.strip()]
    parts, size = [], 0
    while size < chars:
        for text in texts:
            if size + len(text) + 2 > chars:
                return "\n\n".join(parts)
            parts.append(text)
            size += len(text) + 2
    return "\n\n".join(parts)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, cache_size: int, workers: int = 1) -> tuple[subprocess.Popen, float]:
    """The server in a fresh process, and the seconds from its start to the first 200 on `/`."""
    code = ("import sys; from dyad.surfaces.server import serve; "
            "serve(sys.argv[1], host='127.0.0.1', port=int(sys.argv[2]), cache_size=int(sys.argv[3]), "
            "workers=int(sys.argv[4]), log_level='warning', access_log=False, timeout_keep_alive=60)")
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code, str(db), str(port), str(cache_size), str(workers)])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return process, time.perf_counter() - started
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise SystemExit("the server exited at start")
        time.sleep(0.02)
    process.terminate()
    raise SystemExit("the server did not start within 60 s")


def request_mix(rng: random.Random, dyads: list[dict], articles: list[str], first: dt.date, last: dt.date):
    """One request of the mix (`WEIGHTS`): (kind, path, params)."""
    span = (last - first).days
    kind = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    page = {"page": rng.randint(1, 5), "per_page": 50}
    since = first + dt.timedelta(days=rng.randint(0, span))
    dates = {"since": since.isoformat(), "until": (since + dt.timedelta(days=rng.randint(1, 90))).isoformat()}
    if kind == "dyad":
        d = rng.choice(dyads)
        return kind, "/api/events", {"source": d["source_code"], "target": d["target_code"], **page}
    if kind == "dates":
        return kind, "/api/events", {**dates, **page}
    if kind == "root":
        return kind, "/api/events", {"root": f"{rng.randint(1, 20):02d}", **page}
    if kind == "page":
        return kind, "/api/events", page
    if kind == "top dyads":
        return kind, "/api/dyads", {"limit": rng.choice([10, 20, 50])}
    if kind == "roots":
        return kind, "/api/roots", {"period": rng.choice(["week", "month", "year"])}
    if kind == "article":
        return kind, f"/api/articles/{rng.choice(articles)}", {}
    if kind == "locations":
        return kind, "/api/locations", rng.choice([{}, {"root": f"{rng.randint(1, 20):02d}"}, dates])
    d = rng.choice(dyads)
    return kind, "/api/dyads/series", {"source": d["source_code"], "target": d["target_code"],
                                       "period": rng.choice(["day", "week", "month"]),
                                       "both_ways": rng.choice(["true", "false"])}


async def code_article(base: str, text: str, coding: dict) -> None:
    """Post `text` to /api/code, on a connection of its own, and note when it went, when and how it ended."""
    timeout = aiohttp.ClientTimeout(total=ARTICLE_TIMEOUT + GRACE + 60)
    async with aiohttp.ClientSession(base, connector=aiohttp.TCPConnector(limit=1), timeout=timeout) as client:
        async with client.post("/api/code", json={"text": "Police arrested four men in Nairobi."}) as response:
            await response.read()  # the coder started (and warm), as in a server that has coded before
        coding["start"] = time.perf_counter()
        try:
            async with client.post("/api/code", json={"text": text}) as response:
                body = await response.read()
                coding["status"] = response.status
                coding["answer"] = (json.loads(body).get("status") if response.status == 200
                                    else body.decode("utf-8", "replace")[:200])
        except (TimeoutError, aiohttp.ClientError) as error:
            coding["status"], coding["answer"] = None, type(error).__name__
        coding["end"] = time.perf_counter()


async def load(base: str, clients: int, seconds: float, seed: int, first: dt.date, last: dt.date,
               code_text: str | None = None) -> dict:
    """`clients` concurrent clients, each sending its next request when the last one is answered; with
    `code_text`, one more codes it meanwhile, and the clients go on until it is answered."""
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as client:
        async with client.get("/api/dyads", params={"limit": "50"}) as response:
            dyads = await response.json()
        articles = set()
        for n in range(1, 41):  # 40 pages spread over the store: about 2,000 articles to open
            async with client.get("/api/events", params={"page": str(n * 97), "per_page": "200"}) as response:
                articles |= {e["article_id"] for e in (await response.json())["events"]}
        articles = sorted(articles)
        latencies: dict[str, list[float]] = {}
        errors: list[str] = []
        deadline = time.perf_counter() + seconds
        coding: dict = {}
        timed: list[tuple[float, float, float]] = []  # (start, end, ms) of each answered request
        coder = asyncio.create_task(code_article(base, code_text, coding)) if code_text else None

        async def worker(n: int) -> None:
            rng = random.Random(seed * 1000 + n)
            while time.perf_counter() < deadline or (coder is not None and not coder.done()):
                kind, path, params = request_mix(rng, dyads, articles, first, last)
                params = {k: str(v) for k, v in params.items()}
                t0 = time.perf_counter()
                try:
                    async with client.get(path, params=params) as response:
                        await response.read()
                        ok = response.status == 200
                        if not ok:
                            errors.append(f"{response.status} {path} {params}")
                except (TimeoutError, aiohttp.ClientError) as error:
                    ok = False
                    errors.append(f"{type(error).__name__} {path} {params}")
                if ok:
                    t1 = time.perf_counter()
                    latencies.setdefault(kind, []).append((t1 - t0) * 1000)
                    timed.append((t0, t1, (t1 - t0) * 1000))

        t0 = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(clients)))
        elapsed = time.perf_counter() - t0
        if coder is not None:
            await coder
    return {"latencies": latencies, "errors": errors, "elapsed": elapsed, "coding": coding, "timed": timed}


def coding_summary(run: dict, chars: int) -> dict:
    """The coding's answer and time, and the mix's latency while it was under way."""
    coding = run["coding"]
    if "start" not in coding:
        return {"chars": chars, "status": None, "answer": "the coding did not start (the warm-up failed)"}
    during = [ms for t0, t1, ms in run["timed"] if t0 >= coding["start"] and t1 <= coding["end"]]
    seconds = coding["end"] - coding["start"]
    return {"chars": chars, "status": coding["status"], "answer": coding["answer"], "seconds": round(seconds, 1),
            "budget_seconds": ARTICLE_TIMEOUT,
            "within_budget": coding["status"] == 200 and coding["answer"] == "coded" and seconds <= ARTICLE_TIMEOUT,
            "requests_during": len(during), "p50_during_ms": round(percentile(during, 50), 1),
            "p99_during_ms": round(percentile(during, 99), 1), "max_during_ms": round(max(during, default=0), 1)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--cache-size", type=int, default=CACHE_SIZE,
                        help="The server's answer cache (the default of `dyad serve`); 0 measures every query.")
    parser.add_argument("--keep", action="store_true", help="Keep the store (printed) instead of deleting it.")
    parser.add_argument("--workers", type=int, default=1, help="server processes (`dyad serve --workers`)")
    parser.add_argument("--db", type=Path, help="An existing store to serve (benchmarks/bigstore.py), not built here.")
    parser.add_argument("--code-bytes", type=int, default=0,
                        help="Meanwhile code an article of this many characters through /api/code (0: none).")
    args = parser.parse_args()

    if args.db:
        db, workdir, args.keep = args.db, None, True
        store = existing_store(db)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="dyad-serve-bench-"))
        db = workdir / "bench.duckdb"
        store = build_store(db, args.events)
    print(f"store: {store['events']} events, {store['articles']} articles, {store['first_date']} to "
          f"{store['last_date']} (from {store['seed_events']} coded events; built in {store['build_seconds']} s)")
    port = free_port()
    before = resource.getrusage(resource.RUSAGE_SELF)
    server, start_seconds = start_server(db, port, args.cache_size, args.workers)
    try:
        run = asyncio.run(load(f"http://127.0.0.1:{port}", args.clients, args.seconds, args.seed,
                               store["first_date"], store["last_date"],
                               long_article(args.code_bytes) if args.code_bytes else None))
    finally:
        server.terminate()
        server.wait(timeout=30)
    after = resource.getrusage(resource.RUSAGE_SELF)
    server_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = {"server_cpu_seconds": round(server_usage.ru_utime + server_usage.ru_stime, 1),
           "load_generator_cpu_seconds": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1)}
    everything = [v for values in run["latencies"].values() for v in values]
    summary = {
        "store": {k: str(v) if isinstance(v, dt.date) else v for k, v in store.items()},
        "clients": args.clients, "seconds": round(run["elapsed"], 1), "requests": len(everything),
        "errors": len(run["errors"]), "requests_per_second": round(len(everything) / run["elapsed"], 1),
        "p50_ms": round(percentile(everything, 50), 1), "p90_ms": round(percentile(everything, 90), 1),
        "p99_ms": round(percentile(everything, 99), 1), "max_ms": round(max(everything, default=0), 1),
        "by_kind": {k: {"requests": len(v), "p50_ms": round(percentile(v, 50), 1),
                        "p99_ms": round(percentile(v, 99), 1)} for k, v in sorted(run["latencies"].items())},
        **cpu, "cache_size": args.cache_size, "workers": args.workers, "cpus": os.cpu_count(),
        "target_p99_ms": TARGET_P99_MS,
    }
    summary["start_to_first_page_s"] = round(start_seconds, 2)
    summary["weights"] = WEIGHTS
    passed = summary["errors"] == 0 and summary["p99_ms"] <= TARGET_P99_MS and start_seconds <= TARGET_START_S
    if args.code_bytes:
        summary["coding"] = code = coding_summary(run, args.code_bytes)
        passed = (summary["errors"] == 0 and code["within_budget"] and code["p99_during_ms"] <= TARGET_P99_MS
                  and start_seconds <= TARGET_START_S)
    summary["passed"] = passed
    print(f"server answer cache: {args.cache_size or 'off'}, {args.workers} worker process(es); "
          f"CPU seconds: server {cpu['server_cpu_seconds']}, "
          f"load generator {cpu['load_generator_cpu_seconds']}; load average {os.getloadavg()[0]:.1f}")
    print(f"server start to the first 200 on /: {start_seconds:.2f} s (target <= {TARGET_START_S:.0f} s)")
    print(f"{summary['requests']} requests in {summary['seconds']} s from {args.clients} clients "
          f"({summary['requests_per_second']}/s), {summary['errors']} errors")
    print(f"latency: p50 {summary['p50_ms']} ms, p90 {summary['p90_ms']} ms, p99 {summary['p99_ms']} ms, "
          f"max {summary['max_ms']} ms (target p99 <= {TARGET_P99_MS:.0f} ms): {'PASS' if passed else 'FAIL'}")
    for kind, figures in summary["by_kind"].items():
        print(f"  {kind:10s} {figures['requests']:6d} requests  p50 {figures['p50_ms']:7.1f} ms  "
              f"p99 {figures['p99_ms']:7.1f} ms")
    if args.code_bytes:
        code = summary["coding"]
        within = "within" if code.get("within_budget") else "NOT within"
        print(f"coding {code['chars']:,} characters through /api/code: {code['status']} {code['answer']} in "
              f"{code.get('seconds')} s (budget {ARTICLE_TIMEOUT:g} s: {within})")
        print(f"  the mix meanwhile: {code.get('requests_during')} requests, p50 {code.get('p50_during_ms')} ms, "
              f"p99 {code.get('p99_during_ms')} ms, max {code.get('max_during_ms')} ms (target p99 <= "
              f"{TARGET_P99_MS:.0f} ms): {'PASS' if passed else 'FAIL'}")
    for error in run["errors"][:10]:
        print("error:", error)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    name = "serve-coding.json" if args.code_bytes else "serve.json"
    (OUTPUT / name).write_text(json.dumps(summary, indent=2) + "\n")
    if args.keep:
        print(f"store kept: {db}")
    else:
        db.unlink(missing_ok=True)
        workdir.rmdir() if not any(workdir.iterdir()) else None
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
