"""Stories: near-duplicate articles (syndicated wire copies) grouped across the corpus.

Candidates come from MinHash LSH over word 5-shingles (datasketch, fixed permutations and seed, so
any machine and any input order give the same signatures); each candidate pair is confirmed by the
exact Jaccard of the two articles' shingle sets; a story is a connected group of confirmed pairs,
named by its smallest article id, so grouping does not depend on input order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from datasketch import MinHash, MinHashLSH

# Words per shingle: short enough that an edited sentence spoils few shingles, long enough that
# articles on one topic share almost none. Checked, not searched, on PolNeAR (`python benchmarks/stories.py`:
# 0.977 of wire copies grouped, 0 of 7,526 same-topic pairs).
SHINGLE_WORDS = 5
# MinHash permutations: datasketch's default, kept because the same benchmark meets its targets with it;
# with LSH_THRESHOLD, datasketch bands them 37 x 3 (docs/scale.md).
NUM_PERM = 128
# Not tuned: a fixed seed, so any machine and any run (and `dyad spark`) give the same signatures.
SEED = 1
# LSH recall threshold: candidate pairs are those likely above this MinHash Jaccard estimate. Below
# CONFIRM_JACCARD so that confirmation, not LSH, decides (`python benchmarks/stories.py`).
LSH_THRESHOLD = 0.3
# A pair is the same story when its exact 5-shingle Jaccard reaches this. On PolNeAR, wire copies with
# a rewritten lead, a trimmed end, an inserted paragraph and a new headline keep a median 0.79 of their
# shingles (5th percentile 0.46); articles on one candidate within three days share at most 0.12
# (99th percentile 0.003). `python benchmarks/stories.py` prints these figures.
CONFIRM_JACCARD = 0.35

_WORD = re.compile(r"\w+")


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[str]:
    words = _WORD.findall(text.lower())
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + k]) for i in range(len(words) - k + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def signature(shingle_set: set[str]) -> MinHash:
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update_batch([s.encode("utf-8") for s in shingle_set])
    return minhash


def _find(parent: dict[str, str], x: str) -> str:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def group_stories(texts: Iterable[tuple[str, str]], bands: dict[str, list[str] | None] | None = None) -> dict[str, str]:
    """(article id, text) pairs -> story id per article (the smallest id of its connected group). With
    `bands`, each article's `band_keys` go there too, from the same signature (a regroup needs both, and
    the signatures are most of its time)."""
    sets: dict[str, set[str]] = {}
    signatures: dict[str, MinHash] = {}
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    for article_id, text in sorted(texts):
        sets[article_id] = shingles(text)
        if sets[article_id]:
            signatures[article_id] = signature(sets[article_id])
            lsh.insert(article_id, signatures[article_id])
        if bands is not None:
            bands[article_id] = _bands(signatures[article_id]) if sets[article_id] else None
    parent = {a: a for a in sets}
    for article_id, own in sets.items():
        if not own:
            continue
        for other in lsh.query(signatures[article_id]):
            if other > article_id and jaccard(own, sets[other]) >= CONFIRM_JACCARD:
                ra, rb = _find(parent, article_id), _find(parent, other)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    return {a: _find(parent, a) for a in sets}



_LSH: MinHashLSH | None = None


def bands_of(shingle_set: set[str]) -> list[str]:
    """The LSH band keys (hex, band i at position i) of a non-empty shingle set: exactly the keys
    datasketch's MinHashLSH files it under for `LSH_THRESHOLD`/`NUM_PERM`, so two articles are LSH
    candidates when they share one. The store keeps them (`story_bands`); `dyad spark` joins on them."""
    return _bands(signature(shingle_set))


def _bands(minhash: MinHash) -> list[str]:
    global _LSH
    if _LSH is None:
        _LSH = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    values = minhash.hashvalues
    return [_LSH._H(values[start:end]).hex() for start, end in _LSH.hashranges]


def band_keys(text: str) -> list[str] | None:
    """`bands_of` an article's text; None for a text without words (its own story, as in `group_stories`)."""
    own = shingles(text)
    return bands_of(own) if own else None
