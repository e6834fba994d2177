"""Serialising records for output: JSON lines of events and of whole Results."""

from __future__ import annotations

import msgspec

from dyad.records import Event, Quote, Result, to_json


def event_to_json(event: Event) -> bytes:
    return to_json(event)


def result_to_json(result: Result) -> bytes:
    return to_json(result)


def quote_to_json(article_id: str, quote: Quote) -> bytes:
    return msgspec.json.encode({"article_id": article_id, **msgspec.to_builtins(quote)})
