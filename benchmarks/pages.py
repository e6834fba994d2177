"""Each explorer page on a big store: server render time and a screenshot (issue 18's bar).

    python benchmarks/bigstore.py                  # once: the 10^6-event store
    python benchmarks/pages.py [--db benchmarks/output/bigstore.duckdb] [--renders 5] [--no-screenshots]

Starts `dyad serve` on the store in its own process (answer cache off: `--cache-size 0`), asks every
page `--renders` times one after the other and takes the median of the server's render time (the
time to the last byte of the response, on loopback); target: <= 300 ms for every page. Then opens
each page in headless Chromium (Playwright, /usr/bin/chromium) and saves a full-page screenshot to
benchmarks/output/pages/. Writes benchmarks/output/pages.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
OUTPUT = ROOT / "benchmarks" / "output"
TARGET_MS = 300.0
CHROMIUM = Path("/usr/bin/chromium")


def pages(db: Path) -> dict[str, str]:
    """Every explorer page, with parameters drawn from the store (its top dyad, a busy article, a rule)."""
    with duckdb.connect(str(db), read_only=True) as con:
        top = con.execute("SELECT source_code, target_code FROM agg_dyads WHERE target_code IS NOT NULL "
                          "ORDER BY events DESC, 1, 2 LIMIT 3").fetchall()
        source, target = top[0]
        country = con.execute("SELECT source_country FROM events WHERE source_country IS NOT NULL GROUP BY 1 "
                              "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        article = con.execute("SELECT article_id FROM events GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
                              ).fetchone()[0]
        event = con.execute("SELECT event_id FROM events WHERE article_id = ? LIMIT 1", [article]).fetchone()[0]
        rule = con.execute("SELECT rule FROM events WHERE rule IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC "
                           "LIMIT 1").fetchone()[0]
    dyad = urlencode({"source": source, "target": target})
    dyads = urlencode([(side, code) for pair in top for side, code in zip(("source", "target"), pair, strict=True)])
    return {
        "home": "/", "events": "/events", "events-filtered": f"/events?root=19&{dyad}&page=3",
        "events-deep": "/events?page=500",
        # the issue 20 filters (from the events: no aggregate has them) and a sort by another column
        "events-analyst": "/events?other_country=true&confidence=0.5&plover=ASSAULT",
        "events-sorted": "/events?sort=-goldstein&scope=international", "map-shaded": "/map?shade=true",
        "article": f"/articles/{article}?event={event}",
        "rule": "/rule?" + urlencode({"name": rule}), "timeline": f"/timeline?{dyad}&both_ways=true",
        "map": "/map", "map-filtered": "/map?root=19", "actors": "/actors", "actors-search": "/actors?q=gov",
        "quotes": "/quotes", "places": "/places", "stories": "/stories", "code": "/code", "sources": "/sources",
        "timeline-3-dyads": f"/timeline?{dyads}&period=week", "charts": "/charts",
        "charts-actor": "/charts?" + urlencode({"actor": source[:3], "since": "2024-01-01"}),
        "charts-events": "/charts?quad_class=4&confidence=0.5",  # filters the aggregates lack: from the events
        "conflict": "/charts/conflict?" + urlencode({"actor": source[:3], "period": "week"}),
        "conflict-country": "/charts/conflict?" + urlencode({"country": country, "normalize": "true"}),
    }


def renders(base: str, paths: dict[str, str], repeats: int) -> dict[str, dict]:
    figures = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for name, path in paths.items():
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: HTTP {response.status_code}")
            figures[name] = {"path": path, "median_ms": round(statistics.median(times), 1),
                             "max_ms": round(max(times), 1), "bytes": len(response.content)}
    return figures


def screenshots(base: str, paths: dict[str, str], folder: Path) -> list[str]:
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for name, path in paths.items():
            page.goto(base + path, wait_until="load")
            page.screenshot(path=str(folder / f"{name}.png"), full_page=False)
            written.append(str(folder / f"{name}.png"))
        browser.close()
    return written


def main() -> int:
    from serve import free_port, start_server

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=OUTPUT / "bigstore.duckdb")
    parser.add_argument("--renders", type=int, default=5)
    parser.add_argument("--no-screenshots", action="store_true")
    args = parser.parse_args()
    if not args.db.exists():
        print(f"{args.db}: no store; run python benchmarks/bigstore.py first")
        return 1
    paths = pages(args.db)
    port = free_port()
    server, start_seconds = start_server(args.db, port, 0)
    base = f"http://127.0.0.1:{port}"
    try:
        figures = renders(base, paths, args.renders)
        shots = [] if args.no_screenshots or not CHROMIUM.exists() else screenshots(base, paths, OUTPUT / "pages")
    finally:
        server.terminate()
        server.wait(timeout=30)
    worst = max(f["median_ms"] for f in figures.values())
    passed = worst <= TARGET_MS
    print(f"{args.db}: server start to the first 200 on / {start_seconds:.2f} s; median of {args.renders} renders "
          f"per page, answer cache off (target <= {TARGET_MS:.0f} ms):")
    for name, f in figures.items():
        print(f"  {name:16s} {f['median_ms']:7.1f} ms  (max {f['max_ms']:7.1f})  {f['bytes']:>9,} bytes  {f['path']}")
    print(f"slowest page {worst:.1f} ms: {'PASS' if passed else 'FAIL'}; "
          f"{len(shots)} screenshots in {OUTPUT / 'pages'}" if shots else f"slowest page {worst:.1f} ms: "
          f"{'PASS' if passed else 'FAIL'}; no screenshots ({'not asked' if args.no_screenshots else 'no Chromium'})")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "pages.json").write_text(json.dumps({"pages": figures, "passed": passed, "screenshots": shots,
                                                   "start_seconds": round(start_seconds, 2)}, indent=2) + "\n")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
