"""dyad watch on a local news site: 5 hosts, >= 500 articles, faults on, 0.2 s per-host delay (issue 17).

    python benchmarks/live.py [--hosts 5] [--articles 110] [--kills 3] [--polls 22]

Everything is local (127.0.0.x) and bounded. It checks, printing each figure:
1. one `dyad watch --once`: every allowed article stored exactly once, no request to a disallowed path, no
   two requests to one host closer than its delay (from the site's log), every faulty URL listed by
   `dyad status` with its reason; a second poll asks conditionally and refetches no unchanged article;
2. `dyad watch` killed with SIGKILL at random moments and restarted: the final store equals the
   uninterrupted run's (article ids, event ids, stories), and its WARC archive re-ingests to the same;
3. `dyad watch --serve` for >= 20 polls while the site publishes: each new article in the API within one
   poll interval plus its coding time, and the last poll's peak memory within 10% of the third's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.support.newssite import NewsSite  # noqa: E402 (the test site lives with the tests)

DYAD = [sys.executable, "-m", "dyad.surfaces.cli"]
DELAY = 0.2
TIMEOUT = 2.0  # read timeout given to dyad watch; the site's slow page sleeps longer
INTERVAL = 4.0  # seconds between polls in the served run


def dyad(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([*DYAD, *args], capture_output=True, text=True, env={**os.environ, "COLUMNS": "400"})
    if check and done.returncode != 0:
        raise SystemExit(f"dyad {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done


def snapshot(db: Path) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return (sorted(r[0] for r in con.execute("SELECT id FROM articles").fetchall()),
                sorted(r[0] for r in con.execute("SELECT event_id FROM events").fetchall()),
                sorted(con.execute("SELECT article_id, story_id FROM stories").fetchall()))
    finally:
        con.close()


def add_sources(site: NewsSite, db: Path, interval: str = "15m") -> None:
    dyad("sources", "add", *site.hosts, "--db", str(db), "--delay", str(DELAY), "--interval", interval)
    dyad("sources", "add", site.broken_feed(), "--as-is", "--db", str(db), "--delay", str(DELAY))


def check(name: str, ok: bool, figure: str) -> bool:
    print(f"  [{'met' if ok else 'NOT MET'}] {name}: {figure}", flush=True)
    return ok


def uninterrupted(site: NewsSite, folder: Path) -> tuple[Path, list[bool]]:
    db = folder / "a.duckdb"
    add_sources(site, db)
    started = time.monotonic()
    seen = len(site.log)
    dyad("watch", "--db", str(db), "--once", "--delay", str(DELAY), "--timeout", str(TIMEOUT))
    print(f"first poll: {time.monotonic() - started:.0f} s, {len(site.log) - seen} requests", flush=True)
    con = duckdb.connect(str(db), read_only=True)
    stored = dict(con.execute("SELECT url, count(*) FROM articles GROUP BY url").fetchall())
    con.close()
    allowed = site.allowed_articles()
    results = [check("every allowed article stored exactly once",
                     allowed <= set(stored) and all(stored[u] == 1 for u in allowed),
                     f"{sum(1 for u in allowed if stored.get(u) == 1)} of {len(allowed)}; "
                     f"{sum(1 for n in stored.values() if n > 1)} stored twice"),
               check("requests to disallowed paths", not site.disallowed_requests(),
                     str(len(site.disallowed_requests())))]
    gaps = {host: site.min_gap(host) for host in site.hosts}
    results.append(check("closest two requests to one host", min(gaps.values()) >= DELAY,
                         f"{min(gaps.values()):.3f} s (delay {DELAY} s)"))
    status = dyad("status", "--db", str(db)).stdout
    listed = {url: kind for url, kind in site.faulty_urls().items() if url in status}
    reasons = all(re.search(re.escape(url) + r".*(timed out|redirects|too large|decompressed)", status)
                  for url in listed)
    results.append(check("faulty URLs listed by dyad status with a reason",
                         len(listed) == len(site.faulty_urls()) and reasons,
                         f"{len(listed)} of {len(site.faulty_urls())}"))
    seen = len(site.log)
    dyad("watch", "--db", str(db), "--once", "--delay", str(DELAY), "--timeout", str(TIMEOUT))
    second = list(site.log)[seen:]
    listings = [r for r in second if not r.path.startswith(("/news/", "/private/", "/loop/", "/robots"))]
    conditional = [r for r in listings if r.if_none_match or r.if_modified_since]
    refetched = [r for r in second if r.path.startswith("/news/") and r.status == 200]
    results.append(check("second poll: conditional listings, no unchanged article refetched",
                         len(conditional) == len(listings) > 0 and not refetched,
                         f"{len(conditional)}/{len(listings)} conditional, {len(refetched)} articles refetched"))
    return db, results


def killed(site: NewsSite, folder: Path, reference: Path, kills: int, rng: random.Random) -> list[bool]:
    db = folder / "b.duckdb"
    add_sources(site, db, interval="3s")
    for number in range(kills):
        process = subprocess.Popen([*DYAD, "watch", "--db", str(db), "--delay", str(DELAY), "--timeout",
                                    str(TIMEOUT)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        moment = rng.uniform(4, 30)
        time.sleep(moment)
        process.send_signal(signal.SIGKILL)
        process.wait()
        print(f"kill {number + 1}: SIGKILL after {moment:.1f} s", flush=True)
    dyad("watch", "--db", str(db), "--once", "--delay", str(DELAY), "--timeout", str(TIMEOUT))
    results = [check("killed and restarted = uninterrupted (articles, events, stories)",
                     snapshot(db) == snapshot(reference), _difference(snapshot(db), snapshot(reference)))]
    replayed = folder / "c.duckdb"
    dyad("ingest", str(db) + ".warc", "--db", str(replayed))
    again = snapshot(replayed)
    results.append(check("the killed run's WARC archive re-ingests to the same store",
                         again == snapshot(reference), _difference(again, snapshot(reference))))
    return results


def _difference(mine: tuple, theirs: tuple) -> str:
    names = ("articles", "events", "story rows")
    return "; ".join(f"{name} {len(a)} vs {len(b)} ({len(set(a) ^ set(b))} differ)"
                     for name, a, b in zip(names, mine, theirs, strict=True))


def served(site: NewsSite, db: Path, polls: int) -> list[bool]:
    dyad("sources", "add", *[s for h in site.hosts for s in site.feeds(h)], "--as-is", "--db", str(db),
         "--delay", str(DELAY), "--interval", f"{INTERVAL:g}s")
    with socket.socket() as probe:  # a free port (another server may hold any fixed one)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([*DYAD, "watch", "--db", str(db), "--serve", "--port", str(port), "--delay",
                                str(DELAY), "--timeout", str(TIMEOUT)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    latencies, lines = [], []
    try:
        for _ in range(120):
            try:
                httpx.get(base + "/api/sources", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        rng = random.Random(1)
        from dyad.records import article_id
        while len(latencies) < polls:
            url = site.publish(rng.randrange(len(site.hosts)))
            published = time.monotonic()
            while time.monotonic() - published < 4 * INTERVAL + 60:
                if httpx.get(f"{base}/api/articles/{article_id(url, '')}", timeout=5).status_code == 200:
                    latencies.append(time.monotonic() - published)
                    break
                time.sleep(0.2)
            else:
                latencies.append(float("inf"))
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=120)
        lines = [line for line in errors.splitlines() if "poll " in line]
        if not lines:
            print(errors[-2000:])
    worst = max(latencies)
    results = [check(f"a published article in the API (of {len(latencies)})", worst <= INTERVAL + 15,
                     f"median {sorted(latencies)[len(latencies) // 2]:.1f} s, worst {worst:.1f} s "
                     f"(poll interval {INTERVAL:g} s)")]
    peaks = [float(m.group(1)) for line in lines if (m := re.search(r"peak memory (\d+) MB", line))]
    results.append(check(f"memory over {len(peaks)} polls: last poll's peak within 10% of the third's",
                         len(peaks) >= 20 and peaks[-1] <= 1.10 * peaks[2],
                         f"third {peaks[2] if len(peaks) > 2 else 0:.0f} MB, last {peaks[-1] if peaks else 0:.0f} MB"
                         f", max {max(peaks, default=0):.0f} MB"))
    print(f"  exit on SIGTERM: {process.returncode}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=5)
    parser.add_argument("--articles", type=int, default=110, help="articles per host")
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--polls", type=int, default=22)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp, NewsSite(hosts=args.hosts, articles_per_host=args.articles,
                                                        faults=True, slow_seconds=3 * TIMEOUT + 2) as site:
        folder = Path(tmp)
        print(f"site: {len(site.hosts)} hosts, {len(site.allowed_articles())} allowed articles, "
              f"{len(site.faulty_urls())} faulty URLs", flush=True)
        reference, results = uninterrupted(site, folder)
        results += killed(site, folder, reference, args.kills, rng)
        results += served(site, reference, args.polls)
        print(json.dumps({"met": sum(results), "of": len(results)}))
        if not all(results):
            raise SystemExit(1)


if __name__ == "__main__":
    main()
