"""From matches to events: pair each match's sources and targets, add the implicit target of domestic
dissent, drop what another match codes better, and build the `Event` records with their confidence."""

from __future__ import annotations

import bisect
import hashlib

import msgspec
from spacy.tokens import Doc, Token

from dyad.components.actors.knowledge import INTERNATIONAL_SECTORS
from dyad.components.events.confidence import event_confidence
from dyad.components.events.frame import DocFrame, Match
from dyad.components.events.lexicon import root_set
from dyad.components.events.roles import same_mention
from dyad.extensions import sentences
from dyad.knowledge import KNOWLEDGE_VERSION
from dyad.records import Actor, Event, Plover, Provenance
from dyad.resources.ontology import lookup
from dyad.version import __version__

# dissent (14) and easing it (082: calling off a strike or protest) are aimed at the source's own
# authorities when no target is named
_DOMESTIC = root_set("domestic")
_MUTUAL = root_set("mutual")
_FORCE = root_set("force")
_STATEMENT = root_set("statement")
VISIT = root_set("visit")
COERCE = root_set("coerce")
STATE_SECTORS = frozenset({"GOV", "COP", "JUD", "MIL", "SPY"})  # actors that coerce on a state's behalf


def assemble(frame: DocFrame, matches: list[Match]) -> list[Event]:
    """The events of a document's matches: each source paired with each target (both ways for mutual
    events), an implicit target for domestic dissent, a confidence each."""
    doc, actors, actor_at = frame.doc, frame.actors, frame.actor_at
    article = doc._.article
    article_id = article.id if article is not None else ""
    sentence_of = frame.sentence_of
    sents = sentences(doc) if matches else []
    texts: dict[int, str] = {}  # sentence index -> its text, made once and shared by its events
    governments = _Governments(actors)
    events: list[Event] = []
    seen: set[tuple] = set()
    for m in matches:
        index = sentence_of[m.anchor.i]
        sentence = sents[index]
        if index not in texts:
            texts[index] = sentence.text.strip()
        targets = m.targets
        if len(targets) > 1 and any(actors[actor_at[t]].country for t in targets):
            # of several targets, a bare sector ("troops", "civilians") gives way to a national actor
            targets = [t for t in targets if actors[actor_at[t]].country]
        pairs = [(s, t) for s in m.sources for t in targets or [None]]
        if len(m.sources) > 1 and m.code.startswith(_MUTUAL) and not m.flags.get("direct_target"):
            # "the Russian and Venezuelan delegations met (discussed X)": coordinated parties meet each other
            pairs = [(s, t) for s in m.sources for t in m.sources if s != t]
        if not m.between and m.code.startswith(_MUTUAL):
            # meeting and negotiating are mutual: "X met Y" is also Y meeting X
            pairs += [(t, s) for s, t in pairs if t is not None and t not in m.sources]
        for s, t in pairs:
            if m.code.startswith(VISIT) and _population(doc[s]):
                continue  # "52,000 Venezuelans have arrived in Brazil": people travel, no state visits
            if t is not None and (t == s or (actors[actor_at[t]].code == actors[actor_at[s]].code
                                  and m.between) or same_mention(actors[actor_at[s]], actors[actor_at[t]])):
                continue
            key = (m.anchor.i, m.code, s, t)
            if key in seen:
                continue
            seen.add(key)
            source, target = actors[actor_at[s]], actors[actor_at[t]] if t is not None else None
            if target is None and m.code.startswith(_DOMESTIC):
                target = governments.named_in(source, sentence) or _own_authorities(source)
            elif target is None and m.code.startswith(COERCE) and set(source.sectors) & STATE_SECTORS:
                target = _own_people(source)
            source, target = _domestic_party(source, target), _domestic_party(target, source)
            confidence = event_confidence(m, source, target)
            events.append(make_event(doc, article_id, sentence, texts[index], index, m, source, target,
                                     confidence))
    return _drop_untargeted(events)


class _Governments:
    """The document's government actors by position, so an event finds its sentence's without reading
    every actor of the document."""

    def __init__(self, actors: list[Actor]):
        self.actors = actors
        self._by_start: list[tuple[int, int]] | None = None  # (start, index into actors), made when first asked

    def named_in(self, source: Actor, sentence) -> Actor | None:
        """The source country's government when the sentence names it ("workers called off the strike
        after a deal with the Brazilian government"): the authorities the dissent is aimed at."""
        country = source.country
        if not country:
            return None
        if self._by_start is None:
            self._by_start = sorted((a.start, k) for k, a in enumerate(self.actors)
                                    if a.sectors == ["GOV"] and a.end > a.start)
        by_start = self._by_start
        here = by_start[bisect.bisect_left(by_start, (sentence.start_char,)):
                        bisect.bisect_left(by_start, (sentence.end_char,))]
        return next((self.actors[k] for k in sorted(k for _, k in here) if self.actors[k].country == country
                     and self.actors[k] is not source and not same_mention(self.actors[k], source)), None)


def _domestic_party(actor: Actor | None, other: Actor | None) -> Actor | None:
    """A party named by its sector alone ("judges", "the police") in an event whose other party is a
    national actor is of that actor's country: the interaction is domestic unless the text says
    otherwise ("the minister accused judges", "police arrested protesters": CAMEO codes these within one
    country). International sectors (IGO, NGO, ...) stay as they are."""
    if actor is None or other is None or actor.country or not actor.sectors or not other.country:
        return actor
    if actor.sectors[0] in INTERNATIONAL_SECTORS or not actor.code or actor.code != "".join(actor.sectors):
        return actor
    return msgspec.structs.replace(actor, code=other.country + actor.code, country=other.country,
                                   evidence=f"{actor.evidence}; country of the other party "
                                            f"'{other.text}' (a domestic event)")


def _own_authorities(source: Actor) -> Actor | None:
    """The implicit target of dissent with no named target: the authorities of the protesters' own
    country (domestic protest is directed at its government). Zero-width at the source: it names no
    text of its own."""
    country = source.country or (source.code[:3] if source.code and len(source.code) >= 3 else None)
    if not country or not country.isalpha() or country in INTERNATIONAL_SECTORS:
        return None
    return Actor(text="", code=country, country=country, sentence_index=source.sentence_index,
                 start=source.start, end=source.start, evidence="implicit target: the source's own authorities",
                 basis="implicit")


def _population(token: Token) -> bool:
    """A people named by its demonym in the plural ("Venezuelans", "Russians"), not a state or its agents."""
    return token.ent_type_ == "NORP" and token.tag_ in ("NNS", "NNPS")


def _own_people(source: Actor) -> Actor | None:
    """The implicit target of a state's coercion with no named target ("Beijing bans online Bible
    sales", "police arrested 20 people"): its own country's people (CAMEO codes such acts within one
    country). Zero-width at the source."""
    actor = _own_authorities(source)
    if actor is None:
        return None
    return msgspec.structs.replace(actor, evidence="implicit target: the people of the state's own country")


def _drop_untargeted(events: list[Event]) -> list[Event]:
    """An event without a target gives way to one of the same root, sentence and source that has a
    target (the same event, once with its target found)."""
    targeted = {(e.sentence_index, e.source.start, e.root_code) for e in events if e.target is not None}
    if not targeted:
        return events
    return [e for e in events if e.target is not None
            or (e.sentence_index, e.source.start, e.root_code) not in targeted]


def drop_consequences(matches: list[Match]) -> list[Match]:
    """"X shelled Y, killing 20 people": the participle is what the attack did, not a second attack;
    the attack's own target stands for the event."""
    attacks = {m.anchor.i for m in matches if m.code.startswith(_FORCE)}
    return [m for m in matches if not (m.code.startswith(_FORCE) and m.anchor.dep_ in ("advcl", "conj")
                                       and m.anchor.tag_ == "VBG" and m.anchor.head.i in attacks)]


def drop_reported(matches: list[Match]) -> list[Match]:
    """A statement (01) gives way to a coded event inside its clause: reported speech codes what
    is reported."""
    if len(matches) < 2:
        return matches
    coded = sorted(o.anchor.i for o in matches if not o.code.startswith(_STATEMENT))
    keep = []
    for m in matches:
        if m.code.startswith(_STATEMENT) and m.anchor.pos_ == "VERB":
            first, last = m.anchor.left_edge.i, m.anchor.right_edge.i
            # a conjoined verb is a second predication, not what was said ("called X and urged him")
            beside = [(c.left_edge.i, c.right_edge.i) for c in m.anchor.children if c.dep_ == "conj"]
            inside = coded[bisect.bisect_left(coded, first):bisect.bisect_right(coded, last)]
            if any(not any(a <= i <= b for a, b in beside) for i in inside):
                continue
        keep.append(m)
    return keep


def _token_span(doc: Doc, actor: Actor, offset: int) -> list[int]:
    if actor.end <= actor.start:
        return []
    span = doc.char_span(actor.start, actor.end, alignment_mode="expand")
    return [span.start - offset, span.end - offset] if span is not None else []


def make_event(doc, article_id, sentence, text, sentence_index, m: Match, source, target, confidence) -> Event:
    """The Event of a match and its pair of actors; `text` is the sentence's (one string for all its events)."""
    entry = lookup(m.code)
    key = f"{article_id}|{sentence_index}|{m.anchor.i}|{m.code}|{source.start}|{target.start if target else ''}"
    # token spans count from the sentence's first token, so they can be read off `sentence` alone
    offset = sentence.start
    spans = {"source": _token_span(doc, source, offset), "verb": [m.anchor.i - offset, m.anchor.i + 1 - offset]}
    if target is not None:
        spans["target"] = _token_span(doc, target, offset)
    return Event(
        event_id=hashlib.blake2b(key.encode(), digest_size=8).hexdigest(),
        article_id=article_id,
        sentence_index=sentence_index,
        sentence=text,
        source=source,
        target=target,
        code=m.code,
        root_code=entry.root,
        quad_class=entry.quad_class,
        goldstein=entry.goldstein,
        plover=Plover(event=entry.plover_event, mode=entry.plover_mode, context=entry.plover_context),
        confidence=confidence,
        provenance=Provenance(rule=m.rule, spans=spans, dyad_version=__version__,
                              knowledge_version=KNOWLEDGE_VERSION),
    )


