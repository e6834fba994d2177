"""Personal pronouns in event roles, resolved to the coded person before them in their sentence."""

from __future__ import annotations

import msgspec
from spacy.tokens import Doc

from dyad.components.arrays import where
from dyad.components.events.roles import PASSIVE_SUBJECT, SUBJECT
from dyad.extensions import sentence_index_of
from dyad.records import Actor

_PERSON_PRONOUNS = frozenset({"he", "him", "she", "her"})
_PRONOUN_ROLES = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "dative"})


def _sole_person_before(doc: Doc, actors: list[Actor], actor_at: dict[int, int], persons: list[int],
                        sentence_of: list[int], here: int) -> list[int]:
    """The one person, a subject, of the nearest earlier sentence naming people; [] if none or several."""
    earlier = [i for i in persons if sentence_of[i] < here]
    if not earlier:
        return []
    last = sentence_of[earlier[-1]]
    named = [i for i in earlier if sentence_of[i] == last]
    if len({actors[actor_at[i]].text for i in named}) != 1:
        return []
    return [i for i in named if doc[i].dep_ in SUBJECT + PASSIVE_SUBJECT][-1:]


def resolve_pronouns(doc: Doc, actors: list[Actor], actor_at: dict[int, int], source_at: dict[int, int]) -> None:
    """"X called Y and urged him to ...": a personal pronoun in an event role is the nearest coded
    person before it in its sentence: for a subject pronoun the nearest person who is a subject ("X
    criticised Y as he ..." is X), for an object pronoun the nearest person who is not the subject of
    its own clause ("Y praised her": her is not Y). A subject pronoun with no person before it in its sentence
    is the person of the nearest earlier sentence that names people, when that sentence names only one
    and as a subject ("Frank told Oyegun to resign. He hailed Buhari": two people, no guess; "Frank spoke
    on Monday. He hailed Buhari": Frank). Without gender or salience a wider guess went to the wrong
    person too often (120 PolNeAR articles, a sentence-initial "he")."""
    sentence_of = sentence_index_of(doc)
    persons = sorted(i for i in actor_at if doc[i].ent_type_ == "PERSON")
    if not persons:
        return
    for i in where(doc, "LOWER", _PERSON_PRONOUNS):
        token = doc[i]
        if token.pos_ != "PRON" or token.dep_ not in _PRONOUN_ROLES or token.i in actor_at:
            continue
        if token.dep_ == "nsubj" and token.head.dep_ == "ccomp":
            continue  # "X said he would ...": the reporter (`sources_of`)
        here = sentence_of[token.i]
        before = [i for i in persons if i < token.i and sentence_of[i] == here]
        if token.dep_ in SUBJECT + PASSIVE_SUBJECT:
            before = [i for i in before if doc[i].dep_ in SUBJECT + PASSIVE_SUBJECT]
        else:
            own_subjects = {t.i for c in token.head.children if c.dep_ in SUBJECT for t in c.subtree}
            before = [i for i in before if i not in own_subjects]
        if not before and token.dep_ in SUBJECT + PASSIVE_SUBJECT:
            before = _sole_person_before(doc, actors, actor_at, persons, sentence_of, here)
        if not before:
            continue
        antecedent = actors[actor_at[before[-1]]]
        actor_at[token.i] = source_at[token.i] = len(actors)
        actors.append(msgspec.structs.replace(
            antecedent, evidence=f"{antecedent.evidence}; referred to as {token.text!r}", basis="pronoun"))

