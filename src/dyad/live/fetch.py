"""The one door every request of dyad's goes through: robots.txt, per-host spacing, timeouts, size caps, retries.

A `Fetcher` is shared by the watcher's threads (one host per thread). A thread waits only for its own host's turn:
hosts proceed concurrently, requests to one host start at least the host's delay apart. `fetch` never raises for
network or HTTP trouble; the returned record says what went wrong in one line.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from urllib.parse import urljoin, urlsplit

import httpx
import msgspec
from protego import Protego

from dyad.live.urls import host_of
from dyad.version import __version__

# what a webmaster reads about the crawler in the User-Agent: dyad names itself and who runs it (`--contact`)
ABOUT = "news event coder"
ROBOTS_TOKEN = "dyad"  # our product token, matched against robots.txt `User-agent:` lines (RFC 9309 2.2.1)
ROBOTS_TTL = 24 * 3600.0  # RFC 9309 2.4: a cached robots.txt SHOULD NOT be used longer than 24 hours
ROBOTS_RECHECK = 600.0  # an unreachable robots.txt is asked again after 10 min: an outage costs minutes, not a day
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 2.5: parse at least 500 KiB; rules past the first 500 KiB are ignored
ROBOTS_REDIRECTS = 5  # RFC 9309 2.3.1.2: follow at least five consecutive redirects for robots.txt
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})  # overload or a passing fault: worth asking again
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})  # the redirects that carry a Location to follow
ACCEPT_ENCODING = "gzip, deflate"  # the codings httpx undoes here (brotli, zstd are not installed)
CODINGS = frozenset({"gzip", "deflate"})  # one of these at most; stacked codings could multiply a bomb's expansion
WIRE_SLICE = 4 * 1024  # raw bytes decoded at a time: deflate expands <= ~1032x, so one step adds <= ~4.2 MB


def _now() -> datetime:
    return datetime.now(UTC)


class Exchange(msgspec.Struct, kw_only=True):
    """One request and its response, as a WARC archive keeps them; `on_exchange` receives every one."""

    method: str
    url: str
    request_headers: list[tuple[str, str]]  # as sent, in order
    status: int
    reason: str
    http_version: str  # "HTTP/1.1"
    response_headers: list[tuple[str, str]]  # as received: original case, order and repeats kept
    body: bytes  # the payload as it came off the wire, Content-Encoding NOT undone, so the headers describe it
    truncated: str | None = None  # WARC-Truncated: "length" (size cap), "time" (deadline), "disconnect", "unspecified"
    started_at: datetime  # UTC, when the request was sent (after the politeness wait)
    finished_at: datetime  # UTC
    ip: str | None = None  # the server's address, when the connection tells it


class Fetched(msgspec.Struct, kw_only=True):
    """What one `fetch` found. `error` is None exactly when the fetch is ok or not modified."""

    url: str  # as asked
    final_url: str  # the last URL requested, after redirects
    status: int | None  # the final HTTP status; None when no response came
    headers: dict[str, str]  # final response headers, lower-case names, repeats joined with ", "
    body: bytes = b""  # the content, gzip/deflate undone; empty unless ok
    not_modified: bool = False  # 304 to a conditional request: keep what you have
    error: str | None = None  # one readable line
    fetched_at: datetime  # UTC
    attempts: int  # requests made for final_url (1 + retries); 0 when none was (robots.txt, bad URL)

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == 200


@dataclass
class _Reply:
    """One attempt's outcome. `kind` sorts exceptions for the retry rule: "connect" is retried, "read" once."""

    status: int | None = None
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""
    error: str | None = None
    kind: str | None = None
    truncated: str | None = None


@dataclass
class _Robots:
    parser: Protego | None  # None and no error: no robots.txt, all allowed
    error: str | None  # set: robots.txt unreachable, all disallowed
    expires: float  # on the fetcher's clock


@dataclass
class _Host:
    turn: threading.Lock = field(default_factory=threading.Lock)  # held for a whole request: one at a time per host
    robots_lock: threading.Lock = field(default_factory=threading.Lock)  # one robots.txt fetch per host at a time
    last_end: float | None = None  # when the host's last response ended
    delay: float | None = None  # set_delay's override of the fetcher's delay
    crawl_delay: float = 0.0  # robots.txt Crawl-delay for us
    robots: dict[str, _Robots] = field(default_factory=dict)  # by scheme: http and https robots.txt differ


class _Wire(httpx.SyncByteStream):
    """The raw response stream, sliced small so one decode step stays small, and copied for the archive."""

    def __init__(self, stream: httpx.SyncByteStream, keep: bool):
        self._stream = stream
        self.raw: list[bytes] | None = [] if keep else None

    def __iter__(self):
        for data in self._stream:
            for i in range(0, len(data), WIRE_SLICE):
                piece = data[i:i + WIRE_SLICE]
                if self.raw is not None:
                    self.raw.append(piece)
                yield piece

    def close(self) -> None:
        self._stream.close()


def default_user_agent(contact: str | None = None) -> str:
    """`dyad/0.1.0 (news event coder; contact: me@example.org)`: who we are and how to reach whoever runs us."""
    about = ABOUT + (f"; contact: {contact}" if contact else "")
    return f"{ROBOTS_TOKEN}/{__version__} ({about})"


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds from now: delta-seconds or an HTTP date (RFC 9110 10.2.3); None if absent or bad."""
    value = (value or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return max(0.0, (when - _now()).total_seconds())


def _join(base: str, location: str) -> str:
    """Where a redirect points; a Location too broken to join is kept as is, to fail as a bad URL next."""
    try:
        return urljoin(base, location)
    except ValueError:
        return location


def _pairs(raw: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]


def _peer(response: httpx.Response) -> str | None:
    """The server's IP address, if the connection still knows it."""
    stream = response.extensions.get("network_stream")
    try:
        address = stream.get_extra_info("server_addr") if stream is not None else None
    except OSError:
        return None
    return address[0] if isinstance(address, tuple) else None


class Fetcher:
    """Polite, bounded HTTP GET for many threads at once; see the module docstring."""

    def __init__(self, *, user_agent: str | None = None, contact: str | None = None, delay: float = 5.0,
                 connect_timeout: float = 10, read_timeout: float = 20, total_timeout: float = 60,
                 max_bytes: int = 20_000_000, max_redirects: int = 3, retries: int = 3, backoff: float = 1.0,
                 max_retry_after: float = 120, on_exchange: Callable[[Exchange], None] | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.user_agent = user_agent or default_user_agent(contact)
        self.delay, self.max_bytes, self.max_redirects = delay, max_bytes, max_redirects
        self.retries, self.backoff, self.max_retry_after = retries, backoff, max_retry_after
        self._connect, self._read_timeout, self._total = connect_timeout, read_timeout, total_timeout
        self._on_exchange, self._clock, self._sleep = on_exchange, clock, sleep
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self._client = httpx.Client(
            headers={"User-Agent": self.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            # a read never outlasts the total deadline, which is checked between reads
            timeout=httpx.Timeout(connect=connect_timeout, read=min(read_timeout, total_timeout),
                                  write=read_timeout, pool=total_timeout),
            # stateless: no cookie carries from one fetch to the next, so fetches are reproducible
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            follow_redirects=False, trust_env=False, http1=True, http2=False)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def set_delay(self, host: str, seconds: float) -> None:
        """Override the delay for one host (as `host_of` writes it); robots.txt's Crawl-delay still wins if longer."""
        self._host(host.lower()).delay = seconds

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets dyad fetch `url` (fetching robots.txt first if it is not cached)."""
        try:
            return self._robots_verdict(url) is None
        except ValueError:
            return False

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """GET `url` politely, following up to `max_redirects` redirects; conditional when etag/last_modified given."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _hop in range(self.max_redirects + 1):
            try:
                verdict = self._robots_verdict(current)
            except ValueError as exc:
                verdict = str(exc)
            if verdict:
                return Fetched(url=url, final_url=current, status=None, headers={}, error=verdict,
                               fetched_at=_now(), attempts=0)
            reply, attempts = self._with_retries(current, headers)
            location = reply.headers.get("location") if reply.status in REDIRECT_STATUSES else None
            if not location or reply.error:
                return self._result(url, current, reply, attempts)
            previous, current = current, _join(current, location)
        return Fetched(url=url, final_url=previous, status=reply.status, headers=dict(reply.headers.items()),
                       error=f"too many redirects (more than {self.max_redirects})", fetched_at=_now(),
                       attempts=attempts)

    def _result(self, url: str, final_url: str, reply: _Reply, attempts: int) -> Fetched:
        error = reply.error
        if error is None and reply.status not in (200, 304):
            error = f"HTTP {reply.status}" + (f" after {attempts} attempts" if attempts > 1 else "")
        elif error is not None and attempts > 1:
            error += f" ({attempts} attempts)"
        return Fetched(url=url, final_url=final_url, status=reply.status, headers=dict(reply.headers.items()),
                       body=reply.body if error is None else b"", not_modified=error is None and reply.status == 304,
                       error=error, fetched_at=_now(), attempts=attempts)

    def _with_retries(self, url: str, headers: dict[str, str]) -> tuple[_Reply, int]:
        """Ask again on 429/5xx and connection failures (a read timeout only once), with backoff and Retry-After."""
        attempt = read_failures = 0
        while True:
            attempt += 1
            reply = self._exchange(url, headers, self.max_bytes)
            read_failures += reply.kind == "read"
            retryable = (reply.status in RETRY_STATUSES and reply.error is None) or reply.kind == "connect" \
                or (reply.kind == "read" and read_failures == 1)
            if not retryable or attempt > self.retries:
                return reply, attempt
            wait = random.uniform(0, self.backoff * 2 ** (attempt - 1))  # exponential backoff, full jitter
            after = _retry_after(reply.headers.get("retry-after")) if reply.status else None
            if after is not None and after > self.max_retry_after:
                reply.error = (f"HTTP {reply.status} with Retry-After {after:g} s"
                               f" (over the {self.max_retry_after:g} s dyad waits)")
                return reply, attempt
            self._sleep(wait if after is None else after)

    def _exchange(self, url: str, headers: dict[str, str], max_bytes: int, prefix_ok: bool = False) -> _Reply:
        """One request in its host's turn: streamed, size- and time-capped, reported to on_exchange."""
        try:
            host = host_of(url)
        except ValueError as exc:
            return _Reply(error=str(exc))
        state = self._host(host)
        with state.turn:
            self._wait_turn(state)
            try:
                return self._request(url, headers, max_bytes, prefix_ok)
            finally:
                state.last_end = self._clock()

    def _request(self, url: str, headers: dict[str, str], max_bytes: int, prefix_ok: bool) -> _Reply:
        started, deadline = _now(), self._clock() + self._total
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                wire = _Wire(response.stream, keep=self._on_exchange is not None)
                response.stream = wire
                ip = _peer(response)  # now: once the body is read the connection may be gone
                reply = self._read(response, deadline, max_bytes, prefix_ok)
                self._report(response, wire, reply.truncated, started, ip)
                return reply
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            error, kind = self._describe(exc)
            return _Reply(error=error, kind=kind)

    def _read(self, response: httpx.Response, deadline: float, max_bytes: int, prefix_ok: bool) -> _Reply:
        """The body, decoded as it streams: stopped past max_bytes (wire or decoded) or past the deadline."""
        reply = _Reply(status=response.status_code, headers=response.headers)
        codings = [c.strip().lower() for c in response.headers.get_list("content-encoding", split_commas=True)]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or not set(codings) <= CODINGS:
            reply.error, reply.truncated = f"unsupported Content-Encoding {', '.join(codings)!r}", "unspecified"
            return reply
        length = response.headers.get("content-length", "").strip()
        if not prefix_ok and length.isdigit() and int(length) > max_bytes:
            reply.error, reply.truncated = f"too large: over {max_bytes:,} bytes", "length"
            return reply
        chunks, size = [], 0
        try:
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > max_bytes:
                    what = "decompressed past" if codings else "too large: over"
                    reply.error, reply.truncated = f"{what} {max_bytes:,} bytes", "length"
                    break
                if self._clock() > deadline:
                    reply.error, reply.truncated = f"timed out (total) after {self._total:g} s", "time"
                    break
        except httpx.HTTPError as exc:
            reply.error, reply.kind = self._describe(exc)
            reply.truncated = "time" if isinstance(exc, httpx.TimeoutException) else "disconnect"
        reply.body = b"".join(chunks)[:max_bytes] if prefix_ok or reply.error is None else b""
        return reply

    def _describe(self, exc: Exception) -> tuple[str, str | None]:
        """One readable line for an httpx exception, and its retry kind ("connect", "read" or None)."""
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        if isinstance(exc, httpx.ConnectTimeout):
            return f"timed out (connect) after {self._connect:g} s", "connect"
        if isinstance(exc, httpx.ReadTimeout):
            return f"timed out (read) after {min(self._read_timeout, self._total):g} s", "read"
        if isinstance(exc, httpx.WriteTimeout):
            return f"timed out (write) after {self._read_timeout:g} s", "read"
        if isinstance(exc, httpx.PoolTimeout):
            return f"timed out waiting {self._total:g} s for a free connection", "connect"
        if isinstance(exc, httpx.ConnectError):
            refused = "refused" in first_line.lower()
            return ("connection refused" if refused else f"connection failed: {first_line}"), "connect"
        if isinstance(exc, httpx.RemoteProtocolError):  # often a kept-alive connection the server had closed
            return f"protocol error: {first_line}", "connect"
        if isinstance(exc, httpx.NetworkError):
            return f"network error: {first_line}", "read"
        if isinstance(exc, httpx.DecodingError):
            return f"undecodable content: {first_line}", None
        return f"{type(exc).__name__}: {first_line}", None

    def _report(self, response: httpx.Response, wire: _Wire, truncated: str | None, started: datetime,
                ip: str | None) -> None:
        if self._on_exchange is None:
            return
        self._on_exchange(Exchange(
            method=response.request.method, url=str(response.request.url),
            request_headers=_pairs(response.request.headers.raw), status=response.status_code,
            reason=response.reason_phrase, http_version=response.http_version,
            response_headers=_pairs(response.headers.raw), body=b"".join(wire.raw or []), truncated=truncated,
            started_at=started, finished_at=_now(), ip=ip))

    def _host(self, host: str) -> _Host:
        with self._hosts_lock:
            return self._hosts.setdefault(host, _Host())

    def _wait_turn(self, state: _Host) -> None:
        """Sleep until the host's delay has passed since its last response ended (the caller holds its
        turn). Counted from the end, not the start: the site then sees its requests at least the delay
        apart however long each took to travel, and never two at once."""
        now = self._clock()
        delay = max(self.delay if state.delay is None else state.delay, state.crawl_delay)
        if state.last_end is not None and state.last_end + delay > now:
            self._sleep(state.last_end + delay - now)

    def _robots_verdict(self, url: str) -> str | None:
        """None if robots.txt allows `url`, else why not. Raises ValueError for a URL that is not http(s)."""
        state, parts = self._host(host_of(url)), urlsplit(url)  # host_of first: it explains a bad URL
        scheme = parts.scheme.lower()
        with state.robots_lock:
            robots = state.robots.get(scheme)
            if robots is None or self._clock() >= robots.expires:
                robots = state.robots[scheme] = self._load_robots(
                    f"{scheme}://{parts.netloc.rpartition('@')[2]}/robots.txt", robots)
                state.crawl_delay = float((robots.parser and robots.parser.crawl_delay(ROBOTS_TOKEN)) or 0.0)
        if robots.error:
            return robots.error
        if robots.parser is not None and not robots.parser.can_fetch(url, ROBOTS_TOKEN):
            return "disallowed by robots.txt"
        return None

    def _load_robots(self, url: str, previous: _Robots | None) -> _Robots:
        """RFC 9309 2.3.1: 2xx parsed; 4xx (but 429) all allowed; 429, 5xx or no answer all disallowed."""
        now = self._clock()
        for _hop in range(ROBOTS_REDIRECTS + 1):
            reply = self._exchange(url, {}, ROBOTS_MAX_BYTES, prefix_ok=True)
            location = reply.headers.get("location") if reply.status in REDIRECT_STATUSES else None
            if not location:
                break
            url = _join(url, location)
        else:  # more than five redirects: RFC 9309 2.3.1.2 lets us take robots.txt as unavailable
            return _Robots(None, None, now + ROBOTS_TTL)
        status = reply.status or 0
        if 200 <= status < 300 and reply.truncated in (None, "length"):
            return _Robots(Protego.parse(reply.body.decode("utf-8", errors="replace")), None, now + ROBOTS_TTL)
        if 400 <= status < 500 and status != 429:
            return _Robots(None, None, now + ROBOTS_TTL)
        if previous is not None and previous.error is None:  # RFC 9309 2.4: keep the cached copy while unreachable
            return _Robots(previous.parser, None, now + ROBOTS_RECHECK)
        why = reply.error or f"HTTP {status}"
        return _Robots(None, f"robots.txt unreachable ({why}): all disallowed", now + ROBOTS_RECHECK)
