"""The one representation every event gold format is read into.

A gold file becomes a :class:`GoldSet`: its records in file order, the dictionary files it names
(resolved beside it) and whatever else its header says. Each :class:`GoldRecord` holds the raw text
to code, the events a coder must find, and whether (and why not) the record counts in the scores.

Record kinds:

``events``
    the listed events must be coded (``{ SRC / TGT / CODE }`` blocks, ``<EventCoding ...>``, a
    JSONL ``events`` list).
``no_event``
    nothing must be coded (TABARI ``{---}``, PETRARCH ``noevents="True"``, a JSONL record with no
    events). Counted; right when the coder codes nothing.
``discard``
    TABARI ``{###}``: the sentence must be discarded. Counted; right when nothing is coded.
``complex``
    TABARI ``{+++}``: "complexity conditions exceeded". Not counted.
``error``
    PETRARCH ``<EventCoding error="...">`` (bad parse, dateline, story discard...). Not counted.
``options``
    a TABARI record that only holds ``{ OPTION: ... }`` blocks. Not counted.

``checked`` says whether a record counts in the scores; ``skip`` says why not when it does not
(the kinds above, ``evaluate="false"``, or a TABARI record whose ``-{`` comes before any event).
``truncated`` marks a TABARI record whose checked list was ended by ``-{``: its listed events must
be coded, and any further event the coder finds is not checked (neither right nor wrong).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

import msgspec

__all__ = ["GoldEvent", "GoldRecord", "GoldSet", "Kind", "category_of"]

Kind = Literal["events", "no_event", "discard", "complex", "error", "options"]


class GoldEvent(msgspec.Struct, frozen=True):
    """One expected event: source and target actor codes and the event code, as written in the gold.

    ``target`` is ``None`` when the gold gives no target. Codes are compared by
    :func:`dyad.evaluate.scoring.event_matches` (prefix rules), not by equality.
    """

    source: str
    target: str | None
    code: str


class GoldRecord(msgspec.Struct, kw_only=True):
    """One gold record: a text to code and what a coder should find in it.

    ``options_before``: the option settings the gold changed before this record (TABARI
    ``{ OPTION: ... }`` blocks and PETRARCH ``<Config>`` elements, later ones winning), keyed as
    :attr:`dyad.components.events.dictionaries.Dictionaries.options` keys them (``SET:TIME SHIFT``,
    ``DEFAULT``, ``COMMA``; ``Options.require_dyad``...). ``option_lines``: the same changes as the
    raw commands in file order (``DEFAULT: OFF`` then ``DEFAULT: SOURCE [X] AFTER``), for a coder
    that replays them. ``lineno`` is the 1-based line of the record's header in ``origin``.
    """

    id: str
    text: str
    date: dt.date | None = None
    date_raw: str = ""
    category: str = ""
    events: list[GoldEvent] = msgspec.field(default_factory=list)
    optional_events: list[GoldEvent] = msgspec.field(default_factory=list)
    kind: Kind = "events"
    checked: bool = True
    skip: str | None = None
    truncated: bool = False
    options_before: dict[str, str] = msgspec.field(default_factory=dict)
    option_lines: list[str] = msgspec.field(default_factory=list)
    lineno: int = 0
    origin: str = ""

    @property
    def where(self) -> str:
        return f"{self.origin}:{self.lineno}" if self.origin else f"line {self.lineno}"


class GoldSet(msgspec.Struct, kw_only=True):
    """A whole gold file.

    ``dictionaries``: the dictionary files the gold names, resolved beside it (a TABARI
    ``.project`` file, which itself names the others, or the PETRARCH ``<Environment>`` files),
    empty when it names none. ``environment``: other header settings as written
    (``include``: the categories a PETRARCH ``<Include>`` lists; ``project``...). ``options``:
    option settings given before the first record (the ``<Config>`` elements of a PETRARCH
    ``<Environment>``), already folded into each record's ``options_before``.
    """

    path: str
    format: str
    records: list[GoldRecord] = msgspec.field(default_factory=list)
    dictionaries: list[str] = msgspec.field(default_factory=list)
    environment: dict[str, str] = msgspec.field(default_factory=dict)
    options: dict[str, str] = msgspec.field(default_factory=dict)
    warnings: list[str] = msgspec.field(default_factory=list)

    @property
    def checked(self) -> list[GoldRecord]:
        """The records that count in the scores."""
        return [r for r in self.records if r.checked]


def category_of(record_id: str) -> str:
    """The category of a record that names none: its ID up to the first ``-`` or ``_``
    (``DEMO-01`` -> ``DEMO``), else its leading letters (``doc12`` -> ``doc``)."""
    head = re.split(r"[-_]", record_id, maxsplit=1)[0]
    if head != record_id:
        return head
    m = re.match(r"[^\W\d_]+", record_id)
    return m.group(0) if m else record_id
