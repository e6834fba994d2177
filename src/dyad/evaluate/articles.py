"""Whole articles coded end to end, scored as users aggregate them (``--format articles``).

Every article is coded the way ``dyad code`` reads a JSONL line (``id``, ``text``, ``date`` as the
publication date), by dyad's defaults or, with ``dictionaries``, by the legacy coder in dyad's
pipeline. Rules of the gold's README:

events
    A code is scored at its prefix (:func:`prefix`): the first 6 letters of an IGO, NGO or IMG code, else
    the first 3 (the country). An article's predictions are reduced to one per (source prefix, target
    prefix, CAMEO root); a prediction matches a gold event when its prefixes start with the gold's and its
    root is the gold's (:func:`dyad.evaluate.scoring.event_matches`, one-to-one). One matching an optional
    event but no required one is neither right nor wrong; one matching neither is extra. Events without a
    target (or whose target has no code) are not dyadic: counted apart, per printed event (``untargeted``).
    ``halves``: the same figures over lines 2, 4, ... (``even``, tuned on) and 1, 3, ... (``odd``, held out).
quotes
    A gold quote whose ``speaker_keys`` is not empty is found when dyad prints a quotation holding the
    gold text's first :data:`OPENING_WORDS` words, and right when such a quotation's ``speaker`` or
    ``speaker_name`` holds one of the keys as a word. The denominator is every such gold quote.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from dyad.evaluate.gold.articles import ArticleEvent, ArticleGold, read_articles
from dyad.evaluate.scoring import PredictedEvent, RecordScore, Totals, score_events, worst

__all__ = ["OPENING_WORDS", "code_articles", "evaluate_articles", "first_mentions", "prefix", "reduce_events",
           "score_articles", "score_quotes"]

INTERNATIONAL = ("IGO", "NGO", "IMG")
INTERNATIONAL_LENGTH = 6  # the gold README: IGOUNO, NGOAMN, IMGMUS
COUNTRY_LENGTH = 3  # ISO 3166-1 alpha-3
# Words of a gold quotation's opening (~60 characters, often cut mid-word) that dyad's quotation must hold.
# Set by hand: enough to tell quotations apart; re-measure with
# `dyad evaluate --task quotes ../shared/gold/articles/gwn-events.jsonl`.
OPENING_WORDS = 4
WORD = re.compile(r"\w+")

Progress = Callable[[int], None] | None


# One actor, two spellings: the CAMEO manual's table codes the European Union IGOEEC (dyad follows the
# manual: knowledge/actors/organizations.tsv), the gold's README writes IGOEU. Compared as the same actor.
SAME_ACTOR = {"IGOEEC": "IGOEU"}


def prefix(code: str | None) -> str:
    """The scored part of an actor code: 6 letters for IGO, NGO and IMG codes, else 3 (`SAME_ACTOR` applied)."""
    code = (code or "").strip().upper()
    for manual, gold in SAME_ACTOR.items():
        if code.startswith(manual):
            code = gold + code[len(manual):]
    return code[:INTERNATIONAL_LENGTH] if code.startswith(INTERNATIONAL) else code[:COUNTRY_LENGTH]


def _root(event: Any) -> str:
    return (getattr(event, "root_code", None) or str(getattr(event, "code", "") or ""))[:2]


def _actor_code(actor: Any) -> str:
    return (getattr(actor, "code", None) or "") if actor is not None else ""


def _targeted(event: Any) -> bool:
    return bool(_actor_code(getattr(event, "target", None)))


def first_mentions(events: Iterable[Any]) -> dict[PredictedEvent, Any]:
    """An article's dyadic predictions, one per (source prefix, target prefix, root), each with the event
    that first said it."""
    mentions: dict[PredictedEvent, Any] = {}
    for event in events:
        if _targeted(event):
            key = PredictedEvent(prefix(_actor_code(event.source)), prefix(_actor_code(event.target)), _root(event))
            mentions.setdefault(key, event)
    return mentions


def reduce_events(events: Iterable[Any]) -> tuple[list[PredictedEvent], dict[PredictedEvent, str], int]:
    """An article's dyadic predictions (`first_mentions`) with the sentence of each first mention, and the
    number of events printed without a (coded) target."""
    events = list(events)
    said = {key: getattr(event, "sentence", "") or "" for key, event in first_mentions(events).items()}
    return list(said), said, sum(not _targeted(e) for e in events)


def code_articles(articles: Sequence[ArticleGold], dictionaries: Sequence[str] | None = None, nlp: Any = None,
                  progress: Progress = None) -> list[Any]:
    """dyad's Result for each article, read as `dyad code` reads a JSONL line of ``id``, ``text`` and ``date``.
    The title is left out: it is already the text's first line, and the cleaner tells a headline as it does
    for any text given without one."""
    from dyad.pipeline import load, process

    if nlp is None:
        nlp = load(dictionaries=tuple(str(p) for p in dictionaries or ()))
    records = ({k: v for k, v in (("id", a.id), ("text", a.text), ("date", a.date)) if v} for a in articles)
    out = []
    for result in process(records, nlp):
        out.append(result)
        if progress:
            progress(1)
    return out


def _gold(events: list[ArticleEvent]) -> list[PredictedEvent]:
    return [PredictedEvent(e.source, e.target, e.code) for e in events]


def _figures(totals: Totals, untargeted: int) -> dict:
    return {"precision": totals.precision, "recall": totals.recall, "f1": totals.f1, "untargeted": untargeted,
            "articles": totals.records, "gold_events": totals.tp + totals.fn, "right": totals.tp,
            "extra": totals.fp, "missed": totals.fn, "optional_predicted": totals.ignored}


def _event(event: Any, sentence: str) -> dict:
    return {"source": event.source, "target": event.target, "code": event.code, "sentence": sentence}


def score_articles(golds: Sequence[ArticleGold], results: Sequence[Any], n_errors: int = 0) -> dict:
    """The event figures (module doc): totals, halves, per-article rows and the ``n_errors`` worst articles."""
    scores: list[RecordScore] = []
    rows, sentences = [], []
    for gold, result in zip(golds, results, strict=True):
        failed = result.reason if result.status == "failed" else None
        predicted, said, untargeted = reduce_events(result.events)
        score = score_events(_gold(gold.events), predicted, _gold(gold.optional_events))
        score.id, score.where, score.crashed = gold.id, f"line {gold.line}", failed
        scores.append(score)
        sentences.append(({(e.source, e.target, e.code): e.sentence for e in gold.events}, said))
        rows.append({"id": gold.id, "line": gold.line, "status": result.status, "gold_events": len(score.gold),
                     "predicted": len(predicted), "right": score.tp, "extra": score.fp, "missed": score.fn,
                     "optional_predicted": len(score.ignored), "untargeted": untargeted})
    halves = {}
    for name, parity in (("even", 0), ("odd", 1)):
        totals = Totals()
        for gold, score in zip(golds, scores, strict=True):
            if gold.line % 2 == parity:
                totals.add(score)
        halves[name] = _figures(totals, sum(r["untargeted"] for r in rows if r["line"] % 2 == parity))
    f1s = [halves[h]["f1"] for h in halves]
    halves["gap"] = abs(f1s[0] - f1s[1]) if None not in f1s else None
    total = Totals()
    for score in scores:
        total.add(score)
    out = _figures(total, sum(r["untargeted"] for r in rows))
    out.update({"halves": halves, "per_article": rows})
    if n_errors:
        index = {id(s): k for k, s in enumerate(scores)}
        out["errors"] = []
        for score in worst(scores, n_errors):
            gold_sentences, said = sentences[index[id(score)]]
            out["errors"].append({
                "id": score.id, "where": score.where, "crashed": score.crashed,
                "missed": [_event(e, gold_sentences.get((e.source, e.target, e.code), "")) for e in score.missed],
                "extra": [_event(e, said.get(e, "")) for e in score.extra]})
    return out


def _words(text: str | None) -> list[str]:
    return [w.casefold() for w in WORD.findall(text or "")]


def _holds(words: list[str], part: list[str]) -> bool:
    n = len(part)
    return bool(n) and any(words[i:i + n] == part for i in range(len(words) - n + 1))


def score_quotes(golds: Sequence[ArticleGold], results: Sequence[Any], n_errors: int = 0) -> dict:
    """The quote figures (module doc), with the ``n_errors`` first wrong quotes."""
    quotes = found = right = 0
    errors = []
    for gold, result in zip(golds, results, strict=True):
        printed = [(_words(q.text), (_words(q.speaker), _words(q.speaker_name)), q) for q in result.quotes]
        for quote in gold.quotes:
            if not quote.speaker_keys:
                continue
            quotes += 1
            opening = _words(quote.text)[:OPENING_WORDS]
            matches = [(speakers, q) for words, speakers, q in printed if _holds(words, opening)]
            keys = [_words(key) for key in quote.speaker_keys]
            ok = any(_holds(said, key) for speakers, _ in matches for said in speakers for key in keys)
            found += bool(matches)
            right += ok
            if not ok and len(errors) < n_errors:
                errors.append({"id": gold.id, "quote": quote.text, "speaker": quote.speaker, "found": bool(matches),
                               "printed_speakers": [q.speaker_name or q.speaker for _, q in matches]})
    out = {"quotes": quotes, "found": found, "speakers_right": right,
           "speaker_accuracy": right / quotes if quotes else None}
    if n_errors:
        out["errors"] = errors
    return out


def evaluate_articles(path: str | Path, task: str = "events", dictionaries: Sequence[str] | None = None,
                      nlp: Any = None, progress: Progress = None, n_errors: int = 0) -> dict:
    """Code every article of a whole-article gold file and score ``task`` (events or quotes)."""
    golds = read_articles(path)
    results = code_articles(golds, dictionaries, nlp, progress)
    scored = score_quotes(golds, results, n_errors) if task == "quotes" else score_articles(golds, results, n_errors)
    return {"task": task, "format": "articles", "gold": str(path), "coder": "legacy" if dictionaries else "dyad",
            "dictionaries": list(dictionaries or []), **scored}
