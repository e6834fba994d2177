"""Actor and agent phrases found in a sentence (TABARI 5.3-5.4, PETRARCH docs "Actor/Agent").

:class:`PhraseIndex` indexes dictionary phrases by their first word (a stem for TABARI, so a token
is looked up under each of its prefixes); :meth:`PhraseIndex.find` returns the longest phrase
starting at a token. :func:`find_mentions` scans a sentence left to right. Codes are resolved
for the record's date (date restrictions, TABARI 6.5.2) when the mention is built.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dyad.components.events.dictionaries.elements import Word
from dyad.components.events.dictionaries.entries import ActorEntry, AgentEntry
from dyad.components.events.dictionaries.model import Dictionaries
from dyad.components.events.legacy.text import CONJUNCTIONS, Tok
from dyad.components.events.legacy.words import split_hyphens, stem_keys, word_matches

# Words a non-joined phrase element may skip over (TABARI "need not follow immediately"). Set by hand;
# re-measure with the three `dyad evaluate --json` suites of docs/notes/legacy-coder.md.
MAX_GAP = 2
# Distinct tokens whose candidate phrases are remembered before the memo is emptied (bounds memory
# on a long run). Set by hand; re-measure with `python benchmarks/legacy_coding.py`.
_CANDIDATE_CACHE_SIZE = 200_000


@dataclass(slots=True)
class Phrase:
    words: list[Word]
    entry: ActorEntry | AgentEntry
    kind: str  # "actor" | "agent"
    tabari: bool
    plural: bool = True
    size: int = 0
    # a prefix some token must start with for each later word (a match starts with the word,
    # or is its regular plural, which keeps all but the last letter)
    need: frozenset = frozenset()

    def __post_init__(self) -> None:
        self.size = sum(len(w.text) for w in self.words)
        self.need = frozenset(w.text[:-1] for w in self.words[1:] if len(w.text) > 1)


@dataclass(slots=True)
class Mention:
    """A dictionary phrase found at tokens ``[start, end)`` (positions in the sentence list)."""

    start: int
    end: int
    kind: str  # actor | agent
    codes: list[str]  # codes in force (actor) or the agent code; [] = null
    rule: str
    agent_suffix: bool = True
    positions: list[int] = field(default_factory=list)


class PhraseIndex:
    def __init__(self) -> None:
        self.by_first: dict[str, list[Phrase]] = {}
        self.has_stems = False
        self._candidates: dict[str, list[Phrase]] = {}  # token text -> candidates (index is fixed)

    def add(self, phrase: Phrase) -> None:
        if not phrase.words:
            return
        self.by_first.setdefault(phrase.words[0].text, []).append(phrase)
        if phrase.tabari and not phrase.words[0].exact:
            self.has_stems = True

    def finish(self) -> None:
        self._candidates.clear()
        for phrases in self.by_first.values():
            phrases.sort(key=lambda p: (len(p.words), p.size), reverse=True)

    def candidates(self, token: str) -> list[Phrase]:
        hit = self._candidates.get(token)
        if hit is None:
            if len(self._candidates) > _CANDIDATE_CACHE_SIZE:
                self._candidates.clear()
            hit = self._candidates[token] = self._candidates_of(token)
        return hit

    def _candidates_of(self, token: str) -> list[Phrase]:
        if not self.has_stems:
            out = list(self.by_first.get(token, ()))
            for key in stem_keys(token)[1:4]:  # plural/possessive endings of exact words
                out.extend(self.by_first.get(key, ()))
            return out
        out = []
        for key in stem_keys(token):
            out.extend(self.by_first.get(key, ()))
        return out

    def find(self, toks: list[Tok], start: int, stop: int,
             keys: set[str] | None = None) -> tuple[Phrase, list[int]] | None:
        """The best phrase starting at ``start`` (most words, then most characters), with the
        positions of its words. ``keys``: every prefix of every token text of the sentence (a
        phrase whose later words cannot all match is not tried)."""
        best: tuple[Phrase, list[int]] | None = None
        for phrase in self.candidates(toks[start].text):
            if keys is not None and phrase.need and not phrase.need <= keys:
                continue
            positions = _match_words(phrase, toks, start, stop)
            if positions is None:
                continue
            if best is None or (len(phrase.words), phrase.size, -positions[-1]) > (
                    len(best[0].words), best[0].size, -best[1][-1]):
                best = (phrase, positions)
        return best


def _match_words(phrase: Phrase, toks: list[Tok], start: int, stop: int) -> list[int] | None:
    words = phrase.words
    last = len(words) - 1
    if not word_matches(words[0], toks[start].text, phrase.tabari, phrase.plural and last == 0):
        return None
    positions = [start]
    pos = start + 1
    for k in range(1, len(words)):
        joined = words[k - 1].joined
        limit = pos + 1 if joined else min(stop, pos + 1 + MAX_GAP)
        found = -1
        for p in range(pos, min(limit, stop)):
            tok = toks[p]
            if word_matches(words[k], tok.text, phrase.tabari, phrase.plural and k == last):
                found = p
                break
            if tok.punct or tok.text in CONJUNCTIONS:
                break
        if found < 0:
            return None
        positions.append(found)
        pos = found + 1
    return positions


def build_indices(d: Dictionaries, dialects: dict[str, str]) -> tuple[PhraseIndex, PhraseIndex]:
    actors, agents = PhraseIndex(), PhraseIndex()
    for entry in d.actors.values():
        tabari = dialects.get(entry.source.path, "petrarch") == "tabari"
        actors.add(Phrase(split_hyphens(entry.words), entry, "actor", tabari))
    for entry in d.agents.values():
        tabari = dialects.get(entry.source.path, "petrarch") == "tabari"
        words = split_hyphens(entry.words)
        agents.add(Phrase(words, entry, "agent", tabari, plural=entry.plurals is None))
        for plural in entry.plurals or ():
            agents.add(Phrase(split_hyphens(plural), entry, "agent", tabari, plural=False))
    actors.finish()
    agents.finish()
    return actors, agents


def find_mentions(toks: list[Tok], actors: PhraseIndex, agents: PhraseIndex, day: dt.date) -> list[Mention]:
    """Actor and agent phrases, left to right, longest first; an actor wins over an agent of the
    same length."""
    out: list[Mention] = []
    n = len(toks)
    keys = {t.text[:k] for t in toks for k in range(1, len(t.text) + 1)}
    i = 0
    while i < n:
        if toks[i].punct:
            i += 1
            continue
        a = actors.find(toks, i, n, keys)
        g = agents.find(toks, i, n, keys)
        if a is not None and (g is None or len(a[0].words) >= len(g[0].words)):
            phrase, positions = a
            entry = phrase.entry
            assert isinstance(entry, ActorEntry)
            out.append(Mention(i, positions[-1] + 1, "actor", entry.codes_on(day), str(entry.source),
                               positions=positions))
            i = positions[-1] + 1
        elif g is not None:
            phrase, positions = g
            entry = phrase.entry
            assert isinstance(entry, AgentEntry)
            out.append(Mention(i, positions[-1] + 1, "agent", [entry.bare_code], str(entry.source),
                               agent_suffix=entry.suffix, positions=positions))
            i = positions[-1] + 1
        else:
            i += 1
    return out
