"""The sources page and API: the feeds and sitemaps `dyad watch` follows, how each fares, and the URLs
it failed on, so a watcher's health is visible in the explorer it serves.

Not cached: a poll changes a source's health without committing a batch (the answer cache's key), and
the tables are small.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from dyad.surfaces.server.app import LIST_PAGE_SIZE, PAGE_SIZE, Con, Page, PageParam, PerPage, json_response
from dyad.surfaces.server.queries import dicts, page_window

MAX_SOURCES = 10_000  # sources listed at most: far past any watch list, a bound on the page
ERROR_CHARS = 160  # an error shown in the table is cut here (whole in its tooltip): one or two lines


def add_routes(app: FastAPI, html) -> None:
    @app.get("/api/sources", tags=["sources"],
             summary="The sources dyad watch follows with their health, and one page of the URLs it failed on")
    def api_sources(con: Con, page: Page = 1, per_page: PerPage = PAGE_SIZE):
        return json_response({**sources(con), "failed": failed_pages(con, page, per_page)})

    @app.get("/sources", response_class=HTMLResponse, include_in_schema=False)
    def sources_page(con: Con, page_number: PageParam = 1):
        found = sources(con)
        failed = failed_pages(con, page_number, LIST_PAGE_SIZE)
        pages = max(1, -(-failed["total"] // failed["per_page"]))
        return html("sources.html", nav="sources", found=found, failed=failed, pages=pages, db=app.state.db,
                    page_link=lambda n: "/sources?" + urlencode({"page": n}) + "#failed", web=is_web,
                    when=When(dt.datetime.now(dt.UTC)), every=every, error_chars=ERROR_CHARS)


def is_web(url: str | None) -> bool:
    """Whether a stored URL may be a link: http(s) only (a `javascript:` one stays text)."""
    return bool(url) and urlsplit(url).scheme.lower() in ("http", "https")


class When:
    """A time for a table cell: how long ago or ahead of now, and the time itself in UTC."""

    def __init__(self, now: dt.datetime):
        self.now = now

    @staticmethod
    def exact(value: dt.datetime | None) -> str:
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if value else ""

    def relative(self, value: dt.datetime | None) -> str:
        if value is None:
            return ""
        seconds = (value - self.now).total_seconds()
        span = _span(abs(seconds))
        return "now" if span == "0 s" else f"in {span}" if seconds > 0 else f"{span} ago"


def every(seconds: float | None) -> str:
    return f"every {_span(seconds)}" if seconds else ""


def _span(seconds: float) -> str:
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return f"{int(seconds)} s"


def sources(con, limit: int = MAX_SOURCES) -> dict:
    """The sources `dyad watch` follows with their health, failing ones first, and its pages by status."""
    rows = dicts(con.execute("""
        SELECT url, kind, site, label, language, interval_seconds, added_at, last_poll, next_poll, last_success,
               last_error, last_error_at, coalesce(consecutive_failures, 0) AS consecutive_failures,
               coalesce(items_seen, 0) AS items_seen, coalesce(articles_stored, 0) AS articles_stored,
               CASE WHEN consecutive_failures > 0 THEN 'failing' WHEN last_poll IS NULL THEN 'not polled yet'
                    ELSE 'ok' END AS health
        FROM sources ORDER BY coalesce(consecutive_failures, 0) > 0 DESC, lower(coalesce(label, site, url)), url
        LIMIT ?""", [limit]))
    pages = dict(con.execute("SELECT coalesce(status, 'unknown'), count(*) FROM pages GROUP BY 1 ORDER BY 1"
                             ).fetchall())
    return {"total": con.execute("SELECT count(*) FROM sources").fetchone()[0], "sources": rows,
            "pages_by_status": pages}


def failed_pages(con, page: int = 1, per_page: int = 50) -> dict:
    """One page of the URLs `dyad watch` failed to fetch or read, newest first, with why and when."""
    per_page, offset = page_window(page, per_page)
    total = con.execute("SELECT count(*) FROM pages WHERE status = ?", ["failed"]).fetchone()[0]
    rows = dicts(con.execute("""
        SELECT p.url, p.kind, p.source, coalesce(s.label, s.site) AS source_label, p.http_status, p.reason,
               coalesce(p.fetched_at, p.first_seen) AS failed_at
        FROM pages p LEFT JOIN sources s ON s.url = p.source WHERE p.status = ?
        ORDER BY failed_at DESC NULLS LAST, p.url LIMIT ? OFFSET ?""", ["failed", per_page, offset]))
    return {"total": total, "page": max(1, int(page)), "per_page": per_page, "failed": rows}
