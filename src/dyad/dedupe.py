"""De-duplication within an article: a scraped page often repeats its headline or lead, which
would code the same event twice. Corpus-level story grouping builds on this (stories issue)."""

from __future__ import annotations

import re

from dyad.records import Event

_NON_WORD = re.compile(r"\W+")


def event_key(event: Event, words: str) -> tuple:
    """Two mentions are the same event when the same words (`words` of its sentence) code the same
    dyad and code."""
    target = event.target.code if event.target is not None else None
    return (words, event.source.code, target, event.code)


def _dyad(event: Event) -> tuple:
    return event.source.code, event.target.code if event.target is not None else None, event.root_code


def dedupe_events(events: list[Event], headline: frozenset[int] = frozenset()) -> list[Event]:
    """Keep the first of each repeated event, in order. An event of the headline (its sentence indices in
    `headline`) that the body codes too (same source, target and CAMEO root) is the body's event: the
    headline announces what the body tells, with its date and place, so it is not counted twice."""
    in_body = {_dyad(e) for e in events if e.sentence_index not in headline} if headline else set()
    seen: set[tuple] = set()
    words: dict[int, str] = {}  # sentence index -> its words, read once for all its events (not once each)
    kept = []
    for event in events:
        if event.sentence_index not in words:
            words[event.sentence_index] = _NON_WORD.sub(" ", event.sentence.lower()).strip()
        key = event_key(event, words[event.sentence_index])
        if key in seen or (event.sentence_index in headline and _dyad(event) in in_body):
            continue
        seen.add(key)
        kept.append(event)
    return kept
