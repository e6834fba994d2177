"""One record per dictionary entry: verbs with their patterns, synsets, transformations, actors,
agents, discards, issues, word lists, ontology values and options.

The structs keep the *syntax* of the files (which words are joined, which are stems, which codes
are paired, ...; see :mod:`.elements`) rather than any matcher-specific index, so that a pattern
matcher working on spaCy parses can build whatever index it needs; every entry records where it
came from (:class:`~.elements.Source`, with a 1-based ``lineno``).

References used in the docstrings:

* "TABARI 5.2" etc. are sections of the TABARI 0.8.4b2 manual (Schrodt 2014).
* "PETRARCH docs" is ``petrarch2-dictionaries.rst`` / the OEDA ``Dictionaries-README.md``.
"""

# ruff: noqa: RUF012  (the classes are msgspec Structs, whose mutable defaults are copied per instance;
# ruff sees that only when the Struct base is defined in the same file)

from __future__ import annotations

import datetime
from typing import Literal

from dyad.components.events.dictionaries.elements import (
    Compact,
    Dialect,
    Element,
    EventCode,
    Source,
    Word,
    phrase_key,
    phrase_text,
    regular_verb_forms,
)

__all__ = [
    "ActorCode",
    "ActorEntry",
    "AgentEntry",
    "DiscardEntry",
    "IssueCategory",
    "IssueEntry",
    "LexicalEntry",
    "OntologyEntry",
    "Option",
    "Pattern",
    "Synset",
    "SynsetMember",
    "TransformClause",
    "Transformation",
    "Verb",
    "VerbEntry",
    "VerbForm",
]


# --------------------------------------------------------------------------- verbs


class Pattern(Compact):
    """One ``- ...`` pattern line of a verb entry (TABARI 5.5, 5.7; PETRARCH docs "Patterns").

    The ``*`` verb marker splits the pattern into ``before`` (elements that precede the verb, in
    text order) and ``after``. ``before[-1].joined`` means the element must immediately precede
    the verb (``WAS_*``); ``verb_joined`` means ``after[0]`` must immediately follow it
    (``*_TALKS``). ``comment`` keeps the trailing ``#``/``;`` comment (in CAMEO.2.0 it names the
    verb the pattern was taken from).
    """

    before: list[Element]
    after: list[Element]
    code: EventCode
    source: Source
    verb_joined: bool = False
    comment: str | None = None


class VerbForm(Compact):
    """An explicitly listed irregular form (``{...}``), e.g. ``BROKE`` or ``+CORDONED_OFF``."""

    words: list[Word]
    head: int = 0


class Verb(Compact):
    """One verb of an entry: the primary verb and each synonym line of a PETRARCH block, or the
    root line of a TABARI entry (TABARI 5.5, 5.5.1; PETRARCH docs "Verb Synonym Blocks").

    ``words`` is usually one word; multi-word verbs (``+CORDON_OFF``, ``WIRE_+TAP``, TABARI
    ``ARREST AND_CHARGE``) have several, ``head`` being the index of the word marked with ``+``
    (the verb proper; 0 when unmarked). ``code`` is the verb's own code, overriding the entry
    code (``GRILL [110]`` inside ``--- ASK [---] ---``). ``forms`` are the irregular forms given
    in ``{...}`` (TABARI: on the next line, starting with ``{``); ``regular`` says whether the
    regular forms are generated as well: PETRARCH generates them only when no ``{...}`` is
    given (``{}`` means "no other forms"); TABARI always recognises the regular endings of a
    stem (TABARI 5.2.3). See :meth:`conjugations`.
    """

    words: list[Word]
    source: Source
    head: int = 0
    code: EventCode | None = None
    forms: list[VerbForm] = []
    regular: bool = True

    @property
    def text(self) -> str:
        return phrase_text(self.words)

    def conjugations(self) -> list[str]:
        """Surface forms of this verb as space-joined words: the verb itself, its explicit
        forms and, when ``regular``, the PETRARCH-style regular forms of the head word."""
        out = [phrase_key(self.words)]
        for form in self.forms:
            out.append(phrase_key(form.words))
        if self.regular and self.words:
            head = self.words[self.head].text
            for inflected in regular_verb_forms(head):
                texts = [w.text for w in self.words]
                texts[self.head] = inflected
                out.append(" ".join(texts))
        return list(dict.fromkeys(out))


class VerbEntry(Compact):
    """A verb entry: a PETRARCH ``--- NAME [CODE] ---`` synonym block, or a TABARI root verb
    with its pattern list.

    ``name`` is the block name (PETRARCH) or the root text (TABARI); ``code`` the block/root
    code (``---`` if absent, PETRARCH docs); ``verbs`` the member verbs; ``patterns`` the
    pattern lines, which apply to every verb of the entry. ``section`` distinguishes TABARI
    ``<TIME>`` time-shift phrases (TABARI 10.5) and ``<ATTRIB>`` attribution phrases (10.4) from
    ordinary verbs.
    """

    name: str
    code: EventCode
    dialect: Dialect
    source: Source
    verbs: list[Verb] = []
    patterns: list[Pattern] = []
    section: Literal["verb", "time", "attribution"] = "verb"


class SynsetMember(Compact):
    """One ``+`` line of a synset: a phrase of words, other synsets (TABARI 5.6 allows
    ``+&TIETYPES_EVENTS``) or slots. ``plural`` is False when the member or the synset label
    ends in ``_`` (PETRARCH docs: no automatic plural)."""

    elements: list[Element]
    source: Source
    plural: bool = True


class Synset(Compact):
    """``&NAME`` followed by ``+member`` lines (TABARI 5.6; PETRARCH docs "Synsets").

    ``name`` has the ``&`` and no trailing ``_``; ``plurals`` is False when the label ended with
    ``_`` (no plurals for any member, "typically used for synonym sets that do not involve
    nouns")."""

    name: str
    source: Source
    members: list[SynsetMember] = []
    plurals: bool = True


class TransformClause(Compact):
    """``(source target VERB)`` of a PETRARCH-2 transformation; target may itself be a clause.
    Letters are variables, ``.`` "non-specified actor", ``_`` "non-present actor", ``Q`` any
    verb (PETRARCH docs "Transformations")."""

    source: str | TransformClause
    target: str | TransformClause
    verb: str


class Transformation(Compact):
    """``~ a (a b ATTACK) SAY = a b 138``: when the verb pattern on the left is found, code the
    result on the right (PETRARCH docs "Transformations")."""

    pattern: TransformClause
    result_source: str
    result_target: str
    result_code: str
    source: Source


# --------------------------------------------------------------------------- nouns


class ActorCode(Compact, frozen=True):
    """One code of an actor, optionally date restricted (TABARI 6.5.2, 5.3.1; PETRARCH docs).

    ``code`` is the raw code: an actor code such as ``USAGOV``, a coded compound ``GME/GMW``
    (TABARI 6.5.1, see :attr:`parts`), or a special code ``---`` (null), ``###`` (discard) or
    ``+++`` (complex). ``start``/``end`` are inclusive bounds: ``[X <YYMMDD]`` has only ``end``,
    ``[X >YYMMDD]`` only ``start``, ``[X YYMMDD-YYMMDD]`` both, ``[X]`` neither (the default).
    Restrictions are evaluated in file order and the first satisfied one applies; an
    unrestricted code is used only when none is satisfied (TABARI 6.5.2 note 4). YYMMDD years
    00-30 mean 2000-2030 (TABARI 6.5.2 note 1); YYYYMMDD dates are also accepted (PETRARCH).
    ``lineno`` is the line the code was read from.
    """

    code: str
    lineno: int
    start: datetime.date | None = None
    end: datetime.date | None = None

    @property
    def restricted(self) -> bool:
        return self.start is not None or self.end is not None

    @property
    def parts(self) -> list[str]:
        return self.code.split("/")

    def applies(self, day: datetime.date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


class ActorEntry(Compact):
    """An actor phrase (TABARI 5.3, 5.3.1; PETRARCH docs "Actor Dictionary").

    ``words`` is the phrase; ``codes`` the codes of its synonym group in file order (empty means
    the null code). ``root`` is the key of the group's primary phrase when this phrase is a
    ``+`` synonym (``None`` for the primary phrase itself, which lists its ``synonyms``): this
    is what TABARI ``OUTPUT: PARENT`` / PETRARCH ``write_actor_root`` print.
    """

    words: list[Word]
    codes: list[ActorCode]
    source: Source
    root: str | None = None
    synonyms: list[str] = []

    def codes_on(self, day: datetime.date) -> list[str]:
        """The code(s) in force on ``day`` under the TABARI/PETRARCH rules (empty: null)."""
        for c in self.codes:
            if c.restricted and c.applies(day):
                return [c.code]
        defaults = [c.code for c in self.codes if not c.restricted]
        return defaults[:1]


class AgentEntry(Compact):
    """An agent phrase (TABARI 5.4; PETRARCH docs "Agent Dictionary").

    ``code`` is as written (``~GOV``, ``NGO~``); ``suffix`` is True when ``~`` precedes the code
    (added *after* the actor code, ``ISR`` + ``~GOV`` -> ``ISRGOV``) and False when it follows
    (added before, ``NGO~``). ``plurals``: ``None`` means "generate the regular plural"
    (S/IES/ES); ``[]`` is PETRARCH's ``{}`` ("no plural"); otherwise the irregular plurals from
    ``{...}``. ``template`` is the original line text when the phrase came from a
    ``!MARKER!`` substitution (PETRARCH docs "Substitution Markers").
    """

    words: list[Word]
    code: str
    suffix: bool
    source: Source
    plurals: list[list[Word]] | None = None
    template: str | None = None

    @property
    def bare_code(self) -> str:
        return self.code.replace("~", "")


class DiscardEntry(Compact):
    """A discard phrase (PETRARCH docs "Discard List"; TABARI's ``[###]``, TABARI 6.3).

    ``story`` is True for a leading ``+`` (discard the whole story, not only the sentence);
    ``whole_word`` for a trailing ``_`` (the match must end at a blank or punctuation,
    otherwise the text is a stem). Matching is case-insensitive; ``text`` is upper-cased.
    """

    text: str
    source: Source
    story: bool = False
    whole_word: bool = False


class IssueCategory(Compact):
    """``<ISSUE CATEGORY="..." TYPE="..." DEFAULT="...">`` (TABARI 9.2)."""

    name: str
    source: Source
    type: str | None = None
    default: str | None = None


class IssueEntry(Compact):
    """A line of an issues file (PETRARCH docs "Issues List"; TABARI 9.2).

    ``phrase`` is the upper-cased text with its expansion markers: ``N:word`` (noun and regular
    plural), ``V:word`` (regular verb forms S/ED/ING), ``a+b`` (both ``a b`` and ``a-b``);
    ``forms`` are the expanded surface strings. ``exclude`` is ``"sentence"`` for ``~phrase``
    and ``"story"`` for ``~~phrase`` (ignore phrases, no code).
    """

    phrase: str
    forms: list[str]
    source: Source
    code: str | None = None
    category: str | None = None
    exclude: Literal["sentence", "story"] | None = None


class LexicalEntry(Compact):
    """A bare word list entry: TABARI ``<NOUN>``/``<ADJECTIVE>`` phrases in ``.actors`` files
    (TABARI 5.3.2) and the PETRARCH-2 preposition list."""

    words: list[Word]
    source: Source


class OntologyEntry(Compact):
    """``CAMEO:0xHEX`` of the PETRARCH Internal Coding Ontology (PICO) file."""

    code: str
    value: int
    source: Source
    label: str | None = None


class Option(Compact):
    """One setting: a TABARI ``.options`` command (TABARI 8) or a ``PETR_config.ini`` value.

    Keys: ``SET:<PARAMETER>`` (``SET: X = Y``), ``LABEL:<code>``, ``COMPLEX``, ``OUTPUT``,
    ``DEFAULT``, ``COMMA``, ``FORWARD``, ``NONEVENTS`` for TABARI; ``<section>.<key>`` for ini.
    """

    key: str
    value: str
    source: Source
