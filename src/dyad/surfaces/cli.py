"""The `dyad` command: a thin shell over the library (every command is one library call away).

`dyad query` lives in `query_cli.py`, `dyad evaluate` in `dyad.evaluate.cli`; what the commands share
(the date option, the skipped/failed message) in `terminal.py`.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dyad.corpus.ingest import BATCH_SIZE
from dyad.records import Article, Result
from dyad.surfaces.terminal import (
    DyadGroup,
    date_option,
    fit,
    parse_date,
    print_uncoded,
    report_uncoded,
    report_warnings,
    require_paths,
    require_text_dictionaries,
    stderr,
    stdout_console,
    timeout_option,
    wait_option,
)
from dyad.version import __version__

# commands imported when run: `dyad code` starts without the store's, the evaluator's, the watcher's imports
LAZY_COMMANDS = {"query": "dyad.surfaces.query_cli:query_group", "evaluate": "dyad.evaluate.cli:evaluate",
                 "sources": "dyad.surfaces.watch_cli:sources_group", "watch": "dyad.surfaces.watch_cli:watch_command"}


@click.group(cls=DyadGroup, lazy_commands=LAZY_COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dyad")
def main() -> None:
    """dyad: political event data from news text (who did what to whom, when and where).

    \b
    Examples:
      dyad code article.txt                  events of one article as JSON lines
      dyad code --format table news/         a readable table for a folder of articles
      cat feed.jsonl | dyad code - --format results

    Exit codes: 0 when an input was coded (or was already stored), 1 when none was or the work failed,
    2 for a usage error (an unknown option, a PATH that does not exist).
    """


@main.command()
@click.argument("paths", nargs=-1, metavar="[PATH...|-]")
@date_option("Publication date for articles that carry none (dates events, picks leaders in office).")
@click.option("--format", "output_format", type=click.Choice(["jsonl", "table", "results"]), default="jsonl",
              show_default=True, help="jsonl: one JSON object per event; table: readable; results: one "
              "JSON object per article, so articles without events show too.")
@click.option("--dictionaries", multiple=True, type=click.Path(exists=True, dir_okay=False), metavar="PATH",
              help="Code events with these legacy TABARI/PETRARCH dictionary files instead of dyad's own "
              "(repeat the option; a TABARI .project or PETR_config.ini brings the files it names).")
@timeout_option()
def code(paths: tuple[str, ...], date: dt.date | None, output_format: str, dictionaries: tuple[str, ...],
         timeout: float) -> None:
    """Code news articles into events.

    PATH may be a .txt, .html, .jsonl, .json or .warc file, or a directory (read recursively, .json
    files aside); '-' or nothing reads standard input (plain text, HTML, JSON or JSONL, sniffed). JSONL
    lines (and a .json file's object, or each object of its array) hold at least "text", optionally "id",
    "url", "title", "date" and "source". Skipped and failed articles, and each article's warnings (text
    repaired, no publication date...), are reported on stderr; the exit code is 1 only when no article
    could be coded, 2 when a PATH does not exist.
    """
    from dyad.article.readers import count_inputs, read_inputs
    from dyad.pipeline import load, process
    from dyad.records import to_json

    paths = paths or ("-",)
    require_paths(paths)
    require_text_dictionaries(dictionaries)
    total = count_inputs(paths)
    items = _with_date(read_inputs(paths), date)
    nlp = load(dictionaries=dictionaries)  # legacy dictionaries code the Docs dyad parses, once each
    coded = 0
    table_rows: list[Result] = []
    out = sys.stdout.buffer
    with _progress(total) as progress:
        task = progress.add_task("coding", total=total)
        for result in process(items, nlp, timeout=timeout or None):
            progress.advance(task)
            coded += report_uncoded(result, progress.console)
            report_warnings(result, progress.console)
            if output_format == "results":
                out.write(to_json(result) + b"\n")
            elif output_format == "jsonl":
                for event in result.events:
                    out.write(to_json(event) + b"\n")
            else:
                table_rows.append(result)
            out.flush()
    if output_format == "table":
        console = stdout_console()
        console.print(fit(_event_table(table_rows), console))
    if coded == 0:
        stderr.print("dyad: no article could be coded", markup=False)
        sys.exit(1)


def _with_date(items: Iterator, date: dt.date | None) -> Iterator:
    for item in items:
        if date is not None and isinstance(item, Article) and item.date is None:
            item.date = date
        yield item


def _progress(total: int | None) -> Progress:
    """A progress bar on stderr, shown when there is more than one article to code."""
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=stderr, transient=True,
                    disable=total is not None and total <= 1)


def _event_table(results: list[Result]) -> Table:
    from dyad.resources.ontology import lookup

    table = Table(title="dyad events", expand=True)
    table.add_column("date", no_wrap=True, min_width=10)
    for column in ("source", "event", "target"):
        table.add_column(column, overflow="fold", ratio=2, min_width=12)
    table.add_column("sentence", overflow="ellipsis", no_wrap=True, ratio=3)
    for result in results:
        for e in result.events:
            table.add_row(str(e.date or ""), f"{e.source.text}\n[dim]{e.source.code}[/]",
                          f"{e.code} {lookup(e.code).name}",
                          f"{e.target.text}\n[dim]{e.target.code}[/]" if e.target else "",
                          " ".join(e.sentence.split()))
    return table


@main.command("actors")
@click.argument("paths", nargs=-1, metavar="[PATH...|-]")
@date_option("Publication date for articles that carry none (picks leaders in office).")
@click.option("--uncoded", is_flag=True, help="List the most frequent named entities (PERSON, ORG, NORP, GPE) "
              "that got no actor code, with counts and an example sentence.")
@click.option("--top", type=click.IntRange(min=1), default=50, show_default=True, help="With --uncoded: how many.")
@click.option("--json", "as_json", is_flag=True, help="With --uncoded: JSON instead of a table.")
def actors(paths: tuple[str, ...], date: dt.date | None, uncoded: bool, top: int, as_json: bool) -> None:
    """The coded actors of each sentence as JSON lines (a thin shell over dyad.surfaces.reports).

    \b
    Examples:
      dyad actors article.txt               actors per sentence, one JSON object a line
      dyad actors --uncoded news/           names the knowledge is missing, as a table
    """
    import json

    import msgspec

    from dyad.article.readers import read_inputs
    from dyad.surfaces import reports as report

    coded = []
    out = sys.stdout
    require_paths(paths)
    for item in report.code_articles(_with_date(read_inputs(paths or ("-",)), date)):
        result = item.result
        report_uncoded(result)
        if uncoded:
            coded.append(item)
        else:
            for line in report.actors_by_sentence(result):
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
    if not uncoded:
        return
    rows = report.uncoded(coded, top)
    if as_json:
        out.write(json.dumps([msgspec.to_builtins(r) for r in rows], ensure_ascii=False) + "\n")
        return
    table = Table(title="named entities without an actor code", expand=True)
    table.add_column("entity", overflow="fold", ratio=2)
    table.add_column("label", no_wrap=True)
    table.add_column("count", justify="right", no_wrap=True)
    table.add_column("example", overflow="fold", ratio=5)
    for r in rows:
        table.add_row(r.text, r.label, str(r.count), r.example)
    console = stdout_console()
    console.print(fit(table, console))


@main.command("quotes")
@click.argument("paths", nargs=-1, metavar="[PATH...|-]")
@date_option()
def quotes(paths: tuple[str, ...], date: dt.date | None) -> None:
    """The quotations of each article with their speakers, one JSON object per quote.

    Each line has the quote's text, character span, the speaker as written, the resolved speaker
    name and actor code, the cue verb and the sentence index, plus the article id.
    """
    from dyad.article.readers import read_inputs
    from dyad.corpus.export import quote_to_json
    from dyad.pipeline import load, process

    out = sys.stdout.buffer
    require_paths(paths)
    for result in process(_with_date(read_inputs(paths or ("-",)), date), load()):
        report_uncoded(result)
        for quote in result.quotes:
            out.write(quote_to_json(result.article.id, quote) + b"\n")
    out.flush()


@main.command("ingest")
@click.argument("paths", nargs=-1, metavar="PATH...")
@click.option("--db", default="dyad.duckdb", show_default=True, help="The DuckDB store to write to.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes; each loads the model once.")
@date_option()
@click.option("--batch-size", type=click.IntRange(min=1), default=BATCH_SIZE, show_default=True,
              help="Articles per transaction: a killed run loses at most one batch of work.")
@click.option("--parquet", "parquet", type=click.Path(exists=True, file_okay=False), metavar="DIR",
              help="Load Parquet output of `dyad spark` (or `dyad export --format parquet`) instead of coding.")
@timeout_option()
@wait_option()
def ingest_command(paths: tuple[str, ...], db: str, jobs: int, date: dt.date | None, batch_size: int,
                   parquet: str | None, timeout: float, wait: float) -> None:
    """Code articles into a DuckDB store, resumably: ids already stored are skipped.

    \b
    Examples:
      dyad ingest news/ --db news.duckdb
      dyad ingest archive.jsonl --jobs 2 && dyad status --db dyad.duckdb
      dyad ingest --parquet spark-out/ --db news.duckdb
    """
    from rich.progress import TimeRemainingColumn

    from dyad.article.readers import count_inputs, read_inputs
    from dyad.corpus.ingest import ingest, load_parquet
    from dyad.surfaces.watch_cli import dyad_archives, replay_archives

    if bool(paths) == bool(parquet):
        raise click.UsageError("give input PATHs to code, or --parquet DIR to load, not both")
    if parquet:
        try:
            loaded = load_parquet(parquet, db, wait)
        except ValueError as error:
            raise click.UsageError(str(error)) from None
        stderr.print(f"dyad: loaded {loaded.read} articles ({loaded.coded} coded, {loaded.skipped} skipped, "
                     f"{loaded.failed} failed), {loaded.events} events, {loaded.multi_article_stories} "
                     f"multi-article stories from {parquet} -> {db}", markup=False, soft_wrap=True)
        return

    require_paths(paths)
    archives, paths = dyad_archives(paths)
    if archives:  # what dyad watch archived re-ingests through the watcher's own decisions
        replayed = replay_archives(archives, db, timeout=timeout or None, wait=wait)
        stderr.print(f"dyad: replayed {len(archives)} dyad watch archive file(s): {replayed} -> {db}", markup=False)
        if not paths:
            return
    total = count_inputs(paths)
    columns = [TextColumn("[bold]ingesting"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]} articles/s"), TimeElapsedColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=stderr, transient=True) as progress:
        task = progress.add_task("ingest", total=total, rate="-")

        def advance(summary, _batch_articles):
            progress.update(task, completed=summary.read, rate=f"{summary.articles_per_second:.1f}")

        summary = ingest(_with_date(read_inputs(paths), date), db, jobs=jobs, batch_size=batch_size,
                         on_batch=advance, timeout=timeout or None, wait=wait)
    stderr.print(f"dyad: {summary.read} read, {summary.already_stored} already stored; {summary.coded} coded, "
                 f"{summary.skipped} skipped, {summary.failed} failed; {summary.events} events; "
                 f"{summary.articles_per_second:.1f} articles/s -> {db}", markup=False, soft_wrap=True)
    print_uncoded(summary.uncoded, summary.skipped + summary.failed, db)
    if summary.read and summary.coded == 0 and summary.already_stored == 0:
        stderr.print("dyad: no article could be coded", markup=False)
        sys.exit(1)


@main.command("recode")
@click.option("--db", default="dyad.duckdb", show_default=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--dictionaries", multiple=True, type=click.Path(exists=True, dir_okay=False), metavar="PATH",
              help="Legacy dictionary files to code with instead of dyad's own lexicon (repeatable).")
@wait_option()
def recode_command(db: str, dictionaries: tuple[str, ...], wait: float) -> None:
    """Re-code a store's articles from their stored parses (no parsing): after a knowledge or
    dictionary change, a corpus costs coding time, not parsing time. Unchanged events keep their ids."""
    from dyad.corpus.ingest import recode

    require_text_dictionaries(dictionaries)
    with Progress(TextColumn("[bold]recoding"), MofNCompleteColumn(), TimeElapsedColumn(), console=stderr,
                  transient=True) as progress:
        task = progress.add_task("recode", total=None)
        summary = recode(db, dictionaries, on_batch=lambda s, _: progress.update(task, completed=s.read),
                         wait=wait)
    stderr.print(f"dyad: recoded {summary.read} articles, {summary.events} events, "
                 f"{summary.articles_per_second:.1f} articles/s", markup=False, soft_wrap=True)


@main.command("status")
@click.option("--db", default="dyad.duckdb", show_default=True, type=click.Path(exists=True, dir_okay=False))
def status_command(db: str) -> None:
    """Articles per status (coded, skipped with reason, failed with error) and table sizes."""
    from dyad.corpus.schema import TABLES
    from dyad.corpus.store import Store
    from dyad.surfaces.watch_cli import print_watch_status

    store = Store(db, read_only=True)  # a store in use or of another version: DyadGroup says what to do
    table = Table(title=f"{db}", box=None)
    for column in ("status", "reason", "articles"):
        table.add_column(column, justify="right" if column == "articles" else "left")
    for status, why, n in store.status():
        table.add_row(status, why or "", str(n))
    console = stdout_console()
    console.print(fit(table, console))
    console.print(f"articles with warnings: {store.with_warnings():,}")
    console.print("  ".join(f"{t}: {store.count(t):,}" for t in TABLES))
    print_watch_status(store.connection, console)
    store.close()


@main.command("migrate")
@click.option("--db", default="dyad.duckdb", show_default=True, type=click.Path(exists=True, dir_okay=False))
@wait_option()
def migrate_command(db: str, wait: float) -> None:
    """Upgrade a store made by an older dyad to this dyad's schema, in place (one transaction, every row
    kept). Writing commands (ingest, recode) upgrade on their own; read-only ones (serve, query, status) ask
    for this first."""
    from dyad.corpus.store import migrate

    before, after = migrate(db, wait)  # a store made by a newer dyad: DyadGroup prints what to do
    if before == after:
        click.echo(f"{db}: schema version {after}, already current")
    else:
        click.echo(f"{db}: schema version {before} -> {after}")


@main.command("export")
@click.option("--db", default="dyad.duckdb", show_default=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "output_format", default="jsonl", show_default=True,
              type=click.Choice(["jsonl", "csv", "parquet", "gdelt", "gdelt-mentions", "phoenix", "icews"]),
              help="jsonl: event records; csv: the flat event table; parquet: every table; gdelt: GDELT 2.0's "
              "61 columns, one row per aggregated event; gdelt-mentions: GDELT 2.0's mentions table (16 "
              "columns); phoenix (26 columns) and icews: one row per mention.")
@click.option("--output", "-o", default="-", show_default=True,
              help="File (jsonl, csv) or folder (parquet); '-' is standard output.")
@click.option("--since", callback=parse_date, metavar="YYYY-MM-DD", help="Events on or after this date.")
@click.option("--until", callback=parse_date, metavar="YYYY-MM-DD", help="Events on or before this date.")
@click.option("--one-a-day", is_flag=True, help="Phoenix's filter: one event per date, source, target and code.")
def export_command(db: str, output_format: str, output: str, since, until, one_a_day: bool) -> None:
    """Export the store's events (and, as Parquet, every table, events partitioned by month)."""
    from pathlib import Path

    from dyad.corpus.export import export_store

    folder = Path(output).parent
    if output != "-" and output_format != "parquet" and not folder.is_dir():
        raise click.BadParameter(f"{output!r}: the folder {str(folder)!r} does not exist; create it first",
                                 param_hint="'--output'")
    try:
        export_store(db, output_format, output, since=since, until=until, one_a_day=one_a_day)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    except OSError as error:  # not writable, a folder where a file goes...
        raise click.ClickException(f"cannot write {output}: {error.strerror or error}") from None


@main.command("places")
@click.argument("paths", nargs=-1, metavar="[PATH...|-]")
@date_option()
def places(paths: tuple[str, ...], date: dt.date | None) -> None:
    """The places each article names, resolved against the offline gazetteer, one JSON object a line.

    Each line has the article id, the name as written, its kind (toponym, adjective, dateline),
    character span, sentence index, country (ISO-2, ISO-3, FIPS), first-level region, latitude,
    longitude, GeoNames id, feature type and how the entry was chosen.
    """
    import json

    import msgspec

    from dyad.article.readers import read_inputs
    from dyad.pipeline import load, process

    out = sys.stdout
    require_paths(paths)
    for result in process(_with_date(read_inputs(paths or ("-",)), date), load()):
        report_uncoded(result)
        for place in result.places:
            out.write(json.dumps({"article_id": result.article.id, **msgspec.to_builtins(place)},
                                 ensure_ascii=False) + "\n")
    out.flush()


@main.command("serve")
@click.option("--db", default="dyad.duckdb", show_default=True, type=click.Path(exists=True, dir_okay=False),
              help="The store to explore (opened read-only).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the default serves this machine only.")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(min=1, max=64), default=1, show_default=True,
              help="Server processes, each reading the store: about one per core for many users at once.")
@click.option("--coders", type=click.IntRange(min=1, max=64), default=1, show_default=True,
              help="Processes of each server process that code text posted to /api/code and the paste box "
                   "(started on the first such request; more wait in a short queue).")
def serve_command(db: str, host: str, port: int, workers: int, coders: int) -> None:
    """A web explorer and a JSON API over a store (FastAPI on uvicorn); OpenAPI schema at /openapi.json.

    \b
    Examples:
      dyad serve --db dyad.duckdb            # then open http://127.0.0.1:8000/
      dyad serve --db big.duckdb --workers 2 # one process per core
      curl -s 'http://127.0.0.1:8000/api/events?source=TUR&target=GRC'
    """
    from dyad.corpus.store import StoreBusyError
    from dyad.surfaces.server import serve

    if host not in ("127.0.0.1", "localhost", "::1"):
        stderr.print(f"dyad: serving on {host}: anyone who can reach it can read the store and code text",
                     markup=False)
    try:
        # a store of another version: DyadGroup says what to do
        serve(db, host=host, port=port, workers=workers, coders=coders)
    except StoreBusyError as error:  # DuckDB lets no other process read a store being written
        raise click.ClickException(f"{error}. To explore a store while `dyad watch` writes it, serve it from "
                                   "the watcher: dyad watch --serve") from None


@main.command("spark")
@click.argument("input_path", metavar="INPUT")
@click.argument("output", metavar="OUTPUT")
@click.option("--master", default=None, help="Spark master URL, e.g. local[2] or spark://host:7077 "
              "(default: local[*], or what spark-submit sets).")
@click.option("--partitions", type=click.IntRange(min=1), default=None,
              help="Input partitions (default: Spark's default parallelism).")
@click.option("--input-format", type=click.Choice(["auto", "jsonl", "parquet", "text"]), default="auto",
              show_default=True, help="auto: by INPUT's suffix (.jsonl, .parquet, else text/HTML files).")
def spark_command(input_path: str, output: str, master: str | None, partitions: int | None,
                  input_format: str) -> None:
    """Code a corpus on Apache Spark (needs Java 17 and `pip install 'dyad[spark]'`) into Parquet tables
    in the layout of `dyad export --format parquet`, with stories and aggregated events.

    \b
    Examples:
      dyad spark news.jsonl out/ --master 'local[2]'
      dyad ingest --parquet out/ --db news.duckdb
    """
    import importlib.util

    from dyad.corpus.spark import main as spark_main

    missing = [name for name in ("pyspark", "pandas") if importlib.util.find_spec(name) is None]
    if missing:
        raise click.ClickException(f"dyad spark needs {' and '.join(missing)} (not installed): run "
                                   "pip install 'dyad[spark]' (and install Java 17)")
    args = [input_path, output, "--input-format", input_format]
    if master:
        args += ["--master", master]
    if partitions:
        args += ["--partitions", str(partitions)]
    spark_main(args)



if __name__ == "__main__":
    main()
