"""Serialising records for output: JSON lines of events and of whole Results."""

from __future__ import annotations

from dyad.records import Event, Result, to_json


def event_to_json(event: Event) -> bytes:
    return to_json(event)


def result_to_json(result: Result) -> bytes:
    return to_json(result)
