"""The content of the test news site: which articles each virtual host holds, at which paths, listed by which
feeds and sitemaps (under which URL variant), and the rendering of every page the site serves."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import math
from urllib.parse import urlsplit

from tests.support import newspages as pages
from tests.support.newsserver import HostServer, Resource, resource
from tests.support.newstext import ArticleWriter, NewsArticle, accented_article, slugify
from tests.support.newswords import SITE_NAMES

# A fixed anchor (NewsSite(anchor=FIXED_ANCHOR)) makes the whole site, weekdays in the text included, the same
# on every run; the default anchor is the time the site is built, so articles look fresh to an age filter.
FIXED_ANCHOR = dt.datetime(2025, 3, 14, 12, 0, tzinfo=dt.UTC)
DISALLOWED = ("/private/",)
FEED_PATHS = {"rss": "/feed.rss", "atom": "/atom.xml", "json": "/feed.json"}
SITEMAP_PATHS = {"index": "/sitemap_index.xml", "news": "/sitemap-news.xml", "archive": "/sitemap-archive.xml.gz"}
BROKEN_FEED_PATH = "/broken.rss"
# fault kind -> (path on the first host, category, the feeds that list it)
FAULTS = {
    "slow": ("/news/slow-response.html", "timeout", {"rss"}),
    "rate_limited": ("/news/rate-limited.html", "429 then 200", {"rss", "news"}),
    "server_error": ("/news/server-error.html", "500 then 200", {"rss", "atom"}),
    "redirect_loop": ("/loop/a", "redirect loop", {"rss"}),
    "oversized": ("/news/oversized.html", "too large", {"rss"}),
    "gzip_bomb": ("/news/gzip-bomb.html", "decompression bomb", {"rss"}),
    "wrong_charset": ("/news/wrong-charset.html", "wrong charset header", {"rss", "json"}),
}
NEVER_SUCCEED = ("slow", "redirect_loop", "oversized", "gzip_bomb")
TRANSIENT = ("rate_limited", "server_error")
TRACKING = {"rss": "?utm_source=rss&utm_medium=feed", "atom": "?fbclid=IwAR0dyadNewsSiteTest"}
PRIVATE_PER_HOST = 2
HOME_LINKS = 25
_SPACING = dt.timedelta(minutes=41)  # between one host's articles


@dataclasses.dataclass
class Entry:
    """An article at a path, with the feeds and sitemaps that list it and the query each appends."""

    article: NewsArticle
    path: str
    feeds: set[str]
    variants: dict[str, str] = dataclasses.field(default_factory=dict)
    fault: str | None = None


@dataclasses.dataclass
class Host:
    index: int
    name: str
    entries: list[Entry]  # newest first
    base: str = ""
    server: HostServer | None = None
    cache: dict[str, Resource] = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        self.reindex()

    def reindex(self) -> None:
        self.entries.sort(key=lambda e: e.article.published, reverse=True)
        self.by_path = {e.path: e for e in self.entries}

    @property
    def netloc(self) -> str:
        return urlsplit(self.base).netloc

    def listed(self, feed: str) -> list[tuple[NewsArticle, str]]:
        return [(e.article, self.base + e.path + e.variants.get(feed, "")) for e in self.entries if feed in e.feeds]


def regular_feeds(rank: int, count: int) -> set[str]:
    """Which feeds list the article of this rank (0 newest): every rank in one at least, most in two."""
    feeds = {"rss"} if rank < math.ceil(count / 2) else set()
    if count // 4 <= rank < 3 * count // 4:
        feeds.add("atom")
    if rank % 3 == 0 and rank < 3 * count // 5:
        feeds.add("json")
    if rank < 2 * count // 5:
        feeds.add("news")
    if rank >= 3 * count // 10:
        feeds.add("archive")
    return feeds


def newest(listed: list[tuple[NewsArticle, str]], default: dt.datetime) -> dt.datetime:
    return max((a.modified for a, _ in listed), default=default)


def build_host(writer: ArticleWriter, index: int, count: int, *, anchor: dt.datetime, faults: bool) -> Host:
    """A host's articles: `count` regular ones, the private ones, and (first host) the faulty ones."""
    def when(slot: float) -> dt.datetime:
        return anchor - slot * _SPACING - dt.timedelta(minutes=7 * index)

    entries = []
    for rank in range(count):
        article = writer.write(when(rank))
        entries.append(Entry(article, f"/news/{article.slug}.html", regular_feeds(rank, count)))
    for k in range(PRIVATE_PER_HOST):
        article = writer.write(when(3 * k + 1.5))
        entries.append(Entry(article, f"/private/{article.slug}.html", {"rss"}))
    if index == 0 and faults:
        for k, (kind, (path, _, feeds)) in enumerate(FAULTS.items()):
            published = when(k + 0.5)
            article = accented_article(published) if kind == "wrong_charset" else writer.write(published)
            entries.append(Entry(article, path, set(feeds), fault=kind))
        tracked = entries[min(1, count - 1)] if count else None
        if tracked is not None:
            tracked.feeds |= {"rss", "atom", "news"}
            tracked.variants = dict(TRACKING)
    name = SITE_NAMES[index] if index < len(SITE_NAMES) else f"World Bulletin {index + 1}"
    return Host(index, name, entries)


def syndicate(origin: Host, copier: Host) -> tuple[str, str]:
    """One wire story republished by another host: its last paragraph trimmed, a new URL."""
    source = next(e for e in origin.entries if e.fault is None and e.path.startswith("/news/"))
    paragraphs = source.article.paragraphs[:-1] if len(source.article.paragraphs) > 4 else \
        list(source.article.paragraphs)
    copy = dataclasses.replace(source.article, slug=f"{slugify(source.article.headline)}-syndicated",
                               paragraphs=paragraphs,
                               published=source.article.published + dt.timedelta(minutes=30),
                               modified=source.article.published + dt.timedelta(minutes=30))
    entry = Entry(copy, f"/news/{copy.slug}.html", {"rss", "news", "archive"})
    copier.entries.append(entry)
    copier.reindex()
    return source.path, entry.path


# Long: one branch per kind of page the site serves, each a line or two.
def render(host: Host, path: str, *, anchor: dt.datetime, crawl_delay: float | None, faults: bool) -> Resource | None:
    """The page at `path` on `host`, with its validators; None: not found."""
    name, base = host.name, host.base
    if path in ("/", "/index.html"):
        listed = [(e.article, base + e.path) for e in host.entries
                  if e.fault is None and e.path.startswith("/news/")][:HOME_LINKS]
        return resource(pages.home_page(listed, site_name=name, year=anchor.year), "text/html; charset=utf-8",
                        newest(listed, anchor))
    if path == "/robots.txt":
        return resource(pages.robots_txt(base, DISALLOWED, crawl_delay), "text/plain; charset=utf-8",
                        anchor)
    if path == FEED_PATHS["rss"] or (path == BROKEN_FEED_PATH and host.index == 0 and faults):
        listed = host.listed("rss")
        text = pages.rss(listed, site_name=name, base=base, built=newest(listed, anchor))
        if path == BROKEN_FEED_PATH:
            text = text[:len(text) * 3 // 5]  # cut mid-element: no closing tags
        return resource(text, "application/rss+xml; charset=utf-8", newest(listed, anchor))
    if path == FEED_PATHS["atom"]:
        listed = host.listed("atom")
        updated = newest(listed, anchor)
        return resource(pages.atom(listed, site_name=name, base=base, updated=updated),
                        "application/atom+xml; charset=utf-8", updated)
    if path == FEED_PATHS["json"]:
        listed = host.listed("json")
        return resource(pages.json_feed(listed, site_name=name, base=base), "application/feed+json; charset=utf-8",
                        newest(listed, anchor))
    if path == SITEMAP_PATHS["index"]:
        children = [(base + SITEMAP_PATHS[s], newest(host.listed(s), anchor)) for s in ("news", "archive")]
        return resource(pages.sitemap_index(children), "application/xml; charset=utf-8",
                        max(when for _, when in children))
    if path == SITEMAP_PATHS["news"]:
        listed = host.listed("news")
        return resource(pages.news_sitemap(listed, site_name=name), "application/xml; charset=utf-8",
                        newest(listed, anchor))
    if path == SITEMAP_PATHS["archive"]:
        listed = host.listed("archive")
        return resource(gzip.compress(pages.urlset(listed).encode(), mtime=0), "application/gzip",
                        newest(listed, anchor))
    entry = host.by_path.get(path)
    if entry is None or path == "/loop/a":
        return None
    related = [(e.article, base + e.path) for e in host.entries
               if e is not entry and e.fault is None and e.path.startswith("/news/")][:3]
    page = pages.article_page(entry.article, site_name=name, canonical=base + path, related=related,
                              charset_meta=entry.fault != "wrong_charset")
    return resource(page, "text/html; charset=utf-8", entry.article.modified)

