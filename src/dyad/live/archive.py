"""Every response `dyad watch` fetches, kept in rotating WARC 1.1 files, and the replay that reads them back.

The archive is the watch's memory: a replay rebuilds what was fetched (each response with the role it was
fetched in, each item's date from its feed) without touching the network, and any WARC tool reads the files.
warcio writes and reads them; HTTP headers are parsed as `dyad ingest` parses a WARC's (article.readers).
"""

from __future__ import annotations

import io
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import msgspec

from dyad.article.readers import warc_error, warc_http_headers
from dyad.version import __version__

log = logging.getLogger(__name__)

# Heritrix's default WARC rotation size (WARCWriterProcessor maxFileSizeBytes = 1,000,000,000): files of a size
# every WARC tool handles, few enough for a long watch.
MAX_FILE_BYTES = 1_000_000_000
# What a response was fetched as, so a replay sends each to the right reader. WARC 1.1, section 5.1, allows
# extension fields; "WARC-Dyad-" keeps ours apart.
ROLES = frozenset({"article", "feed", "sitemap", "robots", "page"})
ROLE_FIELD = "WARC-Dyad-Role"
ITEM_DATE = "item-date"  # the role of the metadata record that holds a feed's date for an item
# Headers of the HTTP exchange that describe the bytes on the wire, not the decoded body stored (RFC 9110 8.4,
# RFC 9112 6.1); kept, a replay tool would try to decode the body again.
WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})
# WARC 1.1 specification, for the warcinfo record's conformsTo field.
WARC_1_1 = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"

Headers = Mapping[str, str] | Iterable[tuple[str, str]]


class Capture(msgspec.Struct, kw_only=True):
    """One thing a replay yields: a response (status, headers, decoded body, role) or an item's feed date."""

    kind: Literal["response", "item-date"]
    url: str  # WARC-Target-URI: the URL fetched, or the article an item date is about
    role: str | None = None  # a response's WARC-Dyad-Role (ROLES); None for an item date or a foreign record
    date: datetime  # WARC-Date, aware UTC: when the fetch started, or when the item date was recorded
    status: int | None = None
    headers: dict[str, str] = {}  # HTTP response headers, names lower-cased, repeated ones joined by ", "
    body: bytes = b""
    published: datetime | None = None  # an item date: the date its feed or sitemap gave the article
    via: str | None = None  # an item date: the feed or sitemap that listed the article
    truncated: str | None = None  # WARC-Truncated: why the body stops short ("length": over the size cap)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _warc_date(moment: datetime) -> str:
    from warcio.timeutils import datetime_to_iso_date

    return datetime_to_iso_date(_utc(moment).replace(tzinfo=None), use_micros=True)


def _pairs(headers: Headers) -> list[tuple[str, str]]:
    """Header pairs in order, repeated ones kept (httpx.Headers.multi_items); CR/LF folded so that no value can
    end a header line of the WARC file."""
    if hasattr(headers, "multi_items"):
        items = headers.multi_items()
    elif isinstance(headers, Mapping):
        items = headers.items()
    else:
        items = headers
    return [(" ".join(str(name).split()), " ".join(str(value).split())) for name, value in items]


class Archive:
    """WARC 1.1 files in `folder`, gzip per record, `{prefix}-{UTC yyyymmddHHMMSS}-{serial:05d}.warc.gz`, each
    opened with a warcinfo record and rotated once over `max_file_bytes`. Thread-safe; every record is flushed
    as written, so a killed process loses at most the record being written (flushed, not fsynced: a power cut
    may lose what the OS had not yet written)."""

    def __init__(self, folder: Path, *, prefix: str = "dyad", max_file_bytes: int = MAX_FILE_BYTES):
        self.folder = Path(folder)
        self.prefix = prefix
        self.max_file_bytes = max_file_bytes
        self.paths: list[Path] = []  # the files written, in order
        self._lock = threading.Lock()
        self._handle = None
        self._writer = None
        self._serial = 0
        self._closed = False

    def record(self, exchange, role: str) -> None:
        """One `dyad.live.fetch.Exchange` (the fetcher's `on_exchange`): its body as it came off the wire,
        so its Content-Encoding is kept (a replay decodes it)."""
        self.record_exchange(exchange.url, exchange.method, exchange.request_headers, exchange.status,
                             exchange.reason, exchange.response_headers, exchange.body, exchange.started_at, role,
                             truncated=exchange.truncated, decoded=False)

    def record_exchange(self, url: str, method: str, request_headers: Headers, status: int, reason: str,
                        response_headers: Headers, body: bytes, started: datetime, role: str,
                        truncated: str | None = None, decoded: bool = True) -> None:
        """A request record and its response record (WARC-Concurrent-To links them), dated `started`, the response
        marked with its role. `body` is the decoded content (the fetcher undoes gzip, br): Content-Encoding and
        Transfer-Encoding are dropped from the stored headers and Content-Length is the stored body's length, so
        the record is a valid HTTP message for any replay tool; the wire's own encoding is not kept.
        `truncated`: the fetch stopped reading the body (WARC 1.1's WARC-Truncated: "length" past the size
        cap, "time" past the time limit), so a replay does not take the part for the page. `decoded=False`: the
        body is the wire's payload, still in its Content-Encoding, which is then kept."""
        from warcio.statusandheaders import StatusAndHeaders

        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}: one of {', '.join(sorted(ROLES))}")
        date = _warc_date(started)
        dropped = WIRE_HEADERS if decoded else WIRE_HEADERS - {"content-encoding"}
        stored = [(name, value) for name, value in _pairs(response_headers) if name.lower() not in dropped]
        stored.append(("Content-Length", str(len(body))))
        sent = _pairs(request_headers)
        parts = urlsplit(url)
        if not any(name.lower() == "host" for name, _ in sent) and parts.netloc:
            sent.insert(0, ("Host", parts.netloc))  # as the HTTP client sent it
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

        def records(writer):
            response = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body),
                http_headers=StatusAndHeaders(f"{status} {reason}".strip(), stored, protocol="HTTP/1.1"),
                warc_headers_dict={"WARC-Type": "response", "WARC-Date": date, ROLE_FIELD: role,
                                   **({"WARC-Truncated": truncated} if truncated else {})})
            request = writer.create_warc_record(
                url, "request", payload=io.BytesIO(b""), length=0,
                http_headers=StatusAndHeaders(f"{method.upper()} {target} HTTP/1.1", sent, is_http_request=True),
                warc_headers_dict={"WARC-Type": "request", "WARC-Date": date,
                                   "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")})
            return [response, request]

        self._write(records)

    def record_item_date(self, url: str, listing_url: str, published: datetime) -> None:
        """A metadata record about the article `url`: the date the feed or sitemap `listing_url` gave it, which a
        replay joins to the article (its page may carry no date, or another)."""
        fields = f"via: {' '.join(listing_url.split())}\r\npublished: {_utc(published).isoformat()}\r\n".encode()

        def records(writer):
            return [writer.create_warc_record(url, "metadata", payload=io.BytesIO(fields), length=len(fields),
                                              warc_content_type="application/warc-fields",
                                              warc_headers_dict={"WARC-Type": "metadata", ROLE_FIELD: ITEM_DATE})]

        self._write(records)

    def _write(self, make_records: Callable) -> None:
        """Records written together into the current file (opened if none), flushed; the file rotated after."""
        with self._lock:
            if self._closed:
                raise ValueError("the archive is closed")
            if self._handle is None:
                self._open()
            for record in make_records(self._writer):
                self._writer.write_record(record)  # warcio flushes the file after each record
            self._handle.flush()
            if self._handle.tell() >= self.max_file_bytes:
                self._close_file()

    def _open(self) -> None:
        """A new file, never an existing one (a restart within the same second takes the next serial)."""
        from warcio.warcwriter import WARCWriter

        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        while True:
            path = self.folder / f"{self.prefix}-{stamp}-{self._serial:05d}.warc.gz"
            self._serial += 1
            try:
                self._handle = path.open("xb")
                break
            except FileExistsError:
                continue
        self.paths.append(path)
        self._writer = WARCWriter(self._handle, gzip=True, warc_version="1.1")
        info = {"software": f"dyad/{__version__}", "format": "WARC File Format 1.1", "conformsTo": WARC_1_1,
                "description": "dyad watch: responses as fetched (bodies decoded), and items' feed dates"}
        self._writer.write_record(self._writer.create_warcinfo_record(path.name, info))

    def _close_file(self) -> None:
        if self._handle is not None:
            self._handle.close()
        self._handle = self._writer = None

    def close(self) -> None:
        """Flushes and closes the current file; later writes raise."""
        with self._lock:
            self._close_file()
            self._closed = True

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_) -> None:
        self.close()


def written_by_dyad(path: Path) -> bool:
    """Whether a WARC file is one `dyad watch` wrote: its first record is a warcinfo naming dyad."""
    from warcio.archiveiterator import ArchiveIterator

    try:
        with path.open("rb") as handle:
            first = next(iter(ArchiveIterator(handle, no_record_parse=True)), None)
            return (first is not None and first.rec_type == "warcinfo"
                    and b"software: dyad/" in first.content_stream().read(4096))
    except Exception:  # warcio raises several types for what is not a WARC file: then it is not ours
        return False


def _report(path: Path, message: str) -> None:
    log.warning("%s: %s", path, message)


def replay(paths: Iterable[Path], on_error: Callable[[Path, str], None] | None = None) -> Iterator[Capture]:
    """The responses and item dates of archives (folders: their *.warc.gz), files in name order (by time),
    records in file order; repeated captures of a URL all pass, the caller chooses. A damaged file (cut short by
    a kill) yields every complete record before the damage, then `on_error(path, message)` (default: a logged
    warning) says what was lost, and the next file is read. A cut inside the last gzip trailer only, the
    record's bytes all there (its Content-Length read whole), reads as complete."""
    files = []
    for path in map(Path, paths):
        files.extend(sorted(path.glob("*.warc.gz")) if path.is_dir() else [path])
    for path in sorted(files, key=lambda p: (p.name, str(p))):
        yield from _replay_file(path, on_error or _report)


def _replay_file(path: Path, report: Callable[[Path, str], None]) -> Iterator[Capture]:
    from warcio.archiveiterator import ArchiveIterator

    try:
        handle = path.open("rb")
    except OSError as error:
        report(path, f"cannot read: {error.strerror or error}")
        return
    end = number = 0
    with handle:
        size = os.fstat(handle.fileno()).st_size
        records = ArchiveIterator(handle, no_record_parse=True)
        try:
            for number, record in enumerate(records, start=1):
                if record.format != "warc":  # warcio reads any text as an ARC record
                    report(path, f"not a WARC file: record {number} reads as {record.format.upper()}")
                    return
                capture, problem = _capture(record)
                offset, length = records.get_record_offset(), records.get_record_length()  # reads to its end
                if record.length is None or record.raw_stream.limit > 0:
                    report(path, f"record {number} cut short: the file ends inside it, at byte {size:,} "
                                 f"(a kill while writing?); the {number - 1} records before it were read")
                    return
                end = offset + length
                if problem:
                    report(path, f"record {number} skipped: {problem}")
                elif capture is not None:
                    yield capture
        except EOFError:
            report(path, f"record {number + 1} cut short: the file ends inside its header, at byte {size:,} "
                         f"(a kill while writing?); the {number} records before it were read")
            return
        except Exception as error:  # warcio raises several types for a damaged archive
            report(path, f"unreadable after record {number}: {warc_error(error)}")
            return
    if end < size:
        plural = "s" if size - end != 1 else ""
        report(path, f"{size - end:,} byte{plural} after record {number} hold no complete record (a kill while "
                     "writing?)")


def _capture(record) -> tuple[Capture | None, str | None]:
    """A record as a Capture (None for requests, warcinfo and others' metadata), or the reason it cannot be."""
    from warcio.timeutils import iso_date_to_datetime

    kind, fields = record.rec_type, record.rec_headers
    role = fields.get_header(ROLE_FIELD)
    if kind not in ("response", "metadata") or (kind == "metadata" and role != ITEM_DATE):
        return None, None
    url = fields.get_header("WARC-Target-URI")
    try:
        date = _utc(iso_date_to_datetime(fields.get_header("WARC-Date") or "", tz_aware=True))
    except (TypeError, ValueError, IndexError):  # warcio's parser raises these for a malformed date
        return None, f"its WARC-Date {fields.get_header('WARC-Date')!r} is not a date"
    if not url:
        return None, "no WARC-Target-URI"
    try:
        if kind == "metadata":
            return _item_date(url, date, record.raw_stream.read()), None
        http = warc_http_headers(record)
        # a body cut at the size cap is not read: it is not the page, and a cut gzip stream does not decode
        body = b"" if fields.get_header("WARC-Truncated") else record.content_stream().read()
        status = int(http.get_statuscode())
    except Exception as error:  # warcio and int() raise several types for damaged headers
        return None, warc_error(error)
    headers: dict[str, str] = {}
    for name, value in http.headers:
        headers[name.lower()] = f"{headers[name.lower()]}, {value}" if name.lower() in headers else value
    return Capture(kind="response", url=url, role=role, date=date, status=status, headers=headers, body=body,
                   truncated=fields.get_header("WARC-Truncated")), None


def _item_date(url: str, date: datetime, block: bytes) -> Capture:
    """An item-date record's fields (application/warc-fields: `name: value` lines)."""
    fields = {}
    for line in block.decode("utf-8", errors="replace").splitlines():
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    published = datetime.fromisoformat(fields["published"]) if fields.get("published") else None
    return Capture(kind="item-date", url=url, date=date, published=published and _utc(published),
                   via=fields.get("via") or None)
