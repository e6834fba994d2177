"""Downloads: the filtered events as CSV, JSON lines, Parquet and GDELT, and every API table as CSV or JSON."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import hashlib
import io
import json
import warnings

import duckdb
import pyarrow.parquet
import pytest

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from fastapi.testclient import TestClient


from dyad.corpus.export import export_store
from dyad.corpus.layouts import GDELT
from dyad.surfaces.server import create_app, downloads, queries, reading
from test_server import get

# filters with matches, and the orders asked (None: the API's own, newest first)
FILTERS = ("", "source=TUR", "root=4", "quad_class=3&since=2024-02-01", "country=KEN")
SORTS = (None, "-date", "goldstein", "-confidence", "code", "source", "-target")


@pytest.fixture(scope="module")
def client(explorer_store):
    with TestClient(create_app(explorer_store)) as c:
        yield c


def api_pages(client, query: str, per_page: int = 4) -> tuple[int, list[dict]]:
    """The API's total for a filter and its rows, page after page through `next`."""
    body = get(client, f"/api/events?{query}&per_page={per_page}").json()
    total, rows = body["total"], list(body["events"])
    while body["next"]:
        body = get(client, f"/api/events?{query}&per_page={per_page}&after={body['next']}").json()
        rows += body["events"]
    return total, rows


def columns(row: dict) -> dict:
    """An event's columns of /api/events (a page's rows may carry more, as the code's name)."""
    return {c: row[c] for c in queries.EVENT_COLUMNS}


def as_text(value) -> str:
    """A JSON value as the CSV download writes it."""
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def csv_rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode())))


def same_rows(downloaded: list[dict], api: list[dict]) -> None:
    assert len(downloaded) == len(api)
    for got, want in zip(downloaded, api, strict=True):
        for column in queries.EVENT_COLUMNS:
            value = want[column]
            if isinstance(value, float):
                assert float(got[column]) == pytest.approx(value), column
            else:
                assert got[column] == as_text(value), column


@pytest.mark.parametrize("query", FILTERS)
def test_csv_download_is_the_api_pages_in_order(client, query):
    total, pages = api_pages(client, query)
    response = get(client, f"/api/download/events?format=csv&{query}")
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="events.csv"'
    rows = csv_rows(response.content)
    assert total > 0 and len(rows) == total
    assert list(rows[0]) == list(downloads.DOWNLOAD_COLUMNS)
    same_rows(rows, pages)


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("chunk_rows", [3, downloads.CHUNK_ROWS])
def test_downloads_follow_the_sort_across_chunks(client, monkeypatch, sort, chunk_rows):
    """With chunks of 3 rows, runs of values and values cut by event id (a goldstein shared by many
    events, the events with no target) must still join into the one order."""
    monkeypatch.setattr(downloads, "CHUNK_ROWS", chunk_rows)
    query = f"sort={sort}" if sort else ""
    _, pages = api_pages(client, query)
    same_rows(csv_rows(get(client, f"/api/download/events?format=csv&{query}").content), pages)


def test_json_lines_download(client):
    total, pages = api_pages(client, "root=4")
    response = get(client, "/api/download/events?format=jsonl&root=4")
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert len(lines) == total
    assert [columns(row) for row in lines] == [columns(row) for row in pages]


def test_parquet_download(client):
    total, pages = api_pages(client, "source=TUR")
    response = get(client, "/api/download/events?format=parquet&source=TUR")
    assert response.headers["content-disposition"] == 'attachment; filename="events.parquet"'
    table = pyarrow.parquet.read_table(io.BytesIO(response.content))
    assert table.column_names == list(downloads.DOWNLOAD_COLUMNS)
    rows = [{c: v.isoformat() if isinstance(v, dt.date) else v for c, v in columns(row).items()}
            for row in table.to_pylist()]
    assert len(rows) == total and rows == [columns(row) for row in pages]


def test_gdelt_download_is_the_export_layout(client, explorer_store, tmp_path):
    """Unfiltered, the layout `dyad export --format gdelt` writes; filtered, the aggregates of the
    filter's events alone (their mentions add up to the API's total)."""
    exported = tmp_path / "gdelt.tsv"
    export_store(explorer_store, "gdelt", str(exported))
    response = get(client, "/api/download/events?format=gdelt")
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    assert response.text == exported.read_text()
    lines = [line.split("\t") for line in get(client, "/api/download/events?format=gdelt&source=TUR").text.splitlines()]
    assert lines and all(len(fields) == len(GDELT) for fields in lines)
    mentions = [name for name, _ in GDELT].index("NumMentions")
    assert sum(int(fields[mentions]) for fields in lines) == api_pages(client, "source=TUR")[0]


def test_a_filter_matching_nothing(client):
    header = get(client, "/api/download/events?format=csv&q=nothing-says-this").text
    assert header.splitlines() == [",".join(f'"{c}"' for c in downloads.DOWNLOAD_COLUMNS)]
    table = pyarrow.parquet.read_table(io.BytesIO(get(client, "/api/download/events?format=parquet&q=nothing-says-this")
                                                  .content))
    assert table.num_rows == 0 and table.column_names == list(downloads.DOWNLOAD_COLUMNS)
    assert get(client, "/api/download/events?format=jsonl&q=nothing-says-this").content == b""
    assert get(client, "/api/download/events?format=gdelt&q=nothing-says-this").content == b""


@pytest.mark.parametrize("query", ["format=xml", "sort=bogus", "quad_class=9", "since=yesterday", "sort=" + "x" * 50])
def test_bad_download_requests_are_422(client, query):
    assert "detail" in get(client, f"/api/download/events?{query}", 422).json()


def test_chunks_cover_the_rows_once_in_order(explorer_store):
    with duckdb.connect(str(explorer_store), read_only=True) as con:
        where, params = queries.EventFilter().where()
        for column, descending in (("goldstein", False), ("target_code", True), ("date", True)):
            ordered = [r[0] for r in con.execute(
                f"SELECT event_id FROM events ORDER BY {column} {'DESC' if descending else 'ASC'} NULLS LAST, "
                "event_id").fetchall()]
            seen = []
            for condition, condition_params in downloads.chunks(con, where, params, column, descending, rows=3):
                ids = [r[0] for r in con.execute(
                    f"SELECT event_id FROM events WHERE {where} AND {condition} ORDER BY "
                    f"{column} {'DESC' if descending else 'ASC'} NULLS LAST, event_id",
                    [*params, *condition_params]).fetchall()]
                if "event_id" not in condition:  # a run of whole values
                    assert 0 < len(ids) <= 3, (column, condition)
                seen += ids
            assert seen == ordered, column


def test_a_value_with_many_rows_is_cut_into_runs_of_about_equal_size():
    """Event ids are 64-bit hashes in hex: evenly spaced bounds cut 10,000 of them into 10 runs of about
    1,000 each, consecutive in id order, every id in one run (the first and last open)."""
    ids = sorted(hashlib.blake2b(str(i).encode(), digest_size=8).hexdigest() for i in range(10_000))
    con = duckdb.connect()
    con.execute("CREATE TABLE events AS SELECT unnest(?) AS event_id, 1.0 AS goldstein", [ids])
    parts = downloads._split("goldstein", 1.0, 10)
    runs = [[r[0] for r in con.execute(f"SELECT event_id FROM events WHERE {condition} ORDER BY event_id",
                                       condition_params).fetchall()] for condition, condition_params in parts]
    assert [i for run in runs for i in run] == ids
    assert all(800 <= len(run) <= 1200 for run in runs), [len(run) for run in runs]
    con.execute("INSERT INTO events VALUES ('', 1.0), ('zz-not-hex', 1.0)")  # still in a run each, in order
    assert sum(con.execute(f"SELECT count(*) FROM events WHERE {c}", p).fetchone()[0] for c, p in parts) == 10_002


def test_the_stream_closes_its_cursor_when_left_early(explorer_store):
    """A client that goes away mid-download: the generator is closed, and with it the cursor."""
    connection = duckdb.connect(str(explorer_store), read_only=True)
    opened = []

    class Recording:
        def cursor(self):
            opened.append(connection.cursor())
            return opened[-1]

    flt, order = queries.EventFilter(), queries.Sort.parse(None)

    async def first_part():
        stream = downloads.event_stream(Recording(), lambda con: downloads._events_plan(con, flt, order),
                                        downloads.FORMATS["csv"])
        first = await anext(stream)
        await stream.aclose()
        return first

    assert asyncio.run(first_part()).startswith(b'"event_id"')
    with pytest.raises(duckdb.ConnectionException):
        opened[0].execute("SELECT 1")
    connection.close()


def test_downloads_read_a_store_through_an_instance_of_bounded_memory(explorer_store):
    """A store served by path: the bulk reader is a DuckDB instance of its own, its memory bounded, reading
    the same rows read-only; a connection handed to the app (dyad watch --serve) is read as it is."""
    setting = "SELECT current_setting('memory_limit')"
    shared = duckdb.connect(str(explorer_store), read_only=True)
    shared.execute("SET memory_limit = '1GB'")
    bulk = reading.BulkReader(shared, str(explorer_store))
    own = bulk.cursor()
    try:
        assert own.execute(setting).fetchone() == duckdb.connect(
            config={"memory_limit": reading.BULK_MEMORY}).execute(setting).fetchone() != shared.execute(
            setting).fetchone()
        query = "SELECT event_id, code FROM events ORDER BY event_id"
        assert own.execute(query).fetchall() == shared.execute(query).fetchall()
        with pytest.raises(duckdb.Error, match="read-only"):
            own.execute("DELETE FROM events")
    finally:
        own.close()
    assert reading.BulkReader(shared, None).cursor().execute(setting).fetchone() == shared.execute(
        setting).fetchone()
    shared.close()


@pytest.mark.parametrize(("url", "filename"), [
    ("/api/dyads", "dyads"), ("/api/roots", "roots"), ("/api/volume", "volume"),
    ("/api/partners?actor=TUR", "partners"),
    ("/api/dyads/series?source=TUR&target=GRC", "dyads-series"), ("/api/actors", "actors"), ("/api/places", "places"),
    ("/api/quotes", "quotes"), ("/api/stories", "stories"), ("/api/locations", "locations"),
    ("/api/events?per_page=5", "events"),
])
def test_every_api_table_as_csv_and_json(client, url, filename):
    answer = get(client, url).json()
    rows = answer if isinstance(answer, list) else next(v for v in answer.values() if isinstance(v, list))
    joiner = "&" if "?" in url else "?"
    response = get(client, f"{url}{joiner}format=csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == f'attachment; filename="{filename}.csv"'
    assert "content-security-policy" in response.headers  # the defensive headers stay
    got = csv_rows(response.content)
    assert rows, url
    assert len(got) == len(rows)
    for cells, row in zip(got, rows, strict=True):
        for name, value in row.items():
            expected = json.dumps(value, separators=(",", ":")) if isinstance(value, list | dict) else as_text(value)
            if isinstance(value, float):
                assert float(cells[name]) == pytest.approx(value)
            else:
                assert cells[name] == expected, (url, name)
    response = get(client, f"{url}{joiner}format=json")
    assert response.headers["content-disposition"] == f'attachment; filename="{filename}.json"'
    assert response.json() == answer


def test_format_on_an_answer_that_is_no_table_is_422(client):
    article = get(client, "/api/events?per_page=1").json()["events"][0]["article_id"]
    assert "not one table" in get(client, f"/api/articles/{article}?format=csv", 422).json()["detail"]
    assert "csv, json" in get(client, "/api/dyads?format=parquet", 422).json()["detail"]
    get(client, "/api/events/no-such-event?format=csv", 404)  # errors pass through as they are


def test_the_downloads_macro_links_to_the_files(client):
    from dyad.surfaces.server.app import _templates

    html = _templates().from_string('{% from "_macros.html" import downloads %}'
                                    '{{ downloads("events", {"root": "14", "sort": "-goldstein"}) }}'
                                    '{{ downloads("/api/dyads/series", {"source": "TUR", "target": "GRC"}) }}').render()
    links = [part.split('"')[0].replace("&amp;", "&") for part in html.split('href="')[1:]]
    assert links[:4] == [f"/api/download/events?root=14&sort=-goldstein&format={f}"
                         for f in ("csv", "jsonl", "parquet", "gdelt")]
    assert links[4:] == [f"/api/dyads/series?source=TUR&target=GRC&format={f}" for f in ("csv", "json")]
    for link in links:
        get(client, link)
