"""Sentence PentaClass scored against ConfliBERT's CAMEO class gold (``--format conflibert-class``).

The gold is ``sentence<TAB>label`` with label the CAMEO PentaClass: 0 statements (CAMEO 01-02),
1 verbal cooperation (03-05), 2 material cooperation (06-08), 3 verbal conflict (09-13), 4 material
conflict (14-20). A code's class is the ontology's ``penta_class``, which follows PLOVER's quad table
in one place: reducing relations (16, SANCTION) is verbal conflict, as the gold labels it
(``tools/build_ontology.py``). Each sentence is coded on its own without a date, by dyad's coder or, with
``dictionaries``, by the legacy engine. The sentence's class is that of its main-clause event: the
coded event whose verb is nearest the root of the sentence's dependency parse (ties: the leftmost
verb). A sentence with no coded event predicts class 0 (fixed, not tuned).

``macro_f1``: the mean F1 of the five classes over all sentences; ``coverage``: the share of
sentences with a coded event; ``macro_f1_covered``: macro-F1 over the covered sentences only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from dyad.evaluate.gold.files import GoldError, read_gold_text
from dyad.resources.ontology import lookup

__all__ = ["CLASSES", "evaluate_pentaclass", "main_event", "read_class_gold"]

CLASSES = (0, 1, 2, 3, 4)
NO_EVENT_CLASS = 0
Progress = Callable[[int], None] | None


def read_class_gold(path: str | Path) -> list[tuple[str, int]]:
    rows = []
    for lineno, line in enumerate(read_gold_text(path).splitlines(), 1):
        if not line.strip():
            continue
        text, sep, label = line.rpartition("\t")
        if not sep or not label.strip().isascii() or not label.strip().isdigit():  # "²" is a digit, not a number
            raise GoldError(f"{path}:{lineno}: expected sentence<TAB>label")
        rows.append((text, int(label)))
    return rows


# A guard against a cyclic parse; real trees are far shallower.
_MAX_DEPTH = 200
# The rank of an event without a verb span: after every event that has one.
_UNRANKED = (float("inf"), float("inf"))


def _depth(token) -> int:
    depth = 0
    while token.head is not token and depth < _MAX_DEPTH:
        token, depth = token.head, depth + 1
    return depth


def main_event(doc, events: Sequence[Any]) -> Any | None:
    """The event whose verb is nearest the root of its sentence's parse (ties: leftmost verb)."""
    sents = list(doc.sents)
    best, best_key = None, None
    for event in events:
        verb = event.provenance.spans.get("verb") if event.provenance is not None else None
        if not verb or event.sentence_index >= len(sents):
            key = _UNRANKED
        else:
            i = sents[event.sentence_index].start + verb[0]
            key = (_depth(doc[i]), i) if i < len(doc) else _UNRANKED
        if best_key is None or key < best_key:
            best, best_key = event, key
    return best


def _macro(pairs: list[tuple[int, int]]) -> tuple[float, dict]:
    per = {}
    for c in CLASSES:
        tp = sum(1 for g, p in pairs if g == c and p == c)
        n_pred = sum(1 for _, p in pairs if p == c)
        n_gold = sum(1 for g, _ in pairs if g == c)
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        per[str(c)] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
                       "gold": n_gold, "predicted": n_pred}
    return (sum(v["f1"] for v in per.values()) / len(CLASSES) if pairs else 0.0), per


def evaluate_pentaclass(path: str | Path, dictionaries: Sequence[str] | None = None, nlp=None,
                        progress: Progress = None, n_errors: int = 0) -> dict:
    """Score dyad (or the legacy engine with ``dictionaries``) on a PentaClass file (module doc)."""
    from dyad.pipeline import parse
    from dyad.records import Article

    gold = read_class_gold(path)
    texts = [t for t, _ in gold]
    docs = list(parse((Article(id=f"gold-{i}", text=t, language="en") for i, t in enumerate(texts)), nlp))
    if dictionaries:
        from dyad.evaluate.plover import code_texts

        predictions = code_texts(texts, dictionaries)
    else:
        predictions = [list(getattr(d._, "events", None) or []) if not hasattr(d, "status") else [] for d in docs]
    pairs, covered, errors = [], [], []
    for (text, label), doc, events in zip(gold, docs, predictions, strict=True):
        event = main_event(doc, events) if events and not hasattr(doc, "status") else None
        if event is None and events:
            event = events[0]
        predicted = NO_EVENT_CLASS
        if event is not None:
            penta = lookup(str(event.code)).penta_class
            predicted = penta if penta is not None else NO_EVENT_CLASS
            covered.append((label, predicted))
        pairs.append((label, predicted))
        if progress:
            progress(1)
        if n_errors and predicted != label and len(errors) < n_errors:
            errors.append({"text": text, "gold": label, "predicted": predicted,
                           "event": f"{event.code} {event.source.code}/{getattr(event.target, 'code', None)}"
                           if event is not None else None})
    macro, per_class = _macro(pairs)
    macro_covered, _ = _macro(covered)
    out = {"task": "events", "format": "conflibert-class", "gold": str(path),
           "coder": "legacy" if dictionaries else "dyad", "dictionaries": list(dictionaries or []),
           "sentences": len(pairs), "macro_f1": macro, "coverage": len(covered) / len(pairs) if pairs else 0.0,
           "macro_f1_covered": macro_covered, "accuracy": sum(g == p for g, p in pairs) / len(pairs) if pairs else 0.0,
           "per_class": per_class}
    if n_errors:
        out["errors"] = errors
    return out
