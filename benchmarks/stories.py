"""Near-duplicate grouping on real articles: wire copies found, same-topic articles kept apart.

    python benchmarks/stories.py [--articles 300]

Positives: each PolNeAR article (train + dev) paired with a copy carrying realistic wire edits: a
rewritten lead (its sentences reordered and a clause dropped), its last paragraphs trimmed, a
paragraph from another article inserted, a new headline. Target: >= 0.95 of pairs grouped.
Negatives: PolNeAR pairs published within three days of each other that mention the same candidate
(metadata.tsv `trump_count` / `clinton_count`), leaving out pairs whose 5-shingle Jaccard is >= 0.5
(PolNeAR holds a few true duplicates). Target: <= 0.02 of pairs grouped.

    python benchmarks/stories.py --bucket 400

Calibrates stories.BUCKET_CAP: three PolNeAR stories, each carried N times (half wire copies of the
original, half a chain of updates, each a wire copy of the one before; ids shuffled, so a bucket's
smallest ids are arbitrary copies), grouped with every candidate pair and with caps 1 to 256: pairs
compared, seconds, and whether the stories equal the uncapped ones.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import json
import random
import statistics
import time

from corpus import SHARED, require_shared

from dyad.corpus.stories import BUCKET_CAP, bands_of, candidate_pairs, group_stories, jaccard, shingles

# PolNeAR pairs this similar are the same article filed twice, not a negative
TRUE_DUPLICATE = 0.5


def polnear() -> list[dict]:
    rows = []
    with (SHARED / "gold/quotes/polnear/metadata.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            for split in ("train", "dev"):
                path = SHARED / "gold/quotes/polnear/data" / split / "text" / f"{row['filename']}.txt"
                if path.exists():
                    rows.append({**row, "text": path.read_text(encoding="utf-8")})
                    break
    return rows


def wire_copy(text: str, other: str, rng: random.Random) -> str:
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    body = paragraphs[1:] if len(paragraphs) > 2 else paragraphs
    lead = body[0].split(". ")
    lead = list(reversed(lead))[: max(1, len(lead) - 1)] if len(lead) > 1 else [" ".join(lead[0].split()[2:])]
    body = [". ".join(lead), *body[1:]]
    if len(body) > 4:
        body = body[: len(body) - 2]  # trimmed end
    inserted = [p for p in other.split("\n\n") if len(p.split()) > 15][:1]
    position = rng.randint(1, max(1, len(body) - 1))
    body = body[:position] + inserted + body[position:]
    return "\n\n".join(["Updated: a different headline for the syndicated copy", *body])


def bucket_sweep(copies: int, stories: int = 3) -> None:
    rng = random.Random(7)
    articles = [a["text"] for a in polnear()]
    texts: list[str] = []
    for original in rng.sample(articles, stories):
        texts.append(original)
        latest = original
        for k in range(copies - 1):
            other = rng.choice(articles)
            if k % 2:
                texts.append(wire_copy(original, other, rng))
            else:  # an update of the latest version
                latest = wire_copy(latest, other, rng)
                texts.append(latest)
    ids = [f"x{n:06d}" for n in rng.sample(range(10**6), len(texts))]
    items = list(zip(ids, texts, strict=True))
    buckets: dict = {}
    for article_id, text in sorted(items):
        for band, key in enumerate(bands_of(shingles(text))):
            buckets.setdefault((band, key), []).append(article_id)
    sizes = sorted((len(m) for m in buckets.values()), reverse=True)
    print(f"{len(items)} articles, {stories} stories; largest buckets {sizes[:5]}")
    reference = None
    rows = []
    for cap in (None, 256, 128, 64, 32, 16, 8, 4, 2, 1):
        pairs = len(candidate_pairs(buckets.items(), cap))
        started = time.perf_counter()
        story = group_stories(items, cap=cap)
        seconds = time.perf_counter() - started
        reference = reference or story
        split = sum(story[a] != reference[a] for a in story)
        rows.append({"cap": cap, "pairs": pairs, "seconds": round(seconds, 2), "articles_moved": split,
                     "stories": len(set(story.values()))})
        print(f"cap {cap}: {pairs} candidate pairs, {seconds:.2f} s, {len(set(story.values()))} stories, "
              f"{split} articles in another story than uncapped")
    print(json.dumps({"copies": copies, "bucket_cap": BUCKET_CAP, "sweep": rows}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--bucket", type=int, default=0, help="copies per story: calibrate BUCKET_CAP instead")
    args = parser.parse_args()
    require_shared()
    if args.bucket:
        bucket_sweep(args.bucket)
        return
    rng = random.Random(7)
    articles = polnear()
    sample = rng.sample(articles, min(args.articles, len(articles)))
    texts = [(f"a{i}", a["text"]) for i, a in enumerate(sample)]
    texts += [(f"c{i}", wire_copy(a["text"], sample[(i + 1) % len(sample)]["text"], rng))
              for i, a in enumerate(sample)]
    started = time.perf_counter()
    story = group_stories(texts)
    seconds = time.perf_counter() - started
    positive_jaccards = [jaccard(shingles(sample[i]["text"]), shingles(texts[len(sample) + i][1]))
                         for i in range(len(sample))]
    grouped = sum(story[f"a{i}"] == story[f"c{i}"] for i in range(len(sample)))
    positives = grouped / len(sample)

    negatives = candidates = 0
    by_id = {}
    for i, a in enumerate(articles):
        a["id"], a["date"] = f"p{i}", dt.date.fromisoformat(a["publication_date"])
        by_id[a["id"]] = a
    pairs = []
    for a, b in itertools.combinations(articles, 2):
        if abs((a["date"] - b["date"]).days) > 3:
            continue
        same = (int(a["trump_count"]) > 0 and int(b["trump_count"]) > 0) or (
            int(a["clinton_count"]) > 0 and int(b["clinton_count"]) > 0)
        if same:
            pairs.append((a, b))
    involved = {x["id"] for pair in pairs for x in pair}
    story_all = group_stories([(i, by_id[i]["text"]) for i in involved])
    sets = {i: shingles(by_id[i]["text"]) for i in involved}
    negative_jaccards = []
    for a, b in pairs:
        similarity = jaccard(sets[a["id"]], sets[b["id"]])
        if similarity >= TRUE_DUPLICATE:
            continue
        negative_jaccards.append(similarity)
        candidates += 1
        negatives += story_all[a["id"]] == story_all[b["id"]]
    negative_rate = negatives / candidates if candidates else 0.0
    print(f"wire copies grouped with their original: {grouped}/{len(sample)} = {positives:.3f} (target >= 0.95)")
    print(f"same-topic pairs within 3 days grouped: {negatives}/{candidates} = {negative_rate:.4f} (target <= 0.02)")
    # what stories.CONFIRM_JACCARD is set between
    low, high = statistics.quantiles(positive_jaccards, n=20)[0], max(negative_jaccards, default=0.0)
    print(f"5-shingle Jaccard: wire copies 5th percentile {low:.3f}, median "
          f"{statistics.median(positive_jaccards):.3f}; same-topic pairs 99th percentile "
          f"{statistics.quantiles(negative_jaccards, n=100)[-1]:.3f}, max {high:.3f}")
    print(f"grouping {len(texts)} articles: {seconds:.2f} s")
    print(json.dumps({"positives": round(positives, 4), "negatives": round(negative_rate, 4),
                      "pairs": candidates, "positive_jaccard_p5": round(low, 3), "negative_jaccard_max": round(high, 3),
                      "seconds": round(seconds, 2)}))


if __name__ == "__main__":
    main()
