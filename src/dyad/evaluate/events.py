"""Evaluate event coding against a gold file: run a coder over the gold texts and score it.

>>> from dyad.evaluate.events import evaluate_events
>>> from dyad.evaluate.gold import read_gold
>>> result = evaluate_events(read_gold("Validate.text"))  # doctest: +SKIP
>>> result.summary.total.f1  # doctest: +SKIP

The coder
---------
A coder is anything with ``code(record, settings) -> list of events`` (subclass
:class:`EventCoderAdapter`), or a plain function ``coder(record, settings)``; it receives the
:class:`~dyad.evaluate.gold.GoldRecord` (``text``, ``date``...; it must code ``text``, never a
gold parse) and the :class:`CoderSettings` in force for it. The events it returns may be
:class:`~dyad.evaluate.scoring.PredictedEvent`, dyad :class:`~dyad.records.Event` records (or
anything whose ``source``/``target`` have a ``code``), ``(source, target, code)`` tuples or dicts.

:func:`make_coder` picks the default one:

- dictionaries given (``--dictionaries``) or named by the gold: :class:`LegacyCoderAdapter`, which
  codes with ``dyad.components.events.legacy.LegacyCoder`` and the legacy dictionaries;
- otherwise :class:`DyadCoder`: dyad's own pipeline (``dyad.process``), with the record's date.

A coder exception on one record is caught: the record is counted as crashed (no prediction) and
the run goes on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import msgspec

from dyad.evaluate.gold.model import GoldRecord, GoldSet
from dyad.evaluate.scoring import PredictedEvent, RecordScore, Summary, score_record, summarize, worst

__all__ = [
    "LEGACY_MISSING",
    "Coder",
    "CoderSettings",
    "CoderUnavailable",
    "DyadCoder",
    "EventCoderAdapter",
    "EventEvaluation",
    "FunctionCoder",
    "LegacyCoderAdapter",
    "evaluate_events",
    "evaluation_to_dict",
    "make_coder",
    "record_to_dict",
    "settings_for",
    "to_predicted",
]

# Records parsed per nlp.pipe batch. Set by hand; re-measure with the
# `dyad evaluate --json` suites of docs/notes/legacy-coder.md (they print no time: use `time`).
BATCH_SIZE = 64

LEGACY_MISSING = "coding with legacy dictionaries is not implemented yet"


class CoderUnavailable(RuntimeError):
    """The coder the evaluation needs cannot be built (not implemented yet, or misconfigured)."""


class CoderSettings(msgspec.Struct, kw_only=True):
    """What a coder needs besides the record.

    ``dictionaries``: the dictionary files in use (``--dictionaries``, else those the gold names).
    ``options``: the gold's option changes in force for the record (:attr:`GoldRecord.options_before`,
    keyed like :attr:`dyad.components.events.dictionaries.Dictionaries.options`: apply them over the
    dictionaries' own options); ``option_lines`` the same as raw commands in file order.
    ``environment``: the gold's other header settings; ``gold_format``: the gold's format.
    """

    dictionaries: list[str] = msgspec.field(default_factory=list)
    options: dict[str, str] = msgspec.field(default_factory=dict)
    option_lines: list[str] = msgspec.field(default_factory=list)
    environment: dict[str, str] = msgspec.field(default_factory=dict)
    gold_format: str = ""


Coder = Callable[[GoldRecord, CoderSettings], Iterable[Any]]
"""A plain coder function: the events of one record."""


def settings_for(gold: GoldSet, record: GoldRecord, dictionaries: Sequence[str] | None = None) -> CoderSettings:
    """The settings in force for ``record`` of ``gold``."""
    return CoderSettings(dictionaries=list(dictionaries if dictionaries else gold.dictionaries),
                         options=dict(record.options_before), option_lines=list(record.option_lines),
                         environment=dict(gold.environment), gold_format=gold.format)


# --------------------------------------------------------------------------- events from coders


def _actor_code(actor: Any) -> str | None:
    if actor is None or isinstance(actor, str):
        return actor
    if isinstance(actor, dict):
        return actor.get("code")
    return getattr(actor, "code", None)


def to_predicted(events: Any) -> list[PredictedEvent]:
    """Whatever a coder returned as a list of :class:`PredictedEvent`.

    Accepts an iterable of events (``PredictedEvent``, dyad ``Event``, objects or dicts with
    ``source``, ``target``, ``code``, where an actor is a code string or has a ``code``;
    ``(source, target, code)`` tuples), or a dyad ``Result`` (its ``events``)."""
    if events is None:
        return []
    if hasattr(events, "events") and not hasattr(events, "code"):
        events = events.events
    out: list[PredictedEvent] = []
    for event in events:
        if isinstance(event, PredictedEvent):
            out.append(event)
        elif isinstance(event, tuple | list):
            source, target, code = event
            out.append(PredictedEvent(_actor_code(source), _actor_code(target), str(code)))
        elif isinstance(event, dict):
            out.append(PredictedEvent(_actor_code(event.get("source")), _actor_code(event.get("target")),
                                      str(event.get("code", ""))))
        else:
            out.append(PredictedEvent(_actor_code(getattr(event, "source", None)),
                                      _actor_code(getattr(event, "target", None)), str(getattr(event, "code", ""))))
    return out


# --------------------------------------------------------------------------- coders

Outcome = list[PredictedEvent] | Exception


class EventCoderAdapter:
    """Base class of the coders the evaluation runs. Subclasses implement :meth:`code`; they may
    override :meth:`code_batch` to code many records at once."""

    name = "custom"

    def code(self, record: GoldRecord, settings: CoderSettings) -> list[PredictedEvent]:
        raise NotImplementedError

    def code_batch(self, records: Sequence[GoldRecord], settings: Sequence[CoderSettings]) -> list[Outcome]:
        """One outcome per record: its events, or the exception coding it raised."""
        out: list[Outcome] = []
        for record, setting in zip(records, settings, strict=True):
            try:
                out.append(to_predicted(self.code(record, setting)))
            except Exception as error:
                out.append(error)
        return out


class FunctionCoder(EventCoderAdapter):
    """A plain function ``fn(record, settings) -> events`` as a coder."""

    def __init__(self, fn: Coder, name: str | None = None):
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "function")

    def code(self, record: GoldRecord, settings: CoderSettings) -> list[PredictedEvent]:
        return to_predicted(self.fn(record, settings))


class DyadCoder(EventCoderAdapter):
    """dyad's own coder: the spaCy pipeline (``dyad.process``) over each record's text, dated with
    the record's date. The text is taken to be English (no language check: gold sentences are
    short). An article the pipeline fails on is a crash; one it skips codes nothing."""

    name = "dyad"

    def __init__(self, nlp: Any = None):
        self._nlp = nlp

    @property
    def nlp(self) -> Any:
        if self._nlp is None:
            from dyad.pipeline import load

            self._nlp = load()
        return self._nlp

    def _article(self, record: GoldRecord) -> Any:
        from dyad.article.clean import make_article

        try:
            article, _ = make_article(record.text, date=record.date, language="en", origin=record.where)
        except ValueError as error:
            raise ValueError(f"cannot code this text: {error}") from None
        return article

    def code(self, record: GoldRecord, settings: CoderSettings) -> list[PredictedEvent]:
        outcome = self.code_batch([record], [settings])[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    # dyad's own coder takes no per-record settings (the legacy coder below does)
    def code_batch(self, records: Sequence[GoldRecord], settings: Sequence[CoderSettings]) -> list[Outcome]:  # noqa: ARG002
        from dyad.pipeline import process

        out: list[Outcome | None] = [None] * len(records)
        articles, slots = [], []
        for i, record in enumerate(records):
            try:
                articles.append(self._article(record))
                slots.append(i)
            except Exception as error:
                out[i] = error
        for i, result in zip(slots, process(articles, self.nlp), strict=True):
            if result.status == "failed":
                out[i] = RuntimeError(result.reason or "the pipeline failed on this text")
            else:
                out[i] = to_predicted(result.events)
        return [o if o is not None else [] for o in out]


class LegacyCoderAdapter(EventCoderAdapter):
    """Coding with legacy TABARI/PETRARCH dictionaries through ``dyad.components.events.legacy``.

    Expects ``dyad.components.events.legacy.LegacyCoder(dictionaries, options)`` where ``dictionaries`` is the
    :class:`~dyad.components.events.dictionaries.Dictionaries` that ``load_dictionaries(paths)`` returns and
    ``options`` a ``dict[str, str]`` of option changes to apply over ``dictionaries.options`` (same
    keys), with a method ``code(text, date) -> list[Event]`` (``date``: ``datetime.date`` or
    ``None``). One LegacyCoder is built per distinct set of options and reused. Raises
    :class:`CoderUnavailable` when the module or the class does not exist yet.
    """

    name = "legacy"

    def __init__(self, dictionaries: Sequence[str | Path], *, cache: bool = True):
        try:
            from dyad.components.events.legacy import LegacyCoder  # type: ignore[import-not-found]
        except ImportError as error:
            missing_module = isinstance(error, ModuleNotFoundError) and error.name == "dyad.components.events.legacy"
            if missing_module or "LegacyCoder" in str(error):
                missing = "dyad.components.events.legacy.LegacyCoder is missing"
                raise CoderUnavailable(f"{LEGACY_MISSING} ({missing})") from None
            raise CoderUnavailable(f"cannot import dyad.components.events.legacy: {error}") from error
        from dyad.components.events.dictionaries import load_dictionaries

        self.paths = [str(p) for p in dictionaries]
        self.dictionaries = load_dictionaries(self.paths, cache=cache)
        self._factory = LegacyCoder
        self._coders: dict[tuple[tuple[str, str], ...], Any] = {}

    def _coder(self, settings: CoderSettings) -> Any:
        key = tuple(sorted(settings.options.items()))
        coder = self._coders.get(key)
        if coder is None:
            coder = self._coders[key] = self._factory(self.dictionaries, dict(settings.options))
        return coder

    def code(self, record: GoldRecord, settings: CoderSettings) -> list[PredictedEvent]:
        return to_predicted(self._coder(settings).code(record.text, record.date))

    def code_batch(self, records: Sequence[GoldRecord], settings: Sequence[CoderSettings]) -> list[Outcome]:
        """Records coded together (one ``nlp.pipe`` per set of options) when the coder has
        ``code_many(texts, dates)``; a failing group is coded record by record."""
        groups: dict[int, list[int]] = {}
        coders: dict[int, Any] = {}
        for i, setting in enumerate(settings):
            coder = self._coder(setting)
            coders[id(coder)] = coder
            groups.setdefault(id(coder), []).append(i)
        out: list[Outcome | None] = [None] * len(records)
        for key, slots in groups.items():
            coder = coders[key]
            if not hasattr(coder, "code_many"):
                for i in slots:
                    out[i] = super().code_batch([records[i]], [settings[i]])[0]
                continue
            try:
                results = coder.code_many([records[i].text for i in slots], [records[i].date for i in slots],
                                          [records[i].id or "" for i in slots])
                for i, events in zip(slots, results, strict=True):
                    out[i] = to_predicted(events)
            except Exception:
                for i in slots:
                    out[i] = super().code_batch([records[i]], [settings[i]])[0]
        return [o if o is not None else [] for o in out]


def make_coder(gold: GoldSet, dictionaries: Sequence[str | Path] | None = None) -> EventCoderAdapter:
    """The default coder for ``gold``: legacy dictionaries when given or named by the gold, else
    dyad's own pipeline. Raises :class:`CoderUnavailable` when the legacy coder does not exist and
    ``FileNotFoundError`` when a dictionary file is missing."""
    paths = [str(p) for p in dictionaries] if dictionaries else list(gold.dictionaries)
    if paths:
        missing = [p for p in paths if not Path(p).exists()]
        if missing:
            raise FileNotFoundError(f"dictionary file not found: {missing[0]}"
                                   + ("" if dictionaries else " (named by the gold; give --dictionaries)"))
        return LegacyCoderAdapter(paths)
    return DyadCoder()


# --------------------------------------------------------------------------- the evaluation


class EventEvaluation(msgspec.Struct, kw_only=True):
    """The outcome of an evaluation: every scored record, the totals, and what was left out."""

    gold: str
    format: str
    coder: str
    dictionaries: list[str]
    scores: list[RecordScore]
    summary: Summary
    records_read: int
    left_out: dict[str, int]
    warnings: list[str]


def evaluate_events(gold: GoldSet, coder: EventCoderAdapter | Coder | None = None, *,
                    dictionaries: Sequence[str | Path] | None = None, batch_size: int = BATCH_SIZE,
                    progress: Callable[[int], None] | None = None) -> EventEvaluation:
    """Code every checked record of ``gold`` with ``coder`` (default: :func:`make_coder`) and score.

    ``progress`` is called with the number of records done after each batch."""
    if coder is None:
        coder = make_coder(gold, dictionaries)
    elif not isinstance(coder, EventCoderAdapter):
        coder = FunctionCoder(coder)
    paths = [str(p) for p in dictionaries] if dictionaries else list(gold.dictionaries)
    records = gold.checked
    scores: list[RecordScore] = []
    for start in range(0, len(records), batch_size):
        chunk = records[start : start + batch_size]
        settings = [settings_for(gold, r, paths) for r in chunk]
        try:
            outcomes = coder.code_batch(chunk, settings)
            if len(outcomes) != len(chunk):
                raise RuntimeError(f"the coder returned {len(outcomes)} outcomes for {len(chunk)} records")
        except Exception:  # a batch that fails as a whole: code its records one by one
            outcomes = EventCoderAdapter.code_batch(coder, chunk, settings)
        for record, outcome in zip(chunk, outcomes, strict=True):
            if isinstance(outcome, Exception):
                message = f"{type(outcome).__name__}: {outcome}"
                scores.append(score_record(record, [], crashed=message))
            else:
                scores.append(score_record(record, outcome))
        if progress is not None:
            progress(len(chunk))
    left_out = Counter(r.skip or r.kind for r in gold.records if not r.checked)
    return EventEvaluation(gold=gold.path, format=gold.format, coder=getattr(coder, "name", "custom"),
                           dictionaries=paths, scores=scores, summary=summarize(scores),
                           records_read=len(gold.records), left_out=dict(left_out), warnings=list(gold.warnings))


def _event_dict(event: Any) -> dict:
    return {"source": event.source, "target": event.target, "code": event.code}


def record_to_dict(score: RecordScore) -> dict:
    """One scored record as JSON-ready data (for ``--errors``)."""
    return {"id": score.id, "where": score.where, "category": score.category, "kind": score.kind,
            "text": score.text, "false_negatives": score.fn, "false_positives": score.fp,
            "gold": [_event_dict(e) for e in score.gold], "predicted": [_event_dict(e) for e in score.predicted],
            "missed": [_event_dict(e) for e in score.missed], "extra": [_event_dict(e) for e in score.extra],
            "crashed": score.crashed}


def evaluation_to_dict(evaluation: EventEvaluation, errors: int = 0) -> dict:
    """The evaluation as one JSON-ready object: the totals at top level (``records``,
    ``exact_records``, ``exact_rate``, ``precision``, ``recall``, ``f1``, event counts,
    ``crashed``), ``by_category``, ``crashes``, ``left_out``, and with ``errors`` the worst records."""
    out: dict[str, Any] = {"task": "events", "gold": evaluation.gold, "format": evaluation.format,
                           "coder": evaluation.coder, "dictionaries": evaluation.dictionaries}
    out.update(evaluation.summary.total.to_dict())
    out["by_category"] = {name: totals.to_dict() for name, totals in evaluation.summary.by_category.items()}
    out["crashes"] = [{"id": s.id, "where": s.where, "error": s.crashed} for s in evaluation.scores
                      if s.crashed is not None]
    out["records_read"] = evaluation.records_read
    out["left_out"] = evaluation.left_out
    out["warnings"] = evaluation.warnings
    if errors:
        out["errors"] = [record_to_dict(s) for s in worst(evaluation.scores, errors)]
    return out

