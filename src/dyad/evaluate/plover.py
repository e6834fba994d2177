"""Event coding scored against the PLOVER gold standard records (``--format plover-gsr``).

Each gold record is one event of one sentence: a PLOVER 0.5 event name, source actors and target
actors (CAMEO actor codes). The 0.5 names are mapped to current ones (:data:`PLOVER_05`), the
records grouped by sentence, and each sentence coded once, without a date (the file's dates are
placeholders), by dyad's own coder or, with ``dictionaries``, by the legacy engine
(:class:`dyad.components.events.legacy.LegacyCoder`). Two scores:

``type_f1``
    event types: per sentence, the gold records' types (a multiset) against the distinct PLOVER
    types of the predicted events.
``dyad_f1``
    (event type, source, target) tuples: each gold record expands into its source × target tuples
    (a record without a ``target`` key, or with ``""``, has target ``""``, which only an event
    without a target matches); predicted actor codes are compared at the gold code's length, and
    predicted tuples are counted once per sentence after that truncation. Matching is one-to-one.
``reliability``
    dyad's events with a PLOVER type binned by their ``confidence`` (:data:`CONFIDENCE_BINS`): per
    bin the number of events, their mean confidence and the share whose type, and whose (type,
    source, target), is in the sentence's gold (not one-to-one: a calibration check, not a score).
    ``reliability_halves`` is the same table for the even- and the odd-numbered gold sentences: fit
    confidence on one half, check it on the other.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import msgspec

from dyad.evaluate.gold.files import read_gold_json

__all__ = ["CONFIDENCE_BINS", "PLOVER_05", "GoldSentence", "code_texts", "evaluate_plover_events",
           "read_gold_sentences", "reliability"]

PLOVER_05 = {"FIGHT": "ASSAULT", "DISAPPROVE": "ACCUSE", "DEMAND": "REQUEST", "INVESTIGATE": "ACCUSE"}
"""PLOVER 0.5 event names -> current names (INVESTIGATE is ACCUSE with mode investigate)."""

CONFIDENCE_BINS = (0.0, 0.6, 0.7, 0.8, 1.0)
"""Edges of the reliability bins; the last bin includes 1.0. Below 0.6 is one bin: on the PLOVER dev set
few events score under 0.5 (26 of 185), too few for a share of their own."""

Progress = Callable[[int], None] | None
_BRACES = re.compile(r"^\s*\{(.*)\}\s*$", re.S)


class GoldTuple(msgspec.Struct, frozen=True):
    event: str
    source: str
    target: str  # "" = no target


class GoldSentence(msgspec.Struct):
    id: str
    text: str
    types: list[str]
    tuples: list[GoldTuple]


def _codes(value: Any) -> list[str]:
    if not isinstance(value, list):
        return [""]
    codes = [str(a.get("code") or "") for a in value if isinstance(a, dict)]
    return codes or [""]


def read_gold_sentences(path: str | Path) -> list[GoldSentence]:
    """The gold records grouped by sentence (records sharing a text are one sentence)."""
    data = read_gold_json(path)
    by_text: dict[str, GoldSentence] = {}
    for item in data if isinstance(data, list) else [data]:
        if not isinstance(item, dict):
            continue
        text, event = item.get("text"), item.get("event")
        if not isinstance(text, str) or not text.strip() or not isinstance(event, str) or event in ("", "DOCUMENT"):
            continue
        event = PLOVER_05.get(event, event)
        sentence = by_text.setdefault(text, GoldSentence(str(item.get("id", len(by_text))), text, [], []))
        sentence.types.append(event)
        for source in _codes(item.get("source")):
            for target in _codes(item.get("target")):
                sentence.tuples.append(GoldTuple(event, source, target))
    return list(by_text.values())


def clean_text(text: str) -> str:
    """The gold's sentence without the braces some records wrap it in."""
    m = _BRACES.match(text)
    return m.group(1) if m else text


def code_texts(texts: Sequence[str], dictionaries: Sequence[str] | None = None, nlp=None,
               progress: Progress = None) -> list[list[Any]]:
    """The events of each text (no date): dyad's coder, or the legacy engine with ``dictionaries``."""
    if dictionaries:
        from dyad.components.events.dictionaries import load_dictionaries
        from dyad.components.events.legacy import LegacyCoder

        coder = LegacyCoder(load_dictionaries(list(dictionaries)), {})
        out = coder.code_many(list(texts), [None] * len(texts), [f"gold-{i}" for i in range(len(texts))])
        if progress:
            progress(len(texts))
        return [list(events) for events in out]
    from dyad.pipeline import process
    from dyad.records import Article

    out = []
    for result in process((Article(id=f"gold-{i}", text=t, language="en") for i, t in enumerate(texts)), nlp):
        out.append(list(result.events))
        if progress:
            progress(1)
    return out


def _plover_event(event: Any) -> str | None:
    plover = getattr(event, "plover", None)
    name = getattr(plover, "event", None) if plover is not None else None
    if name:
        return name
    from dyad.resources.ontology import lookup

    code = getattr(event, "code", None)
    return lookup(str(code)).plover_event if code else None


def _code_of(actor: Any) -> str:
    return (getattr(actor, "code", None) or "") if actor is not None else ""


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "tp": tp, "predicted": n_pred, "gold": n_gold}


def _match(gold: list[GoldTuple], predicted: list[tuple[str, str, str]]) -> int:
    """One-to-one matches, each predicted code compared at its gold code's length."""
    used = [False] * len(predicted)
    tp = 0
    for g in gold:
        for j, (event, source, target) in enumerate(predicted):
            if used[j] or event != g.event or source[:len(g.source)] != g.source or (not g.source and source):
                continue
            if (target[:len(g.target)] != g.target) if g.target else target:
                continue
            used[j] = True
            tp += 1
            break
    return tp


def score(sentences: list[GoldSentence], predictions: list[list[Any]], n_errors: int = 0) -> dict:
    type_tp = type_pred = type_gold = dyad_tp = dyad_pred = dyad_gold = 0
    length = Counter(len(t.source) for s in sentences for t in s.tuples if t.source).most_common(1)
    code_length = length[0][0] if length else 3
    errors = []
    for sentence, events in zip(sentences, predictions, strict=True):
        types = {t for e in events if (t := _plover_event(e))}
        gold_types = Counter(sentence.types)
        tp = sum(min(n, 1 if t in types else 0) for t, n in gold_types.items())
        type_tp += tp
        type_pred += len(types)
        type_gold += sum(gold_types.values())
        tuples = sorted({(t, _code_of(e.source)[:code_length], _code_of(e.target)[:code_length])
                         for e in events if (t := _plover_event(e))})
        matched = _match(sentence.tuples, tuples)
        dyad_tp += matched
        dyad_pred += len(tuples)
        dyad_gold += len(sentence.tuples)
        if n_errors and len(errors) < n_errors and (matched < len(sentence.tuples) or matched < len(tuples)):
            errors.append({"id": sentence.id, "text": sentence.text,
                           "gold": [f"{g.event} {g.source or '-'} {g.target or '-'}" for g in sentence.tuples],
                           "predicted": [f"{t} {s or '-'} {g or '-'} ({getattr(e, 'code', '')})"
                                         for e in events if (t := _plover_event(e))
                                         for s, g in [(_code_of(e.source), _code_of(e.target))]]})
    types = _prf(type_tp, type_pred, type_gold)
    dyads = _prf(dyad_tp, dyad_pred, dyad_gold)
    out = {"task": "events", "format": "plover-gsr", "sentences": len(sentences),
           "type_f1": types["f1"], "dyad_f1": dyads["f1"], "types": types, "dyads": dyads,
           "code_length": code_length, "reliability": reliability(sentences, predictions, code_length),
           "reliability_halves": {half: reliability(sentences[k::2], predictions[k::2], code_length)
                                  for k, half in enumerate(("even", "odd"))}}
    if n_errors:
        out["errors"] = errors
    return out


def reliability(sentences: list[GoldSentence], predictions: list[list[Any]], code_length: int) -> list[dict]:
    """Events binned by confidence with the share of each bin that the gold confirms (module doc)."""
    bins = [{"confidence": f"{lo:.1f}-{hi:.1f}", "events": 0, "mean_confidence": 0.0, "type_correct": 0,
             "dyad_correct": 0} for lo, hi in itertools.pairwise(CONFIDENCE_BINS)]
    for sentence, events in zip(sentences, predictions, strict=True):
        for event in events:
            confidence = getattr(event, "confidence", None)
            if confidence is None or not (kind := _plover_event(event)):
                continue
            k = next(i for i, hi in enumerate(CONFIDENCE_BINS[1:]) if confidence < hi or i == len(bins) - 1)
            row = bins[k]
            row["events"] += 1
            row["mean_confidence"] += confidence
            row["type_correct"] += kind in sentence.types
            source, target = _code_of(event.source)[:code_length], _code_of(event.target)[:code_length]
            row["dyad_correct"] += bool(_match(sentence.tuples, [(kind, source, target)]))
    for row in bins:
        n = row["events"]
        row["mean_confidence"] = row["mean_confidence"] / n if n else None
        row["type_correct"] = row["type_correct"] / n if n else None
        row["dyad_correct"] = row["dyad_correct"] / n if n else None
    return [row for row in bins if row["events"]]


def evaluate_plover_events(path: str | Path, dictionaries: Sequence[str] | None = None, nlp=None,
                           progress: Progress = None, n_errors: int = 0) -> dict:
    """Score dyad (or the legacy engine with ``dictionaries``) on a PLOVER GSR file (module doc)."""
    sentences = read_gold_sentences(path)
    predictions = code_texts([clean_text(s.text) for s in sentences], dictionaries, nlp, progress)
    out = score(sentences, predictions, n_errors)
    out["gold"] = str(path)
    out["coder"] = "legacy" if dictionaries else "dyad"
    out["dictionaries"] = list(dictionaries or [])
    return out
