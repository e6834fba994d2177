"""The PLOVER gold standard records (``plover-gsr-*.json``): sentences with coded actors.

The file is a JSON list of records. A record with ``text`` names its ``source`` and ``target``
actors as lists of ``{"actorText", "code", "sector"}`` (or an empty string when there is none).
The first record of the published files is documentation ("DOCUMENT") and has no text. The
``date`` fields of the development file are placeholders, so the records carry no date.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from dyad.evaluate.gold.files import read_gold_json, text_or_none

__all__ = ["PloverActor", "PloverRecord", "read_plover_gsr"]


class PloverActor(msgspec.Struct, frozen=True):
    role: str  # source | target
    text: str
    code: str | None = None
    sector: str | None = None


class PloverRecord(msgspec.Struct):
    id: str
    text: str
    actors: list[PloverActor]
    event: str | None = None


def read_plover_gsr(path: str | Path) -> list[PloverRecord]:
    """The records of a PLOVER GSR JSON file that hold a text, with their gold actors."""
    data = read_gold_json(path)
    records: list[PloverRecord] = []
    for item in data if isinstance(data, list) else [data]:
        if not isinstance(item, dict):
            continue
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        actors: list[PloverActor] = []
        for role in ("source", "target"):
            value = item.get(role)
            for actor in value if isinstance(value, list) else []:
                if isinstance(actor, dict) and actor.get("actorText"):
                    actors.append(PloverActor(role, str(actor["actorText"]), text_or_none(actor.get("code") or None),
                                              text_or_none(actor.get("sector") or None)))
        records.append(PloverRecord(str(item.get("id", len(records))), text, actors, text_or_none(item.get("event"))))
    return records
