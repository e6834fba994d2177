"""De-duplication within an article: a scraped page often repeats its headline or lead, which
would code the same event twice. Corpus-level story grouping builds on this (stories issue)."""

from __future__ import annotations

import re

from dyad.records import Event

_NON_WORD = re.compile(r"\W+")


def event_key(event: Event) -> tuple:
    """Two mentions are the same event when the same words code the same dyad and code."""
    sentence = _NON_WORD.sub(" ", event.sentence.lower()).strip()
    target = event.target.code if event.target is not None else None
    return (sentence, event.source.code, target, event.code)


def dedupe_events(events: list[Event]) -> list[Event]:
    """Keep the first of each repeated event, in order."""
    seen: set[tuple] = set()
    kept = []
    for event in events:
        key = event_key(event)
        if key not in seen:
            seen.add(key)
            kept.append(event)
    return kept
