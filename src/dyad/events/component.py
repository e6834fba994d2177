"""The `dyad_events` spaCy component: verb rules over the dependency parse -> CAMEO events.

For each verb the lexicon knows, the source is the actor in its subject (the `by`-agent in the
passive), the target the actor in its object or in the object of a rule preposition. Coordinated
actors ("France and Germany") each get an event; a conjoined verb without a subject inherits its
head's ("X met Y and signed Z"); a negated verb codes nothing. Reporting clauses need no rule:
"X said Y attacked Z" codes Y -> Z from "attacked".
"""

from __future__ import annotations

import hashlib

from spacy.language import Language
from spacy.tokens import Doc, Token

from dyad import __version__
from dyad.events.lexicon import VerbRule, load_verb_rules
from dyad.extensions import record_error, sentence_index_of
from dyad.knowledge import KNOWLEDGE_VERSION
from dyad.ontology import lookup
from dyad.records import Actor, Event, Plover, Provenance

_SUBJECT = ("nsubj",)
_PASSIVE_SUBJECT = ("nsubjpass",)
_OBJECT = ("dobj",)
# xcomp verbs inherit their governor's subject only after aspectual verbs: "began to shell"
# is an attack, "threatened to shell" is not (the lexicon issue codes modality).
_ASPECTUAL = frozenset({"begin", "start", "continue", "resume"})


class EventCoder:
    def __init__(self, nlp: Language, rules: dict[str, list[VerbRule]] | None = None):
        self.rules = rules if rules is not None else load_verb_rules()

    def __call__(self, doc: Doc) -> Doc:
        try:
            doc._.events = self._code(doc)
        except Exception as error:  # one bad document must not break the batch
            doc._.events = []
            record_error(doc, "events", error)
        return doc

    def _code(self, doc: Doc) -> list[Event]:
        actors: list[Actor] = doc._.actors or []
        if not actors:
            return []
        actor_at: dict[int, int] = doc._.actor_at or {}
        article = doc._.article
        article_id = article.id if article is not None else ""
        sentence_of = sentence_index_of(doc)
        sents = None
        events: list[Event] = []
        for token in doc:
            rules = self.rules.get(token.lemma_) if token.pos_ == "VERB" else None
            if not rules or any(c.dep_ == "neg" for c in token.children):
                continue
            for rule in rules:
                if rule.particle and not any(c.dep_ == "prt" and c.lower_ == rule.particle for c in token.children):
                    continue
                sources, targets = _roles(token, rule, actor_at)
                if not sources or (rule.target_required and not targets):
                    continue
                if sents is None:
                    sents = list(doc.sents)
                sentence = sents[sentence_of[token.i]]
                for s in sources:
                    for t in targets or [None]:
                        if t is not None and t == s:
                            continue
                        events.append(_event(doc, article_id, sentence, sentence_of[token.i], token, rule,
                                             actors[actor_at[s]], s, actors[actor_at[t]] if t is not None else None, t))
                break
        return events


def _conjuncts(token: Token) -> list[Token]:
    return [token, *token.conjuncts]


def _actor_token(token: Token, actor_at: dict[int, int]) -> int | None:
    """The coded actor a role token stands for: itself, else the first coded noun in its phrase."""
    if token.i in actor_at:
        return token.i
    for child in token.subtree:
        if child.i in actor_at:
            return child.i
    return None


def _collect(tokens: list[Token], actor_at: dict[int, int]) -> list[int]:
    found = []
    for token in tokens:
        for conj in _conjuncts(token):
            i = _actor_token(conj, actor_at)
            if i is not None and i not in found:
                found.append(i)
    return found


def _subject_verb(verb: Token) -> Token:
    """The verb whose subject this verb shares (conjoined verbs, aspectual xcomp chains)."""
    while not any(c.dep_ in _SUBJECT + _PASSIVE_SUBJECT for c in verb.children):
        if verb.dep_ == "conj" or (verb.dep_ == "xcomp" and verb.head.lemma_ in _ASPECTUAL):
            verb = verb.head
        else:
            break
    return verb


def _roles(verb: Token, rule: VerbRule, actor_at: dict[int, int]) -> tuple[list[int], list[int]]:
    if verb.dep_ == "xcomp" and verb.head.lemma_ not in _ASPECTUAL:
        return [], []
    children = list(_subject_verb(verb).children)
    passive = any(c.dep_ in _PASSIVE_SUBJECT for c in children)
    if passive:
        agents = [g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        sources = _collect(agents, actor_at)
        targets = _collect([c for c in children if c.dep_ in _PASSIVE_SUBJECT], actor_at)
    else:
        sources = _collect([c for c in children if c.dep_ in _SUBJECT], actor_at)
        objects = [c for c in verb.children if c.dep_ in _OBJECT]
        objects += [g for c in verb.children if c.dep_ == "prep" and c.lower_ in rule.preps
                    for g in c.children if g.dep_ == "pobj"]
        targets = _collect(objects, actor_at)
    return sources, targets


def _token_span(doc: Doc, actor: Actor, offset: int) -> list[int]:
    span = doc.char_span(actor.start, actor.end, alignment_mode="expand")
    return [span.start - offset, span.end - offset] if span is not None else []


def _event(doc, article_id, sentence, sentence_index, verb, rule, source, source_i, target, target_i) -> Event:
    entry = lookup(rule.code)
    key = f"{article_id}|{sentence_index}|{verb.i}|{rule.code}|{source_i}|{target_i}"
    # token spans count from the sentence's first token, so they can be read off `sentence` alone
    offset = sentence.start
    spans = {"source": _token_span(doc, source, offset), "verb": [verb.i - offset, verb.i + 1 - offset]}
    if target is not None:
        spans["target"] = _token_span(doc, target, offset)
    return Event(
        event_id=hashlib.blake2b(key.encode(), digest_size=8).hexdigest(),
        article_id=article_id,
        sentence_index=sentence_index,
        sentence=sentence.text.strip(),
        source=source,
        target=target,
        code=rule.code,
        root_code=entry.root,
        quad_class=entry.quad_class,
        goldstein=entry.goldstein,
        plover=Plover(event=entry.plover_event, mode=entry.plover_mode, context=entry.plover_context),
        provenance=Provenance(rule=rule.source, spans=spans, dyad_version=__version__,
                              knowledge_version=KNOWLEDGE_VERSION),
    )


@Language.factory("dyad_events")
def make_event_coder(nlp: Language, name: str) -> EventCoder:
    return EventCoder(nlp)
