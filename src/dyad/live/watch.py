"""dyad watch: poll the sources that are due, fetch what is new politely, code it in batches, repeat.

One thread per host fetches (its sources' listings, then the articles they list, one request at a time
at the host's delay: concurrency only across hosts); the main thread codes and commits (`Recorder`), so
the parser never waits for the network and the network never waits for the parser. A listing's
conditional-request state and its source's health are written with the batch holding its last article,
so after a kill the listing is read again and nothing it listed is lost; what was committed is not
fetched again. SIGTERM/SIGINT finish the batch being coded, flush the archive and stop.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import queue
import signal
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import msgspec

from dyad.corpus.store import Store
from dyad.live import sources as src
from dyad.live.feeds import Link, read_listing
from dyad.live.fetch import Fetched, Fetcher
from dyad.live.recorder import BATCH_SIZE, PageRow, Recorder, log, utcnow, write_pages
from dyad.live.urls import canonical, host_of

# A listing (sitemap index) names at most this many child sitemaps read per poll, newest first as
# listed: a news site's index can name years of monthly archives. A bound, set by hand.
MAX_CHILD_SITEMAPS = 20
# Articles one listing may send to fetch per poll: a first poll of a sitemap of 50,000 URLs is spread over
# polls instead of holding the host for hours. A bound, set by hand.
MAX_ARTICLES_PER_LISTING = 1000


class PollReport(msgspec.Struct):
    """One poll: what was fetched and what came of it (the log line)."""

    number: int
    sources: int = 0
    fetched: int = 0
    not_modified: int = 0
    new: int = 0
    coded: int = 0
    duplicate: int = 0
    failed: int = 0
    events: int = 0
    seconds: float = 0.0
    next_poll: dt.datetime | None = None
    peak_memory_mb: float | None = None  # the process's peak resident memory during the poll (Linux)

    def line(self) -> str:
        when = self.next_poll.astimezone().strftime("%H:%M:%S") if self.next_poll else "none due"
        memory = f", peak memory {self.peak_memory_mb:.0f} MB" if self.peak_memory_mb else ""
        return (f"poll {self.number}: {self.sources} sources, fetched {self.fetched}, not modified "
                f"{self.not_modified}, new {self.new}, coded {self.coded}, duplicates {self.duplicate}, failed "
                f"{self.failed}, events {self.events} in {self.seconds:.1f} s{memory}; next poll {when}")


def _reset_peak_memory() -> None:
    """Linux: start the peak resident memory (VmHWM) afresh, so each poll reports its own peak."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_memory_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class Watcher:
    """Keeps a store current from its sources. `archive`: a `dyad.live.archive.Archive` every response is
    written to (give the fetcher `on_exchange=watcher.archived`, so the fetcher may be set after);
    `on_commit(batch)`: called after each committed batch (the server's cache key)."""

    def __init__(self, store: Store, fetcher: Fetcher | None, *, archive=None, batch_size: int = BATCH_SIZE,
                 timeout: float | None = None, on_commit: Callable[[int], None] | None = None,
                 export_dir: Path | None = None,
                 every: dt.timedelta = dt.timedelta(minutes=15)):
        self.store, self.fetcher, self.archive = store, fetcher, archive
        self.export_dir, self.every = export_dir, every
        self.batch_size, self.timeout, self.on_commit = batch_size, timeout, on_commit
        self.stopping = threading.Event()
        self.role = threading.local()  # what the current thread is fetching, for the archive's records
        self.polls = 0
        self.last_batch = store.last_batch()

    def archived(self, exchange) -> None:
        """The fetcher's `on_exchange`: every response into the archive, with what it was fetched as."""
        if self.archive is not None:
            robots = exchange.url.split("?")[0].endswith("/robots.txt")
            self.archive.record(exchange, "robots" if robots else getattr(self.role, "name", "page"))

    def stop(self, *_args) -> None:
        """Finish the batch being coded, then stop (a signal handler)."""
        self.stopping.set()

    # ------------------------------------------------------------ the loop

    def run(self, *, once: bool = False, after_poll: Callable[[PollReport], None] | None = None) -> None:
        """Poll what is due until stopped (`once`: one poll of every source, then return)."""
        while not self.stopping.is_set():
            now = utcnow()
            due = src.load_sources(self.store.connection) if once else src.due_sources(self.store.connection, now)
            if due:
                report = self.poll(due)
                log.info(report.line())
                if after_poll is not None:
                    after_poll(report)
            self.write_updates()
            if once:
                return
            wake = src.next_wake(self.store.connection)
            pause = 60.0 if wake is None else max(0.0, (wake - utcnow()).total_seconds())
            if self.export_dir is not None:
                pause = min(pause, self.every.total_seconds() - utcnow().timestamp() % self.every.total_seconds())
            self.stopping.wait(min(pause, 60.0))

    def write_updates(self) -> None:
        """GDELT-style update files for every interval that has ended (`--export-dir`): written between
        batches, by the thread that commits them, so no batch of an interval is still being written."""
        if self.export_dir is None:
            return
        from dyad.corpus.updates import due_updates, last_update_end, write_update

        for start, end in due_updates(last_update_end(self.export_dir), utcnow(), self.every):
            files = write_update(self.store.connection, self.export_dir, start, end)
            log.info("update %s: %s", end.strftime("%Y%m%d%H%M%S"), ", ".join(f.name for f in files))

    def poll(self, due: list[src.Source]) -> PollReport:
        """One poll of `due` sources: host threads fetch, this thread codes and commits."""
        self.polls += 1
        _reset_peak_memory()
        started = time.monotonic()
        report = PollReport(number=self.polls, sources=len(due))
        recorder = Recorder(self.store, batch_size=self.batch_size, timeout=self.timeout, on_commit=self._committed)
        known = recorder.known
        inbox: queue.Queue = queue.Queue(maxsize=4 * self.batch_size)
        by_host: dict[str, list[src.Source]] = defaultdict(list)
        for source in due:
            by_host[host_of(source.url)].append(source)
            if source.delay is not None:
                self.fetcher.set_delay(host_of(source.url), source.delay)
        claimed: set[str] = set()
        lock = threading.Lock()
        threads = [threading.Thread(target=self._host_worker, args=(sources, known, claimed, lock, inbox),
                                    name=f"dyad-fetch-{host}", daemon=True) for host, sources in by_host.items()]
        for thread in threads:
            thread.start()
        finished = 0
        while finished < len(threads):
            try:
                message = inbox.get(timeout=0.2)
            except queue.Empty:
                continue
            if message is None:
                finished += 1
            else:
                self._take(message, recorder, report)
        recorder.flush()
        report.coded, report.duplicate = recorder.counts["coded"], recorder.counts["duplicate"]
        report.events = recorder.counts["events"]
        report.failed = recorder.counts["failed"]
        report.seconds = time.monotonic() - started
        report.peak_memory_mb = _peak_memory_mb()
        report.next_poll = src.next_wake(self.store.connection)
        return report

    def _committed(self, batch: int) -> None:
        self.last_batch = batch
        if self.on_commit is not None:
            self.on_commit(batch)

    # ------------------------------------------------------------ the main thread's side

    def _take(self, message: tuple, recorder: Recorder, report: PollReport) -> None:
        kind = message[0]
        if kind == "article":
            _, source, url, link, fetched = message
            self._article(recorder, report, source, url, link, fetched)
        elif kind == "disallowed":
            _, source, url = message
            recorder.failed(url, source.url, "disallowed by robots.txt", disallowed=True)
        elif kind == "source":
            _, source, listing_rows, error, items = message
            recorder.after_commit(self._source_state(source, listing_rows, error, items, recorder))

    def _article(self, recorder: Recorder, report: PollReport, source: src.Source, url: str, link: Link,
                 fetched: Fetched) -> None:
        report.fetched += 1
        if fetched.not_modified:
            report.not_modified += 1
            recorder.unchanged(url, source.url, published=link.latest)
        elif not fetched.ok:
            recorder.failed(url, source.url, fetched.error or f"HTTP {fetched.status}", status=fetched.status)
        else:
            report.new += 1
            recorder.page(url, source.url, fetched.body, final_url=fetched.final_url, published=link.published,
                          listed=link.latest, etag=fetched.headers.get("etag"),
                          last_modified=fetched.headers.get("last-modified"))
        if self.stopping.is_set() and recorder.pending:
            recorder.flush()  # a signal: what was fetched is coded and committed before the workers stop

    def _source_state(self, source: src.Source, listing_rows: list[PageRow], error: str | None, items: int,
                      recorder: Recorder) -> Callable:
        def write(con) -> None:
            # every article the listing sent is queued before this is written, so its count is complete
            write_pages(con, listing_rows)
            src.record_poll(con, source, utcnow(), error=error, items=items, stored=recorder.stored.pop(source.url, 0))
        return write

    # ------------------------------------------------------------ a host thread's side

    def _host_worker(self, sources: list[src.Source], known: dict, claimed: set, lock: threading.Lock,
                     inbox: queue.Queue) -> None:
        try:
            for source in sources:
                if self.stopping.is_set():
                    break
                self._poll_source(source, known, claimed, lock, inbox)
        except Exception as error:  # a bug must not hang the poll: the source is reported failed
            log.exception("fetching %s failed", sources[0].url)
            inbox.put(("source", sources[0], [], f"internal error: {error}", 0))
        finally:
            inbox.put(None)

    def _listing(self, url: str, kind: str, source: src.Source, known: dict) -> tuple[Fetched, PageRow]:
        state = known.get(url)
        self.role.name = kind
        fetched = self.fetcher.fetch(url, etag=state[3] if state else None, last_modified=state[4] if state else None)
        row = PageRow(url=url, kind=kind, source=source.url, http_status=fetched.status,
                      etag=fetched.headers.get("etag"), last_modified=fetched.headers.get("last-modified"),
                      status="unchanged" if fetched.not_modified else "stored" if fetched.ok else "failed",
                      reason=fetched.error, keep=fetched.not_modified)
        return fetched, row

    def _poll_source(self, source: src.Source, known: dict, claimed: set, lock: threading.Lock,
                     inbox: queue.Queue) -> None:
        fetched, row = self._listing(source.url, source.kind, source, known)
        rows, links, error = [row], [], None
        if fetched.ok:
            listing = read_listing(fetched.body, fetched.final_url, fetched.headers.get("content-type"))
            links.extend(listing.links)
            error = listing.error
            for child in listing.sitemaps[:MAX_CHILD_SITEMAPS]:
                child_fetched, child_row = self._listing(canonical(child), "sitemap", source, known)
                rows.append(child_row)
                if child_fetched.ok:
                    child_listing = read_listing(child_fetched.body, child_fetched.final_url,
                                                 child_fetched.headers.get("content-type"))
                    links.extend(child_listing.links)
                    error = error or child_listing.error
                elif not child_fetched.not_modified:
                    error = error or f"{child}: {child_fetched.error}"
        elif not fetched.not_modified:
            error = fetched.error or f"HTTP {fetched.status}"
        sent = 0
        for link in links:
            if self.stopping.is_set():
                return  # no source state: the listing is read again after the restart
            try:
                url = canonical(link.url)
            except ValueError:
                continue
            state = known.get(url)
            if state is not None and not _updated(link, state):
                continue
            with lock:
                if url in claimed:
                    continue
                claimed.add(url)
            if sent >= MAX_ARTICLES_PER_LISTING:
                break
            sent += 1
            if not self.fetcher.allowed(url):
                inbox.put(("disallowed", source, url))
                continue
            if self.archive is not None and link.published is not None:
                self.archive.record_item_date(url, source.url, link.published)
            conditional = state is not None and state[0] == "article"
            self.role.name = "article"
            article = self.fetcher.fetch(url, etag=state[3] if conditional else None,
                                         last_modified=state[4] if conditional else None)
            inbox.put(("article", source, url, link, article))
        inbox.put(("source", source, rows, error, len(links)))


def _updated(link: Link, state: tuple) -> bool:
    """A page fetched before is fetched again (conditionally) only when its listing dates it later than
    the date it was stored with: an updated article. Failures are not retried every poll."""
    listed, stored = link.latest, state[2]
    return state[1] == "stored" and listed is not None and stored is not None and listed > stored


def install_signals(watcher: Watcher) -> None:
    """SIGTERM and SIGINT finish the batch being coded and stop; a second SIGINT stops at once."""
    def first(_signum, _frame):
        watcher.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, first)
    signal.signal(signal.SIGINT, first)


def archive_folder(db: str | Path) -> Path:
    """Where a store's archive goes unless told: beside it, `<store>.warc/`."""
    return Path(str(db) + ".warc")
