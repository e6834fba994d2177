"""What the test news site serves, as text: article and home pages with the boilerplate real sites carry,
robots.txt, RSS 2.0, Atom, JSON Feed 1.1, sitemaps (index, Google news, plain urlset).

Each feed or sitemap takes (article, url) pairs: the url is what that feed lists, so one article can be
listed under a tracking-parameter variant in one feed and plain in another.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
from collections.abc import Sequence
from html import escape

from tests.support.newstext import NewsArticle

Listed = Sequence[tuple[NewsArticle, str]]

_NAV = ("World", "Politics", "Business", "Africa", "Europe", "Middle East", "Opinion")


def iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def http_date(when: dt.datetime) -> str:
    return email.utils.format_datetime(when.astimezone(dt.UTC), usegmt=True)


def _head(title: str, extra: str = "", charset: bool = True) -> str:
    meta = '<meta charset="utf-8">' if charset else ""
    return (f'<!DOCTYPE html>\n<html lang="en"><head>{meta}<title>{escape(title)}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.rss">'
            '<link rel="alternate" type="application/atom+xml" title="Atom" href="/atom.xml">'
            '<link rel="alternate" type="application/feed+json" title="JSON Feed" href="/feed.json">'
            f'{extra}<style>body{{font-family:serif;max-width:48em;margin:auto}}</style></head>\n')


def _header(site_name: str) -> str:
    links = " ".join(f'<a href="/section/{s.lower().replace(" ", "-")}/">{s}</a>' for s in _NAV)
    return (f'<body><header><div class="masthead"><a href="/">{escape(site_name)}</a></div>'
            f'<nav class="menu">{links} <a href="/subscribe">Subscribe</a> <a href="/login">Sign in</a></nav>'
            '</header>\n')


def _footer(site_name: str, year: int) -> str:
    return (f'<footer><p>&copy; {year} {escape(site_name)}. All rights reserved.</p>'
            '<p><a href="/about">About us</a> | <a href="/privacy">Privacy policy</a> | '
            '<a href="/contact">Contact</a> | <a href="/feed.rss">RSS</a></p>'
            '<p>Sign up for our newsletter to get the headlines every morning.</p></footer>'
            '<script>window.analytics=window.analytics||[];</script></body></html>\n')


def article_page(article: NewsArticle, *, site_name: str, canonical: str, related: Listed = (),
                 charset_meta: bool = True) -> str:
    """A full article page: head metadata, nav, the <article> body, a related-links aside, footer."""
    extra = (f'<link rel="canonical" href="{escape(canonical)}">'
             f'<meta property="og:title" content="{escape(article.headline)}">'
             f'<meta property="og:site_name" content="{escape(site_name)}">'
             f'<meta property="article:published_time" content="{iso(article.published)}">'
             f'<meta property="article:modified_time" content="{iso(article.modified)}">')
    shown = article.published.strftime("%d %B %Y, %H:%M UTC")
    body = "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in article.paragraphs)
    aside = "".join(f'<li><a href="{escape(url)}">{escape(other.headline)}</a></li>' for other, url in related)
    return (_head(f"{article.headline} | {site_name}", extra, charset_meta) + _header(site_name)
            + f'<main><article><h1>{escape(article.headline, quote=False)}</h1>'
            f'<p class="byline">{escape(article.byline)}</p>'
            f'<time datetime="{iso(article.published)}">{shown}</time>\n{body}\n</article>'
            f'<aside class="related"><h2>More news</h2><ul>{aside}</ul></aside></main>\n'
            + _footer(site_name, article.published.year))


def home_page(listed: Listed, *, site_name: str, year: int) -> str:
    items = "\n".join(f'<li><a href="{escape(url)}">{escape(article.headline)}</a> '
                      f'<span class="when">{article.published:%d %b %H:%M}</span></li>' for article, url in listed)
    return (_head(f"{site_name} - World news") + _header(site_name)
            + f'<main><h1>Latest news</h1><ul class="headlines">\n{items}\n</ul></main>\n' + _footer(site_name, year))


def robots_txt(base: str, disallowed: Sequence[str], crawl_delay: float | None) -> str:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallowed)]
    if crawl_delay is not None:
        lines.append(f"Crawl-delay: {crawl_delay:g}")
    return "\n".join([*lines, "", f"Sitemap: {base}/sitemap_index.xml", ""])


def _x(text: str) -> str:
    return escape(text, quote=True)


def rss(listed: Listed, *, site_name: str, base: str, built: dt.datetime) -> str:
    items = "\n".join(
        f"<item><title>{_x(a.headline)}</title><link>{_x(url)}</link>"
        f'<guid isPermaLink="true">{_x(url)}</guid><pubDate>{http_date(a.published)}</pubDate>'
        f"<description>{_x(a.paragraphs[0])}</description></item>" for a, url in listed)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>{_x(site_name)}</title><link>{_x(base)}/</link><description>Latest world news</description>"
            f"<language>en</language><lastBuildDate>{http_date(built)}</lastBuildDate>\n{items}\n</channel></rss>\n")


def atom(listed: Listed, *, site_name: str, base: str, updated: dt.datetime) -> str:
    entries = "\n".join(
        f'<entry><title>{_x(a.headline)}</title><link rel="alternate" href="{_x(url)}"/>'
        f"<id>tag:{_x(base.split('//', 1)[1])},2025:{_x(a.slug)}</id><published>{iso(a.published)}</published>"
        f"<updated>{iso(a.modified)}</updated><author><name>{_x(a.byline.removeprefix('By '))}</name></author>"
        f"<summary>{_x(a.paragraphs[0])}</summary></entry>" for a, url in listed)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f'<title>{_x(site_name)}</title><link rel="self" href="{_x(base)}/atom.xml"/>'
            f'<link rel="alternate" href="{_x(base)}/"/><id>{_x(base)}/</id><updated>{iso(updated)}</updated>\n'
            f"{entries}\n</feed>\n")


def json_feed(listed: Listed, *, site_name: str, base: str) -> str:
    items = [{"id": url, "url": url, "title": a.headline, "summary": a.paragraphs[0],
              "content_text": "\n\n".join(a.paragraphs), "date_published": iso(a.published),
              "date_modified": iso(a.modified), "authors": [{"name": a.byline.removeprefix("By ")}]}
             for a, url in listed]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": site_name,
                       "home_page_url": f"{base}/", "feed_url": f"{base}/feed.json", "language": "en",
                       "items": items}, ensure_ascii=False, indent=1) + "\n"


def sitemap_index(sitemaps: Sequence[tuple[str, dt.datetime]]) -> str:
    entries = "\n".join(f"<sitemap><loc>{_x(url)}</loc><lastmod>{iso(when)}</lastmod></sitemap>"
                        for url, when in sitemaps)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}\n</sitemapindex>\n')


def news_sitemap(listed: Listed, *, site_name: str) -> str:
    entries = "\n".join(
        f"<url><loc>{_x(url)}</loc><news:news><news:publication><news:name>{_x(site_name)}</news:name>"
        f"<news:language>en</news:language></news:publication>"
        f"<news:publication_date>{iso(a.published)}</news:publication_date>"
        f"<news:title>{_x(a.headline)}</news:title></news:news></url>" for a, url in listed)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n{entries}\n</urlset>\n')


def urlset(listed: Listed) -> str:
    entries = "\n".join(f"<url><loc>{_x(url)}</loc><lastmod>{iso(a.modified)}</lastmod>"
                        "<changefreq>never</changefreq></url>" for a, url in listed)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}\n</urlset>\n')


def error_page(status: int, message: str) -> str:
    return f"<!DOCTYPE html>\n<html><head><title>{status} {escape(message)}</title></head><body><h1>{status} " \
           f"{escape(message)}</h1></body></html>\n"
