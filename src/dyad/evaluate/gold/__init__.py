"""Gold-standard readers: one module per format, all producing a :class:`GoldSet`.

>>> from dyad.evaluate.gold import read_gold
>>> gold = read_gold("Validate.text")  # doctest: +SKIP  (format detected: tabari)
>>> gold.records[0].events  # doctest: +SKIP

Implemented: ``tabari`` (TABARI validation files, :mod:`.tabari`), ``petrarch-xml`` (PETRARCH
unit-test XML and UniversalPetrarch's validation XML, :mod:`.petrarch`), ``jsonl`` (dyad's generic
gold, :mod:`.jsonl`). ``articles`` (whole-article gold, :mod:`.articles`) is read and scored by
:mod:`dyad.evaluate.articles`. The other formats are recognised (so that ``auto`` can name them) but not
read yet: :func:`read_gold` raises :class:`FormatNotImplemented` for them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from dyad.evaluate.gold.files import GoldError
from dyad.evaluate.gold.jsonl import read_jsonl
from dyad.evaluate.gold.model import GoldEvent, GoldRecord, GoldSet, Kind, category_of
from dyad.evaluate.gold.petrarch import read_petrarch_xml
from dyad.evaluate.gold.tabari import read_tabari

__all__ = [
    "FORMATS",
    "IMPLEMENTED",
    "FormatNotImplemented",
    "GoldError",
    "GoldEvent",
    "GoldRecord",
    "GoldSet",
    "Kind",
    "category_of",
    "detect_format",
    "read_gold",
    "read_jsonl",
    "read_petrarch_xml",
    "read_tabari",
]

FORMATS = ("tabari", "petrarch-xml", "plover-gsr", "conflibert-class", "conflibert-ner", "polnear", "gwn", "lgl",
           "geovirus", "jsonl", "articles")
IMPLEMENTED = ("tabari", "petrarch-xml", "jsonl")

_READERS = {"tabari": read_tabari, "petrarch-xml": read_petrarch_xml, "jsonl": read_jsonl}


class FormatNotImplemented(GoldError):
    """A gold format dyad recognises but cannot read yet."""

    def __init__(self, fmt: str):
        self.format = fmt
        super().__init__(f"the gold format {fmt!r} is not implemented yet "
                         f"(implemented: {', '.join(IMPLEMENTED)})")


_TABARI_HEADER = re.compile(r"^\d{6,9}[ \t]+\S", re.M)
_NER_LINE = re.compile(r"^\S+ [BI]-[STR]$|^\S+ O$", re.M)
# Format sniffing: the head of the file read, the lines looked at, and the share of them that must
# have a tab-separated layout. Set by hand; re-measure with `python -m pytest tests/test_evaluate.py`.
_SNIFF_BYTES = 65536
_SNIFF_LINES = 50
_TABULAR_SHARE = 0.8


def detect_format(path: str | Path) -> str:
    """The format of a gold file (one of :data:`FORMATS`), from its name and first bytes."""
    path = Path(path)
    if path.is_dir():
        if any(path.rglob("*.ann")):
            return "polnear"
        raise GoldError(f"{path} is a directory that holds no gold dyad recognises; give a gold file")
    if not path.is_file():
        raise GoldError(f"gold file not found: {path}")
    name = path.name.lower()
    head = path.read_bytes()[:_SNIFF_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")
    start = head.lstrip()[:1]
    if path.suffix.lower() == ".ann":
        return "polnear"
    if start == "<":
        if "<Sentence" in head and ("<EventCoding" in head or "<Validation" in head):
            return "petrarch-xml"
        for key, fmt in (("lgl", "lgl"), ("geovirus", "geovirus"), ("gwn", "gwn"), ("geowebnews", "gwn")):
            if key in name:
                return fmt
        if "<articles" in head:
            return "gwn" if "<toponym" in head or "<gaztag" in head or "GeoWebNews" in head else (
                "lgl" if "<docid" in head or "docid=" in head else "geovirus")
    if start == "[" and ('"event"' in head or '"textInfo"' in head):
        return "plover-gsr"
    if start == "{" and _is_article_gold(head):
        return "articles"
    if start == "{" or path.suffix.lower() in (".jsonl", ".ndjson"):
        return "jsonl"
    if _TABARI_HEADER.search(head) and "{" in head and "/*" in head:
        return "tabari"
    lines = [line for line in head.splitlines()[:_SNIFF_LINES] if line.strip()]
    if lines and sum(bool(re.search(r"\t[0-4]\s*$", line)) for line in lines) >= _TABULAR_SHARE * len(lines):
        return "conflibert-class"
    if lines and len(_NER_LINE.findall(head)) >= _TABULAR_SHARE * len(lines):
        return "conflibert-ner"
    raise GoldError(f"cannot tell the format of {path}; give --format "
                    f"({', '.join(f for f in FORMATS)})")


def _is_article_gold(head: str) -> bool:
    """Whole-article gold: its first object has both ``optional_events`` and ``quotes`` (dyad's generic
    JSONL gold may have optional events too, but holds sentences, not articles with their quotations)."""
    first = head.lstrip().split("\n", 1)[0]
    try:
        record = json.loads(first)
    except json.JSONDecodeError:
        return '"optional_events"' in first and '"quotes"' in first  # a first line longer than the head
    return isinstance(record, dict) and "optional_events" in record and "quotes" in record


def read_gold(path: str | Path, format: str = "auto") -> GoldSet:
    """Read a gold file of the given format (``auto``: detected by :func:`detect_format`)."""
    path = Path(path)
    fmt = detect_format(path) if format == "auto" else format
    if fmt not in FORMATS:
        raise GoldError(f"unknown gold format {fmt!r}; expected auto or one of {', '.join(FORMATS)}")
    if fmt not in _READERS:
        raise FormatNotImplemented(fmt)
    if not path.is_file():
        raise GoldError(f"gold file not found: {path}")
    return _READERS[fmt](path)
