"""From fetched pages to stored articles: one decision per response, coded and committed in batches.

The same `Recorder` serves a live poll (`watch.py`) and an archive replay (`replay`), so a WARC archive
re-ingests to the store the watcher wrote. For each article response it decides:
- a fetch that failed: the URL is listed with its reason (`pages.status = 'failed'`), nothing is coded;
- 304, or the same text as stored for this URL: unchanged, nothing is coded;
- the same text as another URL of the same host: a duplicate of that article, not coded again;
- else the page is extracted, cleaned and coded, and replaces what its URL held (an updated article keeps
  one row); a copy on another host is stored and joins its story.
Pages rows and article rows of a batch commit in one transaction, so a kill loses only the batch being
coded, whose URLs are fetched again on restart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

import pyarrow as pa

from dyad.corpus.ingest import code_batch
from dyad.corpus.schema import columns
from dyad.corpus.store import Store
from dyad.live.urls import canonical, host_of
from dyad.records import Article, Result

log = logging.getLogger("dyad.watch")

# Articles coded and committed together: small enough that an article reaches the store (and the API)
# seconds after it is fetched and a kill loses little, large enough that nlp.pipe batches and a commit's
# cost is noise (`ingest.BATCH_SIZE` is 64 for files, where latency does not matter). A setting.
BATCH_SIZE = 16


def content_hash(text: str) -> str:
    """The article's cleaned text, hashed: what "the same page" means (page furniture that changes on
    every load, a clock or a teaser list, is not part of it)."""
    return hashlib.blake2b(" ".join(text.split()).encode("utf-8"), digest_size=16).hexdigest()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PageRow(dict):
    """A `pages` row being written (column -> value)."""


class Recorder:
    """Decides what each article response is and writes it; `flush()` codes and commits what is pending."""

    def __init__(self, store: Store, *, batch_size: int = BATCH_SIZE, timeout: float | None = None,
                 on_commit: Callable[[int], None] | None = None):
        self.store, self.batch_size, self.timeout, self.on_commit = store, batch_size, timeout, on_commit
        self.pending: list[tuple[Article | Result, PageRow]] = []
        self.rows: list[PageRow] = []  # pages rows without an article to code (failed, unchanged, duplicate)
        self.state_writers: list[Callable] = []  # what a source's poll leaves, written with the next commit
        self.counts = {"coded": 0, "skipped": 0, "failed": 0, "unchanged": 0, "duplicate": 0, "events": 0}
        self.stored: dict[str | None, int] = {}  # source -> its articles queued to store (its health's count)
        # URL -> (kind, status, listed date, etag, last_modified) of every page fetched before: what a poll
        # skips, and what a conditional request sends
        self.known: dict[str, tuple] = {}
        # (host, text hash) -> article id of every stored article page: "the same page under another URL"
        self.by_text: dict[tuple[str, str], str] = {}
        self.stored_hash: dict[str, str] = {}  # URL -> text hash of its stored article
        for url, kind, status, listed, etag, modified, article_id, text_hash in store.connection.execute(
                "SELECT url, kind, status, published, etag, last_modified, article_id, content_hash FROM pages"
                ).fetchall():
            self.known[url] = (kind, status, listed, etag, modified)
            if kind == "article" and status == "stored":
                self.stored_hash[url] = text_hash
                self.by_text.setdefault((host_of(url), text_hash), article_id)

    # ------------------------------------------------------------ decisions

    def failed(self, url: str, source: str | None, reason: str, *, status: int | None = None,
               disallowed: bool = False) -> None:
        if url in self.stored_hash:
            return  # a page stored before keeps its article; this attempt's failure is only logged
        self.counts["failed"] += 1
        self._row(url, source, status="disallowed" if disallowed else "failed", reason=reason, http_status=status)

    def unchanged(self, url: str, source: str | None, *, published: dt.datetime | None = None) -> None:
        self.counts["unchanged"] += 1
        self._row(url, source, status="unchanged", published=published, keep=True)

    def page(self, url: str, source: str | None, body: bytes, *, final_url: str | None = None,
             published: dt.datetime | None = None, listed: dt.datetime | None = None, etag: str | None = None,
             last_modified: str | None = None, http_status: int = 200) -> None:
        """An article page fetched in full. `url`: the canonical URL asked for; `final_url`: after redirects;
        `published`: the listing's publication date (the article's date when the page gives none); `listed`:
        the latest date the listing gives it (kept: a later one means the article was updated)."""
        from dyad.article.readers import from_html

        address = canonical(final_url or url)
        item = from_html(body, origin=address, url=address)
        listed = listed or published
        row = PageRow(url=url, source=source, etag=etag, last_modified=last_modified, published=listed,
                      http_status=http_status)
        if isinstance(item, Result):  # nothing an article could be made of: stored as skipped/failed, listed
            row.update(article_id=item.article.id, status=item.status, reason=item.reason)
            self._queue(item, row)
            return
        text_hash = content_hash(item.text)
        row.update(article_id=item.id, content_hash=text_hash)
        if self.stored_hash.get(url) == text_hash:
            self.counts["unchanged"] += 1
            self._row(url, source, status="unchanged", etag=etag, last_modified=last_modified, published=listed,
                      keep=True)
            return
        twin = self.by_text.get((host_of(address), text_hash))
        if twin is not None and twin != item.id:
            self.counts["duplicate"] += 1
            row.update(article_id=twin, status="duplicate", reason=f"the same text as article {twin}")
            self.rows.append(row)
            return
        if item.date is None and published is not None:
            item.date = published.date()  # the feed's date for the item, when the page gives none
        self.by_text[(host_of(address), text_hash)] = item.id
        self.stored_hash[url] = text_hash
        self.stored[source] = self.stored.get(source, 0) + 1
        row.update(status="stored")
        self._queue(item, row)

    def after_commit(self, write: Callable) -> None:
        """`write(connection)` goes into the transaction of the next commit (a source's poll state, written
        only once every article it listed is stored, so a kill never marks a listing as read early)."""
        self.state_writers.append(write)

    # ------------------------------------------------------------ writing

    def _row(self, url: str, source: str | None, *, keep: bool = False, **values) -> None:
        self.rows.append(PageRow(url=url, source=source, keep=keep, **values))

    def _queue(self, item: Article | Result, row: PageRow) -> None:
        self.pending.append((item, row))
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush(self) -> int:
        """Code what is pending and commit it with its pages rows and the poll state; returns the batch
        number committed (0 when there was nothing to write)."""
        if not (self.pending or self.rows or self.state_writers):
            return 0
        items, rows = [item for item, _ in self.pending], [row for _, row in self.pending] + self.rows
        results, parses = code_batch(items, self.timeout) if items else ([], {})
        writers = self.state_writers

        def write_state(con) -> None:
            write_pages(con, rows)
            for write in writers:
                write(con)

        if results:
            events = self.store.add(results, parses, stories=True, also=write_state)
        else:
            events = 0
            with self.store.transaction():
                write_state(self.store.connection)
        for result in results:
            self.counts[result.status] += 1
        self.counts["events"] += events
        self.pending, self.rows, self.state_writers = [], [], []
        batch = self.store.last_batch()
        if self.on_commit is not None:
            self.on_commit(batch)
        return batch


_PAGE_COLUMNS = columns("pages")


def write_pages(con, rows: Iterable[PageRow]) -> None:
    """Upsert pages rows. A `keep` row (unchanged) keeps what the URL's row holds and moves its fetch time."""
    now = utcnow()
    latest: dict[str, PageRow] = {}
    for row in rows:
        latest[row["url"]] = row  # the last word on a URL within one batch
    fresh = [r for r in latest.values() if not r.get("keep")]
    for row in (r for r in latest.values() if r.get("keep")):
        con.execute("UPDATE pages SET fetched_at = ?, etag = coalesce(?, etag), last_modified = coalesce(?, "
                    "last_modified), published = greatest(?, published) WHERE url = ?",
                    [now, row.get("etag"), row.get("last_modified"), row.get("published"), row["url"]])
    if fresh:
        table = {name: [r.get(name) for r in fresh] for name in _PAGE_COLUMNS}
        table["fetched_at"] = [now] * len(fresh)
        table["kind"] = [r.get("kind", "article") for r in fresh]
        table["first_seen"] = [now] * len(fresh)
        con.register("page_rows", pa.table(table))
        # first_seen survives a rewrite of the URL's row
        con.execute("INSERT OR REPLACE INTO pages SELECT n.* REPLACE (coalesce(o.first_seen, n.first_seen) "
                    "AS first_seen) FROM page_rows n LEFT JOIN pages o ON o.url = n.url")
        con.unregister("page_rows")


# ---------------------------------------------------------------- archive replay


def replay(paths: Iterable[Path], db: str | Path, *, batch_size: int = BATCH_SIZE, timeout: float | None = None,
           on_error: Callable[[Path, str], None] | None = None, wait: float = 10.0) -> dict[str, int]:
    """Re-ingest `dyad watch` WARC archives (or any WARC of HTML pages) into `db`: every article response
    in archive order through the same decisions as a live poll, URLs canonicalised, the feed's date of an
    item taken from its metadata record. Duplicate captures of a page are unchanged; a truncated last
    record ends its file (reported through `on_error`)."""
    from dyad.live.archive import replay as captures

    store = Store(db, wait=wait)
    try:
        recorder = Recorder(store, batch_size=batch_size, timeout=timeout)
        published: dict[str, dt.datetime] = {}
        for capture in captures(paths, on_error=on_error):
            url = canonical(capture.url)
            if capture.kind == "item-date":
                if capture.published is not None:
                    published[url] = capture.published
            elif capture.role in ("article", None) and capture.status == 200 and not capture.truncated \
                    and "html" in (capture.headers.get("content-type") or "html").lower():
                recorder.page(url, capture.via, capture.body, published=published.get(url))
        recorder.flush()
    finally:
        store.close()
    return recorder.counts
