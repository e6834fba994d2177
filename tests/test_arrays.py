"""SpansByStart: spans found by position give what a scan of every span gives."""

from __future__ import annotations

import random
from typing import NamedTuple

import pytest

from dyad.components.arrays import SpansByStart


class Piece(NamedTuple):  # what SpansByStart reads of a spaCy Span
    start: int
    end: int


def random_spans(rng: random.Random, disjoint: bool) -> list[Piece]:
    spans, position = [], 0
    for _ in range(rng.randint(0, 40)):
        start = position + rng.randint(0, 3) if disjoint else rng.randint(0, 80)
        span = Piece(start, start + rng.randint(1, 5))
        spans.append(span)
        position = span.end if disjoint else position
    return spans


@pytest.mark.parametrize("disjoint", [True, False])
def test_spans_found_by_position_are_those_a_scan_finds(disjoint):
    rng = random.Random(7)
    for _ in range(200):
        spans = random_spans(rng, disjoint)
        rng.shuffle(spans)
        ordered = sorted(spans, key=lambda s: s.start)
        index = SpansByStart(spans)
        for lo in range(0, 90, 3):
            for hi in range(lo, lo + 20, 2):
                assert index.inside(lo, hi) == [s for s in ordered if lo <= s.start and s.end <= hi]
            assert index.holding(lo) == [s for s in ordered if s.start <= lo < s.end]
            assert index.last_before(lo) == ([s for s in ordered if s.start < lo] or [None])[-1]
