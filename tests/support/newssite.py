"""A real local news site for the tests and benchmarks of `dyad watch`: several virtual hosts on loopback,
invented articles, RSS/Atom/JSON feeds, sitemaps, robots.txt, conditional GET, and faults a crawler must
survive (slow, 429, 500, redirect loop, oversized, gzip bomb, lying charset, broken feed, tracking URLs).

What a polite crawler should end up with is derived from the site's own data (`allowed_articles()`,
`faulty_urls()`...), never hard-coded in a test. `python -m tests.support.newssite --help` serves it from
another process (a benchmark); the first line it prints is the same expectations as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import math
import signal
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.support import newspages as pages
from tests.support.newscontent import (
    BROKEN_FEED_PATH,
    DISALLOWED,
    FAULTS,
    FEED_PATHS,
    FIXED_ANCHOR,
    NEVER_SUCCEED,
    SITEMAP_PATHS,
    TRANSIENT,
    Entry,
    Host,
    build_host,
    render,
    syndicate,
)
from tests.support.newsserver import (
    LoggedRequest,
    NewsHandler,
    Resource,
    gzip_bomb,
    open_host,
    serve,
)
from tests.support.newstext import ArticleWriter, NewsArticle, slugify


class NewsSite:
    """The test news site; `with NewsSite(hosts=2) as site:` serves it until the block ends.

    `slow_seconds`: how long the slow page sleeps (stop() cuts it short); `oversize_bytes`: the oversized
    page's size; `anchor`: the newest publication time (default: now, to the minute; FIXED_ANCHOR makes
    every run identical, weekdays in the text included; the rest of the text is fixed by `seed`);
    `log_path`: a JSONL file each request (and each publish and update) is appended to, flushed."""

    def __init__(self, hosts: int = 1, articles_per_host: int = 30, seed: int = 0, faults: bool = True,
                 crawl_delay: float | None = None, *, slow_seconds: float = 30.0, oversize_bytes: int = 25 * 2**20,
                 anchor: dt.datetime | None = None, log_path: str | Path | None = None):
        self.faults, self.crawl_delay = faults, crawl_delay
        self.slow_seconds, self.oversize_bytes = slow_seconds, oversize_bytes
        self.anchor = (anchor or dt.datetime.now(dt.UTC)).replace(second=0, microsecond=0)
        self.log: list[LoggedRequest] = []  # appended by server threads; copy it (list(site.log)) to iterate
        self.log_path = Path(log_path) if log_path else None
        self._log_file = None
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._answered_once: set[tuple[int, str]] = set()
        self._writer = ArticleWriter(seed)
        self._hosts = [build_host(self._writer, h, articles_per_host, anchor=self.anchor, faults=faults)
                       for h in range(hosts)]
        self._syndicated: list[tuple[tuple[int, str], tuple[int, str]]] = []
        if hosts > 1 and articles_per_host:
            original, copy = syndicate(self._hosts[0], self._hosts[1])
            self._syndicated.append(((0, original), (1, copy)))
        self._latest = max((e.article.modified for h in self._hosts for e in h.entries), default=self.anchor)

    def _tick(self) -> dt.datetime:
        """The time of a change: now, yet at least a second after the last one, so validators always move."""
        self._latest = max(self._latest + dt.timedelta(seconds=1), dt.datetime.now(dt.UTC).replace(microsecond=0))
        return self._latest

    # Serving

    def start(self) -> NewsSite:
        if any(h.server for h in self._hosts):
            return self
        self._stopping.clear()
        if self.faults:
            gzip_bomb()  # compressed once per process, before the first crawler asks
        if self.log_path:
            self._log_file = self.log_path.open("a", encoding="utf-8")
        for host in self._hosts:
            host.server = open_host(host.index, self, host)
            address, port = host.server.server_address[:2]
            host.base = f"http://{address}:{port}"
            host.cache.clear()
            serve(host.server)
        return self

    def stop(self) -> None:
        self._stopping.set()  # ends slow and oversized responses early
        for host in self._hosts:
            if host.server is not None:
                host.server.shutdown()
                host.server.server_close()
                host.server.close_connections()
                host.server = None
        with self._lock:
            if self._log_file is not None:
                self._log_file.close()
                self._log_file = None

    def __enter__(self) -> NewsSite:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def handle(self, handler: NewsHandler, host: Host) -> None:
        """One request: logged before it is answered (status set as the response starts, so a test that has
        its response sees it in the log), answered (faults first), then completed in the log."""
        headers = handler.headers
        record = LoggedRequest(time.monotonic(), time.time(), host.netloc, handler.command, handler.path,
                               user_agent=headers.get("User-Agent"), if_none_match=headers.get("If-None-Match"),
                               if_modified_since=headers.get("If-Modified-Since"))
        handler.record = record
        with self._lock:
            self.log.append(record)
        try:
            self._respond(handler, host, urlsplit(handler.path).path)
        except (ConnectionError, TimeoutError):  # the client hung up (as it should on faults)
            handler.close_connection = True
        finally:
            record.duration = time.monotonic() - record.started
            self._write_log(record.as_json())

    def _write_log(self, line: dict) -> None:
        with self._lock:
            if self._log_file is not None:
                self._log_file.write(json.dumps(line) + "\n")
                self._log_file.flush()

    def _respond(self, handler: NewsHandler, host: Host, path: str) -> None:
        kind = self._fault_at(host, path)
        if kind is not None and self._misbehave(handler, host, path, kind):
            return
        current = self._resource(host, path)
        if current is None:
            handler.send(404, pages.error_page(404, "Not Found").encode(), "text/html; charset=utf-8")
            return
        handler.send_resource(current, "text/html; charset=iso-8859-1" if kind == "wrong_charset" else None)

    def _fault_at(self, host: Host, path: str) -> str | None:
        if host.index != 0 or not self.faults:
            return None
        if path == "/loop/b":
            return "redirect_loop"
        entry = host.by_path.get(path)
        return entry.fault if entry is not None else None

    def _misbehave(self, handler: NewsHandler, host: Host, path: str, kind: str) -> bool:
        """Answer as fault `kind` does; False when the page is to be served normally after all."""
        if kind == "slow":
            if self._stopping.wait(self.slow_seconds):
                handler.close_connection = True
                return True
            return False
        if kind in TRANSIENT:
            with self._lock:
                first = (host.index, path) not in self._answered_once
                self._answered_once.add((host.index, path))
            if not first:
                return False
            status, headers = (429, {"Retry-After": "1"}) if kind == "rate_limited" else (500, {})
            message = "Too Many Requests" if status == 429 else "Internal Server Error"
            handler.send(status, pages.error_page(status, message).encode(), "text/html; charset=utf-8", headers)
            return True
        if kind == "redirect_loop":
            handler.redirect(host.base + ("/loop/b" if path == "/loop/a" else "/loop/a"))
        elif kind == "oversized":
            handler.stream_oversized(self.oversize_bytes, self._stopping)
        elif kind == "gzip_bomb":
            handler.send_bomb()
        return kind in ("redirect_loop", "oversized", "gzip_bomb")

    def _resource(self, host: Host, path: str) -> Resource | None:
        with self._lock:
            if path not in host.cache:
                rendered = render(host, path, anchor=self.anchor, crawl_delay=self.crawl_delay, faults=self.faults)
                if rendered is None:
                    return None
                host.cache[path] = rendered
            return host.cache[path]

    # Changing the site while it runs

    def publish(self, host: int | str = 0, *, headline: str | None = None,
                paragraphs: list[str] | None = None) -> str:
        """A new article at the top of the host's feeds and news sitemap; returns its URL."""
        with self._lock:
            target = self._host(host)
            article = self._writer.write(self._tick())
            if headline:
                article.headline, article.slug = headline, f"{slugify(headline)}-{len(target.entries):05d}"
            if paragraphs:
                article.paragraphs = list(paragraphs)
            entry = Entry(article, f"/news/{article.slug}.html", {"rss", "atom", "json", "news"})
            target.entries.insert(0, entry)
            target.by_path[entry.path] = entry
            target.cache.clear()
            url = target.base + entry.path
            self._write_log({"event": "publish", "url": url, "started": time.monotonic(), "wall": time.time()})
        return url

    def update_article(self, url: str) -> NewsArticle:
        """Revise an article after publication: new body text, Last-Modified and ETag (feeds' too)."""
        with self._lock:
            host, entry = self._locate(url)
            self._writer.update(entry.article, self._tick())
            host.cache.clear()
            self._write_log({"event": "update", "url": host.base + entry.path, "started": time.monotonic(),
                          "wall": time.time()})
            return entry.article

    # What a test expects

    @property
    def hosts(self) -> list[str]:
        return [h.base for h in self._hosts]

    def _host(self, host: int | str) -> Host:
        if isinstance(host, int):
            return self._hosts[host]
        netloc = urlsplit(host).netloc or host
        for candidate in self._hosts:
            if candidate.netloc == netloc:
                return candidate
        raise KeyError(f"no host {host!r} on this site")

    def _locate(self, url: str) -> tuple[Host, Entry]:
        host = self._host(url)
        return host, host.by_path[urlsplit(url).path]

    def article(self, url: str) -> NewsArticle:
        """The article served at `url` (tracking parameters ignored), as the site wrote it."""
        return self._locate(url)[1].article

    def allowed_articles(self) -> set[str]:
        """Canonical URLs a polite crawler should store: not private, not the faults that never succeed."""
        return {h.base + e.path for h in self._hosts for e in h.entries
                if e.path.startswith("/news/") and e.fault not in NEVER_SUCCEED}

    def _fault_urls(self, kinds) -> dict[str, str]:
        base = self._hosts[0].base if self._hosts else ""
        return {base + FAULTS[k][0]: FAULTS[k][1] for k in kinds} if self.faults else {}

    def faulty_urls(self) -> dict[str, str]:
        """{url: "timeout" | "redirect loop" | "too large" | "decompression bomb"}: never stored."""
        return self._fault_urls(NEVER_SUCCEED)

    def transient_urls(self) -> dict[str, str]:
        """{url: "429 then 200" | "500 then 200"}: stored once the crawler retries."""
        return self._fault_urls(TRANSIENT)

    def fault_url(self, kind: str) -> str:
        """The URL of one fault (a key of FAULTS, e.g. "wrong_charset"); KeyError without faults."""
        if not self.faults:
            raise KeyError(f"{kind}: this site has no faults")
        return self._hosts[0].base + FAULTS[kind][0]

    def tracked_article(self) -> tuple[str, list[str]] | None:
        """(canonical URL, its tracking-parameter variants as the feeds list them); None without faults."""
        host = self._hosts[0]
        entry = next((e for e in host.entries if e.variants), None)
        if entry is None:
            return None
        return host.base + entry.path, [host.base + entry.path + query for query in entry.variants.values()]

    def private_urls(self) -> set[str]:
        return {h.base + e.path for h in self._hosts for e in h.entries if e.path.startswith(DISALLOWED)}

    def syndicated(self) -> list[tuple[str, str]]:
        """(original URL, republished copy's URL) pairs: one story each."""
        return [(self._hosts[a].base + pa, self._hosts[b].base + pb) for (a, pa), (b, pb) in self._syndicated]

    def feeds(self, host: int | str = 0) -> list[str]:
        """RSS, Atom and JSON Feed URLs of a host (not the broken feed)."""
        base = self._host(host).base
        return [base + path for path in FEED_PATHS.values()]

    def sitemaps(self, host: int | str = 0) -> list[str]:
        """The sitemap index first (robots.txt names it), then the news and archive sitemaps it points to."""
        base = self._host(host).base
        return [base + path for path in SITEMAP_PATHS.values()]

    def broken_feed(self) -> str | None:
        """The truncated RSS feed on the first host (with faults): a separate feed a test adds itself."""
        return self._hosts[0].base + BROKEN_FEED_PATH if self.faults and self._hosts else None

    def listings(self) -> dict[str, list[str]]:
        """{feed or sitemap URL: article URLs exactly as it lists them}."""
        paths = {**FEED_PATHS, "news": SITEMAP_PATHS["news"], "archive": SITEMAP_PATHS["archive"]}
        with self._lock:
            return {h.base + path: [url for _, url in h.listed(feed)] for h in self._hosts for feed, path in
                    paths.items()}

    def expectations(self) -> dict:
        """Everything above as JSON-able data, for a benchmark that runs the site in another process."""
        return {"hosts": self.hosts, "feeds": {b: self.feeds(b) for b in self.hosts},
                "sitemaps": {b: self.sitemaps(b) for b in self.hosts}, "broken_feed": self.broken_feed(),
                "robots_disallowed": list(DISALLOWED), "crawl_delay": self.crawl_delay,
                "allowed_articles": sorted(self.allowed_articles()), "faulty_urls": self.faulty_urls(),
                "transient_urls": self.transient_urls(), "private_urls": sorted(self.private_urls()),
                "syndicated": self.syndicated(), "tracked_article": self.tracked_article(),
                "log": str(self.log_path) if self.log_path else None}

    # The request log

    def requests_to(self, host: int | str) -> list[LoggedRequest]:
        netloc = self._host(host).netloc
        return [r for r in list(self.log) if r.host == netloc]

    def min_gap(self, host: int | str) -> float:
        """Smallest gap in seconds between the starts of consecutive requests to a host (inf below two)."""
        starts = sorted(r.started for r in self.requests_to(host))
        return min((later - earlier for earlier, later in itertools.pairwise(starts)), default=math.inf)

    def disallowed_requests(self) -> list[LoggedRequest]:
        """Requests robots.txt forbids (a polite crawler makes none)."""
        return [r for r in list(self.log) if urlsplit(r.path).path.startswith(DISALLOWED)]

    def dump_log(self, path: str | Path) -> None:
        with Path(path).open("w", encoding="utf-8") as out:
            for request in list(self.log):
                out.write(json.dumps(request.as_json()) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Serve until Ctrl-C or SIGTERM; the first stdout line is the site's expectations as JSON."""
    parser = argparse.ArgumentParser(prog="python -m tests.support.newssite", description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=2)
    parser.add_argument("--articles", type=int, default=30, help="articles per host")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-faults", action="store_true")
    parser.add_argument("--crawl-delay", type=float, default=None)
    parser.add_argument("--slow-seconds", type=float, default=30.0)
    parser.add_argument("--oversize-bytes", type=int, default=25 * 2**20)
    parser.add_argument("--fixed-dates", action="store_true",
                        help=f"date the newest article {FIXED_ANCHOR:%Y-%m-%d %H:%M} UTC, not now (identical runs)")
    parser.add_argument("--log", type=Path, default=None, help="JSONL file; a line per request, flushed")
    parser.add_argument("--info", type=Path, default=None, help="also write the expectations JSON here")
    parser.add_argument("--publish-every", type=float, default=None, metavar="SECONDS",
                        help="publish a new article on each host in turn (logged as event 'publish')")
    args = parser.parse_args(argv)
    site = NewsSite(args.hosts, args.articles, args.seed, not args.no_faults, args.crawl_delay,
                    slow_seconds=args.slow_seconds, oversize_bytes=args.oversize_bytes, log_path=args.log,
                    anchor=FIXED_ANCHOR if args.fixed_dates else None)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with site:
        info = json.dumps(site.expectations())
        print(info, flush=True)
        if args.info:
            args.info.write_text(info + "\n", encoding="utf-8")
        for base in site.hosts:
            print(f"serving {base}/  feeds: {' '.join(site.feeds(base))}", file=sys.stderr, flush=True)
        turn = 0
        try:
            while not stop.wait(args.publish_every or 3600):
                if args.publish_every:
                    site.publish(turn % args.hosts)
                    turn += 1
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
