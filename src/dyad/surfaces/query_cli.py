"""`dyad query`: the common questions of a store (:mod:`dyad.corpus.queries`) as a table, CSV or JSON.

The JSON rows are the rows the HTTP API answers (`/api/dyads`, `/api/dyads/series`, `/api/roots`,
`/api/partners`, `/api/volume`, `/api/charts/conflict`): both come from the same functions.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click
from rich.table import Table

from dyad.corpus import queries
from dyad.surfaces.terminal import fit, parse_date, stdout_console

_FORMATS = click.Choice(["table", "csv", "json"])
_PERIOD = click.option("--by", "period", type=click.Choice(queries.PERIODS), default="month", show_default=True)
_LIMIT = click.option("--limit", type=click.IntRange(min=1), default=queries.LIMIT, show_default=True)


def _remember(ctx, param, value) -> None:
    """--db or --format given after the question: it overrides the group's (`dyad query top-dyads --db x`)."""
    if value is not None:
        ctx.meta[f"dyad.query.{param.name}"] = value


def _after_question(command):
    """The group's --db and --format, accepted after the question too."""
    command = click.option("--format", "output_format", type=_FORMATS, callback=_remember, expose_value=False,
                           help="As `dyad query --format`.")(command)
    return click.option("--db", type=click.Path(dir_okay=False), callback=_remember, expose_value=False,
                        help="As `dyad query --db`.")(command)


@click.group("query")
@click.option("--db", default="dyad.duckdb", show_default=True, type=click.Path(dir_okay=False),
              help="The store to ask (checked when a question is asked, so `--help` needs none); also "
              "accepted after the question.")
@click.option("--format", "output_format", type=_FORMATS, default="table",
              show_default=True, help="json: a list of objects, the rows the HTTP API answers.")
@click.pass_context
def query_group(ctx, db: str, output_format: str) -> None:
    """Common questions of an event store: a dyad or an actor over time, top dyads, root codes, partners, volume.

    Actor codes match by prefix, in any case (FRA matches FRAGOV); % and _ match themselves.

    \b
    Examples:
      dyad query dyad RUS UKR --by week
      dyad query --format csv top-dyads --limit 50
      dyad query top-dyads --db news.duckdb --format json
    """
    ctx.obj = (db, output_format)


def _print_answer(ctx, title: str, question, *args) -> None:
    from dyad.corpus.store import Store

    db = ctx.meta.get("dyad.query.db", ctx.obj[0])
    output_format = ctx.meta.get("dyad.query.output_format", ctx.obj[1])
    if not Path(db).is_file():
        raise click.BadParameter(f"File {db!r} does not exist.", ctx=ctx.parent, param_hint="'--db'")
    store = Store(db, read_only=True)  # a store in use or of another version: DyadGroup says what to do
    try:
        answer = question(store.connection, *args)
    finally:
        store.close()
    if output_format == "json":
        click.echo(json.dumps(answer.dicts(), default=str))
    elif output_format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(answer.columns)
        writer.writerows(answer.rows)
    else:
        table = Table(title=title)
        for column in answer.columns:
            table.add_column(column)
        for row in answer.rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        console = stdout_console()
        console.print(fit(table, console))


@query_group.command("dyad")
@_after_question
@click.argument("source")
@click.argument("target")
@_PERIOD
@click.option("--both-ways", is_flag=True, help="Count TARGET -> SOURCE events too.")
@click.option("--since", callback=parse_date, metavar="YYYY-MM-DD", help="Events on or after this date.")
@click.option("--until", callback=parse_date, metavar="YYYY-MM-DD", help="Events on or before this date.")
@click.pass_context
def query_dyad(ctx, source: str, target: str, period: str, both_ways: bool, since, until) -> None:
    """Events from SOURCE to TARGET (actor code prefixes) per period: mean Goldstein, QuadClasses, and
    the articles of the period (all of them, the denominator) with events per 100 of them."""
    _print_answer(ctx, f"{source} -> {target}", queries.dyad_series, source, target, period, both_ways, since, until)


@query_group.command("actor")
@_after_question
@click.argument("actor", required=False)
@click.option("--country", metavar="ISO3", help="A country (either actor's country) instead of ACTOR.")
@click.option("--as", "role", type=click.Choice(queries.ROLES), default="either", show_default=True,
              help="The actor or country as source or target (either), or on that side only.")
@_PERIOD
@click.option("--since", callback=parse_date, metavar="YYYY-MM-DD", help="Events on or after this date.")
@click.option("--until", callback=parse_date, metavar="YYYY-MM-DD", help="Events on or before this date.")
@click.pass_context
def query_actor(ctx, actor: str | None, country: str | None, role: str, period: str, since, until) -> None:
    """Conflict and cooperation over time: the events of ACTOR (a code prefix) or of --country per period,
    by QuadClass, with mean Goldstein and events per 100 of the period's articles."""
    if (actor is None) == (country is None):
        raise click.UsageError("give ACTOR or --country, one of them", ctx=ctx)
    _print_answer(ctx, f"{actor or country} as {role}", lambda con: queries.actor_series(
        con, actor, period, role, country=country, since=since, until=until))


@query_group.command("top-dyads")
@_after_question
@_LIMIT
@click.pass_context
def query_top_dyads(ctx, limit: int) -> None:
    """The most frequent source-target pairs."""
    _print_answer(ctx, "top dyads", queries.top_dyads, limit)


@query_group.command("roots")
@_after_question
@_PERIOD
@click.pass_context
def query_roots(ctx, period: str) -> None:
    """Events per CAMEO root code per period."""
    _print_answer(ctx, "events by root code", queries.root_counts, period)


@query_group.command("partners")
@_after_question
@click.argument("actor")
@_LIMIT
@click.pass_context
def query_partners(ctx, actor: str, limit: int) -> None:
    """The actors ACTOR (a code prefix) deals with most, in both directions."""
    _print_answer(ctx, f"partners of {actor}", queries.partners, actor, limit)


@query_group.command("volume")
@_after_question
@_PERIOD
@click.pass_context
def query_volume(ctx, period: str) -> None:
    """Articles per period and news source (the denominator for event counts)."""
    _print_answer(ctx, "article volume", queries.volume, period)
