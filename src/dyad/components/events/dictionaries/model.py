"""The compiled representation shared by every legacy dictionary format.

All readers (TABARI 0.8 ``.verbs``/``.actors``/``.agents``/``.options``/``.project``; PETRARCH-1
and PETRARCH-2 ``CAMEO.2.0.txt``-style verbs, ``Phoenix.*.actors.txt``, agents, discards, issues,
``PETR_config.ini``) compile into the :class:`Dictionaries` struct defined here: the entries of
:mod:`.entries` (built from the syntax of :mod:`.elements`) by kind, with the files they came from.
It is what the on-disk cache (:mod:`.cache`) stores.
"""

# ruff: noqa: RUF012  (the classes are msgspec Structs, whose mutable defaults are copied per instance;
# ruff sees that only when the Struct base is defined in the same file)

from __future__ import annotations

from dyad.components.events.dictionaries.elements import Compact, Diagnostic, Dialect
from dyad.components.events.dictionaries.entries import (
    ActorEntry,
    AgentEntry,
    DiscardEntry,
    IssueCategory,
    IssueEntry,
    LexicalEntry,
    OntologyEntry,
    Option,
    Synset,
    Transformation,
    VerbEntry,
)

__all__ = [
    "Dictionaries",
    "Project",
    "SourceFile",
]


class SourceFile(Compact):
    """A file that went into a :class:`Dictionaries`, with what it was read as."""

    path: str
    kind: str
    dialect: Dialect
    size: int
    mtime_ns: int
    entries: int = 0


class Project(Compact):
    """A TABARI ``.project`` (TABARI 4.1) or ``PETR_config.ini``: the files it names, by kind
    (``actors``, ``verbs``, ``agents``, ``options``, ``issues``, ``discards``, ``text``, ...),
    resolved relative to the project file's directory; plus any other tags verbatim.
    ``linenos`` gives the line each file was named on."""

    path: str
    files: dict[str, list[str]] = {}
    other: dict[str, list[str]] = {}
    linenos: dict[str, int] = {}


class Dictionaries(Compact):
    """Everything read from a set of dictionary files.

    ``verbs``: verb entries in file order. ``synsets``: by name (``&CURRENCY``).
    ``actors``/``agents``/``nouns``/``adjectives``/``prepositions``: by :func:`phrase_key` of
    the phrase *with* its connectors (``AL_GORE`` and ``AL GORE`` are different entries, as in
    TABARI); a phrase that is already present is ignored ("only the first entry is entered",
    TABARI 8.2.5) and reported in ``warnings``. ``discards``: by upper-cased text.
    ``options``: by key (later files override earlier ones). ``warnings``: tolerated quirks.
    """

    files: list[SourceFile] = []
    verbs: list[VerbEntry] = []
    synsets: dict[str, Synset] = {}
    transformations: list[Transformation] = []
    actors: dict[str, ActorEntry] = {}
    agents: dict[str, AgentEntry] = {}
    discards: dict[str, DiscardEntry] = {}
    issues: list[IssueEntry] = []
    issue_categories: list[IssueCategory] = []
    nouns: dict[str, LexicalEntry] = {}
    adjectives: dict[str, LexicalEntry] = {}
    prepositions: dict[str, LexicalEntry] = {}
    ontology: dict[str, OntologyEntry] = {}
    options: dict[str, Option] = {}
    projects: list[Project] = []
    warnings: list[Diagnostic] = []

    @property
    def patterns(self) -> int:
        return sum(len(v.patterns) for v in self.verbs)
