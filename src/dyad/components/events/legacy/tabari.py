"""Sentence walking for TABARI dictionaries, the way TABARI read text (manual ch. 7).

Comma-delimited clauses dropped (7.8); clauses split at conjunctions outside compound actors; a
verb word preceded by a determiner or capitalised mid-sentence read as a noun; the first event of
each clause coded (subordinate ``?`` codes only when the clause has no other, 6.6.1); default
actors by position (source: first actor before the verb, kept across clauses; target: first
actor after the verb with another code); passive voice (WAS/WERE/BEEN ... BY) reversing them;
DEFAULT actors of the options (8.5).
"""

from __future__ import annotations

import itertools

from dyad.components.events.legacy.apply import Found, Sentence, best_code
from dyad.components.events.legacy.assemble import Triple, expand
from dyad.components.events.legacy.compiled import Compiled
from dyad.components.events.legacy.settings import Settings
from dyad.components.events.legacy.text import CONJUNCTIONS, DETERMINERS, Tok
from dyad.components.events.legacy.units import Group, Unit
from dyad.components.events.legacy.verbs import VerbMatch


def drop_comma_clauses(toks: list[Tok], comma: dict[str, int]) -> list[Tok]:
    """TABARI 7.8: drop comma-delimited clauses of MIN < n <= MAX words (EMIN/EMAX for the
    last one, running to the end of the sentence; BMIN/BMAX for the first)."""
    commas = [k for k, t in enumerate(toks) if t.text == ","]
    if not commas:
        return toks
    drop: set[int] = set()
    bounds = [-1, *commas, len(toks)]
    for a, b in itertools.pairwise(bounds):
        n = sum(1 for t in toks[a + 1:b] if not t.punct)
        if a == -1:
            lo, hi = comma["BMIN"], comma["BMAX"]
        elif b == len(toks):
            lo, hi = comma["EMIN"], comma["EMAX"]
        else:
            lo, hi = comma["MIN"], comma["MAX"]
        if lo < n <= hi:
            drop.update(range(a + 1 if a == -1 else a, b if b == len(toks) or a != -1 else b + 1))
    return [t for k, t in enumerate(toks) if k not in drop]


def _is_noun(c: Compiled, toks: list[Tok], i: int) -> bool:
    """A verb word read as a noun: after a determiner, capitalised mid-sentence (TABARI skips this
    rule on all-caps records; the folded text no longer tells, so it always applies), or a
    ``<NOUN>`` phrase of the dictionaries."""
    if i > 0 and toks[i - 1].text in DETERMINERS:
        return True
    if i > 0 and toks[i].cap and toks[i - 1].text not in ('"', "``", ":"):
        return True
    return c.nouns.find(toks, i, len(toks)) is not None


def _clauses(toks: list[Tok], groups: list[Group]) -> list[tuple[int, int]]:
    inside = {p for g in groups if g.compound for p in range(g.start, g.end)}
    cuts = [k for k, t in enumerate(toks) if t.text in CONJUNCTIONS and k not in inside]
    bounds = [-1, *cuts, len(toks)]
    return [(a + 1, b) for a, b in itertools.pairwise(bounds) if b > a + 1]


def code_tabari(c: Compiled, settings: Settings, s: Sentence) -> list[Triple] | None:
    """The triples of one sentence, clause by clause; ``None`` when a ``###`` code discards it."""
    toks, groups = s.toks, s.groups
    out: list[Triple] = []
    source: Group | None = None
    for lo, hi in _clauses(toks, groups):
        first = next((g for g in groups if lo <= g.start < hi and g.coded), None)
        clause_source = first if first is not None and (source is None or first.start <= lo + 1) else source
        coded_here = False
        pending = None
        i = lo
        while i < hi:
            if i in s.covered or toks[i].punct or _is_noun(c, toks, i):
                i += 1
                continue
            matches = c.verbs.find(toks, i, hi)
            if not matches:
                i += 1
                continue
            found = best_code(c, s, matches, lo, hi)
            if found is None:
                i += 1
                continue
            code = found.code
            if code.is_discard:
                return None
            if code.is_null or code.is_complex or code.primary is None:
                i = max(i + 1, found.verb.end)
                continue
            triples = _tabari_actors(c, settings, s, found, lo, hi, clause_source)
            if triples and code.subordinate and not settings.code_all:
                # TABARI 6.6.1: a subordinate event is coded only if the clause has no other
                if pending is None:
                    pending = triples
                i = max(i + 1, found.verb.end)
                continue
            if triples:
                out.extend(triples)
                coded_here = True
                source = triples[0][5]
                if not settings.code_all:
                    break
            i = max(i + 1, found.verb.end)
        if not coded_here and pending is not None:
            out.extend(pending)
            coded_here = True
            source = pending[0][5]
        if source is None and first is not None:
            source = first
        if coded_here and settings.code_by_sentence:
            break
        if not coded_here and clause_source is not None:
            source = clause_source
    return out


def _default(settings: Settings, role: str) -> Group:
    return Group([Unit(-1, -1, [settings.defaults[role][0]], [])])


def _tabari_actors(c: Compiled, settings: Settings, s: Sentence, found: Found, lo: int, hi: int,
                   clause_source: Group | None) -> list[Triple]:
    """Source and target of a coded verb of clause ``[lo, hi)``: the pattern's slots, else by position."""
    toks, groups = s.toks, s.groups
    binds = dict(found.binds)
    v = found.verb
    src = groups[binds["source"]] if "source" in binds else None
    tgt = groups[binds["target"]] if "target" in binds else None
    comp = groups[binds["compound"]] if "compound" in binds else None
    if comp is not None:
        return expand(comp, comp, found, toks, c.petrarch2)
    designated = bool(binds)
    if src is None:
        before = [g for g in groups if lo <= g.start < v.start and g.coded]
        if tgt is not None:
            before = [g for g in before if set(g.codes) != set(tgt.codes)]
        src = before[0] if before else None
        if src is None and clause_source is not None and clause_source.start < v.start:
            src = clause_source
    if src is None and "SOURCE" in settings.defaults:
        # TABARI 8.5: the default source replaces a missing prior actor (PRIOR) or, without
        # PRIOR, only a failed search, which then takes the first actor after the verb
        after = [g for g in groups if v.end <= g.start < hi and g.coded]
        if settings.defaults["SOURCE"][1] != "PRIOR" and after:
            src = Group([next(u for u in after[0].units if u.codes)])
        else:
            src = _default(settings, "SOURCE")
    if src is None:
        return []
    if tgt is None:
        after = [g for g in groups if v.end <= g.start < hi and g.coded and set(g.codes) != set(src.codes)]
        if not after and settings.defaults.get("TARGET", ("", ""))[1] == "AFTER":
            tgt = _default(settings, "TARGET")
    if tgt is None:
        before = [g for g in groups if lo <= g.start < v.start and g.coded and set(g.codes) != set(src.codes)
                  and g is not src]
        tgt = after[0] if after else (before[0] if before else None)
        if tgt is None and src.compound:
            tgt = src
        if tgt is None and "TARGET" in settings.defaults:
            tgt = _default(settings, "TARGET")
    if tgt is None:
        return []
    if not designated and _passive(toks, v, hi):
        src, tgt = tgt, src
    return expand(src, tgt, found, toks, c.petrarch2)


def _passive(toks: list[Tok], v: VerbMatch, hi: int) -> bool:
    before = {toks[p].text for p in range(max(0, v.start - 2), v.start)}
    return bool(before & {"WAS", "WERE", "BEEN"}) and v.end < hi and toks[v.end].text == "BY"
