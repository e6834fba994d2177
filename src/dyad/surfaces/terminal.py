"""What the `dyad` commands share: the stderr console, the date option, the skipped/failed message."""

from __future__ import annotations

import datetime as dt
import os

import click
from rich.console import Console

from dyad.records import Result

stderr = Console(stderr=True, highlight=False)
PIPED_WIDTH = 160  # columns of a table written to a pipe: set by hand, wide enough for the README's tables


def parse_date(_ctx, _param, value: str | None) -> dt.date | None:
    """A click callback: YYYY-MM-DD to a date, or a usage error that says the form."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


def date_option(help: str = "Publication date for articles that carry none."):
    return click.option("--date", "date", callback=parse_date, metavar="YYYY-MM-DD", help=help)


def report_uncoded(result: Result, console: Console = stderr) -> bool:
    """Say on `console` (stderr, or a progress bar's) why an article was skipped or failed; True if coded."""
    if result.status == "coded":
        return True
    console.print(f"dyad: {result.status} {result.article.origin or result.article.id}: {result.reason}",
                  markup=False)
    return False


def stdout_console() -> Console:
    """A console on stdout that, when piped, does not fold tables into 80 columns."""
    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(width=PIPED_WIDTH)
    return console
