"""Matching one dictionary word against one text token, with TABARI and PETRARCH conventions.

TABARI (manual 5.2.2-5.2.3): a word without a final ``_`` is a stem (any token starting with it);
a word with ``_`` matches the whole token or the token plus a regular ending (S, ED, ES, EN, ING,
'S); ``=`` matches only the word itself. PETRARCH never stems: a word matches itself or, when the
dictionary asks for automatic plurals, its regular plural."""

from __future__ import annotations

from dyad.components.events.dictionaries.elements import Word, regular_plural

ENDINGS = ("S", "ED", "ES", "EN", "ING", "'S", "D")


def split_hyphens(words: list[Word]) -> list[Word]:
    """Dictionary words with hyphens split into joined words (the text drops hyphens)."""
    out: list[Word] = []
    for w in words:
        parts = [p for p in w.text.replace("-", " ").split() if p]
        if len(parts) <= 1:
            out.append(w)
            continue
        for k, p in enumerate(parts):
            last = k == len(parts) - 1
            out.append(Word(p, joined=w.joined if last else True, exact=w.exact if last else True,
                            fixed=w.fixed if last else False))
    return out


def word_matches(word: Word, token: str, tabari: bool, plural: bool = True) -> bool:
    text = word.text
    if token == text:
        return True
    if not token.startswith(text):
        return False
    if word.fixed:
        return False
    rest = token[len(text):]
    if tabari:
        return (not word.exact) or rest in ENDINGS
    if not plural:
        return False
    return token == regular_plural(text) or rest in ("S", "ES")


def stem_keys(token: str) -> list[str]:
    """Every prefix of ``token``: the keys under which a stem matching it may be indexed."""
    return [token[:k] for k in range(len(token), 0, -1)]
