"""An event's location, from its own clause outward.

1. A place in the event's own clause: after a locative preposition on its verb ("met in Hanoi").
2. A statement or decision (roots 01-03, 05, 10-13, 16) is made where its speaker is: where the article
   put the speaker ("Wang said in Moscow ... He said", `whereabouts.py`), else the dateline when that is
   the speaker's country, else the seat of the speaker's government, else the speaker's country (the
   codebook's "where it was decided").
3. Another event: the place named in its sentence outside the actors' own words ("the Kabul
   government") -- after a locative preposition first, then a town before a country, then the one
   nearest the event's verb -- else where the article put its doer, else an actor's own name ("Beijing
   bans"), else the dateline, else the target's (source's) country.
`Place.method` says which rule chose it.
"""

from __future__ import annotations

import bisect
import itertools

import msgspec
from spacy.tokens import Doc, Span, Token

from dyad.components.places.whereabouts import Whereabouts
from dyad.records import Event, Place
from dyad.resources.gazetteer import Gazetteer

_SETTLEMENTS = frozenset({"city", "town", "village", "capital", "province", "region", "district", "port",
                          "suburb", "outskirts", "state", "county", "streets", "center", "centre"})
# Prepositions that say where an event happens (not where it goes or comes from: "to", "into", "from").
_WHERE = frozenset({"in", "at", "near", "outside", "inside", "across", "throughout", "around", "within", "on",
                    "off", "over"})
# Statements, appeals, intentions, cooperation, demands, disapproval, refusals, threats and cutting ties
# (CAMEO roots 01-03, 05, 10-13, 16): said or decided where their speaker is, not where what they concern is.
_DECLARED = frozenset({"01", "02", "03", "05", "10", "11", "12", "13", "16"})
# Meetings (root 04), and whatever their parties travel for, happen where the parties go: "return to
# Geneva for talks", "travel to Hanoi to meet" ("to" after a verb of directed motion names its goal).
_GOAL_WHERE = _WHERE | {"to"}
_MOTION = frozenset({"return", "travel", "go", "come", "fly", "head", "arrive", "journey"})
_STATE = frozenset({"GOV", "MIL", "JUD", "LEG", "SPY"})  # a state's organs, which sit in its capital
_LOCATIVE = frozenset({"in", "at", "near", "outside", "inside", "across", "throughout", "around", "into", "to",
                       "from", "within", "toward", "towards", "on", "over", "off"})


def _hangs_from(token, verb, direct: bool = False, where: frozenset[str] = _WHERE) -> bool:
    """Whether a place's token is the object of a locative preposition (`where`) on `verb` (or, unless
    `direct`, on a noun that hangs from it: "shelled villages near Gao") with no other verb on the way."""
    prep = None
    while token.head.i != token.i:
        head = token.head
        if token.dep_ == "pobj" and head.dep_ == "prep":
            prep = head
        if head.i == verb.i:
            return prep is not None and prep.lower_ in where and (not direct or prep.head.i == verb.i)
        if head.pos_ in ("VERB", "AUX"):
            return False
        token = head
    return False


def _in_actor(place: Place, event: Event) -> bool:
    for actor in (event.source, event.target):
        if actor is not None and actor.end > actor.start and place.start < actor.end and actor.start < place.end:
            return True
    return False


class _SentencePlaces:
    """A sentence's toponyms (with coordinates) in text order, and the same split by standing: after a
    locative preposition first, towns before countries (the rules' order after "not in an actor's words")."""

    def __init__(self) -> None:
        self.places: list[Place] = []
        self.starts: list[int] = []
        self.ranks: dict[tuple[bool, bool], tuple[list[int], list[Place]]] = {
            rank: ([], []) for rank in itertools.product((False, True), repeat=2)}

    def add(self, place: Place, rank: tuple[bool, bool]) -> None:
        self.places.append(place)
        self.starts.append(place.start)
        starts, members = self.ranks[rank]
        starts.append(place.start)
        members.append(place)

    def in_actors(self, event: Event) -> set[int]:
        """The ids of the places inside the event's actors' words ("the Kabul government"): a few at most."""
        inside = set()
        for actor in (event.source, event.target):
            if actor is None or actor.end <= actor.start:
                continue
            j = bisect.bisect_left(self.starts, actor.end) - 1  # places never overlap: walk back from here
            while j >= 0 and self.places[j].end > actor.start:
                inside.add(id(self.places[j]))
                j -= 1
        return inside


def _nearest(starts: list[int], members: list[Place], anchor: int | None, skip: set[int]) -> Place | None:
    """The member nearest `anchor` (ties: the earlier; without an anchor the first), skipping `skip`."""
    if anchor is None:
        return next((p for p in members if id(p) not in skip), None)
    right = bisect.bisect_left(starts, anchor)
    left = right - 1
    while left >= 0 and id(members[left]) in skip:
        left -= 1
    while right < len(members) and id(members[right]) in skip:
        right += 1
    candidates = ([members[left]] if left >= 0 else []) + ([members[right]] if right < len(members) else [])
    return min(candidates, key=lambda p: abs(p.start - anchor), default=None)


class Locator:
    """Each event's location. The document's places are read once, by sentence, with their standing,
    so an event costs a few lookups, not a pass over its sentence's (or the document's) places."""

    def __init__(self, doc: Doc, places: list[Place], gazetteer: Gazetteer):
        self.doc, self.gazetteer = doc, gazetteer
        self.dateline = next((p for p in places if p.kind == "dateline"), None)
        self.sentence_starts = [s.start for s in doc.sents]
        self.rank: dict[int, tuple[bool, bool]] = {}  # id(place) -> (not after a locative, a country)
        self.span: dict[int, Span] = {}  # id(place) -> its tokens
        self.by_sentence: dict[int, _SentencePlaces] = {}
        self.whereabouts: Whereabouts | None = None  # built when an event first needs it
        for p in places:
            if p.kind == "toponym" and p.latitude is not None:
                span = doc.char_span(p.start, p.end, alignment_mode="expand")
                if span is not None:
                    self.span[id(p)] = span
                self.rank[id(p)] = rank = (not self._after_locative(span), p.feature == "country")
                self.by_sentence.setdefault(p.sentence_index, _SentencePlaces()).add(p, rank)

    def _after_locative(self, span: Span | None) -> bool:
        doc = self.doc
        i = span.start if span is not None else 0
        before = doc[i - 1].lower_ if i > 0 else ""
        return before in _LOCATIVE or (before == "of" and i > 1 and doc[i - 2].lower_ in _SETTLEMENTS)

    def _verb(self, event: Event) -> Token | None:
        """The event's verb token in the Doc, when the event records one."""
        verb = event.provenance.spans.get("verb")
        if verb and event.sentence_index < len(self.sentence_starts):
            i = self.sentence_starts[event.sentence_index] + verb[0]
            if i < len(self.doc):
                return self.doc[i]
        return None

    def _verb_offset(self, event: Event) -> int | None:
        """The character offset of the event's verb in the Doc, when the event records one."""
        verb = self._verb(event)
        return verb.idx if verb is not None else None

    def _named_in_sentence(self, event: Event, here: _SentencePlaces) -> Place | None:
        """The sentence's place outside the actors' words: after a locative first, then towns before
        countries, the nearest the event's verb among equals."""
        anchor = self._verb_offset(event)
        skip = here.in_actors(event)
        for rank in sorted(here.ranks):  # after a locative first, then towns before countries
            best = _nearest(*here.ranks[rank], anchor, skip)
            if best is not None:
                return msgspec.structs.replace(best, method=f"named in the sentence; {best.method}")
        return None

    def _actors_name(self, event: Event, here: _SentencePlaces) -> Place | None:
        """When every place of the sentence is an actor's own words ("Beijing bans ..."): the best of those."""
        anchor = self._verb_offset(event)
        skip = here.in_actors(event)
        best = min((p for p in here.places if id(p) in skip),
                   key=lambda p: (self.rank[id(p)], abs(p.start - anchor) if anchor is not None else p.start),
                   default=None)
        return best and msgspec.structs.replace(
            best, method=f"named in the sentence (an actor's name); {best.method}")

    def _located(self) -> Whereabouts:
        if self.whereabouts is None:
            self.whereabouts = Whereabouts(self.doc, [(p, self.span[id(p)]) for here in self.by_sentence.values()
                                                      for p in here.places if id(p) in self.span])
        return self.whereabouts

    def _in_speakers_words(self, event: Event, here: _SentencePlaces | None) -> Place | None:
        """A statement's place named in its speaker's own phrase ("Officials in Kabul said")."""
        verb = self._verb(event)
        if verb is None or here is None:
            return None
        found = self._located().in_speakers_words(verb, [(p, self.span[id(p)]) for p in here.places
                                                        if id(p) in self.span])
        return found and msgspec.structs.replace(found, method=f"where the speaker's words put them; {found.method}")

    def _whereabouts(self, event: Event) -> Place | None:
        """Where the article put the person behind the event (`whereabouts.py`)."""
        verb = self._verb(event)
        if verb is None:
            return None
        found = self._located().of(verb, event.sentence_index)
        return found and msgspec.structs.replace(
            found, method=f"where the article put the speaker or doer ({found.name!r}); {found.method}")

    def _own_clause(self, event: Event, here: _SentencePlaces) -> Place | None:
        """A place in the event's own clause: the object of a locative preposition ("in", "at", "near", ...)
        hanging from the event's verb or its objects, with no other verb between ("met in Hanoi",
        "shelled villages near Gao"), a town before a country ("at a jail in Timor's capital Dili"). A
        place after a locative is a place even when the coder also took it as an actor ("demonstrated in
        Kirkuk"). A statement or decision takes only a place on its verb: "close the consulate in X" says
        what the decision concerns, not where it was made; a meeting also where its parties go ("to")."""
        verb = self._verb(event)
        if verb is None:
            return None
        direct = event.root_code in _DECLARED
        where = _GOAL_WHERE if event.root_code == "04" or verb.lemma_ in _MOTION else _WHERE
        found = [place for place in here.places
                 if (span := self.span.get(id(place))) is not None and _hangs_from(span.root, verb, direct, where)]
        if not found:
            return None
        place = min(found, key=lambda p: p.feature == "country")
        return msgspec.structs.replace(place, method=f"in the event's clause; {place.method}")

    def _seat_of(self, actor) -> Place | None:
        """A national government's statement or decision is made in its capital, the seat of government."""
        gazetteer = self.gazetteer
        if actor is None or not actor.country or actor.country not in gazetteer.by_iso3 or not (
                set(actor.sectors) & _STATE):
            return None
        return gazetteer.capital(gazetteer.by_iso3[actor.country], "the seat of the speaker's government")

    def _country_of(self, actor, role: str) -> Place | None:
        gazetteer = self.gazetteer
        if actor is not None and actor.country and actor.country in gazetteer.by_iso3:
            return gazetteer.country_place(gazetteer.by_iso3[actor.country], actor.country, f"the {role}'s country")
        return None

    def locate(self, event: Event) -> Place | None:
        """The event's location (module doc): its own clause's place; for a statement or decision where
        the article put its speaker, the dateline when it is the speaker's country, else the speaker's
        seat of government or country; for an act the sentence's place, where the article put its doer,
        the dateline, then the target's (source's) country."""
        here = self.by_sentence.get(event.sentence_index)
        if here is not None and (own := self._own_clause(event, here)) is not None:
            return own
        dateline = self.dateline
        if event.root_code in _DECLARED:
            if (found := self._in_speakers_words(event, here) or self._whereabouts(event)) is not None:
                return found
            source_country = event.source.country if event.source is not None else None
            if dateline is not None and source_country and dateline.country_iso3 == source_country:
                return msgspec.structs.replace(dateline, method="article dateline, the speaker's country; "
                                                                + dateline.method)
            found = self._seat_of(event.source) or self._country_of(event.source, "source")
            if found is not None:
                return found
        if here is not None and (found := self._named_in_sentence(event, here)) is not None:
            return found
        if (found := self._whereabouts(event)) is not None:
            return found
        if here is not None and (found := self._actors_name(event, here)) is not None:
            return found
        if dateline is not None:
            return msgspec.structs.replace(dateline, method="article dateline; " + dateline.method)
        return self._country_of(event.target, "target") or self._country_of(event.source, "source")
