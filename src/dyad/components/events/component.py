"""The `dyad_events` spaCy component: dyad's event lexicon over the dependency parse -> CAMEO events.

Knowledge is data (`knowledge/events/`, see its README); this module is the matcher:

- a verb rule (`verbs.tsv`) codes a verb: the source is the actor in its subject (the `by`-agent
  in the passive), the target the actor in its object or in the object of a rule preposition (on
  the verb or on its object noun). A rule may ask for a particle ("rule out") and an object noun
  ("impose sanctions"); the most specific rule that finds its roles wins.
- a light verb (`frames.tsv`, kind light) codes the event noun it takes as object ("hold talks
  with", "launch an attack on"), and an event noun (`nouns.tsv`) codes on its own when it names its
  actors ("Israel's bombing of X", "talks between X and Y").
- frames: a refusal, intention, threat, appeal or demand with a "to" complement codes the
  complement's event mapped through `modality.tsv` ("refused to meet" -> 125, "threatened to
  impose sanctions" -> 1312, "urged X to release" -> 0253); aspectual verbs pass it through.
  A negated cooperative event is a refusal; a negated conflict event codes nothing.
- reported speech: a statement verb's event (01) gives way to a coded event in its complement
  ("X said Y attacked Z" codes Y -> Z); "X said it would ..." is an intention; a statement whose words
  condemn another actor and code nothing else is a criticism (111, `judgement.py`).
- visitors: "a reception for visiting minister S in Hanoi" is S's visit to the place's country and
  that country's hosting of S (`visits.py`).
- conditions: "X will withdraw unless Y ..." is a threat aimed at Y; nothing inside an "if"/"unless"
  clause is coded (it has not happened).
- targets may also be nouns a country or sector names ("German goods", "an army base":
  `doc._.national_objects`) and personal pronouns resolved to the person before them; sources are
  actors only.

Coordinated actors each get an event; a conjoined verb without a subject inherits its head's.
Every event carries a confidence in [0, 1] computed from its evidence (`confidence.py`).

Modules: this one matches verbs, frames and nouns; `roles.py` reads sources and targets off the parse;
`pronouns.py` and `locative.py` add actors (resolved pronouns, toponyms); `frame.py` holds one document's
state, passed explicitly (the component keeps none, so it is re-entrant); `assemble.py` pairs a match's
actors into events and `confidence.py` scores them. Sets of codes the rules test are knowledge
(`knowledge/events/root_sets.tsv`).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Token

from dyad.components.arrays import where
from dyad.components.events.assemble import COERCE, STATE_SECTORS, VISIT, assemble, drop_consequences, drop_reported
from dyad.components.events.frame import DocFrame, Match, build_frame
from dyad.components.events.judgement import judgements
from dyad.components.events.lexicon import Lexicon, NounRule, VerbRule, load_lexicon, root_set
from dyad.components.events.locative import (
    authorities_source,
    in_place,
    place_source,
    prepositional,
    removed_from,
)
from dyad.components.events.roles import (
    LOOSE_PREPS,
    MAX_TARGETS,
    OBJECT,
    PASSIVE_SUBJECT,
    SUBJECT,
    actor_token,
    between_pairs,
    collect,
    condition_of,
    governing_verb,
    mark,
    quantified_object,
    shared_objects,
    sources_of,
    targets_of,
)
from dyad.components.events.visits import participle, visit_roles, visiting_events
from dyad.extensions import record_error
from dyad.records import Event
from dyad.resources.gazetteer import load_gazetteer

_FUTURE = frozenset({"will", "would", "'ll", "shall"})
# "X said Y must ..." is a demand (CAMEO 10), "X said Y should ..." advice, an appeal (CAMEO 02: requests,
# proposals, suggestions)
_OBLIGATION = {"must": "demand", "should": "appeal", "ought": "appeal"}
_MODAL_KINDS = ("refuse", "intend", "threaten", "appeal", "demand")
_COOPERATIVE = root_set("cooperative")
_THREAT = root_set("threat")
_TRANSFER = root_set("transfer")
_PLACE_SOURCE = root_set("place_source")
_STATE_ACT = root_set("state_act")
_SHALLOW = root_set("shallow")


class EventCoder:
    """The `dyad_events` component: `doc._.actors` (and quotes' first persons) -> `doc._.events`."""

    def __init__(self, lexicon: Lexicon | None = None):
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        self.rules = self.lexicon.verbs
        self._gazetteer = None  # the shared gazetteer, loaded when first needed (a resource, not document state)

    def gazetteer(self):
        """The shared gazetteer (`dyad.resources.gazetteer`) that names the country of a toponym no actor
        codes, loaded when first needed; None when unavailable (toponyms then stay uncoded)."""
        if self._gazetteer is None:
            try:
                self._gazetteer = load_gazetteer()
            except Exception:  # no gazetteer: places stay uncoded
                self._gazetteer = False
        return self._gazetteer or None

    def __call__(self, doc: Doc) -> Doc:
        try:
            doc._.events = self._code(doc)
        except Exception as error:  # one bad document must not break the batch
            doc._.events = []
            record_error(doc, "events", error)
        return doc

    # ------------------------------------------------------------------ matching

    def _code(self, doc: Doc) -> list[Event]:
        frame = build_frame(doc, self.gazetteer)
        if frame is None:
            return []
        lex = self.lexicon
        matches: list[Match] = []
        used_nouns: set[int] = set()
        for i in where(doc, "POS", ("VERB", "AUX", "ADJ")):
            token = doc[i]
            lemma = token.lemma_
            # a complement of a frame ("X said Y must drop barriers") is a demand even when its own
            # verb has no rule
            complement = token.dep_ == "ccomp" and token.pos_ == "VERB" and token.head.lemma_ in lex.frames
            if token.pos_ in ("VERB", "AUX", "ADJ") and (lemma in lex.verbs or lemma in lex.frames or complement):
                if token.pos_ != "VERB" and lemma not in lex.frames:
                    continue
                match = self._clause(frame, token, used_nouns)
                if match is not None:
                    matches.append(match)
        for i in where(doc, "POS", ("NOUN",)):  # nominal events, once the verbs have claimed their objects
            token = doc[i]
            if i not in used_nouns and (rule := self._noun(token)) is not None:
                match = self._nominal(frame, token, rule)
                if match is not None:
                    matches.append(match)
        matches += visiting_events(frame)
        matches = drop_consequences(drop_reported(matches + judgements(frame, matches)))
        return assemble(frame, matches)

    def _noun(self, token: Token) -> NounRule | None:
        """The event noun rule of a token: a compound entry ("hunger strike") before the bare noun."""
        nouns = self.lexicon.nouns
        for c in token.children:
            if c.dep_ in ("compound", "amod") and c.i < token.i:
                rule = nouns.get(f"{c.lemma_.lower()} {token.lemma_}")
                if rule is not None:
                    return rule
        return nouns.get(token.lemma_)

    def _frames(self, token: Token) -> list[str]:
        kinds = []
        for particle, kind in self.lexicon.frames.get(token.lemma_, ()):
            if particle is None or any(c.dep_ in ("prt", "prep") and c.lower_ == particle for c in token.children):
                kinds.append(kind)
        return kinds

    def _clause(self, frame: DocFrame, verb: Token, used_nouns: set[int]) -> Match | None:
        """The event a verb's clause codes: framed complement, own rule or light-verb noun."""
        actor_at = frame.actor_at
        if verb.dep_ == "xcomp" and self._frames(verb.head) and not (
                set(self._frames(verb.head)) <= {"light", "receive", "report"}):
            return None  # coded through its frame
        if verb.dep_ == "xcomp" and verb.head.pos_ == "ADJ" and self._frames(verb.head):
            return None
        if verb.dep_ == "advcl" and mark(verb) in ("if", "unless"):
            return None  # a condition ("if he gave them a veto") has not happened
        if participle(verb):
            return None  # "received visiting minister S": S visits (visits.py), the receiver does not
        obligation = self._obligation(frame, verb, used_nouns)
        if obligation is not None:
            return obligation
        kinds = self._frames(verb)
        negated = any(c.dep_ == "neg" for c in verb.children)
        match = None
        complement = None
        modal = next((k for k in kinds if k in _MODAL_KINDS or k == "aspect"), None)
        if modal is not None:
            complement = next((c for c in verb.children if c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX")), None)
            if complement is not None:
                match = self._framed(frame, verb, complement, modal, used_nouns)
        if match is None and verb.pos_ == "VERB":
            match = self._own(frame, verb, used_nouns, "light" in kinds)
            if match is not None and "report" in kinds:
                match.kind = "report"
            if match is not None and modal is not None and not match.targets and complement is not None:
                _complement_target(frame, match, complement)
        if match is None and "receive" in kinds:
            match = self._received(frame, verb, used_nouns)
        if match is None:
            return None
        if negated:
            if not match.code.startswith(_COOPERATIVE):
                return None
            code = self.lexicon.reframe("refuse", match.code)
            if code is None:
                return None
            match.code, match.kind = code, "negated"
        condition = condition_of(verb, complement)
        if match.kind not in ("framed",) and self._future_report(verb):
            # "X will withdraw unless Y ...": an intention held over Y is a threat
            kind = "threaten" if condition is not None and mark(condition) == "unless" else "intend"
            code = self.lexicon.reframe(kind, match.code)
            if code is not None and code != match.code:
                match.code, match.kind = code, "reported-intent"
        if condition is not None and match.code.startswith(_THREAT) and not match.targets:
            # "threatened to stop talks if Y deploys missiles": the threat is aimed at the condition's subject
            found = [i for i in collect([c for c in condition.children if c.dep_ in SUBJECT], actor_at)
                     if i not in match.sources]
            if found:
                match.targets, match.flags = found[:MAX_TARGETS], dict(match.flags, loose_target=1.0)
        return match

    def _future_report(self, verb: Token) -> bool:
        """Said with "will"/"would" ("X will send aid", "X said it would ..."): an intention."""
        return any(c.dep_ == "aux" and c.lower_ in _FUTURE for c in verb.children)

    def _obligation(self, frame: DocFrame, verb: Token, used_nouns: set[int]) -> Match | None:
        """"X said (that) Y must ...", "X demanded that Y ...": a demand (or appeal) of X on Y."""
        if verb.dep_ != "ccomp" or verb.head.pos_ != "VERB":
            return None
        kinds = self._frames(verb.head)
        must = next((c.lower_ for c in verb.children if c.dep_ == "aux" and c.lower_ in _OBLIGATION), None)
        # "X wants Y to answer": an intention held over another's act is a request of them (CAMEO 02)
        wanted = "intend" in kinds and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
        kind = "demand" if "demand" in kinds else "appeal" if "appeal" in kinds or wanted else (
            _OBLIGATION[must] if must and "report" in kinds else None)
        if kind is None:
            return None
        speakers, flags = sources_of(verb.head, frame.source_at, verb.head)
        addressees = collect([c for c in verb.children if c.dep_ in SUBJECT], frame.actor_at)
        if not addressees and any(c.dep_ in PASSIVE_SUBJECT for c in verb.children) and not any(
                c.dep_ == "agent" for c in verb.children):
            # "X said Y should be released": an appeal to the authorities that hold Y
            addressees = authorities_source(frame, verb)
        if not speakers or not addressees:
            return None
        inner = self._own(frame, verb, used_nouns, "light" in self._frames(verb))
        code = self.lexicon.reframe(kind, inner.code) if inner is not None else None
        code = code or self.lexicon.modality.get((kind, "*")) or "100"
        flags = dict(flags, specificity=1.0 if inner is not None else 0.0, direct_target=1.0, framed=1.0)
        return Match(verb.head, code, inner.rule if inner is not None else "dyad:events/frames.tsv", "framed",
                     speakers, addressees, flags)

    def _framed(self, frame: DocFrame, framing: Token, complement: Token, kind: str,
                used_nouns: set[int]) -> Match | None:
        """The event a frame's complement codes ("refused to meet"), mapped through the frame's kind."""
        inner = self._own(frame, complement, used_nouns, bool({"light"} & set(self._frames(complement))),
                          subject_from=framing)
        if inner is None:
            return None
        code = inner.code if kind == "aspect" else self.lexicon.reframe(kind, inner.code)
        if code is None:
            return None
        inner.flags["framed"] = 1.0
        inner.kind = "framed" if kind != "aspect" else inner.kind
        inner.code = code
        inner.anchor = framing if framing.pos_ == "VERB" else framing.head
        if kind in ("appeal", "demand"):
            addressees = [c for c in framing.children if c.dep_ in OBJECT]
            addressees += [g for c in framing.children if c.dep_ == "prep" and c.lower_ in ("on", "upon", "to", "of")
                           for g in c.children if g.dep_ == "pobj"]
            found = collect(addressees, frame.actor_at)
            if found:
                inner.targets = found
        return inner

    def _own(self, frame: DocFrame, verb: Token, used_nouns: set[int], light: bool,
             subject_from: Token | None = None) -> Match | None:
        """The event a verb codes by its own rules (the most specific that finds its roles), else as a light verb."""
        actor_at = frame.actor_at
        rules = self.rules.get(verb.lemma_, ())
        sources, flags = sources_of(subject_from or verb, frame.source_at, verb)
        if not sources and subject_from is None and any(r.code.startswith(_PLACE_SOURCE) for r in rules):
            # "a roadside bomb near town T killed soldiers": an attack with no actor as its agent
            # comes from the place it happens at
            sources = place_source(frame, verb)
            flags = dict(flags, place_source=1.0)
        if not sources and subject_from is None and flags.get("passive") and _state_act(rules, verb):
            sources = authorities_source(frame, verb)  # "X were arrested": the state arrested them
            flags = dict(flags, implicit_source=1.0)
        if not sources:
            return None
        passive = flags.get("passive", 0.0) > 0
        objects = [c for c in verb.children if c.dep_ in OBJECT] or quantified_object(verb)
        shared = [] if objects else shared_objects(verb)
        fallback = None  # the first optional rule without a target: used when no equal rule finds one
        for rule in rules:
            if fallback is not None and rule.specificity < fallback[0].specificity:
                break
            if rule.particle and not any(c.dep_ in ("prt", "prep") and c.lower_ == rule.particle
                                         for c in verb.children) and not (
                    rule.objects and any(c.dep_ == "prep" and c.lower_ == rule.particle
                                         for o in objects for c in o.children)):
                continue
            heads = objects or ([] if rule.preps else shared)  # "arrived and attacked X": arrival is not at X
            in_phrase = False  # the event noun is the particle's object: "put X under arrest"
            if rule.objects:
                heads = [o for o in objects if o.lemma_ in rule.objects or o.lower_ in rule.objects]
                if passive:
                    heads = [c for c in verb.children if c.dep_ in PASSIVE_SUBJECT
                             and (c.lemma_ in rule.objects or c.lower_ in rule.objects)]
                if not heads and rule.particle:
                    heads = [g for h in (verb, *objects) for c in h.children
                             if c.dep_ == "prep" and c.lower_ == rule.particle
                             for g in c.children if g.dep_ == "pobj"
                             and (g.lemma_ in rule.objects or g.lower_ in rule.objects)]
                    in_phrase = bool(heads)
                if not heads:
                    continue
            if in_phrase:  # what the verb acts on stays the target ("placed X under investigation")
                targets, direct = targets_of(verb, objects, rule.preps, actor_at, passive, False)
            else:
                targets, direct = targets_of(verb, heads, rule.preps, actor_at, passive, bool(rule.objects),
                                           rule.code.startswith(_TRANSFER), rule.code.startswith(_SHALLOW))
            if rule.objects and not passive and (owners := _foreign_owners(frame, heads, sources)):
                targets, direct = owners, True  # "Russia will close the US consulate in C": the US, not C
            if rule.target_required and not targets and heads and not passive:
                # "stormed a police post in X": an uncoded object in a place acts on that place
                targets = in_place(frame, verb, heads, rule.code)
            if rule.target_required and not targets and not (heads and _coerces_own(frame, rule, sources)):
                continue
            if not targets:
                if fallback is None:
                    fallback = (rule, heads)
                continue
            used_nouns.update(o.i for o in heads)
            flags = dict(flags, specificity=float(rule.specificity), direct_target=float(direct))
            return Match(verb, rule.code, rule.source, "verb", sources, targets, flags)
        if fallback is not None:
            rule, heads = fallback
            targets = prepositional(frame, verb, heads, rule.code)
            targets = [t for t in targets if t not in sources]
            used_nouns.update(o.i for o in heads)
            flags = dict(flags, loose_target=float(bool(targets)), specificity=float(rule.specificity),
                         direct_target=0.0)
            return Match(verb, rule.code, rule.source, "verb", sources, targets, flags)
        if light:
            return self._light(frame, verb, objects, sources, flags, used_nouns)
        return None

    def _light(self, frame: DocFrame, verb: Token, objects: list[Token], sources: list[int],
               flags: dict[str, float], used_nouns: set[int]) -> Match | None:
        """A light verb's event noun object ("held talks with X", "launched an attack on X")."""
        actor_at = frame.actor_at
        passive = flags.get("passive", 0.0) > 0
        for obj in objects:
            noun = self._noun(obj)
            if noun is None:
                # "a new round of talks", "ten days of war games": the event is the "of" object
                inner = next((g for c in obj.children if c.dep_ == "prep" and c.lower_ == "of"
                              for g in c.children if g.dep_ == "pobj" and g.pos_ == "NOUN"), None)
                if inner is None or (noun := self._noun(inner)) is None:
                    continue
                obj = inner
            used_nouns.add(obj.i)
            between = between_pairs(obj, verb, noun, actor_at)
            targets, direct = targets_of(verb, [obj], noun.preps, actor_at, passive, True)
            if between:
                targets = between
            elif not targets:
                targets = [t for t in prepositional(frame, verb, [obj], noun.code) if t not in sources]
                flags = dict(flags, loose_target=float(bool(targets)))
            flags = dict(flags, specificity=1.0, light=1.0, direct_target=float(direct))
            return Match(verb, noun.code, noun.source, "light", sources, targets, flags, bool(between))
        return None

    def _reporter(self, frame: DocFrame, noun: Token) -> list[int]:
        """The party to an event noun that names no source of its own, when the noun is the subject of a
        clause someone reports ("the rebels say talks with the Russian military aim to ..."): the reporter."""
        clause = noun.head
        if noun.dep_ not in SUBJECT or clause.dep_ != "ccomp" or "report" not in self._frames(clause.head):
            return []
        return sources_of(clause.head, frame.source_at, clause.head)[0]

    def _received(self, frame: DocFrame, verb: Token, used_nouns: set[int]) -> Match | None:
        """"May received strong backing from the United States": the event noun is done by the object of
        "from" (on the verb or the noun) to the verb's subject."""
        recipients, flags = sources_of(verb, frame.actor_at, verb)
        if not recipients or flags.get("passive"):
            return None
        for obj in (c for c in verb.children if c.dep_ in OBJECT):
            noun = self._noun(obj)
            givers = collect([g for h in (verb, obj) for c in h.children if c.dep_ == "prep" and c.lower_ == "from"
                              for g in c.children if g.dep_ == "pobj"], frame.source_at)
            if noun is not None and givers:
                used_nouns.add(obj.i)
                return Match(verb, noun.code, noun.source, "light", givers, recipients,
                             dict(flags, specificity=1.0, light=1.0, direct_target=1.0))
        return None

    def _nominal(self, frame: DocFrame, noun: Token, rule: NounRule) -> Match | None:
        """An event noun naming its actors: possessor or modifier source, prepositional target."""
        actor_at = frame.actor_at
        sources: list[int] = []
        for c in noun.children:
            if c.dep_ in ("poss", "compound", "amod", "nmod") and (i := actor_token(c, frame.source_at)) is not None:
                sources.append(i)
            elif c.dep_ == "prep" and c.lower_ == "by":
                sources += collect([g for g in c.children if g.dep_ == "pobj"], frame.source_at)
        between = between_pairs(noun, None, rule, actor_at)
        targets = collect([g for c in noun.children if c.dep_ == "prep" and c.lower_ in rule.preps
                            and c.lower_ not in ("between", "among") for g in c.children if g.dep_ == "pobj"],
                           actor_at)
        if not sources and not between and rule.code.startswith(_STATE_ACT):
            sources = removed_from(frame, noun)  # "expulsions of X from Britain"
        if not sources and not between and targets:
            sources = self._reporter(frame, noun)  # "the rebels say talks with Y aim to ...": their talks
        if rule.code.startswith(VISIT) and not targets:
            sources, targets = visit_roles(frame, noun, sources)
        if between and not sources:
            sources, targets = between, between
        elif between:
            targets = between
        sources = [s for s in sources if s not in targets or between]
        if not sources or not targets:
            return None
        code = rule.code
        verb = governing_verb(noun)
        if verb is not None and self._future_report(verb):
            code = self.lexicon.reframe("intend", code) or code  # "an agreement on X would be signed"
        return Match(noun, code, rule.source, "nominal", sources, targets,
                     {"specificity": 0.0, "nominal": 1.0, "direct_target": 0.0}, bool(between))

def _complement_target(frame: DocFrame, match: Match, complement: Token) -> None:
    """"threatened to cut off supplies to X": the uncoded complement of a frame still names the target."""
    objects = [c for c in complement.children if c.dep_ in OBJECT]
    found, _ = targets_of(complement, objects, LOOSE_PREPS, frame.actor_at, False, False)
    if not found:
        found = prepositional(frame, complement, objects, match.code)
    found = [t for t in found if t not in match.sources]
    if found:
        match.targets, match.flags = found[:MAX_TARGETS], dict(match.flags, loose_target=1.0)


def _coerces_own(frame: DocFrame, rule: VerbRule, sources: list[int]) -> bool:
    """A state's coercion of something no actor names ("Beijing bans online Bible sales") acts on its own
    people: the rule's target may stay implicit (assemble.py gives it)."""
    return rule.code.startswith(COERCE) and any(
        set(frame.actors[frame.source_at[s]].sectors) & STATE_SECTORS for s in sources if s in frame.source_at)


def _state_act(rules: tuple[VerbRule, ...], verb: Token) -> bool:
    """Whether a passive verb can code a state act: a state-act rule without object words, with its object
    in a particle's phrase ("put under investigation"), or whose object words name what the passive acts
    on ("peacekeepers were withdrawn", not "the Guard was withdrawn")."""
    subjects = {c.lemma_.lower() for c in verb.children if c.dep_ in PASSIVE_SUBJECT}
    return any(r.code.startswith(_STATE_ACT) and (not r.objects or r.particle or subjects & set(r.objects))
               for r in rules)


def _foreign_owners(frame: DocFrame, heads: list[Token], sources: list[int]) -> list[int]:
    """Object nouns of a rule ("embassy", "consulate") that are themselves another country's actors ("the
    US consulate"): the event acts on their owner, not on the place they stand in. The source's own
    ("its embassy in X", "the Russian embassy" closed by Russia) are not."""
    own = {frame.actors[frame.actor_at[s]].country for s in sources if s in frame.actor_at}
    return [h.i for h in heads if h.i in frame.actor_at and not _possessed_by_pronoun(h)
            and (country := frame.actors[frame.actor_at[h.i]].country) and country not in own]


def _possessed_by_pronoun(noun: Token) -> bool:
    """'its ambassador', 'their embassy': the subject's own, whatever country the context gave the noun."""
    return any(c.dep_ == "poss" and c.pos_ == "PRON" for c in noun.children)


@Language.factory("dyad_events", requires=["doc._.actors", "token.dep", "token.tag", "token.lemma", "doc.ents",
                                           "doc.sents"], assigns=["doc._.events"])
def make_event_coder(nlp: Language, name: str) -> EventCoder:  # noqa: ARG001 (spaCy's factory signature)
    return EventCoder()


__all__ = ["EventCoder", "Match", "VerbRule", "make_event_coder"]
