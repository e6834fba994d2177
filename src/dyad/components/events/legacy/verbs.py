"""Finding dictionary verbs in a sentence (TABARI 5.5, 7.4; PETRARCH docs "Verb Synonym Blocks").

Every verb of every entry is indexed by its first word: the verb itself, its explicit irregular
forms and (PETRARCH, when no ``{...}`` forms are given) its generated regular forms; TABARI verbs
are stems and also match their regular endings. PETRARCH verbs also match through the spaCy
lemma of the token."""

from __future__ import annotations

from dataclasses import dataclass

from dyad.components.events.dictionaries.elements import EventCode, Word
from dyad.components.events.dictionaries.entries import Verb, VerbEntry
from dyad.components.events.dictionaries.model import Dictionaries
from dyad.components.events.legacy.actors import MAX_GAP
from dyad.components.events.legacy.text import CONJUNCTIONS, Tok
from dyad.components.events.legacy.words import split_hyphens, stem_keys, word_matches


@dataclass(slots=True)
class Form:
    words: list[Word]
    entry: VerbEntry
    verb: Verb
    tabari: bool

    @property
    def code(self) -> EventCode:
        return self.verb.code or self.entry.code


@dataclass(slots=True)
class VerbMatch:
    form: Form
    positions: list[int]

    @property
    def start(self) -> int:
        return self.positions[0]

    @property
    def end(self) -> int:
        return self.positions[-1] + 1


class VerbIndex:
    def __init__(self, d: Dictionaries):
        self.by_first: dict[str, list[Form]] = {}
        self.by_lemma: dict[str, list[Form]] = {}
        self.stems = False
        for entry in d.verbs:
            if entry.section != "verb":
                continue
            tabari = entry.dialect == "tabari"
            self.stems |= tabari
            for verb in entry.verbs:
                forms = [verb.words] + [f.words for f in verb.forms]
                if not tabari and verb.regular and verb.words:
                    for text in verb.conjugations()[1:]:
                        forms.append([Word(t, joined=w.joined, exact=True)
                                      for t, w in zip(text.split(" "), verb.words, strict=False)])
                seen = set()
                for words in forms:
                    words = split_hyphens(words)
                    key = " ".join(w.text for w in words)
                    if not words or key in seen:
                        continue
                    seen.add(key)
                    form = Form(words, entry, verb, tabari)
                    self.by_first.setdefault(words[0].text, []).append(form)
                if not tabari and verb.words:
                    base = split_hyphens(verb.words)
                    self.by_lemma.setdefault(base[0].text, []).append(Form(base, entry, verb, False))

    def find(self, toks: list[Tok], i: int, hi: int) -> list[VerbMatch]:
        """Verb forms starting at token ``i``, longest first."""
        tok = toks[i]
        cands: list[Form] = []
        keys = stem_keys(tok.text) if self.stems else [tok.text]
        for key in keys:
            cands.extend(self.by_first.get(key, ()))
        lemma_forms = self.by_lemma.get(tok.lemma, ())
        out: list[VerbMatch] = []
        seen: set[int] = set()
        for form in [*cands, *lemma_forms]:
            if id(form) in seen:
                continue
            seen.add(id(form))
            by_lemma = form in lemma_forms and not form.tabari
            if not by_lemma and not word_matches(form.words[0], tok.text, form.tabari):
                continue
            positions = [i]
            ok = True
            for k in range(1, len(form.words)):
                prev = form.words[k - 1]
                limit = positions[-1] + 2 if prev.joined else min(hi, positions[-1] + 2 + MAX_GAP)
                found = -1
                for p in range(positions[-1] + 1, min(limit, hi)):
                    t = toks[p]
                    word = form.words[k]
                    if word_matches(word, t.text, form.tabari) or (not form.tabari and t.lemma == word.text):
                        found = p
                        break
                    if t.punct or t.text in CONJUNCTIONS:
                        break
                if found < 0:
                    ok = False
                    break
                positions.append(found)
            if ok:
                out.append(VerbMatch(form, positions))
        out.sort(key=lambda m: (len(m.form.words), sum(len(w.text) for w in m.form.words)), reverse=True)
        return out
