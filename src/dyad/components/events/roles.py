"""Who plays which role: the subject, object and prepositional phrases of an event's verb or noun
read as the coded actors (token indexes into an `actor_at` map) that are its source and target.

Coordinated actors each take the role ("US and British forces", "X and Y met"); a conjoined verb
without a subject inherits its head's; in the passive the `by`-agent is the source.
"""

from __future__ import annotations

from spacy.tokens import Token

from dyad.records import Actor

SUBJECT = ("nsubj",)
PASSIVE_SUBJECT = ("nsubjpass",)
OBJECT = ("dobj",)
# prepositions whose object may be the target of an event whose rule found none (`locative.prepositional`)
LOOSE_PREPS = frozenset({"to", "with", "on", "against", "from", "for", "into", "toward", "towards", "at",
                         "over", "of"})
# the same for statements: what they are about
STATEMENT_PREPS = frozenset({"to", "with", "on", "against", "for", "at", "over", "about", "toward", "towards",
                             "regarding"})
# locative prepositions: where an event happens
WHERE_PREPS = frozenset({"in", "near", "outside", "inside", "throughout", "across", "around"})
# prepositions that point an event at a place ("cut off supplies to X")
TOWARD_PREPS = frozenset({"to", "against", "on", "into", "toward", "towards", "at", "from"})
# at most this many targets per event: a longer list is a parse that swallowed a sentence
MAX_TARGETS = 6


def _conjuncts(token: Token) -> list[Token]:
    return [token, *token.conjuncts]


# Nouns of a relation to another party: their possessor is the other party ("her allies", "its neighbours").
_RELATIONAL = frozenset({"ally", "partner", "neighbour", "neighbor", "rival", "enemy", "foe", "adversary",
                         "counterpart", "friend"})


def actor_token(token: Token, actor_at: dict[int, int]) -> int | None:
    """The coded actor a role token stands for: itself, else the first coded noun in its phrase, outside
    the clauses that describe it ("allies, which accepted Britain's view") and not the possessor of a
    relational noun ("her allies" are not she)."""
    if token.i in actor_at:
        return token.i
    clauses = {t.i for c in token.subtree if c.dep_ in ("relcl", "acl") and c.i != token.i for t in c.subtree}
    for child in token.subtree:
        if child.i in actor_at and child.i not in clauses and not (
                child.dep_ == "poss" and child.head.lemma_.lower() in _RELATIONAL):
            return child.i
    return None


def same_mention(a: Actor, b: Actor) -> bool:
    """Two roles that are one mention (a pronoun resolved to the other role's actor): no event."""
    return a.start == b.start and a.end == b.end and a.end > a.start


def quantified_object(verb: Token) -> list[Token]:
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


def collect(tokens: list[Token], actor_at: dict[int, int]) -> list[int]:
    found = []
    for token in tokens:
        for conj in _conjuncts(token):
            i = actor_token(conj, actor_at)
            if i is None:
                continue
            for j in [i, *_coordinated_modifiers(i, conj, actor_at)]:
                if j not in found:
                    found.append(j)
    return found


# Prepositions whose gerund is done by the subject of the verb they modify ("after meeting Y, X flew
# home"); not "of" or "for" ("accused Y of violating": Y violates), nor "without" (it did not happen).
_ADVERBIAL_PREPS = frozenset({"by", "after", "before", "while", "upon", "on", "in", "since"})


# Nouns of a commitment whose "to" clause its maker carries out ("approved a contract to sell X", "signed a
# deal to buy Y"); not invitations, ultimatums or plans, whose "to" clause others do or may never happen.
_COMMITMENTS = frozenset({"contract", "deal", "agreement", "accord", "pact"})
# Nouns of a decision taken, whose "to" clause is what the decider does ("the US decision to expel X",
# "Russia's move to close Y"): an announced decision codes as the action it decides. Plans, offers and
# threats are not here: their "to" clause may never happen.
DECISIONS = frozenset({"decision", "move", "order"})


def _to_infinitive(verb: Token) -> bool:
    """A "to" infinitive: "to meet", "to sell"."""
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _subject_verb(verb: Token) -> tuple[Token, bool]:
    """The verb whose subject this verb shares (conjoined verbs, xcomp chains), and whether it is
    another verb's (the subject is inherited)."""
    start = verb
    for _ in range(6):
        if any(c.dep_ in SUBJECT + PASSIVE_SUBJECT for c in verb.children):
            break
        if verb.dep_ in ("conj", "xcomp", "acomp") or (verb.dep_ == "advcl" and (
                verb.tag_ == "VBG" or _to_infinitive(verb))):
            # conjoined verbs, "... , killing X", and purpose clauses ("left for W to meet Y"): the main subject
            verb = verb.head
        elif verb.dep_ == "acl" and verb.tag_ == "VBG" and verb.head.dep_ == "dobj" and verb.head.head.pos_ == "VERB":
            verb = verb.head.head  # "issued a statement urging X to ...": the issuer urges
        elif (verb.dep_ == "acl" and verb.tag_ == "VB" and verb.head.lemma_.lower() in _COMMITMENTS
              and verb.head.dep_ == "dobj" and verb.head.head.pos_ == "VERB"
              and _to_infinitive(verb)):
            verb = verb.head.head  # "approved a contract to sell X ...": the approver sells
        elif (verb.dep_ == "pcomp" and verb.tag_ == "VBG" and verb.head.lower_ in _ADVERBIAL_PREPS
              and verb.head.dep_ == "prep" and verb.head.head.pos_ in ("VERB", "AUX")):
            verb = verb.head.head  # "By recalling its ambassador, X made ...": X recalled him
        else:
            break
    return verb, verb is not start


def passive_modifier(verb: Token) -> bool:
    """'diplomats (being) expelled by X': a passive participle on a noun, which is what it acts on."""
    return verb.dep_ == "acl" and verb.tag_ == "VBN" and verb.head.pos_ in ("NOUN", "PROPN")


def sources_of(verb: Token, actor_at: dict[int, int], event_verb: Token) -> tuple[list[int], dict[str, float]]:
    holder, inherited = _subject_verb(verb)
    children = list(holder.children)
    subjects = [c for c in children if c.dep_ in SUBJECT]
    passive = any(c.dep_ in PASSIVE_SUBJECT for c in children) or passive_modifier(verb)
    flags = {"inherited": float(inherited), "passive": float(passive)}
    if passive and holder is verb:
        agents = [g for c in event_verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        found = collect(agents, actor_at)
        flags["direct_source"] = float(any(a.i in actor_at for a in agents))
        return found, flags
    found = collect(subjects, actor_at)
    flags["direct_source"] = float(any(s.i in actor_at for s in subjects))
    if not subjects and holder.dep_ == "acl" and holder.head.lemma_.lower() in DECISIONS and _to_infinitive(holder):
        noun = holder.head  # "the US decision": the actor may be anchored on the noun itself
        deciders = [c for c in noun.children if c.dep_ in ("poss", "compound", "amod", "nmod")]
        found = [noun.i] if noun.i in actor_at else [i for c in deciders if (i := actor_token(c, actor_at)) is not None]
        flags["inherited"] = 1.0
    if not found and subjects and all(s.pos_ == "PRON" for s in subjects) and holder.dep_ == "ccomp":
        # "X said it would ...": the pronoun is the reporter
        found = collect([c for c in holder.head.children if c.dep_ in SUBJECT], actor_at)
        flags["inherited"] = 1.0
    elif not found and subjects and all(s.lower_ in ("it", "they") for s in subjects) and holder.dep_ == "relcl":
        # "X released questions that it wants Y to answer": "it" in a clause on X's object is X
        owner = holder.head
        while owner.dep_ not in OBJECT and owner.head.i != owner.i and owner.pos_ != "VERB":
            owner = owner.head
        if owner.dep_ in OBJECT:
            found = collect([c for c in owner.head.children if c.dep_ in SUBJECT], actor_at)
            flags["inherited"] = 1.0
    return found, flags


def targets_of(verb: Token, objects: list[Token], preps: frozenset[str], actor_at: dict[int, int], passive: bool,
             object_is_event: bool, transfer: bool = False, shallow: bool = False) -> tuple[list[int], bool]:
    """Targets: the object (unless it is the event noun), else the object of a rule preposition on
    the verb or on the object noun; in the passive the subject. For a transfer ("sent paratroopers
    to X", "extradited P to X") the recipient in the preposition wins over what is sent. For a
    statement or appeal (`shallow`) an object is a target only as an actor or by its own modifiers
    ("called the tensions between X and Y serious" is about the tensions, not aimed at X or Y)."""
    if passive and not object_is_event:
        subjects = [c for c in verb.children if c.dep_ in PASSIVE_SUBJECT] or (
            [verb.head] if passive_modifier(verb) else [])
        return collect(subjects, actor_at), any(s.i in actor_at for s in subjects)
    direct: list[Token] = [] if object_is_event else list(objects)
    holders = [verb, *objects]
    recipients = [g for h in holders for c in h.children if c.dep_ in ("prep", "dative") and c.lower_ in preps
                  for g in c.children if g.dep_ == "pobj"]
    # the indirect object is the recipient: "gave X a warning", "offered X talks"
    recipients += [c for c in verb.children if c.dep_ == "dative" and c.pos_ in ("NOUN", "PROPN")]
    if transfer and direct and (found := collect(recipients, actor_at)):
        return found, any(h.i in actor_at for h in recipients)
    if shallow:
        direct = [d for d in direct if d.i in actor_at or any(
            c.dep_ in ("poss", "compound", "amod", "nmod") and c.i in actor_at for c in d.children)]
    heads = direct + recipients
    found = collect(heads, actor_at)
    return found, any(h.i in actor_at for h in heads)


def shared_objects(verb: Token) -> list[Token]:
    """'X supports and wants Y to play a role', 'X condemned and rejected the plan': a verb followed at
    once by "and"/"or" and another verb (right-node raising) shares that verb's object, or the subject
    of its "to" complement ("wants Y to play")."""
    nxt = verb.nbor(1) if verb.i + 1 < len(verb.doc) else None
    while nxt is not None and nxt.pos_ == "ADV" and nxt.i + 1 < len(verb.doc):
        nxt = nxt.nbor(1)
    if nxt is None or nxt.dep_ != "cc" or nxt.head.i != verb.i:
        return []
    for conj in verb.children:
        if conj.dep_ != "conj" or conj.pos_ != "VERB":
            continue
        objects = [c for c in conj.children if c.dep_ in OBJECT]
        if objects:
            return objects
        for comp in conj.children:
            if comp.dep_ in ("ccomp", "xcomp") and _to_infinitive(comp):
                subjects = [c for c in comp.children if c.dep_ == "nsubj"]
                if subjects:
                    return subjects
    return []


def place_chain(pobj: Token) -> list[Token]:
    """The tokens a locative object may name its place with: the object, its modifiers, and an "of"
    object ("the town of T", "outside of the city of C")."""
    out = [pobj, *(c for c in pobj.children if c.dep_ in ("compound", "amod", "nmod", "appos"))]
    for c in pobj.children:
        if c.dep_ == "prep" and c.lower_ == "of":
            out += [g for g in c.children if g.dep_ == "pobj"]
            out += [x for g in c.children if g.dep_ == "pobj" for x in g.children if x.dep_ in ("compound", "nmod")]
    return out


def deep(objects: list[Token], actor_at: dict[int, int]) -> list[int]:
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


def locative_objects(prep: Token) -> list[Token]:
    """The objects of a locative preposition, through "outside of", "in front of"."""
    out = [g for g in prep.children if g.dep_ == "pobj"]
    out += [g for c in prep.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"]
    return out

def is_place(actor: Actor) -> bool:
    """A bare country (a toponym) rather than an actor of it."""
    return bool(actor.code) and len(actor.code) == 3 and not actor.sectors


def between_pairs(noun: Token, verb: Token | None, rule, actor_at: dict[int, int]) -> list[int]:
    """Actors coordinated under "between"/"among" on the noun (or its verb): each pair both ways."""
    if not ({"between", "among"} & rule.preps):
        return []
    holders = [noun] + ([verb] if verb is not None else [])
    pobjs = [g for h in holders for c in h.children if c.dep_ == "prep" and c.lower_ in ("between", "among")
             for g in c.children if g.dep_ == "pobj"]
    found = collect(pobjs, actor_at)
    return found if len(found) >= 2 else []


# dissent (14) and easing it (082: calling off a strike or protest) are aimed at the source's own
# authorities when no target is named
def mark(clause: Token) -> str:
    return next((c.lower_ for c in clause.children if c.dep_ == "mark"), "")


def condition_of(verb: Token, complement: Token | None) -> Token | None:
    """The "if"/"unless" clause on a verb (or on its framed complement) that conditions the event."""
    for holder in (verb, complement):
        if holder is None:
            continue
        for c in holder.children:
            if c.dep_ == "advcl" and mark(c) in ("if", "unless"):
                return c
    return None


def governing_verb(noun: Token) -> Token | None:
    """The verb whose clause a noun is in, through prepositions and noun modifiers."""
    head = noun.head
    for _ in range(6):
        if head.pos_ in ("VERB", "AUX"):
            return head
        if head.head.i == head.i:
            return None
        head = head.head
    return None
