"""dyad's own verb lexicon (`knowledge/events/verbs.tsv`), compiled into a lemma index."""

from __future__ import annotations

import functools

import msgspec

from dyad.knowledge.tables import KnowledgeError, read_table, variants
from dyad.ontology import lookup


class VerbRule(msgspec.Struct, frozen=True):
    lemma: str
    particle: str | None
    preps: frozenset[str]
    code: str
    target_required: bool
    source: str  # knowledge file and line: the provenance every event carries


@functools.cache
def load_verb_rules(path: str = "events/verbs.tsv") -> dict[str, list[VerbRule]]:
    rules: dict[str, list[VerbRule]] = {}
    for lineno, row in read_table(path):
        where = f"{path}:{lineno}"
        if row["target"] not in ("required", "optional"):
            raise KnowledgeError(f"{where}: target must be 'required' or 'optional', not {row['target']!r}")
        if not row["code"].isdigit():
            raise KnowledgeError(f"{where}: event code {row['code']!r} is not numeric")
        lookup(row["code"])  # warns for codes outside CAMEO
        rule = VerbRule(lemma=row["lemma"], particle=row["particle"] or None,
                        preps=frozenset(variants(row["preps"])), code=row["code"],
                        target_required=row["target"] == "required", source="dyad:" + where)
        rules.setdefault(rule.lemma, []).append(rule)
    # the most specific rule (particle first) is tried first
    for entries in rules.values():
        entries.sort(key=lambda r: r.particle is None)
    return rules
