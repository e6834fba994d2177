"""The sources dyad watch follows: feeds and sitemaps, their settings and their health, in the store.

A user names a site or a feed once (`dyad sources add URL`); a site is looked at through dyad's fetcher
(its home page's `<link rel="alternate">` feeds, the sitemaps its robots.txt names, the usual sitemap
paths) and each feed or sitemap found becomes a source. Settings round-trip through a TOML file users
keep in version control (`dyad sources export|import`).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

import duckdb
import msgspec
import tomli_w

from dyad.live.feeds import USUAL_SITEMAP_PATHS, feeds_in_page, read_listing, sitemaps_in_robots
from dyad.live.urls import canonical

# Seconds between two polls of a source: GDELT's update interval. A setting (`interval` per source).
DEFAULT_INTERVAL = 900.0
# A source failing again waits interval * 2^failures, at most this long: a dead feed is tried a few
# times a day, not every 15 minutes, and comes back by itself when it recovers. A setting.
MAX_BACKOFF_SECONDS = 6 * 3600.0
# Sources due within this many seconds of each other are polled together: one poll (and one log line)
# for sources added together, not one each a moment apart. A setting.
DUE_TOGETHER_SECONDS = 5.0
KINDS = ("feed", "sitemap")
_SETTINGS = ("kind", "site", "label", "language", "interval", "delay")


class Source(msgspec.Struct, kw_only=True):
    """A feed or sitemap and its settings. `delay`: seconds between two requests to its host (None:
    the fetcher's default); `interval`: seconds between two polls."""

    url: str
    kind: str = "feed"
    site: str | None = None
    label: str | None = None
    language: str | None = None
    interval: float = DEFAULT_INTERVAL
    delay: float | None = None


class SourceError(ValueError):
    """A source that cannot be added or a sources file that cannot be read; the message says why."""


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$")
_UNIT_SECONDS = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def seconds(value: str | float | int) -> float:
    """A duration as written in a sources file or on the command line: 900, "30s", "15m", "1h", "1d"."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise SourceError(f"{value!r} is not a duration: give seconds or a number with s, m, h or d (\"15m\")")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


# ---------------------------------------------------------------- discovery


def discover(url: str, fetcher) -> list[Source]:
    """The feeds and sitemaps behind `url`: itself when it is a feed or sitemap, else (a site) the feeds
    its page links to and the sitemaps of its robots.txt and the usual paths that answer with one."""
    page = fetcher.fetch(url)
    if not page.ok:
        raise SourceError(f"{url}: {page.error or f'HTTP {page.status}'}")
    listing = read_listing(page.body, page.final_url, page.headers.get("content-type"))
    if listing.error is None and (listing.links or listing.sitemaps):
        return [Source(url=page.final_url, kind="sitemap" if listing.kind.startswith("sitemap") else "feed")]
    site = page.final_url
    found = [Source(url=feed, kind="feed", site=site) for feed in feeds_in_page(page.body, site)]
    root = re.match(r"^https?://[^/]+", site).group(0)
    robots = fetcher.fetch(root + "/robots.txt")
    sitemaps = sitemaps_in_robots(robots.body.decode("utf-8", "replace"), root) if robots.ok else []
    for candidate in [*sitemaps, *(root + path for path in USUAL_SITEMAP_PATHS if root + path not in sitemaps)]:
        answer = fetcher.fetch(candidate)
        if answer.ok and read_listing(answer.body, answer.final_url, answer.headers.get("content-type")).kind \
                .startswith("sitemap"):
            found.append(Source(url=answer.final_url, kind="sitemap", site=site))
    if not found:
        raise SourceError(f"{url}: no feed or sitemap found (no <link rel=\"alternate\"> feed on the page, none in "
                          "robots.txt or at the usual paths); give a feed's URL")
    return found


# ---------------------------------------------------------------- the store's sources table


def save_sources(con: duckdb.DuckDBPyConnection, sources: Iterable[Source]) -> int:
    """Add sources or change their settings; a source's health is kept. Returns how many were new."""
    new = 0
    for source in sources:
        if source.kind not in KINDS:
            raise SourceError(f"{source.url}: kind must be one of {', '.join(KINDS)}, not {source.kind!r}")
        url = canonical(source.url)
        exists = con.execute("SELECT count(*) FROM sources WHERE url = ?", [url]).fetchone()[0]
        values = [source.kind, source.site, source.label, source.language, source.interval, source.delay]
        if exists:
            # a shorter interval takes effect now, not after the poll the old one scheduled
            con.execute("UPDATE sources SET kind = ?, site = ?, label = ?, language = ?, interval_seconds = ?, "
                        "delay_seconds = ?, next_poll = least(next_poll, last_poll + to_seconds(?)) WHERE url = ?",
                        [*values, source.interval, url])
        else:
            new += 1
            con.execute("INSERT INTO sources (url, kind, site, label, language, interval_seconds, delay_seconds, "
                        "added_at, consecutive_failures, items_seen, articles_stored) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, now(), 0, 0, 0)", [url, *values])
    return new


def load_sources(con: duckdb.DuckDBPyConnection) -> list[Source]:
    rows = con.execute("SELECT url, kind, site, label, language, interval_seconds, delay_seconds FROM sources "
                       "ORDER BY url").fetchall()
    return [Source(url=r[0], kind=r[1], site=r[2], label=r[3], language=r[4], interval=r[5], delay=r[6])
            for r in rows]


def remove_sources(con: duckdb.DuckDBPyConnection, urls: Iterable[str]) -> int:
    """Stop following these sources (what was stored from them stays). Returns how many were removed."""
    removed = 0
    for url in urls:
        removed += len(con.execute("DELETE FROM sources WHERE url = ? OR url = ? RETURNING url",
                                   [url, canonical(url)]).fetchall())
    return removed


def due_sources(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> list[Source]:
    """Sources whose next poll has come, or comes within DUE_TOGETHER_SECONDS (never polled ones first)."""
    rows = con.execute("SELECT url FROM sources WHERE next_poll IS NULL OR next_poll <= ? "
                       "ORDER BY next_poll NULLS FIRST, url", [now + dt.timedelta(seconds=DUE_TOGETHER_SECONDS)]
                       ).fetchall()
    wanted = {r[0] for r in rows}
    return [s for s in load_sources(con) if s.url in wanted]


def next_wake(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    return con.execute("SELECT min(next_poll) FROM sources").fetchone()[0]


def record_poll(con: duckdb.DuckDBPyConnection, source: Source, now: dt.datetime, *, error: str | None,
                items: int, stored: int) -> dt.datetime:
    """A poll's outcome on the source's health; returns its next poll. A failing source backs off."""
    failures = 0 if error is None else 1 + (con.execute(
        "SELECT coalesce(consecutive_failures, 0) FROM sources WHERE url = ?", [source.url]).fetchone() or (0,))[0]
    wait = min(source.interval * 2 ** failures, max(MAX_BACKOFF_SECONDS, source.interval))
    next_poll = now + dt.timedelta(seconds=wait)
    if error is None:
        con.execute("UPDATE sources SET last_poll = ?, next_poll = ?, last_success = ?, consecutive_failures = 0, "
                    "items_seen = items_seen + ?, articles_stored = articles_stored + ? WHERE url = ?",
                    [now, next_poll, now, items, stored, source.url])
    else:
        con.execute("UPDATE sources SET last_poll = ?, next_poll = ?, last_error = ?, last_error_at = ?, "
                    "consecutive_failures = ?, items_seen = items_seen + ?, articles_stored = articles_stored + ? "
                    "WHERE url = ?", [now, next_poll, error, now, failures, items, stored, source.url])
    return next_poll


# ---------------------------------------------------------------- the sources file


def export_toml(sources: Iterable[Source], path: Path | None = None) -> str:
    """The sources as a TOML file users keep in version control (`[[source]]` tables)."""
    tables = []
    for source in sources:
        table = {"url": source.url}
        for name in _SETTINGS:
            value = getattr(source, name)
            if value is not None and not (name == "interval" and value == DEFAULT_INTERVAL):
                table[name] = value
        tables.append(table)
    text = "# dyad watch sources: `dyad sources import` reads this file back\n" + tomli_w.dumps({"source": tables})
    if path is not None:
        path.write_text(text, encoding="utf-8")
    return text


def import_toml(path: Path) -> list[Source]:
    """The sources of a TOML file: `[[source]]` tables with `url` and optional settings, and an optional
    `[defaults]` table whose settings every source without its own takes."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise SourceError(f"{path}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise SourceError(f"{path}: not TOML: {error}") from None
    defaults = data.get("defaults", {})
    sources = []
    for number, table in enumerate(data.get("source", []), start=1):
        where = f"{path}: source {number}"
        if not isinstance(table, dict) or not isinstance(table.get("url"), str):
            raise SourceError(f"{where}: needs a url")
        unknown = set(table) - {"url", *_SETTINGS}
        if unknown:
            raise SourceError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}; "
                              f"known: url, {', '.join(_SETTINGS)}")
        merged = {**{k: v for k, v in defaults.items() if k in _SETTINGS}, **table}
        for name in ("interval", "delay"):
            if name in merged:
                merged[name] = seconds(merged[name])
        try:
            sources.append(msgspec.convert(merged, Source))
        except msgspec.ValidationError as error:
            raise SourceError(f"{where}: {error}") from None
    if not sources:
        raise SourceError(f"{path}: no [[source]] table")
    return sources
