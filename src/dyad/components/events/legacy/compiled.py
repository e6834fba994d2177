"""The indices the coder builds once per :class:`Dictionaries`: actors, agents, verbs, patterns.

Building them costs seconds for the large PETRARCH dictionaries, so :func:`compiled` keeps one
:class:`Compiled` per dictionaries object for the life of the process.
"""

from __future__ import annotations

from dyad.components.events.dictionaries.elements import NounPhrase, PrepPhrase
from dyad.components.events.dictionaries.model import Dictionaries
from dyad.components.events.legacy.actors import Phrase, PhraseIndex, build_indices
from dyad.components.events.legacy.patterns import sorted_patterns
from dyad.components.events.legacy.verbs import VerbIndex


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
    """The indices of ``d``, built on first use (the entry keeps ``d`` alive, so its ``id`` stays valid)."""
    hit = _COMPILED.get(id(d))
    if hit is None or hit[0] is not d:
        hit = _COMPILED[id(d)] = (d, Compiled(d))
    return hit[1]
