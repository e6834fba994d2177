"""The polite fetcher (dyad.live.fetch) against tiny local HTTP servers on 127.0.0.1: robots.txt, per-host
spacing, conditional GET, timeouts, size caps, a gzip bomb, redirects, retries; and canonical URLs."""

from __future__ import annotations

import itertools
import threading
import time
import tracemalloc
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from dyad.live.fetch import Fetcher, _retry_after, default_user_agent
from dyad.live.urls import canonical, host_of
from dyad.version import __version__

SLACK = 0.02  # seconds: a server can see a request a little earlier or later than the client sent it


def reply(handler, status: int, body: bytes = b"", headers: dict[str, str] | None = None, length: bool = True):
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    if length:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def text(body: bytes | str, status: int = 200, **headers):
    body = body.encode() if isinstance(body, str) else body
    return lambda h: reply(h, status, body, {k.replace("_", "-"): v for k, v in headers.items()})


class Site:
    """A threaded HTTP/1.0 server: `routes` maps a path to a handler; `hits` records each request as it starts."""

    def __init__(self):
        self.routes: dict[str, object] = {}
        self.hits: list[tuple[str, float, dict[str, str]]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                site.hits.append((self.path, time.monotonic(), {k.lower(): v for k, v in self.headers.items()}))
                route = site.routes.get(urlsplit(self.path).path)
                if route is None:
                    reply(self, 404, b"not here")
                else:
                    route(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda *args: None  # a client that hung up early is the point of some tests
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.hits]

    def starts(self, path: str | None = None) -> list[float]:
        return sorted(t for p, t, _ in self.hits if path is None or p == path)


@pytest.fixture
def site():
    made = []

    def make() -> Site:
        made.append(Site())
        return made[-1]

    first = make()
    first.make = make
    yield first
    for s in made:
        s.server.shutdown()
        s.server.server_close()


@pytest.fixture
def fetcher():
    made = []

    def make(**settings) -> Fetcher:
        options = {"delay": 0, "connect_timeout": 2, "read_timeout": 2, "total_timeout": 5, "backoff": 0.01}
        made.append(Fetcher(**(options | settings)))
        return made[-1]

    yield make
    for f in made:
        f.close()


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


# urls


@pytest.mark.parametrize(("url", "expected"), [
    ("http://127.0.0.2:41234/news/a.html?utm_source=rss", "http://127.0.0.2:41234/news/a.html"),
    ("HTTP://Example.COM:80/News/A?id=3&utm_medium=x&fbclid=abc#top", "http://example.com/News/A?id=3"),
    ("https://example.com/story?storyid=12&gclid=z", "https://example.com/story?storyid=12"),
    ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
    ("https://example.com:443/a#section-2", "https://example.com/a"),
])
def test_canonical_drops_trackers_and_fragments_and_keeps_the_query_that_names_the_page(url, expected):
    assert canonical(url) == expected


@pytest.mark.parametrize("url", ["ftp://example.com/a", "mailto:a@example.com", "/news/a.html", "http:///a"])
def test_canonical_refuses_what_is_not_an_http_url(url):
    with pytest.raises(ValueError, match="http"):
        canonical(url)


def test_host_of_is_the_lower_case_host_with_its_port():
    assert host_of("http://127.0.0.2:41234/a?b=1") == "127.0.0.2:41234"
    assert host_of("HTTPS://user:pw@News.Example.ORG:443/x") == "news.example.org"


# robots.txt


def test_robots_disallow_is_obeyed_and_the_page_never_requested(site, fetcher):
    site.routes["/robots.txt"] = text("User-agent: dyad\nDisallow: /private\n\nUser-agent: *\nDisallow: /\n")
    site.routes["/public"] = text("hello")
    f = fetcher()
    blocked = f.fetch(site.url("/private/a.html"))
    assert blocked.error == "disallowed by robots.txt" and blocked.status is None and blocked.attempts == 0
    assert f.fetch(site.url("/public")).ok
    assert not f.allowed(site.url("/private/b")) and f.allowed(site.url("/elsewhere"))
    assert site.paths() == ["/robots.txt", "/public"]  # robots.txt fetched once, /private never


def test_a_4xx_robots_txt_allows_all(site, fetcher):
    site.routes["/a"] = text("page")  # no /robots.txt route: 404
    got = fetcher().fetch(site.url("/a"))
    assert got.ok and got.body == b"page" and got.status == 200 and got.final_url == site.url("/a")


def test_a_5xx_robots_txt_disallows_all(site, fetcher):
    site.routes["/robots.txt"] = text("down", status=503)
    site.routes["/a"] = text("page")
    f = fetcher()
    got = f.fetch(site.url("/a"))
    assert got.error == "robots.txt unreachable (HTTP 503): all disallowed" and not got.ok
    assert not f.allowed(site.url("/b"))
    assert site.paths() == ["/robots.txt"]  # not asked again within ROBOTS_RECHECK


def test_an_unreachable_host_disallows_all_and_says_why(fetcher):
    probe = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = probe.server_port
    probe.server_close()  # nothing listens there now
    got = fetcher(retries=0).fetch(f"http://127.0.0.1:{port}/a")
    assert got.error == "robots.txt unreachable (connection refused): all disallowed"


def test_robots_txt_is_fetched_again_after_24_hours(site, fetcher):
    now = [1000.0]
    site.routes["/a"] = text("page")
    f = fetcher(clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    f.fetch(site.url("/a"))
    now[0] += 3600
    f.fetch(site.url("/a"))
    now[0] += 24 * 3600
    f.fetch(site.url("/a"))
    assert site.paths() == ["/robots.txt", "/a", "/a", "/robots.txt", "/a"]


# politeness


def test_crawl_delay_raises_the_spacing_including_after_robots_txt(site, fetcher):
    site.routes["/robots.txt"] = text("User-agent: *\nCrawl-delay: 0.3\n")
    site.routes["/a"] = text("a")
    f = fetcher(delay=0.05)
    assert all(f.fetch(site.url("/a")).ok for _ in range(2))
    assert site.paths() == ["/robots.txt", "/a", "/a"]
    assert min(gaps(site.starts())) >= 0.3 - SLACK


def test_one_host_is_spaced_under_four_threads_while_another_host_proceeds(site, fetcher):
    busy, other = site, site.make()
    busy.routes["/a"] = other.routes["/a"] = text("a")
    f = fetcher(delay=0.15)
    results = []
    began = time.monotonic()

    def hammer(s: Site, n: int):
        results.extend(f.fetch(s.url("/a")) for _ in range(n))

    threads = [threading.Thread(target=hammer, args=(busy, 2)) for _ in range(4)]
    threads.append(threading.Thread(target=hammer, args=(other, 2)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 10 and all(r.ok for r in results)
    assert len(busy.starts()) == 9 and min(gaps(busy.starts())) >= 0.15 - SLACK  # robots.txt + 8 pages
    assert min(gaps(other.starts())) >= 0.15 - SLACK
    # the other host did not queue behind the busy one: done by about 3 of its slots, not 9 (generous bound)
    assert other.starts()[-1] - began < 0.15 * 6


def test_set_delay_overrides_the_default_for_one_host(site, fetcher):
    site.routes["/a"] = text("a")
    f = fetcher(delay=0)
    f.set_delay(host_of(site.url("/")), 0.2)
    f.fetch(site.url("/a"))
    f.fetch(site.url("/a"))
    assert min(gaps(site.starts())) >= 0.2 - SLACK


def test_spacing_counts_on_the_injected_clock(site, fetcher):
    now, slept = [0.0], []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    site.routes["/a"] = text("a")
    f = fetcher(delay=5.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        f.fetch(site.url("/a"))
    assert slept == [5.0, 5.0, 5.0]  # robots.txt, then three pages: each 5 s after the last


# conditional GET


def test_conditional_get_304_is_not_modified_and_not_an_error(site, fetcher):
    def page(h):
        if h.headers.get("If-None-Match") == '"v1"':
            reply(h, 304, headers={"ETag": '"v1"'}, length=False)
        else:
            reply(h, 200, b"fresh", {"ETag": '"v1"', "Last-Modified": "Tue, 14 May 2024 10:00:00 GMT"})

    site.routes["/a"] = page
    f = fetcher()
    first = f.fetch(site.url("/a"))
    assert first.ok and first.headers["etag"] == '"v1"'
    again = f.fetch(site.url("/a"), etag=first.headers["etag"], last_modified=first.headers["last-modified"])
    assert again.not_modified and again.error is None and again.status == 304 and not again.ok and again.body == b""
    sent = site.hits[-1][2]
    assert sent["if-none-match"] == '"v1"' and sent["if-modified-since"] == "Tue, 14 May 2024 10:00:00 GMT"


def test_the_user_agent_names_dyad_its_version_and_the_contact(site, fetcher):
    site.routes["/a"] = text("a")
    fetcher(contact="me@example.org").fetch(site.url("/a"))
    agent = site.hits[-1][2]["user-agent"]
    assert agent == default_user_agent("me@example.org")
    assert agent.startswith(f"dyad/{__version__} (") and agent.endswith("; contact: me@example.org)")


# timeouts and size caps


def test_a_read_timeout_is_retried_once(site, fetcher):
    site.routes["/slow"] = lambda h: (time.sleep(1.0), reply(h, 200, b"late"))
    got = fetcher(read_timeout=0.5).fetch(site.url("/slow"))
    assert got.error == "timed out (read) after 0.5 s (2 attempts)" and got.status is None and got.attempts == 2


def test_a_trickling_server_is_cut_at_the_total_deadline(site, fetcher):
    def trickle(h):
        reply(h, 200, headers={"Content-Length": "100"}, length=False)
        for _ in range(100):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.05)

    site.routes["/trickle"] = trickle
    began = time.monotonic()
    got = fetcher(read_timeout=0.5, total_timeout=0.6).fetch(site.url("/trickle"))
    assert got.error == "timed out (total) after 0.6 s" and got.status == 200 and got.body == b""
    assert time.monotonic() - began < 3  # the trickle alone would take 5 s


def test_size_cap_by_content_length(site, fetcher):
    site.routes["/big"] = text(b"x" * 1000)
    got = fetcher(max_bytes=500).fetch(site.url("/big"))
    assert got.error == "too large: over 500 bytes" and got.body == b""


def test_size_cap_while_streaming_without_content_length(site, fetcher):
    site.routes["/big"] = lambda h: reply(h, 200, b"x" * 100_000, length=False)
    got = fetcher(max_bytes=500).fetch(site.url("/big"))
    assert got.error == "too large: over 500 bytes"


def test_a_gzip_bomb_stops_at_the_cap_fast_and_in_bounded_memory(site, fetcher):
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    zeros = bytes(1 << 20)
    bomb = b"".join(squeeze.compress(zeros) for _ in range(200)) + squeeze.flush()  # 200 MB of zeros
    assert len(bomb) < 250_000
    site.routes["/bomb"] = text(bomb, Content_Encoding="gzip")
    f = fetcher(max_bytes=1_000_000)
    began = time.monotonic()
    tracemalloc.start()
    try:
        got = f.fetch(site.url("/bomb"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got.error == "decompressed past 1,000,000 bytes" and got.body == b""
    assert peak < 20_000_000  # far from 200 MB: one 4 KiB wire slice decodes to 4 MB at most
    assert time.monotonic() - began < 5


def test_gzip_content_is_decoded_and_the_archive_gets_the_wire_bytes(site, fetcher):
    packed = zlib.compressobj(6, zlib.DEFLATED, 31)
    wire = packed.compress(b"<p>news</p>" * 100) + packed.flush()
    site.routes["/z"] = text(wire, Content_Encoding="gzip")
    seen = []
    got = fetcher(on_exchange=seen.append).fetch(site.url("/z"))
    assert got.ok and got.body == b"<p>news</p>" * 100
    assert seen[-1].body == wire and ("Content-Encoding", "gzip") in seen[-1].response_headers


# redirects


def test_a_redirect_loop_fails(site, fetcher):
    site.routes["/loop"] = text("", status=302, Location="/loop")
    got = fetcher().fetch(site.url("/loop"))
    assert got.error == "too many redirects (more than 3)" and got.status == 302
    assert site.paths().count("/loop") == 4


def chain(site: Site, n: int) -> str:
    site.routes["/end"] = text("arrived")
    for i in range(1, n + 1):
        site.routes[f"/r{i}"] = text("", status=301, Location=site.url(f"/r{i - 1}") if i > 1 else "/end")
    return site.url(f"/r{n}")


def test_three_redirects_are_followed(site, fetcher):
    got = fetcher().fetch(chain(site, 3))
    assert got.ok and got.body == b"arrived" and got.final_url == site.url("/end") and got.url == site.url("/r3")


def test_four_redirects_fail(site, fetcher):
    got = fetcher().fetch(chain(site, 4))
    assert got.error == "too many redirects (more than 3)" and "/end" not in site.paths()


def test_robots_txt_is_checked_for_each_redirect_hop(site, fetcher):
    other = site.make()
    other.routes["/robots.txt"] = text("User-agent: *\nDisallow: /\n")
    site.routes["/go"] = text("", status=302, Location=other.url("/page"))
    got = fetcher().fetch(site.url("/go"))
    assert got.error == "disallowed by robots.txt" and got.final_url == other.url("/page")
    assert other.paths() == ["/robots.txt"]


@pytest.mark.parametrize(("location", "error"), [
    ("ftp://example.com/a", "not an http(s) URL: 'ftp://example.com/a'"),
    ("http://[broken/a", "bad URL 'http://[broken/a': Invalid IPv6 URL"),
])
def test_a_redirect_to_a_bad_url_fails_in_the_record(site, fetcher, location, error):
    site.routes["/go"] = text("", status=302, Location=location)
    got = fetcher().fetch(site.url("/go"))
    assert got.error == error and got.final_url == location


# retries


def test_500_then_200_is_retried(site, fetcher):
    calls = []

    def flaky(h):
        calls.append(1)
        reply(h, 500 if len(calls) == 1 else 200, b"ok")

    site.routes["/flaky"] = flaky
    got = fetcher().fetch(site.url("/flaky"))
    assert got.ok and got.attempts == 2


def test_500_every_time_gives_up_after_the_retries(site, fetcher):
    site.routes["/down"] = text("", status=500)
    got = fetcher(retries=3).fetch(site.url("/down"))
    assert got.error == "HTTP 500 after 4 attempts" and got.status == 500 and got.attempts == 4


def test_404_is_not_retried(site, fetcher):
    got = fetcher().fetch(site.url("/missing"))
    assert got.error == "HTTP 404" and got.attempts == 1


def test_429_retry_after_is_honoured(site, fetcher):
    calls = []

    def limited(h):
        calls.append(1)
        if len(calls) == 1:
            reply(h, 429, headers={"Retry-After": "1"})
        else:
            reply(h, 200, b"ok")

    site.routes["/limited"] = limited
    got = fetcher().fetch(site.url("/limited"))
    assert got.ok and got.attempts == 2
    assert gaps(site.starts("/limited"))[0] >= 1.0 - SLACK


def test_a_retry_after_too_long_fails_now(site, fetcher):
    site.routes["/later"] = text("", status=503, Retry_After="3600")
    began = time.monotonic()
    got = fetcher(max_retry_after=120).fetch(site.url("/later"))
    assert got.error == "HTTP 503 with Retry-After 3600 s (over the 120 s dyad waits)" and got.attempts == 1
    assert time.monotonic() - began < 2


def test_retry_after_reads_seconds_and_http_dates():
    assert _retry_after("7") == 7.0
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: now
    assert 3500 < _retry_after(time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 3600))) <= 3600
    assert _retry_after("soon") is None and _retry_after(None) is None


# the archive's view


def test_on_exchange_receives_every_exchange_including_robots_txt_and_redirects(site, fetcher):
    site.routes["/robots.txt"] = text("User-agent: *\nAllow: /\n")
    site.routes["/a"] = text("", status=302, Location="/b")
    site.routes["/b"] = text("bee")
    seen = []
    got = fetcher(on_exchange=seen.append).fetch(site.url("/a"))
    assert got.ok and got.final_url == site.url("/b")
    assert [(urlsplit(e.url).path, e.status) for e in seen] == [("/robots.txt", 200), ("/a", 302), ("/b", 200)]
    last = seen[-1]
    assert last.method == "GET" and last.body == b"bee" and last.ip == "127.0.0.1" and last.truncated is None
    assert dict(last.request_headers)["User-Agent"].startswith("dyad/")
    assert last.started_at <= last.finished_at and last.http_version.startswith("HTTP/1")


def test_a_truncated_exchange_says_so(site, fetcher):
    site.routes["/big"] = lambda h: reply(h, 200, b"x" * 100_000, length=False)
    seen = []
    fetcher(max_bytes=500, on_exchange=seen.append).fetch(site.url("/big"))
    assert seen[-1].truncated == "length" and 500 < len(seen[-1].body) < 100_000
