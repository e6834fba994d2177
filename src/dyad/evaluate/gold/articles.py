"""Whole-article event gold (``--format articles``): one JSON object per article, coded end to end.

Each line holds the article (``id``, ``date``, ``title``, ``text``), its required ``events`` (both coders
required them), its ``optional_events`` (defensible: predicting one is not penalised, missing one is not an
error) and its direct ``quotes`` with their speakers. An event's ``source`` and ``target`` are the scored
prefixes of actor codes (``RUS``, ``IGOUNO``) and ``code`` its CAMEO root. Scoring is
:mod:`dyad.evaluate.articles`.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from dyad.evaluate.gold.files import GoldError, parse_json, read_gold_text, text_or_none

__all__ = ["ArticleEvent", "ArticleGold", "ArticleQuote", "GoldLocation", "read_articles"]


class GoldLocation(msgspec.Struct, frozen=True, kw_only=True):
    """Where a gold event happened: a place name, its country (ISO 3166-1 alpha-2), city/region/country."""

    name: str
    country: str
    level: str = "city"


class ArticleEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One gold event: scored prefixes, CAMEO root, the opening of its sentence (for error reports), and
    (required events) where and when it happened: a date is YYYY-MM-DD, YYYY-MM or YYYY."""

    source: str
    target: str | None
    code: str
    sentence: str = ""
    location: GoldLocation | None = None
    date: str | None = None


class ArticleQuote(msgspec.Struct, frozen=True, kw_only=True):
    """A direct quotation: its opening (about 60 characters), the speaker as named, the names in it."""

    text: str
    speaker: str = ""
    speaker_keys: tuple[str, ...] = ()


class ArticleGold(msgspec.Struct, kw_only=True):
    """One gold article; ``line`` is its 1-based line in the file (the halves split on it)."""

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    events: list[ArticleEvent] = msgspec.field(default_factory=list)
    optional_events: list[ArticleEvent] = msgspec.field(default_factory=list)
    quotes: list[ArticleQuote] = msgspec.field(default_factory=list)
    line: int = 0


def _events(items: object) -> list[ArticleEvent]:
    if not isinstance(items, list):
        return []
    return [ArticleEvent(source=str(e.get("source") or ""), target=text_or_none(e.get("target") or None),
                         code=str(e.get("code") or ""), sentence=str(e.get("sentence") or ""),
                         location=_location(e.get("location")), date=text_or_none(e.get("date")))
            for e in items if isinstance(e, dict)]


def _location(value: object) -> GoldLocation | None:
    """A gold location object; None when absent or without a name and a country."""
    if not isinstance(value, dict) or not value.get("name") or not value.get("country"):
        return None
    return GoldLocation(name=str(value["name"]), country=str(value["country"]).upper(),
                        level=str(value.get("level") or "city"))


def _quotes(items: object) -> list[ArticleQuote]:
    if not isinstance(items, list):
        return []
    return [ArticleQuote(text=str(q.get("text") or ""), speaker=str(q.get("speaker") or ""),
                         speaker_keys=tuple(str(k) for k in _list(q.get("speaker_keys"))))
            for q in items if isinstance(q, dict)]


def _list(value: object) -> list | tuple:
    return value if isinstance(value, list | tuple) else ()


def read_articles(path: str | Path) -> list[ArticleGold]:
    """The gold articles of a file, in file order; a line that is not an article object is a GoldError."""
    path = Path(path)
    out = []
    for n, line in enumerate(read_gold_text(path).splitlines(), 1):
        if not line.strip():
            continue
        record = parse_json(line, str(path), n)
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise GoldError(f"{path}:{n}: expected an article object with a 'text' string")
        out.append(ArticleGold(id=str(record.get("id") or f"line-{n}"), text=record["text"],
                               title=text_or_none(record.get("title")), date=text_or_none(record.get("date")),
                               events=_events(record.get("events")),
                               optional_events=_events(record.get("optional_events")),
                               quotes=_quotes(record.get("quotes")), line=n))
    return out
