"""`dyad evaluate`: score dyad against gold data, one task at a time (a thin shell over the scorers:
:mod:`dyad.evaluate.events`, :mod:`~dyad.evaluate.plover`, :mod:`~dyad.evaluate.pentaclass`,
:mod:`~dyad.evaluate.actors`, :mod:`~dyad.evaluate.quotes`, :mod:`~dyad.evaluate.places`,
:mod:`~dyad.evaluate.articles`)."""

from __future__ import annotations

import json
import sys
from typing import NoReturn

import click
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dyad.evaluate import events as _events
from dyad.evaluate.actors import ACTOR_FORMATS
from dyad.evaluate.gold import FORMATS, IMPLEMENTED, FormatNotImplemented, GoldError, read_gold
from dyad.evaluate.places import PLACE_FORMATS
from dyad.evaluate.scoring import RecordScore, Totals, worst

SCORED_EVENT_FORMATS = ("plover-gsr", "conflibert-class")  # events scored by plover.py and pentaclass.py
# the gold formats each task reads: its readers are the modules above
TASK_FORMATS = {"events": (*IMPLEMENTED, *SCORED_EVENT_FORMATS, "articles"), "actors": ACTOR_FORMATS,
                "quotes": ("polnear", "articles"),
                "places": (*PLACE_FORMATS, "plover-gsr"), "where-when": ("articles",)}
TASKS = tuple(TASK_FORMATS)
MAX_WARNINGS = 20  # gold warnings printed before "... and N more": set by hand, one screen
MAX_CRASHES = 10  # crashed records listed in the table report (all of them are in --json): set by hand

stderr = Console(stderr=True, highlight=False)


def _say(message: str) -> None:
    click.echo(f"dyad evaluate: {message}", err=True)


def _fail(message: str, code: int) -> NoReturn:
    _say(message)
    sys.exit(code)


@click.command("evaluate", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("gold", type=click.Path(exists=True, dir_okay=True))
@click.option("--task", type=click.Choice(TASKS), default="events", show_default=True,
              help="What to score: events, actors, quotes, places or where-when.")
@click.option("--format", "gold_format", type=click.Choice(["auto", *FORMATS]), default="auto", show_default=True,
              help="Gold format; auto detects it from the file. Each task reads: "
              + "; ".join(f"{task}: {', '.join(formats)}" for task, formats in TASK_FORMATS.items()) + ".")
@click.option("--dictionaries", multiple=True, type=click.Path(exists=True, dir_okay=False), metavar="PATH",
              help="Legacy dictionary files to code with (repeat the option for several; a TABARI .project "
              "or PETR_config.ini brings the files it names). Default: those the gold names.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")
@click.option("--errors", "n_errors", type=click.IntRange(min=0), default=0, metavar="N",
              help="Also list the N worst records (most missed + extra events) with gold and predicted events.")
def evaluate(gold: str, task: str, gold_format: str, dictionaries: tuple[str, ...], as_json: bool,
             n_errors: int) -> None:
    """Score dyad against a GOLD file (or folder) with known answers.

    \b
    Tasks:
      events  event coding. TABARI validation text, PETRARCH or UniversalPetrarch validation XML and
              dyad's JSONL gold: each record's text is coded with the dictionaries the gold names (or
              --dictionaries; without any, dyad's own coder) under the gold's options, and records
              fully right, event precision, recall and F1 are reported, overall and per category; a
              record the coder crashes on is counted and the run goes on. PLOVER records: event types
              and dyads, with a reliability table (events by confidence, share correct).
              ConfliBERT CAMEO classes: the PentaClass of each sentence. Whole-article gold
              (--format articles): dyadic events per article by country prefix and CAMEO root.
      actors  actor recognition and coding (ConfliBERT NER, PLOVER records).
      quotes  quotations and their speakers (a PolNeAR split folder, or whole-article gold).
      places  toponyms resolved to coordinates (GeoWebNews, LGL, GeoVirus), or the event locations
              of PLOVER records.
      where-when  where and when each matched event of whole-article gold happened (place within
              40 km or the same region, date at the gold's precision).

    \b
    Examples:
      dyad evaluate Validate.text
      dyad evaluate PETR.UnitTest.records.xml --errors 10
      dyad evaluate gold.jsonl --json
      dyad evaluate --task quotes polnear/dev/
    """
    try:
        _evaluate(gold, task, gold_format, dictionaries, as_json, n_errors)
    except GoldError as error:  # a gold file its reader cannot read: one line naming the file and line
        _fail(str(error), 1)


def _evaluate(gold: str, task: str, gold_format: str, dictionaries: tuple[str, ...], as_json: bool,
              n_errors: int) -> None:
    if gold_format != "auto" and gold_format not in TASK_FORMATS[task]:
        _fail(_not_read(task, gold_format), 2)
    if task == "where-when":
        _evaluate_where_when(gold, dictionaries, as_json, n_errors)
        return
    if task in ("events", "quotes") and _format_of(gold, gold_format) == "articles":
        _evaluate_articles(gold, task, dictionaries, as_json, n_errors)
        return
    if task == "actors":
        _evaluate_actors(gold, gold_format, as_json, n_errors)
        return
    if task == "quotes":
        _evaluate_quotes(gold, as_json, n_errors)
        return
    if task == "places":
        _evaluate_places(gold, gold_format, as_json, n_errors)
        return
    if _evaluate_scored_events(gold, gold_format, dictionaries, as_json, n_errors):
        return
    try:
        gold_set = read_gold(gold, gold_format)
    except FormatNotImplemented as error:
        _fail(_not_read(task, error.format), 2)
    except (GoldError, OSError) as error:
        _fail(str(error), 1)
    if not gold_set.records:
        _fail(_nothing_read(gold), 1)
    for warning in gold_set.warnings[:MAX_WARNINGS]:
        _say(f"warning: {warning}")
    if len(gold_set.warnings) > MAX_WARNINGS:
        _say(f"... and {len(gold_set.warnings) - MAX_WARNINGS} more warnings")

    from dyad.components.events.dictionaries import DictionaryError

    try:
        coder = _events.make_coder(gold_set, list(dictionaries) or None)
    except _events.CoderUnavailable as error:
        _fail(str(error), 2)
    except (DictionaryError, OSError) as error:
        _fail(f"cannot read the dictionaries: {error}", 1)

    total = len(gold_set.checked)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=stderr, transient=True, disable=as_json or total <= 1) as bar:
        job = bar.add_task("evaluating", total=total)
        evaluation = _events.evaluate_events(gold_set, coder, dictionaries=list(dictionaries) or None,
                                             progress=lambda n: bar.advance(job, n))
    result = _events.evaluation_to_dict(evaluation, n_errors)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
    else:
        _print_report(evaluation, n_errors)
    totals = evaluation.summary.total
    if totals.records and totals.crashed == totals.records:
        _fail("the coder crashed on every record", 1)


def _nothing_read(gold: str) -> str:
    return f"no records read from {gold}: check that it is the gold file you meant and its --format"


def _require_records(gold: str, result: dict) -> None:
    """Fail (exit 1) when a scorer read no records: a score of nothing is not a result."""
    counts = [result[key] for key in ("records", "sentences", "articles") if isinstance(result.get(key), int)]
    if counts and not any(counts):
        _fail(_nothing_read(gold), 1)


def _not_read(task: str, fmt: str) -> str:
    return f"--task {task} does not read {fmt} gold (not implemented yet); it reads {', '.join(TASK_FORMATS[task])}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}"


def _percent(value: float | None) -> str:
    return "— (nothing to divide by)" if value is None else f"{100 * value:.1f}%"


def _event(e) -> str:
    return f"{e.source or '-'} / {e.target or '-'} / {e.code}"


def _totals_row(name: str, t: Totals) -> list[str]:
    return [name, str(t.records), str(t.exact_records), _pct(t.exact_rate), _pct(t.precision), _pct(t.recall),
            _pct(t.f1), str(t.tp + t.fn), str(t.tp + t.fp + t.ignored), str(t.crashed)]


def _print_report(evaluation: _events.EventEvaluation, n_errors: int) -> None:
    out = Console(highlight=False)
    total = evaluation.summary.total
    dictionaries = ", ".join(evaluation.dictionaries) or "none (dyad's own knowledge)"
    left_out = ", ".join(f"{n} {why}" for why, n in sorted(evaluation.left_out.items())) or "none"
    summary = Table(title="event coding", box=box.SIMPLE, show_header=False, title_style="bold")
    summary.add_column(style="bold")
    summary.add_column(overflow="fold")
    summary.add_row("gold", f"{evaluation.gold} ({evaluation.format})")
    summary.add_row("coder", evaluation.coder)
    summary.add_row("dictionaries", dictionaries)
    summary.add_row("records", f"{total.records} scored of {evaluation.records_read} read; left out: {left_out}")
    summary.add_row("fully right", f"{total.exact_records} ({_percent(total.exact_rate)})")
    summary.add_row("precision", _percent(total.precision))
    summary.add_row("recall", _percent(total.recall))
    summary.add_row("F1", _percent(total.f1))
    summary.add_row("events", f"{total.tp + total.fn} gold, {total.tp + total.fp + total.ignored} predicted: "
                    f"{total.tp} right, {total.fp} extra, {total.fn} missed, {total.ignored} not checked")
    summary.add_row("crashed", str(total.crashed))
    out.print(summary)
    table = Table(title="by category", caption="exact%, P (precision), R (recall) and F1 in %; gold and pred: events",
                  box=box.SIMPLE_HEAD, pad_edge=False, title_style="bold")
    for column in ("category", "records", "exact", "exact%", "P", "R", "F1", "gold", "pred", "crash"):
        table.add_column(column, justify="left" if column == "category" else "right", no_wrap=True,
                         overflow="ellipsis")
    for name, totals in evaluation.summary.by_category.items():
        table.add_row(*_totals_row(name or "(none)", totals))
    table.add_section()
    table.add_row(*_totals_row("all", total), style="bold")
    out.print(table)
    crashes = [s for s in evaluation.scores if s.crashed is not None]
    if crashes:
        out.print(f"[bold red]{len(crashes)} record(s) crashed the coder[/]")
        for s in crashes[:MAX_CRASHES]:
            out.print(f"  {s.id} ({s.where}): {s.crashed}", markup=False)
        if len(crashes) > MAX_CRASHES:
            out.print(f"  ... and {len(crashes) - MAX_CRASHES} more (see --json)")
    if n_errors:
        _print_errors(out, worst(evaluation.scores, n_errors))


def _print_errors(out: Console, scores: list[RecordScore]) -> None:
    if not scores:
        out.print("no record has an error")
        return
    for s in scores:
        out.print()
        out.print(f"[bold]{s.id}[/] [dim]{s.where}[/] {s.category}: {s.fn} missed, {s.fp} extra"
                  + (f" [red]crashed: {s.crashed}[/]" if s.crashed else ""))
        out.print(f"  {s.text}", markup=False, soft_wrap=True)
        expected = [_event(e) for e in s.gold] if s.gold else [f"(nothing: {s.kind.replace('_', ' ')})"]
        missed = {_event(e) for e in s.missed}
        for line in expected:
            out.print(f"  gold      {line}" + ("   <- missed" if line in missed else ""), markup=False)
        extra = {_event(e) for e in s.extra}
        for e in s.predicted:
            line = _event(e)
            mark = "   <- extra" if line in extra else ("   (not checked)" if e in s.ignored else "")
            out.print(f"  predicted {line}{mark}", markup=False)
        if not s.predicted:
            out.print("  predicted (nothing)", markup=False)


def _evaluate_actors(gold: str, gold_format: str, as_json: bool, n_errors: int) -> None:
    """--task actors: a thin shell over :func:`dyad.evaluate.actors.evaluate_actors`."""
    from dyad.evaluate.actors import evaluate_actors
    from dyad.evaluate.gold import detect_format

    try:
        fmt = detect_format(gold) if gold_format == "auto" else gold_format
    except GoldError as error:
        _fail(str(error), 1)
    if fmt not in ACTOR_FORMATS:
        _fail(_not_read("actors", fmt), 2)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=stderr, transient=True, disable=as_json) as bar:
        job = bar.add_task("evaluating", total=None)
        result = evaluate_actors(gold, fmt, progress=lambda n: bar.advance(job, n), n_errors=n_errors,
                                 total=lambda n: bar.update(job, total=n))
    _require_records(gold, result)
    _print_figures(f"actor coding ({fmt})", result, as_json, ("missed", "errors"))


def _print_figures(title: str, result: dict, as_json: bool, details: tuple[str, ...], limit: int = 0) -> None:
    """One JSON object, or a table of the scalar figures followed by the listed detail entries."""
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    out = Console(highlight=False)
    table = Table(title=title, box=box.SIMPLE, show_header=False, title_style="bold")
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in result.items():
        if isinstance(value, (dict, list)):
            continue
        if isinstance(value, float):
            value = f"{value:,.1f}" if key.endswith("_km") else _pct(value) + "%"
        table.add_row(key, str(value))
    out.print(table)
    if result.get("reliability"):
        _print_reliability(out, result["reliability"])
    for key in details:
        for item in result.get(key, [])[: limit or None]:
            out.print(f"  {key}: {item}", markup=False, soft_wrap=True)


def _print_reliability(out: Console, rows: list[dict]) -> None:
    table = Table(title="reliability: events by confidence", box=box.SIMPLE, title_style="bold")
    for name in ("confidence", "events", "mean confidence", "type correct", "(type, source, target) correct"):
        table.add_column(name, justify="right")
    for row in rows:
        mean = row.get("mean_confidence")
        table.add_row(row["confidence"], str(row["events"]), "-" if mean is None else f"{mean:.2f}",
                      _pct(row["type_correct"]) + "%", _pct(row["dyad_correct"]) + "%")
    out.print(table)


def _evaluate_quotes(gold: str, as_json: bool, n_errors: int) -> None:
    """--task quotes: a thin shell over :func:`dyad.evaluate.quotes.evaluate_polnear`."""
    from dyad.evaluate.quotes import evaluate_polnear

    try:
        result = evaluate_polnear(gold, errors=n_errors)
    except FileNotFoundError as error:
        _fail(str(error), 1)
    _require_records(gold, result)
    _print_figures("quotes (PolNeAR)", result, as_json, ("speaker_errors",))


def _evaluate_scored_events(gold: str, gold_format: str, dictionaries: tuple[str, ...], as_json: bool,
                            n_errors: int) -> bool:
    """--task events on plover-gsr or conflibert-class gold (:mod:`dyad.evaluate.plover`,
    :mod:`dyad.evaluate.pentaclass`); False for the other formats."""
    from dyad.evaluate.gold import detect_format

    try:
        fmt = detect_format(gold) if gold_format == "auto" else gold_format
    except GoldError:
        return False
    if fmt not in SCORED_EVENT_FORMATS:
        return False
    if fmt == "plover-gsr":
        from dyad.evaluate.plover import evaluate_plover_events as run
    else:
        from dyad.evaluate.pentaclass import evaluate_pentaclass as run
    result = run(gold, list(dictionaries) or None, n_errors=n_errors)
    _require_records(gold, result)
    _print_figures(f"event coding ({fmt})", result, as_json, ("errors",))
    return True


def _evaluate_places(gold: str, gold_format: str, as_json: bool, n_errors: int) -> None:
    """--task places: a thin shell over :func:`dyad.evaluate.places.evaluate_places`."""
    from dyad.evaluate.places import evaluate_event_locations, evaluate_places

    fmt = gold_format
    if fmt == "auto":
        name = gold.lower()
        fmt = next((f for f in PLACE_FORMATS if f in name), "plover-gsr" if "plover" in name else "auto")
    if fmt == "plover-gsr":  # event locations of the PLOVER records that name one
        result = evaluate_event_locations(gold)
        if not n_errors:
            result.pop("records_detail")
    elif fmt in PLACE_FORMATS:
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=stderr, transient=True, disable=as_json) as bar:
            job = bar.add_task("geoparsing", total=None)
            try:
                result = evaluate_places(gold, fmt, progress=lambda n: bar.advance(job, n), n_errors=n_errors)
            except Exception as error:  # unreadable XML
                _fail(f"cannot read {gold}: {error}", 1)
    else:
        _fail(_not_read("places", fmt), 2)
    _require_records(gold, result)
    _print_figures(f"places ({fmt})", result, as_json, ("missed", "extra", "wrong", "records_detail"), n_errors)


def _format_of(gold: str, gold_format: str) -> str | None:
    from dyad.evaluate.gold import detect_format

    if gold_format != "auto":
        return gold_format
    try:
        return detect_format(gold)
    except GoldError:
        return None


def _evaluate_articles(gold: str, task: str, dictionaries: tuple[str, ...], as_json: bool, n_errors: int) -> None:
    """Whole-article gold, --task events or quotes: a thin shell over
    :func:`dyad.evaluate.articles.evaluate_articles`."""
    from dyad.evaluate.articles import evaluate_articles

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=stderr, transient=True, disable=as_json) as bar:
        job = bar.add_task("coding articles", total=None)
        try:
            result = evaluate_articles(gold, task, list(dictionaries) or None,
                                       progress=lambda n: bar.advance(job, n), n_errors=n_errors)
        except (ValueError, OSError) as error:
            _fail(f"cannot read {gold}: {error}", 1)
    _require_records(gold, result)
    if as_json or task == "quotes":
        _print_figures(f"quotes ({result['coder']}, whole articles)", result, as_json, ("errors",))
        return
    _print_figures(f"event coding ({result['coder']}, whole articles)", result, False, ())
    out = Console(highlight=False)
    table = Table(title="by article", box=box.SIMPLE_HEAD, title_style="bold",
                  caption="optional: predictions matching only an optional event (neither right nor wrong)")
    for column in ("line", "article", "gold", "pred", "right", "extra", "missed", "optional", "untargeted"):
        table.add_column(column, justify="left" if column == "article" else "right", no_wrap=True)
    for row in result["per_article"]:
        table.add_row(str(row["line"]), row["id"], *(str(row[k]) for k in (
            "gold_events", "predicted", "right", "extra", "missed", "optional_predicted", "untargeted")))
    out.print(table)
    for name, half in result["halves"].items():
        if isinstance(half, dict):
            out.print(f"{name} lines: P {_pct(half['precision'])}  R {_pct(half['recall'])}  F1 {_pct(half['f1'])}"
                      f"  ({half['gold_events']} gold events)")
    for error in result.get("errors", []):
        out.print()
        out.print(f"[bold]{error['id']}[/] [dim]{error['where']}[/]" + (f" [red]failed: {error['crashed']}[/]"
                                                                          if error["crashed"] else ""))
        for kind in ("missed", "extra"):
            for e in error[kind]:
                triple = f"{e['source'] or '-'} / {e['target'] or '-'} / {e['code']}"
                out.print(f"  {kind:<6} {triple}  {e['sentence'][:100]}", markup=False, soft_wrap=True)


def _evaluate_where_when(gold: str, dictionaries: tuple[str, ...], as_json: bool, n_errors: int) -> None:
    """--task where-when on whole-article gold: a thin shell over
    :func:`dyad.evaluate.where_when.evaluate_where_when`."""
    from dyad.evaluate.where_when import evaluate_where_when

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=stderr, transient=True, disable=as_json) as bar:
        job = bar.add_task("coding articles", total=None)
        try:
            result = evaluate_where_when(gold, list(dictionaries) or None,
                                         progress=lambda n: bar.advance(job, n), n_errors=n_errors)
        except (ValueError, OSError) as error:
            _fail(f"cannot read {gold}: {error}", 1)
    if not result["gold_events"]:
        _fail(f"{gold}: no gold events to score (is it whole-article gold?)", 1)
    _print_figures(f"where and when ({result['coder']}, whole articles)", result, as_json, ())
    if not as_json:
        out = Console(highlight=False)
        for error in result.get("errors", []):
            out.print(f"{error['id']} {error['event']} wrong {', '.join(error['wrong'])}: gold {error['gold']}, "
                      f"dyad {error['dyad']}  {error['sentence'][:90]}", markup=False, soft_wrap=True)
