"""Scoring coded events against gold events: pure functions, no I/O.

Matching rules
--------------
- An event matches a gold event when its source, target and event code all match
  (:func:`event_matches`).
- Event codes compare at the gold's precision: a gold code that is all digits matches any predicted
  code that starts with it (gold ``06`` matches ``064`` and ``0641``; gold ``064`` does not match
  ``06``). Any other gold code (``---``, a label) must be equal.
- Actor codes compare by prefix at the gold's length: gold ``FRA`` matches ``FRA``, ``FRAGOV`` and
  ``FRAGOVMIL``. A quoted gold actor (PETRARCH's new-actor text, ``"INJURY TOLL"``) must be equal. A
  gold event without a target matches only a predicted event without one.
- Codes are compared blank-trimmed and upper-cased.

Counting
--------
- Predicted events are de-duplicated by (source, target, code) before scoring, and so are the gold
  events of a record: coding the same event twice is neither rewarded nor punished, and a gold list
  that repeats an event asks for it once.
- Within a record, gold and predicted events are paired one-to-one so that as many gold events as
  possible are found (a maximum bipartite matching: prefix rules let one prediction fit several gold
  events and the other way round). Paired gold events are true positives; unpaired gold events are
  false negatives.
- An unpaired prediction that matches one of the record's optional events is ignored, neither right
  nor wrong; so is every unpaired prediction of a truncated record (TABARI ``-{``: nothing after the
  listed events is checked). Other unpaired predictions are false positives.
- No-event and discard records have no gold events: every prediction there is a false positive.
- A record is exact (fully right) when it has no false negative, no false positive and did not crash.
  A crashed record counts as a record with no predictions (its gold events are false negatives).
- Precision = TP / (TP + FP), recall = TP / (TP + FN), F1 their harmonic mean, all micro-averaged
  over records (every event weighs the same); a ratio with a zero denominator is ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

import msgspec

from dyad.evaluate.gold.model import GoldEvent, GoldRecord

__all__ = [
    "PredictedEvent",
    "RecordScore",
    "Summary",
    "Totals",
    "actor_matches",
    "code_matches",
    "dedupe",
    "event_matches",
    "match_events",
    "normalize",
    "score_events",
    "score_record",
    "summarize",
    "worst",
]


class PredictedEvent(msgspec.Struct, frozen=True):
    """An event a coder produced, reduced to what is scored."""

    source: str | None
    target: str | None
    code: str


class _Triple(Protocol):
    source: str | None
    target: str | None
    code: str


T = TypeVar("T", bound=_Triple)


def normalize(code: str | None) -> str:
    """A code as compared: blank-trimmed and upper-cased; ``None`` is ``""``."""
    return (code or "").strip().upper()


def actor_matches(gold: str | None, predicted: str | None) -> bool:
    """Gold actor code ``gold`` is matched by ``predicted`` (prefix at the gold's length)."""
    g, p = normalize(gold), normalize(predicted)
    if not g:
        return not p
    if g.startswith(('"', "'")):
        return p == g
    return p.startswith(g)


def code_matches(gold: str, predicted: str) -> bool:
    """Gold event code ``gold`` is matched by ``predicted`` (prefix for an all-digit gold code)."""
    g, p = normalize(gold), normalize(predicted)
    if g.isdigit():
        return p.startswith(g)
    return p == g


def event_matches(gold: _Triple, predicted: _Triple) -> bool:
    """Source, target and code of ``predicted`` all match those of ``gold``."""
    return (code_matches(gold.code, predicted.code) and actor_matches(gold.source, predicted.source)
            and actor_matches(gold.target, predicted.target))


def _key(event: _Triple) -> tuple[str, str, str]:
    return normalize(event.source), normalize(event.target), normalize(event.code)


def dedupe(events: Iterable[T]) -> list[T]:
    """The events with repeats of the same (source, target, code) dropped, first kept."""
    seen: set[tuple[str, str, str]] = set()
    out: list[T] = []
    for event in events:
        key = _key(event)
        if key not in seen:
            seen.add(key)
            out.append(event)
    return out


def match_events(gold: Sequence[_Triple], predicted: Sequence[_Triple]) -> list[tuple[int, int]]:
    """A maximum one-to-one pairing ``(gold index, predicted index)`` of matching events."""
    fits = [[j for j, p in enumerate(predicted) if event_matches(g, p)] for g in gold]
    owner: dict[int, int] = {}  # predicted index -> gold index

    def augment(i: int, seen: set[int]) -> bool:
        for j in fits[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(gold)):
        if fits[i]:
            augment(i, set())
    return sorted((i, j) for j, i in owner.items())


class RecordScore(msgspec.Struct, kw_only=True):
    """How one record was coded. ``gold`` and ``predicted`` are de-duplicated; ``missed`` are the
    false negatives, ``extra`` the false positives, ``ignored`` the predictions not checked
    (optional events, past a TABARI ``-{``). ``crashed`` holds the coder's error message."""

    id: str = ""
    category: str = ""
    where: str = ""
    text: str = ""
    kind: str = "events"
    gold: list[GoldEvent] = msgspec.field(default_factory=list)
    predicted: list[PredictedEvent] = msgspec.field(default_factory=list)
    missed: list[GoldEvent] = msgspec.field(default_factory=list)
    extra: list[PredictedEvent] = msgspec.field(default_factory=list)
    ignored: list[PredictedEvent] = msgspec.field(default_factory=list)
    tp: int = 0
    crashed: str | None = None

    @property
    def fp(self) -> int:
        return len(self.extra)

    @property
    def fn(self) -> int:
        return len(self.missed)

    @property
    def exact(self) -> bool:
        return self.crashed is None and not self.missed and not self.extra


def score_events(gold: Iterable[GoldEvent], predicted: Iterable[_Triple], optional: Iterable[GoldEvent] = (),
                 *, truncated: bool = False) -> RecordScore:
    """Score one record's predictions against its gold events (see the module docstring)."""
    gold_list = dedupe(gold)
    predicted_list = [p if isinstance(p, PredictedEvent) else PredictedEvent(p.source, p.target, p.code)
                      for p in dedupe(predicted)]
    optional_list = list(optional)
    pairs = match_events(gold_list, predicted_list)
    found = {i for i, _ in pairs}
    used = {j for _, j in pairs}
    score = RecordScore(gold=gold_list, predicted=predicted_list, tp=len(pairs),
                        missed=[g for i, g in enumerate(gold_list) if i not in found])
    for j, p in enumerate(predicted_list):
        if j in used:
            continue
        if truncated or any(event_matches(o, p) for o in optional_list):
            score.ignored.append(p)
        else:
            score.extra.append(p)
    return score


def score_record(record: GoldRecord, predicted: Iterable[_Triple], crashed: str | None = None) -> RecordScore:
    """Score a gold record: no-event and discard records expect nothing; a crash predicts nothing."""
    gold = record.events if record.kind == "events" else []
    score = score_events(gold, [] if crashed is not None else predicted, record.optional_events,
                         truncated=record.truncated)
    score.id, score.category, score.where, score.text = record.id, record.category, record.where, record.text
    score.kind, score.crashed = record.kind, crashed
    return score


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


class Totals(msgspec.Struct, kw_only=True):
    """Counts over a set of records and the rates derived from them."""

    records: int = 0
    exact_records: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    ignored: int = 0
    crashed: int = 0

    def add(self, score: RecordScore) -> None:
        self.records += 1
        self.exact_records += score.exact
        self.tp += score.tp
        self.fp += score.fp
        self.fn += score.fn
        self.ignored += len(score.ignored)
        self.crashed += score.crashed is not None

    @property
    def exact_rate(self) -> float | None:
        return _ratio(self.exact_records, self.records)

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict:
        return {"records": self.records, "exact_records": self.exact_records, "exact_rate": self.exact_rate,
                "precision": self.precision, "recall": self.recall, "f1": self.f1,
                "gold_events": self.tp + self.fn, "predicted_events": self.tp + self.fp + self.ignored,
                "true_positives": self.tp, "false_positives": self.fp, "false_negatives": self.fn,
                "ignored_predictions": self.ignored, "crashed": self.crashed}


class Summary(msgspec.Struct, kw_only=True):
    """Totals over all scored records and per category (categories sorted by name)."""

    total: Totals
    by_category: dict[str, Totals]


def summarize(scores: Iterable[RecordScore]) -> Summary:
    """Add up record scores, overall and per category."""
    total = Totals()
    by_category: dict[str, Totals] = {}
    for score in scores:
        total.add(score)
        by_category.setdefault(score.category, Totals()).add(score)
    return Summary(total=total, by_category=dict(sorted(by_category.items())))


def worst(scores: Iterable[RecordScore], n: int) -> list[RecordScore]:
    """The ``n`` records with the most errors (false negatives + false positives; a crash ranks
    first among equals), in file order among equals; records without errors are never listed."""
    ranked = [(s.fn + s.fp, s.crashed is not None, -i, s) for i, s in enumerate(scores)
              if s.fn or s.fp or s.crashed is not None]
    ranked.sort(key=lambda t: t[:3], reverse=True)
    return [t[3] for t in ranked[:n]]
