"""The boilerplate knowledge the cleaner reads: ``knowledge/boilerplate.txt``, loaded and compiled once.

The phrases that mark page furniture are data, kept in the knowledge file by section; this module
reads the file and compiles each section into what the checks of :mod:`.furniture` use (one
alternation regex per pattern section, one word set per word section).
"""

from __future__ import annotations

import re
from pathlib import Path

from dyad.knowledge.tables import read_text

__all__ = ["BOILERPLATE", "PATTERN_SECTIONS", "load_boilerplate"]

BOILERPLATE = "boilerplate.txt"  # under dyad/knowledge/
# Sections holding regexes (the rest hold words or literal phrases).
PATTERN_SECTIONS = frozenset({"line", "credit", "caption_end", "fragment", "list_start", "trailer", "glued_lead"})


def load_boilerplate(path: Path | None = None) -> dict[str, list[str]]:
    """Read the sectioned knowledge file; entries keep file order so errors can name a line."""
    sections: dict[str, list[str]] = {}
    lines: dict[str, list[int]] = {}
    current: list[str] | None = None
    name = ""
    text = path.read_text(encoding="utf-8") if path else read_text(BOILERPLATE)
    for number, raw in enumerate(text.splitlines(), 1):
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        if re.fullmatch(r"\[\w+\]", entry):
            name = entry[1:-1]
            current = sections.setdefault(name, [])
            continue
        if current is None:
            raise ValueError(f"{path}:{number}: entry before any [section]")
        current.append(entry)
        lines.setdefault(name, []).append(number)
    for name in PATTERN_SECTIONS & sections.keys():
        _check_patterns(sections[name], lines[name], path)
    return sections


def _check_patterns(patterns: list[str], numbers: list[int], path: Path | None) -> None:
    """A section's patterns compile: checked as the one alternation the cleaner compiles anyway (re
    caches it), entry by entry only to name a bad one (compiling each cost a cold start ~10 ms)."""
    try:
        _alternation(patterns)
    except re.error:
        for entry, number in zip(patterns, numbers, strict=True):
            try:
                re.compile(entry, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"{path}:{number}: bad pattern {entry!r}: {exc}") from None
        raise


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    """One compiled alternation per section: one regex call per line instead of dozens."""
    return re.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!)", re.IGNORECASE)


def _words(entries: list[str]) -> frozenset[str]:
    return frozenset(word.lower() for entry in entries for word in entry.split())


def _furniture(sections: dict[str, list[str]]) -> re.Pattern[str]:
    """All whole-line sections in one regex; the named group that matched says which kind.

    It runs on the lower-cased line without re.IGNORECASE: half the cost, and this is the
    check every line pays.
    """
    kinds = {"trailer": "trailer", "list_start": "list", "line": "boilerplate", "credit": "credit"}
    endings = {"trailer": r"\s*[:.…]*", "list_start": r"\s*[:.…]*"}
    parts = [f"(?P<{kind}>(?:{_alternation(sections.get(name, [])).pattern}){endings.get(name, '')})"
             for name, kind in kinds.items()]
    return re.compile("|".join(parts))


_KNOWLEDGE = load_boilerplate()
FURNITURE = _furniture(_KNOWLEDGE)  # whole lines; the matching group names the kind
CAPTION_END = _alternation(_KNOWLEDGE.get("caption_end", []))
FRAGMENT = _alternation(_KNOWLEDGE.get("fragment", []))
FRAGMENT_WITH_SPACE = re.compile(rf"\s*(?:{FRAGMENT.pattern})", re.IGNORECASE)
CONTAINS = tuple(p.lower() for p in _KNOWLEDGE.get("contains", []))
TRAILER_CONTAINS = tuple(p.lower() for p in _KNOWLEDGE.get("trailer_contains", []))
CREDIT_VERBS = _words(_KNOWLEDGE.get("credit_verb", []))
PARTICLES = _words(_KNOWLEDGE.get("name_particle", []))
DATEWORDS = _words(_KNOWLEDGE.get("dateword", []))
NOT_DATELINE = _words(_KNOWLEDGE.get("not_dateline", []))
NOT_NAME_START = _words(_KNOWLEDGE.get("not_name_start", []))
# at a line's start or right after a sentence's end ("... in early March. Read more: ...")
GLUED_LEAD = re.compile(rf"(?:^|(?<=[.!?\"”’] ))(?:{_alternation(_KNOWLEDGE.get('glued_lead', [])).pattern})\s*",
                        re.IGNORECASE)
GLUED_SENTENCE_START = frozenset(w for entry in _KNOWLEDGE.get("glued_sentence_start", []) for w in entry.split())
