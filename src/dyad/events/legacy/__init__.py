"""Coding raw text with legacy TABARI/PETRARCH dictionaries on spaCy parses (see :mod:`.coder`)."""

from dyad.events.legacy.coder import LegacyCoder, code_texts, compiled

__all__ = ["LegacyCoder", "code_texts", "compiled"]
