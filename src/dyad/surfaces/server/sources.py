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

from dyad.surfaces.server import queries
from dyad.surfaces.server.app import LIST_PAGE_SIZE, PAGE_SIZE, Con, Page, PageParam, PerPage, json_response

ERROR_CHARS = 160  # an error shown in the table is cut here (whole in its tooltip): one or two lines


def add_routes(app: FastAPI, html) -> None:
    @app.get("/api/sources", tags=["sources"],
             summary="The sources dyad watch follows with their health, and one page of the URLs it failed on")
    def api_sources(con: Con, page: Page = 1, per_page: PerPage = PAGE_SIZE):
        return json_response({**queries.sources(con), "failed": queries.failed_pages(con, page, per_page)})

    @app.get("/sources", response_class=HTMLResponse, include_in_schema=False)
    def sources_page(con: Con, page_number: PageParam = 1):
        found = queries.sources(con)
        failed = queries.failed_pages(con, page_number, LIST_PAGE_SIZE)
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
