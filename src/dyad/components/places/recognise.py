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
from spacy.tokens import Doc

from dyad.resources.gazetteer import REGION, Gazetteer

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
    proper = [t.tag_ in _PROPER and t.ent_type_ not in _NOT_PLACES for t in doc]
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


def find_mentions(doc: Doc, gazetteer: Gazetteer) -> list[Mention]:
    """Toponym and demonym mentions in text order: entities, and gazetteer names the tagger did not label."""
    taken = [False] * len(doc)
    mentions = _entity_mentions(doc, gazetteer, taken)
    mentions += _unlabelled_mentions(doc, gazetteer, taken)
    mentions.sort(key=lambda m: m.start)
    # containment, as in "Aleppo, Syria" or "Springfield, Ill."
    for first, second in itertools.pairwise(mentions):
        if (first.kind == second.kind == "toponym" and second.start - first.end <= _CONTAINER_GAP
                and second.token > 0 and doc[second.token - 1].text == "," and doc[second.token - 1].idx >= first.end):
            first.within = second.text
    return mentions
