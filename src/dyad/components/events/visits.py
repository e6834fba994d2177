"""Who visits whom when the text says it in a participle or a noun.

"a reception for visiting Russian Defence Minister S in Hanoi", "a three-week US tour".

"Visiting" before a named actor says that actor is on a visit (CAMEO 042, make a visit) to the country
it is in, and that country hosts it (043, host a visit). The host is the place the sentence puts the
visit in ("in Hanoi"), else the subject of the sentence's main clause when it is another country's
actor ("Party chief T received visiting minister S"). The parser often reads "for visiting S" as a verb
with S as its object (or "received visiting S" as receiving to visit S); with no subject of its own
and an article, preposition or that verb before it, the participle is meant. A country naming a visit
noun ("a US tour") is where the visit goes (`visit_roles`).
"""

from __future__ import annotations

import numpy
from spacy.tokens import Token

from dyad.components.events.frame import DocFrame, Match
from dyad.components.events.locative import toponym
from dyad.components.events.roles import SUBJECT, WHERE_PREPS, actor_token, governing_verb, sources_of

RULE = "dyad:events/visits.py (visiting + actor)"


def participle(token: Token) -> bool:
    """Whether a "visiting" describes who visits ("for visiting S", "received visiting S", "the visiting
    S"), rather than saying its subject visits someone."""
    if token.lower_ != "visiting" or any(c.dep_ in SUBJECT for c in token.children):
        return False
    if token.dep_ == "amod":
        return True
    before = token.nbor(-1) if token.i > 0 else None
    return before is not None and (before.pos_ in ("ADP", "DET") or (
        token.dep_ == "xcomp" and before.i == token.head.i)) and any(
        c.dep_ == "dobj" and c.i > token.i for c in token.children)


def visiting_events(frame: DocFrame) -> list[Match]:
    """A visit and its hosting for each actor a "visiting" participle names."""
    found = []
    doc = frame.doc
    visiting = doc.vocab.strings.add("visiting")
    for i in numpy.flatnonzero(doc.to_array("LOWER") == visiting).tolist():  # the word is rare: no scan
        token = doc[i]
        if not participle(token):
            continue
        visitor = _visitor(frame, token)
        if visitor is None:
            continue
        host = _host(frame, token, visitor)
        if host is None:
            continue
        flags = {"specificity": 1.0, "direct_target": 0.0, "nominal": 1.0}
        found.append(Match(token, "042", RULE, "nominal", [visitor], [host], dict(flags)))
        found.append(Match(token, "043", RULE, "nominal", [host], [visitor], dict(flags)))
    return found


def _visitor(frame: DocFrame, visiting: Token) -> int | None:
    """The actor "visiting" describes: the noun it modifies, or its parsed object right after it."""
    if visiting.dep_ == "amod":
        return actor_token(visiting.head, frame.source_at)
    obj = next(c for c in visiting.children if c.dep_ == "dobj" and c.i > visiting.i)
    i = actor_token(obj, frame.source_at)
    return i if i is not None and i not in frame.places else None


def _host(frame: DocFrame, visiting: Token, visitor: int) -> int | None:
    """The country the visit is in: a place on the participle or its visitor, else the main subject."""
    guest = frame.actors[frame.actor_at[visitor]].country
    for holder in (visiting, visiting.head, frame.doc[visitor]):
        for c in holder.children:
            if c.dep_ == "prep" and c.lower_ in WHERE_PREPS:
                for g in c.children:
                    if g.dep_ == "pobj" and (i := toponym(frame, g)) is not None:
                        return i if frame.actors[frame.actor_at[i]].country != guest else None
    root = visiting.sent.root
    for c in root.children:
        if c.dep_ in SUBJECT and (i := actor_token(c, frame.source_at)) is not None:
            country = frame.actors[frame.source_at[i]].country
            return i if country and country != guest else None
    return None


def visit_roles(frame: DocFrame, noun: Token, sources: list[int]) -> tuple[list[int], list[int]]:
    """"X is coming to the end of a three-week US tour": a country naming a visit ("US tour") is where it
    goes; the visitor is then its possessor, else the subject of the clause the noun is in."""
    places = [i for c in noun.children if c.dep_ in ("compound", "amod", "nmod")
              and (i := actor_token(c, frame.actor_at)) is not None]
    if not places and noun.i in frame.actor_at and not frame.actors[frame.actor_at[noun.i]].sectors:
        places = [noun.i]  # the noun coded as its country's ("a US tour")
    if not places:
        return sources, []
    visitors = [actor_token(c, frame.source_at) for c in noun.children if c.dep_ == "poss"]
    visitors = [i for i in visitors if i is not None]
    if not visitors and (verb := governing_verb(noun)) is not None:
        visitors = sources_of(verb, frame.source_at, verb)[0]
    return visitors, [p for p in places if p not in visitors]
