"""Article links out of feeds, sitemaps and home pages: bytes in, records out; nothing here fetches.

Libraries do the parsing: feedparser for RSS 0.9x/1.0/2.0 and Atom (it recovers entries from broken XML),
json for JSON Feed, lxml for sitemaps (entities not expanded, no network, no huge trees), lxml.html for a
home page's <link> tags, Protego for robots.txt. trafilatura's feed and sitemap helpers are not used: those
that fetch must not be, and the pure ones drop the items' dates, which the poll loop needs.
"""

from __future__ import annotations

import io
import json
import zlib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urljoin, urlsplit

import feedparser
import msgspec
from lxml import etree

# The sitemaps protocol's own limit on an uncompressed sitemap: 50 MB (52,428,800 bytes), sitemaps.org/protocol.html.
# A gzip file that inflates beyond it is refused (a decompression bomb) after at most this much memory.
MAX_SITEMAP_BYTES = 52_428_800
# Where sites usually put sitemaps when robots.txt names none: the protocol's default /sitemap.xml, the index name
# of the common CMS plugins (Yoast, Rank Math), and the two usual names of a Google News sitemap.
USUAL_SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml", "/sitemap-news.xml")
# Google News sitemap extension: developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap
NEWS_NAMESPACE = "http://www.google.com/schemas/sitemap-news/0.9"
# Media types of a home page's <link rel="alternate"> that announce a feed: RSS 2.0, RSS 1.0 (RDF), Atom
# (RFC 4287), JSON Feed (jsonfeed.org/version/1.1 names application/feed+json; older sites say application/json).
FEED_TYPES = frozenset({"application/rss+xml", "application/rdf+xml", "application/atom+xml",
                        "application/feed+json", "application/json"})
# <link rel="alternate"> tags that are not feeds of articles: WordPress's REST API alternate (application/json,
# on every WordPress page) and comment feeds (trafilatura.feeds skips them too: its BLACKLIST).
NOT_ARTICLE_FEEDS = ("/wp-json/", "/comments/feed")
# Inflated at most this much per step, so a bomb costs its limit plus one step. Set by hand: a step is cheap.
INFLATE_CHUNK_BYTES = 1_048_576
GZIP_MAGIC = b"\x1f\x8b"  # RFC 1952, section 2.3.1
MAX_ERROR_CHARS = 200  # a library's message quoted in an error is cut here: one line, never a dump

Kind = Literal["feed", "sitemap", "sitemap-index"]


class Link(msgspec.Struct):
    """An article URL of a listing, with the date and title the listing gives it (the poll loop orders by it)."""

    url: str  # absolute (resolved against the listing's URL), otherwise as written: not canonical
    published: datetime | None = None  # aware, UTC; a date without a time is its midnight UTC
    title: str | None = None
    # when the listing says the article last changed (Atom updated, JSON Feed date_modified, sitemap lastmod):
    # a later one than stored means an updated article, fetched again
    updated: datetime | None = None

    @property
    def latest(self) -> datetime | None:
        """The latest date the listing gives the article: what a stored page is compared with."""
        return max((d for d in (self.published, self.updated) if d is not None), default=None)


class Listing(msgspec.Struct):
    """What a feed or sitemap lists; `error` says (one line) why it was read only in part, or not at all."""

    kind: Kind
    links: list[Link] = []
    sitemaps: list[str] = []  # child sitemaps of a sitemap index, absolute
    sitemap_dates: dict[str, datetime] = {}  # a child sitemap's <lastmod>, when it has one (skip the unchanged)
    error: str | None = None


def read_listing(body: bytes, url: str, content_type: str | None = None, *,
                 max_decompressed_bytes: int = MAX_SITEMAP_BYTES) -> Listing:
    """The links of a feed (RSS, Atom, JSON Feed), sitemap or sitemap index, told apart by their content (the
    content type only hints JSON); gzip is inflated up to `max_decompressed_bytes`. Never raises on bad input:
    whatever could be read is kept and `error` says what went wrong."""
    error = None
    if body[:2] == GZIP_MAGIC:  # inflated once: a gzip inside (a gzip quine even) reads as not a listing
        body, error = _gunzip(body, max_decompressed_bytes)
        if body is None:
            return Listing(kind="sitemap", error=error)
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if not start:
        listing = Listing(kind="feed", error="not a feed: an empty body")
    elif start in (b"{", b"[") or "json" in (content_type or "").lower():
        listing = _json_feed(body, url)
    else:  # XML: a sitemap by its root element, else a feed (feedparser reads a broken one as far as it can)
        listing = _sitemap(body.lstrip(b" \t\r\n"), url) or _feed(body, url, content_type)
    listing.error = error or listing.error  # the gzip damage first: it explains the rest
    return listing


def _gunzip(data: bytes, limit: int) -> tuple[bytes | None, str | None]:
    """The inflated bytes of a gzip file (members concatenated), never more than `limit`: None and the
    reason for a bomb; a truncated or damaged stream keeps what inflated, and says so."""
    out = bytearray()
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)  # 16: gzip header and trailer
    pending = data
    try:
        while True:
            chunk = inflater.decompress(pending, min(INFLATE_CHUNK_BYTES, limit + 1 - len(out)))
            out += chunk
            if len(out) > limit:
                return None, f"not read: gzip inflates beyond {limit:,} bytes (a decompression bomb?)"
            pending = inflater.unconsumed_tail
            if inflater.eof:
                pending = inflater.unused_data
                if pending[:2] != GZIP_MAGIC:  # the end, or padding after the last member
                    return bytes(out), None
                inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
            elif not chunk and not pending:
                return bytes(out), f"gzip data truncated after {len(out):,} inflated bytes; the rest is lost"
    except zlib.error as error:
        return bytes(out), f"damaged gzip data after {len(out):,} inflated bytes: {error}"


def _absolute(href: object, base: str) -> str | None:
    """`href` resolved against `base` when it is an http(s) URL; else None (mailto:, javascript:, garbage)."""
    if not isinstance(href, str) or not href.strip():
        return None
    try:
        absolute = urljoin(base, href.strip())
        parts = urlsplit(absolute)
    except ValueError:  # an invalid IPv6 host and the like
        return None
    return absolute if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def _date(text: object) -> datetime | None:
    """An ISO 8601 / W3C date (sitemaps, JSON Feed), or an RFC 822 one some sitemaps carry; aware, UTC."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        try:
            value = parsedate_to_datetime(text.strip())
        except (TypeError, ValueError, IndexError):
            return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _title(text: object) -> str | None:
    return (" ".join(text.split()) or None) if isinstance(text, str) else None


def _clip(message: str) -> str:
    first = next((line.strip() for line in str(message).splitlines() if line.strip()), "")
    return first[:MAX_ERROR_CHARS]


class _Links:
    """Links in order, the first of each URL kept."""

    def __init__(self, base: str):
        self.base = base
        self.links: list[Link] = []
        self.seen: set[str] = set()

    def add(self, href: object, published: datetime | None, title: str | None,
            updated: datetime | None = None) -> None:
        url = _absolute(href, self.base)
        if url is not None and url not in self.seen:
            self.seen.add(url)
            self.links.append(Link(url=url, published=published, title=title, updated=updated))


def _json_feed(body: bytes, url: str) -> Listing:
    """A JSON Feed 1.0/1.1 (jsonfeed.org): each item's `url`, else its `external_url`."""
    try:
        document = json.loads(body)
    except RecursionError:
        return Listing(kind="feed", error="not a feed: JSON nested too deeply (json)")
    except ValueError as error:  # JSONDecodeError, or bytes in no encoding json knows
        where = f" at line {error.lineno} column {error.colno}" if isinstance(error, json.JSONDecodeError) else ""
        return Listing(kind="feed", error=f"not a feed: malformed JSON{where}: {_clip(getattr(error, 'msg', error))}"
                                          " (json)")
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list):
        return Listing(kind="feed", error="not a feed: JSON without an 'items' list (JSON Feed)")
    links = _Links(url)
    for item in items:
        if isinstance(item, dict):
            href = item.get("url") if isinstance(item.get("url"), str) else item.get("external_url")
            links.add(href, _date(item.get("date_published")) or _date(item.get("date_modified")),
                      _title(item.get("title")), _date(item.get("date_modified")))
    return Listing(kind="feed", links=links.links)


def _feed(body: bytes, url: str, content_type: str | None) -> Listing:
    """RSS or Atom by feedparser, given a stream (a str or bytes argument may make it open a file or a URL)."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    links = _Links(url)
    for entry in parsed.entries:
        # dict.get: FeedParserDict maps a missing key to another (updated -> published), with a warning
        when = entry.get("published_parsed") or dict.get(entry, "updated_parsed") or entry.get("created_parsed")
        title = entry.get("title")
        if "html" in (entry.get("title_detail") or {}).get("type", "") and title and "<" in title:
            title = _text_of_html(title)  # an Atom title of type="html"
        links.add(entry.get("link"), _struct_date(when), _title(title), _struct_date(dict.get(entry, "updated_parsed")))
    problem = parsed.get("bozo_exception")
    # feedparser also flags harmless things (a text/plain content type, a wrong charset declaration)
    broken = parsed.get("bozo") and not isinstance(problem, feedparser.ThingsNobodyCaresAboutButMe)
    if parsed.get("version") or links.links:
        error = f"malformed feed: {_bozo(problem)}" if broken else None
    elif "html" in (content_type or "").lower() or body.lstrip()[:14].lower().startswith((b"<!doctype html", b"<html")):
        error = "not a feed: an HTML page (feedparser)"
    else:
        error = f"not a feed: {_bozo(problem) if broken else 'no RSS, Atom or JSON Feed found (feedparser)'}"
    return Listing(kind="feed", links=links.links, error=error)


def _text_of_html(markup: str) -> str:
    from lxml import html as lxml_html

    try:
        return lxml_html.fragment_fromstring(markup, create_parent="div").text_content()
    except (etree.ParserError, ValueError):
        return markup


def _bozo(problem: Exception) -> str:
    """feedparser's complaint (a SAXParseException, mostly) as one line."""
    line = problem.getLineNumber() if hasattr(problem, "getLineNumber") else None
    message = _clip(problem.getMessage() if hasattr(problem, "getMessage") else str(problem))
    return f"XML not well-formed at line {line}: {message} (feedparser)" if line else f"{message} (feedparser)"


def _struct_date(value) -> datetime | None:
    """feedparser's date (a time.struct_time in UTC) as an aware datetime."""
    try:
        return datetime(*value[:6], tzinfo=UTC) if value else None
    except (TypeError, ValueError):
        return None


def _sitemap(body: bytes, url: str) -> Listing | None:
    """A sitemap (urlset, Google News extension included) or a sitemap index; None when the root element is
    another (a feed). Read element by element, so a truncated file keeps every complete <url> before the cut."""
    links, sitemaps, dates, kind, space = _Links(url), _Links(url), {}, None, ""
    events = etree.iterparse(io.BytesIO(body), events=("start", "end"), resolve_entities=False, no_network=True,
                             huge_tree=False, load_dtd=False, remove_comments=True, remove_pis=True)
    try:
        for event, element in events:
            if kind is None:
                name = etree.QName(element)
                if name.localname not in ("urlset", "sitemapindex"):
                    return None
                kind, space = ("sitemap" if name.localname == "urlset" else "sitemap-index"), name.namespace
                space = f"{{{space}}}" if space else ""
            elif event == "end" and element.tag in (f"{space}url", f"{space}sitemap"):
                _sitemap_entry(element, space, links if element.tag == f"{space}url" else sitemaps, dates)
                element.clear()  # bounded memory: an entry is read once
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except etree.XMLSyntaxError as error:
        if kind is None:
            return None  # not even a root element: feedparser says what it is
        message = _clip(error.msg.split(", line ")[0])
        return Listing(kind=kind, links=links.links, sitemaps=[link.url for link in sitemaps.links],
                       sitemap_dates=dates, error=f"malformed sitemap: XML not well-formed at line {error.lineno}: "
                                                  f"{message} (lxml)")
    if kind is None:
        return None
    return Listing(kind=kind, links=links.links, sitemaps=[link.url for link in sitemaps.links], sitemap_dates=dates)


def _sitemap_entry(element, space: str, into: _Links, dates: dict[str, datetime]) -> None:
    """One <url> (its news:publication_date, else <lastmod>; its news:title) or one <sitemap> of an index."""
    lastmod = _date(element.findtext(f"{space}lastmod"))
    published = _date(element.findtext(f"{{{NEWS_NAMESPACE}}}news/{{{NEWS_NAMESPACE}}}publication_date"))
    title = _title(element.findtext(f"{{{NEWS_NAMESPACE}}}news/{{{NEWS_NAMESPACE}}}title"))
    before = len(into.links)
    into.add(element.findtext(f"{space}loc"), published or lastmod, title, lastmod)
    if element.tag == f"{space}sitemap" and len(into.links) > before and lastmod is not None:
        dates[into.links[-1].url] = lastmod


def feeds_in_page(html: bytes | str, url: str) -> list[str]:
    """Feed URLs a home page announces in <link rel="alternate" type="..."> tags (FEED_TYPES), absolute (against
    its <base href>, else `url`), in page order, without comment feeds or WordPress's REST API."""
    from lxml import html as lxml_html

    data = html.encode("utf-8") if isinstance(html, str) else html
    parser = lxml_html.HTMLParser(encoding="utf-8" if isinstance(html, str) else None, no_network=True)
    try:
        page = lxml_html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):  # an empty or undecodable document
        return []
    base = next((b for b in (_absolute(h, url) for h in page.xpath("//base/@href")) if b), url)
    found: list[str] = []
    for link in page.xpath("//link[@href]"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        href = _absolute(link.get("href"), base)
        if ("alternate" in rel and kind in FEED_TYPES and href and href not in found
                and not any(part in href.lower() for part in NOT_ARTICLE_FEEDS)):
            found.append(href)
    return found


def sitemaps_in_robots(robots_txt: str, url: str) -> list[str]:
    """The sitemaps a robots.txt names (its Sitemap: lines, by Protego), absolute against `url`, http(s) only."""
    from protego import Protego

    found: list[str] = []
    for href in Protego.parse(robots_txt).sitemaps:
        absolute = _absolute(href, url)
        if absolute and absolute not in found:
            found.append(absolute)
    return found
