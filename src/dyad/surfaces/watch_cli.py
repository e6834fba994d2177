"""`dyad sources` and `dyad watch`: name news sources once, leave dyad running, keep the store current.

Thin shells over `dyad.live` (sources, the fetcher, the watcher); what they print is the library's
records as tables and log lines.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import click
from rich.table import Table

from dyad.surfaces.terminal import fit, stderr, stdout_console

_DB = click.option("--db", default="dyad.duckdb", show_default=True, type=click.Path(dir_okay=False),
                   help="The store that holds the sources (made when absent).")


def _fetcher_options(command):
    command = click.option("--timeout", type=click.FloatRange(min=0.1), default=None, metavar="SECONDS",
                           help="Seconds to wait for a server's next bytes (read timeout; default 20). A whole "
                           "response has three times as long.")(command)
    command = click.option("--contact", default=None, metavar="EMAIL|URL",
                           help="Who to contact about this crawler, sent in the User-Agent (sites block "
                           "anonymous crawlers sooner).")(command)
    return click.option("--delay", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
                        help="Seconds between two requests to one host (default 5; a source's own `delay` "
                        "and a site's robots.txt Crawl-delay can raise it).")(command)


def _fetcher(contact: str | None, delay: float | None, timeout: float | None = None, on_exchange=None):
    from dyad.live.fetch import Fetcher

    settings = {} if delay is None else {"delay": delay}
    if timeout is not None:
        settings.update(read_timeout=timeout, connect_timeout=timeout, total_timeout=3 * timeout)
    return Fetcher(contact=contact, on_exchange=on_exchange, **settings)


def _write(db: str, change):
    """`change(connection)` on the store, in one transaction; its answer."""
    from dyad.corpus.store import Store

    store = Store(db)
    try:
        with store.transaction():
            return change(store.connection)
    finally:
        store.close()


@click.group("sources")
def sources_group() -> None:
    """The feeds and sitemaps `dyad watch` follows, kept in the store.

    \b
    Examples:
      dyad sources add https://www.example-news.org/ --db news.duckdb     # its feeds and sitemaps
      dyad sources add https://example.org/world.rss --label World --interval 30m
      dyad sources import examples/sources.toml --db news.duckdb
      dyad sources export sources.toml --db news.duckdb
    """


@sources_group.command("add")
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@_DB
@click.option("--label", default=None, help="A name for the source(s) in tables and the explorer.")
@click.option("--language", default=None, metavar="CODE", help="The sources' language (ISO 639-1), e.g. en.")
@click.option("--interval", default="15m", show_default=True, metavar="DURATION",
              help="Time between two polls: seconds or 30s, 15m, 1h.")
@click.option("--as-is", is_flag=True, help="Take each URL as a feed or sitemap without looking at the site.")
@_fetcher_options
def sources_add(urls, db, label, language, interval, as_is, contact, delay, timeout) -> None:
    """Follow sites, feeds or sitemaps: a site's feeds come from its page's <link> tags, its sitemaps
    from robots.txt and the usual paths (fetched politely, robots.txt obeyed)."""
    from dyad.live.sources import Source, SourceError, discover, save_sources, seconds

    try:
        every = seconds(interval)
    except SourceError as error:
        raise click.BadParameter(str(error), param_hint="--interval") from None
    found: list[Source] = []
    if as_is:
        found = [Source(url=url, kind="sitemap" if "sitemap" in url.lower() else "feed") for url in urls]
    else:
        with _fetcher(contact, delay, timeout) as fetcher:
            for url in urls:
                try:
                    found.extend(discover(url, fetcher))
                except SourceError as error:
                    raise click.ClickException(str(error)) from None
    for source in found:
        source.label, source.language, source.interval, source.delay = label, language, every, delay
    new = _write(db, lambda con: save_sources(con, found))
    for source in found:
        click.echo(f"{source.kind:8} {source.url}")
    stderr.print(f"dyad: {new} new source(s), {len(found) - new} updated -> {db}", markup=False)


@sources_group.command("list")
@_DB
def sources_list(db: str) -> None:
    """The sources and their health: last poll, last success, failures, items seen, articles stored."""
    from dyad.corpus.store import Store

    store = Store(db, read_only=True)
    try:
        table = _query_table(store.connection, *_HEALTH)
    finally:
        store.close()
    console = stdout_console()
    console.print(fit(table, console) if table else f"{db} follows no source: `dyad sources add URL --db {db}`")


# each source's settings and health, as `sources list` and `status` show them
_HEALTH = ("SELECT url, kind, label, interval_seconds, last_poll, last_success, consecutive_failures, items_seen, "
           "articles_stored, last_error FROM sources ORDER BY url",
           ("source", "kind", "label", "every", "last poll", "last success", "failures", "items", "stored",
            "last error"))
# every URL dyad watch did not store, with why
_NOT_STORED = ("SELECT url, status, reason, fetched_at FROM pages WHERE status IN ('failed', 'disallowed') "
               "ORDER BY status, url", ("url", "status", "reason", "when"))


def _query_table(con, query: str, columns: tuple[str, ...], title: str | None = None) -> Table | None:
    """A query's rows as a table (None when it has none)."""
    rows = con.execute(query).fetchall()
    if not rows:
        return None
    table = Table(title=title and f"{title} ({len(rows)})", box=None)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*[_cell(value) for value in row])
    return table


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:g}s"
    return str(value)


@sources_group.command("remove")
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@_DB
def sources_remove(urls, db) -> None:
    """Stop following sources (what was stored from them stays)."""
    from dyad.live.sources import remove_sources

    removed = _write(db, lambda con: remove_sources(con, urls))
    stderr.print(f"dyad: {removed} source(s) removed from {db}", markup=False)
    if removed < len(urls):
        raise SystemExit(1)


@sources_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.toml")
@_DB
def sources_export(path: Path, db: str) -> None:
    """Write the sources and their settings to a TOML file (`dyad sources import` reads it back)."""
    from dyad.corpus.store import Store
    from dyad.live.sources import export_toml, load_sources

    store = Store(db, read_only=True)
    try:
        sources = load_sources(store.connection)
    finally:
        store.close()
    export_toml(sources, path)
    stderr.print(f"dyad: {len(sources)} source(s) -> {path}", markup=False)


@sources_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE.toml")
@_DB
def sources_import(path: Path, db: str) -> None:
    """Add or update the sources of a TOML file ([[source]] tables: url, kind, label, language, interval,
    delay; a [defaults] table for all)."""
    from dyad.live.sources import SourceError, import_toml, save_sources

    try:
        sources = import_toml(path)
    except SourceError as error:
        raise click.ClickException(str(error)) from None
    new = _write(db, lambda con: save_sources(con, sources))
    stderr.print(f"dyad: {new} new source(s), {len(sources) - new} updated from {path} -> {db}", markup=False)


@click.command("watch")
@_DB
@click.option("--once", is_flag=True, help="One poll of every source, then exit (for cron and tests).")
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of the WARC archive every response is written to (default: STORE.warc/ beside the store).")
@click.option("--batch-size", type=click.IntRange(min=1), default=None, help="Articles coded and committed together.")
@click.option("--serve", is_flag=True, help="Serve the explorer and API from this process meanwhile (DuckDB lets "
              "no other process open a store being written).")
@click.option("--host", default="127.0.0.1", show_default=True, help="With --serve: the address to listen on.")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8000, show_default=True,
              help="With --serve: the port.")
@click.option("--export-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write GDELT-style update files here: each interval's new events (gdelt layout), their "
              "mentions (gdelt-mentions) and lastupdate.txt.")
@click.option("--every", default="15m", show_default=True, metavar="DURATION",
              help="With --export-dir: the update interval (on wall-clock multiples, as GDELT's :00/:15/:30/:45).")
@_fetcher_options
def watch_command(db: str, once: bool, archive_dir: Path | None, batch_size: int | None, serve: bool, host: str,
                  port: int, export_dir: Path | None, every: str, contact, delay, timeout) -> None:
    """Follow the store's sources: poll each when due, fetch new articles politely (robots.txt, a delay per
    host, conditional requests), archive every response as WARC, code and store new articles in batches.
    One log line per poll; SIGTERM or Ctrl-C finishes the batch being coded and stops.

    \b
    Examples:
      dyad sources import examples/sources.toml --db news.duckdb
      dyad watch --db news.duckdb
      dyad watch --db news.duckdb --once        # one poll, for cron
    """
    from dyad.corpus.store import Store
    from dyad.live.archive import Archive
    from dyad.live.recorder import BATCH_SIZE
    from dyad.live.sources import SourceError, seconds
    from dyad.live.watch import Watcher, archive_folder, install_signals

    logging.basicConfig(level=logging.INFO, format="%(asctime)s dyad watch: %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request: the poll's line says it all
    store = Store(db)
    if not store.connection.execute("SELECT count(*) FROM sources").fetchone()[0]:
        store.close()
        raise click.ClickException(f"{db} follows no source: add some with `dyad sources add URL --db {db}` "
                                   f"or `dyad sources import FILE.toml --db {db}`")
    archive = Archive(archive_dir or archive_folder(db))
    try:
        interval = dt.timedelta(seconds=seconds(every))
    except SourceError as error:
        raise click.BadParameter(str(error), param_hint="--every") from None
    watcher = Watcher(store, None, archive=archive, batch_size=batch_size or BATCH_SIZE, export_dir=export_dir,
                      every=interval)
    fetcher = watcher.fetcher = _fetcher(contact, delay, timeout, on_exchange=watcher.archived)
    install_signals(watcher)
    server = None
    try:
        if serve:
            from dyad.surfaces.server.app import create_app
            from dyad.surfaces.server.background import BackgroundServer

            app = create_app(connection=store.connection, last_batch=lambda: watcher.last_batch)
            server = BackgroundServer(app, host=host, port=port)
            logging.getLogger("dyad.watch").info("explorer and API at %s", server.start())
        watcher.run(once=once)
    finally:
        if server is not None:
            server.stop()
        fetcher.close()
        archive.close()
        store.close()


def print_watch_status(con, console) -> None:
    """`dyad status`'s part for a watched store: each source's health and every URL not stored, with why."""
    for query, columns, title in ((*_HEALTH, "sources"), (*_NOT_STORED, "URLs not stored")):
        table = _query_table(con, query, columns, title)
        if table is not None:
            console.print(fit(table, console))


def dyad_archives(paths) -> tuple[list[Path], tuple[str, ...]]:
    """The WARC files `dyad watch` wrote among `paths` (a file, or a folder of them such as STORE.warc/),
    which `dyad ingest` replays through the watcher's decisions, and the other paths, read as usual."""
    from dyad.live.archive import written_by_dyad

    archives, others = [], []
    for path in map(Path, paths):
        files = sorted(path.glob("*.warc.gz")) if path.is_dir() else [path]
        ours = [f for f in files if f.name.endswith((".warc", ".warc.gz")) and f.is_file() and written_by_dyad(f)]
        if ours and len(ours) == len(files):
            archives.extend(ours)
        else:
            others.append(str(path))
    return archives, tuple(others)


def replay_archives(paths, db: str, *, timeout: float | None, wait: float) -> str:
    from dyad.live.recorder import replay

    def damaged(path, message):
        stderr.print(f"dyad: {path}: {message}", markup=False, soft_wrap=True)

    counts = replay(sorted(paths), db, timeout=timeout, on_error=damaged, wait=wait)
    return ", ".join(f"{n} {what}" for what, n in counts.items())
