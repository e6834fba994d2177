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
# Guard against huge LSH buckets (a wire story carried by 1,000 outlets, boilerplate-only texts): the
# pairs of a bucket grow with the square of its size, so a bucket of more than BUCKET_CAP articles pairs
# each member with its BUCKET_CAP smallest ids only (`candidate_pairs`; `dyad spark` does the same): at
# most BUCKET_CAP x n pairs for n articles. Up to the cap nothing changes. Above it, two members outside
# the anchors are not compared through that bucket (they still are through any other band key they
# share, and each is compared with the anchors): near-identical copies stay one story, as each confirms
# against an anchor; what can split is a chain of rewrites whose far ends meet none of the anchors.
# Calibrated with `python benchmarks/stories.py --bucket N` (three PolNeAR stories carried N times, half
# wire copies, half a chain of updates): 64 is the smallest power of two whose groups equal the uncapped
# ones at both N = 400 (buckets up to 193; cap 32 split a chain, 281 articles moved) and N = 1,000
# (buckets up to 482: 151,057 pairs instead of 388,344, 13 s instead of 35 s).
BUCKET_CAP = 64

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


def candidate_pairs(buckets: Iterable[list[str]], cap: int | None = BUCKET_CAP,
                    anchors: dict | None = None) -> set[tuple[str, str]]:
    """(smaller id, larger id) pairs that share a bucket: every pair of a bucket of at most `cap` ids;
    in a bigger one, each member with the bucket's `cap` smallest ids only (its anchors), so the pairs
    grow as cap x its size, not its square. `buckets`: (key, sorted member ids) items; `anchors`:
    key -> the anchors of the whole bucket when the members given are only part of it (the store's
    partial regroup), so a part pairs as it would in the whole."""
    pairs: set[tuple[str, str]] = set()
    for key, members in buckets:
        heads = members if cap is None else members[:cap]
        if anchors is not None and key in anchors:
            present = set(members)
            heads = [a for a in anchors[key] if a in present]
        for head in heads:
            for member in members:
                if member > head:
                    pairs.add((head, member))
    return pairs


def bucket_anchors(con, ids_table: str, cap: int | None = None) -> dict[tuple[int, str], list[str]]:
    """(band, key) -> the `cap` (default BUCKET_CAP) smallest ids of each bucket larger than `cap` that
    holds an article of `ids_table` (a relation with an `id` column), from the store's `story_bands`
    (DuckDB connection `con`): `group_stories(anchors=...)` for a regroup of part of the store."""
    cap = BUCKET_CAP if cap is None else cap
    rows = con.execute(f"""
        SELECT b.band, b.key, list(b.article_id ORDER BY b.article_id)[1:{int(cap)}] FROM story_bands b
        JOIN (SELECT DISTINCT band, key FROM story_bands WHERE article_id IN (SELECT id FROM {ids_table})) k
          ON k.band = b.band AND k.key = b.key
        GROUP BY b.band, b.key HAVING count(*) > {int(cap)}""").fetchall()
    return {(band, key): ids for band, key, ids in rows}


def group_stories(texts: Iterable[tuple[str, str]], bands: dict[str, list[str] | None] | None = None, *,
                  cap: int | None = BUCKET_CAP, anchors: dict | None = None) -> dict[str, str]:
    """(article id, text) pairs -> story id per article (the smallest id of its connected group).
    Candidates share an LSH band key (the keys datasketch's MinHashLSH files them under, `bands_of`),
    bounded per bucket by `cap` (`candidate_pairs`; None: every pair); `anchors` as there. With
    `bands`, each article's `band_keys` go there too (a regroup needs both, and the signatures are
    most of its time)."""
    sets: dict[str, set[str]] = {}
    buckets: dict[tuple[int, str], list[str]] = {}
    for article_id, text in sorted(texts):
        sets[article_id] = shingles(text)
        if sets[article_id]:
            keys = bands_of(sets[article_id])
            for band, key in enumerate(keys):
                buckets.setdefault((band, key), []).append(article_id)
        if bands is not None:
            bands[article_id] = keys if sets[article_id] else None
    parent = {a: a for a in sets}
    for a, b in sorted(candidate_pairs(((k, m) for k, m in buckets.items() if len(m) > 1), cap, anchors)):
        if jaccard(sets[a], sets[b]) >= CONFIRM_JACCARD:
            ra, rb = _find(parent, a), _find(parent, b)
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
