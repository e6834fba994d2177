"""An event's location: the place named in its sentence, else the dateline, else an actor's country.

In the sentence, a place outside the actors' own words ("the Kabul government") comes first, then one
after a locative preposition ("in", "near", "the town of"), then a town before a country, then the
one nearest the event's verb. `Place.method` says which rule chose it.
"""

from __future__ import annotations

import msgspec
from spacy.tokens import Doc

from dyad.records import Event, Place
from dyad.resources.gazetteer import Gazetteer

_SETTLEMENTS = frozenset({"city", "town", "village", "capital", "province", "region", "district", "port",
                          "suburb", "outskirts", "state", "county", "streets", "center", "centre"})
_LOCATIVE = frozenset({"in", "at", "near", "outside", "inside", "across", "throughout", "around", "into", "to",
                       "from", "within", "toward", "towards", "on", "over", "off"})


def _in_actor(place: Place, event: Event) -> bool:
    for actor in (event.source, event.target):
        if actor is not None and actor.end > actor.start and place.start < actor.end and actor.start < place.end:
            return True
    return False


def _verb_offset(doc: Doc, event: Event) -> int | None:
    """The character offset of the event's verb in the Doc, when the event records one."""
    sentences = doc.user_data.get("dyad_sentence_starts")
    if sentences is None:
        sentences = doc.user_data["dyad_sentence_starts"] = [s.start for s in doc.sents]
    verb = event.provenance.spans.get("verb")
    if verb and event.sentence_index < len(sentences):
        i = sentences[event.sentence_index] + verb[0]
        if i < len(doc):
            return doc[i].idx
    return None


def _named_in_sentence(doc: Doc, event: Event, here: list[Place]) -> Place:
    anchor = _verb_offset(doc, event)

    def rank(p: Place):
        start = doc.char_span(p.start, p.end, alignment_mode="expand")
        i = start.start if start is not None else 0
        before = doc[i - 1].lower_ if i > 0 else ""
        locative = before in _LOCATIVE or (before == "of" and i > 1 and doc[i - 2].lower_ in _SETTLEMENTS)
        return (_in_actor(p, event), not locative, p.feature == "country",
                abs(p.start - anchor) if anchor is not None else p.start)

    best = min(here, key=rank)
    how = "named in the sentence" if not _in_actor(best, event) else "named in the sentence (an actor's name)"
    return msgspec.structs.replace(best, method=f"{how}; {best.method}")


def locate_event(doc: Doc, event: Event, places: list[Place], gazetteer: Gazetteer) -> Place | None:
    """The event's location: named in its sentence, else the dateline, else the target's (source's) country."""
    here = [p for p in places if p.sentence_index == event.sentence_index and p.kind == "toponym"
            and p.latitude is not None]
    if here:
        return _named_in_sentence(doc, event, here)
    dateline = next((p for p in places if p.kind == "dateline"), None)
    if dateline is not None:
        return msgspec.structs.replace(dateline, method="article dateline; " + dateline.method)
    for role, actor in (("target", event.target), ("source", event.source)):
        if actor is not None and actor.country and actor.country in gazetteer.by_iso3:
            return gazetteer.country_place(gazetteer.by_iso3[actor.country], actor.country,
                                           f"the {role}'s country")
    return None
