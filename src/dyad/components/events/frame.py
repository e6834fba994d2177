"""The event coder's working state for one document, passed explicitly so the component keeps none.

A :class:`DocFrame` holds the document's actors as the coder extends them (national objects,
resolved pronouns, toponyms that stand for their country), the token -> actor maps it reads roles
from, and the gazetteer getter; a :class:`Match` is a coded event before its actors are paired.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc, Token

from dyad.components.events.pronouns import resolve_pronouns
from dyad.components.events.roles import is_place
from dyad.extensions import sentence_index_of
from dyad.records import Actor


class Match:
    """A coded event before its actors are paired: code, rule, role tokens and evidence."""

    __slots__ = ("anchor", "between", "code", "flags", "kind", "rule", "sources", "targets")

    def __init__(self, anchor: Token, code: str, rule: str, kind: str, sources: list[int], targets: list[int],
                 flags: dict[str, float], between: bool = False):
        self.anchor, self.code, self.rule, self.kind = anchor, code, rule, kind
        self.sources, self.targets, self.flags, self.between = sources, targets, flags, between


@dataclass
class DocFrame:
    """One document's actors and role maps while its events are coded."""

    doc: Doc
    actors: list[Actor]  # the actor component's, then national objects, pronouns and places appended
    actor_at: dict[int, int]  # token index -> index into `actors`: anything that may be a target
    source_at: dict[int, int]  # the same for sources: actors and resolved pronouns, not national objects
    places: set[int]  # tokens whose actor is a bare country (a toponym or a place of its country)
    gazetteer: Callable[[], Any]  # the gazetteer (or None) that names the country of a toponym no actor codes
    sentence_of: list[int]  # token index -> sentence index
    toponyms: dict[int, int | None] = field(default_factory=dict)  # toponym token -> its place actor's token


def build_frame(doc: Doc, gazetteer: Callable[[], Any]) -> DocFrame | None:
    """The frame of a document with actors; None without (no event without an actor)."""
    actors: list[Actor] = list(doc._.actors or [])
    if not actors:
        return None
    actor_at: dict[int, int] = dict(doc._.actor_at or {})
    places = {i for i, k in actor_at.items() if is_place(actors[k])}
    # sources come from actors only; nouns a country names ("Chinese goods") can be targets too
    source_at = dict(actor_at)
    for i, actor in (doc._.national_objects or {}).items():
        if i not in actor_at:
            actor_at[i] = len(actors)
            actors.append(actor)
            places.add(i)  # "outside the Iraqi city of B": a place of its country too
    resolve_pronouns(doc, actors, actor_at, source_at)
    # toponyms no actor codes become place actors (the country the gazetteer gives) on demand
    return DocFrame(doc=doc, actors=actors, actor_at=actor_at, source_at=source_at, places=places,
                    gazetteer=gazetteer, sentence_of=sentence_index_of(doc))
