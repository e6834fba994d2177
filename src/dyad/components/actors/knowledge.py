"""dyad's own actor knowledge, compiled once into phrase tables for spaCy's PhraseMatcher."""

from __future__ import annotations

import datetime as dt
import functools

import msgspec

from dyad.knowledge import tables
from dyad.knowledge.cache import cached, digest
from dyad.knowledge.tables import read_table, variants

# the tables the actor knowledge is compiled from (its cache key hashes them, with this module)
TABLES = ("actors/sector_rules.tsv", "actors/countries.tsv", "actors/organizations.tsv", "actors/sectors.tsv",
          "actors/leaders.tsv")


def _international_sectors() -> frozenset[str]:
    return frozenset(row["code"] for _, row in read_table("actors/sectors.tsv") if row["tier"] == "international")


INTERNATIONAL_SECTORS = _international_sectors()
"""Sector codes used on their own, not after a country (IGO, NGO, MNC, ...: tier `international` in
sectors.tsv): such actors never take a context country, and have no authorities of their own."""


class ActorEntry(msgspec.Struct, frozen=True):
    """What a matched phrase says about an actor.

    kind: country (a name of the country itself), adjective, seat (a metonym for an institution:
    "the Kremlin"), organization, sector (a noun naming a sector: "police"), leader. Leaders and
    some organizations (the Taliban in and out of government) hold their code only between
    `start` and `end`.
    """

    kind: str
    country: str | None = None
    sector: str | None = None
    code: str | None = None  # a full code, for organizations
    start: dt.date | None = None  # leaders: time in office
    end: dt.date | None = None
    source: str = ""  # knowledge file and line
    rule: str = ""  # sector nouns: qualified | yields | both (sector_rules.tsv); seats: capital
    ambiguous: bool = False  # a name other bodies share ("Security Council"): needs no country before it

    @property
    def qualified(self) -> bool:
        return self.rule in ("qualified", "both")

    @property
    def yields(self) -> bool:
        return self.rule in ("yields", "both")


class ActorKnowledge(msgspec.Struct):
    phrases: dict[str, list[ActorEntry]]  # lower-cased phrase -> entries
    exact_phrases: dict[str, list[ActorEntry]]  # case-sensitive short forms ("US", "UN")
    agentive: frozenset[str] = frozenset()  # "proposal": its country adjective names the actor
    facilities: frozenset[str] = frozenset()  # "base": a place or asset of the actor its modifiers name
    heads: frozenset[str] = frozenset()  # generic heads whose modifiers name the actor ("spokesman")
    places: dict[str, str] = msgspec.field(default_factory=dict)  # country names, capitals -> country


def _is_case_sensitive(phrase: str) -> bool:
    """Short forms with capitals ("US", "UN", "IS", "LeT", "JuD") collide with common words when lower-cased."""
    letters = phrase.replace(".", "")
    return len(letters) <= 3 and (letters.isupper() or any(c.isupper() for c in letters[1:]))


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def knowledge_key() -> str:
    """What the actor knowledge is compiled from: its tables, this module and the table reader."""
    return digest(TABLES, sources=(__file__, tables.__file__), extra=(msgspec.__version__,))


@functools.cache
def load_actor_knowledge() -> ActorKnowledge:
    """The compiled actor knowledge, from the disk cache when its tables and code are unchanged (a
    cold `dyad code` spent ~0.09 s compiling it: `python -X importtime`-style timing in
    benchmarks/cold_start.py)."""
    return cached("actor-knowledge", knowledge_key(), ActorKnowledge, build_actor_knowledge)


def build_actor_knowledge() -> ActorKnowledge:  # noqa: C901 (one branch per knowledge table)
    phrases: dict[str, list[ActorEntry]] = {}
    exact: dict[str, list[ActorEntry]] = {}

    def add(phrase: str, entry: ActorEntry, case_sensitive: bool = False) -> None:
        if case_sensitive or _is_case_sensitive(phrase):
            exact.setdefault(phrase, []).append(entry)
        else:
            phrases.setdefault(phrase.lower(), []).append(entry)

    places: dict[str, str] = {}
    rules: dict[str, str] = {}
    heads: set[str] = set()
    agentive: set[str] = set()
    facilities: set[str] = set()
    for _, row in read_table("actors/sector_rules.tsv"):
        if row["rule"] == "head":
            heads.add(row["noun"].lower())
        elif row["rule"] == "agentive":
            agentive.add(row["noun"].lower())
        elif row["rule"] == "facility":
            facilities.add(row["noun"].lower())
        else:
            rules[row["noun"].lower()] = row["rule"]
    for lineno, row in read_table("actors/countries.tsv"):
        where = f"actors/countries.tsv:{lineno}"
        country = row["code"]
        for place in [*variants(row.get("names", "")), *variants(row.get("capitals", ""))]:
            places.setdefault(place.lower(), country)
        case_sensitive = set(variants(row.get("case_sensitive", "")))
        for name in variants(row.get("names", "")):
            add(name, ActorEntry("country", country=country, source=where), name in case_sensitive)
        for adjective in variants(row.get("adjectives", "")):
            add(adjective, ActorEntry("adjective", country=country, source=where))
        for capital in variants(row.get("capitals", "")):
            add(capital, ActorEntry("seat", country=country, sector="GOV", source=where, rule="capital"))
        for seat in variants(row.get("seats", "")):
            name, _, sector = seat.partition(":")
            add(name, ActorEntry("seat", country=country, sector=sector or "GOV", source=where))
    for lineno, row in read_table("actors/organizations.tsv"):
        where = f"actors/organizations.tsv:{lineno}"
        needs_context = set(variants(row.get("ambiguous", "")))  # e.g. "Security Council" alone
        entry = ActorEntry("organization", code=row["code"], country=row.get("country") or None,
                           start=_date(row.get("start", "")), end=_date(row.get("end", "")), source=where)
        for name in variants(row["names"]):
            if name not in needs_context:
                add(name, entry)
            elif " " in name:  # "Security Council": the UN's unless a country precedes it
                add(name, msgspec.structs.replace(entry, ambiguous=True), True)
    for lineno, row in read_table("actors/sectors.tsv"):
        where = f"actors/sectors.tsv:{lineno}"
        for noun in variants(row["nouns"]):
            add(noun, ActorEntry("sector", sector=row["code"], source=where, rule=rules.get(noun.lower(), "")))
    for lineno, row in read_table("actors/leaders.tsv"):
        where = f"actors/leaders.tsv:{lineno}"
        code = row["code"]
        entry = ActorEntry("leader", country=row["country"], sector=code[3:6] or None, code=code,
                           start=_date(row["start"]), end=_date(row["end"]), source=where)
        for name in [row["name"], *variants(row.get("aliases", ""))]:
            add(name, entry)
    return ActorKnowledge(phrases=phrases, exact_phrases=exact, heads=frozenset(heads),
                          agentive=frozenset(agentive), facilities=frozenset(facilities), places=places)
