"""Finding toponyms and demonyms in a parsed Doc.

spaCy's GPE/LOC/FAC entities (less "the", a possessive, a direction word the name does not carry),
NORP demonyms of a country ("Syrian": kind `adjective`), and well-known gazetteer names (countries,
regions, big cities) the tagger left unlabelled or inside an organisation's name. A toponym followed
by ", <toponym>" is marked as inside it ("Aleppo, Syria", "Springfield, Ill.").
"""

from __future__ import annotations

import itertools
import re

import msgspec
import numpy
from spacy.tokens import Doc

from dyad.resources.gazetteer import COUNTRY, REGION, Gazetteer

_TOPONYM_LABELS = frozenset({"GPE", "LOC", "FAC"})
_LEADING = re.compile(r"^(?:the|a|an|downtown|central|northern|southern|eastern|western|north|south|east|west|"
                      r"northeastern|northwestern|southeastern|southwestern)\s+", re.I)
_TRAILING = re.compile(r"(?:'s|’s|'|’)$")
_PROPER = frozenset({"NNP", "NNPS"})
_NOT_PLACES = frozenset({"PERSON", "WORK_OF_ART", "EVENT", "PRODUCT", "LAW", "LANGUAGE"})
# An unlabelled name is taken when its first entry is a region or bigger, or a city of this many
# people. Set by hand; re-measure with `dyad evaluate --task places --format gwn ../shared/gold/places/GWN.xml`
# (and `--format lgl ../shared/gold/places/lgl.xml`).
_WELL_KNOWN_POPULATION = 100_000
# The longest run of unlabelled proper nouns tried as a name, and the shortest name taken (set by
# hand; re-measure as above)
_MAX_NAME_TOKENS = 4
_MIN_NAME_CHARS = 3
# "Aleppo, Syria": the second name is the first's container when at most this many characters part them
_CONTAINER_GAP = 3


class Mention(msgspec.Struct):
    text: str
    start: int
    end: int
    token: int  # first token
    label: str
    kind: str = "toponym"
    within: str | None = None
    town: bool = False  # its words say it is a settlement ("the town of Gao"), not the region of that name


def well_known(gazetteer: Gazetteer, text: str) -> bool:
    """A name whose first entry is a continent, country or region, or a city of `_WELL_KNOWN_POPULATION`+."""
    found = gazetteer.candidates(text)
    if not found or found[0][1]:
        return False
    entry = found[0][0]
    return gazetteer.index.feature[entry] >= REGION or gazetteer.index.population[entry] >= _WELL_KNOWN_POPULATION


def _trim(doc: Doc, start_token: int, end_token: int, gazetteer: Gazetteer) -> tuple[int, int] | None:
    """An entity's span less "the", a possessive, and a direction word the name does not carry
    ("northern Syria", but "West Bank" and "South Africa" whole)."""
    span = doc[start_token:end_token]
    start, end = span.start_char, span.end_char
    text = span.text
    if not any(c.isupper() for c in text):
        return None  # "east", "the region": not names
    lead = _LEADING.match(text)
    if lead and len(text) > lead.end() and (lead.group(0).lower().startswith(("the ", "a ", "an "))
                                            or not gazetteer.candidates(_TRAILING.sub("", text))):
        start += lead.end()
        text = text[lead.end():]
    trail = _TRAILING.search(text)
    if trail:
        end -= len(trail.group(0))
        text = text[:trail.start()]
    return (start, end) if text.strip() else None


def _entity_mentions(doc: Doc, gazetteer: Gazetteer, taken: list[bool]) -> list[Mention]:
    """Toponym and demonym entities; marks their tokens taken."""
    mentions: list[Mention] = []
    for ent in doc.ents:
        label = ent.label_
        if label in _TOPONYM_LABELS:
            trimmed = _trim(doc, ent.start, ent.end, gazetteer)
            if trimmed is None:
                continue
            text = ent.text[trimmed[0] - ent.start_char:trimmed[1] - ent.start_char]
            if label != "GPE" and not gazetteer.candidates(text):
                continue
            mentions.append(Mention(text, trimmed[0], trimmed[1], ent.start, label))
        elif label == "NORP":
            text = ent.text
            if gazetteer.demonym(text) is not None:
                mentions.append(Mention(text, ent.start_char, ent.end_char, ent.start, label, "adjective"))
            elif ent.end - ent.start > 1 and gazetteer.demonym(doc[ent.start].text) is not None:
                t = doc[ent.start]
                mentions.append(Mention(t.text, t.idx, t.idx + len(t.text), t.i, label, "adjective"))
            else:
                continue
        else:
            continue
        for i in range(ent.start, ent.end):
            taken[i] = True
    return mentions


def _unlabelled_mentions(doc: Doc, gazetteer: Gazetteer, taken: list[bool]) -> list[Mention]:
    """Demonyms and well-known place names the tagger left unlabelled or inside an organisation's name."""
    mentions: list[Mention] = []
    n = len(doc)
    strings = doc.vocab.strings
    tags_ents = doc.to_array(["TAG", "ENT_TYPE"])  # read as numbers: no Token object for most words
    proper = (numpy.isin(tags_ents[:, 0], [strings.add(tag) for tag in _PROPER])
              & ~numpy.isin(tags_ents[:, 1], [strings.add(label) for label in _NOT_PLACES])).tolist()
    i = 0
    while i < n:
        if taken[i] or not proper[i]:
            i += 1
            continue
        token = doc[i]
        if gazetteer.demonym(token.text) is not None and token.text not in gazetteer.case_sensitive:
            mentions.append(Mention(token.text, token.idx, token.idx + len(token.text), i, "", "adjective"))
            taken[i] = True
            i += 1
            continue
        j = i + 1
        while j < n and j < i + _MAX_NAME_TOKENS and proper[j] and not taken[j]:
            j += 1
        for k in range(j, i, -1):  # the longest run of proper nouns that names a well-known place
            span = doc[i:k]
            text = span.text
            if len(text) >= _MIN_NAME_CHARS and text not in gazetteer.case_sensitive and well_known(gazetteer, text):
                mentions.append(Mention(text, span.start_char, span.end_char, i, ""))
                taken[i:k] = [True] * (k - i)
                i = k - 1
                break
        i += 1
    return mentions


# Words after which a name is a place whatever the tagger made of it ("near Gao", "the town of Gao").
_PLACE_PREPOSITIONS = frozenset({"in", "near", "outside", "at", "around", "from", "to"})
_PLACE_NOUNS = frozenset({"town", "city", "village", "province", "district", "region", "capital"})
_SETTLEMENT_NOUNS = frozenset({"town", "city", "village"})


def _country_of(gazetteer: Gazetteer, text: str, kind: str) -> int | None:
    if kind == "adjective":
        return gazetteer.demonym(text)
    found = gazetteer.candidates(text)
    return gazetteer.index.country[found[0][0]] if found else None


def _located_names(doc: Doc, gazetteer: Gazetteer, taken: list[bool], found: list[Mention]) -> list[Mention]:
    """Towns the tagger took for persons or missed, where the grammar and the article agree: a name
    after a locative preposition or "the town of" that the gazetteer knows as a town of a country the
    article already names ("militants attacked a Malian convoy near Gao": Gao, Mali, not a person)."""
    tags_deps = doc.to_array(["TAG", "DEP"])  # read as numbers: most documents have no such name at all
    strings = doc.vocab.strings
    proper = [strings.add(tag) for tag in _PROPER]
    is_object = (tags_deps[:, 1] == strings.add("pobj")) & numpy.isin(tags_deps[:, 0], proper)
    candidates = [i for i in numpy.flatnonzero(is_object).tolist() if not taken[i]]
    if not candidates:
        return []
    countries = {c for text, kind in {(m.text, m.kind) for m in found}
                 if (c := _country_of(gazetteer, text, kind)) is not None}
    if not countries:
        return []
    index = gazetteer.index
    mentions: list[Mention] = []
    for i in candidates:
        token = doc[i]
        if taken[i]:
            continue
        marker = token.head
        if not (marker.lower_ in _PLACE_PREPOSITIONS or (
                marker.lower_ == "of" and marker.head.lower_ in _PLACE_NOUNS)):
            continue
        start = token.i  # the name: the proper nouns ending at the preposition's object
        while start > marker.i + 1 and doc[start - 1].tag_ in _PROPER and not taken[start - 1]:
            start -= 1
        span = doc[start: token.i + 1]
        if len(span.text) < _MIN_NAME_CHARS:
            continue
        if any(index.country[e] in countries and index.feature[e] < COUNTRY and index.feature[e] != REGION
               for e, alternate in gazetteer.candidates(span.text) if not alternate):
            mentions.append(Mention(span.text, span.start_char, span.end_char, start, token.ent_type_))
            taken[start: token.i + 1] = [True] * len(span)
    return mentions


def find_mentions(doc: Doc, gazetteer: Gazetteer) -> list[Mention]:
    """Toponym and demonym mentions in text order: entities, gazetteer names the tagger did not label,
    and towns it took for persons where the article agrees."""
    taken = [False] * len(doc)
    mentions = _entity_mentions(doc, gazetteer, taken)
    mentions += _unlabelled_mentions(doc, gazetteer, taken)
    mentions += _located_names(doc, gazetteer, taken, mentions)
    mentions.sort(key=lambda m: m.start)
    for m in mentions:
        if m.token >= 2 and doc[m.token - 1].lower_ == "of" and doc[m.token - 2].lower_ in _SETTLEMENT_NOUNS:
            m.town = True
    # containment, as in "Aleppo, Syria" or "Springfield, Ill."
    for first, second in itertools.pairwise(mentions):
        if (first.kind == second.kind == "toponym" and second.start - first.end <= _CONTAINER_GAP
                and second.token > 0 and doc[second.token - 1].text == "," and doc[second.token - 1].idx >= first.end):
            first.within = second.text
    return mentions
