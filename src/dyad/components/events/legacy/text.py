"""Tokens as the legacy coders saw them: upper-cased, without diacritics, hyphens dropped.

A :class:`Tok` keeps the spaCy token's index (for provenance spans) and the parse information the
PETRARCH-style coding uses (POS, dependency, head)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from spacy.tokens import Span

CONJUNCTIONS = frozenset({"AND", "BUT", "OR", "NOR"})
DETERMINERS = frozenset({"THE", "A", "AN"})
_DROP = frozenset({"-", "--", "?", "!", "\u2014", "\u2013", "(", ")", "[", "]"})
QUOTES = frozenset({'"', "``", "''", "\u201c", "\u201d", "'", "\u2018", "\u2019"})


def fold(text: str) -> str:
    """Upper-case ``text`` and strip diacritics (TABARI 7.3)."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


@dataclass(slots=True)
class Tok:
    i: int  # spaCy token index within the Doc
    text: str  # folded text
    cap: bool  # written with an initial capital
    pos: str
    tag: str
    dep: str
    head: int  # spaCy index of the head
    lemma: str  # folded lemma
    punct: bool
    children: list[int] = field(default_factory=list)  # spaCy indices


def sentence_tokens(sent: Span) -> list[Tok]:
    """The tokens of one sentence, folded; hyphens and ``?!`` are dropped, a final period too."""
    out: list[Tok] = []
    for t in sent:
        if t.is_space or t.text in _DROP:
            continue
        text = fold(t.text)
        if not text:
            continue
        punct = t.is_punct or text in QUOTES
        parts = [p for p in text.split("_") if p] if "_" in text and not punct else [text]
        for part in parts:  # "Dol_Amroth" in the text reads as the joined words DOL AMROTH
            lemma = fold(t.lemma_) if len(parts) == 1 else part
            out.append(Tok(t.i, part, t.text[:1].isupper(), t.pos_, t.tag_, t.dep_, t.head.i, lemma, punct,
                           [c.i for c in t.children]))
    while out and out[-1].text in {".", ":", ";"}:
        out.pop()
    return out
