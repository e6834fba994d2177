"""Tokens picked by their attributes read as numbers (`Doc.to_array`), so a stage that looks at a few
words of an article makes no Token object for the rest: on whole articles, making one for every word
was most of what several stages cost (`python benchmarks/pipeline.py`)."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable

import numpy
from spacy.tokens import Doc


def where(doc: Doc, attr: str, values: Iterable[str]) -> list[int]:
    """Indices, in order, of the tokens whose `attr` (a spaCy attribute name: "POS", "LOWER", "LEMMA",
    "TAG"...) is one of `values` (as strings: "PROPN", "he")."""
    strings = doc.vocab.strings
    return numpy.flatnonzero(numpy.isin(doc.to_array(attr), [strings.add(v) for v in values])).tolist()


class SpansByStart:
    """Spans sorted by their first token, found by position in logarithmic time: a stage that asks,
    for every subject of an article, which names lie in its phrase scanned every name of the article,
    and on a long text (a 900,000-character paste: thousands of names) such scans were a quarter of its
    coding time (`python benchmarks/serve.py --code-bytes 900000` posts one)."""

    def __init__(self, spans: Iterable):
        self.spans = sorted(spans, key=lambda span: span.start)
        self.starts = [span.start for span in self.spans]
        self._disjoint = all(a.end <= b.start for a, b in itertools.pairwise(self.spans))  # as doc.ents are

    def inside(self, lo: int, hi: int) -> list:
        """The spans that start at or after token `lo` and end at or before `hi` (exclusive), in order."""
        first, last = bisect.bisect_left(self.starts, lo), bisect.bisect_left(self.starts, hi)
        return [span for span in self.spans[first:last] if span.end <= hi]

    def last_before(self, i: int):
        """The last span (in order) that starts before token `i`, or None."""
        before = bisect.bisect_left(self.starts, i)
        return self.spans[before - 1] if before else None

    def holding(self, i: int) -> list:
        """The spans that hold token `i`, in order."""
        last = bisect.bisect_right(self.starts, i)
        candidates = self.spans[last - 1:last] if self._disjoint else self.spans[:last]
        return [span for span in candidates if span.end > i]
