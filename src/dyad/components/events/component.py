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
  ("X said Y attacked Z" codes Y -> Z); "X said it would ..." is an intention.
- conditions: "X will withdraw unless Y ..." is a threat aimed at Y; nothing inside an "if"/"unless"
  clause is coded (it has not happened).
- targets may also be nouns a country or sector names ("German goods", "an army base":
  `doc._.national_objects`) and personal pronouns resolved to the person before them; sources are
  actors only.

Coordinated actors each get an event; a conjoined verb without a subject inherits its head's.
Every event carries a confidence in [0, 1] computed from its evidence (:func:`_confidence`).
"""

from __future__ import annotations

import hashlib

import msgspec
from spacy.language import Language
from spacy.tokens import Doc, Token

from dyad import __version__
from dyad.components.events.lexicon import Lexicon, NounRule, VerbRule, load_lexicon
from dyad.extensions import record_error, sentence_index_of
from dyad.knowledge import KNOWLEDGE_VERSION
from dyad.records import Actor, Event, Plover, Provenance
from dyad.resources.ontology import lookup

_SUBJECT = ("nsubj",)
_PASSIVE_SUBJECT = ("nsubjpass",)
_OBJECT = ("dobj",)
_FUTURE = frozenset({"will", "would", "'ll", "shall"})
_OBLIGATION = frozenset({"must", "should"})
_COOPERATIVE_ROOTS = frozenset({"03", "04", "05", "06", "07", "08"})
_MODAL_KINDS = ("refuse", "intend", "threaten", "appeal", "demand")


class Match:
    """A coded event before its actors are paired: code, rule, role tokens and evidence."""

    __slots__ = ("anchor", "between", "code", "flags", "kind", "rule", "sources", "targets")

    def __init__(self, anchor: Token, code: str, rule: str, kind: str, sources: list[int], targets: list[int],
                 flags: dict[str, float], between: bool = False):
        self.anchor, self.code, self.rule, self.kind = anchor, code, rule, kind
        self.sources, self.targets, self.flags, self.between = sources, targets, flags, between


class EventCoder:
    def __init__(self, nlp: Language, lexicon: Lexicon | None = None):
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        self.rules = self.lexicon.verbs
        self.nlp = nlp
        self._gazetteer = None  # the places component's gazetteer, fetched when first needed

    def gazetteer(self):
        """The gazetteer (`dyad.components.places.component`) that names the country of a toponym no actor codes; the
        places component's own when it is in the pipeline. None when unavailable."""
        if self._gazetteer is None:
            try:
                if self.nlp is not None and "dyad_places" in self.nlp.pipe_names:
                    self._gazetteer = self.nlp.get_pipe("dyad_places").gazetteer
                else:
                    from dyad.components.places.component import load_gazetteer

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
        actors: list[Actor] = list(doc._.actors or [])
        if not actors:
            return []
        actor_at: dict[int, int] = dict(doc._.actor_at or {})
        self._places = {i for i, k in actor_at.items() if _is_place(actors[k])}
        # sources come from actors only; nouns a country names ("Chinese goods") can be targets too
        self._source_at = dict(actor_at)
        for i, actor in (doc._.national_objects or {}).items():
            if i not in actor_at:
                actor_at[i] = len(actors)
                actors.append(actor)
                self._places.add(i)  # "outside the Iraqi city of B": a place of its country too
        _resolve_pronouns(doc, actors, actor_at, self._source_at)
        # toponyms no actor codes become place actors (the country the gazetteer gives) on demand
        self._doc, self._actors, self._toponyms = doc, actors, {}
        lex = self.lexicon
        matches: list[Match] = []
        used_nouns: set[int] = set()
        for token in doc:
            lemma = token.lemma_
            # a complement of a frame ("X said Y must drop barriers") is a demand even when its own
            # verb has no rule
            complement = token.dep_ == "ccomp" and token.pos_ == "VERB" and token.head.lemma_ in lex.frames
            if token.pos_ in ("VERB", "AUX", "ADJ") and (lemma in lex.verbs or lemma in lex.frames or complement):
                if token.pos_ != "VERB" and lemma not in lex.frames:
                    continue
                match = self._clause(token, actor_at, used_nouns)
                if match is not None:
                    matches.append(match)
            elif token.pos_ == "NOUN" and lemma in lex.nouns:
                pass  # nominal events below, once the verbs have claimed their objects
        for token in doc:
            if token.pos_ == "NOUN" and token.i not in used_nouns and (rule := self._noun(token)) is not None:
                match = self._nominal(token, rule, actor_at)
                if match is not None:
                    matches.append(match)
        matches = _drop_consequences(_drop_reported(matches))
        return self._events(doc, matches, actors, actor_at)

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

    def _clause(self, verb: Token, actor_at: dict[int, int], used_nouns: set[int]) -> Match | None:
        """The event a verb's clause codes: framed complement, own rule or light-verb noun."""
        if verb.dep_ == "xcomp" and self._frames(verb.head) and not (
                set(self._frames(verb.head)) <= {"light", "report"}):
            return None  # coded through its frame
        if verb.dep_ == "xcomp" and verb.head.pos_ == "ADJ" and self._frames(verb.head):
            return None
        if verb.dep_ == "advcl" and _mark(verb) in ("if", "unless"):
            return None  # a condition ("if he gave them a veto") has not happened
        obligation = self._obligation(verb, actor_at, used_nouns)
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
                match = self._framed(verb, complement, modal, actor_at, used_nouns)
        if match is None and verb.pos_ == "VERB":
            match = self._own(verb, actor_at, used_nouns, "light" in kinds)
            if match is not None and "report" in kinds:
                match.kind = "report"
            if match is not None and modal is not None and not match.targets and complement is not None:
                # "threatened to cut off supplies to X": the uncoded complement still names the target
                comp_objects = [c for c in complement.children if c.dep_ in _OBJECT]
                found, _ = _targets(complement, comp_objects, _LOOSE_PREPS, actor_at, False, False)
                if not found:
                    found = self._prepositional(complement, comp_objects, actor_at, match.code)
                found = [t for t in found if t not in match.sources]
                if found:
                    match.targets, match.flags = found[:_MAX_TARGETS], dict(match.flags, loose_target=1.0)
        if match is None:
            return None
        if negated:
            if match.code[:2] not in _COOPERATIVE_ROOTS:
                return None
            code = self.lexicon.reframe("refuse", match.code)
            if code is None:
                return None
            match.code, match.kind = code, "negated"
        condition = _condition(verb, complement)
        if match.kind not in ("framed",) and self._future_report(verb):
            # "X will withdraw unless Y ...": an intention held over Y is a threat
            kind = "threaten" if condition is not None and _mark(condition) == "unless" else "intend"
            code = self.lexicon.reframe(kind, match.code)
            if code is not None and code != match.code:
                match.code, match.kind = code, "reported-intent"
        if condition is not None and match.code.startswith("13") and not match.targets:
            # "threatened to stop talks if Y deploys missiles": the threat is aimed at the condition's subject
            found = [i for i in _collect([c for c in condition.children if c.dep_ in _SUBJECT], actor_at)
                     if i not in match.sources]
            if found:
                match.targets, match.flags = found[:_MAX_TARGETS], dict(match.flags, loose_target=1.0)
        return match

    def _future_report(self, verb: Token) -> bool:
        """Said with "will"/"would" ("X will send aid", "X said it would ..."): an intention."""
        return any(c.dep_ == "aux" and c.lower_ in _FUTURE for c in verb.children)

    def _obligation(self, verb: Token, actor_at: dict[int, int], used_nouns: set[int]) -> Match | None:
        """"X said (that) Y must ...", "X demanded that Y ...": a demand (or appeal) of X on Y."""
        if verb.dep_ != "ccomp" or verb.head.pos_ != "VERB":
            return None
        kinds = self._frames(verb.head)
        must = any(c.dep_ == "aux" and c.lower_ in _OBLIGATION for c in verb.children)
        kind = "demand" if "demand" in kinds else "appeal" if "appeal" in kinds else (
            "demand" if must and "report" in kinds else None)
        if kind is None:
            return None
        speakers, flags = _sources(verb.head, self._source_at, verb.head)
        addressees = _collect([c for c in verb.children if c.dep_ in _SUBJECT], actor_at)
        if not speakers or not addressees:
            return None
        inner = self._own(verb, actor_at, used_nouns, "light" in self._frames(verb))
        code = self.lexicon.reframe(kind, inner.code) if inner is not None else None
        code = code or self.lexicon.modality.get((kind, "*")) or "100"
        flags = dict(flags, specificity=1.0 if inner is not None else 0.0, direct_target=1.0, framed=1.0)
        return Match(verb.head, code, inner.rule if inner is not None else "dyad:events/frames.tsv", "framed",
                     speakers, addressees, flags)

    def _framed(self, frame: Token, complement: Token, kind: str, actor_at: dict[int, int],
                used_nouns: set[int]) -> Match | None:
        inner = self._own(complement, actor_at, used_nouns, bool({"light"} & set(self._frames(complement))),
                          subject_from=frame)
        if inner is None:
            return None
        code = inner.code if kind == "aspect" else self.lexicon.reframe(kind, inner.code)
        if code is None:
            return None
        inner.flags["framed"] = 1.0
        inner.kind = "framed" if kind != "aspect" else inner.kind
        inner.code = code
        inner.anchor = frame if frame.pos_ == "VERB" else frame.head
        if kind in ("appeal", "demand"):
            addressees = [c for c in frame.children if c.dep_ in _OBJECT]
            addressees += [g for c in frame.children if c.dep_ == "prep" and c.lower_ in ("on", "upon", "to", "of")
                           for g in c.children if g.dep_ == "pobj"]
            found = _collect(addressees, actor_at)
            if found:
                inner.targets = found
        return inner

    def _own(self, verb: Token, actor_at: dict[int, int], used_nouns: set[int], light: bool,
             subject_from: Token | None = None) -> Match | None:
        rules = self.rules.get(verb.lemma_, ())
        sources, flags = _sources(subject_from or verb, self._source_at, verb)
        if not sources and subject_from is None and any(r.code[:2] in _PLACE_SOURCE_ROOTS for r in rules):
            # "a roadside bomb near town T killed soldiers": an attack with no actor as its agent
            # comes from the place it happens at
            sources = self._place_source(verb, actor_at)
            flags = dict(flags, place_source=1.0)
        if not sources:
            return None
        passive = flags.get("passive", 0.0) > 0
        objects = [c for c in verb.children if c.dep_ in _OBJECT] or _quantified_object(verb)
        fallback = None  # the first optional rule without a target: used when no equal rule finds one
        for rule in rules:
            if fallback is not None and rule.specificity < fallback[0].specificity:
                break
            if rule.particle and not any(c.dep_ in ("prt", "prep") and c.lower_ == rule.particle
                                         for c in verb.children) and not (
                    rule.objects and any(c.dep_ == "prep" and c.lower_ == rule.particle
                                         for o in objects for c in o.children)):
                continue
            heads = objects
            in_phrase = False  # the event noun is the particle's object: "put X under arrest"
            if rule.objects:
                heads = [o for o in objects if o.lemma_ in rule.objects or o.lower_ in rule.objects]
                if passive:
                    heads = [c for c in verb.children if c.dep_ in _PASSIVE_SUBJECT
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
                targets, direct = _targets(verb, objects, rule.preps, actor_at, passive, False)
            else:
                targets, direct = _targets(verb, heads, rule.preps, actor_at, passive, bool(rule.objects),
                                           rule.code[:2] in _TRANSFER_ROOTS)
            if rule.target_required and not targets and heads and not passive:
                # "stormed a police post in X": an uncoded object in a place acts on that place
                targets = self._in_place(verb, heads, actor_at, rule.code)
            if rule.target_required and not targets:
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
            targets = self._prepositional(verb, heads, actor_at, rule.code)
            targets = [t for t in targets if t not in sources]
            used_nouns.update(o.i for o in heads)
            flags = dict(flags, loose_target=float(bool(targets)), specificity=float(rule.specificity),
                         direct_target=0.0)
            return Match(verb, rule.code, rule.source, "verb", sources, targets, flags)
        if light:
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
                between = _between(obj, verb, noun, actor_at)
                targets, direct = _targets(verb, [obj], noun.preps, actor_at, passive, True)
                if between:
                    targets = between
                elif not targets:
                    targets = [t for t in self._prepositional(verb, [obj], actor_at, noun.code)
                               if t not in sources]
                    flags = dict(flags, loose_target=float(bool(targets)))
                flags = dict(flags, specificity=1.0, light=1.0, direct_target=float(direct))
                return Match(verb, noun.code, noun.source, "light", sources, targets, flags, bool(between))
        return None

    def _toponym(self, pobj: Token, actor_at: dict[int, int]) -> int | None:
        """The place a locative phrase's object names: a bare-country actor, else a toponym (spaCy
        GPE/LOC/FAC, "the town of T", "southern Helmand province") whose country the gazetteer
        gives, registered as a place actor (token index into `actor_at`)."""
        for token in _place_chain(pobj):
            if token.i in actor_at:
                return token.i if token.i in self._places else None
            unlabelled = token.pos_ == "PROPN" and token.ent_type_ in ("", "NORP")
            if token.ent_type_ not in _TOPONYM_LABELS and not unlabelled:
                continue
            if token.i in self._toponyms:
                return self._toponyms[token.i]
            doc = self._doc
            ent = next((e for e in doc.ents if e.start <= token.i < e.end), None)
            if ent is None:
                ent = doc[token.left_edge.i if token.left_edge.pos_ == "PROPN" else token.i:token.i + 1]
            gazetteer = self.gazetteer()
            if gazetteer is None:
                return None
            try:
                from dyad.components.places.component import resolve

                name = ent.text.removeprefix("the ").removeprefix("The ")
                place = resolve(name, gazetteer)
                words = name.split()
                if place is None and len(words) > 1 and words[-1].lower() in _PLACE_WORDS:
                    place = resolve(" ".join(words[:-1]), gazetteer)  # "West Darfur State"
            except Exception:
                place = None
            iso3 = getattr(place, "country_iso3", None) if place is not None else None
            found = None
            if iso3 and iso3.isalpha() and len(iso3) == 3:
                actor = Actor(text=ent.text, code=iso3, country=iso3,
                              sentence_index=sentence_index_of(doc)[ent.start],
                              start=ent.start_char, end=ent.end_char,
                              evidence=f"place: '{ent.text}' is in {iso3} (gazetteer; an event at a place)")
                self._actors.append(actor)
                found = ent.root.i
                actor_at[found] = len(self._actors) - 1
                self._places.add(found)
            for i in range(ent.start, ent.end):
                self._toponyms[i] = found
            return found
        return None

    def _in_place(self, verb: Token, objects: list[Token], actor_at: dict[int, int], code: str,
                  preps: frozenset[str] = frozenset({"in"})) -> list[int]:
        """The place an event acting on a place happens in ("in X" on the verb, its object or the
        object's participle), for the roots in `_IN_PLACE_ROOTS` only."""
        if code[:2] not in _IN_PLACE_ROOTS:
            return []
        holders = [verb, *objects]
        holders += [g for o in objects for c in o.children if c.dep_ == "prep" and c.lower_ == "of"
                    for g in c.children if g.dep_ == "pobj"]  # "a state of emergency in X"
        holders += [c for o in holders[1:] for c in o.children if c.dep_ in ("acl", "appos", "relcl")]
        found: list[int] = []
        for h in holders:
            for c in h.children:
                if c.dep_ == "prep" and c.lower_ in preps:
                    for g in _locative_objects(c):
                        if (i := self._toponym(g, actor_at)) is not None and i not in found:
                            found.append(i)
        return found[:_MAX_TARGETS]

    def _prepositional(self, verb: Token, objects: list[Token], actor_at: dict[int, int],
                       code: str = "") -> list[int]:
        """A target for an event whose rule found none: an actor in a prepositional object of the verb,
        of its object or of the object's participle or apposition ("granted asylum to X", "lifted a ban
        imposed on X"); `in` names the target only for events acting on a place ("lifted the curfew in
        X"), and only a place; time prepositions are dates."""
        preps = _STATEMENT_PREPS if code.startswith("01") else _LOOSE_PREPS
        holders = [verb, *objects]
        holders += [c for o in objects for c in o.children if c.dep_ in ("acl", "appos", "relcl")]
        heads = [g for h in holders for c in h.children if c.dep_ == "prep" and c.lower_ in preps
                 for g in c.children if g.dep_ == "pobj"]
        heads += [c for c in verb.children if c.dep_ == "dative" and c.pos_ in ("NOUN", "PROPN")]
        found = _collect(heads, actor_at)
        if not found and code[:2] not in _SHALLOW_ROOTS:
            # "cut off supplies to the republic of N": a toponym no actor codes names its country
            found = [i for h in heads if h.head.lower_ in _TOWARD_PREPS
                     if (i := self._toponym(h, actor_at)) is not None][:1]
        if not found:
            found = self._in_place(verb, objects, actor_at, code, _WHERE_PREPS)
        if not found and code[:2] in _PURPOSE_ROOTS:
            found = self._purpose(verb, objects, actor_at, code)
        if not found and not code.startswith("01"):
            found = _deep(verb, objects, actor_at)
        return found[:_MAX_TARGETS]

    def _purpose(self, verb: Token, objects: list[Token], actor_at: dict[int, int], code: str) -> list[int]:
        """The target a purpose clause names ("sent troops to help X", "gave funds to support
        development in C"): the clause's object or prepositional object, else its place."""
        clauses = [c for h in (verb, *objects) for c in h.children
                   if c.dep_ in ("advcl", "xcomp", "acl") and c.pos_ == "VERB"
                   and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)]
        for clause in clauses:
            inner = [c for c in clause.children if c.dep_ in _OBJECT or (c.dep_ == "dative" and c.pos_ != "ADP")]
            heads = inner + [g for h in (clause, *inner) for c in h.children
                             if c.dep_ == "prep" and c.lower_ in _LOOSE_PREPS for g in c.children if g.dep_ == "pobj"]
            found = _collect(heads, actor_at) or self._in_place(clause, inner, actor_at, code, _WHERE_PREPS)
            if found:
                return found
        return []

    def _place_source(self, verb: Token, actor_at: dict[int, int]) -> list[int]:
        """The place an attack with no acting actor happens at: a locative phrase on the verb, on
        its (non-actor, non-pronoun) subject or on its passive agent."""
        subjects = [c for c in verb.children if c.dep_ in _SUBJECT]
        if any(s.pos_ == "PRON" or s.i in actor_at for s in subjects):
            return []
        holders = [verb, *subjects]
        holders += [g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        for h in holders:
            for c in h.children:
                if c.dep_ == "prep" and c.lower_ in _WHERE_PREPS:
                    for g in _locative_objects(c):
                        if (i := self._toponym(g, actor_at)) is not None:
                            return [i]
        return []

    def _nominal(self, noun: Token, rule: NounRule, actor_at: dict[int, int]) -> Match | None:
        """An event noun naming its actors: possessor or modifier source, prepositional target."""
        sources: list[int] = []
        for c in noun.children:
            if c.dep_ in ("poss", "compound", "amod", "nmod") and (i := _actor_token(c, self._source_at)) is not None:
                sources.append(i)
            elif c.dep_ == "prep" and c.lower_ == "by":
                sources += _collect([g for g in c.children if g.dep_ == "pobj"], self._source_at)
        between = _between(noun, None, rule, actor_at)
        targets = _collect([g for c in noun.children if c.dep_ == "prep" and c.lower_ in rule.preps
                            and c.lower_ not in ("between", "among") for g in c.children if g.dep_ == "pobj"],
                           actor_at)
        if between and not sources:
            sources, targets = between, between
        elif between:
            targets = between
        sources = [s for s in sources if s not in targets or between]
        if not sources or not targets:
            return None
        return Match(noun, rule.code, rule.source, "nominal", sources, targets,
                     {"specificity": 0.0, "nominal": 1.0, "direct_target": 0.0}, bool(between))

    # ------------------------------------------------------------------ events

    def _events(self, doc: Doc, matches: list[Match], actors: list[Actor], actor_at: dict[int, int]) -> list[Event]:
        article = doc._.article
        article_id = article.id if article is not None else ""
        sentence_of = sentence_index_of(doc)
        sents = list(doc.sents) if matches else []
        events: list[Event] = []
        seen: set[tuple] = set()
        for m in matches:
            index = sentence_of[m.anchor.i]
            sentence = sents[index]
            targets = m.targets
            if len(targets) > 1 and any(actors[actor_at[t]].country for t in targets):
                # of several targets, a bare sector ("troops", "civilians") gives way to a national actor
                targets = [t for t in targets if actors[actor_at[t]].country]
            pairs = [(s, t) for s in m.sources for t in targets or [None]]
            if not m.between and m.code.startswith(_MUTUAL):
                # meeting and negotiating are mutual: "X met Y" is also Y meeting X
                pairs += [(t, s) for s, t in pairs if t is not None and t not in m.sources]
            for s, t in pairs:
                if t is not None and (t == s or (actors[actor_at[t]].code == actors[actor_at[s]].code
                                      and m.between) or _same_mention(actors[actor_at[s]], actors[actor_at[t]])):
                    continue
                key = (m.anchor.i, m.code, s, t)
                if key in seen:
                    continue
                seen.add(key)
                source, target = actors[actor_at[s]], actors[actor_at[t]] if t is not None else None
                if target is None and m.code.startswith(_DOMESTIC):
                    target = _named_authorities(actors, source, sentence) or _own_authorities(source)
                confidence = _confidence(m, source, target, len(m.sources), len(m.targets))
                events.append(_event(doc, article_id, sentence, index, m, source, target, confidence))
        return _drop_untargeted(events)


# ---------------------------------------------------------------------- roles


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


_PERSON_PRONOUNS = frozenset({"he", "him", "she", "her"})
_PRONOUN_ROLES = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "dative"})


def _resolve_pronouns(doc: Doc, actors: list[Actor], actor_at: dict[int, int], source_at: dict[int, int]) -> None:
    """"X called Y and urged him to ...": a personal pronoun in an event role is the nearest coded
    person before it in its sentence: for a subject pronoun the nearest person who is a subject ("X
    criticised Y as he ..." is X), for an object pronoun the nearest person who is not the subject of
    its own clause ("Y praised her": her is not Y). Across sentences there is no gender or salience to go by (on 120
    PolNeAR articles a "he" at a sentence start went to the wrong person too often), so no guess."""
    sentence_of = sentence_index_of(doc)
    persons = sorted(i for i in actor_at if doc[i].ent_type_ == "PERSON")
    if not persons:
        return
    for token in doc:
        if (token.lower_ not in _PERSON_PRONOUNS or token.pos_ != "PRON" or token.dep_ not in _PRONOUN_ROLES
                or token.i in actor_at):
            continue
        if token.dep_ == "nsubj" and token.head.dep_ == "ccomp":
            continue  # "X said he would ...": the reporter (`_sources`)
        here = sentence_of[token.i]
        before = [i for i in persons if i < token.i and sentence_of[i] == here]
        if token.dep_ in _SUBJECT + _PASSIVE_SUBJECT:
            before = [i for i in before if doc[i].dep_ in _SUBJECT + _PASSIVE_SUBJECT]
        else:
            own_subjects = {t.i for c in token.head.children if c.dep_ in _SUBJECT for t in c.subtree}
            before = [i for i in before if i not in own_subjects]
        if not before:
            continue
        antecedent = actors[actor_at[before[-1]]]
        actor_at[token.i] = source_at[token.i] = len(actors)
        actors.append(msgspec.structs.replace(
            antecedent, evidence=f"{antecedent.evidence}; referred to as {token.text!r}"))


def _same_mention(a: Actor, b: Actor) -> bool:
    """Two roles that are one mention (a pronoun resolved to the other role's actor): no event."""
    return a.start == b.start and a.end == b.end and a.end > a.start


def _quantified_object(verb: Token) -> list[Token]:
    """"kidnapped up to 16 advisers": the parser hangs the object on "up to" as a particle phrase."""
    return [g for c in verb.children if c.dep_ in ("prt", "advmod", "prep") and c.lower_ == "up"
            for p in c.children if p.dep_ == "prep" and p.lower_ == "to"
            for g in p.children if g.dep_ == "pobj" and any(n.dep_ == "nummod" for n in g.children)]


def _coordinated_modifiers(i: int, token: Token, actor_at: dict[int, int]) -> list[int]:
    """"US and British forces", "scores of Sierra Leonean and Liberian refugees": coordinated country
    modifiers of one noun are one actor each (the actor coder splits them); the phrase names them all."""
    head = token.doc[i]
    while head.dep_ in ("amod", "compound", "nmod", "conj") and head.head.i != head.i and head.i != token.i:
        head = head.head
    out = []
    for c in head.children:
        if c.dep_ in ("amod", "compound", "nmod") and any(x.dep_ == "conj" for x in c.children):
            out += [t.i for t in (c, *c.conjuncts) if t.i in actor_at]
    if out and head.i in actor_at:
        out.append(head.i)
    # "scores of Sierra Leoneans and Liberians": the found actor's own conjuncts
    out += [t.i for t in token.doc[i].conjuncts if t.i in actor_at and t.i != token.i]
    return out


def _collect(tokens: list[Token], actor_at: dict[int, int]) -> list[int]:
    found = []
    for token in tokens:
        for conj in _conjuncts(token):
            i = _actor_token(conj, actor_at)
            if i is None:
                continue
            for j in [i, *_coordinated_modifiers(i, conj, actor_at)]:
                if j not in found:
                    found.append(j)
    return found


def _subject_verb(verb: Token) -> tuple[Token, bool]:
    """The verb whose subject this verb shares (conjoined verbs, xcomp chains), and whether it is
    another verb's (the subject is inherited)."""
    start = verb
    for _ in range(6):
        if any(c.dep_ in _SUBJECT + _PASSIVE_SUBJECT for c in verb.children):
            break
        if verb.dep_ in ("conj", "xcomp", "acomp") or (verb.dep_ == "advcl" and verb.tag_ == "VBG"):
            verb = verb.head
        elif verb.dep_ == "acl" and verb.tag_ == "VBG" and verb.head.dep_ == "dobj" and verb.head.head.pos_ == "VERB":
            verb = verb.head.head  # "issued a statement urging X to ...": the issuer urges
        else:
            break
    return verb, verb is not start


def _sources(verb: Token, actor_at: dict[int, int], event_verb: Token) -> tuple[list[int], dict[str, float]]:
    holder, inherited = _subject_verb(verb)
    children = list(holder.children)
    subjects = [c for c in children if c.dep_ in _SUBJECT]
    passive = any(c.dep_ in _PASSIVE_SUBJECT for c in children)
    flags = {"inherited": float(inherited), "passive": float(passive)}
    if passive and holder is verb:
        agents = [g for c in event_verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        found = _collect(agents, actor_at)
        flags["direct_source"] = float(any(a.i in actor_at for a in agents))
        return found, flags
    found = _collect(subjects, actor_at)
    flags["direct_source"] = float(any(s.i in actor_at for s in subjects))
    if not found and subjects and all(s.pos_ == "PRON" for s in subjects) and holder.dep_ == "ccomp":
        # "X said it would ...": the pronoun is the reporter
        found = _collect([c for c in holder.head.children if c.dep_ in _SUBJECT], actor_at)
        flags["inherited"] = 1.0
    return found, flags


def _targets(verb: Token, objects: list[Token], preps: frozenset[str], actor_at: dict[int, int], passive: bool,
             object_is_event: bool, transfer: bool = False) -> tuple[list[int], bool]:
    """Targets: the object (unless it is the event noun), else the object of a rule preposition on
    the verb or on the object noun; in the passive the subject. For a transfer ("sent paratroopers
    to X", "extradited P to X") the recipient in the preposition wins over what is sent."""
    if passive and not object_is_event:
        subjects = [c for c in verb.children if c.dep_ in _PASSIVE_SUBJECT]
        return _collect(subjects, actor_at), any(s.i in actor_at for s in subjects)
    direct: list[Token] = [] if object_is_event else list(objects)
    holders = [verb, *objects]
    recipients = [g for h in holders for c in h.children if c.dep_ in ("prep", "dative") and c.lower_ in preps
                  for g in c.children if g.dep_ == "pobj"]
    # the indirect object is the recipient: "gave X a warning", "offered X talks"
    recipients += [c for c in verb.children if c.dep_ == "dative" and c.pos_ in ("NOUN", "PROPN")]
    if transfer and direct and (found := _collect(recipients, actor_at)):
        return found, any(h.i in actor_at for h in recipients)
    heads = direct + recipients
    found = _collect(heads, actor_at)
    return found, any(h.i in actor_at for h in heads)


# roots whose direct object is what is given or sent, and whose preposition names the recipient
_TRANSFER_ROOTS = frozenset({"06", "07"})


_LOOSE_PREPS = frozenset({"to", "with", "on", "against", "from", "for", "into", "toward", "towards", "at",
                          "over", "of"})
_STATEMENT_PREPS = frozenset({"to", "with", "on", "against", "for", "at", "over", "about", "toward", "towards",
                              "regarding"})
# roots whose event acts on the place it happens in (and so on that place's government): "lifted the
# curfew in X", "protested in X", "shelled positions in X"; not statements, appeals, visits or aid
_IN_PLACE_ROOTS = frozenset({"06", "07", "08", "13", "14", "15", "16", "17", "18", "19", "20"})


_WHERE_PREPS = frozenset({"in", "near", "outside", "inside", "throughout", "across", "around"})
_TOPONYM_LABELS = frozenset({"GPE", "LOC", "FAC"})
# roots whose event may come from the place it happens at when no actor does it ("a bomb near T
# killed soldiers": the gold and common practice code the place's country as the source)
_PLACE_SOURCE_ROOTS = frozenset({"18", "19", "20"})
_MAX_TARGETS = 6
_PLACE_WORDS = frozenset({"state", "province", "region", "district", "city", "governorate", "county", "town",
                          "village", "valley", "area"})
_TOWARD_PREPS = frozenset({"to", "against", "on", "into", "toward", "towards", "at", "from"})
# roots whose target is never searched for deep in the object (statements and appeals are about
# whatever they name)
_SHALLOW_ROOTS = frozenset({"01", "02"})
# roots whose target a purpose clause may name: help, aid, cooperation, yielding
_PURPOSE_ROOTS = frozenset({"03", "05", "06", "07", "08"})


def _place_chain(pobj: Token) -> list[Token]:
    """The tokens a locative object may name its place with: the object, its modifiers, and an "of"
    object ("the town of T", "outside of the city of C")."""
    out = [pobj, *(c for c in pobj.children if c.dep_ in ("compound", "amod", "nmod", "appos"))]
    for c in pobj.children:
        if c.dep_ == "prep" and c.lower_ == "of":
            out += [g for g in c.children if g.dep_ == "pobj"]
            out += [x for g in c.children if g.dep_ == "pobj" for x in g.children if x.dep_ in ("compound", "nmod")]
    return out


def _deep(verb: Token, objects: list[Token], actor_at: dict[int, int]) -> list[int]:
    """The last resort for a target: the first actor inside the verb's object phrases ("lifted the
    restrictions between it and X", "supplied equipment X has obtained"), not inside a clause of
    its own with a subject."""
    for obj in objects:
        for token in obj.subtree:
            if token.i in actor_at and token.i != obj.i and not _in_own_clause(token, obj):
                return [token.i]
    return []


def _in_own_clause(token: Token, top: Token) -> bool:
    while token.i != top.i and token.head.i != token.i:
        if token.dep_ in ("nsubj", "nsubjpass", "ccomp"):
            return True
        token = token.head
    return False


def _locative_objects(prep: Token) -> list[Token]:
    """The objects of a locative preposition, through "outside of", "in front of"."""
    out = [g for g in prep.children if g.dep_ == "pobj"]
    out += [g for c in prep.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"]
    return out


def _is_place(actor: Actor) -> bool:
    """A bare country (a toponym) rather than an actor of it."""
    return bool(actor.code) and len(actor.code) == 3 and not actor.sectors


def _between(noun: Token, verb: Token | None, rule, actor_at: dict[int, int]) -> list[int]:
    """Actors coordinated under "between"/"among" on the noun (or its verb): each pair both ways."""
    if not ({"between", "among"} & rule.preps):
        return []
    holders = [noun] + ([verb] if verb is not None else [])
    pobjs = [g for h in holders for c in h.children if c.dep_ == "prep" and c.lower_ in ("between", "among")
             for g in c.children if g.dep_ == "pobj"]
    found = _collect(pobjs, actor_at)
    return found if len(found) >= 2 else []


# dissent (14) and easing it (082: calling off a strike or protest) are aimed at the source's own
# authorities when no target is named
_DOMESTIC = ("14", "082")
_MUTUAL = ("040", "044", "046", "036")


def _named_authorities(actors: list[Actor], source: Actor, sentence) -> Actor | None:
    """The source country's government when the sentence names it ("workers called off the strike
    after a deal with the Brazilian government"): the authorities the dissent is aimed at."""
    country = source.country
    if not country:
        return None
    start, end = sentence.start_char, sentence.end_char
    return next((a for a in actors if start <= a.start < end and a.country == country and a.sectors == ["GOV"]
                 and a is not source and a.end > a.start and not _same_mention(a, source)), None)


def _own_authorities(source: Actor) -> Actor | None:
    """The implicit target of dissent with no named target: the authorities of the protesters' own
    country (domestic protest is directed at its government). Zero-width at the source: it names no
    text of its own."""
    country = source.country or (source.code[:3] if source.code and len(source.code) >= 3 else None)
    if not country or not country.isalpha() or country in ("IGO", "NGO", "INT", "MNC", "UIS"):
        return None
    return Actor(text="", code=country, country=country, sentence_index=source.sentence_index,
                 start=source.start, end=source.start, evidence="implicit target: the source's own authorities")


def _mark(clause: Token) -> str:
    return next((c.lower_ for c in clause.children if c.dep_ == "mark"), "")


def _condition(verb: Token, complement: Token | None) -> Token | None:
    """The "if"/"unless" clause on a verb (or on its framed complement) that conditions the event."""
    for holder in (verb, complement):
        if holder is None:
            continue
        for c in holder.children:
            if c.dep_ == "advcl" and _mark(c) in ("if", "unless"):
                return c
    return None


def _drop_untargeted(events: list[Event]) -> list[Event]:
    """An event without a target gives way to one of the same root, sentence and source that has a
    target (the same event, once with its target found)."""
    targeted = {(e.sentence_index, e.source.start, e.root_code) for e in events if e.target is not None}
    if not targeted:
        return events
    return [e for e in events if e.target is not None
            or (e.sentence_index, e.source.start, e.root_code) not in targeted]


_FORCE_ROOTS = frozenset({"18", "19", "20"})


def _drop_consequences(matches: list[Match]) -> list[Match]:
    """"X shelled Y, killing 20 people": the participle is what the attack did, not a second attack;
    the attack's own target stands for the event."""
    attacks = {m.anchor.i for m in matches if m.code[:2] in _FORCE_ROOTS}
    return [m for m in matches if not (m.code[:2] in _FORCE_ROOTS and m.anchor.dep_ in ("advcl", "conj")
                                       and m.anchor.tag_ == "VBG" and m.anchor.head.i in attacks)]


def _drop_reported(matches: list[Match]) -> list[Match]:
    """A statement (01) gives way to a coded event inside its clause: reported speech codes what
    is reported."""
    if len(matches) < 2:
        return matches
    keep = []
    for m in matches:
        if m.code.startswith("01") and m.anchor.pos_ == "VERB":
            inside = m.anchor.left_edge.i, m.anchor.right_edge.i
            # a conjoined verb is a second predication, not what was said ("called X and urged him")
            beside = [(c.left_edge.i, c.right_edge.i) for c in m.anchor.children if c.dep_ == "conj"]
            if any(o is not m and not o.code.startswith("01") and inside[0] <= o.anchor.i <= inside[1]
                   and not any(a <= o.anchor.i <= b for a, b in beside) for o in matches):
                continue
        keep.append(m)
    return keep


# ---------------------------------------------------------------------- confidence

# Base confidence per reading. Calibrated on the ConfliBERT NER role data (share of events whose
# source and target spans are the gold's) and the PLOVER GSR dev set (share whose type and dyad are
# the gold's): light-verb readings ("held talks with") were the most reliable on both (0.87 / 0.90),
# framed ones ("threatened to") as reliable as verb rules on roles (0.83 vs 0.84) and more on types;
# reports, negations and nominal events less.
_BASE = {"verb": 0.62, "light": 0.64, "framed": 0.62, "negated": 0.5, "reported-intent": 0.5, "report": 0.45,
         "nominal": 0.45}


def _actor_certainty(actor: Actor) -> float:
    evidence = actor.evidence or ""
    certainty = 1.0
    if "context" in evidence or "same person" in evidence:
        certainty -= 0.25
    if "quote" in evidence or "speaker" in evidence:
        certainty -= 0.15
    if evidence.startswith("national object"):
        certainty -= 0.2
    if "referred to as" in evidence:
        certainty -= 0.15
    if not actor.code or len(actor.code) < 3:
        certainty -= 0.3
    return max(certainty, 0.0)


def _confidence(m: Match, source: Actor, target: Actor | None, n_sources: int, n_targets: int) -> float:
    """The event's confidence from its evidence, in [0, 1]:

    pattern specificity (particle, object noun, preposition; a nominal or framed reading is
    weaker), parse agreement (the source is the verb's own subject, the target a direct
    dependent, the verb tagged as a verb) and actor certainty (codes from context or earlier
    mentions are less certain)."""
    f = m.flags
    score = _BASE.get(m.kind, 0.5)
    score += 0.08 * f.get("specificity", 0.0)
    score += 0.08 if target is not None else (-0.05 if m.code[:2] not in ("01",) else 0.0)
    score += 0.06 * f.get("direct_source", 0.0) + 0.04 * f.get("direct_target", 0.0)
    score -= 0.1 * f.get("inherited", 0.0) + 0.08 * f.get("loose_target", 0.0) + 0.1 * f.get("place_source", 0.0)
    if m.anchor.pos_ == "VERB" and not m.anchor.tag_.startswith("VB"):
        score -= 0.1
    if n_sources > 2 or n_targets > 2:
        score -= 0.05
    certainty = _actor_certainty(source) * (_actor_certainty(target) if target is not None else 1.0)
    score *= 0.7 + 0.3 * certainty
    return round(min(max(score, 0.02), 0.98), 3)


def _token_span(doc: Doc, actor: Actor, offset: int) -> list[int]:
    if actor.end <= actor.start:
        return []
    span = doc.char_span(actor.start, actor.end, alignment_mode="expand")
    return [span.start - offset, span.end - offset] if span is not None else []


def _event(doc, article_id, sentence, sentence_index, m: Match, source, target, confidence) -> Event:
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
        sentence=sentence.text.strip(),
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


@Language.factory("dyad_events")
def make_event_coder(nlp: Language, name: str) -> EventCoder:
    return EventCoder(nlp)


__all__ = ["EventCoder", "Match", "VerbRule", "make_event_coder"]
