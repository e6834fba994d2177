"""Places as event roles: a toponym no actor codes stands for its country (the gazetteer's), and
the last-resort searches for a target (prepositional objects, the place an event acts on, a purpose
clause, deep in the object) and for the source of an attack no actor carries out (its place).
"""

from __future__ import annotations

from spacy.tokens import Token

from dyad.components.events.frame import DocFrame
from dyad.components.events.lexicon import root_set
from dyad.components.events.roles import (
    LOOSE_PREPS,
    MAX_TARGETS,
    OBJECT,
    PASSIVE_SUBJECT,
    STATEMENT_PREPS,
    SUBJECT,
    TOWARD_PREPS,
    WHERE_PREPS,
    collect,
    deep,
    locative_objects,
    place_chain,
)
from dyad.components.places.resolve import resolve
from dyad.records import Actor

_TOPONYM_LABELS = frozenset({"GPE", "LOC", "FAC"})
# a last word a toponym may drop to be found in the gazetteer ("West Darfur State")
_PLACE_WORDS = frozenset({"state", "province", "region", "district", "city", "governorate", "county", "town",
                          "village", "valley", "area"})
_STATEMENT = root_set("statement")
_IN_PLACE = root_set("in_place")
_SHALLOW = root_set("shallow")
_PURPOSE = root_set("purpose")

def toponym(frame: DocFrame, pobj: Token) -> int | None:
    """The place a locative phrase's object names: a bare-country actor, else a toponym (spaCy
    GPE/LOC/FAC, "the town of T", "southern Helmand province") whose country the gazetteer
    gives, registered as a place actor (token index into `actor_at`)."""
    actor_at = frame.actor_at
    for token in place_chain(pobj):
        if token.i in actor_at:
            return token.i if token.i in frame.places else None
        unlabelled = token.pos_ == "PROPN" and token.ent_type_ in ("", "NORP")
        if token.ent_type_ not in _TOPONYM_LABELS and not unlabelled:
            continue
        if token.i in frame.toponyms:
            return frame.toponyms[token.i]
        doc = frame.doc
        ent = next((e for e in doc.ents if e.start <= token.i < e.end), None)
        if ent is None:
            ent = doc[token.left_edge.i if token.left_edge.pos_ == "PROPN" else token.i:token.i + 1]
        gazetteer = frame.gazetteer()
        if gazetteer is None:
            return None
        try:
            name = ent.text.removeprefix("the ").removeprefix("The ")
            place = resolve(name, gazetteer)
            words = name.split()
            if place is None and len(words) > 1 and words[-1].lower() in _PLACE_WORDS:
                place = resolve(" ".join(words[:-1]), gazetteer)  # "West Darfur State"
        except Exception:
            place = None
        iso3 = getattr(place, "country_iso3", None) if place is not None else None
        found = None
        if iso3 and iso3.isalpha() and len(iso3) == 3:
            actor = Actor(text=ent.text, code=iso3, country=iso3,
                          sentence_index=frame.sentence_of[ent.start],
                          start=ent.start_char, end=ent.end_char,
                          evidence=f"place: '{ent.text}' is in {iso3} (gazetteer; an event at a place)",
                      basis="place")
            frame.actors.append(actor)
            found = ent.root.i
            actor_at[found] = len(frame.actors) - 1
            frame.places.add(found)
        for i in range(ent.start, ent.end):
            frame.toponyms[i] = found
        return found
    return None


def in_place(frame: DocFrame, verb: Token, objects: list[Token], code: str,
             preps: frozenset[str] = frozenset({"in"})) -> list[int]:
    """The place an event acting on a place happens in ("in X" on the verb, its object or the
    object's participle), for the roots in the `in_place` set (`knowledge/events/root_sets.tsv`) only."""
    if not code.startswith(_IN_PLACE):
        return []
    holders = [verb, *objects]
    holders += [g for o in objects for c in o.children if c.dep_ == "prep" and c.lower_ == "of"
                for g in c.children if g.dep_ == "pobj"]  # "a state of emergency in X"
    holders += [c for o in holders[1:] for c in o.children if c.dep_ in ("acl", "appos", "relcl")]
    found: list[int] = []
    for h in holders:
        for c in h.children:
            if c.dep_ == "prep" and c.lower_ in preps:
                for g in locative_objects(c):
                    if (i := toponym(frame, g)) is not None and i not in found:
                        found.append(i)
    return found[:MAX_TARGETS]


def prepositional(frame: DocFrame, verb: Token, objects: list[Token], code: str = "") -> list[int]:
    """A target for an event whose rule found none: an actor in a prepositional object of the verb,
    of its object or of the object's participle or apposition ("granted asylum to X", "lifted a ban
    imposed on X"); `in` names the target only for events acting on a place ("lifted the curfew in
    X"), and only a place; time prepositions are dates."""
    actor_at = frame.actor_at
    preps = STATEMENT_PREPS if code.startswith(_STATEMENT) else LOOSE_PREPS
    holders = [verb, *objects]
    holders += [c for o in objects for c in o.children if c.dep_ in ("acl", "appos", "relcl")]
    heads = [g for h in holders for c in h.children if c.dep_ == "prep" and c.lower_ in preps
             for g in c.children if g.dep_ == "pobj"]
    heads += [c for c in verb.children if c.dep_ == "dative" and c.pos_ in ("NOUN", "PROPN")]
    found = collect(heads, actor_at)
    if not found and not code.startswith(_SHALLOW):
        # "cut off supplies to the republic of N": a toponym no actor codes names its country
        found = [i for h in heads if h.head.lower_ in TOWARD_PREPS
                 if (i := toponym(frame, h)) is not None][:1]
    if not found:
        found = in_place(frame, verb, objects, code, WHERE_PREPS)
    if not found and code.startswith(_PURPOSE):
        found = _purpose(frame, verb, objects, code)
    if not found and not code.startswith(_STATEMENT):
        found = deep(objects, actor_at)
    return found[:MAX_TARGETS]


def _purpose(frame: DocFrame, verb: Token, objects: list[Token], code: str) -> list[int]:
    """The target a purpose clause names ("sent troops to help X", "gave funds to support
    development in C"): the clause's object or prepositional object, else its place."""
    actor_at = frame.actor_at
    clauses = [c for h in (verb, *objects) for c in h.children
               if c.dep_ in ("advcl", "xcomp", "acl") and c.pos_ == "VERB"
               and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)]
    for clause in clauses:
        inner = [c for c in clause.children if c.dep_ in OBJECT or (c.dep_ == "dative" and c.pos_ != "ADP")]
        heads = inner + [g for h in (clause, *inner) for c in h.children
                         if c.dep_ == "prep" and c.lower_ in LOOSE_PREPS for g in c.children if g.dep_ == "pobj"]
        found = collect(heads, actor_at) or in_place(frame, clause, inner, code, WHERE_PREPS)
        if found:
            return found
    return []


def place_source(frame: DocFrame, verb: Token) -> list[int]:
    """The place an attack with no acting actor happens at: a locative phrase on the verb, on
    its (non-actor, non-pronoun) subject or on its passive agent."""
    actor_at = frame.actor_at
    subjects = [c for c in verb.children if c.dep_ in SUBJECT]
    if any(s.pos_ == "PRON" or s.i in actor_at for s in subjects):
        return []
    holders = [verb, *subjects]
    holders += [g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
    for h in holders:
        for c in h.children:
            if c.dep_ == "prep" and c.lower_ in WHERE_PREPS:
                for g in locative_objects(c):
                    if (i := toponym(frame, g)) is not None:
                        return [i]
    return []



def removed_from(frame: DocFrame, head: Token) -> list[int]:
    """'diplomats expelled from the United States', 'the expulsion of X from Britain': the country a
    person is removed from is the one that removes them (CAMEO 166, 174: its authorities act)."""
    for c in head.children:
        if c.dep_ == "prep" and c.lower_ == "from":
            for g in locative_objects(c):
                if (i := toponym(frame, g)) is not None:
                    return [i]
    return []


def authorities_source(frame: DocFrame, verb: Token) -> list[int]:
    """'Two journalists were arrested': a state act (arrest, detention, a ban: root 17)
    in the passive with no agent is done by the authorities of the country it happens in (a place on the
    verb), else of the country whose person it acts on. Registered as an implicit actor anchored on the
    verb (zero width: it names no text of its own)."""
    found = place_source(frame, verb) or removed_from(frame, verb)
    if found:
        return found
    targets = collect([c for c in verb.children if c.dep_ in PASSIVE_SUBJECT], frame.actor_at)
    country = frame.actors[frame.actor_at[targets[0]]].country if targets else None
    if not country or verb.i in frame.actor_at:
        return []
    frame.actors.append(Actor(text="", code=country, country=country, sentence_index=frame.sentence_of[verb.i],
                              start=verb.idx, end=verb.idx, basis="implicit",
                              evidence=f"implicit source: the authorities of {country}, whose person the "
                                       f"agentless '{verb.text}' acts on"))
    frame.actor_at[verb.i] = len(frame.actors) - 1
    return [verb.i]
