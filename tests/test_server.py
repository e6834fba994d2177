"""`dyad serve`: the JSON API and the server-rendered pages, through FastAPI's TestClient (no browser)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import duckdb
import pytest

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from fastapi.testclient import TestClient

from tests.support.servers import PAYLOADS

from dyad.surfaces.server import create_app, queries, render


@pytest.fixture(scope="module")
def client(explorer_store):
    with TestClient(create_app(explorer_store, max_body=200_000)) as c:
        yield c


def get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.text[:300])
    return response


def test_events_filter_to_a_dyad(client):
    body = get(client, "/api/events?source=TUR&target=GRC").json()
    assert body["total"] >= 3
    assert all(e["source_code"].startswith("TUR") and e["target_code"].startswith("GRC") for e in body["events"])
    assert {e["article_id"] for e in body["events"]} >= {"srv-talks-1", "srv-talks-2", "srv-xss-1"}


@pytest.mark.parametrize(("query", "check"), [
    ("actor=MLI", lambda e: e["source_code"].startswith("MLI") or (e["target_code"] or "").startswith("MLI")),
    ("code=04", lambda e: e["code"].startswith("04")),
    ("root=2", lambda e: e["root_code"] == "02"),
    ("quad_class=4", lambda e: e["quad_class"] == 4),
    ("since=2024-02-01&until=2024-02-29", lambda e: "2024-02-01" <= e["date"] <= "2024-02-29"),
    ("country=KEN", lambda e: "KEN" in (e["source_country"], e["target_country"], e["location_country"])),
    ("q=airspace", lambda e: "airspace" in e["sentence"].lower()),
])
def test_event_filters(client, query, check):
    body = get(client, f"/api/events?{query}").json()
    assert body["total"] > 0, query
    assert all(check(e) for e in body["events"]), query


def test_filters_are_data_not_sql(client):
    assert get(client, "/api/events?source=' OR 1=1 --").json()["total"] == 0
    assert get(client, "/api/events?q=%25").json()["total"] == 0  # a literal %, not a wildcard
    assert get(client, "/api/events?q=Greece accused").json()["total"] > 0
    assert get(client, "/api/events?q=Greece_accused").json()["total"] == 0  # a literal _, not a wildcard
    get(client, "/api/events?quad_class=9", 422)
    get(client, "/api/events?since=yesterday", 422)
    get(client, "/api/events?per_page=100000", 422)


def test_pagination(client):
    everything = get(client, "/api/events?per_page=200").json()
    pages = [get(client, f"/api/events?per_page=5&page={n}").json() for n in (1, 2, 3, 4, 5, 6)]
    assert all(p["total"] == everything["total"] for p in pages)
    ids = [e["event_id"] for p in pages for e in p["events"]]
    assert ids == [e["event_id"] for e in everything["events"]][:len(ids)]
    assert len(ids) == len(set(ids)) == min(30, everything["total"])


def test_one_event_and_its_article(client):
    first = get(client, "/api/events?source=TUR&target=GRC&per_page=1").json()["events"][0]
    event = get(client, f"/api/events/{first['event_id']}").json()
    assert event["record"]["provenance"]["rule"] == event["rule"]
    assert event["code_name"]
    get(client, "/api/events/nope", 404)
    article = get(client, f"/api/articles/{first['article_id']}").json()
    assert article["text"] and article["sentences"] and article["actors"] and article["events"]
    sentence = article["sentences"][first["sentence_index"]]
    assert article["text"][sentence["start_char"]:sentence["end_char"]].strip() == first["sentence"].strip()
    get(client, "/api/articles/nope", 404)


def test_dyad_series(client):
    body = get(client, "/api/dyads/series?source=TUR&target=GRC&period=month").json()
    points = body["points"]
    assert [p["period"] for p in points] == sorted(p["period"] for p in points)
    assert sum(p["events"] for p in points) == get(client, "/api/events?source=TUR&target=GRC").json()["total"]
    for p in points:
        assert -10 <= p["goldstein"] <= 10 and p["articles"] >= 1
        assert p["per_100_articles"] == pytest.approx(100 * p["events"] / p["articles"], abs=1e-3)
        assert p["events"] == p["verbal_coop"] + p["material_coop"] + p["verbal_conflict"] + p["material_conflict"]
    both = get(client, "/api/dyads/series?source=TUR&target=GRC&period=week&both_ways=true").json()
    assert sum(p["events"] for p in both["points"]) > sum(p["events"] for p in points)
    since = get(client, f"/api/dyads/series?source=TUR&target=GRC&since={points[-1]['period']}").json()
    assert since["points"] == points[-1:]
    get(client, "/api/dyads/series?source=TUR&target=GRC&period=fortnight", 422)


def test_actors_quotes_places_stories(client):
    actors = get(client, "/api/actors?q=GRC").json()
    assert actors["actors"] and all("GRC" in a["code"] or "gre" in a["example"].lower() for a in actors["actors"])
    quotes = get(client, "/api/quotes?speaker=Mitsotakis").json()
    assert quotes["total"] >= 1
    assert all("Mitsotakis" in (q["speaker_name"] or q["speaker"] or "") for q in quotes["quotes"])
    places = get(client, "/api/places?country=GRC").json()
    assert places["places"] and all(p["country_iso3"] == "GRC" for p in places["places"])
    stories = get(client, "/api/stories").json()
    assert stories["total"] >= 1 and stories["stories"][0]["articles"] >= 1
    assert get(client, "/api/dyads?limit=3").json()[0]["events"] >= 1
    assert get(client, "/api/locations?country=MLI").json()[0]["location_name"]


def test_code_posted_text(client):
    text = ("ATHENS - Greece accused Turkey of violating its airspace on Monday.\n\n"
            "Turkish officials rejected the accusation.")
    result = client.post("/api/code", json={"text": text, "date": "2024-05-14"}).json()
    assert result["status"] == "coded"
    assert any(e["source"]["code"].startswith("GRC") and e["code"].startswith("11") for e in result["events"])
    assert client.post("/api/code", json={"text": ""}).status_code == 422
    assert client.post("/api/code", json={"text": text, "date": "soon"}).status_code == 422


def test_request_body_limit(client):
    big = json.dumps({"text": "x" * 300_000})
    response = client.post("/api/code", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413

    def chunks():  # no Content-Length: the limit counts what arrives
        for _ in range(30):
            yield b"x" * 10_000

    response = client.post("/api/code", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    response = client.post("/code", content=b"text=" + b"a" * 300_000,
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


def test_openapi_schema(client):
    schema = get(client, "/openapi.json").json()
    for path in ("/api/events", "/api/events/{event_id}", "/api/dyads", "/api/dyads/series", "/api/roots",
                 "/api/partners", "/api/volume", "/api/actors", "/api/quotes", "/api/places", "/api/stories",
                 "/api/code", "/api/articles/{article_id}"):
        assert path in schema["paths"], path
    names = {p["name"] for p in schema["paths"]["/api/events"]["get"]["parameters"]}
    assert names >= {"actor", "source", "target", "code", "root", "quad_class", "since", "until", "country", "q",
                     "page", "per_page"}
    assert "/events" not in schema["paths"]  # pages are not API
    assert "/docs" not in schema["paths"]  # the docs page (test_docs_and_errors.py) is not API either


@pytest.mark.parametrize("url", ["/", "/events", "/events?source=TUR&target=GRC", "/timeline",
                                 "/timeline?source=TUR&target=GRC&period=month&normalize=true", "/map",
                                 "/map?root=19", "/code", "/actors", "/quotes", "/places", "/stories",
                                 "/rule?name=dyad:events/verbs.tsv:65", "/articles/srv-talks-1"])
def test_pages_render(client, url):
    response = get(client, url)
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "http://" not in response.text.replace("http://127.0.0.1", "").split("<main>")[0]  # nothing external


def test_event_page_highlights_its_sentence(client):
    first = get(client, "/api/events?source=TUR&target=GRC&per_page=1").json()["events"][0]
    response = client.get(f"/events/{first['event_id']}", follow_redirects=False)
    assert response.status_code == 303
    page = get(client, response.headers["location"]).text
    assert 'id="selected-event"' in page and 'class="hl' in page and 'class="verb' in page
    assert f'id="s{first["sentence_index"]}"' in page
    assert "/rule?name=dyad%3Aevents" in page


def test_rule_page_shows_the_knowledge_line(client):
    rule = get(client, "/api/events?per_page=1&source=TUR&target=GRC").json()["events"][0]["rule"]
    page = get(client, "/rule?name=" + rule).text
    line = int(rule.rsplit(":", 1)[1])
    assert f"Line {line} of" in page
    assert render.rule_source("dyad:../../../etc/passwd:1") is None
    assert render.rule_source("dyad:events/verbs.tsv:999999") is None


def test_timeline_and_map_are_svg(client):
    page = get(client, "/timeline?source=TUR&target=GRC&period=month").text
    assert page.count('<rect class="bar"') == 3 and "<polyline" in page
    page = get(client, "/map").text
    assert page.count('class="country"') > 150 and 'class="point"' in page


@pytest.mark.parametrize("url", ["/articles/srv-xss-1", "/events", "/events?q=naval", "/quotes", "/stories",
                                 "/rule?name=dyad:events/verbs.tsv:65", "/map"])
def test_article_text_is_escaped(client, url):
    page = get(client, url).text
    for payload in PAYLOADS:
        assert payload not in page, (url, payload)
    if url.startswith("/articles"):
        assert "&lt;script&gt;window.__xss" in page and "&lt;img src=x onerror=" in page


def test_pasted_payload_is_escaped(client):
    text = "Turkey warned Greece on Saturday <script>window.__xss = 1</script> over <img src=x onerror=alert(1)>."
    response = client.post("/code", data={"text": text, "date": "2024-05-14"})
    assert response.status_code == 200
    assert "<script>window.__xss" not in response.text and "<img src=x" not in response.text
    assert "&lt;script&gt;window.__xss" in response.text


def test_store_is_read_only(client, explorer_store):
    con = client.app.state.connection.cursor()
    with pytest.raises(duckdb.Error):
        con.execute("DELETE FROM events")
    con.close()


def test_segments_cover_the_text_exactly():
    view = {"text": "Greece accused Turkey. Athens said so.",
            "sentences": [{"sentence_index": 0, "start_char": 0, "end_char": 23},
                          {"sentence_index": 1, "start_char": 23, "end_char": 38}],
            "actors": [{"start_char": 0, "end_char": 6, "code": "GRC"}, {"start_char": 15, "end_char": 21,
                                                                         "code": "TUR"}],
            "quotes": [], "places": [{"start_char": 23, "end_char": 29, "name": "Athens", "country_iso3": "GRC"}],
            "events": [{"event_id": "e1", "sentence_index": 0, "code": "112", "source_code": "GRC",
                        "target_code": "TUR", "spans": {"verb": [1, 2]}}]}
    pieces = render.segments(view, "e1")
    assert "".join(p["text"] for p in pieces) == view["text"]
    verb = [p for p in pieces if "verb" in p["classes"]]
    assert [p["text"] for p in verb] == ["accused"] and "hl" in verb[0]["classes"]
    assert [p["anchor"] for p in pieces if p["anchor"] is not None] == [0, 1]


def test_filter_sql_is_parameterised():
    where, params = queries.EventFilter(actor="x'; DROP TABLE events; --", q="50%").where()
    assert "DROP" not in where and "50" not in where
    assert params[-1] == "%50\\%%"


def test_serve_command_defaults_to_loopback():
    from click.testing import CliRunner

    from dyad.surfaces.cli import main

    output = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "127.0.0.1" in output and "--port" in output


def test_serve_with_two_worker_processes_answers_from_both(explorer_store):
    """`dyad serve --workers 2`: two worker processes, each reading the store, answer on one port."""
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "dyad.surfaces.cli", "serve", "--db", str(explorer_store),
                               "--port", str(port), "--workers", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def workers() -> int:  # the server's child processes that have the store open
        count = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == server.pid and any(
                        str(explorer_store) in str(fd.readlink()) for fd in (stat.parent / "fd").iterdir()):
                    count += 1
            except (OSError, ValueError, IndexError):
                continue
        return count

    try:
        answered, deadline = 0, time.monotonic() + 60
        while answered < 20 and time.monotonic() < deadline:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/api/events?source=TUR", timeout=5).json()["total"] >= 3
                answered += 1
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read().decode()
                time.sleep(0.2)
        assert answered == 20 and workers() == 2
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_an_articles_warnings_show_escaped_on_its_page_and_in_its_json(tmp_path):
    from dyad.corpus.store import Store
    from dyad.records import Article, Result

    db = tmp_path / "warned.duckdb"
    store = Store(db)
    warning = "text repaired: <b>2</b> invalid UTF-8 byte sequence(s)"
    store.add([Result(article=Article(id="warned", text="Police arrested protesters."), warnings=[warning]),
               Result(article=Article(id="quiet", text="Police arrested protesters again."))])
    store.close()
    with TestClient(create_app(db)) as c:
        assert get(c, "/api/articles/warned").json()["warnings"] == [warning]
        assert get(c, "/api/articles/quiet").json()["warnings"] == []
        page = get(c, "/articles/warned").text
        assert 'id="article-warnings"' in page and "<b>2</b>" not in page
        assert "text repaired: &lt;b&gt;2&lt;/b&gt; invalid UTF-8" in page
        assert 'id="article-warnings"' not in get(c, "/articles/quiet").text


def test_the_code_form_and_api_show_a_pasted_texts_warnings(client):
    text = "Turkey warned Greece over the islands."
    page = client.post("/code", data={"text": text})
    assert page.status_code == 200 and 'id="article-warnings"' in page.text and "no publication date" in page.text
    assert client.post("/api/code", json={"text": text}).json()["warnings"] == [
        "no publication date: event dates are unresolved"]
    dated = client.post("/code", data={"text": text, "date": "2024-05-14"})
    assert 'id="article-warnings"' not in dated.text


def test_events_page_sorts_by_a_column_and_pages_by_keyset(client):
    import html
    import re

    page = get(client, "/events?sort=-goldstein&per_page=5").text
    assert re.search(r'aria-sort="descending"><a class="sort" href="/events\?per_page=5&amp;sort=goldstein"',
                     page)  # a click on the sorted column reverses it
    shown = re.findall(r'<tr data-event="([^"]+)"', page)
    assert shown == [e["event_id"] for e in get(client, "/api/events?sort=-goldstein&per_page=5").json()["events"]]
    following = html.unescape(re.search(r'<a href="([^"]+)" rel="next">', page)[1])
    assert "after=" in following and "sort=-goldstein" in following
    second = re.findall(r'<tr data-event="([^"]+)"', get(client, following).text)
    assert second == [e["event_id"] for e in
                      get(client, "/api/events?sort=-goldstein&per_page=5&page=2").json()["events"]]
    assert "PLOVER" in page and 'data-label="confidence"' in page


def test_bad_orders_and_tokens_are_422(client):
    assert "sort: one of" in get(client, "/api/events?sort=sideways", 422).text
    assert "not a goldstein value" in get(client, "/api/events?sort=goldstein&after=x|y", 422).text
    get(client, "/api/events?after=2024-01-01|a&before=2024-01-01|b", 422)


def test_map_has_a_key_shades_countries_and_opens_a_places_events(client):
    import html
    import re

    page = get(client, "/map?shade=true").text
    assert 'id="map-legend"' in page and "Events at a place:" in page and "Events in a country:" in page
    assert re.search(r'class="country shade-[1-5]"', page)
    link = html.unescape(re.search(r'<a href="(/events\?[^"]*place=[^"]+)"><circle', page)[1])
    place = dict(p.split("=", 1) for p in link.split("?", 1)[1].split("&"))
    found = get(client, "/api/events?" + link.split("?", 1)[1]).json()
    assert found["total"] > 0 and all(e["location_country"] == place["place_country"] for e in found["events"])
    assert "shade-" not in get(client, "/map").text.split('id="map"')[1].split("</svg>")[0]
