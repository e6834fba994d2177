"""The `dyad_actors` spaCy component: groups knowledge matches into noun-phrase actor mentions.

A mention is anchored on the head noun of its phrase. Matches on modifiers of that noun
(adjectives, compounds, possessives, titles, "of"-phrases, appositions) pool their evidence:
"French President Francois Hollande" anchors on "Hollande", takes FRA from "French" and GOV from
"President". A country adjective alone on a non-actor noun ("French wine") codes nothing.

Rules, in order (each actor's `evidence` names the ones that coded it):

1. **Phrase.** Matches on one noun phrase pool into one mention; the matched word nearest the head
   decides the sector, a full code (organization, leader) wins over country + sector. Leaders
   hold their code on the article date (no date: their most recent role); out of office they
   are ELI.
2. **Modifiers of other nouns.** A possessor is an actor ("the Croatian government's request" ->
   "the Croatian government"). A generic head ("spokesman", "chief", "members": `head` rows of
   `sector_rules.tsv`) is the actor its modifiers name. Any other common noun makes no actor of
   its modifiers unless they name an organization or a person ("NATO summit"): "police
   station", "press conference", "the Iraq war" code nothing.
3. **Qualified nouns** ("forces", "drone", "leader", ...: `sector_rules.tsv`) make an actor only
   when a country, organization or person in their phrase (or in a coordinated phrase) says
   whose they are.
4. **Coordination.** "US and British forces" is two mentions (USAMIL, GBRMIL); in "Israeli
   helicopters and tanks" the tanks take the helicopters' country.
5. **Place phrases.** "rebels in Darfur, Sudan", "security forces in Guinea": a sector mention
   with no country of its own takes the country named in an "in/from/inside" phrase on it.
6. **Context country** (`context.py`). A sector mention still without a country ("rebels", "the
   police", "President Kagame" for a person on no list) takes the country its paragraph clearly
   names, else the article's, else the dateline's (where the reporter is, the last resort).
   Provinces and states count as their country ("Manitoba's New Democrats" are Canadian) and
   give it to a mention they modify; a country that is only where something goes ("its ambassador
   to Moscow") does not count. International sectors (IGO, NGO, UIS, ...) never take a context.
7. **National objects.** A common noun only a country modifies ("Chinese goods", "Kampuchean
   camps") is no actor, but it is recorded in `doc._.national_objects` with its country: an event
   aimed at it ("tariffs on Chinese goods") is aimed at that country. So is a facility (`facility`
   rows of `sector_rules.tsv`) a sector names ("an army base", "a police station"): an attack on it
   is an attack on that sector, of the named or context country. The event coder uses these as
   targets only.
8. **Names again** (`coreference.py`). A later bare surname ("Hollande") refers to the person
   coded earlier in the article and takes that code.
9. **Titles again** (`coreference.py`). A role noun with no country of its own ("the minister",
   "the crown prince") is the most recent earlier person whose phrase holds its words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Token

from dyad.components.actors.context import Context, build_context, dateline_country, regions
from dyad.components.actors.coreference import link_surnames, link_titles
from dyad.components.actors.knowledge import INTERNATIONAL_SECTORS, ActorEntry, ActorKnowledge, load_actor_knowledge
from dyad.components.actors.matching import KnowledgeMatcher
from dyad.extensions import record_error, sentence_index_of
from dyad.records import Actor, ActorBasis

# Dependency labels that tie a modifier to the noun it modifies inside one noun phrase.
_MODIFIER_DEPS = frozenset({"compound", "amod", "nmod", "poss", "flat", "npadvmod"})
_NOUNISH = frozenset({"NOUN", "PROPN"})
# Prepositions after which a capital is a place, not the government it stands for.
_PLACE_PREPS = frozenset({"in", "at", "near", "from", "to", "into", "outside", "around", "across"})
# Prepositions whose country object says where a sector mention is ("police in Guinea").
_WHERE_PREPS = frozenset({"in", "from", "inside"})
_NAMED_KINDS = frozenset({"organization", "leader", "seat"})
_COUNTRY_KINDS = frozenset({"country", "adjective"})
_FORMER = frozenset({"former", "ex", "ex-", "ousted", "deposed", "exiled", "late"})
# nouns that locate rather than name what is acted on: "on the Thai border" is a place
_LOCATING_NOUNS = frozenset({"border", "borders", "frontier", "side", "coast", "shore", "waters", "soil"})
_MAX_MODIFIER_HOPS = 8  # a guard on walking up modifier chains, not a tuned figure (no phrase is longer)


@dataclass
class _Mention:
    anchor: Token
    start: int  # token offsets of the mention
    end: int
    code: str | None
    country: str | None
    sector: str | None
    evidence: list[str]
    full_code: bool  # the code came whole from an organization or a leader
    qualified_only: bool  # its only substance is qualified nouns ("forces")
    has_country: bool  # a country in its own phrase
    international: bool = False
    ethnic: str | None = None  # "ethnic Albanians": their people's country, the last resort
    extra: list[str] = field(default_factory=list)
    basis: ActorBasis = "name"  # how it was coded (`records.ActorBasis`)


class ActorCoder:
    def __init__(self, nlp: Language, knowledge: ActorKnowledge | None = None):
        self.phrase_matcher = KnowledgeMatcher(nlp, knowledge)
        knowledge = knowledge or load_actor_knowledge()
        self.heads = knowledge.heads
        self.agentive = knowledge.agentive
        self.facilities = knowledge.facilities
        self.places = knowledge.places

    def __call__(self, doc: Doc) -> Doc:
        try:
            self._code(doc)
        except Exception as error:  # one bad document must not break the batch
            doc._.actors, doc._.actor_at, doc._.national_objects = [], {}, {}
            record_error(doc, "actors", error)
        return doc

    def _matches(self, doc: Doc) -> list[tuple[int, int, list[ActorEntry]]]:
        found = self.phrase_matcher(doc)
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
        matches = self._matches(doc)
        groups: dict[int, list[tuple[int, int, list[ActorEntry]]]] = {}
        for start, end, entries in matches:
            span = doc[start:end]
            root = span.root
            if all(e.kind == "seat" and e.country and e.sector == "GOV" for e in entries) and _is_place(root):
                if entries[0].rule != "capital":
                    continue  # "near the Kremlin": a place
                # "in Moscow" is a place: the country, as "in Russia" is, not its government
                entries = [ActorEntry("country", country=entries[0].country,
                                      source=entries[0].source + ", a capital as a place")]
            if all(e.ambiguous for e in entries) and ((start > 0 and _country_word(doc[start - 1], matches))
                                                      or _of_country(doc, end, matches)):
                continue  # "the Russian Security Council" is not the UN's, "the Communist Party of Vietnam" not China's
            groups.setdefault(_anchor(root).i, []).append((start, end, entries))
        # merge "the president of France" and appositions into the noun they belong to
        for anchor_i in sorted(groups, reverse=True):
            target = _governing_anchor(doc[anchor_i])
            if target is not None and target.i in groups and target.i != anchor_i:
                groups[target.i].extend(groups.pop(anchor_i))

        sentence_of = sentence_index_of(doc)
        mentions: list[_Mention] = []
        for anchor_i in sorted(groups):
            mentions.extend(self._combine(doc, doc[anchor_i], groups[anchor_i], date))
        mentions = [m for m in mentions if m is not None]
        _coordinate(mentions)
        by_anchor = {m.anchor.i: m for m in mentions}
        _place_phrases(mentions, by_anchor)
        region_spans = regions(doc, {i for s, e, _ in matches for i in range(s, e)})
        _region_phrases(region_spans, by_anchor)
        mentions = [m for m in mentions if not m.qualified_only or m.has_country]
        context = self._context(doc, matches, date, region_spans)
        for m in mentions:
            found = context.country_at(m.anchor.i)
            if m.country is None and not m.full_code and not m.international and found is not None:
                m.country, m.basis = found[0], "sector"
                m.extra.append(f"country from the article context ({found[1]})")
            if m.country is None and m.ethnic:
                m.country, m.basis = m.ethnic, "name"
            if not m.full_code:
                m.code = ((m.country or "") + (m.sector or "")) or None
        mentions = [m for m in mentions if m.code]
        article_country = context.article or context.dateline
        doc._.national_objects = _national_objects(doc, groups, mentions, sentence_of, self.facilities,
                                                   article_country[0] if article_country else None)

        link_titles(doc, mentions)
        actors: list[Actor] = []
        actor_at: dict[int, int] = {}
        for m in mentions:
            span = doc[m.start:m.end]
            actor = Actor(text=span.text, code=m.code, country=m.country, sectors=[m.sector] if m.sector else [],
                          sentence_index=sentence_of[m.anchor.i], start=span.start_char, end=span.end_char,
                          evidence="; ".join(m.evidence + m.extra), basis=m.basis)
            actor_at.setdefault(m.anchor.i, len(actors))
            actors.append(actor)
        link_surnames(doc, mentions, actors, actor_at, sentence_of, _anchor)
        order = sorted(range(len(actors)), key=lambda k: actors[k].start)
        rank = {old: new for new, old in enumerate(order)}
        doc._.actors = [actors[k] for k in order]
        doc._.actor_at = {i: rank[k] for i, k in actor_at.items()}

    def _context(self, doc: Doc, matches, date, region_spans) -> Context:
        """The article's context countries (rule 6, `context.py`) from its country mentions."""
        mentions = [(ent.start, ent.end, country) for ent, country in region_spans]
        for start, end, entries in matches:
            if start > 0 and doc[start - 1].lower_ == "ethnic":
                continue
            countries = {e.country for e in _dated_choice(entries, date) if e.country and not e.ambiguous}
            if len(countries) == 1:
                mentions.append((start, end, countries.pop()))
        article = doc._.article
        return build_context(doc, mentions, dateline_country(article.dateline if article else None, self.places))

    def _combine(self, doc: Doc, anchor: Token, members, date) -> list[_Mention]:
        """The mention(s) of one group of matches; coordinated countries split it (rule 4)."""
        countries = [m for m in members if all(e.kind in _COUNTRY_KINDS for e in m[2])]
        if len(countries) > 1:
            chain = [m for m in countries if doc[m[0]:m[1]].root.dep_ == "conj"]
            if chain and len({m[2][0].country for m in countries}) > 1:
                shared = [m for m in members if m not in countries]
                ordered = sorted(countries)
                out = []
                for k, member in enumerate(ordered):
                    mention = self._mention(doc, anchor, [member, *shared], date)
                    if mention is not None and k < len(ordered) - 1:
                        mention.start, mention.end = member[0], member[1]
                        mention.anchor = doc[member[0]:member[1]].root
                    out.append(mention)
                return out
        return [self._mention(doc, anchor, members, date)]

    def _mention(self, doc: Doc, anchor: Token, members, date) -> _Mention | None:  # noqa: C901 (one rule list, in order)
        country = sector = code = None
        evidence: list[str] = []
        substantive = qualified_only = has_country = named = full_code = international = False
        sector_rank = 9
        left, right = anchor.i, anchor.i + 1
        covers = any(s <= anchor.i < e for s, e, _ in members)
        modifier_only = not covers and anchor.pos_ == "NOUN"
        if modifier_only and anchor.lower_ not in self.heads:
            if any(doc[s:e].root.dep_ == "poss" for s, e, _ in members):
                pass  # a possessor: "the government's request"
            else:
                kinds = {e.kind for _, _, es in members for e in es}
                agent = "adjective" in kinds and ("sector" in kinds or anchor.lower_ in self.agentive)
                if not kinds & (_NAMED_KINDS | {"country"}) and not agent:
                    return None  # "police station", "French wine"
                substantive = agent
            left, right = min(s for s, _, _ in members), max(e for _, e, _ in members)
        elif modifier_only:
            modifier_only = False  # "Kremlin spokesman": the head is part of the mention
        former = False
        ethnic = country_kind = None
        state = _state_of_people(doc, anchor, members)
        for start, end, entries in sorted(members, key=lambda m: abs(m[0] - anchor.i)):
            left, right = min(left, start), max(right, end)
            former = former or (start > 0 and doc[start - 1].lower_.strip("-") in _FORMER)
            covers_anchor = start <= anchor.i < end
            if start > 0 and doc[start - 1].lower_ == "ethnic" and all(e.kind == "adjective" for e in entries):
                # "ethnic Albanians": a people, coded where they live (the place or context country)
                ethnic = ethnic or entries[0].country
                substantive = True
                evidence.append(f"'ethnic {doc[start:end].text}': a people ({entries[0].source})")
                continue
            for entry in _dated_choice(entries, date):
                if entry.kind != "adjective" or covers_anchor or anchor.lower_ in self.heads:
                    # a generic head is the actor its country names: "her Mexican counterpart" is Mexico's
                    if entry.kind == "sector" and entry.qualified:
                        qualified_only = not substantive
                    else:
                        substantive, qualified_only = True, False
                if entry.kind in _COUNTRY_KINDS or (entry.kind in _NAMED_KINDS and entry.country):
                    has_country = True
                if entry.kind in _NAMED_KINDS:
                    named = True
                if entry.code and code is None:
                    code, full_code = entry.code, True
                if entry.country and country is None:
                    country, country_kind = entry.country, entry.kind
                if entry.sector:
                    # the noun nearest the head decides, unless it is a generic head ("rebel leader")
                    rank = 0 if covers_anchor and not entry.yields else (2 if entry.yields else 1)
                    if rank < sector_rank:
                        sector, sector_rank = entry.sector, rank
                        international = entry.sector in INTERNATIONAL_SECTORS
                evidence.append(f"{doc[start:end].text!r}: {entry.kind} ({entry.source})")
        if not substantive and not qualified_only and anchor.pos_ != "PROPN":
            return None  # "French wine": an adjective alone does not make an actor
        if state is not None and not full_code and state[0] != country:
            country = state[0]
            evidence.append(f"a people coded by the state they live in: {state[1]!r} ({country})")
        if qualified_only and (has_country or named):
            qualified_only = False
        if former and not full_code and sector in ("GOV", "MIL", "JUD", "LEG"):
            sector = "ELI"
            evidence.append("'former': ELI")
        basis = _basis(full_code, country, country_kind, sector, anchor.pos_ == "PROPN" and not covers)
        if code is None and international:
            code, full_code = sector + (country or ""), True
        if ethnic and sector is None:
            sector = "CVL"
        return _Mention(anchor=anchor, start=left, end=right, code=code, country=country, sector=sector,
                        evidence=evidence, full_code=full_code, qualified_only=qualified_only,
                        has_country=has_country or bool(ethnic), international=international, ethnic=ethnic,
                        basis=basis)


def _basis(full_code: bool, country: str | None, country_kind: str | None, sector: str | None,
           unlisted_name: bool) -> ActorBasis:
    """How a mention is coded, before the article context: a listed name (or a country named in its
    phrase), a seat standing for its government, a title on a person no table lists, or a sector word
    that has no country of its own (yet)."""
    if full_code:
        return "name"
    if country is None:
        return "sector" if sector else "name"
    if country_kind == "seat":
        return "seat"
    return "title" if unlisted_name and sector else "name"


def _state_of_people(doc: Doc, anchor: Token, members) -> tuple[str, str] | None:
    """'Bosnian Serbs', 'the Albanians of Serbia': a people (a demonym on the head noun) with another
    country's adjective before it, or a country named in its "of" phrase, lives in that state and is
    coded by it (rule 1). 'Americans of Iranian descent' stay American: only a country name counts
    after the head."""
    people = [e.country for s, e_, es in members if s <= anchor.i < e_ for e in es if e.kind == "adjective"]
    if not people:
        return None
    for start, end, entries in members:
        if start <= anchor.i < end:
            continue
        kinds = ("adjective", "country") if end <= anchor.i else ("country",)
        countries = {e.country for e in entries if e.kind in kinds and e.country}
        if len(countries) == 1 and countries != {people[0]}:
            return countries.pop(), doc[start:end].text
    return None


def _national_objects(doc: Doc, groups, mentions: list[_Mention], sentence_of: list[int],
                      facilities: frozenset[str], context: str | None) -> dict[int, Actor]:
    """Common nouns that only a country names, and facilities a sector names (rule 7), by token index."""
    covered = {i for m in mentions for i in range(m.start, m.end)}
    out: dict[int, Actor] = {}
    for anchor_i, members in groups.items():
        token = doc[anchor_i]
        if anchor_i in covered or token.pos_ != "NOUN" or token.lower_ in _LOCATING_NOUNS:
            continue
        if any(s > 0 and doc[s - 1].lower_ == "ethnic" for s, _, _ in members):
            continue  # "ethnic Albanian villages": a people, not the state
        entries = [e for _, _, es in sorted(members, key=lambda m: abs(m[0] - anchor_i)) for e in es]
        countries = {e.country for e in entries if e.kind in _COUNTRY_KINDS}
        sectors = [e.sector for e in entries if e.kind == "sector" and e.sector]
        if len(countries) > 1 or None in countries or any(e.kind not in (*_COUNTRY_KINDS, "sector") for e in entries):
            continue
        if sectors and token.lower_ not in facilities and token.lemma_.lower() not in facilities:
            continue  # "police brutality", "military aid": not something an event is aimed at
        country = next(iter(countries), None) or (context if sectors else None)
        code = (country or "") + (sectors[0] if sectors else "")
        if not code:
            continue
        start = min(s for s, _, _ in members)
        span = doc[start:anchor_i + 1]
        what = f"a facility of {code}" if sectors else f"names {country}"
        out[anchor_i] = Actor(text=span.text, code=code, country=country, sectors=sectors[:1],
                              sentence_index=sentence_of[anchor_i], start=span.start_char, end=span.end_char,
                              evidence=f"national object: {doc[start:anchor_i].text!r} {what} ({entries[0].source})",
                              basis="national_object")
    return out


def _country_word(token: Token, matches) -> bool:
    """Whether a country name or adjective ends at this token."""
    return any(e == token.i + 1 and any(x.kind in _COUNTRY_KINDS for x in entries) for _, e, entries in matches)


def _of_country(doc: Doc, end: int, matches) -> bool:
    """Whether an "of" phrase naming a country follows ("... of Vietnam", "... of the Philippines")."""
    if end >= len(doc) or doc[end].lower_ != "of":
        return False
    start = end + 2 if end + 1 < len(doc) and doc[end + 1].lower_ == "the" else end + 1
    return any(s == start and any(x.kind == "country" for x in entries) for s, _, entries in matches)


def _coordinate(mentions: list[_Mention]) -> None:
    """'Israeli helicopters and tanks': a conjoined head takes its first conjunct's country."""
    by_anchor = {m.anchor.i: m for m in mentions}
    for m in mentions:
        head = m.anchor
        if m.country is None and head.dep_ == "conj" and head.head.i in by_anchor:
            first = by_anchor[head.head.i]
            if first.country and first.has_country and not m.full_code:
                m.country, m.has_country, m.basis = first.country, True, "name"
                m.extra.append(f"country of the coordinated '{first.anchor.text}'")


def _place_phrases(mentions: list[_Mention], by_anchor: dict[int, _Mention]) -> None:
    """'rebels in the Ivory Coast': a sector mention takes the country of its place phrase (rule 5)."""
    for m in mentions:
        if m.country is not None or m.full_code or m.international:
            continue
        for prep in m.anchor.children:
            if prep.dep_ != "prep" or prep.lower_ not in _WHERE_PREPS:
                continue
            for obj in prep.children:
                place = by_anchor.get(obj.i)
                if obj.dep_ == "pobj" and place is not None and place.country and place.sector is None:
                    m.country, m.has_country, m.basis = place.country, True, "name"
                    m.extra.append(f"country of the place phrase '{prep.text} {obj.text}'")


def _region_phrases(region_spans, by_anchor: dict[int, _Mention]) -> None:
    """'California Governor Jerry Brown', "Manitoba's Opposition New Democrats": a province or state in a
    mention's phrase gives the mention its country (rule 5)."""
    for ent, country in region_spans:
        m = by_anchor.get(_anchor(ent.root).i)
        if m is not None and m.country is None and not m.full_code and not m.international and ent.root.i != m.anchor.i:
            m.country, m.has_country, m.basis = country, True, "name"
            m.extra.append(f"'{ent.text}': a region of {country} (gazetteer)")


def _is_place(token: Token) -> bool:
    return token.dep_ == "pobj" and token.head.lower_ in _PLACE_PREPS


def _anchor(token: Token) -> Token:
    """The head noun of the phrase `token` modifies."""
    seen = 0
    if token.dep_ == "conj" and token.head.dep_ in _MODIFIER_DEPS and token.head.i < token.i:
        token = token.head  # "US and British forces": "British" modifies "forces" too
    while token.dep_ in _MODIFIER_DEPS and token.head.i != token.i and token.head.pos_ in _NOUNISH:
        token = token.head
        seen += 1
        if seen > _MAX_MODIFIER_HOPS:
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


@Language.factory("dyad_actors", requires=["token.dep", "token.tag", "doc.sents"],
                  assigns=["doc._.actors", "doc._.actor_at", "doc._.national_objects"])
def make_actor_coder(nlp: Language, name: str) -> ActorCoder:  # noqa: ARG001 (spaCy's factory signature)
    return ActorCoder(nlp)
