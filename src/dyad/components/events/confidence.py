"""How sure the event coder is of an event, in [0, 1]: a base for the kind of reading times one factor
for each piece of weaker evidence.

Calibration: the factors and bases were fitted together (maximum likelihood of a multiplicative model)
on the ConfliBERT NER role data (an event is right when its source, and its target if it has one,
overlap the gold's spans; 1,181 events, each weighted 0.25 so they do not drown the PLOVER level) and
the even-numbered sentences of the PLOVER GSR dev set (right when its (type, source, target) is in
the gold; 86 events), then rounded, and checked on the odd-numbered half. Commands:
`dyad evaluate --task actors --format conflibert-ner ../shared/gold/events/conflibert/cameo_ner_train.txt`
and `dyad evaluate --json ../shared/gold/events/plover-gsr-dev.json` (keys `reliability` and
`reliability_halves`). Evidence that moved neither data set (a loose preposition target, a place
source, many actors, a subject that is not the verb's own dependent) has no factor.
"""

from __future__ import annotations

from dyad.components.events.frame import Match
from dyad.components.events.lexicon import root_set
from dyad.records import Actor

# A framed, light-verb, negated or reported-intent reading ("refused to meet", "held talks with",
# "will send aid"): the construction names its event. Fitted 0.93 (see the module doc).
CONSTRUCTION_BASE = 0.93
# A verb's own rule, a statement verb reporting an event, or an event noun. Fitted 0.88.
PLAIN_BASE = 0.88
_CONSTRUCTIONS = frozenset({"framed", "light", "negated", "reported-intent"})

# The rule asked for nothing beyond its lemma (no particle, no object noun). Fitted 0.88.
BARE_RULE = 0.88
# No target, for an event that should have one (not a statement or appeal). Fitted 0.56.
NO_TARGET = 0.56
# The target is not the verb's own object or rule preposition (a looser attachment). Fitted 0.81.
INDIRECT_TARGET = 0.81
# The source is another verb's subject (a conjoined verb, an xcomp chain). Fitted 0.93.
INHERITED_SOURCE = 0.93
# A statement or appeal (01, 02: they are about whatever they name). Fitted 0.95.
STATEMENT = 0.95
# Per actor (source, target) not named in its own phrase (`Actor.basis` other than name or title:
# seat, context-country sector, earlier mention, pronoun, quote speaker, national object, place,
# implicit target). Fitted 0.83.
UNNAMED_ACTOR = 0.83
_NAMED = frozenset({"name", "title"})

_FLOOR, _CEILING = 0.02, 0.98  # never certain either way
_STATEMENTS = root_set("speech")


def event_confidence(m: Match, source: Actor, target: Actor | None) -> float:
    """The event's confidence from its evidence: pattern specificity, how its roles attach, and how its
    actors were coded (`Actor.basis`)."""
    f = m.flags
    score = CONSTRUCTION_BASE if m.kind in _CONSTRUCTIONS else PLAIN_BASE
    statement = m.code.startswith(_STATEMENTS)
    if not f.get("specificity", 0.0):
        score *= BARE_RULE
    if target is None:
        score *= 1.0 if statement else NO_TARGET
    elif not f.get("direct_target", 0.0):
        score *= INDIRECT_TARGET
    if f.get("inherited", 0.0):
        score *= INHERITED_SOURCE
    if statement:
        score *= STATEMENT
    for actor in (source, target):
        if actor is not None and actor.basis not in _NAMED:
            score *= UNNAMED_ACTOR
    return round(min(max(score, _FLOOR), _CEILING), 3)
