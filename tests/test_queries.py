"""One answer per question: `dyad query --format json`, the library and the HTTP API give the same rows.

The store is written through `Store.add` from invented results (no parsing), so every count, mean and
period below is known by construction.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from dyad.corpus import queries
from dyad.corpus.store import Store
from dyad.records import Actor, Article, Event, Plover, Provenance, Result
from dyad.surfaces.cli import main

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from fastapi.testclient import TestClient

from dyad.surfaces.server import create_app

JAN, FEB = dt.date(2024, 1, 3), dt.date(2024, 2, 5)
# (article, date, source, target, CAMEO code, QuadClass, Goldstein)
EVENTS = [
    ("q1", JAN, "TURGOV", "GRCGOV", "112", 3, -2.0),
    ("q1", JAN, "TURGOV", "GRCGOV", "036", 1, 4.0),
    ("q2", dt.date(2024, 1, 20), "TURGOV", "GRCGOV", "042", 1, 3.5),
    ("q2", dt.date(2024, 1, 20), "GRC", "TUR", "111", 3, -2.0),
    ("q3", FEB, "TUR", "GRCMIL", "190", 4, -10.0),
    ("q3", FEB, "GRCGOV", "GRCMED", "010", 1, 0.0),
    ("q4", dt.date(2024, 2, 10), "FRAGOV", "TURGOV", "042", 1, 1.9),
    ("q4", dt.date(2024, 2, 10), "TURGOV", None, "010", 1, 0.0),
    ("q5", None, "TUR", "GRC", "112", 3, -2.0),
]
ARTICLES = {"q1": (JAN, "Wire A"), "q2": (dt.date(2024, 1, 20), "Wire B"), "q3": (FEB, "Wire A"),
            "q4": (dt.date(2024, 2, 10), None), "q5": (None, "Wire B"), "q6": (FEB, "Wire A")}

# every question, as (CLI arguments, library call, API path)
QUESTIONS = {
    "dyad": (["dyad", "TUR", "GRC"], lambda con: queries.dyad_series(con, "TUR", "GRC"),
             "/api/dyads/series?source=TUR&target=GRC"),
    "dyad both ways by week since": (
        ["dyad", "TUR", "GRC", "--both-ways", "--by", "week", "--since", "2024-01-10"],
        lambda con: queries.dyad_series(con, "TUR", "GRC", "week", True, since=dt.date(2024, 1, 10)),
        "/api/dyads/series?source=TUR&target=GRC&both_ways=true&period=week&since=2024-01-10"),
    "actor": (["actor", "TUR"], lambda con: queries.actor_series(con, "TUR"), "/api/charts/conflict?actor=TUR"),
    "actor as target by week": (
        ["actor", "GRC", "--as", "target", "--by", "week"],
        lambda con: queries.actor_series(con, "GRC", "week", "target"),
        "/api/charts/conflict?actor=GRC&role=target&period=week"),
    "country as source since": (
        ["actor", "--country", "TUR", "--as", "source", "--since", "2024-01-10"],
        lambda con: queries.actor_series(con, role="source", country="TUR", since=dt.date(2024, 1, 10)),
        "/api/charts/conflict?country=TUR&role=source&since=2024-01-10"),
    "top-dyads": (["top-dyads", "--limit", "4"], lambda con: queries.top_dyads(con, 4), "/api/dyads?limit=4"),
    "roots": (["roots"], lambda con: queries.root_counts(con), "/api/roots"),
    "roots by day": (["roots", "--by", "day"], lambda con: queries.root_counts(con, "day"), "/api/roots?period=day"),
    "partners": (["partners", "GRC"], lambda con: queries.partners(con, "GRC"), "/api/partners?actor=GRC"),
    "volume": (["volume"], lambda con: queries.volume(con), "/api/volume"),
    "volume by year": (["volume", "--by", "year"], lambda con: queries.volume(con, "year"), "/api/volume?period=year"),
}


def invented_results() -> list[Result]:
    results = {aid: Result(article=Article(id=aid, text=f"Invented article {aid}.", date=date, source=source),
                           status="coded") for aid, (date, source) in ARTICLES.items()}
    results["q6"].status, results["q6"].reason = "skipped", "not English"
    for n, (aid, date, source, target, code, quad, goldstein) in enumerate(EVENTS):
        results[aid].events.append(Event(
            event_id=f"ev{n}", article_id=aid, sentence_index=0, sentence="An invented sentence.", date=date,
            source=Actor(text=source, code=source, country=source[:3]),
            target=Actor(text=target, code=target, country=target[:3]) if target else None,
            code=code, root_code=code[:2], quad_class=quad, goldstein=goldstein, plover=Plover(),
            provenance=Provenance(rule="test")))
    return list(results.values())


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("queries") / "store.duckdb"
    store = Store(path)
    store.add(invented_results())
    store.close()
    return path


@pytest.fixture(scope="module")
def client(db):
    with TestClient(create_app(db)) as c:
        yield c


def cli_rows(db: Path, *args: str) -> list[dict]:
    out = CliRunner().invoke(main, ["query", "--db", str(db), "--format", "json", *args], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def library_rows(db: Path, question) -> list[dict]:
    store = Store(db, read_only=True)
    try:
        return json.loads(json.dumps(question(store.connection).dicts(), default=str))
    finally:
        store.close()


def api_rows(client, path: str) -> list[dict]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    body = response.json()
    return body["points"] if path.startswith("/api/dyads/series") else body


@pytest.mark.parametrize("name", QUESTIONS)
def test_the_cli_the_library_and_the_api_give_the_same_rows(db, client, name):
    args, question, path = QUESTIONS[name]
    rows = library_rows(db, question)
    assert rows, name
    assert cli_rows(db, *args) == rows, name
    assert api_rows(client, path) == rows, name


def test_answers_carry_the_union_of_columns_and_known_values(db):
    top = cli_rows(db, "top-dyads")
    assert list(top[0]) == ["source_code", "target_code", "events", "articles", "goldstein"]  # the README's table
    assert top[0] == {"source_code": "TURGOV", "target_code": "GRCGOV", "events": 3, "articles": 2,
                      "goldstein": 1.83}  # (-2 + 4 + 3.5) / 3, to 2 places
    series = cli_rows(db, "dyad", "TUR", "GRC")
    assert series == [
        {"period": "2024-01-01", "events": 3, "goldstein": 1.83, "verbal_coop": 2, "material_coop": 0,
         "verbal_conflict": 1, "material_conflict": 0, "articles": 2, "per_100_articles": 150.0},
        {"period": "2024-02-01", "events": 1, "goldstein": -10.0, "verbal_coop": 0, "material_coop": 0,
         "verbal_conflict": 0, "material_conflict": 1, "articles": 3, "per_100_articles": 33.333}]
    partners = {r["partner"]: r for r in cli_rows(db, "partners", "GRC")}
    assert (partners["TURGOV"]["as_source"], partners["TURGOV"]["as_target"]) == (3, 0)
    assert (partners["TUR"]["as_source"], partners["TUR"]["as_target"]) == (2, 1)
    assert partners["GRCMED"]["events"] == 1 and "FRAGOV" not in partners
    volume = cli_rows(db, "volume")
    assert sum(r["articles"] for r in volume) == len(ARTICLES)
    assert sum(r["coded"] for r in volume) == len(ARTICLES) - 1
    assert list(volume[0]) == ["period", "source", "articles", "coded"]


def test_actor_filters_ignore_case(db, client):
    assert cli_rows(db, "dyad", "tur", "grc") == cli_rows(db, "dyad", "TUR", "GRC")
    assert cli_rows(db, "partners", "grc") == cli_rows(db, "partners", "GRC")
    assert api_rows(client, "/api/dyads/series?source=Tur&target=gRc") == cli_rows(db, "dyad", "TUR", "GRC")
    assert api_rows(client, "/api/partners?actor=grcgov") == cli_rows(db, "partners", "GRCGOV")


@pytest.mark.parametrize("pattern", ["T%", "%", "T_R", "_UR", "TUR\\"])
def test_actor_filters_are_data_not_patterns(db, client, pattern):
    assert cli_rows(db, "dyad", pattern, "GRC") == []
    assert cli_rows(db, "dyad", "TUR", pattern, "--both-ways") == []
    assert cli_rows(db, "partners", pattern) == []
    params = {"source": pattern, "target": "GRC"}
    assert client.get("/api/dyads/series", params=params).json()["points"] == []
    assert client.get("/api/partners", params={"actor": pattern}).json() == []
    assert client.get("/api/events", params={"actor": pattern}).json()["total"] == 0


def test_bad_periods_are_refused(db, client):
    with pytest.raises(ValueError, match="period"):
        library_rows(db, lambda con: queries.volume(con, "fortnight"))
    assert client.get("/api/roots?period=fortnight").status_code == 422
    out = CliRunner().invoke(main, ["query", "--db", str(db), "roots", "--by", "fortnight"])
    assert out.exit_code == 2


def test_query_help_needs_no_store(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no dyad.duckdb here
    out = CliRunner().invoke(main, ["query", "dyad", "--help"])
    assert out.exit_code == 0 and "--both-ways" in out.stdout
    out = CliRunner().invoke(main, ["query", "top-dyads"])
    assert out.exit_code == 2 and "dyad.duckdb" in out.output
