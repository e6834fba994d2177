"""Evaluate actor coding (``dyad evaluate --task actors``) against actor-span gold.

Two gold formats:

``conflibert-ner``
    sentences with source/target/reciprocal spans (:mod:`dyad.evaluate.gold.conflibert`). Each
    sentence's text (its tokens joined by single spaces) is coded on its own, without a date.
    ``recall``: share of gold spans that a coded dyad actor mention (one with a CAMEO code)
    overlaps by at least one token; ``recall_exact``: the same with identical token boundaries;
    ``mentions_per_span``: coded mentions over the file per gold span (how much dyad codes beyond
    the gold). ``source_f1``/``target_f1``: the spans of dyad's event sources and targets against
    the gold's (token overlap; a reciprocal span counts as both roles).
``plover-gsr``
    sentences with their actors' text and code (:mod:`dyad.evaluate.gold.plover_gsr`), coded
    without a date (the file's dates are placeholders). For each gold actor with a code, dyad's
    coded actor over the gold ``actorText`` (the one overlapping it most) is compared with the
    gold code at the gold code's length (gold ``IGO`` accepts ``IGOUNO``). ``code_accuracy`` is
    the share of gold actors with a code that got the right code (no actor found counts as
    wrong); ``found_rate`` the share over which dyad found a coded actor at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from dyad.evaluate.gold.conflibert import NerSentence, read_conflibert_ner
from dyad.evaluate.gold.plover_gsr import PloverActor, PloverRecord, read_plover_gsr
from dyad.records import Actor, Article, Result

__all__ = ["ACTOR_FORMATS", "evaluate_actors", "evaluate_conflibert", "evaluate_plover", "locate"]

ACTOR_FORMATS = ("conflibert-ner", "plover-gsr")
# Articles per pipeline batch; set by hand, as the pipeline's batches are:
# re-measure with `python benchmarks/pipeline.py`.
BATCH_SIZE = 64

Progress = Callable[[int], None] | None


def _code(texts: Sequence[str], nlp=None, progress: Progress = None) -> list[Result]:
    """Code each text as an article of its own (no date), in nlp.pipe batches."""
    from dyad.pipeline import process

    articles = (Article(id=f"gold-{i}", text=text, language="en") for i, text in enumerate(texts))
    results = []
    for result in process(articles, nlp, batch_size=BATCH_SIZE):
        results.append(result)
        if progress:
            progress(1)
    return results


def _ratio(n: int, d: int) -> float | None:
    return n / d if d else None


def _f1(tp_pred: int, n_pred: int, tp_gold: int, n_gold: int) -> dict:
    p, r = _ratio(tp_pred, n_pred), _ratio(tp_gold, n_gold)
    f1 = 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)
    return {"precision": p, "recall": r, "f1": f1, "gold": n_gold, "predicted": n_pred}


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _token_span(offsets: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """Token offsets [first, last+1) of the tokens a character span touches."""
    touched = [i for i, (s, e) in enumerate(offsets) if s < end and start < e]
    return (touched[0], touched[-1] + 1) if touched else None


def evaluate_conflibert(sentences: list[NerSentence], nlp=None, progress: Progress = None,
                        n_errors: int = 0) -> dict:
    results = _code([s.text for s in sentences], nlp, progress)
    gold_n = overlap_n = exact_n = mentions = crashed = 0
    role_counts = {"source": [0, 0, 0, 0], "target": [0, 0, 0, 0]}  # tp_pred, n_pred, tp_gold, n_gold
    misses: list[dict] = []
    for sentence, result in zip(sentences, results, strict=True):
        if result.status != "coded":
            crashed += 1
        offsets = sentence.token_offsets()
        coded = [span for a in result.actors if a.code and (span := _token_span(offsets, a.start, a.end))]
        mentions += len(coded)
        for g in sentence.spans:
            gold_n += 1
            gspan = (g.start, g.end)
            hit = any(_overlaps(gspan, c) for c in coded)
            overlap_n += hit
            exact_n += gspan in coded
            if not hit and len(misses) < n_errors:
                misses.append({"where": sentence.where, "gold": " ".join(sentence.tokens[g.start:g.end]),
                               "role": g.role, "text": sentence.text,
                               "coded": [f"{a.text} {a.code}" for a in result.actors if a.code]})
        for role, letters in (("source", ("S", "R")), ("target", ("T", "R"))):
            gold = [(g.start, g.end) for g in sentence.spans if g.role in letters]
            predicted = set()
            for event in result.events:
                actor = event.source if role == "source" else event.target
                if actor is not None and (span := _token_span(offsets, actor.start, actor.end)):
                    predicted.add(span)
            counts = role_counts[role]
            counts[0] += sum(any(_overlaps(p, g) for g in gold) for p in predicted)
            counts[1] += len(predicted)
            counts[2] += sum(any(_overlaps(p, g) for p in predicted) for g in gold)
            counts[3] += len(gold)
    roles = {role: _f1(*counts) for role, counts in role_counts.items()}
    out = {
        "task": "actors", "format": "conflibert-ner", "sentences": len(sentences), "gold_spans": gold_n,
        "recall": _ratio(overlap_n, gold_n), "recall_exact": _ratio(exact_n, gold_n),
        "coded_mentions": mentions, "mentions_per_span": _ratio(mentions, gold_n),
        "source_f1": roles["source"]["f1"], "target_f1": roles["target"]["f1"], "roles": roles,
        "crashed": crashed,
    }
    if n_errors:
        out["missed"] = misses
    return out


_GAP = re.compile(r"\s*(?:\.\.\.|…)\s*")


def locate(text: str, actor_text: str) -> tuple[int, int] | None:
    """Character span of a gold actorText in its sentence ("U.S. ... negotiators" spans the gap)."""
    parts = [p for p in _GAP.split(actor_text.strip()) if p]
    if not parts:
        return None
    for flags in (0, re.I):
        at, start = 0, None
        for part in parts:
            m = re.search(re.escape(part), text[at:], flags)
            if m is None:
                break
            if start is None:
                start = at + m.start()
            at += m.end()
        else:
            return start, at
    return None


def _best(actors: Iterable[Actor], span: tuple[int, int]) -> Actor | None:
    best, best_key = None, None
    for a in actors:
        if not a.code or not _overlaps((a.start, a.end), span):
            continue
        overlap = min(a.end, span[1]) - max(a.start, span[0])
        key = (overlap, -abs(a.start - span[0]))
        if best_key is None or key > best_key:
            best, best_key = a, key
    return best


def evaluate_plover(records: list[PloverRecord], nlp=None, progress: Progress = None, n_errors: int = 0) -> dict:
    results = _code([r.text for r in records], nlp, progress)
    gold_n = found = right = unlocated = crashed = 0
    errors: list[dict] = []
    for record, result in zip(records, results, strict=True):
        if result.status != "coded":
            crashed += 1
        for actor in record.actors:
            if not actor.code:
                continue
            gold_n += 1
            span = locate(record.text, actor.text)
            unlocated += span is None
            dyad = _best(result.actors, span) if span else None
            found += dyad is not None
            ok = dyad is not None and dyad.code[:len(actor.code)] == actor.code
            right += ok
            if not ok and len(errors) < n_errors:
                errors.append(_plover_error(record, actor, dyad))
    out = {
        "task": "actors", "format": "plover-gsr", "records": len(records), "gold_actors": gold_n,
        "code_accuracy": _ratio(right, gold_n), "found_rate": _ratio(found, gold_n),
        "accuracy_when_found": _ratio(right, found), "unlocated": unlocated, "crashed": crashed,
    }
    if n_errors:
        out["errors"] = errors
    return out


def _plover_error(record: PloverRecord, gold: PloverActor, dyad: Actor | None) -> dict:
    return {"id": record.id, "gold": f"{gold.text} {gold.code}",
            "dyad": f"{dyad.text} {dyad.code}" if dyad else None,
            "evidence": dyad.evidence if dyad else None, "text": record.text}


def evaluate_actors(path: str | Path, gold_format: str, nlp=None, progress: Progress = None,
                    n_errors: int = 0, total: Callable[[int], None] | None = None) -> dict:
    """Score dyad's actor coding against a gold file of format `gold_format` (see the module doc)."""
    if gold_format == "conflibert-ner":
        sentences = read_conflibert_ner(path)
        if total:
            total(len(sentences))
        result = evaluate_conflibert(sentences, nlp, progress, n_errors)
    elif gold_format == "plover-gsr":
        records = read_plover_gsr(path)
        if total:
            total(len(records))
        result = evaluate_plover(records, nlp, progress, n_errors)
    else:
        raise ValueError(f"--task actors reads {' or '.join(ACTOR_FORMATS)}, not {gold_format!r}")
    result["gold"] = str(path)
    return result
