"""dyad's generic event gold: JSON lines, one document per line.

    {"id": "d1", "date": "2024-03-01", "text": "...", "category": "news",
     "events": [{"source": "FRA", "target": "DEU", "code": "036"}],
     "optional_events": [{"source": "DEU", "target": "FRA", "code": "04"}]}

``id`` (default ``line-N``), ``date`` (ISO ``YYYY-MM-DD`` or ``YYYYMMDD``), ``category``,
``optional_events`` are optional; ``source`` and ``target`` are code strings or objects with a
``code`` (so the events of ``dyad code --format results``, one ``{"article": {...}, "events":
[...]}`` object per line, serve as gold as they are: ``id``, ``text`` and ``date`` are then read
from ``article``); ``target`` may be ``null``. A record without events is a no-event record:
it is right when nothing is coded. ``"kind": "discard"`` marks a text that should be discarded
(scored like a no-event record) and ``"evaluate": false`` a record kept but not scored. A predicted
event that matches an optional event counts neither right nor wrong. Blank lines and lines
starting with ``#`` or ``//`` are skipped; a line that is not a JSON object with a text is
reported in :attr:`GoldSet.warnings` and skipped.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import msgspec

from dyad.evaluate.gold.model import GoldEvent, GoldRecord, GoldSet, category_of

__all__ = ["read_jsonl", "record_from_json"]

_decoder = msgspec.json.Decoder()


def _code(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("code")
        if value is None:
            return None
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a code string or an object with a \"code\"")
    return value.strip() or None


def _events(items: Any, what: str) -> list[GoldEvent]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise ValueError(f"{what} must be a list of events")
    out: list[GoldEvent] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError(f"{what}[{i}] must be an object with source, target and code")
        source = _code(item.get("source"), f"{what}[{i}].source")
        code = _code(item.get("code"), f"{what}[{i}].code")
        if source is None or code is None:
            raise ValueError(f"{what}[{i}] needs a source and a code")
        out.append(GoldEvent(source, _code(item.get("target"), f"{what}[{i}].target"), code))
    return out


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    text = str(value).strip()[:10]
    if len(text) >= 8 and text[:8].isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:8]}"
    return dt.date.fromisoformat(text)


def record_from_json(obj: dict, lineno: int, origin: str = "") -> GoldRecord:
    """One JSONL gold object as a :class:`GoldRecord`; raises ``ValueError`` when it is not one."""
    article = obj.get("article") if isinstance(obj.get("article"), dict) else {}
    text = obj.get("text", article.get("text"))
    if not isinstance(text, str):
        raise ValueError('needs a "text" string')
    record_id = str(obj.get("id", article.get("id")) or f"line-{lineno}")
    raw_date = obj.get("date", article.get("date"))
    try:
        date = _date(raw_date)
    except ValueError:
        raise ValueError(f"date {raw_date!r} is not YYYY-MM-DD") from None
    record = GoldRecord(id=record_id, text=text, date=date, date_raw="" if raw_date is None else str(raw_date),
                        category=str(obj.get("category") or category_of(record_id)),
                        events=_events(obj.get("events"), "events"),
                        optional_events=_events(obj.get("optional_events"), "optional_events"),
                        lineno=lineno, origin=origin)
    kind = obj.get("kind")
    if kind == "discard":
        record.kind = "discard"
    elif kind not in (None, "events", "no_event"):
        raise ValueError(f'kind {kind!r} is not "events", "no_event" or "discard"')
    elif not record.events:
        record.kind = "no_event"
    if obj.get("evaluate", True) is False:
        record.checked, record.skip = False, "evaluate=false"
    return record


def read_jsonl(path: str | Path, *, text: str | None = None) -> GoldSet:
    """Read a JSONL gold file into a :class:`GoldSet` (see the module docstring)."""
    path = Path(path)
    if text is None:
        text = path.read_bytes().decode("utf-8", errors="replace")
    origin = str(path)
    gold = GoldSet(path=origin, format="jsonl")
    for lineno, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s or s.startswith(("#", "//")):
            continue
        try:
            obj = _decoder.decode(s)
            if not isinstance(obj, dict):
                raise ValueError("not a JSON object")
            gold.records.append(record_from_json(obj, lineno, origin))
        except (msgspec.DecodeError, ValueError, RecursionError) as error:  # RecursionError: nested too deeply
            gold.warnings.append(f"{origin}:{lineno}: skipped: {error}")
    return gold
