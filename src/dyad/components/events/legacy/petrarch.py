"""Sentence walking for PETRARCH dictionaries, on the dependency parse.

Every verb of the dictionaries that spaCy tags as a verb is coded: its source is the actor of its
subject (inherited through conjoined and complement verbs, the BY-agent of a passive), its target
the actor of its object or of a prepositional object. Negated verbs code nothing unless a pattern
says what they mean, or, under a PETRARCH-2 ontology, the negated code. Events of verbs in related
clauses are folded into the main event (:func:`_fold_clauses`).
"""

from __future__ import annotations

import msgspec

from dyad.components.events.dictionaries.elements import EventCode
from dyad.components.events.legacy.apply import Found, Sentence, best_code
from dyad.components.events.legacy.assemble import Triple, expand
from dyad.components.events.legacy.compiled import Compiled
from dyad.components.events.legacy.settings import Settings
from dyad.components.events.legacy.units import Group, Unit

_SUBJECTS = ("nsubj", "nsubjpass", "csubj")
_OBJECTS = ("dobj", "obj", "dative", "iobj", "attr", "oprd")
_OBJECT_CONTROL = frozenset({"urge", "ask", "tell", "order", "force", "persuade", "invite", "encourage", "allow",
                             "call", "press", "push", "warn", "advise", "request", "help", "convince"})
_PRONOUNS = frozenset({"it", "he", "she", "they", "its", "his", "her", "their"})
_GOAL_PREPS = frozenset({"to", "into", "toward", "towards", "onto"})
# dependencies that open another clause (or its subject): an actor below one is not the verb's own
_CLAUSE_DEPS = frozenset({"ccomp", "advcl", "relcl", "acl", "conj", "parataxis", "nsubj"})
_REPORTING = frozenset({"say", "tell", "report", "announce", "claim", "state", "add", "insist"})
# How far up the parse a verb's clause chain is followed (a guard against cycles in odd parses;
# real chains are a few links long). Set by hand; re-measure with the three
# `dyad evaluate --json` suites of docs/notes/legacy-coder.md.
_MAX_FOLD_HOPS = 12
_MAX_SUBJECT_HOPS = 6


def code_petrarch(c: Compiled, settings: Settings, sent, s: Sentence) -> list[Triple] | None:  # noqa: C901 (PETRARCH's clause walk)
    """The triples of one sentence; ``None`` when a ``###`` code discards it."""
    toks, groups = s.toks, s.groups
    doc = sent.doc
    pos_of = {t.i: k for k, t in enumerate(toks)}
    group_of: dict[int, int] = {}
    for gid, g in enumerate(groups):
        for u in g.units:
            for p in range(u.start, u.end):
                group_of[toks[p].i] = gid
    coded: list = []
    in_verb: set[int] = set()  # later words of a coded multi-word verb ("wire tap")
    for k, tok in enumerate(toks):
        if k in s.covered or k in in_verb or not (tok.pos == "VERB" or (tok.tag.startswith("VB") and tok.pos != "AUX")):
            continue
        matches = c.verbs.find(toks, k, len(toks))
        if not matches:
            continue
        token = doc[tok.i]
        sub = [pos_of[t.i] for t in token.subtree if t.i in pos_of]
        hi = max(sub) + 1 if sub else k + 1
        found = best_code(c, s, matches, 0, hi)
        if found is None:
            continue
        in_verb.update(p for p in found.verb.positions if p > k)
        code = found.code
        if code.is_discard:
            return None
        if code.is_null or code.is_complex:
            continue
        if _negated(token):
            if c.pico:
                code = negate_code(code, c.pico, c.pico_back)
                if code is None:
                    continue
                found = Found(found.verb, code, found.rule, found.binds)
            elif not found.binds and found.rule == str(found.verb.form.verb.source):
                continue  # a negated verb codes nothing unless a pattern says what it means
        binds = dict(found.binds)
        passive = any(ch.dep_ in ("nsubjpass", "auxpass") for ch in token.children)
        src = groups[binds["source"]] if "source" in binds else None
        tgt = groups[binds["target"]] if "target" in binds else None
        comp = groups[binds["compound"]] if "compound" in binds else None
        if comp is not None:
            subj = _dep_source(token, groups, group_of, passive)
            if comp.start > k and subj is not None and subj is not comp:
                tgt = comp
                src = subj
            else:
                coded.append((token, expand(comp, comp, found, toks, c.petrarch2)))
                continue
        if src is None:
            src = _dep_source(token, groups, group_of, passive)
        if tgt is None:
            tgt = _dep_target(token, groups, group_of, passive, src)
        if src is None and passive and tgt is not None and "source" not in binds and c.petrarch2:
            src = _passive_actor(token, groups, group_of, tgt)
        if (code.primary is None and not passive) or src is None:
            continue
        if tgt is None and src.compound:
            tgt = src
        if tgt is None:
            if settings.require_dyad:
                continue
            tgt = Group([Unit(-1, -1, ["---"], [])])
        triples = expand(src, tgt, found, toks, c.petrarch2, passive=passive and code.primary is None)
        if triples:
            coded.append((token, triples))
    return _fold_clauses(c, doc, coded)


def _fold_clauses(c: Compiled, doc, coded: list) -> list[Triple]:
    """Events of verbs in related clauses (PETRARCH: a verb phrase acting on another):

    * a verb inside an adverbial/relative clause of a coded verb ("X met Y after Z attacked
      W", "... after leaving W") adds nothing: the main event stands;
    * PETRARCH-2: a reporting verb after a comma that follows a coded verb of its clause ("Y
      attacked Z, X said") codes nothing: the reported event is the event."""
    by_verb = {token.i for token, _ in coded}
    drop: set[int] = set()
    for token, _ in coded:
        child = token
        adjunct = False
        for _ in range(_MAX_FOLD_HOPS):
            head = child.head
            if head.i == child.i:
                break
            if child.dep_ in ("advcl", "relcl", "acl", "pcomp") and not (
                    child.dep_ == "advcl" and any(ch.dep_ == "aux" and ch.lower_ == "to" for ch in child.children)):
                adjunct = True
            if head.i in by_verb:
                if adjunct:
                    drop.add(token.i)
                break
            child = head
    if c.petrarch2:
        for token, _ in coded:
            if token.i in drop or token.lemma_ not in _REPORTING:
                continue
            if any(other.i < token.i and other.i not in drop
                   and (token.is_ancestor(other) or other.is_ancestor(token))
                   and any(t.text == "," for t in doc[other.i:token.i]) for other, _ in coded):
                drop.add(token.i)
    return [t for token, triples in coded if token.i not in drop for t in triples]


def _group_in(token, groups: list[Group], group_of: dict[int, int]) -> Group | None:
    """The actor group of ``token``, else the first coded group in its phrase (not in a relative clause)."""
    if token.i in group_of:
        return groups[group_of[token.i]]
    best = None
    for t in token.subtree:
        if t.i in group_of and t.dep_ not in ("relcl", "acl"):
            g = groups[group_of[t.i]]
            if g.coded and (best is None or g.start < best.start):
                best = g
    return best


def _first_in_phrase(token, groups: list[Group], group_of: dict[int, int], other: Group | None,
                     blocked: frozenset[str], blocked_preps: frozenset[str] = frozenset()) -> Group | None:
    """The first coded actor after the verb in its own phrase: reached from the verb without crossing
    a `blocked` dependency or a preposition in `blocked_preps`, and not `other` (the other role)."""
    for t in token.subtree:
        if t.i <= token.i or t.i not in group_of:
            continue
        path = t
        while path.i != token.i:
            if path.dep_ in blocked or (path.dep_ == "prep" and path.lower_ in blocked_preps):
                break
            path = path.head
        else:
            g = groups[group_of[t.i]]
            if g is not other and g.coded:
                return g
    return None


def _subject_token(token):
    """The subject of ``token``'s clause: its own, or inherited up the chain of conjoined,
    complement and auxiliary-like heads ("X is about to restore", "X met Y and signed");
    for a relative clause, the noun it modifies."""
    for _ in range(_MAX_SUBJECT_HOPS):
        subj = [ch for ch in token.children if ch.dep_ in _SUBJECTS]
        if subj:
            return subj[0]
        head = token.head
        if head.i == token.i:
            return None
        if token.dep_ in ("relcl", "acl"):
            return head
        if token.dep_ == "xcomp":
            obj = [ch for ch in head.children if ch.dep_ in ("dobj",)]
            if obj and head.lemma_ in _OBJECT_CONTROL:
                return obj[0]
        if token.dep_ in ("ccomp",) and head.pos_ == "VERB" and head.lemma_ in _REPORTING:
            return None
        if token.dep_ not in ("conj", "xcomp", "advcl", "ccomp", "acomp", "pcomp", "prep", "pobj", "aux",
                              "dep", "parataxis"):
            return None
        token = head
    return None


def _dep_source(token, groups: list[Group], group_of: dict[int, int], passive: bool) -> Group | None:
    if passive:
        for ch in token.children:
            if ch.dep_ == "agent":
                for o in ch.children:
                    g = _group_in(o, groups, group_of)
                    if g is not None:
                        return g
        return None
    subj = _subject_token(token)
    if subj is None:
        return None
    if subj.lower_ in _PRONOUNS and subj.i not in group_of:  # TABARI 7.7: the first actor before
        return next((g for g in groups if g.coded and g.units[0].positions and g.start >= 0), None)
    return _group_in(subj, groups, group_of)


def _passive_actor(token, groups: list[Group], group_of: dict[int, int], tgt: Group) -> Group | None:
    """PETRARCH-2: a passive verb without a BY-agent takes as source the first actor of its own
    phrase ("X was attacked in Y", "X was criticised over its dispute with Y" -> Y X), not
    the goal of a TO/INTO/TOWARD phrase ("X was sent to Y")."""
    return _first_in_phrase(token, groups, group_of, tgt, _CLAUSE_DEPS | {"nsubjpass", "agent"}, _GOAL_PREPS)


def _dep_target(token, groups: list[Group], group_of: dict[int, int], passive: bool,
                src: Group | None) -> Group | None:
    cands = []
    if passive:
        subj = _subject_token(token)
        if subj is not None:
            cands.append(subj)
    cands += [ch for ch in token.children if ch.dep_ in _OBJECTS]
    for ch in token.children:
        if ch.dep_ in ("prep", "agent") and not (passive and ch.dep_ == "agent"):
            cands += [o for o in ch.children if o.dep_ == "pobj"]
    for ch in token.children:
        if ch.dep_ in ("xcomp", "ccomp") and ch.i > token.i:
            cands += [o for o in ch.children if o.dep_ in ("dobj", "nsubj", "nsubjpass")]
    for cand in cands:
        g = _group_in(cand, groups, group_of)
        if g is not None and g is not src:
            return g
    # an actor further down the verb's own phrase ("marched close to the border with X")
    return _first_in_phrase(token, groups, group_of, src, _CLAUSE_DEPS)


def _negated(token) -> bool:
    """A verb with a negation of its own: a ``neg`` child, or one the parser hung on an adverb
    before the verb ("did not even ever clash")."""
    for ch in token.children:
        if ch.dep_ == "neg":
            return True
        if ch.dep_ == "advmod" and ch.i < token.i and any(g.dep_ == "neg" for g in ch.children):
            return True
    return False


# PICO values are a CAMEO code's value; a negated verb's value is this much lower (PETRARCH-2 utilities)
_PICO_NEGATION = 0xFFFF


def negate_code(code: EventCode, pico: dict[str, int], back: dict[int, str]) -> EventCode | None:
    """The code of a negated verb under a PETRARCH-2 ontology: the PICO value minus 0xFFFF read
    back as CAMEO ("not disapprove" 0xFFFF+0x80 -> diplomatic cooperation 0x80; "not cooperate"
    0x70 -> -0xFFFF+0x70, reject material cooperation). A code the ontology does not name (by the
    code or its two-digit root + "0", as ``convert_code`` reads it) or whose negation has no CAMEO
    code means no event (None)."""

    def neg(c: str | None) -> str | None:
        if c is None or c == "---":
            return c
        value = pico.get(c, pico.get(c[:2] + "0"))
        return None if value is None else back.get(value - _PICO_NEGATION)

    primary = neg(code.primary)
    secondary = neg(code.secondary)
    if primary is None and secondary is None:
        return None
    return msgspec.structs.replace(code, primary=primary, secondary=secondary, raw=f"{primary or ''}"
                                   + (f":{secondary}" if secondary else ""))
