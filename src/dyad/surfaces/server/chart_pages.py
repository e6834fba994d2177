"""The charts' pages and their data: several dyads on the timeline, an actor's or a country's conflict and
cooperation over time, and the root codes and dyad network of an event filter.

Each chart's data is a JSON list of rows under /api/charts/ (through the answer cache), the same rows
the page draws; the page links them under the chart. The drawing is computed in `charts.py` and written
out by the templates.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BeforeValidator

from dyad.corpus import queries as common
from dyad.surfaces.server import chart_queries, charts, lists, queries, render
from dyad.surfaces.server.app import TIMELINE_DYADS, Con, Filter, Period
from dyad.surfaces.server.chart_queries import Dyad
from dyad.surfaces.server.reading import ResultCache

MAX_DYADS = 6  # dyads on one timeline at most: the palette's six colours (app.css, s1-s6) stay apart
MAX_CODE = 40  # an actor code prefix's length at most: CAMEO codes are 3-15 letters
SUGGESTED_ACTORS = 8  # actors the conflict page offers when none is asked: set by hand, one line
TRUE = ("true", "on", "1", "yes")

Codes = Annotated[list[str] | None, Query(description="actor code prefixes, one per dyad, paired with `target` by "
                                   "position (repeat the parameter: source=USA&target=RUS&source=CHN&target=TWN)")]
Targets = Annotated[list[str] | None, Query(description="actor code prefixes, one per dyad, paired with `source`")]
BothWays = Annotated[list[str] | None, Query(description="true: count each dyad's events back too; one value per dyad "
                                      "in order, or one for all")]
Edges = Annotated[int, Query(ge=1, le=chart_queries.MAX_NETWORK_EDGES, description="the network's edges")]
Role = Annotated[Literal[common.ROLES], Query(
    description="either: events with the actor on either side; source or target: on that side only")]
Code = Annotated[str, Query(max_length=MAX_CODE)]
# a date field left empty in a form is no date (the chart forms send their empty fields)
Day = Annotated[dt.date | None, BeforeValidator(lambda value: value or None),
                Query(description="YYYY-MM-DD, inclusive")]


def dyads_of(sources: list[str], targets: list[str], both_ways: list[str]) -> list[Dyad]:
    """The dyads of a query string: `source` and `target` paired by position, a pair with both blank left
    out (the form's spare row), one with a side blank refused; `both_ways` by position, or one for all."""
    found = []
    for i, (source, target) in enumerate(itertools.zip_longest(sources, targets, fillvalue="")):
        source, target = source.strip().upper(), target.strip().upper()
        if not source and not target:
            continue
        if not source or not target:
            raise ValueError(f"dyad {i + 1}: give a source and a target (actor code prefixes), not one of them")
        if max(len(source), len(target)) > MAX_CODE:
            raise ValueError(f"dyad {i + 1}: an actor code prefix is {MAX_CODE} characters at most")
        flag = both_ways[0] if len(both_ways) == 1 else both_ways[i] if i < len(both_ways) else ""
        dyad = Dyad(source, target, flag.strip().lower() in TRUE)
        if dyad not in found:
            found.append(dyad)
    if len(found) > MAX_DYADS:
        raise ValueError(f"{MAX_DYADS} dyads on one timeline at most, not {len(found)}")
    return found


def dyad_params(dyads: list[Dyad]) -> list[tuple[str, str]]:
    """The query-string pairs that ask for `dyads` (for links that keep them)."""
    pairs = []
    for d in dyads:
        pairs += [("source", d.source), ("target", d.target), ("both_ways", "true" if d.both_ways else "false")]
    return pairs


def add_routes(app: FastAPI, html, cache: ResultCache) -> None:
    _add_timeline(app, html, cache)
    _add_filter_charts(app, html, cache)
    _add_conflict(app, html, cache)


def _add_timeline(app: FastAPI, html, cache: ResultCache) -> None:
    @app.get("/api/charts/timeline", tags=["charts"],
             summary="Several dyads' events per period (the timeline's data): one row per dyad and period")
    async def api_timeline(request: Request, source: Codes = None, target: Targets = None, both_ways: BothWays = None,
                           period: Period = "month", since: Day = None, until: Day = None):
        try:
            dyads = dyads_of(source or [], target or [], both_ways or [])
        except ValueError as error:
            raise HTTPException(422, str(error)) from None
        return await cache.answer(request, lambda con: chart_queries.timelines(con, dyads, period, since, until))

    @app.get("/timeline", response_class=HTMLResponse, include_in_schema=False)
    def timeline_page(con: Con, source: Codes = None, target: Targets = None, both_ways: BothWays = None,
                      period: Period = "month", normalize: bool = False, since: Day = None, until: Day = None):
        value = "per_100_articles" if normalize else "events"
        context = {"nav": "timeline", "period": period, "normalize": normalize, "since": since, "until": until,
                   "dyads": [], "error": None, "single": None, "chart": None, "series": [], "table": []}
        try:
            dyads = context["dyads"] = dyads_of(source or [], target or [], both_ways or [])
        except ValueError as error:
            rows = [Dyad(s, t, False) for s, t in itertools.zip_longest(source or [], target or [], fillvalue="")]
            return html("timeline.html", **context | {"error": str(error)}, rows=rows[:MAX_DYADS],
                        top=[], data_query="", compare="", status_code=422)
        rows = [*dyads, Dyad("", "", False)][:MAX_DYADS] if dyads else [Dyad("", "", False)] * 2
        if len(dyads) == 1:  # one dyad: its bars and mean-Goldstein line, as before several could be drawn
            d = dyads[0]
            context["single"] = queries.series(con, d.source, d.target, period, both_ways=d.both_ways,
                                               since=since, until=until)
            context["chart"] = render.timeline(context["single"]["points"], value)
        elif dyads:
            rows_by_dyad = chart_queries.timelines(con, dyads, period, since, until)
            series = [{"label": d.label, "points": [r for r in rows_by_dyad if r["dyad"] == d.label]} for d in dyads]
            context["series"], context["chart"] = series, charts.lines(series, value, period)
            context["table"] = _side_by_side(series, value, context["chart"]["first"])
        dates = {k: v.isoformat() for k, v in (("since", since), ("until", until)) if v}
        data_query = urlencode([*dyad_params(dyads), ("period", period), *dates.items()])
        top = common.top_dyads(con, TIMELINE_DYADS).dicts()
        compare = urlencode(dyad_params([Dyad(t["source_code"], t["target_code"]) for t in top[:3]]))
        return html("timeline.html", **context, rows=rows, top=top, data_query=data_query, compare=compare)


def _side_by_side(series: list[dict], value: str, first: dt.date | None) -> list[dict]:
    """The timeline's table: a row per period from `first` (the chart's) with events, mean Goldstein and
    `value` for every dyad."""
    periods = sorted({p["period"] for s in series for p in s["points"] if first and p["period"] >= first})
    by_dyad = [{p["period"]: p for p in s["points"]} for s in series]
    return [{"period": day, "articles": next((b[day]["articles"] for b in by_dyad if day in b), 0),
             "cells": [b.get(day, {"events": 0, "goldstein": None, value: 0}) for b in by_dyad]} for day in periods]


def _add_filter_charts(app: FastAPI, html, cache: ResultCache) -> None:
    @app.get("/api/charts/roots", tags=["charts"],
             summary="The filter's events per CAMEO root code, every root listed (the root-code chart's data)")
    async def api_roots(request: Request, filters: Filter):
        flt = filters.filter()
        return await cache.answer(request, lambda con: chart_queries.root_distribution(con, flt))

    @app.get("/api/charts/network", tags=["charts"],
             summary="The filter's most frequent source-target pairs with mean Goldstein (the network's edges)")
    async def api_network(request: Request, filters: Filter, edges: Edges = chart_queries.NETWORK_EDGES):
        flt = filters.filter()
        return await cache.answer(request, lambda con: chart_queries.network(con, flt, edges))

    @app.get("/charts", response_class=HTMLResponse, include_in_schema=False)
    def charts_page(con: Con, filters: Filter, edges: Edges = chart_queries.NETWORK_EDGES):
        flt = filters.filter()
        params = flt.as_params()
        roots = chart_queries.root_distribution(con, flt)
        links = chart_queries.network(con, flt, edges)
        sides = [k for k in ("actor", "source", "target") if k in params]
        conflict = ({"actor": params[sides[0]], "role": {"actor": "either"}.get(sides[0], sides[0])}
                    if len(sides) == 1 else None)
        return html("charts.html", nav="charts", flt=flt, params=params, menu=queries.root_codes(con),
                    roots=roots, root_chart=charts.root_bars(roots), total=sum(r["events"] for r in roots),
                    network=charts.network(links), edges=edges, max_edges=chart_queries.MAX_NETWORK_EDGES,
                    conflict=conflict,
                    filter_query=urlencode(params), network_query=urlencode({**params, "edges": edges}))


def _add_conflict(app: FastAPI, html, cache: ResultCache) -> None:
    def ask(actor: str, country: str, role: str, period: str, since, until):
        """The arguments of `actor_series` for the form's fields, or a ValueError saying what is wrong."""
        actor, country = actor.strip(), country.strip()
        if actor and country:
            raise ValueError("an actor code prefix or a country, not both")
        if country and (len(country) != 3 or not country.isalpha()):
            raise ValueError(f"country: an ISO alpha-3 code (UKR), not {country[:20]!r}")
        return {"actor": actor or None, "country": country or None, "period": period, "role": role,
                "since": since, "until": until}

    @app.get("/api/charts/conflict", tags=["charts"],
             summary="An actor's or a country's events per period: QuadClass counts, mean Goldstein, per 100 "
             "articles (`dyad query actor`)")
    async def api_conflict(request: Request, actor: Code = "", country: Code = "", role: Role = "either",
                           period: Period = "month", since: Day = None, until: Day = None):
        try:
            asked = ask(actor, country, role, period, since, until)
            if not (asked["actor"] or asked["country"]):
                raise ValueError("an actor code prefix (actor=USA) or a country (country=UKR)")
        except ValueError as error:
            raise HTTPException(422, str(error)) from None
        return await cache.answer(request, lambda con: common.actor_series(con, **asked).dicts())

    @app.get("/charts/conflict", response_class=HTMLResponse, include_in_schema=False)
    def conflict_page(con: Con, actor: Code = "", country: Code = "", role: Role = "either", period: Period = "month",
                      normalize: bool = False, since: Day = None, until: Day = None):
        context = {"nav": "charts", "actor": actor, "country": country, "role": role, "period": period,
                   "normalize": normalize, "since": since, "until": until, "points": None, "chart": None,
                   "error": None, "data_query": "", "roles": common.ROLES}
        try:
            asked = ask(actor, country, role, period, since, until)
        except ValueError as error:
            return html("conflict.html", **context | {"error": str(error)}, suggested=[], status_code=422)
        if asked["actor"] or asked["country"]:
            points = common.actor_series(con, **asked).dicts()
            chart = charts.stacked(points, period, normalize)
            shown = [p for p in points if chart["first"] and p["period"] >= chart["first"]]
            context |= {"points": shown, "chart": chart,
                        "data_query": urlencode({k: v.isoformat() if isinstance(v, dt.date) else v
                                                 for k, v in asked.items() if v})}
        suggested = [] if context["points"] is not None else lists.actors(con, None, 1, SUGGESTED_ACTORS)["actors"]
        return html("conflict.html", **context, suggested=suggested)
