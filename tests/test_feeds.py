"""dyad.live.feeds: links out of feeds, sitemaps, home pages and robots.txt, from bytes (nothing is fetched)."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dyad.live.feeds import (
    MAX_SITEMAP_BYTES,
    USUAL_SITEMAP_PATHS,
    Link,
    feeds_in_page,
    read_listing,
    sitemaps_in_robots,
)

LIVE = Path(__file__).parent / "fixtures" / "live"


def _read(name: str, url: str, **kwargs):
    return read_listing((LIVE / name).read_bytes(), url, **kwargs)


def _dated(links):
    """Links without their `updated` date (checked on its own in test_updated_dates)."""
    return [Link(link.url, link.published, link.title) for link in links]


def test_updated_dates_say_when_an_article_last_changed():
    atom = _read("atom.xml", "https://bulletin.example/feed")
    assert atom.links[0].updated == datetime(2024, 5, 14, 8, 0, tzinfo=UTC) > atom.links[0].published
    assert atom.links[0].latest == atom.links[0].updated


def test_rss2_items_resolved_deduplicated_and_dated():
    listing = _read("rss2.xml", "https://gazette.example/rss")
    assert listing.kind == "feed" and listing.error is None and listing.sitemaps == []
    assert listing.links == [
        Link("https://gazette.example/2024/05/14/ferry-line", datetime(2024, 5, 14, 8, 30, tzinfo=UTC),
             "Council approves the new ferry line"),  # the first of two items with one URL; spaces folded
        Link("https://gazette.example/2024/05/14/quota-protest?utm_source=rss",  # relative, as written
             datetime(2024, 5, 14, 7, 15, tzinfo=UTC), "Fishermen protest quota cuts",
             updated=datetime(2024, 5, 14, 7, 15, tzinfo=UTC)),  # a dc:date: feedparser's updated
        Link("https://gazette.example/2024/05/13/envoy", None, "Mayor meets the envoy of Marlovia"),  # a permalink guid
    ]  # the mailto: link and the item without a link are dropped


def test_rss1_rdf():
    listing = _read("rss1.rdf", "https://wire.example/rss")
    assert listing.error is None
    assert listing.links == [Link("https://wire.example/a/1", datetime(2024, 5, 12, 17, 0, tzinfo=UTC),
                                  "Dam talks resume between Osterland and Marlovia",
                                  updated=datetime(2024, 5, 12, 17, 0, tzinfo=UTC))]  # its dc:date


def test_atom_published_before_updated_relative_links_and_html_titles():
    listing = _read("atom.xml", "https://bulletin.example/atom.xml")
    assert listing.error is None
    assert _dated(listing.links) == [
        Link("https://bulletin.example/news/border-crossing", datetime(2024, 5, 14, 6, 0, tzinfo=UTC),
             "Border crossing reopens"),  # xml:base; the alternate link, not the enclosure
        Link("https://bulletin.example/news/minister-resigns", datetime(2024, 5, 13, 20, 0, tzinfo=UTC),
             "Minister resigns"),  # only <updated>; an HTML title as its text
    ]


def test_json_feed_url_or_external_url():
    listing = _read("feed.json", "https://coastal.example/feed.json")
    assert listing.kind == "feed" and listing.error is None
    assert [(link.url, link.published, link.title) for link in listing.links] == [
        ("https://coastal.example/2024/storm-warning", datetime(2024, 5, 14, 10, 0, tzinfo=UTC),
         "Storm warning for the coast"),
        ("https://other.example/report", datetime(2024, 5, 13, tzinfo=UTC), "A report elsewhere"),
        ("https://coastal.example/2024/harbour-fire", datetime(2024, 5, 12, 22, 0, tzinfo=UTC), "Harbour fire"),
        ("https://coastal.example/2024/no-date", None, None),  # an unreadable date is no date
    ]


@pytest.mark.parametrize(("body", "content_type", "error"), [
    (b'{"items": 3', None, "not a feed: malformed JSON at line 1 column 12: Expecting ',' delimiter (json)"),
    (b'{"title": "no items"}', None, "not a feed: JSON without an 'items' list (JSON Feed)"),
    (b"[" * 100_000, None, "not a feed: JSON nested too deeply (json)"),
    (b"<!DOCTYPE html><html><body><p>Moved</p></body></html>", "text/html", "not a feed: an HTML page (feedparser)"),
    (b"  \n", None, "not a feed: an empty body"),
    (b"<?xml version='1.0'?><catalog><book/></catalog>", None,
     "not a feed: no RSS, Atom or JSON Feed found (feedparser)"),
])
def test_what_is_not_a_feed_says_so_in_one_line(body, content_type, error):
    listing = read_listing(body, "https://x.example/feed", content_type)
    assert listing.links == [] and listing.error == error


def test_a_truncated_feed_keeps_the_items_before_the_cut():
    body = (LIVE / "rss2.xml").read_bytes()
    listing = read_listing(body[:body.index(b"<title>Mayor")], "https://gazette.example/rss")
    assert [link.url for link in listing.links] == ["https://gazette.example/2024/05/14/ferry-line",
                                                    "https://gazette.example/2024/05/14/quota-protest?utm_source=rss"]
    assert listing.error.startswith("malformed feed: XML not well-formed at line ")
    assert listing.error.endswith("(feedparser)") and "\n" not in listing.error


def test_a_feed_served_as_text_plain_is_no_error():
    listing = _read("rss2.xml", "https://gazette.example/rss", content_type="text/plain; charset=utf-8")
    assert listing.error is None and len(listing.links) == 3


def test_news_sitemap():
    listing = _read("news-sitemap.xml", "https://daily.example/news-sitemap.xml")
    assert listing.kind == "sitemap" and listing.error is None and listing.sitemaps == []
    assert _dated(listing.links) == [
        Link("https://daily.example/world/2024/05/14/summit-ends", datetime(2024, 5, 14, 12, 5, tzinfo=UTC),
             "Summit ends with a joint statement"),  # news:publication_date before lastmod; not the image
        Link("https://daily.example/world/2024/05/14/sanctions?a=1&b=2", datetime(2024, 5, 14, tzinfo=UTC), None),
        Link("https://daily.example/world/2024/05/13/election", None, None),
    ]


def test_sitemap_index():
    listing = _read("sitemap-index.xml", "https://daily.example/sitemap_index.xml")
    assert listing.kind == "sitemap-index" and listing.links == [] and listing.error is None
    assert listing.sitemaps == ["https://daily.example/sitemaps/news.xml",
                                "https://daily.example/sitemaps/2024-04.xml.gz"]  # relative resolved; ftp dropped
    assert listing.sitemap_dates == {"https://daily.example/sitemaps/news.xml": datetime(2024, 5, 14, 16, tzinfo=UTC)}


def test_a_sitemap_without_namespace_and_entities_left_unexpanded():
    body = (b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
            b"<urlset><url><loc>https://n.example/1</loc></url><url><loc>https://n.example/&b;&ext;</loc></url>"
            b"</urlset>")
    listing = read_listing(body, "https://n.example/sitemap.xml")
    assert listing.error is None
    assert [link.url for link in listing.links] == ["https://n.example/1", "https://n.example/"]


def test_a_truncated_sitemap_keeps_every_complete_url():
    body = (LIVE / "news-sitemap.xml").read_bytes()
    listing = read_listing(body[:body.index(b"/world/2024/05/13")], "https://daily.example/news-sitemap.xml")
    assert [link.url for link in listing.links] == ["https://daily.example/world/2024/05/14/summit-ends",
                                                    "https://daily.example/world/2024/05/14/sanctions?a=1&b=2"]
    assert listing.error.startswith("malformed sitemap: XML not well-formed at line 21: ")
    assert listing.error.endswith("(lxml)")


def test_a_gzip_sitemap_by_its_magic_bytes():
    body = gzip.compress((LIVE / "news-sitemap.xml").read_bytes())
    for url in ("https://daily.example/news.xml.gz", "https://daily.example/news"):
        listing = read_listing(body, url, "application/octet-stream")
        assert listing.kind == "sitemap" and listing.error is None and len(listing.links) == 3
    two_members = gzip.compress(b"<urlset><url><loc>https://n.example/1</loc></url>") + gzip.compress(b"</urlset>")
    assert read_listing(two_members, "https://n.example/s.xml.gz").links == [Link("https://n.example/1")]


def test_a_truncated_gzip_sitemap_keeps_what_inflated():
    urls = "".join(f"<url><loc>https://n.example/{n * 7919 % 100_003}</loc></url>" for n in range(5000))
    body = gzip.compress(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode())
    listing = read_listing(body[:len(body) // 2], "https://n.example/sitemap.xml.gz")
    assert 1000 < len(listing.links) < 5000
    assert listing.links[:2] == [Link("https://n.example/0"), Link("https://n.example/7919")]
    assert listing.error.startswith("gzip data truncated after ")
    assert listing.error.endswith(" inflated bytes; the rest is lost")


def _bomb(inflated: int) -> bytes:
    """A gzip file of `inflated` zero bytes, made a megabyte at a time (a few hundred KB on disk)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = b"\0" * 1_000_000
    parts = [compressor.compress(block) for _ in range(inflated // len(block))]
    return b"".join([*parts, compressor.flush()])


def test_damaged_gzip_says_so():
    body = bytearray(gzip.compress(b"<urlset><url><loc>https://n.example/1</loc></url></urlset>" * 50))
    body[30:40] = b"\xff" * 10
    listing = read_listing(bytes(body), "https://n.example/sitemap.xml.gz")
    assert listing.error.startswith("damaged gzip data after ")


def test_a_decompression_bomb_fails_in_bounded_memory():
    bomb = _bomb(300_000_000)
    assert len(bomb) < 1_000_000
    tracemalloc.start()
    try:
        listing = read_listing(bomb, "https://evil.example/sitemap.xml.gz")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert listing.links == []
    assert listing.error == f"not read: gzip inflates beyond {MAX_SITEMAP_BYTES:,} bytes (a decompression bomb?)"
    assert peak < 1.2 * MAX_SITEMAP_BYTES  # the limit and one step, not the 300 MB
    small = read_listing(_bomb(2_000_000), "https://evil.example/s.xml.gz", max_decompressed_bytes=1_000_000)
    assert small.error == "not read: gzip inflates beyond 1,000,000 bytes (a decompression bomb?)"


def test_feeds_in_page_from_link_tags():
    expected = ["https://daily.example/feed.rss",  # once, though announced twice
                "https://daily.example/edition/atom.xml",  # against <base href>; a charset in the type
                "https://daily.example/feed.json"]  # rel="alternate feed"
    # not: the stylesheet, WordPress's REST API, the comments feed, oEmbed, a translation, javascript:, <a> links
    assert feeds_in_page((LIVE / "home.html").read_bytes(), "https://daily.example/") == expected
    assert feeds_in_page((LIVE / "home.html").read_text(encoding="utf-8"), "https://daily.example/") == expected


@pytest.mark.parametrize("page", ["", b"", "<?xml version='1.0' encoding='utf-8'?><html/>", b"\xff\xfe\x00",
                                  '<link rel="alternate" type="application/rss+xml" href="rss">'])
def test_feeds_in_page_of_odd_pages(page):
    found = feeds_in_page(page, "https://n.example/")
    assert found == (["https://n.example/rss"] if "rss" in str(page) else [])


def test_sitemaps_in_robots():
    robots = (LIVE / "robots.txt").read_text(encoding="utf-8")
    assert sitemaps_in_robots(robots, "https://daily.example/robots.txt") == [
        "https://daily.example/sitemap_index.xml", "https://daily.example/news-sitemap.xml"]
    assert sitemaps_in_robots("", "https://daily.example/robots.txt") == []


def test_usual_sitemap_paths_are_absolute_paths():
    assert all(path.startswith("/") for path in USUAL_SITEMAP_PATHS)
    assert "/sitemap.xml" in USUAL_SITEMAP_PATHS
