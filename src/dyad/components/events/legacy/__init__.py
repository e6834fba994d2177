"""Coding raw text with legacy TABARI/PETRARCH dictionaries on spaCy parses (see :mod:`.coder`)."""

from dyad.components.events.legacy.coder import LegacyCoder, code_texts
from dyad.components.events.legacy.compiled import compiled
from dyad.components.events.legacy.component import add_legacy_events

__all__ = ["LegacyCoder", "add_legacy_events", "code_texts", "compiled"]
