"""dyad's own event lexicon (`knowledge/events/`), compiled into lemma indexes.

- ``verbs.tsv``: verb rules (lemma, particle, required object nouns, target prepositions, code);
- ``nouns.tsv``: event nouns (nominal events and the objects of light verbs);
- ``frames.tsv``: light verbs, aspectual verbs and the modality frames (refuse, intend, threaten,
  appeal, demand, report);
- ``modality.tsv``: what a frame does to the code of the event it frames;
- ``root_sets.tsv``: the named sets of CAMEO codes the coder's rules test (force, mutual, ...).

The format is documented in ``knowledge/events/README.md``.
"""

from __future__ import annotations

import functools

import msgspec

from dyad.knowledge.tables import KnowledgeError, read_table, variants
from dyad.resources.ontology import lookup

FRAME_KINDS = frozenset({"light", "receive", "aspect", "refuse", "intend", "threaten", "appeal", "demand", "report"})


class VerbRule(msgspec.Struct, frozen=True):
    lemma: str
    particle: str | None
    preps: frozenset[str]
    code: str
    target_required: bool
    source: str  # knowledge file and line: the provenance every event carries
    objects: frozenset[str] = frozenset()  # the direct object must be one of these nouns (lemma or text)

    @property
    def specificity(self) -> int:
        """How much the rule asks for beyond its lemma: 0 (bare verb) to 2 (particle and object)."""
        return (self.particle is not None) + bool(self.objects)


class NounRule(msgspec.Struct, frozen=True):
    noun: str
    preps: frozenset[str]
    code: str
    source: str


class Lexicon(msgspec.Struct, frozen=True):
    verbs: dict[str, list[VerbRule]]
    nouns: dict[str, NounRule]
    frames: dict[str, list[tuple[str | None, str]]]  # lemma -> [(particle, kind)]
    categories: dict[str, str]  # code prefix -> category
    modality: dict[tuple[str, str], str]  # (kind, category or "*") -> code ("" = none)

    def category(self, code: str) -> str | None:
        for n in range(len(code), 1, -1):
            category = self.categories.get(code[:n])
            if category is not None:
                return category
        return None

    def reframe(self, kind: str, code: str) -> str | None:
        """The code of `code`'s event under a frame of `kind`; None when the frame makes no event."""
        category = self.category(code)
        if category is not None and (kind, category) in self.modality:
            return self.modality[(kind, category)] or None
        if (kind, "*") in self.modality:
            return self.modality[(kind, "*")] or None
        return code


def _code(where: str, code: str) -> str:
    if not code.isdigit():
        raise KnowledgeError(f"{where}: event code {code!r} is not numeric")
    lookup(code)  # warns for codes outside CAMEO
    return code


@functools.cache
def load_verb_rules(path: str = "events/verbs.tsv") -> dict[str, list[VerbRule]]:
    rules: dict[str, list[VerbRule]] = {}
    for lineno, row in read_table(path):
        where = f"{path}:{lineno}"
        if row["target"] not in ("required", "optional"):
            raise KnowledgeError(f"{where}: target must be 'required' or 'optional', not {row['target']!r}")
        rule = VerbRule(lemma=row["lemma"], particle=row["particle"] or None,
                        preps=frozenset(variants(row["preps"])), code=_code(where, row["code"]),
                        target_required=row["target"] == "required", source="dyad:" + where,
                        objects=frozenset(variants(row.get("objects", ""))))
        rules.setdefault(rule.lemma, []).append(rule)
    # the most specific rule is tried first; among equals, file order (sort is stable)
    for entries in rules.values():
        entries.sort(key=lambda r: -r.specificity)
    return rules


@functools.cache
def load_lexicon() -> Lexicon:
    nouns: dict[str, NounRule] = {}
    for lineno, row in read_table("events/nouns.tsv"):
        where = f"events/nouns.tsv:{lineno}"
        nouns[row["noun"]] = NounRule(row["noun"], frozenset(variants(row["preps"])), _code(where, row["code"]),
                                      "dyad:" + where)
    frames: dict[str, list[tuple[str | None, str]]] = {}
    for lineno, row in read_table("events/frames.tsv"):
        if row["kind"] not in FRAME_KINDS:
            raise KnowledgeError(f"events/frames.tsv:{lineno}: unknown kind {row['kind']!r}")
        frames.setdefault(row["lemma"], []).append((row["particle"] or None, row["kind"]))
    categories: dict[str, str] = {}
    modality: dict[tuple[str, str], str] = {}
    for lineno, row in read_table("events/modality.tsv"):
        where = f"events/modality.tsv:{lineno}"
        if row["kind"].startswith("category:"):
            categories[row["kind"].removeprefix("category:")] = row["category"]
        else:
            modality[(row["kind"], row["category"])] = _code(where, row["code"]) if row["code"] else ""
    return Lexicon(verbs=load_verb_rules(), nouns=nouns, frames=frames, categories=categories, modality=modality)


@functools.cache
def load_root_sets(path: str = "events/root_sets.tsv") -> dict[str, tuple[str, ...]]:
    """Named sets of CAMEO code prefixes (`root_sets.tsv`): a code is in a set when it starts with one."""
    sets: dict[str, tuple[str, ...]] = {}
    for lineno, row in read_table(path):
        where = f"{path}:{lineno}"
        if not row["name"] or row["name"] in sets:
            raise KnowledgeError(f"{where}: set name {row['name']!r} is empty or repeated")
        codes = tuple(_code(where, code) for code in variants(row["codes"]))
        if not codes:
            raise KnowledgeError(f"{where}: set {row['name']!r} has no codes")
        sets[row["name"]] = codes
    return sets


def root_set(name: str) -> tuple[str, ...]:
    """The code prefixes of one named set, for `code.startswith(...)`; a KnowledgeError if the table lacks it."""
    sets = load_root_sets()
    if name not in sets:
        raise KnowledgeError(f"events/root_sets.tsv has no set {name!r}")
    return sets[name]
