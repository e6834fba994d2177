"""Tokens picked by their attributes read as numbers (`Doc.to_array`), so a stage that looks at a few
words of an article makes no Token object for the rest: on whole articles, making one for every word
was most of what several stages cost (`python benchmarks/pipeline.py`)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy
from spacy.tokens import Doc


def where(doc: Doc, attr: str, values: Iterable[str]) -> list[int]:
    """Indices, in order, of the tokens whose `attr` (a spaCy attribute name: "POS", "LOWER", "LEMMA",
    "TAG"...) is one of `values` (as strings: "PROPN", "he")."""
    strings = doc.vocab.strings
    return numpy.flatnonzero(numpy.isin(doc.to_array(attr), [strings.add(v) for v in values])).tolist()
