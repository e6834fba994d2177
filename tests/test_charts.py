"""The charts: their geometry (`charts.py`), their questions (aggregates give what the events give), and
their pages and data endpoints, on the explorer's fixture store."""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from collections import Counter

import duckdb
import pytest

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from fastapi.testclient import TestClient

from tests.support.servers import PAYLOADS

from dyad.corpus.queries import QUAD_NAMES, actor_series, dyad_series
from dyad.surfaces.server import chart_queries, charts, create_app
from dyad.surfaces.server.chart_pages import MAX_DYADS, dyads_of
from dyad.surfaces.server.chart_queries import Dyad
from dyad.surfaces.server.queries import EventFilter


@pytest.fixture(scope="module")
def con(explorer_store):
    with duckdb.connect(str(explorer_store), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def client(explorer_store):
    with TestClient(create_app(explorer_store)) as c:
        yield c


def get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.text[:300])
    return response


def point(day: dt.date, counts=(0, 0, 0, 0), articles: int = 10, goldstein: float | None = 1.0) -> dict:
    events = sum(counts)
    return {"period": day, "events": events, "goldstein": goldstein, "articles": articles,
            "per_100_articles": round(100 * events / articles, 3) if articles else None,
            **dict(zip(QUAD_NAMES, counts, strict=True))}


def path_points(d: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"[ML](-?[\d.]+),(-?[\d.]+)", d)]


# the geometry

def test_stacked_bars_stack_to_their_periods_total_about_the_zero_line():
    points = [point(dt.date(2024, 1, 1), (3, 1, 2, 0)), point(dt.date(2024, 2, 1), (0, 0, 1, 5)),
              point(dt.date(2024, 4, 1), (2, 2, 2, 2), goldstein=None)]
    chart = charts.stacked(points, "month")
    assert chart["periods"] == 4 and len(chart["bars"]) == 3  # March drawn on the axis, without a bar
    unit = (chart["plot_h"] / 2) / chart["max"]
    for p, bar in zip(points, chart["bars"], strict=True):
        heights = {s["css"]: s["h"] for s in bar["segments"]}
        assert sum(heights.values()) == pytest.approx(p["events"] * unit, abs=0.05)
        above = [s for s in bar["segments"] if s["css"] in ("q1", "q2")]
        below = [s for s in bar["segments"] if s["css"] in ("q3", "q4")]
        assert all(s["y"] + s["h"] <= chart["zero_y"] + 0.01 for s in above)  # cooperation above the line
        assert all(s["y"] >= chart["zero_y"] - 0.01 for s in below)  # conflict below it
        assert f"{p['period']}: {p['events']} events" in bar["label"]
    assert chart["max"] >= 6  # the tallest side: 0 + 0 cooperation against 1 + 5 conflict
    assert len(path_points(chart["goldstein"])) == 2  # April has no mean Goldstein: the line stops


def test_stacked_per_100_articles_scales_each_period_by_its_articles():
    points = [point(dt.date(2024, 1, 1), (1, 1, 0, 0), articles=4),
              point(dt.date(2024, 1, 8), (1, 0, 0, 0), articles=0),
              point(dt.date(2024, 1, 15), (0, 0, 2, 0), articles=100)]
    chart = charts.stacked(points, "week", normalize=True)
    assert len(chart["bars"]) == 2  # a week without articles has no rate to draw
    unit = (chart["plot_h"] / 2) / chart["max"]
    first, last = chart["bars"]
    assert sum(s["h"] for s in first["segments"]) == pytest.approx(50 * unit, abs=0.05)
    assert sum(s["h"] for s in last["segments"]) == pytest.approx(2 * unit, abs=0.05)
    assert "per 100 articles" in first["label"]


def test_lines_have_one_point_per_period_and_zero_where_a_dyad_has_none():
    jan, feb, apr = dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 4, 1)
    series = [{"label": "TUR → GRC", "points": [point(jan, (2, 0, 0, 0)), point(apr, (0, 0, 4, 0))]},
              {"label": "GRC → TUR", "points": [point(feb, (1, 0, 0, 0), articles=0)]}]
    chart = charts.lines(series, "events", "month")
    assert chart["periods"] == 4
    for s in chart["series"]:
        assert len(path_points(s["path"])) == 4 == s["points"] == len(s["dots"])
    first = path_points(chart["series"][0]["path"])
    assert [y for _, y in first][1:3] == [chart["bottom_y"]] * 2  # February and March: zero
    assert [s["css"] for s in chart["series"]] == ["s1", "s2"] and chart["series"][0]["total"] == 6
    rates = charts.lines(series, "per_100_articles", "month")
    assert len(path_points(rates["series"][1]["path"])) == 3  # February had events but no articles: a gap
    assert chart["y_ticks"][0]["label"] == "0" and float(chart["y_ticks"][-1]["label"]) >= 4


def test_periods_follow_the_calendar_and_a_long_span_shows_its_latest():
    assert charts.next_period(dt.date(2024, 12, 1), "month") == dt.date(2025, 1, 1)
    assert charts.next_period(dt.date(2024, 12, 30), "week") == dt.date(2025, 1, 6)
    assert charts.next_period(dt.date(2024, 1, 1), "year") == dt.date(2025, 1, 1)
    days = charts.calendar([dt.date(2024, 2, 27), dt.date(2024, 3, 2)], "day")
    assert days == [dt.date(2024, 2, 27) + dt.timedelta(n) for n in range(5)]
    start = dt.date(2000, 1, 3)
    axis, hidden = charts.shown([start, start + dt.timedelta(weeks=999)], "week")
    assert len(axis) == charts.MAX_PERIODS and hidden == 1000 - charts.MAX_PERIODS
    assert axis[-1] == start + dt.timedelta(weeks=999)
    chart = charts.stacked([point(start, (1, 0, 0, 0)), point(start + dt.timedelta(weeks=999), (1, 0, 0, 0))],
                           "week")
    assert chart["hidden"] == hidden and len(chart["bars"]) == 1


@pytest.mark.parametrize(("top", "expected"), [(0, [0, 1]), (4, [0, 1, 2, 3, 4]), (7, [0, 2, 4, 6, 8]),
                                               (0.3, [0, 0.1, 0.2, 0.3]), (1234, [0, 500, 1000, 1500])])
def test_nice_ticks_cover_the_top_in_round_steps(top, expected):
    assert charts.nice_ticks(top) == expected


def test_root_bars_one_per_root_longest_for_the_most_coloured_by_quad_class(con):
    rows = chart_queries.root_distribution(con, EventFilter())
    chart = charts.root_bars(rows)
    assert [b["code"] for b in chart["bars"]] == [f"{n:02d}" for n in range(1, 21)]
    most = max(rows, key=lambda r: r["events"])
    assert max(chart["bars"], key=lambda b: b["w"])["code"] == most["root_code"]
    widths = {b["code"]: b["w"] for b in chart["bars"]}
    for r in rows:
        assert widths[r["root_code"]] == pytest.approx(widths[most["root_code"]] * r["events"] / most["events"],
                                                       abs=0.1)
    assert [charts.root_quad(c) for c in ("01", "05", "06", "08", "09", "13", "14", "20")] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert {b["css"] for b in chart["bars"] if b["code"] == "19"} == {"q4"}


def test_network_nodes_are_the_edges_endpoints_on_one_circle():
    edges = [{"source_code": "TUR", "target_code": "GRC", "events": 9, "goldstein": -6.0},
             {"source_code": "GRC", "target_code": "TUR", "events": 4, "goldstein": 2.0},
             {"source_code": "USAELI", "target_code": "USAELI", "events": 3, "goldstein": 0.5},
             {"source_code": "FRA", "target_code": "GRC", "events": 1, "goldstein": 7.0}]
    chart = charts.network(edges)
    codes = [n["code"] for n in chart["nodes"]]
    assert codes == ["FRA", "GRC", "TUR", "USAELI"]  # code order: a country's actors side by side
    assert all(e["source"] in codes and e["target"] in codes for e in chart["edges"])
    centre = chart["size"] / 2
    radii = {round(math.hypot(n["x"] - centre, n["y"] - centre)) for n in chart["nodes"]}
    assert len(radii) == 1  # every node on the circle
    assert [e["css"] for e in chart["edges"]] == ["g-strong-conflict", "g-coop", "g-neutral", "g-strong-coop"]
    widths = [e["width"] for e in chart["edges"]]
    assert widths == sorted(widths, reverse=True)  # wider for more events
    there, back = chart["edges"][0]["d"], chart["edges"][1]["d"]
    assert there != back and " A" in chart["edges"][2]["d"]  # two directions apart; a loop for an actor on itself
    assert charts.network(edges) == chart  # the same edges, the same drawing


# the questions: what the aggregates answer equals the same question over the events

def _events(con, where: str = "TRUE", params=()) -> list[dict]:
    relation = con.execute(f"SELECT * FROM events WHERE {where}", list(params))
    names = [d[0] for d in relation.description]
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


@pytest.mark.parametrize("role", ["either", "source", "target"])
def test_an_actors_series_from_the_aggregates_is_its_events(con, role):
    for actor, country in (("TUR", None), ("GRCGOV", None), (None, "GRC"), (None, "TUR")):
        answer = actor_series(con, actor, "month", role, country=country).dicts()
        sides = ("source", "target") if role == "either" else (role,)

        def involved(e, sides=sides, actor=actor, country=country):
            if actor:
                return any((e[f"{s}_code"] or "").startswith(actor) for s in sides)
            return any(e[f"{s}_country"] == country for s in sides)

        mine = [e for e in _events(con, "date IS NOT NULL") if involved(e)]
        assert mine, (actor, country, role)
        by_month = {}
        for e in mine:
            by_month.setdefault(e["date"].replace(day=1), []).append(e)
        assert [p["period"] for p in answer] == sorted(by_month)
        for p in answer:
            rows = by_month[p["period"]]
            assert p["events"] == len(rows)
            assert [p[name] for name in QUAD_NAMES] == [sum(e["quad_class"] == q for e in rows) for q in range(1, 5)]
            assert p["goldstein"] == pytest.approx(sum(e["goldstein"] for e in rows) / len(rows), abs=0.006)
            assert p["per_100_articles"] == pytest.approx(100 * p["events"] / p["articles"], abs=1e-3)
    with pytest.raises(ValueError, match="role"):
        actor_series(con, "TUR", role="both")
    with pytest.raises(ValueError, match="one of them"):
        actor_series(con, "TUR", country="TUR")


@pytest.mark.parametrize("flt", [EventFilter(), EventFilter(root="11"), EventFilter(since=dt.date(2024, 2, 1)),
                                 EventFilter(quad_class=3), EventFilter(actor="TUR", other_country=True)])
def test_the_root_distribution_counts_the_filters_events(con, flt):
    where, params = flt.where()
    counts = Counter(e["root_code"] for e in _events(con, where, params))
    rows = chart_queries.root_distribution(con, flt)
    assert [r["root_code"] for r in rows] == [f"{n:02d}" for n in range(1, 21)]
    assert {r["root_code"]: r["events"] for r in rows if r["events"]} == dict(counts)
    assert sum(r["share"] for r in rows) == pytest.approx(1.0 if counts else 0.0, abs=1e-3)


@pytest.mark.parametrize("flt", [EventFilter(), EventFilter(actor="TUR"), EventFilter(since=dt.date(2024, 2, 1)),
                                 EventFilter(other_actor=True), EventFilter(root="11"), EventFilter(q="airspace")])
def test_the_network_is_the_filters_top_pairs_by_events(con, flt):
    where, params = flt.where()
    pairs = Counter((e["source_code"], e["target_code"]) for e in _events(con, where, params) if e["target_code"])
    top = sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    edges = chart_queries.network(con, flt, 5)
    assert [((e["source_code"], e["target_code"]), e["events"]) for e in edges] == top
    for e in edges:
        scores = [r["goldstein"] for r in _events(con, where, params)
                  if (r["source_code"], r["target_code"]) == (e["source_code"], e["target_code"])]
        assert e["goldstein"] == pytest.approx(sum(scores) / len(scores), abs=0.006)


def test_timelines_are_each_dyads_series_named(con):
    dyads = [Dyad("TUR", "GRC"), Dyad("GRC", "TUR", both_ways=True)]
    rows = chart_queries.timelines(con, dyads, "week")
    for d in dyads:
        mine = [{k: v for k, v in r.items() if k not in ("dyad", "source", "target", "both_ways")}
                for r in rows if r["dyad"] == d.label]
        assert mine == dyad_series(con, d.source, d.target, "week", d.both_ways).dicts()
    assert {r["dyad"] for r in rows} == {"TUR → GRC", "GRC ↔ TUR"}


def test_dyads_pair_by_position_and_a_half_dyad_is_refused():
    assert dyads_of(["tur", "", "RUS"], ["grc", "", "UKR"], ["false", "false", "true"]) == [
        Dyad("TUR", "GRC", False), Dyad("RUS", "UKR", True)]
    assert dyads_of(["TUR", "GRC"], ["GRC", "TUR"], ["true"]) == [Dyad("TUR", "GRC", True), Dyad("GRC", "TUR", True)]
    assert dyads_of(["TUR", "TUR"], ["GRC", "GRC"], []) == [Dyad("TUR", "GRC")]
    with pytest.raises(ValueError, match="dyad 2"):
        dyads_of(["TUR", "RUS"], ["GRC"], [])
    with pytest.raises(ValueError, match="at most"):
        dyads_of([f"A{n}" for n in range(MAX_DYADS + 1)], ["B"] * (MAX_DYADS + 1), [])


# the pages and their data

def test_the_timeline_draws_several_dyads_with_a_legend(client):
    page = get(client, "/timeline?source=TUR&target=GRC&source=GRC&target=TUR&both_ways=false&both_ways=true").text
    assert page.count('<g class="series') == 2 and 'id="timeline-legend"' in page
    assert "TUR → GRC" in page and "GRC ↔ TUR" in page
    assert 'role="img"' in page and "<title>" in page
    assert "/api/charts/timeline?source=TUR&amp;target=GRC&amp;both_ways=false&amp;source=GRC" in page
    assert page.count('name="source"') == 3  # the two dyads and a blank row to add a third
    single = get(client, "/timeline?source=TUR&target=GRC&period=month").text
    assert single.count('<rect class="bar"') == 3  # one dyad: its bars, as before
    get(client, "/timeline?source=TUR&target=&source=RUS&target=UKR&source=GRC", 422)
    get(client, "/timeline?source=TUR&target=GRC&source=&target=&since=&until=")  # the form's empty fields


def test_the_charts_page_draws_the_filters_roots_and_network(client):
    page = get(client, "/charts?actor=TUR").text
    assert 'id="roots-chart"' in page and page.count('class="bar q') == 20
    assert 'id="network-chart"' in page and 'marker-end="url(#arrow-g-' in page and '<marker id="arrow-' in page
    assert "/events?actor=TUR&amp;root=11" in page  # a bar opens its events, the filter kept
    assert 'id="conflict-link"' in page and "/api/charts/network?actor=TUR&amp;edges=30" in page
    assert "format=csv" in page
    assert get(client, "/charts?edges=2").text.count('class="edge ') == 2
    for url in ("/charts", "/charts/conflict?actor=TUR", "/timeline?source=TUR&target=GRC&source=GRC&target=TUR"):
        text = get(client, url).text
        assert not any(payload in text for payload in PAYLOADS), url


def test_the_conflict_page_stacks_quad_classes_with_goldstein(client):
    page = get(client, "/charts/conflict?actor=TUR").text
    assert 'id="conflict-chart"' in page and 'class="goldstein"' in page and 'id="conflict-legend"' in page
    assert page.count('<g class="period">') == 3 and "actor TUR as source or target" in page
    country = get(client, "/charts/conflict?country=grc&role=target&period=week&normalize=true").text
    assert "country GRC as target" in country and "per 100 articles" in country
    suggestions = get(client, "/charts/conflict").text
    assert "/charts/conflict?actor=" in suggestions


@pytest.mark.parametrize("url", ["/api/charts/roots?root=11", "/api/charts/network?actor=TUR&edges=3",
                                 "/api/charts/conflict?actor=TUR&period=week",
                                 "/api/charts/timeline?source=TUR&target=GRC&source=RUS&target=UKR"])
def test_each_charts_data_is_a_list_of_rows(client, url):
    rows = get(client, url).json()
    assert isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows)


def test_the_chart_data_agrees_with_the_events_api(client):
    total = get(client, "/api/events?actor=TUR").json()["total"]
    assert sum(r["events"] for r in get(client, "/api/charts/roots?actor=TUR").json()) == total
    series = get(client, "/api/dyads/series?source=TUR&target=GRC").json()["points"]
    rows = get(client, "/api/charts/timeline?source=TUR&target=GRC").json()
    assert [r["events"] for r in rows] == [p["events"] for p in series]


@pytest.mark.parametrize("url", [
    "/api/charts/timeline?source=TUR", "/api/charts/timeline?source=TUR&target=GRC&period=fortnight",
    "/api/charts/network?edges=0", "/api/charts/network?edges=100000", "/api/charts/network?quad_class=7",
    "/api/charts/conflict", "/api/charts/conflict?actor=TUR&country=GRC", "/api/charts/conflict?country=G1",
    "/api/charts/conflict?actor=TUR&role=both", "/api/charts/roots?since=yesterday",
    "/charts/conflict?actor=TUR&country=GRC", "/charts?edges=-1", "/timeline?source=TUR"])
def test_bad_chart_requests_are_422(client, url):
    get(client, url, 422)
