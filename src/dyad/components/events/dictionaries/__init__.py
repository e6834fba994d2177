"""Readers for legacy TABARI and PETRARCH event-coding dictionaries.

They compile every format into one representation (:class:`Dictionaries`, see :mod:`.model`):

>>> from dyad.components.events.dictionaries import load_dictionaries
>>> d = load_dictionaries(["CAMEO.2.0.txt", "Phoenix.Countries.actors.txt"])  # doctest: +SKIP
>>> d.actors["UNITED_STATES_"].codes  # doctest: +SKIP

A line that cannot be read raises :class:`DictionaryError` naming the file and line; quirks
of real files that the legacy programs tolerated are read the way they read them and listed
in :attr:`Dictionaries.warnings`.
"""

from dyad.components.events.dictionaries.elements import (
    Alternatives,
    Diagnostic,
    Element,
    EventCode,
    NounPhrase,
    PrepPhrase,
    Slot,
    Source,
    SynsetRef,
    Word,
    phrase_key,
    phrase_text,
)
from dyad.components.events.dictionaries.entries import (
    ActorCode,
    ActorEntry,
    AgentEntry,
    DiscardEntry,
    IssueCategory,
    IssueEntry,
    LexicalEntry,
    OntologyEntry,
    Option,
    Pattern,
    Synset,
    SynsetMember,
    Transformation,
    TransformClause,
    Verb,
    VerbEntry,
    VerbForm,
)
from dyad.components.events.dictionaries.errors import DictionaryError
from dyad.components.events.dictionaries.loader import (
    KINDS,
    detect_kind,
    load_dictionaries,
    read_dictionary,
    resolve_inputs,
)
from dyad.components.events.dictionaries.model import Dictionaries, Project, SourceFile
from dyad.components.events.dictionaries.petrarch import (
    read_config,
    read_discards,
    read_issues,
    read_ontology,
    read_petrarch_verbs,
    read_prepositions,
)
from dyad.components.events.dictionaries.tabari import (
    read_actors,
    read_agents,
    read_options,
    read_project,
    read_tabari_verbs,
)
from dyad.components.events.dictionaries.verbs import read_verbs

__all__ = [
    "KINDS",
    "ActorCode",
    "ActorEntry",
    "AgentEntry",
    "Alternatives",
    "Diagnostic",
    "Dictionaries",
    "DictionaryError",
    "DiscardEntry",
    "Element",
    "EventCode",
    "IssueCategory",
    "IssueEntry",
    "LexicalEntry",
    "NounPhrase",
    "OntologyEntry",
    "Option",
    "Pattern",
    "PrepPhrase",
    "Project",
    "Slot",
    "Source",
    "SourceFile",
    "Synset",
    "SynsetMember",
    "SynsetRef",
    "TransformClause",
    "Transformation",
    "Verb",
    "VerbEntry",
    "VerbForm",
    "Word",
    "detect_kind",
    "load_dictionaries",
    "phrase_key",
    "phrase_text",
    "read_actors",
    "read_agents",
    "read_config",
    "read_dictionary",
    "read_discards",
    "read_issues",
    "read_ontology",
    "read_options",
    "read_petrarch_verbs",
    "read_prepositions",
    "read_project",
    "read_tabari_verbs",
    "read_verbs",
    "resolve_inputs",
]
