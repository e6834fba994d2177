"""The compiled representation shared by every legacy dictionary format.

All readers (TABARI 0.8 ``.verbs``/``.actors``/``.agents``/``.options``/``.project``; PETRARCH-1
and PETRARCH-2 ``CAMEO.2.0.txt``-style verbs, ``Phoenix.*.actors.txt``, agents, discards, issues,
``PETR_config.ini``) compile into the :class:`Dictionaries` struct defined here. The structs keep
the *syntax* of the files (which words are joined, which are stems, which codes are paired, ...)
rather than any matcher-specific index, so that a pattern matcher working on spaCy parses can
build whatever index it needs; every entry records where it came from (:class:`Source`, with a
1-based ``lineno``).

References used in the docstrings:

* "TABARI 5.2" etc. are sections of the TABARI 0.8.4b2 manual (Schrodt 2014).
* "PETRARCH docs" is ``petrarch2-dictionaries.rst`` / the OEDA ``Dictionaries-README.md``.

Words are stored upper-cased, as both coders compare upper-cased text.

Connector conventions (TABARI 5.5.3, also used by PETRARCH for actors and agents):

==============  =========================================================================
``XXXX YYYY``   XXXX may be a stem (TABARI only), YYYY need not follow immediately
``XXXX~_YYYY``  XXXX may be a stem, YYYY must follow immediately
``XXXX_ YYYY``  XXXX must match as a whole word, YYYY need not follow immediately
``XXXX_YYYY``   XXXX must match as a whole word, YYYY must follow immediately
``XXXX=``       XXXX must match exactly, without the regular endings (TABARI 5.2.3)
==============  =========================================================================

These are recorded on :class:`Word` as ``exact`` (an underscore ended the word), ``joined``
(the next element must follow immediately) and ``fixed`` (``=`` ending). PETRARCH never stems,
so for PETRARCH-dialect files ``exact`` only matters for plural/verb-form generation (PETRARCH
docs, "Synsets": a final ``_`` suppresses the automatic plural).
"""

from __future__ import annotations

import datetime
from typing import Literal

import msgspec

__all__ = [
    "ActorCode",
    "ActorEntry",
    "AgentEntry",
    "Alternatives",
    "Diagnostic",
    "Dialect",
    "Dictionaries",
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
    "phrase_key",
    "phrase_text",
    "regular_plural",
    "regular_verb_forms",
]

Dialect = Literal["tabari", "petrarch"]
"""Which program's conventions a file follows; it decides how some syntax is interpreted."""

SlotKind = Literal["source", "target", "compound", "skip", "attribution"]


class _S(msgspec.Struct, array_like=True, gc=False):
    """Base: compact array encoding in the cache and no GC tracking (the structs form trees)."""


class Source(_S, frozen=True):
    """Provenance of an entry: the file it was read from and its 1-based line number."""

    path: str
    lineno: int

    def __str__(self) -> str:
        return f"{self.path}:{self.lineno}"


class Diagnostic(_S, frozen=True):
    """A tolerated quirk in a real file (what was found and how it was read)."""

    path: str
    lineno: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.lineno}: {self.message}"


# --------------------------------------------------------------------------- pattern elements


class Word(_S, tag="w"):
    """A literal word of a phrase or pattern (TABARI 5.2.2, 5.5.3).

    ``text``: the upper-cased word (may contain ``'``, ``.``, ``-``, ``/`` etc. as written).
    ``joined``: the next element must follow immediately (``_`` connector, ``X~_Y``).
    ``exact``: the word was terminated by ``_``: TABARI matches it as a whole word instead of a
    stem (regular endings S/ED/ES/EN/ING still allowed, TABARI 5.2.3); PETRARCH: no automatic
    plural/verb forms. A ``~`` before ``_`` (``X~_Y``) keeps the stem reading with ``joined``.
    ``fixed``: the word ended with ``=``: no regular endings either (TABARI 5.2.3, note 2).
    """

    text: str
    joined: bool = False
    exact: bool = False
    fixed: bool = False


class SynsetRef(_S, tag="syn"):
    """``&NAME``: any member of the synonym set NAME (TABARI 5.6; PETRARCH docs "Synsets").

    ``name`` includes the ``&`` and excludes a label's trailing ``_``. Synsets cannot be stemmed
    and get no automatic endings in TABARI.
    """

    name: str
    joined: bool = False


class Slot(_S, tag="slot"):
    """An actor token in a pattern (TABARI 5.7.3, 10.4).

    ``source`` = ``$`` (source actor), ``target`` = ``+`` (target actor), ``compound`` = ``%``
    (a compound actor assigned to both source and target), ``skip`` = ``^`` (skip over an actor
    without assigning it; "a $ or + token must follow"), ``attribution`` = ``@`` (attribution
    actor). If a designated slot is not found the whole pattern fails.
    """

    kind: SlotKind
    joined: bool = False


class Alternatives(_S, tag="alt"):
    """TABARI ``{ p1 | p2 | ... }``: matches any of the alternative sub-patterns (TABARI 5.7).

    Each option is a sequence of elements. ``X_{ A | B }_Y`` joins the group to its neighbours
    (``joined`` on X, on the group). PETRARCH-1/2 do not support these (patterns with them are
    skipped by PETRARCH); they are kept here for TABARI dictionaries.
    """

    options: list[list[Element]]
    joined: bool = False


class NounPhrase(_S, tag="np"):
    """PETRARCH-2 ``{MOD ... HEAD}``: a noun phrase whose *last* element is the head noun and
    the earlier ones its modifiers (PETRARCH docs, "Patterns": ``* {FINANCIAL AID}``).

    Elements are words, synset references (``{&MILITARY AID}``) or slots.
    """

    elements: list[Element]
    joined: bool = False


class PrepPhrase(_S, tag="pp"):
    """PETRARCH-2 ``(PREP OBJ ...)``: a prepositional phrase; the first element is the
    preposition (a word or a synset), the rest its object nouns / noun phrases / slots, e.g.
    ``(FOR {FINANCIAL AID})``, ``(TO +)``, ``(FROM ^)``; ``(TO)`` is a bare preposition.
    """

    preposition: Element
    objects: list[Element]
    joined: bool = False


Element = Word | SynsetRef | Slot | Alternatives | NounPhrase | PrepPhrase
"""One element of a pattern: see the member classes."""


# --------------------------------------------------------------------------- codes


class EventCode(_S, frozen=True):
    """A bracketed event code of a verb, block or pattern (TABARI 6, 6.6; PETRARCH docs).

    ``raw`` is the text inside ``[...]`` with blanks removed (``[- - -]`` -> ``---``).
    ``primary`` is the code before ``:`` (``None`` when empty, as in PETRARCH-2 ``[:173]``);
    it may be ``---`` (null code: the phrase generates no event, TABARI 6.2), ``###`` (discard
    the sentence, TABARI 6.3), ``+++`` (complex: divert the sentence, TABARI 6.4), or in a
    TABARI ``<TIME>`` section a signed day shift such as ``-7`` (TABARI 10.5).
    ``secondary`` is the code after ``:``. Its meaning depends on the dialect: TABARI "paired
    codes" (TABARI 6.6.3: ``[032:033]`` codes ``A B 032`` *and* the reversed ``B A 033``);
    PETRARCH-2 "inherent passive meaning" (used when the verb is in the passive voice;
    ``utilities.convert_code``), so ``[:173]`` codes 173 only in the passive.
    ``dominant`` is a trailing ``!`` (TABARI 6.6.2), ``subordinate`` a trailing ``?`` (6.6.1).
    """

    raw: str
    primary: str | None
    secondary: str | None = None
    dominant: bool = False
    subordinate: bool = False

    @property
    def is_null(self) -> bool:
        return self.primary in (None, "---") and self.secondary in (None, "---")

    @property
    def is_discard(self) -> bool:
        return self.primary == "###"

    @property
    def is_complex(self) -> bool:
        return self.primary == "+++"

    @property
    def paired(self) -> bool:
        return self.secondary is not None


# --------------------------------------------------------------------------- verbs


class Pattern(_S):
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


class VerbForm(_S):
    """An explicitly listed irregular form (``{...}``), e.g. ``BROKE`` or ``+CORDONED_OFF``."""

    words: list[Word]
    head: int = 0


class Verb(_S):
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


class VerbEntry(_S):
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


class SynsetMember(_S):
    """One ``+`` line of a synset: a phrase of words, other synsets (TABARI 5.6 allows
    ``+&TIETYPES_EVENTS``) or slots. ``plural`` is False when the member or the synset label
    ends in ``_`` (PETRARCH docs: no automatic plural)."""

    elements: list[Element]
    source: Source
    plural: bool = True


class Synset(_S):
    """``&NAME`` followed by ``+member`` lines (TABARI 5.6; PETRARCH docs "Synsets").

    ``name`` has the ``&`` and no trailing ``_``; ``plurals`` is False when the label ended with
    ``_`` (no plurals for any member, "typically used for synonym sets that do not involve
    nouns")."""

    name: str
    source: Source
    members: list[SynsetMember] = []
    plurals: bool = True


class TransformClause(_S):
    """``(source target VERB)`` of a PETRARCH-2 transformation; target may itself be a clause.
    Letters are variables, ``.`` "non-specified actor", ``_`` "non-present actor", ``Q`` any
    verb (PETRARCH docs "Transformations")."""

    source: str | TransformClause
    target: str | TransformClause
    verb: str


class Transformation(_S):
    """``~ a (a b ATTACK) SAY = a b 138``: when the verb pattern on the left is found, code the
    result on the right (PETRARCH docs "Transformations")."""

    pattern: TransformClause
    result_source: str
    result_target: str
    result_code: str
    source: Source


# --------------------------------------------------------------------------- nouns


class ActorCode(_S, frozen=True):
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


class ActorEntry(_S):
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


class AgentEntry(_S):
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


class DiscardEntry(_S):
    """A discard phrase (PETRARCH docs "Discard List"; TABARI's ``[###]``, TABARI 6.3).

    ``story`` is True for a leading ``+`` (discard the whole story, not only the sentence);
    ``whole_word`` for a trailing ``_`` (the match must end at a blank or punctuation,
    otherwise the text is a stem). Matching is case-insensitive; ``text`` is upper-cased.
    """

    text: str
    source: Source
    story: bool = False
    whole_word: bool = False


class IssueCategory(_S):
    """``<ISSUE CATEGORY="..." TYPE="..." DEFAULT="...">`` (TABARI 9.2)."""

    name: str
    source: Source
    type: str | None = None
    default: str | None = None


class IssueEntry(_S):
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


class LexicalEntry(_S):
    """A bare word list entry: TABARI ``<NOUN>``/``<ADJECTIVE>`` phrases in ``.actors`` files
    (TABARI 5.3.2) and the PETRARCH-2 preposition list."""

    words: list[Word]
    source: Source


class OntologyEntry(_S):
    """``CAMEO:0xHEX`` of the PETRARCH Internal Coding Ontology (PICO) file."""

    code: str
    value: int
    source: Source
    label: str | None = None


class Option(_S):
    """One setting: a TABARI ``.options`` command (TABARI 8) or a ``PETR_config.ini`` value.

    Keys: ``SET:<PARAMETER>`` (``SET: X = Y``), ``LABEL:<code>``, ``COMPLEX``, ``OUTPUT``,
    ``DEFAULT``, ``COMMA``, ``FORWARD``, ``NONEVENTS`` for TABARI; ``<section>.<key>`` for ini.
    """

    key: str
    value: str
    source: Source


class SourceFile(_S):
    """A file that went into a :class:`Dictionaries`, with what it was read as."""

    path: str
    kind: str
    dialect: Dialect
    size: int
    mtime_ns: int
    entries: int = 0


class Project(_S):
    """A TABARI ``.project`` (TABARI 4.1) or ``PETR_config.ini``: the files it names, by kind
    (``actors``, ``verbs``, ``agents``, ``options``, ``issues``, ``discards``, ``text``, ...),
    resolved relative to the project file's directory; plus any other tags verbatim.
    ``linenos`` gives the line each file was named on."""

    path: str
    files: dict[str, list[str]] = {}
    other: dict[str, list[str]] = {}
    linenos: dict[str, int] = {}


class Dictionaries(_S):
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


# --------------------------------------------------------------------------- helpers


def phrase_key(words: list[Word]) -> str:
    """Plain words joined by blanks (no connector information)."""
    return " ".join(w.text for w in words)


def phrase_text(words: list[Word]) -> str:
    """Canonical text of a phrase with its connectors: ``_`` for joined, ``~_`` for a joined
    stem, a trailing ``_`` for an exact last word and ``=`` for a fixed one. Used as the key of
    the phrase dictionaries."""
    parts: list[str] = []
    last = len(words) - 1
    for i, w in enumerate(words):
        parts.append(w.text)
        if w.fixed:
            parts.append("=")
        if i < last:
            if w.joined:
                parts.append("_" if w.exact else "~_")
            else:
                parts.append("_ " if w.exact else " ")
        elif w.exact:
            parts.append("_")
    return "".join(parts)


def regular_plural(noun: str) -> str:
    """Regular plural as generated by PETRARCH (PETRARCH docs "Synsets"/"Agents"): ``Y`` ->
    ``IES``, ``SS`` -> ``SSES``, otherwise ``+S``."""
    if noun.endswith("Y"):
        return noun[:-1] + "IES"
    if noun.endswith("SS"):
        return noun + "ES"
    return noun + "S"


def regular_verb_forms(verb: str) -> list[str]:
    """Regular verb forms as generated by PETRARCH: ``+S``/``+ES`` (after S, X, Z, SH, CH),
    ``Y`` -> ``IES``/``IED``, ``+ED``/``+D`` (after E), ``+ING`` (dropping a final E)."""
    if not verb:
        return []
    if verb.endswith(("S", "X", "Z", "SH", "CH")):
        third = verb + "ES"
    elif verb.endswith("Y") and len(verb) > 1 and verb[-2] not in "AEIOU":
        third = verb[:-1] + "IES"
    else:
        third = verb + "S"
    if verb.endswith("E"):
        past, ing = verb + "D", verb[:-1] + "ING"
    elif verb.endswith("Y") and len(verb) > 1 and verb[-2] not in "AEIOU":
        past, ing = verb[:-1] + "IED", verb + "ING"
    else:
        past, ing = verb + "ED", verb + "ING"
    return [third, past, ing]
