"""The actor knowledge's phrases found in a Doc: two spaCy PhraseMatchers (lower-cased phrases, and
case-sensitive short forms) whose patterns come tokenized from a disk cache.

Tokenizing ~5,300 phrases at start-up made ~4,400 new lexemes, and a match key per phrase one more
each (PhraseMatcher.add): ~0.2 s of a cold `dyad code` (`python benchmarks/cold_start.py`). So the
patterns are kept as token ids (`dyad.knowledge.cache`, keyed by the knowledge, spaCy's version and the
tokenizer's rules), each matcher has one key, and a match finds its entries by the ids it matched.
"""

from __future__ import annotations

import msgspec
import spacy
from spacy.attrs import LOWER, ORTH
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from dyad.components.actors.knowledge import ActorEntry, ActorKnowledge, knowledge_key, load_actor_knowledge
from dyad.knowledge.cache import cached, digest


class Patterns(msgspec.Struct, array_like=True):
    """The knowledge's phrases as token attribute ids, in table order: LOWER for `phrases`, ORTH for
    `exact_phrases` (what PhraseMatcher makes of a phrase's Doc)."""

    lower: list[list[int]]
    exact: list[list[int]]


def tokenizer_fingerprint(tokenizer) -> str:
    """What decides how a phrase is cut into tokens: the special cases, the affix and URL patterns.
    (A matcher that is not a compiled pattern gives a key that changes per process: no cache, no error.)"""

    def pattern(function) -> str:
        return str(getattr(getattr(function, "__self__", None), "pattern", repr(function)))

    return repr((sorted(tokenizer.rules.items()), pattern(tokenizer.prefix_search), pattern(tokenizer.suffix_search),
                 pattern(tokenizer.infix_finditer), pattern(tokenizer.token_match), pattern(tokenizer.url_match),
                 tokenizer.faster_heuristics))


def tokenize(nlp: Language, knowledge: ActorKnowledge) -> Patterns:
    def ids(phrases, attr: str) -> list[list[int]]:
        return [doc.to_array(attr).tolist() for doc in nlp.tokenizer.pipe(list(phrases))]

    return Patterns(lower=ids(knowledge.phrases, "LOWER"), exact=ids(knowledge.exact_phrases, "ORTH"))


def phrase_patterns(nlp: Language, knowledge: ActorKnowledge | None) -> Patterns:
    """The phrases' token ids: dyad's own knowledge's from the disk cache, other knowledge's tokenized now."""
    if knowledge is not None:
        return tokenize(nlp, knowledge)
    key = digest(extra=(knowledge_key(), spacy.__version__, tokenizer_fingerprint(nlp.tokenizer)))
    return cached("actor-patterns", key, Patterns, lambda: tokenize(nlp, load_actor_knowledge()))


def _by_ids(table: dict[str, list[ActorEntry]], patterns: list[list[int]]) -> dict[tuple[int, ...], list[ActorEntry]]:
    """Each phrase's entries by its token ids; two phrases with the same ids would be one match."""
    by_ids: dict[tuple[int, ...], list[ActorEntry]] = {}
    for (phrase, entries), ids in zip(table.items(), patterns, strict=True):
        if ids and tuple(ids) in by_ids:
            raise ValueError(f"actor knowledge: {phrase!r} has another phrase's tokens; merge the two rows")
        by_ids[tuple(ids)] = entries
    return by_ids


class KnowledgeMatcher:
    def __init__(self, nlp: Language, knowledge: ActorKnowledge | None = None):
        patterns = phrase_patterns(nlp, knowledge)
        knowledge = knowledge or load_actor_knowledge()
        self.lower_entries = _by_ids(knowledge.phrases, patterns.lower)
        self.exact_entries = _by_ids(knowledge.exact_phrases, patterns.exact)
        self.matchers = []
        for attr, entries in ((LOWER, self.lower_entries), (ORTH, self.exact_entries)):
            matcher = PhraseMatcher(nlp.vocab, attr=attr)
            matcher.add("dyad_actor", [list(ids) for ids in entries if ids])
            self.matchers.append((matcher, attr, entries))

    def __call__(self, doc: Doc) -> list[tuple[int, int, list[ActorEntry]]]:
        """(start, end, entries) of every phrase found: the lower-cased phrases', then the exact ones'."""
        found = []
        for matcher, attr, entries in self.matchers:
            if hits := matcher(doc):
                ids = doc.to_array(attr).tolist()
                found += [(s, e, entries[tuple(ids[s:e])]) for _, s, e in hits]
        return found
