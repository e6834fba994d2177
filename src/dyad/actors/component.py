"""The `dyad_actors` spaCy component: groups knowledge matches into noun-phrase actor mentions.

A mention is anchored on the head noun of its phrase. Matches on modifiers of that noun
(adjectives, compounds, possessives, titles, "of"-phrases, appositions) pool their evidence:
"French President Francois Hollande" anchors on "Hollande", takes FRA from "French" and GOV from
"President". A country adjective alone on a non-actor noun ("French wine") codes nothing.
"""

from __future__ import annotations

import datetime as dt

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token

from dyad.actors.knowledge import ActorEntry, ActorKnowledge, load_actor_knowledge
from dyad.extensions import record_error, sentence_index_of
from dyad.records import Actor

# Dependency labels that tie a modifier to the noun it modifies inside one noun phrase.
_MODIFIER_DEPS = frozenset({"compound", "amod", "nmod", "poss", "flat", "npadvmod"})
_NOUNISH = frozenset({"NOUN", "PROPN"})
# Prepositions after which a capital is a place, not the government it stands for.
_PLACE_PREPS = frozenset({"in", "at", "near", "from", "to", "into", "outside", "around", "across"})


class ActorCoder:
    def __init__(self, nlp: Language, knowledge: ActorKnowledge | None = None):
        knowledge = knowledge or load_actor_knowledge()
        self.entries: dict[int, list[ActorEntry]] = {}
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        for matcher, table in ((self.matcher, knowledge.phrases), (self.exact_matcher, knowledge.exact_phrases)):
            phrases = list(table)
            for phrase, pattern in zip(phrases, nlp.tokenizer.pipe(phrases), strict=True):
                key = "dyad_actor:" + phrase
                self.entries[nlp.vocab.strings.add(key)] = table[phrase]
                matcher.add(key, [pattern])

    def __call__(self, doc: Doc) -> Doc:
        try:
            self._code(doc)
        except Exception as error:  # one bad document must not break the batch
            doc._.actors, doc._.actor_at = [], {}
            record_error(doc, "actors", error)
        return doc

    def _matches(self, doc: Doc) -> list[tuple[int, int, list[ActorEntry]]]:
        found = [(s, e, self.entries[m]) for m, s, e in self.matcher(doc)]
        found += [(s, e, self.entries[m]) for m, s, e in self.exact_matcher(doc)]
        found.sort(key=lambda x: (x[0], x[0] - x[1]))  # longest first at each start
        kept, taken_until = [], -1
        for start, end, entries in found:
            if start >= taken_until:
                kept.append((start, end, entries))
                taken_until = end
        return kept

    def _code(self, doc: Doc) -> None:
        article = doc._.article
        date = article.date if article is not None else None
        groups: dict[int, list[tuple[int, int, list[ActorEntry]]]] = {}
        for start, end, entries in self._matches(doc):
            span = doc[start:end]
            root = span.root
            if all(e.kind == "seat" and e.country and e.sector == "GOV" for e in entries) and _is_place(root):
                continue
            groups.setdefault(_anchor(root).i, []).append((start, end, entries))
        # merge "the president of France" and appositions into the noun they belong to
        for anchor_i in sorted(groups, reverse=True):
            target = _governing_anchor(doc[anchor_i])
            if target is not None and target.i in groups and target.i != anchor_i:
                groups[target.i].extend(groups.pop(anchor_i))

        sentence_of = sentence_index_of(doc)
        actors: list[Actor] = []
        actor_at: dict[int, int] = {}
        surnames: dict[str, Actor] = {}
        for anchor_i in sorted(groups):
            anchor = doc[anchor_i]
            actor = _combine(doc, anchor, groups[anchor_i], date, sentence_of)
            if actor is None:
                continue
            actor_at[anchor_i] = len(actors)
            actors.append(actor)
            if anchor.pos_ == "PROPN" and actor.code:
                surnames.setdefault(anchor.text, actor)
        # a later bare surname refers to the person coded earlier in the article
        if surnames:
            for token in doc:
                if token.i in actor_at or token.pos_ != "PROPN" or token.text not in surnames:
                    continue
                if _anchor(token).i != token.i or any(s <= token.i < e for s, e in _spans(groups)):
                    continue
                earlier = surnames[token.text]
                if earlier.start >= token.idx:
                    continue
                actor_at[token.i] = len(actors)
                actors.append(Actor(text=token.text, code=earlier.code, country=earlier.country,
                                    sectors=list(earlier.sectors), sentence_index=sentence_of[token.i],
                                    start=token.idx, end=token.idx + len(token),
                                    evidence=f"same person as '{earlier.text}'"))
        order = sorted(range(len(actors)), key=lambda k: actors[k].start)
        rank = {old: new for new, old in enumerate(order)}
        doc._.actors = [actors[k] for k in order]
        doc._.actor_at = {i: rank[k] for i, k in actor_at.items()}


def _spans(groups: dict) -> list[tuple[int, int]]:
    return [(s, e) for members in groups.values() for s, e, _ in members]


def _is_place(token: Token) -> bool:
    return token.dep_ == "pobj" and token.head.lower_ in _PLACE_PREPS


def _anchor(token: Token) -> Token:
    """The head noun of the phrase `token` modifies."""
    seen = 0
    while token.dep_ in _MODIFIER_DEPS and token.head.i != token.i and token.head.pos_ in _NOUNISH:
        token = token.head
        seen += 1
        if seen > 8:
            break
    return token


def _governing_anchor(anchor: Token) -> Token | None:
    """For "president of France" and "Hollande, the French president": the noun they attach to."""
    if anchor.dep_ == "pobj" and anchor.head.lower_ == "of" and anchor.head.head.pos_ in _NOUNISH:
        return _anchor(anchor.head.head)
    if anchor.dep_ == "appos" and anchor.head.pos_ in _NOUNISH:
        return _anchor(anchor.head)
    return None


def _dated_choice(entries: list[ActorEntry], date: dt.date | None) -> list[ActorEntry]:
    """Of a phrase's entries, those that hold on the article date.

    Undated entries always hold. Of dated ones: the one in force on the date; with no article
    date, the most recent. A leader out of office on the date codes as a national elite (ELI).
    """
    dated = [e for e in entries if e.start is not None or e.end is not None]
    if not dated:
        return entries
    undated = [e for e in entries if e not in dated]
    latest = max(dated, key=lambda e: e.start or dt.date.min)
    if date is None:
        return [latest, *undated]
    current = [e for e in dated if (e.start is None or e.start <= date) and (e.end is None or date <= e.end)]
    if current:
        return [current[0], *undated]
    if latest.kind == "leader":
        return [ActorEntry("leader", country=latest.country, sector="ELI", code=(latest.country or "") + "ELI",
                           source=latest.source + " (out of office on the article date)"), *undated]
    return undated


def _combine(doc: Doc, anchor: Token, members, date, sentence_of) -> Actor | None:
    country = sector = code = None
    evidence: list[str] = []
    substantive = False
    left, right = anchor.i, anchor.i + 1
    for start, end, entries in sorted(members, key=lambda m: abs(m[0] - anchor.i)):
        left, right = min(left, start), max(right, end)
        covers_anchor = start <= anchor.i < end
        for entry in _dated_choice(entries, date):
            if entry.kind != "adjective" or covers_anchor:
                substantive = True
            if entry.code and code is None:
                code = entry.code
            if entry.country and country is None:
                country = entry.country
            if entry.sector and (sector is None or covers_anchor):
                sector = entry.sector
            evidence.append(f"{doc[start:end].text!r}: {entry.kind} ({entry.source})")
    if not substantive and anchor.pos_ != "PROPN":
        return None  # "French wine": an adjective alone does not make an actor
    if code is None:
        code = (country or "") + (sector or "") or None
    if code is None:
        return None
    span = doc[left:right]
    return Actor(text=span.text, code=code, country=country, sectors=[sector] if sector else [],
                 sentence_index=sentence_of[anchor.i], start=span.start_char, end=span.end_char,
                 evidence="; ".join(evidence))


@Language.factory("dyad_actors")
def make_actor_coder(nlp: Language, name: str) -> ActorCoder:
    return ActorCoder(nlp)
