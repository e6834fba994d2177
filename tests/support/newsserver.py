"""The HTTP layer of the test news site: one ThreadingHTTPServer per virtual host, conditional GET, the
request log record, and the responses that misbehave on purpose (slow, oversized, gzip bomb, loops)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import email.utils
import functools
import hashlib
import socket
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple

from tests.support.newspages import http_date


class Resource(NamedTuple):
    """A rendered response body with the validators a polite client sends back."""

    body: bytes
    content_type: str
    etag: str
    last_modified: dt.datetime


def resource(body: str | bytes, content_type: str, last_modified: dt.datetime) -> Resource:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Resource(data, content_type, f'"{hashlib.blake2b(data, digest_size=8).hexdigest()}"',
                    last_modified.replace(microsecond=0))


@dataclasses.dataclass
class LoggedRequest:
    """One request as the site saw it; `started` is time.monotonic() (system-wide on Linux, so comparable
    across processes), `wall` is time.time()."""

    started: float
    wall: float
    host: str  # netloc, "127.0.0.2:41234"
    method: str
    path: str  # path and query as requested
    status: int = 0  # 0: no response was sent (the site stopped during a slow response)
    user_agent: str | None = None
    if_none_match: str | None = None
    if_modified_since: str | None = None
    duration: float = 0.0
    body_bytes: int = 0

    def as_json(self) -> dict:
        return {"event": "request", **dataclasses.asdict(self)}


def not_modified(headers, current: Resource) -> bool:
    """RFC 9110: If-None-Match decides when present (weak comparison); else If-Modified-Since."""
    tags = headers.get("If-None-Match")
    if tags is not None:
        wanted = {tag.strip().removeprefix("W/") for tag in tags.split(",")}
        return "*" in wanted or current.etag in wanted
    since = headers.get("If-Modified-Since")
    if not since:
        return False
    try:
        when = email.utils.parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return current.last_modified <= when


_FILLER = b"<p>" + b"Filler for an oversized page, far beyond what an article needs. " * 1000 + b"</p>\n"
_BOMB_PREFIX = b"<!DOCTYPE html><html><head><title>Bomb</title></head><body><p>"


@functools.cache
def gzip_bomb(decompressed_bytes: int = 110 * 2**20) -> bytes:
    """~110 KB of gzip that inflates to `decompressed_bytes` (deflate's ratio tops out near 1000:1)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * 2**20
    parts = [packer.compress(_BOMB_PREFIX)]
    parts += [packer.compress(block) for _ in range(decompressed_bytes // len(block) + 1)]
    return b"".join([*parts, packer.flush()])


class NewsHandler(BaseHTTPRequestHandler):
    """Hands every request to the site (NewsSite.respond); keeps status and bytes for the log."""

    protocol_version = "HTTP/1.1"  # keep-alive, as real servers: responses carry a length or are chunked
    server_version = "NewsSite/1.0"
    timeout = 20  # an idle keep-alive connection frees its thread after this
    record: LoggedRequest | None = None  # the log entry of the request being answered

    def do_GET(self):
        self.server.news_site.handle(self, self.server.news_host)

    def do_HEAD(self):
        self.server.news_site.handle(self, self.server.news_host)

    def send_response(self, code, message=None):
        if self.record is not None:
            self.record.status = code
        super().send_response(code, message)

    def log_message(self, format, *args):
        """Silent: the site keeps its own log (NewsSite.log)."""

    def write_body(self, data: bytes) -> None:
        if self.command != "HEAD":
            if self.record is not None:
                self.record.body_bytes += len(data)
            self.wfile.write(data)

    def send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.write_body(body)

    def send_resource(self, current: Resource, content_type: str | None = None) -> None:
        validators = {"ETag": current.etag, "Last-Modified": http_date(current.last_modified),
                      "Cache-Control": "max-age=60"}
        if not_modified(self.headers, current):
            self.send_response(304)
            for name, value in validators.items():
                self.send_header(name, value)
            self.end_headers()
            return
        self.send(200, current.body, content_type or current.content_type, validators)

    def redirect(self, location: str) -> None:
        self.send(302, b"", "text/html; charset=utf-8", {"Location": location})

    def stream_oversized(self, limit: int, stopping: threading.Event) -> None:
        """More than `limit` bytes, chunked (no Content-Length to warn the client), never held in memory."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if self.command == "HEAD":
            return
        sent = 0
        while sent <= limit and not stopping.is_set():
            self.wfile.write(b"%x\r\n%s\r\n" % (len(_FILLER), _FILLER))
            sent += len(_FILLER)
            if self.record is not None:
                self.record.body_bytes = sent
        if stopping.is_set():
            self.close_connection = True
            return
        self.wfile.write(b"0\r\n\r\n")

    def send_bomb(self) -> None:
        self.send(200, gzip_bomb(), "text/html; charset=utf-8", {"Content-Encoding": "gzip"})


class HostServer(ThreadingHTTPServer):
    """One virtual host: its own address, so each host is a distinct netloc a crawler rate-limits apart."""

    daemon_threads = True
    block_on_close = False  # stop() must not wait for a client still reading a slow or endless response
    request_queue_size = 128  # a concurrent crawler must not meet SYN retries (1 s each)

    def __init__(self, address, news_site, news_host):
        self.news_site = news_site
        self.news_host = news_host
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, NewsHandler)

    def process_request(self, request, client_address):
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Hang up on every client, idle keep-alive ones included: after stop() nothing answers."""
        with self._open_lock:
            still_open = list(self._open)
        for connection in still_open:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request, client_address):
        """Clients hang up on slow and oversized responses on purpose; that is not an error to print."""


def open_host(index: int, news_site, news_host) -> HostServer:
    """Host `index` on 127.0.0.<index + 2> (Linux routes all of 127/8 to loopback), else on 127.0.0.1 with
    its own port; the OS picks the port."""
    try:
        return HostServer((f"127.0.0.{index + 2}", 0), news_site, news_host)
    except OSError:
        return HostServer(("127.0.0.1", 0), news_site, news_host)


def serve(server: HostServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"newssite-{server.server_address[0]}", daemon=True)
    thread.start()
    return thread
