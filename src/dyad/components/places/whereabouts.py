"""Where the article puts a person, for the events that person makes with no place of their own.

"Wang Yi said in Moscow", "Frank, in a statement he signed in Abuja", "Roe, who is visiting Morocco":
the article says where someone is. A later statement or act of theirs whose own clause names no place
("He said China welcomes ...") was made there: the codebook's "where it was decided or done", read
from the article's own words instead of falling back to the speaker's country.

A person is placed by a place hanging from a verb they are the subject of, through "in" or "at" ("said
in Moscow", "arrived in Lagos"), or by what they visit ("visiting Russia", "on a visit to Morocco"). An
event is theirs when they are its verb's subject, or the subject of the speech verb that reports it
("China welcomes ..., Wang said"). Who "he" or "the minister" is comes from `persons.People`, the
salience model the quote speakers use. A placement holds from its sentence on, until the article places
the person elsewhere; a country never overrides a town of that country already known ("said in Moscow
... who is visiting Russia" keeps Moscow).
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from dyad.components.events.roles import governing_verb
from dyad.components.persons import PEOPLE_KEY, SUBJECTS, People
from dyad.components.quotes import CUE_LEMMAS
from dyad.extensions import sentence_index_of, sentences
from dyad.records import Place

# Prepositions that put the subject of their verb somewhere ("said in", "spoke at"); "near", "outside"
# and the rest place an act, not the person making it.
_AT = frozenset({"in", "at"})
_VISITS = frozenset({"visit", "tour", "trip"})  # what one makes to a place one is then at
_SPEECH = CUE_LEMMAS  # the verbs that report words ("said", "told", "added")


def _subject(verb: Token) -> Token | None:
    return next((c for c in verb.children if c.dep_ in SUBJECTS), None)


def _placing_verb(span: Span) -> Token | None:
    """The verb whose subject a place puts somewhere: "said in X" (a locative on the verb itself),
    "visiting X", "on a visit to X"; None for a place that modifies a noun ("the consulate in X"). Of a
    place written with its country ("in Moscow, Russia") the town's word is the one that hangs."""
    return next((verb for token in span if token.head not in span and (verb := _placing(token)) is not None),
                None)


def _placing(place_root: Token) -> Token | None:
    head = place_root.head
    if place_root.dep_ == "dobj" and head.lemma_ in _VISITS:
        return head  # "is visiting Russia"
    if place_root.dep_ != "pobj" or head.dep_ != "prep":
        return None
    governor = head.head
    if head.lower_ in _AT and governor.pos_ in ("VERB", "AUX"):
        return governor
    if head.lower_ == "to" and governor.lemma_ in _VISITS:
        return governing_verb(governor)  # "on a visit to Morocco", "made a trip to Hanoi"
    return None


class Whereabouts:
    """The places an article puts its people, and the person behind an event. Built on demand: an
    article whose events all have a place of their own never resolves a pronoun here."""

    def __init__(self, doc: Doc, places: list[tuple[Place, Span]]):
        self.doc = doc
        self.places = places
        self._people: People | None = None
        self._placements: dict[str, list[tuple[int, Place]]] | None = None  # name -> (sentence, place), in order
        self._first_placed = 0  # the sentence of the article's first placement
        self._names: dict[int, str | None] = {}  # a subject token -> the person it names, resolved once

    @property
    def people(self) -> People:
        if self._people is None:
            doc = self.doc
            self._people = doc.user_data.get(PEOPLE_KEY)  # the quotes stage's, when it ran
            if self._people is not None:
                return self._people
            inside = set()
            for quote in doc._.quotes or ():
                span = doc.char_span(quote.start, quote.end, alignment_mode="expand")
                if span is not None:
                    inside.update(range(span.start, span.end))
            self._people = People(doc, inside, sentences(doc), sentence_index_of(doc), list(doc.ents))
        return self._people

    def _name(self, subject: Token | None) -> str | None:
        if subject is None:
            return None
        if subject.i not in self._names:
            person = self.people.person_of(subject)
            self._names[subject.i] = self.people.full_name(person).casefold() if person is not None else None
        return self._names[subject.i]

    @property
    def placements(self) -> dict[str, list[tuple[int, Place]]]:
        if self._placements is None:
            self._placements = {}
            for place, span in self.places:
                verb = _placing_verb(span)
                name = self._name(_subject(verb)) if verb is not None else None
                if name is None:
                    continue
                known = self._placements.setdefault(name, [])
                if known and place.feature == "country" and known[-1][1].country_iso2 == place.country_iso2:
                    continue  # "visiting Russia" after "in Moscow": Moscow still
                known.append((place.sentence_index or 0, place))
            self._first_placed = min((k[0][0] for k in self._placements.values()), default=0)
        return self._placements

    def in_speakers_words(self, verb: Token, places: list[tuple[Place, Span]]) -> Place | None:
        """A place the speaker's own phrase puts them in: "Officials in Kabul said", "the Red Cross
        operating in Iraq said" -- a place after "in" or "at" inside the subject of the event verb or of
        the speech verb reporting it."""
        for speaker_verb in self._speaker_verbs(verb):
            subject = _subject(speaker_verb)
            if subject is None:
                continue
            lo, hi = subject.left_edge.i, subject.right_edge.i
            for place, span in places:
                if lo <= span.start and span.end - 1 <= hi and span.start > lo and any(
                        t.dep_ == "pobj" and t.head.lower_ in _AT for t in span):
                    return place
        return None

    def _speaker_verbs(self, verb: Token):
        """The event verb, then the speech verbs that report it: up the verbs it hangs from, or beside it."""
        yield verb
        token = verb
        for _ in range(6):
            for child in token.children:
                if child.dep_ == "parataxis" and child.lemma_ in _SPEECH:
                    yield child
            if token.head.i == token.i or token.dep_ not in ("ccomp", "conj", "xcomp", "advcl", "parataxis"):
                return
            token = token.head
            if token.lemma_ in _SPEECH:
                yield token

    def person_behind(self, verb: Token) -> str | None:
        """Whose act or statement the event verb is: its subject when that is a person, else the subject
        of a speech verb that reports it, up the verbs it hangs from or beside it ("X, Wang said")."""
        for speaker_verb in self._speaker_verbs(verb):
            name = self._name(_subject(speaker_verb))
            if name is not None:
                return name
        return None

    def of(self, verb: Token, sentence_index: int) -> Place | None:
        """Where the article last put the person behind the event verb, up to the event's sentence."""
        if not self.placements or self._first_placed > sentence_index:
            return None
        name = self.person_behind(verb)
        if name is None:
            return None
        found = None
        for index, place in self.placements.get(name, ()):
            if index > sentence_index:
                break
            found = place
        return found
