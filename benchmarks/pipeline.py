"""The pipeline budget: dyad's stages against spaCy's `nlp.pipe` alone on the same texts.

    python benchmarks/pipeline.py [--articles 200] [--repeats 3] [--cpu]

Prints the throughput ratio (dyad end to end / spaCy alone, target >= 0.75) and each stage's time
as a share of `nlp.pipe` time, against its group's budget and all groups' together (<= 10%).
Medians over repeats; baseline and dyad runs alternate so machine noise hits both, and both use
dyad's batch size. On a busy machine spaCy's own time varies by +-30% between runs: read the ratio
from a quiet machine. `--cpu` times the stages and nlp.pipe in this process's CPU time instead, a
second view when the wall-clock shares swing (on a shared host both move: compare runs back to back).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import spacy
from corpus import polnear_texts, require_shared

from dyad.article.clean import make_article
from dyad.article.language import detect_language
from dyad.corpus.store import Store
from dyad.dedupe import dedupe_events
from dyad.pipeline import BATCH_SIZE, BEFORE_PARSER, COMPONENTS, MODEL, load, process, result_from_doc

# Shares of nlp.pipe time each stage group may add (issue 2's pipeline budget).
BUDGET = {"cleaning+actors": 0.06, "events": 0.12, "quotes": 0.04, "places+dates": 0.07, "dedupe+store": 0.04}
TOTAL_BUDGET = 0.10  # all groups together (issue 15's whole-articles bar; issue 2's was 0.33)
GROUP = {"clean": "cleaning+actors", "before_parser": "cleaning+actors", "dyad_actors": "cleaning+actors",
         "dyad_events": "events", "dyad_quotes": "quotes", "dyad_places": "places+dates", "dyad_dates": "places+dates",
         "dedupe": "dedupe+store", "store": "dedupe+store"}


def stage_times(texts: list[str], base, dyad_nlp, clock=time.perf_counter) -> dict[str, float]:
    times = dict.fromkeys(GROUP, 0.0)
    t = clock()
    articles = []
    for text in texts:
        article, _ = make_article(text)
        article.language = detect_language(article.text)
        articles.append(article)
    times["clean"] = clock() - t
    docs = []
    for article in articles:
        doc = base.make_doc(article.text)
        doc._.article = article
        docs.append(doc)
    t = clock()
    for name in BEFORE_PARSER:  # paragraph breaks and run-on sentences: sentence starts the parser keeps
        component = dyad_nlp.get_pipe(name)
        for doc in docs:
            component(doc)
    times["before_parser"] = clock() - t
    t = clock()
    docs = list(base.pipe(docs, batch_size=BATCH_SIZE))
    times["nlp.pipe"] = clock() - t
    for name in COMPONENTS:
        component = dyad_nlp.get_pipe(name)
        t = clock()
        for doc in docs:
            component(doc)
        times[name] = clock() - t
    t = clock()
    events = [dedupe_events(doc._.events or []) for doc in docs]
    times["dedupe"] = clock() - t
    results = [result_from_doc(doc) for doc in docs]
    store = Store(":memory:")
    t = clock()
    store.add(results)
    times["store"] = clock() - t
    times["events_found"] = sum(len(e) for e in events)
    return times


def end_to_end(texts: list[str], base, dyad_nlp) -> tuple[float, float]:
    cleaned = [make_article(text)[0].text for text in texts]
    t = time.perf_counter()
    for _ in base.pipe(cleaned, batch_size=BATCH_SIZE):  # the batch size dyad uses
        pass
    spacy_alone = time.perf_counter() - t
    t = time.perf_counter()
    store = Store(":memory:")
    store.add(process(texts, dyad_nlp))
    return spacy_alone, time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cpu", action="store_true",
                        help="time the stages and nlp.pipe in this process's CPU time, not wall time")
    args = parser.parse_args()
    require_shared()
    texts = polnear_texts(args.articles)
    words = sum(len(t.split()) for t in texts)
    base = spacy.load(MODEL)
    dyad_nlp = load()
    list(process(texts[:5], dyad_nlp))  # warm caches (knowledge, gazetteer, lingua models)
    clock = time.process_time if args.cpu else time.perf_counter
    runs = [stage_times(texts, base, dyad_nlp, clock) for _ in range(args.repeats)]
    e2e = [end_to_end(texts, base, dyad_nlp) for _ in range(args.repeats)]
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    pipe = median["nlp.pipe"]
    shares = {group: sum(median[s] for s, g in GROUP.items() if g == group) / pipe for group in BUDGET}
    ratio = statistics.median(spacy_t / dyad_t for spacy_t, dyad_t in e2e)
    print(f"{len(texts)} articles, {words:,} words; nlp.pipe alone {pipe:.2f} s ({words / pipe:,.0f} words/s)")
    print(f"{'stage':<18}{'seconds':>9}{'share':>9}")
    for stage in GROUP:
        print(f"{stage:<18}{median[stage]:>9.3f}{median[stage] / pipe:>9.1%}")
    print(f"{'group':<18}{'share':>9}{'budget':>9}")
    for group, share in shares.items():
        print(f"{group:<18}{share:>9.1%}{BUDGET[group]:>9.0%}  {'ok' if share <= BUDGET[group] else 'OVER'}")
    total = sum(shares.values())
    print(f"{'all stages':<18}{total:>9.1%}{TOTAL_BUDGET:>9.0%}  {'ok' if total <= TOTAL_BUDGET else 'OVER'}")
    print(f"throughput ratio dyad/spaCy end to end: {ratio:.2f} (target >= 0.75)")
    print(json.dumps({"articles": len(texts), "ratio": round(ratio, 3), "total_share": round(total, 4),
                      "shares": {k: round(v, 4) for k, v in shares.items()},
                      "events": median["events_found"]}))


if __name__ == "__main__":
    main()
