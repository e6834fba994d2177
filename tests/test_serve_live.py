"""Serving a store while it is written (`dyad watch --serve`): the app on the writer's connection, its
answer cache keyed by the last committed batch, the server in a thread, the sources page, and `dyad serve`
on a store another process writes."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import warnings

import duckdb
import httpx
import pytest
from click.testing import CliRunner

from dyad.corpus.store import Store
from dyad.records import Actor, Article, Event, Plover, Provenance, Result
from dyad.surfaces.cli import main
from dyad.surfaces.server import BackgroundServer, create_app
from dyad.surfaces.server.reading import reading

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from fastapi.testclient import TestClient

DAY = dt.date(2024, 5, 14)
NOW = dt.datetime(2024, 5, 14, 12, 0, tzinfo=dt.UTC)


def coded(article_id: str, source: str = "GRC", target: str = "TUR") -> Result:
    """A coded article with one event, made by hand (no model needed)."""
    sentence = f"{source} accused {target}."
    event = Event(event_id=f"{article_id}-e", article_id=article_id, sentence_index=0, sentence=sentence,
                  source=Actor(text=source, code=source), target=Actor(text=target, code=target), code="112",
                  root_code="11", quad_class=3, goldstein=-2.0, plover=Plover(event="ACCUSE"), date=DAY,
                  provenance=Provenance(rule="test:1"))
    return Result(article=Article(id=article_id, text=sentence, date=DAY, source="wire"), events=[event])


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "live.duckdb")
    yield store
    store.close()


def total(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, response.text[:300]
    return response.json()["total"]


def test_a_commit_reaches_the_next_answer_with_the_cache_on(store):
    store.add([coded("a1")])
    committed = store.last_batch()  # what the watcher keeps: the last batch it committed

    app = create_app(connection=store.connection, last_batch=lambda: committed)
    with TestClient(app) as client:
        assert total(client, "/api/events?source=GRC") == 1
        store.add([coded("a2")])  # committed, but the number not yet moved on: the kept answer stands
        assert total(client, "/api/events?source=GRC") == 1
        committed = store.last_batch()
        assert total(client, "/api/events?source=GRC") == 2
        assert client.get("/api/volume").json()[0]["articles"] == 2
        assert client.get("/events?source=GRC").text.count("data-event=") == 2  # pages read uncached
    assert store.connection.execute("SELECT count(*) FROM events").fetchone()[0] == 2  # left open


def test_a_connection_without_a_batch_number_is_served_uncached(store):
    store.add([coded("a1")])
    with TestClient(create_app(connection=store.connection)) as client:
        assert total(client, "/api/events") == 1
        store.add([coded("a2", "USA", "RUS")])
        assert total(client, "/api/events") == 2


def test_requests_read_in_a_read_only_transaction(store):
    store.add([coded("a1")])
    with reading(store.connection) as cur, pytest.raises(duckdb.Error, match="read-only"):
        cur.execute("DELETE FROM events")
    assert store.count("events") == 1


def test_create_app_takes_a_path_or_a_connection(store, tmp_path):
    with pytest.raises(TypeError):
        create_app(tmp_path / "live.duckdb", connection=store.connection)
    with pytest.raises(TypeError):
        create_app()


def test_the_server_runs_in_a_thread_and_stops(store):
    store.add([coded("a1")])
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    server = BackgroundServer(create_app(connection=store.connection, last_batch=store.last_batch), port=0)
    url = server.start()
    try:
        assert url == server.url and server.port > 0 and server.running
        assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers
        assert httpx.get(f"{url}/api/events", timeout=10).json()["total"] == 1
        with pytest.raises(OSError, match="cannot listen"):
            BackgroundServer(create_app(connection=store.connection), port=server.port).start()
    finally:
        server.stop()
    assert not server.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/api/events", timeout=2)
    assert store.count("events") == 1  # the writer's connection is still open
    server.stop()  # twice is harmless


def seed_watch(con, failed: int = 3) -> None:
    con.execute("INSERT INTO sources (url, kind, site, label, language, interval_seconds, added_at, last_poll, "
                "next_poll, last_success, last_error, last_error_at, consecutive_failures, items_seen, "
                "articles_stored) VALUES "
                "('https://news.example/rss', 'rss', 'news.example', 'Example News', 'en', 300, ?, ?, ?, ?, NULL, "
                "NULL, 0, 40, 12), "
                "('https://down.example/sitemap.xml', 'sitemap', 'down.example', NULL, 'en', 900, ?, ?, ?, ?, "
                "'HTTP 503 <script>window.__xss=1</script>', ?, 4, 7, 0)",
                [NOW - dt.timedelta(days=1), NOW - dt.timedelta(minutes=5), NOW + dt.timedelta(minutes=5),
                 NOW - dt.timedelta(minutes=5), NOW - dt.timedelta(days=1), NOW - dt.timedelta(minutes=2),
                 NOW + dt.timedelta(minutes=13), NOW - dt.timedelta(hours=3), NOW - dt.timedelta(minutes=2)])
    con.executemany("INSERT INTO pages (url, kind, source, first_seen, fetched_at, http_status, status, reason) "
                    "VALUES (?, 'article', 'https://down.example/sitemap.xml', ?, ?, ?, 'failed', ?)",
                    [(f"https://down.example/story/{n}", NOW - dt.timedelta(hours=n), NOW - dt.timedelta(hours=n),
                      404, f"HTTP 404 (story {n})") for n in range(failed)])
    con.execute("INSERT INTO pages (url, kind, source, fetched_at, status, reason) VALUES "
                "('javascript:alert(1)', 'article', 'https://down.example/sitemap.xml', ?, 'failed', "
                "'not an http(s) URL'), ('https://news.example/ok', 'article', 'https://news.example/rss', ?, "
                "'stored', NULL)", [NOW - dt.timedelta(days=30), NOW])


def test_sources_api_lists_health_and_failed_urls_newest_first(store):
    seed_watch(store.connection, failed=60)
    with TestClient(create_app(connection=store.connection, last_batch=store.last_batch)) as client:
        body = client.get("/api/sources?per_page=25&page=1").json()
        assert body["total"] == 2
        down, news = body["sources"]  # failing first
        assert down["health"] == "failing" and down["consecutive_failures"] == 4 and down["last_error"].startswith(
            "HTTP 503") and down["last_error_at"]
        assert news["health"] == "ok" and news["label"] == "Example News" and news["items_seen"] == 40
        assert news["articles_stored"] == 12 and news["next_poll"] and news["last_success"]
        assert body["pages_by_status"] == {"failed": 61, "stored": 1}
        failed = body["failed"]
        assert failed["total"] == 61 and len(failed["failed"]) == 25
        assert [f["url"] for f in failed["failed"][:2]] == ["https://down.example/story/0",
                                                            "https://down.example/story/1"]
        times = [f["failed_at"] for f in failed["failed"]]
        assert times == sorted(times, reverse=True)
        last = client.get("/api/sources?per_page=25&page=3").json()["failed"]["failed"]
        assert len(last) == 11 and last[-1]["url"] == "javascript:alert(1)"
        assert last[0]["source_label"] == "down.example" and last[0]["reason"].startswith("HTTP 404")
        assert client.get("/api/sources?per_page=1000").status_code == 422
        assert "/api/sources" in client.get("/openapi.json").json()["paths"]


def test_sources_page_is_escaped_paged_and_linked_from_the_navigation(store):
    seed_watch(store.connection, failed=120)
    with TestClient(create_app(connection=store.connection)) as client:
        page = client.get("/sources").text
        assert '<a href="/sources" class="active" aria-current="page">Sources</a>' in page
        assert "Example News" in page and "failing" in page and "2 sources, 1 failing" in page
        assert "<script>window.__xss" not in page and "&lt;script&gt;window.__xss=1" in page
        assert 'href="javascript:' not in page
        assert "page 1 of 2" in page and 'href="/sources?page=2#failed"' in page
        assert page.count('href="https://down.example/story/') == 100
        second = client.get("/sources?page=2").text
        assert "javascript:alert(1)" in second and 'href="javascript:' not in second
        assert 'href="/sources?page=1#failed"' in second
        assert "Sources" in client.get("/").text.split("<main>")[0]


def test_sources_page_with_no_sources_says_how_to_add_one(tmp_path):
    db = tmp_path / "empty.duckdb"
    Store(db).close()
    with TestClient(create_app(db)) as client:
        page = client.get("/sources")
        assert page.status_code == 200
        assert f"dyad sources add URL --db {db}" in page.text and "0 URLs failed" in page.text
        body = client.get("/api/sources").json()
        assert body == {"total": 0, "sources": [], "pages_by_status": {},
                        "failed": {"total": 0, "page": 1, "per_page": 50, "failed": []}}


def test_serve_on_a_store_being_written_names_the_writer_and_dyad_watch_serve(tmp_path):
    db = tmp_path / "watched.duckdb"
    Store(db).close()
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time\nc = duckdb.connect(sys.argv[1])\n"
                               "print('ready', flush=True)\ntime.sleep(60)", str(db)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = CliRunner().invoke(main, ["serve", "--db", str(db), "--port", "0"])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert str(db) in message and f"PID {holder.pid}" in message
    assert "another dyad process has this store open" in message and "dyad watch --serve" in message
