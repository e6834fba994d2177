"""dyad watch against a real local news site with faults (tests/support/newssite.py): one host, 30
articles, a short per-host delay. The polls run in order on one store (a module fixture), as a user's do."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from tests.support.newssite import NewsSite

from dyad.corpus.store import Store
from dyad.live.archive import Archive
from dyad.live.fetch import Fetcher
from dyad.live.sources import Source, discover, export_toml, import_toml, load_sources, save_sources
from dyad.live.urls import canonical
from dyad.live.watch import Watcher

DELAY = 0.05  # seconds between two requests to the site: short, so the test is quick


def _articles(store) -> dict[str, int]:
    return dict(store.connection.execute("SELECT url, count(*) FROM articles GROUP BY url").fetchall())


def _snapshot(store) -> tuple:
    """What a store must agree on with another made from the same site: articles, events, stories."""
    con = store.connection
    return (sorted(r[0] for r in con.execute("SELECT id FROM articles").fetchall()),
            sorted(r[0] for r in con.execute("SELECT event_id FROM events").fetchall()),
            sorted(con.execute("SELECT article_id, story_id FROM stories").fetchall()))


class Watched:
    def __init__(self, site: NewsSite, folder: Path):
        self.site, self.folder = site, folder
        self.store = Store(folder / "news.duckdb")
        self.archive = Archive(folder / "warc")
        self.watcher = Watcher(self.store, None, archive=self.archive, batch_size=8)
        self.watcher.fetcher = Fetcher(delay=DELAY, read_timeout=0.5, total_timeout=3, backoff=0.05,
                                       on_exchange=self.watcher.archived)
        self.reports = []

    def poll(self):
        seen = len(self.site.log)
        self.watcher.run(once=True, after_poll=self.reports.append)
        return list(self.site.log)[seen:]


@pytest.fixture(scope="module")
def watched(tmp_path_factory):
    with NewsSite(hosts=1, articles_per_host=30, faults=True, slow_seconds=2) as site:
        state = Watched(site, tmp_path_factory.mktemp("watch"))
        sources = discover(site.hosts[0], state.watcher.fetcher)
        with state.store.transaction():
            save_sources(state.store.connection, [*sources, Source(url=site.broken_feed())])
        state.first_requests = state.poll()
        yield state
        state.watcher.fetcher.close()
        state.archive.close()
        state.store.close()


def test_a_site_is_followed_through_its_feeds_and_sitemaps(watched):
    kinds = {s.url: s.kind for s in load_sources(watched.store.connection)}
    site = watched.site
    assert {canonical(u) for u in site.feeds(0)} <= set(kinds) and canonical(site.sitemaps(0)[0]) in kinds
    assert kinds[canonical(site.sitemaps(0)[0])] == "sitemap"


def test_every_allowed_article_is_stored_exactly_once_and_politely(watched):
    site, stored = watched.site, _articles(watched.store)
    assert set(site.allowed_articles()) <= set(stored) and all(n == 1 for n in stored.values())
    assert site.disallowed_requests() == []
    assert site.min_gap(0) >= DELAY
    coded = watched.store.connection.execute("SELECT count(*) FROM articles WHERE status = 'coded'").fetchone()[0]
    assert coded == len(site.allowed_articles()) and watched.store.count("events") > 0
    assert all("dyad/" in r.user_agent for r in watched.first_requests)


def test_an_article_under_tracking_parameters_is_fetched_once(watched):
    url, variants = watched.site.tracked_article()
    assert variants and all(canonical(v) == url for v in variants)
    article_path = url.split("/", 3)[3]
    assert sum(1 for r in watched.first_requests if r.path.lstrip("/").split("?")[0] == article_path) == 1


def test_a_page_with_a_wrong_charset_header_is_read_right(watched):
    url = watched.site.fault_url("wrong_charset")
    text = watched.store.connection.execute("SELECT text FROM articles WHERE url = ?", [url]).fetchone()[0]
    assert "Zürich" in text or "São Paulo" in text


def test_every_faulty_url_is_listed_with_its_reason(watched):
    failed = dict(watched.store.connection.execute(
        "SELECT url, reason FROM pages WHERE status IN ('failed', 'disallowed')").fetchall())
    expected = {"timeout": "timed out", "redirect loop": "too many redirects", "too large": "too large",
                "decompression bomb": "decompressed past"}
    for url, kind in watched.site.faulty_urls().items():
        assert expected[kind] in failed[url], (url, failed.get(url))
    assert all(failed[canonical(u)] == "disallowed by robots.txt" for u in watched.site.private_urls())
    broken = watched.store.connection.execute("SELECT last_error, consecutive_failures FROM sources WHERE url = ?",
                                              [canonical(watched.site.broken_feed())]).fetchone()
    assert "feed" in broken[0] and broken[1] == 1


def test_a_second_poll_asks_conditionally_and_refetches_nothing_unchanged(watched):
    requests = watched.poll()
    listings = [r for r in requests if not r.path.startswith(("/news/", "/private/", "/loop/", "/robots"))]
    assert listings and all(r.if_none_match or r.if_modified_since for r in listings)
    assert [r for r in requests if r.path.startswith("/news/")] == []
    assert watched.reports[-1].coded == 0


def test_an_updated_article_replaces_its_events_and_a_new_one_arrives(watched):
    site, store = watched.site, watched.store
    target = sorted(site.allowed_articles() - set(site.transient_urls()) - {site.fault_url("wrong_charset")})[0]
    before = store.connection.execute("SELECT text FROM articles WHERE url = ?", [target]).fetchone()[0]
    site.update_article(target)
    new = site.publish(0, headline="Chile and Peru sign a fisheries accord in Lima")
    watched.poll()
    stored = _articles(store)
    assert stored[target] == 1 and stored[canonical(new)] == 1
    after = store.connection.execute("SELECT text FROM articles WHERE url = ?", [target]).fetchone()[0]
    assert after != before
    article_id = store.connection.execute("SELECT id FROM articles WHERE url = ?", [target]).fetchone()[0]
    sentences = {r[0] for r in store.connection.execute("SELECT sentence FROM events WHERE article_id = ?",
                                                        [article_id]).fetchall()}
    assert sentences and all(s in after for s in sentences)  # no event of the old text is left


def test_the_archive_replays_to_the_same_store(watched, tmp_path):
    from dyad.live.recorder import replay

    errors = []
    replay(sorted((watched.folder / "warc").glob("*.warc.gz")), tmp_path / "replayed.duckdb",
           on_error=lambda path, message: errors.append(message))
    again = Store(tmp_path / "replayed.duckdb")
    try:
        assert _snapshot(again) == _snapshot(watched.store) and errors == []
    finally:
        again.close()


def test_the_api_served_from_the_watcher_shows_each_commit(watched):
    from dyad.surfaces.server.app import create_app
    from dyad.surfaces.server.background import BackgroundServer

    app = create_app(connection=watched.store.connection, last_batch=lambda: watched.watcher.last_batch)
    with BackgroundServer(app, port=0) as url:
        before = httpx.get(f"{url}/api/events?per_page=1").json()["total"]
        new = watched.site.publish(0, headline="Kenya and Ethiopia agree to reopen their border crossing")
        watched.poll()
        answer = httpx.get(f"{url}/api/events?per_page=1").json()
        sources = httpx.get(f"{url}/api/sources").json()
    assert answer["total"] > before and canonical(new) in _articles(watched.store)
    assert sources["total"] == len(load_sources(watched.store.connection))


def _cli():
    from dyad.surfaces.cli import main

    return main


def test_sources_file_round_trips_with_defaults(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text('[defaults]\ninterval = "30m"\ndelay = 2\n\n[[source]]\nurl = "https://example.org/rss"\n'
                    'label = "Example"\n\n[[source]]\nurl = "https://example.net/sitemap.xml"\nkind = "sitemap"\n'
                    'interval = 600\n', encoding="utf-8")
    sources = import_toml(path)
    assert [(s.interval, s.delay) for s in sources] == [(1800.0, 2.0), (600.0, 2.0)]
    again = tmp_path / "again.toml"
    export_toml(sources, again)
    assert import_toml(again) == sources


def test_cli_sources_import_list_export_remove(tmp_path):
    db, path = str(tmp_path / "s.duckdb"), tmp_path / "in.toml"
    path.write_text('[[source]]\nurl = "https://example.org/world.rss?utm_source=x"\nlabel = "World"\n',
                    encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(_cli(), ["sources", "import", str(path), "--db", db]).exit_code == 0
    listed = runner.invoke(_cli(), ["sources", "list", "--db", db], env={"COLUMNS": "200"})
    assert "https://example.org/world.rss" in listed.output and "utm_source" not in listed.output
    assert runner.invoke(_cli(), ["sources", "export", str(tmp_path / "out.toml"), "--db", db]).exit_code == 0
    assert import_toml(tmp_path / "out.toml")[0].label == "World"
    assert runner.invoke(_cli(), ["sources", "remove", "https://example.org/world.rss", "--db", db]).exit_code == 0
    watch = runner.invoke(_cli(), ["watch", "--db", db, "--once"])
    assert watch.exit_code == 1 and "follows no source" in watch.output


def test_a_failing_source_backs_off(tmp_path):
    from dyad.live.sources import record_poll

    store = Store(tmp_path / "b.duckdb")
    source = Source(url="https://example.org/rss", interval=60)
    with store.transaction():
        save_sources(store.connection, [source])
    now = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
    waits = [(record_poll(store.connection, source, now, error="HTTP 503", items=0, stored=0) - now).total_seconds()
             for _ in range(3)]
    assert waits == [120, 240, 480]
    assert (record_poll(store.connection, source, now, error=None, items=3, stored=3) - now).total_seconds() == 60
    store.close()


def test_update_files_are_written_for_each_ended_interval(watched, tmp_path):
    watched.watcher.export_dir, watched.watcher.every = tmp_path, dt.timedelta(seconds=1)
    try:
        watched.watcher.write_updates()
    finally:
        watched.watcher.export_dir = None
    names = (tmp_path / "lastupdate.txt").read_text().split()
    assert names[2].endswith(".export.CSV.zip") and names[5].endswith(".mentions.CSV.zip")
    assert all((tmp_path / name).is_file() for name in (names[2], names[5]))
