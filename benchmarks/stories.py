"""Near-duplicate grouping on real articles: wire copies found, same-topic articles kept apart.

    python benchmarks/stories.py [--articles 300]

Positives: each PolNeAR article (train + dev) paired with a copy carrying realistic wire edits: a
rewritten lead (its sentences reordered and a clause dropped), its last paragraphs trimmed, a
paragraph from another article inserted, a new headline. Target: >= 0.95 of pairs grouped.
Negatives: PolNeAR pairs published within three days of each other that mention the same candidate
(metadata.tsv `trump_count` / `clinton_count`), leaving out pairs whose 5-shingle Jaccard is >= 0.5
(PolNeAR holds a few true duplicates). Target: <= 0.02 of pairs grouped.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import json
import random

from corpus import SHARED, require_shared

from dyad.corpus.stories import group_stories, jaccard, shingles


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    args = parser.parse_args()
    require_shared()
    rng = random.Random(7)
    articles = polnear()
    sample = rng.sample(articles, min(args.articles, len(articles)))
    texts = [(f"a{i}", a["text"]) for i, a in enumerate(sample)]
    texts += [(f"c{i}", wire_copy(a["text"], sample[(i + 1) % len(sample)]["text"], rng))
              for i, a in enumerate(sample)]
    story = group_stories(texts)
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
    for a, b in pairs:
        if jaccard(sets[a["id"]], sets[b["id"]]) >= 0.5:
            continue  # a true duplicate in PolNeAR
        candidates += 1
        negatives += story_all[a["id"]] == story_all[b["id"]]
    negative_rate = negatives / candidates if candidates else 0.0
    print(f"wire copies grouped with their original: {grouped}/{len(sample)} = {positives:.3f} (target >= 0.95)")
    print(f"same-topic pairs within 3 days grouped: {negatives}/{candidates} = {negative_rate:.4f} (target <= 0.02)")
    print(json.dumps({"positives": round(positives, 4), "negatives": round(negative_rate, 4),
                      "pairs": candidates}))


if __name__ == "__main__":
    main()
