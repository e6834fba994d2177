"""The local test news site (tests/support/newssite.py) behaves as the `dyad watch` tests rely on: feeds and
sitemaps that parse and cover every allowed article, robots.txt, conditional GET, each fault, the log."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from tests.support.newssite import FIXED_ANCHOR, NewsSite

ROOT = Path(__file__).resolve().parents[1]
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def site():
    with NewsSite(hosts=2, articles_per_host=12, crawl_delay=2, slow_seconds=1.0, oversize_bytes=300_000) as served:
        yield served


@pytest.fixture
def fresh():
    """A site of its own, for tests that change it or meet its once-only faults."""
    with NewsSite(hosts=2, articles_per_host=6, slow_seconds=1.0, oversize_bytes=300_000) as served:
        yield served


@pytest.fixture
def client():
    with httpx.Client(trust_env=False, timeout=5) as http:  # loopback only: no proxy from the environment
        yield http


def _listed_urls(client: httpx.Client, url: str) -> list[str]:
    """Article URLs a feed or sitemap lists, read the way a crawler would."""
    response = client.get(url)
    assert response.status_code == 200
    body = response.content
    if url.endswith(".json"):
        return [item["url"] for item in json.loads(body)["items"]]
    if url.endswith(".gz"):
        body = gzip.decompress(body)
    root = ET.fromstring(body)
    if root.tag == "rss":
        return [item.findtext("link") for item in root.iter("item")]
    if root.tag == f"{ATOM}feed":
        return [link.get("href") for entry in root.iter(f"{ATOM}entry") for link in entry.iter(f"{ATOM}link")]
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


def _canonical(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def test_hosts_are_distinct_loopback_netlocs(site):
    netlocs = [urlsplit(base).netloc for base in site.hosts]
    assert len(set(netlocs)) == 2
    assert all(netloc.startswith("127.") for netloc in netlocs)


def test_feeds_and_sitemaps_parse_and_list_every_allowed_article(site, client):
    seen: dict[str, int] = {}
    for base in site.hosts:
        for url in site.feeds(base) + site.sitemaps(base)[1:]:
            listed = _listed_urls(client, url)
            assert listed, url
            assert listed == site.listings()[url]
            for article in listed:
                seen[_canonical(article)] = seen.get(_canonical(article), 0) + 1
        index = _listed_urls(client, site.sitemaps(base)[0])
        assert index == site.sitemaps(base)[1:]
    allowed = site.allowed_articles()
    assert allowed <= set(seen)
    assert sum(seen[url] > 1 for url in allowed) > len(allowed) / 3  # overlap: dedup has work to do
    assert site.private_urls() <= set(seen)
    assert set(site.faulty_urls()) <= set(seen)
    with pytest.raises(ET.ParseError):
        ET.fromstring(client.get(site.broken_feed()).content)


def test_home_page_and_robots(site, client):
    home = client.get(site.hosts[0] + "/").text
    for link in ('type="application/rss+xml" title="RSS" href="/feed.rss"', 'href="/atom.xml"', 'href="/feed.json"'):
        assert link in home
    robots = client.get(site.hosts[1] + "/robots.txt").text
    assert "Disallow: /private/" in robots
    assert "Crawl-delay: 2" in robots
    assert f"Sitemap: {site.hosts[1]}/sitemap_index.xml" in robots


@pytest.mark.parametrize("which", ["feed", "sitemap", "article"])
def test_unchanged_resources_answer_conditional_gets_with_304(site, client, which):
    urls = {"feed": site.feeds(0)[0], "sitemap": site.sitemaps(1)[2], "article": sorted(site.allowed_articles())[0]}
    url = urls[which]
    first = client.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"', "If-Modified-Since": modified}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200


def test_update_and_publish_change_validators_and_feeds(fresh, client):
    url = sorted(fresh.allowed_articles() - set(fresh.transient_urls()) - {fresh.fault_url("wrong_charset")})[0]
    before = client.get(url)
    feed_before = client.get(fresh.feeds(1)[0])
    old_text = fresh.article(url).text
    fresh.update_article(url)
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.headers["Last-Modified"] != before.headers["Last-Modified"]
    assert fresh.article(url).text != old_text
    new = fresh.publish(1)
    assert new in fresh.allowed_articles()
    for feed in [*fresh.feeds(1), fresh.sitemaps(1)[1]]:
        assert _listed_urls(client, feed)[0] == new
    assert client.get(new).status_code == 200
    assert client.get(fresh.feeds(1)[0], headers={"If-None-Match": feed_before.headers["ETag"]}).status_code == 200


def test_transient_faults_fail_once_then_serve(fresh, client):
    rate_limited, server_error = fresh.fault_url("rate_limited"), fresh.fault_url("server_error")
    first = client.get(rate_limited)
    assert (first.status_code, first.headers["Retry-After"]) == (429, "1")
    assert client.get(rate_limited).status_code == 200
    assert client.get(server_error).status_code == 500
    assert client.get(server_error).status_code == 200
    assert {rate_limited, server_error} <= fresh.allowed_articles()


def test_faults_that_never_succeed(fresh, client):
    categories = {fresh.fault_url(kind): category for kind, category in
                  [("slow", "timeout"), ("redirect_loop", "redirect loop"), ("oversized", "too large"),
                   ("gzip_bomb", "decompression bomb")]}
    assert fresh.faulty_urls() == categories
    assert not set(categories) & fresh.allowed_articles()
    with pytest.raises(httpx.ReadTimeout):
        client.get(fresh.fault_url("slow"), timeout=0.3)
    with pytest.raises(httpx.TooManyRedirects):
        client.get(fresh.fault_url("redirect_loop"), follow_redirects=True)
    with client.stream("GET", fresh.fault_url("oversized")) as big:
        assert "Content-Length" not in big.headers
        assert sum(len(chunk) for chunk in big.iter_raw()) > fresh.oversize_bytes
    with client.stream("GET", fresh.fault_url("gzip_bomb")) as bomb:
        assert bomb.headers["Content-Encoding"] == "gzip"
        packed = b"".join(bomb.iter_raw())
    assert len(packed) < 200_000
    inflater, inflated, pending = zlib.decompressobj(31), 0, packed
    while pending:  # in 1 MB steps, as a careful client would (never the whole thing in memory)
        inflated += len(inflater.decompress(pending, 2**20))
        pending = inflater.unconsumed_tail
    assert inflated > 100 * 2**20


def test_wrong_charset_header_over_utf8_text(fresh, client):
    url = fresh.fault_url("wrong_charset")
    response = client.get(url)
    assert response.headers["Content-Type"] == "text/html; charset=iso-8859-1"
    assert "Zürich" in response.content.decode("utf-8")
    assert "São Paulo" in response.content.decode("utf-8")
    assert "Zürich" not in response.text  # what trusting the header gives
    assert url in fresh.allowed_articles()


def test_tracking_variants_serve_the_canonical_page(fresh, client):
    canonical, variants = fresh.tracked_article()
    assert any("utm_source=rss" in v for v in variants) and any("fbclid=" in v for v in variants)
    listings = fresh.listings()
    assert any(v in listings[fresh.feeds(0)[0]] for v in variants)
    assert canonical in listings[fresh.sitemaps(0)[1]]
    pages = {client.get(url).text for url in [canonical, *variants]}
    assert len(pages) == 1
    assert f'<link rel="canonical" href="{canonical}">' in pages.pop()


def test_stop_cuts_a_slow_response_short(client):
    site = NewsSite(hosts=1, articles_per_host=2, slow_seconds=30).start()
    outcome = []
    worker = threading.Thread(target=lambda: outcome.append(_try_get(client, site.fault_url("slow"))))
    worker.start()
    time.sleep(0.3)
    began = time.monotonic()
    site.stop()
    worker.join(5)
    assert time.monotonic() - began < 3
    assert outcome and outcome[0] is None


def _try_get(client: httpx.Client, url: str) -> int | None:
    try:
        return client.get(url, timeout=10).status_code
    except httpx.HTTPError:
        return None


def test_log_records_requests_gaps_and_disallowed_paths(fresh, client, tmp_path):
    base = fresh.hosts[1]
    client.get(base + "/robots.txt", headers={"User-Agent": "dyad-test/1"})
    time.sleep(0.2)
    client.get(fresh.feeds(1)[0], headers={"If-None-Match": '"x"'})
    private = sorted(u for u in fresh.private_urls() if u.startswith(base))[0]
    client.get(private)
    logged = fresh.requests_to(base)
    assert [r.path for r in logged[:2]] == ["/robots.txt", "/feed.rss"]
    assert logged[0].user_agent == "dyad-test/1" and logged[1].if_none_match == '"x"'
    assert all(r.status == 200 and r.host == urlsplit(base).netloc for r in logged)
    assert 0 < fresh.min_gap(base) < 0.2 and fresh.min_gap(0) == float("inf")
    assert [r.path for r in fresh.disallowed_requests()] == [urlsplit(private).path]
    fresh.dump_log(tmp_path / "log.jsonl")
    lines = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert len(lines) == 3 and lines[0]["path"] == "/robots.txt" and lines[0]["started"] > 0


def test_articles_stay_apart_and_the_syndicated_copy_joins_its_original(site):
    from dyad.corpus.stories import group_stories

    urls = sorted(site.allowed_articles())
    stories = group_stories((url, site.article(url).text) for url in urls)
    grouped = {}
    for url, story in stories.items():
        grouped.setdefault(story, set()).add(url)
    together = [members for members in grouped.values() if len(members) > 1]
    assert together == [set(site.syndicated()[0])]
    for url in urls:
        assert 4 <= len(site.article(url).paragraphs) <= 8


def test_the_seed_decides_the_text():
    def texts(seed: int, anchor=FIXED_ANCHOR) -> list[str]:
        with NewsSite(hosts=2, articles_per_host=5, seed=seed, faults=False, anchor=anchor) as made:
            return [made.article(url).text for url in sorted(made.allowed_articles())]

    assert texts(3) == texts(3)
    assert not set(texts(3)) & set(texts(4))


def test_stop_hangs_up_on_idle_keep_alive_connections(client):
    site = NewsSite(hosts=1, articles_per_host=2, faults=False).start()
    feed = site.feeds(0)[0]
    assert client.get(feed).status_code == 200  # the connection stays in the client's pool
    site.stop()
    with pytest.raises(httpx.TransportError):
        client.get(feed)


def test_a_benchmark_sized_site_starts_fast():
    began = time.monotonic()
    with NewsSite(hosts=5, articles_per_host=110) as big:
        assert time.monotonic() - began < 5
        assert len(big.allowed_articles()) >= 500
        assert len({site_article.headline for site_article in map(big.article, big.allowed_articles())}) >= 549


def test_command_line_serves_and_logs_in_another_process(tmp_path, client):
    log = tmp_path / "requests.jsonl"
    process = subprocess.Popen([sys.executable, "-m", "tests.support.newssite", "--hosts", "1", "--articles", "3",
                                "--log", str(log)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        info = json.loads(process.stdout.readline())
        assert client.get(info["feeds"][info["hosts"][0]][0]).status_code == 200
        assert len(info["allowed_articles"]) == 3 + 3  # its own 3, plus 429, 500 and wrong charset
        deadline = time.monotonic() + 5
        while not log.exists() or not log.read_text():  # written as the response completes
            assert time.monotonic() < deadline
            time.sleep(0.05)
        record = json.loads(log.read_text().splitlines()[0])
        assert (record["event"], record["path"], record["status"]) == ("request", "/feed.rss", 200)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
