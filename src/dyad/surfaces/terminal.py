"""What the `dyad` commands share: the stderr console, the date option, the skipped/failed message, the
one error path (a known failure becomes one sentence and an exit code, not a traceback)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable

import click
from rich.console import Console
from rich.table import Table

from dyad.records import Result

stderr = Console(stderr=True, highlight=False)
# Columns a table written to a pipe may take: no terminal to fit, so values are never folded or cut
# (a table keeps its natural width, the widest value's). A bound, not tuned.
PIPED_WIDTH = 100_000
MAX_REASON_CHARS = 200  # an error message quoted from a file is cut here: one line, never a file's bytes
BINARY_SAMPLE_BYTES = 8192  # bytes read to tell a binary file from text (NUL or many control bytes)
UNCODED_LISTED = 20  # skipped/failed inputs ingest names one by one before "... and N more": one screen


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


def timeout_option():
    """The time budget of one article, for the commands that code (`code`, `ingest`)."""
    from dyad.budget import ARTICLE_TIMEOUT

    return click.option("--article-timeout", "timeout", type=click.FloatRange(min=0), default=ARTICLE_TIMEOUT,
                        show_default=True, metavar="SECONDS",
                        help="Seconds one article may take to code: past them it ends as failed, 'timed out "
                        "after N s', and the other articles go on. 0: no limit.")


def wait_option():
    """How long a command that writes a store (`ingest`, `recode`, `migrate`) waits for its other writer."""
    from dyad.corpus import WAIT_SECONDS  # not the store module: its libraries cost `dyad code` ~90 ms

    return click.option("--wait", type=click.FloatRange(min=0), default=WAIT_SECONDS, show_default=True,
                        metavar="SECONDS", help="Seconds to wait for a store another process is writing; "
                        "then exit 1 naming that process.")


def require_paths(paths: Iterable[str]) -> None:
    """A usage error (exit 2) naming the first input path that does not exist, before any work is done."""
    for path in paths:
        if path != "-" and not os.path.exists(path):
            raise click.BadParameter(f"{path!r}: no such file or directory", param_hint="PATH")


def require_text_dictionaries(paths: Iterable[str]) -> None:
    """A usage error naming a --dictionaries file that holds binary data (read as text, it could pass)."""
    for path in paths:
        if _looks_binary(path):
            raise click.BadParameter(f"{path!r} is a binary file, not a TABARI/PETRARCH dictionary; give the "
                                     "dictionary's text files", param_hint="'--dictionaries'")


def report_uncoded(result: Result, console: Console = stderr) -> bool:
    """Say on `console` (stderr, or a progress bar's) why an article was skipped or failed; True if coded."""
    if result.status == "coded":
        return True
    console.print(f"dyad: {result.status} {result.article.origin or result.article.id}: {result.reason}",
                  markup=False)
    return False


def report_warnings(result: Result, console: Console = stderr) -> None:
    """Say on `console` what a reader should know about the article (`Result.warnings`), one line each."""
    for warning in result.warnings:
        console.print(f"dyad: warning {result.article.origin or result.article.id}: {warning}", markup=False,
                      soft_wrap=True)


def stdout_console() -> Console:
    """A console on stdout; when piped, one whose tables keep every value whole (see `fit`)."""
    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(width=PIPED_WIDTH)
    return console


def fit(table: Table, console: Console) -> Table:
    """A table for `console`: on a terminal as built; to a pipe at its natural width, values whole."""
    if console.width >= PIPED_WIDTH:
        table.expand = False
        for column in table.columns:
            column.no_wrap, column.overflow = True, "ignore"
    return table


def _looks_binary(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(BINARY_SAMPLE_BYTES)
    except OSError:
        return False
    control = sum(1 for b in head if b < 32 and b not in b"\t\n\r\f")
    return b"\0" in head or control > len(head) // 20


def explain(error: BaseException) -> str | None:
    """The one-line message for a failure users cause (a store in use, an unreadable dictionary...), or
    None for a bug, which keeps its traceback."""
    from dyad.corpus.store import StoreError

    if isinstance(error, StoreError):
        return str(error)
    if not isinstance(error, ValueError):
        return None
    from dyad.components.events.dictionaries import DictionaryError  # here, not above: it loads spaCy

    if isinstance(error, DictionaryError):
        path = error.path
        if _looks_binary(path):
            return f"{path}: a binary file, not a TABARI/PETRARCH dictionary; give the dictionary's text files"
        first = error.headline
        if len(first) > MAX_REASON_CHARS:
            first = first[:MAX_REASON_CHARS] + "..."
        return f"cannot read the dictionaries: {first}; fix that file or leave it out of --dictionaries"
    return None


class DyadGroup(click.Group):
    """A click group whose commands end a known failure with one line on stderr and exit 1.

    `lazy_commands` (name -> "module:attribute") are imported only when run or listed, so a command
    does not pay for the others' imports (`dyad code` for the store's, the server's, the evaluator's)."""

    def __init__(self, *args, lazy_commands: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands:
            import importlib

            module, _, attribute = self.lazy_commands[cmd_name].partition(":")
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            message = explain(error)
            if message is None:
                raise
            raise click.ClickException(message) from None


def print_uncoded(uncoded: list[tuple[str, str, str]], total: int, db: str) -> None:
    """The inputs ingest skipped or failed: the first UNCODED_LISTED by name, then how many more."""
    for origin, status, reason in uncoded[:UNCODED_LISTED]:
        stderr.print(f"dyad: {status} {origin}: {reason}", markup=False, soft_wrap=True)
    if total > UNCODED_LISTED:
        stderr.print(f"dyad: ... and {total - UNCODED_LISTED} more skipped or failed; `dyad status --db {db}` "
                     "counts them by reason", markup=False, soft_wrap=True)

