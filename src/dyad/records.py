"""Typed records that flow between dyad's stages.

One record library throughout: msgspec Structs. They validate on decode, encode to JSON fast
(the CLI prints millions of events), and stay plain attribute objects in Python code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Literal

import msgspec

Status = Literal["coded", "skipped", "failed"]
# How an actor mention was coded (structured evidence; `Actor.evidence` stays the readable account).
ActorBasis = Literal[
    "name",             # a known name (country, adjective, organisation, person) in the mention's phrase
    "title",            # a title on a person no table lists ("President Y"), with a named country
    "seat",             # a seat of government standing for it ("Washington said", "the Kremlin")
    "sector",           # a sector word with no country in its phrase: the article's context country
                        # ("police", "rebels"), or none (international sectors: "aid agencies")
    "earlier_mention",  # the same person or organisation named earlier in the article
    "pronoun",          # a personal pronoun resolved to an actor before it
    "quote_speaker",    # "I"/"we" inside a quotation: its speaker
    "national_object",  # a noun only a country or sector names ("German goods", "an army base")
    "place",            # a toponym standing for its country (the gazetteer's)
    "implicit",         # no words of its own: the source's own authorities
]


class Article(msgspec.Struct, kw_only=True):
    """One news article after cleaning: the text every later stage reads."""

    id: str
    text: str
    url: str | None = None
    source: str | None = None
    title: str | None = None
    date: dt.date | None = None
    dateline: str | None = None
    language: str | None = None
    origin: str | None = None  # where it was read from: "path:line" or "<stdin>"
    # what the article stage noticed and a reader of the output should know (its input repaired...);
    # the pipeline copies them into `Result.warnings`
    warnings: list[str] = msgspec.field(default_factory=list)


class Actor(msgspec.Struct, kw_only=True):
    """An actor mention coded to a CAMEO actor code (country + sectors)."""

    text: str
    code: str | None = None
    country: str | None = None
    sectors: list[str] = msgspec.field(default_factory=list)
    sentence_index: int = 0
    start: int = 0  # character offsets into Article.text
    end: int = 0
    evidence: str = ""  # why this code, for people: knowledge file and entry, title, adjective...
    basis: ActorBasis = "name"  # why this code, for programs (see ActorBasis)


class Plover(msgspec.Struct, kw_only=True):
    event: str | None = None
    mode: str | None = None
    context: str | None = None


class Place(msgspec.Struct, kw_only=True):
    """A toponym (or a demonym adjective) resolved against the gazetteer."""

    name: str
    kind: str = "toponym"  # toponym | adjective | dateline
    start: int = 0
    end: int = 0
    sentence_index: int | None = None
    country_iso2: str | None = None
    country_iso3: str | None = None
    country_fips: str | None = None
    admin1: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geonames_id: int | None = None
    feature: str | None = None  # country | city | region
    method: str = ""  # how it was chosen


class Provenance(msgspec.Struct, kw_only=True):
    """Where an event came from: the rule that fired and the token spans it matched."""

    rule: str
    # role (source, verb, target) -> [start, end) token offsets within the event's sentence
    spans: dict[str, list[int]] = msgspec.field(default_factory=dict)
    dyad_version: str = ""
    knowledge_version: str = ""


class Event(msgspec.Struct, kw_only=True):
    event_id: str
    article_id: str
    sentence_index: int
    sentence: str
    source: Actor
    target: Actor | None
    code: str
    root_code: str
    quad_class: int | None
    goldstein: float | None
    plover: Plover
    date: dt.date | None = None
    date_method: str | None = None  # how the date was found; "none" when nothing dates the event
    location: Place | None = None
    # how sure the coder is, in [0, 1], computed from the event's evidence (pattern specificity,
    # parse agreement, actor certainty); None only from coders that give none (legacy dictionaries)
    confidence: float | None = None
    provenance: Provenance
    # what `date` fixes: "day", or "month"/"year" when the article says no more ("in May 2017": `date`
    # is then the first day of that month or year); None when undated
    date_precision: str | None = None


class Quote(msgspec.Struct, kw_only=True):
    text: str
    start: int
    end: int
    speaker: str | None = None  # as written ("he", "the minister", "Jane Doe")
    speaker_name: str | None = None  # resolved named speaker
    speaker_code: str | None = None
    cue: str | None = None
    sentence_index: int = 0


class Sentence(msgspec.Struct, kw_only=True):
    """A sentence of the article: character offsets into Article.text (events and quotes refer to it by index)."""

    index: int
    start: int
    end: int


class Result(msgspec.Struct, kw_only=True):
    """What dyad made of one input article: coded, skipped (with reason) or failed (with error)."""

    article: Article
    status: Status = "coded"
    reason: str | None = None
    actors: list[Actor] = msgspec.field(default_factory=list)
    events: list[Event] = msgspec.field(default_factory=list)
    quotes: list[Quote] = msgspec.field(default_factory=list)
    places: list[Place] = msgspec.field(default_factory=list)
    sentences: list[Sentence] = msgspec.field(default_factory=list)
    # what a reader should know about an article coded anyway: the article's own warnings (input
    # repaired...) and the coding's (no publication date...); stored as `articles.warnings`
    warnings: list[str] = msgspec.field(default_factory=list)


_SPACE = re.compile(r"\s+")


def article_id(url: str | None, text: str) -> str:
    """Stable id: a hash of the URL when there is one, else of the whitespace-normalised text."""
    key = ("url:" + url.strip()) if url and url.strip() else "text:" + _SPACE.sub(" ", text).strip()
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def to_builtins(record: msgspec.Struct) -> dict:
    return msgspec.to_builtins(record)


_encoder = msgspec.json.Encoder()


def to_json(record: msgspec.Struct) -> bytes:
    return _encoder.encode(record)
