"""The explorer and the HTTP API over a dyad store: one ASGI application (FastAPI).

Safe by default: each request reads on a cursor of its own in a read-only transaction (`reading.py`),
of a store opened read-only or of the connection of the process writing it (`dyad watch --serve`); every filter
reaches DuckDB as a bound parameter (`dyad.corpus.queries`, `queries.py`); pages are Jinja2 templates
with autoescaping and a Content-Security-Policy that allows only this server's own script and styles,
so article text (untrusted) is shown as text and nothing in it can run; request bodies over
`max_body` bytes get 413.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import anyio.to_thread
import duckdb
import jinja2
import msgspec
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, model_validator

from dyad.corpus import queries as common
from dyad.corpus.store import Store
from dyad.resources.ontology import cameo_table
from dyad.surfaces.server import coding, docs, errors, geo, lists, queries, render
from dyad.surfaces.server.middleware import MAX_BODY, BodyLimit, SecurityHeaders
from dyad.surfaces.server.reading import BulkReader, ResultCache, read, reading, store_path

HERE = Path(__file__).parent
CACHE_SIZE = 4096  # API answers kept: set by hand; measured with benchmarks/serve.py (--cache-size 0 to compare)
PAGE_SIZE = 50  # API rows per page unless asked: set by hand
LIST_PAGE_SIZE = 100  # rows per explorer list page: set by hand
MAX_PAGE = 100_000  # the last page number accepted: a bound on OFFSET, far past any store served
HOME_DYADS, TIMELINE_DYADS = 15, 10  # the top dyads the home and timeline pages list: set by hand
# Requests reading the store at once per process (worker threads; the rest wait their turn on the event
# loop): enough to keep DuckDB busy, few enough that threads do not queue at the GIL, which each DuckDB
# statement takes between its tasks. Calibrated with benchmarks/serve.py (20 clients, 10^6 events, cache
# off, --workers 2, a 900,000-character text coded meanwhile, quiet 2-core machine): p99 358 ms with 2,
# 257 and 321 ms with 4, 329 with 6, 350 with 8; without the coding, 4 gave 217 ms and 133 requests/s.
READERS = 4
QUAD_CLASSES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}
_encoder = msgspec.json.Encoder()
# the events list's orders as the filter form offers them (the column headers sort too, on wide screens)
SORT_CHOICES = (("date", "newest first"), ("-date", "oldest first"), ("goldstein", "most conflictual"),
                ("-goldstein", "most cooperative"), ("confidence", "most confident"),
                ("-confidence", "least confident"), ("code", "event code"), ("source", "source actor"),
                ("target", "target actor"))


def json_response(data: Any, status_code: int = 200) -> Response:
    return Response(_encoder.encode(data), status_code=status_code, media_type="application/json")


def _templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(QUAD_CLASSES=QUAD_CLASSES, urlencode=urlencode, merge=lambda d, **more: {**d, **more},
                       PLOVER_TYPES=sorted({c.plover_event for c in cameo_table().values() if c.plover_event}),
                       SCOPES=tuple(queries.SCOPES), SORT_CHOICES=SORT_CHOICES)
    return env


class EventQuery(BaseModel):
    """The event filters in a query string (validated in one go); empty form fields count as absent."""

    actor: str | None = Field(None, description="actor code prefix, as source or target (FRA matches FRAGOV)")
    source: str | None = Field(None, description="source actor code prefix")
    target: str | None = Field(None, description="target actor code prefix")
    code: str | None = Field(None, description="CAMEO event code prefix")
    root: str | None = Field(None, description="CAMEO root code (01-20)")
    quad_class: int | None = Field(None, ge=1, le=4)
    since: dt.date | None = Field(None, description="YYYY-MM-DD, inclusive")
    until: dt.date | None = Field(None, description="YYYY-MM-DD, inclusive")
    country: str | None = Field(None, description="ISO alpha-3: either actor's country or the location")
    q: str | None = Field(None, description="text the sentence contains (case-insensitive)")
    article_id: str | None = None
    rule: str | None = None
    plover: str | None = Field(None, description="PLOVER event type (PROTEST, ASSAULT, AGREE...)")
    confidence: float | None = Field(None, ge=0, le=1, description="the coder's confidence at least this")
    scope: Literal["domestic", "international"] | None = Field(
        None, description="domestic: both actors of one country; international: of two different countries")
    other_actor: bool = Field(False, description="leave out events whose source and target are the same code")
    other_country: bool = Field(False, description="leave out events whose source and target share a country")
    place: str | None = Field(None, description="the event's location, by name (a map point)")
    place_country: str | None = Field(None, description="ISO alpha-3 of the event's location")
    sort: str | None = Field(None, description=f"the order: {', '.join(queries.SORTS)}, reversed by a leading "
                             "\"-\" (default: date, newest first)", examples=["-goldstein"])
    after: str | None = Field(None, max_length=200, description="the `next` of a page: the rows after it "
                              "(keyset paging: a deep page costs what the first does; `page` then only labels it)")
    before: str | None = Field(None, max_length=200, description="the `previous` of a page: the rows before it")

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data):
        return {k: v for k, v in data.items() if v != ""} if isinstance(data, dict) else data

    @model_validator(mode="after")
    def _valid_order(self) -> EventQuery:
        """A bad `sort` or token is the caller's 422 here, not a 500 from a worker thread later."""
        order = queries.Sort.parse(self.sort)
        if self.after and self.before:
            raise ValueError("after and before: give one of them")
        if self.after or self.before:
            queries.keyset_condition(order, self.after or self.before, backwards=bool(self.before))
        return self

    def filter(self) -> queries.EventFilter:
        return queries.EventFilter(**self.model_dump(exclude=set(LISTING)))

    def listing(self) -> dict:
        """The order and keyset token asked, as `queries.events` takes them."""
        return {name: getattr(self, name) for name in LISTING}


LISTING = ("sort", "after", "before")  # EventQuery's fields that order and page a list, not filter it


async def cursor(request: Request):
    """This request's cursor of the app's connection, in a read-only transaction (`reading`). Opened and
    closed on the event loop (under a millisecond): a sync dependency would take two more trips to the
    thread pool, each queued for a reader's turn (see `reading.read`)."""
    with reading(request.app.state.connection) as cur:
        yield cur


Con = Annotated[duckdb.DuckDBPyConnection, Depends(cursor)]
Filter = Annotated[EventQuery, Query()]
Page = Annotated[int, Query(ge=1, le=MAX_PAGE)]
PerPage = Annotated[int, Query(ge=1, le=queries.MAX_PAGE_SIZE)]
Limit = Annotated[int, Query(ge=1, le=queries.MAX_PAGE_SIZE)]
Period = Annotated[str, Query(pattern=f"^({'|'.join(common.PERIODS)})$", description="day, week, month or year")]
PageParam = Annotated[int, Query(ge=1, le=MAX_PAGE, alias="page")]  # the HTML pages: `page` names a helper there


def create_app(db: str | Path | None = None, *, connection: duckdb.DuckDBPyConnection | None = None,
               last_batch: Callable[[], int] | None = None, max_body: int = MAX_BODY, cache_size: int = CACHE_SIZE,
               coders: int | coding.CodingPool = coding.CODERS, threads: int | None = None) -> FastAPI:
    """The application over a store: the one at `db`, opened read-only and closed with the app, or the
    open `connection` of the process writing it (`dyad watch --serve`), read on cursors and left open.

    Up to `cache_size` API answers are kept, keyed by the last committed batch: for `db`, read once (no
    process can write the store while it is open here); with `connection`, `last_batch()` says it, cheaply
    and only once the batch has committed (`ResultCache`). A `connection` without `last_batch` is served
    uncached, since nothing would say when an answer goes stale. `threads`: DuckDB's threads for a store
    opened here (default: one per core), fewer when several server processes share the cores. `coders`:
    how many processes code posted text (started on the first code request), or the `coding.CodingPool`.
    """
    if (db is None) == (connection is None):
        raise TypeError("create_app takes a store path (db) or an open connection, one of them")
    owned = connection is None
    if owned:
        store = Store(db, read_only=True)  # a store of another schema version is refused here
        connection, batch = store.connection, store.last_batch()
        if threads:
            connection.execute(f"SET threads = {int(threads)}")
        last_batch = lambda: batch  # noqa: E731 (the store cannot change while it is open here)
    cache = ResultCache(cache_size, last_batch)
    pool = coders if isinstance(coders, coding.CodingPool) else coding.CodingPool(coders)
    templates = _templates()

    @asynccontextmanager
    async def lifespan(app):  # noqa: ARG001 (FastAPI's lifespan signature)
        threading.Thread(target=geo.countries, daemon=True).start()  # warm the map's outlines
        anyio.to_thread.current_default_thread_limiter().total_tokens = READERS
        yield
        pool.close()
        if owned:
            connection.close()

    app = FastAPI(title="dyad", summary="Political events coded from news: the store, as an API.",
                  docs_url=None, redoc_url=None, lifespan=lifespan)  # FastAPI's docs load from CDNs: docs.py
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, max_bytes=max_body)

    app.state.connection = connection
    app.state.coding = pool
    app.state.bulk = BulkReader(connection, str(db) if owned else None)  # downloads (downloads.py)
    app.state.db = store_path(connection)  # names the store in the commands pages suggest

    def html(template: str, status_code: int = 200, **context) -> HTMLResponse:
        return HTMLResponse(templates.get_template(template).render(**context), status_code=status_code)

    errors.add_handlers(app, html)

    _add_api(app, cache)
    _add_questions(app, cache)
    _add_pages(app, html)
    _add_lists(app, html)
    coding.add_routes(app, html, pool)
    docs.add_routes(app, html)
    from dyad.surfaces.server import chart_pages, downloads, sources  # here: their routes use this module's parameters

    sources.add_routes(app, html)
    chart_pages.add_routes(app, html, cache)
    downloads.add_routes(app)
    return app


def _add_api(app: FastAPI, cache: ResultCache) -> None:
    """The JSON API over events, articles, actors, quotes, places and stories."""

    @app.get("/api/events", tags=["events"], summary="Events matching the filters, one page, newest first or in "
             "`sort`'s order, with the keyset tokens of the pages either side")
    async def api_events(request: Request, filters: Filter, page: Page = 1, per_page: PerPage = PAGE_SIZE):
        flt, listing = filters.filter(), filters.listing()
        return await cache.answer(request, lambda con: queries.events(con, flt, page, per_page, **listing))

    @app.get("/api/events/{event_id}", tags=["events"], summary="One event with its full record")
    async def api_event(request: Request, event_id: str):
        found = await read(request, lambda con: queries.event(con, event_id))
        if found is None:
            raise HTTPException(404, "no such event")
        return json_response(found)

    @app.get("/api/articles/{article_id}", tags=["articles"],
             summary="An article's cleaned text with its sentences, actors, quotes, places and events")
    async def api_article(request: Request, article_id: str):
        found = await read(request, lambda con: queries.article(con, article_id))
        if found is None:
            raise HTTPException(404, "no such article")
        return json_response(found)

    @app.get("/api/actors", tags=["actors"], summary="Actor codes by mentions")
    async def api_actors(request: Request, q: str | None = None, page: Page = 1, per_page: PerPage = PAGE_SIZE):
        return await cache.answer(request, lambda con: lists.actors(con, q, page, per_page))

    @app.get("/api/quotes", tags=["quotes"], summary="Quotations, by speaker or text")
    async def api_quotes(request: Request, speaker: str | None = None, q: str | None = None,
                         article_id: str | None = None, page: Page = 1, per_page: PerPage = PAGE_SIZE):
        return await cache.answer(request, lambda con: lists.quotes(con, speaker, q, article_id, page, per_page))

    @app.get("/api/places", tags=["places"], summary="Resolved places by mentions")
    async def api_places(request: Request, country: str | None = None, page: Page = 1, per_page: PerPage = PAGE_SIZE):
        return await cache.answer(request, lambda con: lists.places(con, country, page, per_page))

    @app.get("/api/stories", tags=["stories"], summary="Stories (near-duplicate articles grouped)")
    async def api_stories(request: Request, page: Page = 1, per_page: PerPage = PAGE_SIZE):
        return await cache.answer(request, lambda con: lists.stories(con, page, per_page))

    @app.get("/api/locations", tags=["events"], summary="Event locations with counts (the map's points)")
    async def api_locations(request: Request, filters: Filter):
        flt = filters.filter()
        return await cache.answer(request, lambda con: queries.locations(con, flt))


def _add_questions(app: FastAPI, cache: ResultCache) -> None:
    """The common questions: the rows of `dyad query ... --format json`, from the same functions."""

    @app.get("/api/dyads", tags=["questions"], summary="The most frequent source-target pairs (`dyad query top-dyads`)")
    async def api_dyads(request: Request, limit: Limit = common.LIMIT):
        return await cache.answer(request, lambda con: common.top_dyads(con, limit).dicts())

    @app.get("/api/dyads/series", tags=["questions"],
             summary="A dyad's events per period: counts, mean Goldstein, QuadClasses, per 100 articles "
             "(`dyad query dyad`)")
    async def api_series(request: Request, source: str, target: str, period: Period = "month", both_ways: bool = False,
                         since: dt.date | None = None, until: dt.date | None = None):
        return await cache.answer(request, lambda con: queries.series(
            con, source, target, period, both_ways=both_ways, since=since, until=until))

    @app.get("/api/roots", tags=["questions"], summary="Events per CAMEO root code per period (`dyad query roots`)")
    async def api_roots(request: Request, period: Period = "month"):
        return await cache.answer(request, lambda con: common.root_counts(con, period).dicts())

    @app.get("/api/partners", tags=["questions"],
             summary="The actors an actor deals with most, either way (`dyad query partners`)")
    async def api_partners(request: Request, actor: str, limit: Limit = common.LIMIT):
        return await cache.answer(request, lambda con: common.partners(con, actor, limit).dicts())

    @app.get("/api/volume", tags=["questions"],
             summary="Articles per period and news source (`dyad query volume`)")
    async def api_volume(request: Request, period: Period = "month"):
        return await cache.answer(request, lambda con: common.volume(con, period).dicts())


def _add_pages(app: FastAPI, html) -> None:
    """The explorer's pages over the store: home, events, an article, a rule, the map (the timeline and
    the other charts: `chart_pages`)."""

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(con: Con):
        return html("home.html", nav="home", overview=queries.overview(con),
                    dyads=common.top_dyads(con, HOME_DYADS).dicts())

    @app.get("/events", response_class=HTMLResponse, include_in_schema=False)
    def events_page(con: Con, filters: Filter, page_number: PageParam = 1, per_page: PerPage = PAGE_SIZE):
        flt, listing = filters.filter(), filters.listing()
        found = queries.events(con, flt, page_number, per_page, **listing)
        pages = max(1, -(-found["total"] // found["per_page"]))
        params = flt.as_params()
        kept = {**params, **({"sort": found["sort"]} if listing["sort"] else {}),
                **({"per_page": per_page} if per_page != PAGE_SIZE else {})}

        def link(**more) -> str:
            return "/events?" + urlencode({**kept, **more})
        paging = {"first": link() if found["page"] > 1 or listing["after"] or listing["before"] else None,
                  "previous": link(before=found["previous"], page=max(1, found["page"] - 1))
                  if found["previous"] else None,
                  "next": link(after=found["next"], page=found["page"] + 1) if found["next"] else None}
        return html("events.html", nav="events", found=found, flt=flt, pages=pages, paging=paging,
                    sorting=_sort_links(found["sort"], {**params, **({"per_page": per_page} if per_page != PAGE_SIZE
                                                                      else {})}),
                    roots=queries.root_codes(con), params=params)

    @app.get("/events/{event_id}", include_in_schema=False)
    def event_page(con: Con, event_id: str):
        found = queries.event(con, event_id)
        if found is None:
            raise HTTPException(404, "no such event")
        return RedirectResponse(f"/articles/{found['article_id']}?" + urlencode({"event": event_id})
                                + f"#s{found['sentence_index']}", status_code=303)

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(con: Con, article_id: str, event: str | None = None):
        found = queries.article(con, article_id)
        if found is None:
            raise HTTPException(404, "no such article")
        selected = queries.event(con, event) if event else None
        if selected and selected["article_id"] != article_id:
            selected = None
        return html("article.html", nav="events", view=found, segments=render.segments(found, event),
                    selected=selected, stored=True)

    @app.get("/rule", response_class=HTMLResponse, include_in_schema=False)
    def rule_page(con: Con, name: str, page_number: PageParam = 1):
        flt = queries.EventFilter(rule=name)
        return html("rule.html", nav="events", name=name, source=render.rule_source(name),
                    found=queries.events(con, flt, page_number, PAGE_SIZE))

    @app.get("/map", response_class=HTMLResponse, include_in_schema=False)
    def map_page(con: Con, filters: Filter, shade: bool = False):
        flt = filters.filter()
        points = render.map_points(queries.locations(con, flt))
        shades, shade_key = render.country_shades(queries.country_counts(con, flt)) if shade else ({}, [])
        return html("map.html", nav="map", countries=geo.countries(), points=points, flt=flt,
                    params=flt.as_params(), width=geo.WIDTH, height=geo.HEIGHT, roots=queries.root_codes(con),
                    shade=shade, shades=shades, shade_key=shade_key, sizes=render.size_legend(points))


def _add_lists(app: FastAPI, html) -> None:
    """The explorer's lists: actors, quotes, places, stories."""

    @app.get("/actors", response_class=HTMLResponse, include_in_schema=False)
    def actors_page(con: Con, q: str = "", page_number: PageParam = 1):
        return html("list.html", nav="actors", title="Actors", kind="actors", q=q,
                    found=lists.actors(con, q or None, page_number, LIST_PAGE_SIZE))

    @app.get("/quotes", response_class=HTMLResponse, include_in_schema=False)
    def quotes_page(con: Con, q: str = "", page_number: PageParam = 1):
        return html("list.html", nav="quotes", title="Quotes", kind="quotes", q=q,
                    found=lists.quotes(con, q=q or None, page=page_number, per_page=LIST_PAGE_SIZE))

    @app.get("/places", response_class=HTMLResponse, include_in_schema=False)
    def places_page(con: Con, q: str = "", page_number: PageParam = 1):
        return html("list.html", nav="places", title="Places", kind="places", q=q,
                    found=lists.places(con, q or None, page_number, LIST_PAGE_SIZE))

    @app.get("/stories", response_class=HTMLResponse, include_in_schema=False)
    def stories_page(con: Con, page_number: PageParam = 1):
        return html("list.html", nav="stories", title="Stories", kind="stories", q="",
                    found=lists.stories(con, page_number, LIST_PAGE_SIZE))


def _sort_links(current: str, params: dict) -> dict[str, dict]:
    """Each sortable column's header link: its order, or the reverse when the list is already in it."""
    out = {}
    for name in queries.SORTS:
        active = current.lstrip("-") == name
        target = ("" if current.startswith("-") else "-") + name if active else name
        out[name] = {"href": "/events?" + urlencode({**params, "sort": target}),
                     "state": ("descending" if queries.Sort.parse(current).descending else "ascending") if active
                     else None}
    return out


def serve(db: str | Path, host: str = "127.0.0.1", port: int = 8000, *, cache_size: int = CACHE_SIZE,
          workers: int = 1, coders: int = coding.CODERS, **uvicorn_options) -> None:
    """Run the application with uvicorn (blocking). `workers` > 1: as many processes, each with the store
    open read-only (DuckDB allows many readers) and its own interpreter, so requests no longer take turns
    at one process's GIL (a single process used 1.1-1.6 of 2 cores under benchmarks/serve.py's load), and
    the cores shared out between them: DuckDB runs each statement on one thread of its process (2 workers
    of 1 thread: p99 358 ms against 446 ms with 2 threads each, benchmarks/serve.py, quiet 2-core machine).
    `coders`: the coding processes of each server process (`coding.CodingPool`)."""
    import os

    import uvicorn

    if workers <= 1:
        uvicorn.run(create_app(db, cache_size=cache_size, coders=coders), host=host, port=port, **uvicorn_options)
        return
    Store(db, read_only=True).close()  # a store that cannot be served says so here, not in every worker
    os.environ[_WORKER_STORE], os.environ[_WORKER_CACHE] = str(Path(db).resolve()), str(cache_size)
    os.environ[_WORKER_THREADS] = str(max(1, (os.cpu_count() or 1) // workers))
    os.environ[_WORKER_CODERS] = str(coders)
    uvicorn.run(f"{__name__}:worker_app", factory=True, workers=workers, host=host, port=port, **uvicorn_options)


_WORKER_STORE, _WORKER_CACHE, _WORKER_THREADS = "DYAD_SERVE_STORE", "DYAD_SERVE_CACHE_SIZE", "DYAD_SERVE_THREADS"
_WORKER_CODERS = "DYAD_SERVE_CODERS"


def worker_app() -> FastAPI:
    """The application of one `serve(..., workers=N)` process (uvicorn's factory; the store from the environment)."""
    import os

    return create_app(os.environ[_WORKER_STORE], cache_size=int(os.environ[_WORKER_CACHE]),
                      threads=int(os.environ[_WORKER_THREADS]), coders=int(os.environ[_WORKER_CODERS]))
