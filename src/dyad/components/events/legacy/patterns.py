"""Verb patterns matched against the token sequence of a clause (TABARI 5.5.3-5.7; PETRARCH docs).

A pattern is the elements before the verb (``before``) and after it (``after``). Elements match
in order; an element may skip over words unless the previous one was joined to it (``_``).
Words follow the TABARI/PETRARCH word rules (:func:`~dyad.components.events.legacy.words.word_matches`),
PETRARCH words also match a token whose lemma is the word. ``&SYNSET`` matches any member,
``{ a | b }`` any alternative, PETRARCH-2 ``{NOUN PHRASE}`` and ``(PREP OBJECT)`` their words in
order. Slots ``$ + % ^`` match the actor (or compound actor) that starts at a position.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from dyad.components.events.dictionaries.elements import (
    Alternatives,
    Element,
    NounPhrase,
    PrepPhrase,
    Slot,
    SynsetRef,
    Word,
)
from dyad.components.events.dictionaries.entries import Pattern
from dyad.components.events.dictionaries.model import Dictionaries
from dyad.components.events.legacy.text import Tok
from dyad.components.events.legacy.words import split_hyphens, word_matches

Binds = tuple[tuple[str, int], ...]  # (slot kind, group id) pairs


@dataclass(slots=True)
class Context:
    toks: list[Tok]
    group_at: dict[int, tuple[int, int, bool]]  # position -> (group id, end position, compound)
    synsets: dict
    tabari: bool
    span_used: list[int]
    failed: set = field(default_factory=set)  # (elements, k, pos, hi, anchored, tight) known to match nothing
    # PETRARCH-2: the words before ``*`` are pre-verb nouns (dictionary docs, "Patterns"), so
    # a bare word there matches only a noun, not an adverb or another verb ("HEAVILY *")
    nouns_before: bool = False
    in_before: bool = False


_NOMINAL = frozenset({"NOUN", "PROPN", "PRON", "NUM", "X"})


def _joined(e: Element) -> bool:
    return bool(getattr(e, "joined", False))


# The length a synset reference counts for when patterns are ranked longest first (it stands for
# a word of unknown length). Set by hand; re-measure with the three `dyad evaluate --json` suites
# of docs/notes/legacy-coder.md.
SYNSET_LENGTH = 4


def pattern_length(p: Pattern) -> int:
    """TABARI 5.7.1: characters of the literal text (tokens and blanks not counted)."""

    def size(e: Element) -> int:
        if isinstance(e, Word):
            return len(e.text)
        if isinstance(e, SynsetRef):
            return SYNSET_LENGTH
        if isinstance(e, Alternatives):
            return max((sum(size(x) for x in o) for o in e.options), default=0)
        if isinstance(e, NounPhrase):
            return sum(size(x) for x in e.elements)
        if isinstance(e, PrepPhrase):
            return size(e.preposition) + sum(size(x) for x in e.objects)
        return 0

    return sum(size(e) for e in p.before) + sum(size(e) for e in p.after)


def _word_at(word: Word, tok: Tok, tabari: bool) -> bool:
    if word_matches(word, tok.text, tabari):
        return True
    return not tabari and tok.lemma == word.text


def match_seq(elems: list[Element], k: int, pos: int, hi: int, anchored: bool, ctx: Context,
              binds: Binds, tight: bool = False) -> Iterator[tuple[int, Binds]]:
    """Match ``elems[k:]`` from position ``pos`` (exactly there when ``anchored``), within
    ``[pos, hi)``; yields (end position, slot bindings). ``tight``: every element follows the
    previous one immediately (the words of a PETRARCH-2 ``{NOUN PHRASE}``)."""
    if k == len(elems):
        yield pos, binds
        return
    state = (id(elems), k, pos, hi, anchored, tight)
    if state in ctx.failed:  # bindings never change whether the rest matches
        return
    found = False
    e = elems[k]
    last_start = pos if anchored else hi - 1
    for p in range(pos, min(last_start, hi - 1) + 1):
        for end, b in match_one(e, p, hi, ctx, binds):
            for result in match_seq(elems, k + 1, end, hi, tight or _joined(e), ctx, b, tight):
                found = True
                yield result
        tok = ctx.toks[p]
        if ctx.tabari and tok.text in (",",):  # phrase matching stops at commas (TABARI 5.5.3)
            break
    if not found:
        ctx.failed.add(state)


def match_one(e: Element, p: int, hi: int, ctx: Context, binds: Binds) -> Iterator[tuple[int, Binds]]:
    """Matches of one element starting exactly at ``p``."""
    if p >= hi:
        return
    if isinstance(e, Word):
        for w in (split_hyphens([e]) if "-" in e.text else (e,)):
            if p >= hi or not _word_at(w, ctx.toks[p], ctx.tabari):
                return
            if ctx.in_before and ctx.toks[p].pos not in _NOMINAL:
                return
            p += 1
        yield p, binds
    elif isinstance(e, Slot):
        found = ctx.group_at.get(p)
        if found is None:
            return
        group, end, compound = found
        if end > hi or (e.kind == "compound" and not compound):
            return
        if e.kind in ("skip", "attribution"):
            yield end, binds
        else:
            yield end, (*binds, (e.kind, group))
    elif isinstance(e, SynsetRef):
        synset = ctx.synsets.get(e.name)
        if synset is None:
            return
        by_first, others = _synset_index(synset)
        tok = ctx.toks[p]
        members = list(others)
        for text in {tok.text, tok.lemma}:
            for key in range(len(text), 0, -1):
                members.extend(by_first.get(text[:key], ()))
        for member in members:
            yield from match_seq(member.elements, 0, p, hi, True, ctx, binds)
    elif isinstance(e, Alternatives):
        for option in e.options:
            yield from match_seq(option, 0, p, hi, True, ctx, binds)
    elif isinstance(e, NounPhrase):
        yield from _match_np(e.elements, 0, p, hi, ctx, binds)
    elif isinstance(e, PrepPhrase):
        yield from match_seq(_prep_elements(e), 0, p, hi, True, ctx, binds)


_PREPS: dict[int, tuple[PrepPhrase, list[Element]]] = {}


def _prep_elements(e: PrepPhrase) -> list[Element]:
    """``(PREP OBJECT)`` as one element list that lives as long as the pattern (the failure
    memo of :func:`match_seq` is keyed by the list's identity)."""
    hit = _PREPS.get(id(e))
    if hit is None or hit[0] is not e:
        hit = _PREPS[id(e)] = (e, [e.preposition, *e.objects])
    return hit[1]


_SYNSETS: dict[int, tuple[object, dict[str, list], list]] = {}


def _synset_index(synset) -> tuple[dict[str, list], list]:
    """A synset's members by their first literal word (members starting otherwise: ``others``),
    so a position is only tried against the members that can start there."""
    hit = _SYNSETS.get(id(synset))
    if hit is None or hit[0] is not synset:
        by_first: dict[str, list] = {}
        others: list = []
        for member in synset.members:
            first = member.elements[0] if member.elements else None
            if isinstance(first, Word) and first.text:
                key = split_hyphens([first])[0].text
                by_first.setdefault(key, []).append(member)
            else:
                others.append(member)
        hit = _SYNSETS[id(synset)] = (synset, by_first, others)
    return hit[1], hit[2]


def _match_np(elems: list[Element], k: int, pos: int, hi: int, ctx: Context,
              binds: Binds) -> Iterator[tuple[int, Binds]]:
    """A PETRARCH-2 ``{NEW ECONOMIC TIES}``: the first word where the phrase starts, the head
    (last word) right after the word before it, other modifiers in order with at most
    ``NP_GAP`` other modifiers skipped ("new global economic ties", not "economic trade ties")."""
    if k == len(elems):
        yield pos, binds
        return
    last = pos if k == 0 or k == len(elems) - 1 else min(hi - 1, pos + NP_GAP)
    for p in range(pos, last + 1):
        if p > pos and (ctx.toks[p - 1].punct or ctx.toks[p - 1].pos in ("VERB", "ADP")):
            return
        for end, b in match_one(elems[k], p, hi, ctx, binds):
            yield from _match_np(elems, k + 1, end, hi, ctx, b)


# Modifiers of a PETRARCH-2 {NOUN PHRASE} that may be skipped between two of its words (step 8 of
# docs/notes/legacy-coder.md); re-measure with the three `dyad evaluate --json` suites listed there.
NP_GAP = 2


def match_pattern(pattern: Pattern, ctx: Context, lo: int, vstart: int, vend: int, hi: int) -> Binds | None:
    """Bindings when ``pattern`` matches around the verb at ``[vstart, vend)`` within ``[lo, hi)``."""
    results_before: list[Binds] = []
    if pattern.before:
        must_touch = _joined(pattern.before[-1])
        ctx.in_before = ctx.nouns_before
        try:
            for end, b in match_seq(pattern.before, 0, lo, vstart, False, ctx, ()):
                if end == vstart or (not must_touch and end <= vstart):
                    results_before.append(b)
                    break
        finally:
            ctx.in_before = False
        if not results_before:
            return None
    else:
        results_before.append(())
    if pattern.after:
        for _end, b in match_seq(pattern.after, 0, vend, hi, pattern.verb_joined, ctx, results_before[0]):
            return b
        return None
    return results_before[0]


def sorted_patterns(d: Dictionaries) -> dict[int, list[tuple[Pattern, frozenset[str]]]]:
    """Each verb entry's patterns, longest first (TABARI 5.7.1), by ``id`` of the entry, with
    the words the pattern cannot match without (see :func:`required_words`)."""
    return {id(v): [(p, required_words(p)) for p in sorted(v.patterns, key=pattern_length, reverse=True)]
            for v in d.verbs}


def required_words(p: Pattern) -> frozenset[str]:
    """Literal words every match of ``p`` needs (outside alternatives and synsets): a sentence
    without a token starting with each of them cannot match, so the pattern is not tried."""
    out: set[str] = set()

    def walk(elems: list[Element]) -> None:
        for e in elems:
            if isinstance(e, Word):
                out.update(w.text for w in split_hyphens([e]) if w.text)
            elif isinstance(e, NounPhrase):
                walk(e.elements)
            elif isinstance(e, PrepPhrase):
                walk([e.preposition, *e.objects])

    walk(p.before)
    walk(p.after)
    return frozenset(out)


def sentence_keys(toks: list[Tok]) -> set[str]:
    """Every prefix of every token text and lemma: a required word absent from it cannot match."""
    keys: set[str] = set()
    for t in toks:
        for text in (t.text, t.lemma):
            keys.update(text[:k] for k in range(1, len(text) + 1))
    return keys
