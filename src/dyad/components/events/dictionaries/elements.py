"""The syntax of a dictionary line: words, pattern elements, event codes, provenance.

The building blocks the entries of :mod:`.entries` are made of, shared by every legacy format.
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

from typing import Literal

import msgspec

__all__ = [
    "Alternatives",
    "Diagnostic",
    "Dialect",
    "Element",
    "EventCode",
    "NounPhrase",
    "PrepPhrase",
    "Slot",
    "Source",
    "SynsetRef",
    "Word",
    "phrase_key",
    "phrase_text",
    "regular_plural",
    "regular_verb_forms",
]

Dialect = Literal["tabari", "petrarch"]
"""Which program's conventions a file follows; it decides how some syntax is interpreted."""

SlotKind = Literal["source", "target", "compound", "skip", "attribution"]


class Compact(msgspec.Struct, array_like=True, gc=False):
    """Base: compact array encoding in the cache and no GC tracking (the structs form trees)."""


class Source(Compact, frozen=True):
    """Provenance of an entry: the file it was read from and its 1-based line number."""

    path: str
    lineno: int

    def __str__(self) -> str:
        return f"{self.path}:{self.lineno}"


class Diagnostic(Compact, frozen=True):
    """A tolerated quirk in a real file (what was found and how it was read)."""

    path: str
    lineno: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.lineno}: {self.message}"


# --------------------------------------------------------------------------- pattern elements


class Word(Compact, tag="w"):
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


class SynsetRef(Compact, tag="syn"):
    """``&NAME``: any member of the synonym set NAME (TABARI 5.6; PETRARCH docs "Synsets").

    ``name`` includes the ``&`` and excludes a label's trailing ``_``. Synsets cannot be stemmed
    and get no automatic endings in TABARI.
    """

    name: str
    joined: bool = False


class Slot(Compact, tag="slot"):
    """An actor token in a pattern (TABARI 5.7.3, 10.4).

    ``source`` = ``$`` (source actor), ``target`` = ``+`` (target actor), ``compound`` = ``%``
    (a compound actor assigned to both source and target), ``skip`` = ``^`` (skip over an actor
    without assigning it; "a $ or + token must follow"), ``attribution`` = ``@`` (attribution
    actor). If a designated slot is not found the whole pattern fails.
    """

    kind: SlotKind
    joined: bool = False


class Alternatives(Compact, tag="alt"):
    """TABARI ``{ p1 | p2 | ... }``: matches any of the alternative sub-patterns (TABARI 5.7).

    Each option is a sequence of elements. ``X_{ A | B }_Y`` joins the group to its neighbours
    (``joined`` on X, on the group). PETRARCH-1/2 do not support these (patterns with them are
    skipped by PETRARCH); they are kept here for TABARI dictionaries.
    """

    options: list[list[Element]]
    joined: bool = False


class NounPhrase(Compact, tag="np"):
    """PETRARCH-2 ``{MOD ... HEAD}``: a noun phrase whose *last* element is the head noun and
    the earlier ones its modifiers (PETRARCH docs, "Patterns": ``* {FINANCIAL AID}``).

    Elements are words, synset references (``{&MILITARY AID}``) or slots.
    """

    elements: list[Element]
    joined: bool = False


class PrepPhrase(Compact, tag="pp"):
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


class EventCode(Compact, frozen=True):
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
