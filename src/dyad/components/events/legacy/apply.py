"""Pattern application: the code a dictionary verb gets in a sentence.

A verb found in the sentence (:class:`~.verbs.VerbMatch`, longest form first) takes the code of
its entry's first matching pattern, longest pattern first (TABARI 5.7.1), else the verb's own code;
the pattern's slots designate the actor groups it binds (:data:`~.patterns.Binds`).
"""

from __future__ import annotations

from dataclasses import dataclass

from dyad.components.events.dictionaries.elements import EventCode
from dyad.components.events.legacy.compiled import Compiled
from dyad.components.events.legacy.patterns import Binds, Context, match_pattern, sentence_keys
from dyad.components.events.legacy.text import Tok
from dyad.components.events.legacy.units import Group
from dyad.components.events.legacy.verbs import VerbMatch


@dataclass(slots=True)
class Sentence:
    """One sentence as the walkers see it: its tokens, its actor groups (compound actors) and the
    token positions inside actor phrases (never read as verbs)."""

    toks: list[Tok]
    groups: list[Group]
    covered: set[int]
    keys: set[str] | None = None  # sentence_keys(toks), computed once, on the first pattern that needs it

    def word_keys(self) -> set[str]:
        if self.keys is None:
            self.keys = sentence_keys(self.toks)
        return self.keys


@dataclass(slots=True)
class Found:
    """A coded verb: its code, where it was matched and the actors it designates."""

    verb: VerbMatch
    code: EventCode
    rule: str
    binds: Binds


def best_code(c: Compiled, s: Sentence, matches: list[VerbMatch], lo: int, hi: int) -> Found | None:
    """The code of the verb at ``matches[0]`` (the longest form): its entry's first pattern that
    matches within ``[lo, hi)``, else the verb's code. ``None`` when there is no match."""
    if not matches:
        return None
    group_at = {}
    for gid, g in enumerate(s.groups):
        group_at[g.start] = (gid, g.end, g.compound)
        for u in g.units[1:]:
            group_at.setdefault(u.start, (gid, g.end, g.compound))
    ctx = Context(s.toks, group_at, c.synsets, c.tabari, [], nouns_before=c.petrarch2)
    m = matches[0]  # the longest form: a shorter one is not tried when its patterns fail
    keys = None
    for pattern, needed in c.patterns.get(id(m.form.entry), ()):
        if needed:
            if keys is None:
                keys = s.word_keys()
            if not needed <= keys:
                continue
        binds = match_pattern(pattern, ctx, lo, m.start, m.end, hi)
        if binds is not None:
            return Found(m, pattern.code, str(pattern.source), binds)
    return Found(m, m.form.code, str(m.form.verb.source), ())
